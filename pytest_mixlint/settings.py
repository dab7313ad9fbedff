"""A run's settings: the ``mixlint_*`` ini keys (read where pytest reads them) and the command
line, validated once into one ``Settings``, whichever front end started the run.

Both front ends hand over what they read the way their user wrote it: the plugin through pytest's
``config.getini``, the ``mixlint`` command through ``inifile.py``. Every mistake is a
``SettingsError`` naming the file, the key and the fix; the plugin shows it as a usage error,
the command exits with 2.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .domains import DomainPatterns, pattern_lines
from .limits import INI as LIMIT_KEYS
from .limits import Limits, limits_from
from .options import (
    CACHE_VERIFY,
    DEFAULT_CARDS,
    DEFAULT_MANIFESTS,
    DEFAULT_PACK,
    DEFAULT_RULES_FILE,
    DEFAULT_TESTS,
    INI_KEYS,
    TOKEN_MODES,
    TOKEN_SAMPLE_RANGE,
    split_values,
)
from .paths import check_patterns
from .problems import MixlintError

if TYPE_CHECKING:
    from .baseline import Baseline


class SettingsError(Exception):
    """The configuration cannot be used: one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class Ini(Protocol):
    """The ini keys as a front end reads them."""

    path: Path | None  # the configuration file (None: there is none)

    def lines(self, name: str) -> list[str]: ...

    def text(self, name: str) -> str: ...

    def flag(self, name: str) -> bool: ...  # ValueError for a value that is no truth value

    def mixlint_keys(self) -> list[str]: ...  # the mixlint_* keys the file sets (or at least the unknown ones)


@dataclass(frozen=True)
class CommandLine:
    """What the user gave on the command line (the plugin's ``--mixlint-*`` flags, or the
    ``mixlint`` command's)."""

    invocation_dir: Path
    paths: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False
    no_cache: bool = False
    tokenizer: str | None = None
    tokens: str | None = None
    baseline: str | None = None  # paths relative to invocation_dir
    write_baseline: str | None = None
    flag_prefix: str = "--"  # how its flags are spelled in messages: "--mixlint-" in pytest


@dataclass(frozen=True)
class TokenDefaults:
    """The run's token settings (ini keys, command line); a manifest's ``scan:`` overrides them."""

    tokenizer: str | None = None  # absolute path of a tokenizer.json (or its directory)
    origin: str = "mixlint_tokenizer"  # where it was set, named in errors
    exact: bool = False
    sample: int = 1000

    def __post_init__(self) -> None:
        low, high = TOKEN_SAMPLE_RANGE
        if type(self.sample) is not int or not low <= self.sample <= high:
            raise ValueError(f"token_sample must be a number of documents from {low} to {high}, not {self.sample!r}")


@dataclass(frozen=True)
class RuleReferences:
    """Which rule packs are in effect, and how that came to be (for the run's header)."""

    references: tuple[str, ...]
    base_dir: str  # relative references are relative to it
    named_by: str  # "--mixlint-rules", "mixlint_rules in pytest.ini"
    via: str | None = None  # "the default: mixlint.yaml at the rootdir"


@dataclass(frozen=True)
class Settings:
    rootdir: Path
    ini_path: Path | None
    command_line: CommandLine
    rules: RuleReferences
    manifests: tuple[str, ...] = tuple(DEFAULT_MANIFESTS)
    cards: tuple[str, ...] = tuple(DEFAULT_CARDS)
    domains: DomainPatterns = field(default_factory=DomainPatterns)
    strict: bool = False
    allow_outside_root: bool = False
    limits: Limits = field(default_factory=Limits)
    cache_verify: str = "stat"
    tokens: TokenDefaults = field(default_factory=TokenDefaults)
    baseline: Baseline | None = None
    configs: tuple[tuple[str, str], ...] = ()  # (glob, format) of training configs
    catalogue: Path | None = None  # the source catalogue, if there is one
    variables: tuple[tuple[str, str], ...] = ()  # (name, value): what configs leave to the run
    tests: tuple[str, ...] = DEFAULT_TESTS  # glob patterns of rule case files

    def pack_references(self) -> tuple[str, ...]:
        """The packs in effect as a run elsewhere names them: absolute paths, or ``ORG:NAME``."""
        from .packs import is_packaged

        rules = self.rules
        return tuple(r if is_packaged(r) else os.path.join(rules.base_dir, os.path.expanduser(r)) for r in rules.references)

    @property
    def ini_shown(self) -> str:
        return str(self.ini_path) if self.ini_path else "ini"

    @property
    def select(self) -> tuple[str, ...]:
        return self.command_line.select

    @property
    def ignore(self) -> tuple[str, ...]:
        return self.command_line.ignore


