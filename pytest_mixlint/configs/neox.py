"""GPT-NeoX configs: ``train-data-paths`` with ``train-data-weights``.

The files are YAML in name and JSON in style, with ``#`` comments, single quotes and trailing
commas (the project's YAML reader takes all of that, with lines). Hyphen and underscore spellings
of a key are aliases, and real files have both side by side: they must agree. Without
``train-data-weights`` NeoX weighs every path 1.0 (its arguments do), so the paths have equal
weights. With ``weight-by-num-documents`` the weights come from document counts at run time, so
the shares are unknown until the data is measured.
"""

from __future__ import annotations

from typing import Any

from ..documents.syntax import Parsed
from ..problems import Problem
from .blends import Blend, BlendError, parse_number, unweighted_blend, weighted_blend


def _key(parsed: Parsed, display: str, name: str, problems: list[Problem]) -> tuple[str | None, Any]:
    """The value of ``name`` in either spelling (``train-data-paths``, ``train_data_paths``), and
    the spelling found; both spellings with different values is a problem."""
    data = parsed.data if isinstance(parsed.data, dict) else {}
    spellings = [s for s in dict.fromkeys((name, name.replace("-", "_"))) if s in data]
    if len(spellings) == 2 and data[spellings[0]] != data[spellings[1]]:
        problems.append(Problem(display, parsed.line((spellings[1],)), f"{spellings[0]!r} and {spellings[1]!r} are "
                                "the same key in GPT-NeoX and say different things", "keep one of them"))
    return (spellings[0], data[spellings[0]]) if spellings else (None, None)


def neox_blend(parsed: Parsed, display: str) -> tuple[Blend | None, list[Problem]]:
    """The training blend of a NeoX config, or None when it names no training data."""
    problems: list[Problem] = []
    paths_key, paths = _key(parsed, display, "train-data-paths", problems)
    weights_key, weights = _key(parsed, display, "train-data-weights", problems)
    if problems:  # two spellings that disagree: NeoX keeps one by its own merge order; say so
        return None, problems
    if paths_key is None:  # one data path: all of the mix
        single_key, single = _key(parsed, display, "data-path", problems)
        if single_key is None or not isinstance(single, str):
            return None, problems
        return weighted_blend([(single, 1.0, parsed.line((single_key,)))]), problems
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        problems.append(Problem(display, parsed.line((paths_key,)), f"{paths_key} must be a list of data paths"))
        return None, problems
    lines = [parsed.line((paths_key, i)) for i in range(len(paths))]
    _, by_documents = _key(parsed, display, "weight-by-num-documents", problems)
    if by_documents is True:  # weights from document counts, at run time
        return unweighted_blend(list(zip(paths, lines, strict=True))), problems
    if weights_key is None:  # NeoX's own default: [1.0] * len(train_data_paths)
        return weighted_blend([(p, 1.0, line) for p, line in zip(paths, lines, strict=True)]), problems
    if not isinstance(weights, list):
        weights = [weights]
    numbers = [None if isinstance(w, bool) else parse_number(str(w)) for w in weights]
    bad = next((i for i, n in enumerate(numbers) if n is None), None)
    if bad is not None:
        problems.append(Problem(display, parsed.line((weights_key, bad)), f"{weights_key}: {weights[bad]!r} "
                                f"(item {bad + 1}) is not a number", "write the weight as a number such as 0.25"))
        return None, problems
    if len(numbers) != len(paths):
        problems.append(Problem(display, parsed.line((weights_key,)), f"{weights_key} holds {len(numbers)} weights for "
                                f"the {len(paths)} paths of {paths_key}", "one weight per path, in the same order"))
        return None, problems
    try:
        return weighted_blend(list(zip(paths, numbers, lines, strict=True))), problems
    except BlendError as exc:
        problems.append(Problem(display, parsed.line((weights_key,)), str(exc)))
        return None, problems
