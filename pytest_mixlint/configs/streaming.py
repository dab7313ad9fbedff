"""llm-foundry / MosaicML Streaming: ``train_loader.dataset.streams``.

Each stream (a mapping of name to settings, or a list) gives at most one of ``proportion`` (a
relative weight), ``repeat`` (a multiple of the stream's own samples) or ``choose`` (samples per
epoch), and all streams use the same scheme: proportions, or repeat/choose, or none (each stream
in its natural proportion, by size). Sizes are the sample counts of a stream's MDS
``index.json`` (the sum of its shards' ``samples``) when its ``local`` copy is here; without
them, repeat, choose and natural proportions give unknown shares (never an even split).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from ..access import FileAccess
from ..documents.syntax import Parsed, read_text
from ..problems import MixlintError, Problem
from .blends import Blend, BlendEntry, parse_number
from .interpolation import interpolation_in

SCHEMES = ("proportion", "repeat", "choose")


def streams_of(parsed: Parsed) -> tuple[tuple[str | int, ...], Any] | None:
    """Where the streams are: ``train_loader.dataset.streams`` (llm-foundry), else ``dataset.streams``
    or a top-level ``streams``."""
    for prefix in (("train_loader", "dataset"), ("dataset",), ()):
        node: Any = parsed.data
        for key in prefix:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and "streams" in node:
            return (*prefix, "streams"), node["streams"]
    return None


def local_copy(stream: dict[str, Any], split: Any) -> str | None:
    """Where a stream's local copy is: ``local``, and in it the ``split`` (the stream's own, else the
    dataset's) when one is given, as MosaicML Streaming reads ``local/split/index.json``."""
    local = stream.get("local")
    if not isinstance(local, str):
        return None
    split = stream.get("split", split)
    return f"{local.rstrip('/')}/{split}" if isinstance(split, str) and split else local


def dataset_split(parsed: Parsed, where: tuple[str | int, ...]) -> Any:
    """The ``split`` beside the streams (llm-foundry's ``train_loader.dataset.split``)."""
    node: Any = parsed.data
    for key in where[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    return node.get("split") if isinstance(node, dict) else None


def index_samples(local: str, access: FileAccess = FileAccess()) -> int | None:
    """Samples in an MDS dataset directory (its ``index.json``), or None when it is not here (or
    not one the repository may make mixlint read: outside the root, not a regular file)."""
    try:
        index = json.loads(read_text(os.path.join(local, "index.json"), None, access, confined=True))
        return sum(int(shard["samples"]) for shard in index["shards"])
    except (MixlintError, ValueError, KeyError, TypeError):
        return None


def streaming_blend(parsed: Parsed, display: str, base_dir: str,
                    access: FileAccess = FileAccess()) -> tuple[Blend | None, list[Problem]]:
    """The training mix of the streams, or None when the config has none."""
    found = streams_of(parsed)
    if found is None:
        return None, []
    where, streams = found
    problems: list[Problem] = []
    items = list(streams.items()) if isinstance(streams, dict) else list(enumerate(streams)) \
        if isinstance(streams, list) else []
    if not items:
        return None, [Problem(display, parsed.line(where), "streams must be a mapping of name to stream settings")]
    rows = []
    for key, stream in items:
        at = (*where, key)
        if not isinstance(stream, dict):
            problems.append(Problem(display, parsed.line(at), f"stream {key!r} must be a mapping of its settings"))
            continue
        name = str(stream.get("name", key))
        left = next(((field, written) for field in ("local", "remote", *SCHEMES)
                     if (written := interpolation_in(stream.get(field))) is not None), None)
        if left is not None:
            problems.append(Problem(display, parsed.line((*at, left[0])), f"stream {name!r}: {left[0]} is {left[1]}, "
                                    "a value the run is given, not the file",
                                    "give the key it names in the file, or declare the value in the ini "
                                    "(mixlint_variables: NAME = VALUE, for ${oc.env:NAME} or ${NAME})"))
            continue
        given = [s for s in SCHEMES if stream.get(s) is not None]
        if len(given) > 1:
            problems.append(Problem(display, parsed.line(at), f"stream {name!r} gives {' and '.join(given)}",
                                    "a stream gives at most one of proportion, repeat, choose"))
            continue
        value = parse_number(str(stream[given[0]])) if given else None
        if given and (value is None or value < 0 or isinstance(stream[given[0]], bool)):
            problems.append(Problem(display, parsed.line((*at, given[0])), f"stream {name!r}: {given[0]} must be a "
                                    f"number >= 0, not {stream[given[0]]!r}"))
            continue
        local = local_copy(stream, dataset_split(parsed, where))
        samples = index_samples(os.path.join(base_dir, local), access) if local is not None else None
        # Named and described by where the run streams it from (the same on every machine); a
        # local copy is what is measured (configs/measure.py).
        path = str(stream.get("remote") or stream.get("local") or name)
        rows.append(_Stream(name, path, given[0] if given else None, value, samples, parsed.line(at)))
    if "proportion" in {r.scheme for r in rows} and {r.scheme for r in rows} - {"proportion"}:
        return None, problems + [Problem(display, parsed.line(where), "streams mix proportion with repeat or choose "
                                         "(or with streams that give neither)",
                                         "give every stream a proportion, or use repeat/choose on all of them")]
    if problems:
        return None, problems
    amounts = [r.amount for r in rows]
    total = sum(a for a in amounts if a is not None)
    known = None not in amounts and total > 0
    return Blend(tuple(BlendEntry(r.path, (r.amount or 0.0) / total if known else None, 1, r.line, r.name, r.repeat)
                       for r in rows)), problems


@dataclass(frozen=True)
class _Stream:
    name: str
    path: str
    scheme: str | None  # proportion, repeat, choose, or None (natural proportion)
    value: float | None
    samples: int | None  # from the local index.json
    line: int | None

    @property
    def amount(self) -> float | None:
        """What the stream weighs in the mix: its proportion, or its samples per epoch."""
        if self.scheme in ("proportion", "choose"):
            return self.value
        if self.samples is None:  # repeat, or natural: a multiple of samples we do not know
            return None
        return self.samples * (1.0 if self.value is None else self.value)

    @property
    def repeat(self) -> float | None:
        """How many times an epoch reads the stream's data, when the config and its size tell."""
        if self.scheme == "repeat":
            return self.value
        if self.scheme == "choose" and self.value is not None and self.samples:
            return self.value / self.samples
        return None
