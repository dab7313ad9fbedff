"""Which files are training configs, from their name and content (no ini line needed).

Only small files are looked at (configs are a few kB; a data file named ``.json`` may be
gigabytes), first for the words a config of each format must contain, then, for YAML and JSON,
for the structure: a launch script passing ``--data-path``; a NeoX config's
``train-data-paths``; llm-foundry's ``train_loader.dataset.streams``; nanotron's ``data_stages``;
NeMo's ``data_prefix``; OLMo's ``data.paths``. OLMo-core mix files look like any text file: they
need a ``mixlint_configs`` line. Dolma's mixer (top-level ``streams`` with ``documents``) and
DCLM's tokenized-dataset JSON (``sources`` with ``num_tokens``) are recognised too.
"""

from __future__ import annotations

import os
import re

from ..documents.syntax import parse_text, syntax_of
from ..problems import MixlintError
from .load import SCRIPT_SUFFIXES
from .megatron import DATA_FLAGS, FILE_FLAGS, SPLIT_FLAGS, find_key
from .shell import read_script
from .streaming import streams_of

MAX_CONFIG_BYTES = 1 << 20
# A trainer's entry point in a launch command: pretrain_gpt.py, train.py, megatron, deepspeed, torchrun.
_TRAINER = re.compile(r"(pretrain|train)[\w-]*\.py$|megatron|torchrun|deepspeed", re.IGNORECASE)
# Keys only a config of that format has, for a file whose syntax error hides its structure.
_TELLTALE = [(fmt, re.compile(rf"^\s*[\"']?{key}[\"']?\s*:", re.MULTILINE)) for fmt, key in (
    ("nanotron", "data_stages"), ("neox", "train[-_]data[-_]paths"), ("streaming", "train_loader"),
    ("megatron", "data_prefix"))]
_WORDS = ("data-path", "data_path", "train-data-paths", "train_data_paths", "streams", "data_stages", "data_prefix", "paths", "sources")


def detect_format(path: str) -> str | None:
    """The format of the training config at ``path``, or None when it is not one."""
    lowered = path.lower()
    is_script = lowered.endswith(SCRIPT_SUFFIXES)
    if not is_script and not lowered.endswith((".yaml", ".yml", ".json")):
        return None
    try:
        if os.path.getsize(path) > MAX_CONFIG_BYTES:
            return None
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if is_script:  # a command that passes a blend to a trainer (an eval script's --data-path is no mix)
        if not any(flag in text for flag in (*DATA_FLAGS, *FILE_FLAGS, *SPLIT_FLAGS)):
            return None
        values = read_script(text).flag_values(*DATA_FLAGS, *FILE_FLAGS, *SPLIT_FLAGS)
        if not values:  # the flag is there but its command is not read: a load error says why, not silence
            return "megatron" if any(_TRAINER.search(word) for word in text.split()) else None
        trains = any(_TRAINER.search(w.text) for value in values for w in value.command)
        return "megatron" if trains else None
    if not any(word in text for word in _WORDS):
        return None
    try:
        parsed = parse_text(text, path, syntax_of(path))
    except MixlintError:  # a config with a syntax error is still a config: its load error says where
        return next((fmt for fmt, key in _TELLTALE if key.search(text)), None)
    data = parsed.data
    if not isinstance(data, dict) or "mixlint" in data or "mixlint-rules" in data:
        return None
    if any(key in data for key in ("train-data-paths", "train_data_paths")):
        return "neox"
    neox_keys = ("vocab-file", "vocab_file", "merge-file", "merge_file", "tokenizer-type", "tokenizer_type",
                 "tokenizer_type", "checkpoint-factor", "save", "load")
    if any(key in data for key in ("data-path", "data_path")) and any(key in data for key in neox_keys):
        return "neox"  # a local_setup.yml: one data path beside the tokenizer's files
    found = streams_of(parsed)
    if found is not None and found[0][0] == "train_loader":  # llm-foundry's; elsewhere streams mean other things
        return "streaming"
    streams = data.get("streams")
    if isinstance(streams, list) and streams and all(isinstance(s, dict) and "documents" in s for s in streams):
        return "dolma"
    sources = data.get("sources")
    if isinstance(sources, list) and ("num_tokens" in data or data.get("tokenized") is True) \
            and all(isinstance(s, dict) and "name" in s for s in sources):
        return "dclm"
    if isinstance(data.get("data_stages"), list):
        return "nanotron"
    if find_key(data, ("data_prefix",))[0] is not None:
        return "megatron"
    olmo = data.get("data")
    paths = olmo.get("paths") if isinstance(olmo, dict) else None
    if isinstance(paths, list) and any(str(p).endswith(".npy") for p in paths):  # token files, not an eval set
        return "olmo"
    return None
