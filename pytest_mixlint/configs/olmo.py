"""OLMo and nanotron configs: path lists, mixes, curricula.

- OLMo: ``data.paths`` lists token files, without weights (a path listed twice is read twice);
  shares need the files' sizes. OLMo-core mixes are ``.txt`` files of one path per line,
  optionally ``label,path``, with a ``{TOKENIZER}`` placeholder the run fills in.
- nanotron: ``data_stages``, each ``{name, start_training_step, data: {dataset: ...}}``; a dataset
  is a path, a list (natural proportions, by size), a ``{path: weight}`` mapping, or
  ``dataset_folder`` with ``dataset_weights``. Each stage is its own composition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..documents.syntax import Parsed
from ..problems import Problem
from .blends import Blend, BlendEntry, BlendError, parse_number, unweighted_blend, weighted_blend
from .interpolation import interpolation_in

MIX_BASE_DIR = "MIX_BASE_DIR"  # mixlint_variables: the run's mix_base_dir, before each relative path of a mix
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def olmo_blend(parsed: Parsed, display: str) -> tuple[Blend | None, list[Problem]]:
    """An OLMo config's ``data.paths`` (None when it has none)."""
    data = parsed.data.get("data") if isinstance(parsed.data, dict) else None
    paths = data.get("paths") if isinstance(data, dict) else None
    if paths is None:
        return None, []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        return None, [Problem(display, parsed.line(("data", "paths")), "data.paths must be a list of token files")]
    left = next(((i, found) for i, p in enumerate(paths) if (found := interpolation_in(p))), None)
    if left is not None:
        return None, [Problem(display, parsed.line(("data", "paths", left[0])), f"{left[1]}: a value the run is given, "
                              "not the file", "declare it in the ini (mixlint_variables), or write the path out")]
    return unweighted_blend([(p, parsed.line(("data", "paths", i))) for i, p in enumerate(paths)]), []


def olmo_core_mix(text: str, display: str, known: Mapping[str, str] | None = None) -> tuple[Blend | None, list[Problem]]:
    """An OLMo-core mix file: ``label,path`` or ``path`` lines (``#`` comments, blank lines)."""
    entries: list[tuple[str, int | None]] = []
    labels: dict[str, str] = {}
    missing: dict[str, list[int]] = {}  # placeholder -> the lines that use it
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        label, _, path = line.rpartition(",")
        path = path.strip()
        unknown = [name for name in _PLACEHOLDER.findall(path) if name not in (known or {})]
        for name in unknown:
            missing.setdefault(name, []).append(number)
        if unknown:
            continue
        path = _PLACEHOLDER.sub(lambda m: (known or {})[m.group(1)], path)
        if (known or {}).get(MIX_BASE_DIR) and "://" not in path and not path.startswith("/"):
            path = f"{(known or {})[MIX_BASE_DIR].rstrip('/')}/{path}"  # OLMo-core's mix_base_dir
        entries.append((path, number))
        if label.strip():
            labels[path] = label.strip()
    if missing:  # one problem per placeholder, not one per line
        return None, [Problem(display, lines[0], f"{{{name}}} is filled in by the run ({len(lines)} line"
                              f"{'s' if len(lines) > 1 else ''})",
                              f"declare the value the run uses in the ini (mixlint_variables: {name} = VALUE)")
                      for name, lines in missing.items()]
    if not entries:
        return None, [Problem(display, None, "the mix lists no path")]
    blend = unweighted_blend(entries)
    return Blend(tuple(BlendEntry(e.path, e.weight, e.listed, e.line, labels.get(e.path)) for e in blend.entries)), []


@dataclass(frozen=True)
class Stage:
    """One ``data_stages`` entry: its blend, or why it cannot be read."""

    name: str
    line: int | None
    blend: Blend | None
    problems: tuple[Problem, ...] = ()