def read_settings(ini: Ini, command_line: CommandLine, rootdir: Path) -> Settings:
    """Settings from the ini keys and the command line (the command line wins). Raises
    SettingsError with every problem found."""
    problems: list[str] = []
    shown = str(ini.path) if ini.path else "ini"
    for key in sorted(k for k in ini.mixlint_keys() if k.lower().startswith("mixlint") and k not in INI_KEYS):
        close = difflib.get_close_matches(key, list(INI_KEYS), n=1)
        problems.append(f"{_where(ini, key)}: unknown ini option {key!r}"
                        + (f" (did you mean {close[0]!r}?)" if close else f" (options: {', '.join(INI_KEYS)})"))

    def attempt(what: str, read: object) -> object:
        try:
            return read() if callable(read) else read
        except (ValueError, TypeError) as exc:
            problems.append(f"{shown}: {what}: {exc}" if what else f"{shown}: {exc}")
            return None

    strict = command_line.strict or bool(attempt("", lambda: _flag(ini, "mixlint_strict")))
    allow_outside_root = bool(attempt("", lambda: _flag(ini, "mixlint_allow_outside_root")))
    domains = attempt("", lambda: DomainPatterns.with_user_patterns(ini.lines("mixlint_domains")))
    limits = attempt("", lambda: limits_from({name: ini.text(name) for name in LIMIT_KEYS}))
    verify = ini.text("mixlint_cache_verify") or "stat"
    if verify not in CACHE_VERIFY:
        problems.append(f"{shown}: mixlint_cache_verify: {verify!r} is not {' or '.join(CACHE_VERIFY)}")
    patterns = {}
    for name, default in (("mixlint_manifests", DEFAULT_MANIFESTS), ("mixlint_cards", DEFAULT_CARDS)):
        patterns[name] = tuple(ini.lines(name) or default)
        attempt(name, lambda values=patterns[name]: check_patterns(list(values)))
    tokens = attempt("", lambda: _tokens(ini, command_line, rootdir, shown))
    configs = attempt("", lambda: _configs(ini.lines("mixlint_configs")))
    catalogue = _catalogue(ini, rootdir, problems, shown)
    variables = attempt("", lambda: _variables(ini.lines("mixlint_variables")))
    tests = tuple(ini.lines("mixlint_tests") or DEFAULT_TESTS)
    attempt("mixlint_tests", lambda: check_patterns(list(tests)))
    baseline = None
    if command_line.baseline:
        from .baseline import load_baseline

        try:
            baseline = load_baseline(command_line.invocation_dir / command_line.baseline, command_line.baseline)
        except MixlintError as exc:
            problems += [f"{command_line.flag_prefix}baseline: {p}" for p in exc.problems]
    if problems:
        raise SettingsError(problems)
    assert isinstance(domains, DomainPatterns) and isinstance(limits, Limits) and isinstance(tokens, TokenDefaults)
    return Settings(rootdir=rootdir, ini_path=ini.path, command_line=command_line,
                    rules=_rule_references(ini, command_line, rootdir, shown),
                    manifests=patterns["mixlint_manifests"], cards=patterns["mixlint_cards"], domains=domains,
                    strict=strict, allow_outside_root=allow_outside_root, limits=limits, cache_verify=verify,
                    tokens=tokens, baseline=baseline, configs=configs or (), catalogue=catalogue,  # type: ignore[arg-type]
                    variables=variables or (), tests=tests)  # type: ignore[arg-type]


