"""Every setting a user can give, once: its ini key, its command-line flag, its default and help.

Plain data, imported by the pytest plugin in every pytest run (with ``--mixlint`` or not), so it
imports nothing heavy. The plugin declares ``--mixlint-NAME`` flags and ``mixlint_*`` ini keys
from these tables; the ``mixlint`` command declares ``--NAME`` flags; ``settings.py`` reads both
into one validated ``Settings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from .limits import INI as LIMIT_KEYS
from .limits import Limits

DEFAULT_TESTS = ("**/mixlint-tests/**/*.yaml", "**/mixlint-tests/**/*.yml")  # rule case files (cases.py)
DEFAULT_MANIFESTS = ["*.mixture.yaml", "*.mixture.yml", "*.mixture.json", "*.mixture.toml",
                     "mixture.yaml", "mixture.yml", "mixture.json", "mixture.toml"]
DEFAULT_CARDS = ["README.md"]
DEFAULT_RULES_FILE = "mixlint.yaml"
DEFAULT_PACK = "mixlint:recommended"
TokenMode = Literal["estimate", "exact"]  # tokens from a sample of each shard, or every document
TOKEN_MODES: tuple[str, ...] = get_args(TokenMode)
TOKEN_SAMPLE_RANGE = (2, 1_000_000)  # documents sampled per group in each shard
CACHE_VERIFY = ("stat", "content")
CONFIG_FORMATS = ("megatron", "neox", "streaming", "olmo", "olmo-core", "nanotron", "dolma", "dclm")  # configs/load.py reads them


@dataclass(frozen=True)
class IniKey:
    type: str  # pytest's ini types: "linelist", "bool", "string"
    default: object
    help: str


INI_KEYS: dict[str, IniKey] = {
    "mixlint_rules": IniKey("linelist", [], f"rule packs (paths relative to the ini file, or mixlint:NAME); default "
                                            f"{DEFAULT_RULES_FILE} at the rootdir, else {DEFAULT_PACK}"),
    "mixlint_manifests": IniKey("linelist", [], "glob patterns of mixture manifests"),
    "mixlint_cards": IniKey("linelist", [], "glob patterns of dataset cards (README.md)"),
    "mixlint_domains": IniKey("linelist", [], "'PATTERN = DOMAIN' lines mapping source names to domains"),
    "mixlint_configs": IniKey("linelist", [], f"'GLOB = FORMAT' lines: training configs to check "
                                              f"({', '.join(CONFIG_FORMATS)})"),
    "mixlint_tests": IniKey("linelist", [], "glob patterns of rule case files (default: any mixlint-tests/ directory's *.yaml)"),
    "mixlint_variables": IniKey("linelist", [], "'NAME = VALUE' lines: what training configs leave to the run (a launch "
                                                "script's $DATA_PATH, a mix file's {TOKENIZER})"),
    "mixlint_catalog": IniKey("string", "", "the source catalogue of the configs' data paths (relative to the ini "
                                            "file; default: the mixlint.catalog.yaml nearest each config)"),
    "mixlint_strict": IniKey("bool", False, "warnings fail their items"),
    "mixlint_allow_outside_root": IniKey("bool", False, "measure data files outside the rootdir (refused by default)"),
    "mixlint_tokenizer": IniKey("string", "", "a local tokenizer.json (relative to the ini file) to count tokens of "
                                              "measured data with"),
    "mixlint_tokens": IniKey("string", "estimate", "estimate (default) or exact"),
    "mixlint_token_sample": IniKey("string", "1000", "documents sampled per group in each shard to estimate tokens "
                                                     "(default 1000)"),
    "mixlint_cache_verify": IniKey("string", "stat", "stat (size, time and the first and last 64 KiB; default) or "
                                                     "content (a hash of every shard, about 1-2 s per GB on every run)"),
    **{name: IniKey("string", "", f"{what} (default {getattr(Limits(), attribute):,})")
       for name, (attribute, _, what) in LIMIT_KEYS.items()},
}


@dataclass(frozen=True)
class Flag:
    """A command-line flag: ``--mixlint-NAME`` in pytest, ``--NAME`` for ``mixlint check``."""

    name: str
    help: str
    action: str = "store"  # argparse's: store, store_true, append
    metavar: str | None = None
    choices: tuple[str, ...] | None = None


FLAGS = [
    Flag("rules", "rule packs to use instead of the mixlint_rules ini option (paths or mixlint:NAME; comma-separated "
                  "or repeated)", "append", "PACKS"),
    Flag("select", "only run rules whose id starts with one of these (comma-separated or repeated)", "append", "IDS"),
    Flag("ignore", "skip rules whose id starts with one of these (comma-separated or repeated)", "append", "IDS"),
    Flag("strict", "warnings fail", "store_true"),
    Flag("no-cache", "measure data files without reading or writing the per-shard cache", "store_true"),
    Flag("tokenizer", "a local tokenizer.json (or its directory) to count tokens of measured data with",
         metavar="PATH"),
    Flag("tokens", "estimate tokens from a sample (default) or tokenize every document", choices=TOKEN_MODES),
    Flag("baseline", "accept the findings recorded in FILE (they pass as baselined); new findings fail, recorded "
                     "ones that no longer occur are listed as stale", metavar="FILE"),
    Flag("write-baseline", "record this run's findings in FILE (sorted JSON, to commit) for --baseline",
         metavar="FILE"),
]


def split_values(values: list[str] | None) -> list[str]:
    """``--x a,b --x c`` -> ['a', 'b', 'c']."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