def nanotron_stages(parsed: Parsed, display: str) -> list[Stage]:
    """Every ``data_stages`` entry, in order (none when the config has no data_stages). A stage
    that cannot be read keeps its problems, so that the other stages are still checked."""
    stages = parsed.data.get("data_stages") if isinstance(parsed.data, dict) else None
    if not isinstance(stages, list):
        return []
    found: list[Stage] = []
    for i, stage in enumerate(stages):
        where: tuple[str | int, ...] = ("data_stages", i)
        line = parsed.line(where)
        if not isinstance(stage, dict):
            found.append(Stage(f"stage {i + 1}", line, None, (Problem(display, line, "a data stage must be a mapping"),)))
            continue
        name = str(stage.get("name") or f"stage {i + 1}")
        problem = _bad_stage_name(name, [s.name for s in found])
        if problem:  # named by its place: a name that is no node id, or another stage's, names nothing
            found.append(Stage(f"stage {i + 1}", line, None, (Problem(display, parsed.line((*where, "name")), *problem),)))
            continue
        data = stage.get("data") if isinstance(stage.get("data"), dict) else {}
        dataset = data.get("dataset") if isinstance(data, dict) else None
        try:
            blend = _nanotron_dataset(dataset, parsed, (*where, "data", "dataset"))
        except BlendError as exc:
            at = (*where, "data", "dataset", *((exc.key,) if isinstance(exc.key, str) else exc.key or ()))
            found.append(Stage(name, line, None, (Problem(display, parsed.line(at), f"stage {name!r}: {exc}"),)))
            continue
        if blend is None:
            found.append(Stage(name, line, None, (Problem(
                display, line, f"stage {name!r} names no dataset",
                "give data.dataset: a path, a list, {path: weight}, or dataset_folder"),)))
            continue
        found.append(Stage(name, line, blend))
    return found


def _bad_stage_name(name: str, before: list[str]) -> tuple[str, str] | None:
    """Stage names are node ids (``path::stage::rule``) and report keys: unique, without ``::``."""
    if name in before:
        return f"a second stage named {name!r}", "give every stage its own name"
    if "::" in name or not name.isprintable():
        return f"the stage name {name!r} holds '::' or a control character", "rename the stage: it names its checks"
    return None


def _nanotron_dataset(dataset: Any, parsed: Parsed, where: tuple[str | int, ...]) -> Blend | None:
    if not isinstance(dataset, dict):
        return None
    line = parsed.line(where)
    folder = dataset.get("dataset_folder")
    if isinstance(folder, dict):  # {folder: weight}, nanotron's third form
        by_folder = {str(k): parse_number(str(v)) for k, v in folder.items()}
        unweighed = next((k for k, v in by_folder.items() if v is None), None)
        if unweighed is not None:
            raise BlendError(f"the weight of {unweighed} is not a number", "dataset_folder")
        return weighted_blend([(k, v, parsed.line((*where, "dataset_folder", k))) for k, v in by_folder.items()])
    if folder is not None:  # newer configs: folders with weights beside them
        folders = [folder] if isinstance(folder, str) else folder
        if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
            raise BlendError("dataset_folder must be a folder, a list of folders, or {folder: weight}", "dataset_folder")
        weights = dataset.get("dataset_weights")
        if weights is None:
            return unweighted_blend([(str(f), line) for f in folders])
        numbers = [parse_number(str(w)) for w in weights] if isinstance(weights, list) else []
        if None in numbers:
            at = numbers.index(None)
            raise BlendError(f"dataset_weights item {at + 1} ({weights[at]!r}) is not a number",
                             ("dataset_weights", at))
        if len(numbers) != len(folders):
            raise BlendError(f"dataset_weights holds {len(numbers)} weights for the {len(folders)} dataset_folder "
                             "entries", "dataset_weights")
        return weighted_blend([(str(f), w, line) for f, w in zip(folders, numbers, strict=True)])
    source = dataset.get("hf_dataset_or_datasets")
    if isinstance(source, str):
        return weighted_blend([(source, 1.0, line)])
    if isinstance(source, list):  # natural proportions: shares need the sizes
        return unweighted_blend([(str(s), line) for s in source])
    if isinstance(source, dict):
        weights = {str(k): parse_number(str(v)) for k, v in source.items()}
        bad = [k for k, v in weights.items() if v is None]
        if bad:
            raise BlendError(f"the weight of {bad[0]} is not a number", "hf_dataset_or_datasets")
        return weighted_blend([(k, v, parsed.line((*where, "hf_dataset_or_datasets", k))) for k, v in weights.items()])
    return None
