"""Megatron-LM and NeMo blends, wherever a run keeps them.

- a launch script: ``--data-path`` (or ``--train-data-path``) ``W P W P ...``, read statically
  (shell.py); ``--data-args-path FILE`` names a file holding that list; ``--per-split-data-args-path
  FILE`` a JSON ``{"train": [...] | "W P ...", "valid": ..., "test": ...}``;
- a YAML config (NeMo launcher, Megatron's YAML arguments): ``data_prefix`` (a list, or a mapping
  with ``train``/``validation``/``test``), ``data_path`` or ``train_data_path``;
- a blend JSON: ``{"datasets": [{"name", "path", "weight"}]}``.

Only the training split is the training mix. What the script cannot say without running (an
unset variable, a command substitution, a blend assigned in a branch) is a located problem
naming the construct and the fix. Nothing is executed.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from typing import Any

from ..access import FileAccess
from ..documents.syntax import Parsed, read_text
from ..problems import MixlintError, Problem
from .blends import Blend, BlendEntry, BlendError, parse_blend, parse_number, parse_split_blend, weighted_blend
from .interpolation import interpolation_in
from .shell import FlagValue, read_script

DATA_FLAGS = ("--data-path", "--train-data-path")
SPLIT_FLAGS = ("--train-weighted-split-paths",)  # bigcode's Megatron: "TRAIN: W START:END PREFIX, ..."
FILE_FLAGS = ("--data-args-path", "--per-split-data-args-path")
TRAIN_SPLITS = ("train", "training")


def script_blend(text: str, display: str, base_dir: str, known: dict[str, str] | None = None,
                 access: FileAccess = FileAccess()) -> tuple[Blend | None, list[Problem]]:
    """The training blend of a launch script, or None when it passes no data flag."""
    script = read_script(text, known)
    values = script.flag_values(*DATA_FLAGS, *SPLIT_FLAGS)
    files = script.flag_values(*FILE_FLAGS)
    problems: list[Problem] = []
    sourced = "".join(f" (the script sources {file} at line {line}, which is not read)" for line, file in script.sourced[:1])
    for value in [*values, *files]:
        # Read from a string (bash -c "$CMD", eval): where its unknowns stood is lost, so each one
        # might be in the blend; declaring them (or writing the string out) is the way out.
        for unresolved in dict.fromkeys((*value.unresolved, *value.command_unknown)):
            said = unresolved.construct + (sourced if unresolved.never_set else "")
            problems.append(Problem(display, unresolved.line, f"{value.flag}: {said}", unresolved.hint))
        if not value.words:  # --data-path --split ...: what stood there is unknown, or nothing was
            unknown = value.unresolved or value.flag_unresolved or value.command_unknown
            what = "; ".join(dict.fromkeys(u.construct for u in unknown))
            problems.append(Problem(display, value.line, f"{value.flag} is given no value" + (f" ({what})" if what else ""),
                                    unknown[0].hint if unknown else "give the blend: W P W P ..."))
        if value.inline:
            problems.append(Problem(display, value.line, f"{value.flag}={value.words[0].text} gives the flag one value; "
                                    f"the {len(value.words) - 1} words after it are no flag's (argparse refuses them)",
                                    f"write {value.flag} {' '.join(w.text for w in value.words[:4])} ..."))
    if problems:
        return None, problems
    blends = [_from_words(value, display, problems) for value in values]
    blends += [_from_file(value, display, base_dir, problems, access) for value in files]
    for value in values + files:  # which branch runs is decided when the script runs
        if value.conditional:
            problems.append(Problem(display, value.line, f"{value.flag} is passed {value.conditional}",
                                    "pass the blend outside the block, or write it in a mixture manifest"))
    found = [b for b in blends if b is not None]
    if len(found) > 1:
        lines = ", ".join(str(v.line) for v in [*values, *files])
        problems.append(Problem(display, (values or files)[-1].line, f"the script passes a blend {len(found)} times "
                                f"(lines {lines}): which one a run uses depends on how it is launched",
                                "keep one, or write the blend in a manifest"))
    if problems:
        return None, problems
    return (found[0] if found else None), problems


def _from_words(value: FlagValue, display: str, problems: list[Problem]) -> Blend | None:
    if value.unresolved:
        return None
    try:
        if value.flag in SPLIT_FLAGS:
            splits = parse_split_blend(" ".join(w.text for w in value.words))
            if "train" not in splits:
                raise BlendError("no TRAIN: split")
            return splits["train"]
        blend = parse_blend([w.text for w in value.words], value.line)
        # Each path at the line it is written on (a blend continued over several lines).
        lines: dict[str, int | None] = {}
        for word in value.words:
            lines.setdefault(word.text, word.line)
        return Blend(tuple(replace(e, line=lines.get(e.path) or e.line) for e in blend.entries))
    except BlendError as exc:
        problems.append(Problem(display, value.line, f"{value.flag}: {exc}"))
        return None


def _from_file(value: FlagValue, display: str, base_dir: str, problems: list[Problem], access: FileAccess) -> Blend | None:
    if value.unresolved or len(value.words) != 1:
        if not value.unresolved:
            problems.append(Problem(display, value.line, f"{value.flag} takes one file"))
        return None
    path = os.path.join(base_dir, value.words[0].text)
    try:  # a repository's file: inside the root, a regular file, bounded (no FIFO, no /etc/passwd)
        text = read_text(path, value.words[0].text, access, confined=True)
    except MixlintError as exc:
        problems.append(Problem(display, value.line, f"{value.flag} {value.words[0].text}: {exc.problems[0].message}",
                                "the path is relative to the script's directory"))
        return None
    if value.flag == "--data-args-path":  # the W P W P list, as it would be on the command line
        try:
            return parse_blend(text.split(), value.line)
        except BlendError as exc:
            problems.append(Problem(display, value.line, f"{value.words[0].text}: {exc}"))
            return None
    try:
        splits = json.loads(text)
    except ValueError as exc:
        problems.append(Problem(display, value.line, f"{value.words[0].text} is not JSON: {exc}"))
        return None
    train = next((splits[k] for k in TRAIN_SPLITS if isinstance(splits, dict) and k in splits), None)
    if train is None:
        problems.append(Problem(display, value.line, f"{value.words[0].text} has no train split",
                                'write {"train": [...], "valid": [...], "test": [...]}'))
        return None
    try:
        return parse_blend(train.split() if isinstance(train, str) else [str(w) for w in train], value.line)
    except BlendError as exc:
        problems.append(Problem(display, value.line, f"{value.words[0].text}: {exc}"))
        return None


def config_blend(parsed: Parsed, display: str) -> tuple[Blend | None, list[Problem]]:
    """The training blend of a YAML or JSON config: NeMo ``data_prefix``, ``data_path``, or a blend
    JSON's ``datasets``; None when it has none."""
    data = parsed.data if isinstance(parsed.data, dict) else {}
    node, where = find_key(data, ("data_prefix", "data_path", "train_data_path"))
    if node is not None:
        if isinstance(node, dict):  # {train: [...], validation: [...], test: [...]}
            key = next((k for k in TRAIN_SPLITS if k in node), None)
            if key is None:
                return None, [Problem(display, parsed.line(where), f"{where[-1]} has no train split")]
            node, where = node[key], (*where, key)
        words = node.split() if isinstance(node, str) else node if isinstance(node, list) else None
        if words is None:
            return None, [Problem(display, parsed.line(where), f"{where[-1]} must be a list: weight, path, weight, ...")]
        interpolated = next(((i, found) for i, w in enumerate(words) if (found := interpolation_in(w))), None)
        if interpolated is not None:  # OmegaConf fills ${data_dir} or ${oc.env:HOME} when the run starts
            at = (*where, interpolated[0]) if isinstance(node, list) else where
            return None, [Problem(display, parsed.line(at), f"{interpolated[1]}: a value the run is given, not the file",
                                  "declare it in the ini (mixlint_variables: data_dir = /lustre/data for ${data_dir}), "
                                  "or write the path out in the config")]
        try:
            blend = parse_blend([str(w) for w in words], parsed.line(where))
        except BlendError as exc:
            return None, [Problem(display, parsed.line(where), f"{where[-1]}: {exc}")]
        # Each path at its own line (a list written one item per line).
        return Blend(tuple(_at_line(entry, parsed, where, words) for entry in blend.entries)), []
    datasets = data.get("datasets")
    if isinstance(datasets, list) and datasets and all(isinstance(d, dict) and "path" in d for d in datasets):
        rows = []
        for i, entry in enumerate(datasets):
            weight = parse_number(str(entry.get("weight", ""))) if "weight" in entry else None
            if "weight" in entry and weight is None:
                return None, [Problem(display, parsed.line(("datasets", i, "weight")), "a weight must be a number")]
            rows.append((str(entry["path"]), weight, parsed.line(("datasets", i)), entry.get("name")))
        try:
            blend = weighted_blend([(p, w, line) for p, w, line, _ in rows]) if all(r[1] is not None for r in rows) \
                else parse_blend([p for p, *_ in rows])
        except BlendError as exc:
            return None, [Problem(display, parsed.line(("datasets",)), str(exc))]
        names = {p: n for p, _, _, n in rows if isinstance(n, str)}
        return Blend(tuple(BlendEntry(e.path, e.weight, e.listed, e.line, names.get(e.path), e.repeat)
                           for e in blend.entries)), []
    return None, []


def find_key(node: Any, keys: tuple[str, ...]) -> tuple[Any, tuple[str | int, ...]]:
    """The first of ``keys`` at the top level or under ``model.data`` / ``data`` (NeMo's nesting)."""
    for prefix in ((), ("data",), ("model", "data")):
        current = node
        for key in prefix:
            current = current.get(key) if isinstance(current, dict) else None
        if isinstance(current, dict):
            for key in keys:
                if key in current:
                    return current[key], (*prefix, key)
    return None, ()


def _at_line(entry: BlendEntry, parsed: Parsed, where: tuple[str | int, ...], words: list[Any]) -> BlendEntry:
    index = next((i for i, w in enumerate(words) if str(w) == entry.path), None)
    line = parsed.line((*where, index)) if index is not None else entry.line
    return BlendEntry(entry.path, entry.weight, entry.listed, line or entry.line, entry.name, entry.repeat)
