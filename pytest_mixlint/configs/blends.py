"""Megatron-style blends: ``W1 P1 W2 P2 ...`` lists, as flags, NeMo ``data_prefix`` lists or
per-split JSON, into weighted data paths with unique source names.

A blend is a flat list of weights and data prefixes (a prefix is the path without
``.bin``/``.idx``); weights are relative sample weights, normalised here. A list of odd length,
or one whose "weights" are not numbers, is a list of prefixes without weights: its shares need
the data's sizes and stay unknown until measured (never an even split). Numbers come as real
files write them: ``.0333``, ``1e11`` token counts, percentages summing to 100, totals such as
0.9991 or 766.95.

A prefix named twice is read twice (an intended 2x upsampling, or an accidental duplicate among
hundreds of shards): its weights add up and the entry says how many times it is listed, so that
a reader can report it. Names come from the paths: the shortest run of trailing directories
that tells every prefix apart, without the ``_text_document``-style suffixes that thousands of
prefixes share.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

# Basenames that name nothing: the suffix Megatron's preprocessing appends to every output.
_GENERIC_SUFFIXES = ("_text_document", "_content_document", "_document", "_text_sentence")
_GENERIC_NAMES = {"standard", "splits", "train", "data", "text", "content", "document", "tokenized"}


class BlendError(ValueError):
    """A blend that cannot be read as written (the message names the token and the fix);
    ``key``: the config key it is about, when a reader knows it (for its line)."""

    def __init__(self, message: str, key: str | tuple[str | int, ...] | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class BlendEntry:
    path: str
    weight: float | None  # normalised within the blend; None: an unweighted list
    listed: int = 1  # how many times the blend names this path (2: read twice)
    line: int | None = None  # where the path is written (its first mention)
    name: str | None = None  # the config's own name for it (a stream's key); None: from the path
    repeat: float | None = None  # times the run reads its data per epoch, when the config says


@dataclass(frozen=True)
class Blend:
    entries: tuple[BlendEntry, ...]

    @property
    def weighted(self) -> bool:
        return all(e.weight is not None for e in self.entries)


def parse_number(text: str) -> float | None:
    """``0.3``, ``.0333``, ``1e11``, ``3`` (a trailing space or comma tolerated); None if not a number."""
    try:
        value = float(text.strip().rstrip(","))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_blend(words: Sequence[str], line: int | None = None) -> Blend:
    """A ``W P W P ...`` list (or a list of prefixes) as a normalised blend. Raises BlendError for
    a weight that is negative, or weights that are all zero."""
    words = [w for w in (w.strip().rstrip(",") for w in words) if w]
    spaced = next((w for w in words if any(c.isspace() for c in w)), None)
    if spaced is not None:  # "0.5 a 0.5 b" quoted in the script: the trainer gets one path with spaces
        raise BlendError(f"{spaced!r} is one word holding spaces: the trainer would read it as one path "
                         "(is the blend quoted in the script?)")
    percent = next(((w, n) for w in words if w.endswith("%") and (n := parse_number(w[:-1])) is not None), None)
    if percent is not None:  # Megatron reads weights with float(): "50%" would be a prefix
        raise BlendError(f"{percent[0]!r} is not a weight Megatron reads: write a number ({percent[1]:g} or "
                         f"{percent[1] / 100:g})")
    if not words or parse_number(words[0]) is None:
        if any(parse_number(w) is not None for w in words):
            raise BlendError(f"{next(w for w in words if parse_number(w) is not None)!r} looks like a weight in a "
                             "list of paths: give a weight before every path, or none")
        return unweighted_blend([(word, line) for word in words])
    # Weights: the list is WEIGHT PATH pairs.
    if len(words) % 2:  # Megatron would take every word for a prefix, the weights too
        raise BlendError(f"{len(words)} words: weights and paths must pair up (Megatron would read an odd list as "
                         "prefixes only, the numbers too)")
    for weight, path in zip(words[0::2], words[1::2], strict=True):
        if parse_number(weight) is None:
            raise BlendError(f"{weight!r} stands where a weight should (before {path!r})")
        if parse_number(path) is not None:
            raise BlendError(f"{path!r} stands where a path should (after the weight {weight})")
    return weighted_blend([(words[i + 1], parse_number(words[i]), line) for i in range(0, len(words), 2)])


def unweighted_blend(entries: Sequence[tuple[str, int | None]]) -> Blend:
    """(path, line) entries of a list without weights: shares unknown until the data is measured."""
    return _merged([(path, None, line) for path, line in entries])


def weighted_blend(entries: Sequence[tuple[str, float | None, int | None]]) -> Blend:
    """(path, relative weight, line) entries normalised. Raises BlendError for a negative weight or
    weights that are all zero."""
    for path, weight, _ in entries:
        if weight is not None and weight < 0:
            raise BlendError(f"the weight of {path} is negative ({weight:g})")
    total = math.fsum(w for _, w, _ in entries if w is not None)
    if total <= 0:
        raise BlendError("every weight of the blend is 0: no data would be read")
    return _merged([(path, (weight or 0.0) / total, line) for path, weight, line in entries])


def parse_split_blend(text: str) -> dict[str, Blend]:
    """The bigcode weighted-split form ``"TRAIN: 0.5 0:1 /a, 0.5 0:1 /b"`` (a weight, a range of
    the dataset, a prefix per item): one blend per split name."""
    blends: dict[str, Blend] = {}
    for part in re.split(r"\s*(?=\b[A-Z]+\s*:)", text.strip().strip('"\'')):
        if not part.strip():
            continue
        split, _, items = part.partition(":")
        words: list[str] = []
        for item in items.split(","):
            fields = item.split()
            if len(fields) != 3:
                raise BlendError(f"{item.strip()!r} in split {split.strip()} is not 'WEIGHT START:END PREFIX'")
            words += [fields[0], fields[2]]
        blends[split.strip().lower()] = parse_blend(words)
    return blends


def _merged(entries: Sequence[tuple[str, float | None, int | None]]) -> Blend:
    """Entries by path: a path listed twice is one entry, read twice (weights added)."""
    merged: dict[str, BlendEntry] = {}
    for path, weight, line in entries:
        if path in merged:
            old = merged[path]
            total = None if old.weight is None or weight is None else old.weight + weight
            merged[path] = BlendEntry(path, total, old.listed + 1, old.line)
        else:
            merged[path] = BlendEntry(path, weight, 1, line)
    return Blend(tuple(merged.values()))


def source_names(paths: Sequence[str]) -> dict[str, str]:
    """A readable name per path: its last directory components, as few as tell it apart from the
    other paths, without what every Megatron prefix shares (``/data/pile/arxiv_text_document`` is
    ``arxiv``; ``/a/v1/standard`` and ``/a/v2/standard`` are ``v1`` and ``v2``) or what shards of
    one source differ by (``books/part-0-00000.npy`` and ``books/part-1-00000.npy`` are both
    ``books``: one source), or what marks a copy (``books_shadow00/part-0.npy`` is ``books``)."""
    parts = {path: tuple(_meaningful_parts(path)) for path in paths}
    distinct = set(parts.values())
    names = {}
    for own in distinct:
        depth = 1  # the fewest trailing components that no other source ends with
        while depth < len(own) and any(other[-depth:] == own[-depth:] for other in distinct if other != own):
            depth += 1
        names[own] = "/".join(own[-depth:])
    return {path: names[own] for path, own in parts.items()}


_SHADOW = re.compile(r"_shadow\d+$", re.IGNORECASE)  # a physical copy made to read a source again


def is_copy(path: str) -> bool:
    """Is ``path`` in a ``_shadow00``-style copy of a directory (an upsampling by copying)?"""
    return any(_SHADOW.search(part) for part in path.replace("\\", "/").split("/"))


_SHARD = re.compile(r"(part|shard|chunk|split)?[-_.]?\d+([-_.]\d+)*", re.IGNORECASE)
_DATA_SUFFIXES = (".npy", ".bin", ".idx", ".jsonl", ".json", ".gz", ".zst", ".parquet", ".mds", ".arrow")


def _meaningful_parts(path: str) -> list[str]:
    """The path's components without the generic ones (a ``_text_document`` suffix, ``standard``,
    a data file's extension, a shard's number: ``books/part-0-00000.npy`` is ``books``)."""
    parts = [p for p in posixpath.normpath(path.replace("\\", "/")).split("/")
             if p not in ("", ".", "..") and not p.endswith(":")]  # s3: https:
    if parts:
        last = parts[-1]
        while last.lower().endswith(_DATA_SUFFIXES):
            last = last[: last.rfind(".")]
        parts[-1] = last
        if len(parts) > 1 and _SHARD.fullmatch(last):
            parts = parts[:-1]
    cleaned = []
    for part in parts:
        part = _SHADOW.sub("", part)  # a copy is named as what it copies
        suffix = next((s for s in _GENERIC_SUFFIXES if part.endswith(s)), "")
        part = part[: len(part) - len(suffix)]
        if part and part.lower() not in _GENERIC_NAMES:
            cleaned.append(part)
    return cleaned or parts[-1:]
