"""The source catalogue: what training configs do not say about their data.

A config names data paths and weights; rules need names, domains and licences. The catalogue
(``mixlint.catalog.yaml``) is a list of entries, each matching data paths by glob and saying
what they are::

    - {match: "*/starcoder/*", name: starcoder, domain: code, license: other, card: cards/starcoder/README.md}
    - match: ["s3://corpus/web/*", "/lustre/web/*"]
      name: web
      domain: web
      license: ODC-By-1.0
      languages: [en]

A ``match`` glob is matched against the whole path or URL, case-insensitively, and its ``*``
crosses ``/`` (``*/starcoder/*`` matches ``s3://bucket/starcoder/part-0.npy``). The first entry
that matches a path describes it (a catch-all ``*`` at the end is a fallback); a path that a
second entry also matches is noted at that entry's line. An entry that matches no data path is
found per run (``unused``): one config may use only some of a shared catalogue's entries, so the
run reports the entries none of the configs it checked used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..access import FileAccess
from ..coercion import NonEmpty, SomeStrings
from ..documents.syntax import parse_text, read_text, syntax_of
from ..documents.validation import problems_from
from ..domains import check_domain
from ..paths import name_matches
from ..problems import MixlintError, Problem

DEFAULT_FILE = "mixlint.catalog.yaml"


class EntryModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match: SomeStrings
    name: NonEmpty | None = None
    domain: NonEmpty | None = None
    license: SomeStrings | None = None
    languages: SomeStrings | None = None
    card: NonEmpty | None = None

    @field_validator("domain")
    @classmethod
    def _known_domain(cls, value: str | None) -> str | None:
        return check_domain(value) if value is not None else None


@dataclass(frozen=True)
class CatalogEntry:
    patterns: tuple[str, ...]
    name: str | None
    domain: str | None
    license: tuple[str, ...] | None
    languages: tuple[str, ...]
    card: str | None
    line: int | None

    def matches(self, path: str) -> bool:
        return any(name_matches(path, pattern) for pattern in self.patterns)

    @property
    def catch_all(self) -> bool:
        """Matches every path (``*``, ``**``): a fallback for what the entries before it do not describe."""
        return all(set(pattern) <= {"*", "/"} for pattern in self.patterns)


@dataclass(frozen=True)
class Catalogue:
    display: str
    entries: tuple[CatalogEntry, ...]

    def describe(self, paths: Sequence[str]) -> tuple[dict[str, CatalogEntry], list[Problem]]:
        """The entry that describes each path: the first that matches it (a catch-all ``*`` at
        the end is a fallback); and the paths two entries claim, when the second is no catch-all
        (a note: the first one describes it)."""
        described: dict[str, CatalogEntry] = {}
        problems: list[Problem] = []
        for path in dict.fromkeys(paths):
            claims = [entry for entry in self.entries if entry.matches(path)]
            if claims:
                described[path] = claims[0]
            overlapping = [entry for entry in claims[1:] if not entry.catch_all]
            if overlapping:
                first, second = claims[0], overlapping[0]
                problems.append(Problem(self.display, second.line, f"{path} is also matched by the entry at line "
                                        f"{second.line}; the first match (line {first.line}) describes it",
                                        "make the match patterns exclusive"))
        return described, problems

    def unused(self, paths: Sequence[str]) -> list[CatalogEntry]:
        """The entries that match none of ``paths``."""
        return [entry for entry in self.entries if not any(entry.matches(path) for path in paths)]


def load_catalogue(path: str, display: str, access: FileAccess = FileAccess()) -> Catalogue:
    """Raises MixlintError with every located problem."""
    parsed = parse_text(read_text(path, display, access, confined=access.holds(path)), display, syntax_of(path))
    if parsed.data is None:
        return Catalogue(display, ())
    if not isinstance(parsed.data, list):
        raise MixlintError(Problem(display, parsed.line(()), "a catalogue is a list of entries",
                                   "- {match: '*/starcoder/*', name: starcoder, domain: code, license: other}"))
    models, problems = [], []
    for i, raw in enumerate(parsed.data):  # entry by entry: errors name the entry's own keys
        try:
            models.append(EntryModel.model_validate(raw))
        except ValidationError as exc:
            problems += problems_from(exc, parsed, display, EntryModel, prefix=(i,))
    if problems:
        raise MixlintError(problems)
    entries = tuple(CatalogEntry(tuple(e.match), e.name, e.domain, tuple(e.license) if e.license else None,
                                 tuple(e.languages or ()), e.card, parsed.line((i,)))
                    for i, e in enumerate(models))
    return Catalogue(display, entries)
