"""Dolma mixer configs and DCLM tokenized-dataset JSON: which sources, and how often.

- Dolma's mixer: ``streams``, each with a ``name`` and ``documents`` globs (plus attributes and
  filters that select within them). It says which data goes in, not in what proportion: the
  shares need the data's sizes. A glob listed twice in a stream is read twice.
- DCLM: a tokenized-dataset JSON lists its ``sources`` (``{uuid, name}``, or one URL); a source
  listed twice is upsampled 2x. ``num_tokens`` is the total only, so the shares need the sources'
  sizes too. A ``sampling_yaml`` (groups of raw files by path markers, each with a sampling
  frequency applied at tokenization) makes its groups the sources, read that many times.
"""

from __future__ import annotations

from typing import Any

from ..documents.syntax import Parsed
from ..problems import Problem
from .blends import Blend, BlendEntry, unweighted_blend


def dolma_blend(parsed: Parsed, display: str) -> tuple[Blend | None, list[Problem]]:
    streams = parsed.data.get("streams") if isinstance(parsed.data, dict) else None
    if not isinstance(streams, list):
        return None, []
    entries: list[BlendEntry] = []
    problems: list[Problem] = []
    for i, stream in enumerate(streams):
        where: tuple[str | int, ...] = ("streams", i)
        documents = stream.get("documents") if isinstance(stream, dict) else None
        if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents) or not documents:
            problems.append(Problem(display, parsed.line(where), "a stream needs a name and a list of documents globs"))
            continue
        name = str(stream.get("name") or f"stream {i + 1}")
        blend = unweighted_blend([(d, parsed.line((*where, "documents", j))) for j, d in enumerate(documents)])
        entries += [BlendEntry(e.path, None, e.listed, e.line, name) for e in blend.entries]
    return (Blend(tuple(entries)) if entries and not problems else None), problems


def dclm_blend(parsed: Parsed, display: str) -> tuple[Blend | None, list[Problem]]:
    data = parsed.data if isinstance(parsed.data, dict) else {}
    sources = data.get("sources")
    if isinstance(sources, str):  # some datasets name their one source by a URL
        sources = [sources] if sources.strip() else []
    if not isinstance(sources, list):
        return None, []
    names = []
    for i, source in enumerate(sources):
        name = source.get("name") if isinstance(source, dict) else source if isinstance(source, str) else None
        if not isinstance(name, str) or not name:
            return None, [Problem(display, parsed.line(("sources", i)), "a source needs a name")]
        names.append((name, parsed.line(("sources", i))))
    if not names:
        return None, [Problem(display, parsed.line(("sources",)), "the dataset lists no source")]
    sampling = data.get("sampling_yaml")
    if sampling:
        return _sampling_groups(sampling, [n for n, _ in names], parsed, display)
    blend = unweighted_blend(names)
    return Blend(tuple(BlendEntry(e.path, None, e.listed, e.line, e.path) for e in blend.entries)), []


def _sampling_groups(sampling: Any, names: list[str], parsed: Parsed, display: str) -> tuple[Blend | None, list[Problem]]:
    """The composition a ``sampling_yaml`` made: its groups (``sources: [{source, markers}]``), each
    read ``sampling_frequencies[group]`` times (open_lm's tokenize-shuffle copies every context of
    a raw file whose path holds one of the group's markers that many times, the fraction at
    random; 0 drops the group). The groups cut across the dataset's sources (a marker matches
    raw file paths inside them), so they are its sources here; their sizes are not known."""
    where = ("sampling_yaml",)
    form = "write sampling_yaml as {sources: [{source: NAME, markers: [...]}], sampling_frequencies: {NAME: f}}"
    groups = sampling.get("sources") if isinstance(sampling, dict) else None
    frequencies = sampling.get("sampling_frequencies") if isinstance(sampling, dict) else None
    if not isinstance(groups, list) or not isinstance(frequencies, dict):
        return None, [Problem(display, parsed.line(where), "sampling_yaml has no sources list and "
                              "sampling_frequencies mapping", form)]
    entries: list[BlendEntry] = []
    notes: list[Problem] = []
    for i, group in enumerate(groups):
        at = (*where, "sources", i)
        name = group.get("source") if isinstance(group, dict) else None
        markers = group.get("markers") if isinstance(group, dict) else None
        if not isinstance(name, str) or not isinstance(markers, list) or not all(isinstance(m, str) for m in markers):
            return None, [Problem(display, parsed.line(at), "a sampling group needs source (a name) and markers "
                                  "(a list of path fragments)", form)]
        frequency = frequencies.get(name)
        if isinstance(frequency, bool) or not isinstance(frequency, (int, float)) or frequency < 0:
            return None, [Problem(display, parsed.line((*where, "sampling_frequencies")),
                                  f"sampling group {name!r} has no sampling frequency (a number >= 0)", form)]
        if frequency == 0:  # dropped at tokenization: not in the data
            if markers:
                notes.append(Problem(display, parsed.line(at), f"sampling group {name!r} has frequency 0: none of "
                                     "its data is in the tokenized dataset"))
            continue
        entries.append(BlendEntry(markers[0] if markers else name, None, 1, parsed.line(at), name, float(frequency)))
    if not entries:
        return None, [Problem(display, parsed.line(where), "every sampling group has frequency 0: no data is kept")]
    notes.append(Problem(display, parsed.line(where), f"the sources ({', '.join(dict.fromkeys(names))}) are checked as "
                         f"the {len(entries)} sampling groups of sampling_yaml, each read as many times as its "
                         "frequency; their sizes are not in the dataset's JSON"))
    return Blend(tuple(entries)), notes
