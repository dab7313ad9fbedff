"""Dolma mixer configs and DCLM tokenized-dataset JSON: which sources, and how often.

- Dolma's mixer: ``streams``, each with a ``name`` and ``documents`` globs (plus attributes and
  filters that select within them). It says which data goes in, not in what proportion: the
  shares need the data's sizes. A glob listed twice in a stream is read twice.
- DCLM: a tokenized-dataset JSON lists its ``sources`` (``{uuid, name}``); a source listed twice
  is upsampled 2x. ``num_tokens`` is the total only, so the shares need the sources' sizes too;
  a ``sampling_yaml`` (per-group sampling frequencies) is not read yet, and says so.
"""

from __future__ import annotations

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
    notes = []
    if data.get("sampling_yaml"):
        notes.append(Problem(display, parsed.line(("sampling_yaml",)), "sampling_yaml is not read yet: the shares "
                             "ignore its sampling frequencies", "write the mix as a manifest (mixlint import) and "
                             "give the frequencies as weights"))
    blend = unweighted_blend(names)
    return Blend(tuple(BlendEntry(e.path, None, e.listed, e.line, e.path) for e in blend.entries)), notes