def _configs(lines: list[str]) -> tuple[tuple[str, str], ...]:
    """``GLOB = FORMAT`` lines (``train/*.sh = megatron``)."""
    from .configs.load import FORMATS

    configs = []
    for pattern, fmt in pattern_lines(lines, "mixlint_configs", "'GLOB = FORMAT' (e.g. 'train/*.sh = megatron')"):
        if fmt not in FORMATS:
            close = difflib.get_close_matches(fmt, FORMATS, n=1)
            raise ValueError(f"mixlint_configs: {fmt!r} is no config format"
                             + (f" (did you mean {close[0]!r}?)" if close else f" ({', '.join(FORMATS)})"))
        check_patterns([pattern])
        configs.append((pattern, fmt))
    return tuple(configs)


def _variables(lines: list[str]) -> tuple[tuple[str, str], ...]:
    """``NAME = VALUE`` lines (``DATA_PATH = /lustre/data``); the first ``=`` separates them."""
    variables = []
    for line in lines:
        if not line.strip() or line.strip().startswith("#"):
            continue
        name, sep, value = (part.strip() for part in line.partition("="))
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"mixlint_variables: {line.strip()!r} is not 'NAME = VALUE' (e.g. 'DATA_PATH = /lustre/data')")
        variables.append((name, value))
    return tuple(variables)


def _catalogue(ini: Ini, rootdir: Path, problems: list[str], shown: str) -> Path | None:
    """The catalogue the ini names (else each config uses the nearest mixlint.catalog.yaml)."""
    named = ini.text("mixlint_catalog")
    if not named:
        return None
    path = (ini.path.parent if ini.path else rootdir) / named
    if not path.is_file():
        problems.append(f"{shown}: mixlint_catalog: {named} is not a file")
    return path


def _flag(ini: Ini, name: str) -> bool:
    try:
        return ini.flag(name)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc} (use true or false)") from None


def _rule_references(ini: Ini, command_line: CommandLine, rootdir: Path, shown: str) -> RuleReferences:
    named = split_values(list(command_line.rules))
    if named:
        return RuleReferences(tuple(named), str(command_line.invocation_dir), f"{command_line.flag_prefix}rules")
    named_by = f"mixlint_rules in {shown}" if ini.path else "mixlint_rules"
    base_dir = str(ini.path.parent if ini.path else rootdir)
    references = ini.lines("mixlint_rules")
    if references:
        return RuleReferences(tuple(references), base_dir, named_by)
    if (rootdir / DEFAULT_RULES_FILE).is_file():
        return RuleReferences((str(rootdir / DEFAULT_RULES_FILE),), base_dir, named_by,
                              f"the default: {DEFAULT_RULES_FILE} at the rootdir")
    return RuleReferences((DEFAULT_PACK,), base_dir, named_by, f"the default: no {DEFAULT_RULES_FILE} at the rootdir")


def _tokens(ini: Ini, command_line: CommandLine, rootdir: Path, shown: str) -> TokenDefaults:
    """The run's token settings: the command line over the ini keys."""
    how = command_line.tokens or ini.text("mixlint_tokens") or "estimate"
    if how not in TOKEN_MODES:
        raise ValueError(f"mixlint_tokens: {how!r} is not {' or '.join(TOKEN_MODES)}")
    sample = ini.text("mixlint_token_sample") or "1000"
    low, high = TOKEN_SAMPLE_RANGE
    if not (sample.isascii() and sample.isdigit() and low <= int(sample) <= high):
        raise ValueError(f"mixlint_token_sample: {sample!r} is not a number of documents from {low} to {high}")
    tokenizer, origin = command_line.tokenizer, f"{command_line.flag_prefix}tokenizer"
    if tokenizer:
        tokenizer = str(command_line.invocation_dir / Path(tokenizer).expanduser())
    elif ini.text("mixlint_tokenizer"):
        base = ini.path.parent if ini.path else rootdir
        tokenizer = str(base / Path(ini.text("mixlint_tokenizer")).expanduser())
        origin = f"{shown} (mixlint_tokenizer)"
    return TokenDefaults(tokenizer or None, origin, how == "exact", int(sample))


def _where(ini: Ini, key: str) -> str:
    """``pytest.ini:4``: where ``key`` is set (any ini format writes ``key =`` or ``key:`` at the
    start of a line; pytest keeps no lines)."""
    if ini.path is None:
        return "ini"
    try:
        lines = ini.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return str(ini.path)
    found = next((n for n, line in enumerate(lines, 1) if re.match(rf"\s*{re.escape(key)}\s*[=:]", line)), None)
    return f"{ini.path}:{found}" if found else str(ini.path)
