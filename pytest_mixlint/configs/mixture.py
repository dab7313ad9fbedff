"""A config's blend as the mixture model every rule reads.

Each blend entry becomes a source, named (in this order) by the catalogue entry that describes
its path, the config's own name for it (a stream's key, a mix file's label), or the fewest
trailing directories of its path that tell it apart. Entries that get the same name (one source
spread over several directories, or shards of one source) are one source: their weights add up
and its data files are all of their paths. Domains, licences and languages come from the
catalogue (else the domain patterns guess from the name); a source the catalogue does not
describe has no licence (``unknown``), so a licence rule says so instead of passing.

A weighted blend is a mixture on the ``weight`` basis (the weights are sampling proportions). An
unweighted one has no shares until the data is measured: its sources have no weight, and rules
that need shares say so. How many times a run reads a source (a path listed twice, a stream's
``repeat``, a ``_shadow00``-style copy of its directory in a list without weights) is its ``epochs``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domains import DomainPatterns
from ..licenses import classify_license
from ..mixture import Mixture, Source
from .blends import Blend, is_copy, source_names
from .catalogue import CatalogEntry


@dataclass
class _Merged:
    """The entries that became one source."""

    weight: float | None
    paths: list[str]
    times: float  # reads per epoch: the most any of its entries is read
    line: int | None
    catalogued: CatalogEntry | None
    copies: float = 0.0  # reads of _shadow00-style copies of its data, on top of ``times``


def blend_mixture(blend: Blend, name: str | None, described: dict[str, CatalogEntry] | None = None,
                  domains: DomainPatterns | None = None) -> Mixture:
    described = described or {}
    domains = domains or DomainPatterns()
    from_paths = source_names([e.path for e in blend.entries])
    merged: dict[str, _Merged] = {}
    for entry in blend.entries:
        catalogued = described.get(entry.path)
        source = (catalogued.name if catalogued and catalogued.name else None) or entry.name or from_paths[entry.path]
        # A path listed twice in a list without weights is read twice; in a weighted blend its
        # weights add up (0.1 P five times is 0.5 P), which is no repetition.
        times = entry.repeat if entry.repeat is not None else float(entry.listed) if entry.weight is None else 1.0
        # A copy of a source's data (books_shadow00/) in a list without weights reads it once more.
        copy = times if entry.weight is None and is_copy(entry.path) else 0.0
        if source not in merged:
            merged[source] = _Merged(entry.weight, [entry.path], 0.0 if copy else times, entry.line, catalogued, copy)
            continue
        row = merged[source]
        row.weight = None if row.weight is None or entry.weight is None else row.weight + entry.weight
        row.paths.append(entry.path)
        if copy:
            row.copies += copy
        else:
            row.times = max(row.times, times)
    sources = []
    for source, row in merged.items():
        licence = row.catalogued.license if row.catalogued else None
        sources.append(Source(
            name=source,
            license=classify_license(list(licence) if licence else None),
            domain=(row.catalogued.domain if row.catalogued else None) or domains.domain_of(source),
            weight=row.weight,
            epochs=row.times + row.copies if row.times + row.copies != 1.0 else None,
            languages=row.catalogued.languages if row.catalogued else (),
            data_files=tuple(row.paths),
            line=row.line,  # its licence findings too: the catalogue's line is in another file
        ))
    return Mixture(name, sources, "weight" if blend.weighted else None)
