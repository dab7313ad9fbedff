"""The mixture model every document becomes, and its share arithmetic.

A *share* is a fraction in [0, 1] of the whole mixture on one *basis*:

- ``weight``: the sampling proportion (weights are relative and normalised here);
- ``tokens`` / ``bytes`` / ``documents``: the corpus proportion, optionally multiplied by each
  source's ``epochs`` to give what training actually sees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, get_args

from .licenses import LicenseInfo

Basis = Literal["weight", "tokens", "bytes", "documents"]
BASES: tuple[Basis, ...] = get_args(Basis)


@dataclass(frozen=True)
class Source:
    name: str
    license: LicenseInfo
    domain: str | None = None
    weight: float | None = None
    epochs: float | None = None
    bytes: int | None = None
    tokens: int | None = None
    documents: int | None = None
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    data_files: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()  # values of the scan's group_by field counted as this source
    # A dataset card's config without data_files: its data is what the Hub's default patterns
    # find under this directory, relative to the card ("." the repository).
    data_dir: str | None = None
    characters: int | None = None  # measured only
    # Measured tokens are estimated from a sample: half-width of their ~95% interval, relative
    # (0.0 when every document was tokenized).
    tokens_relative_error: float | None = None
    line: int | None = None
    data_files_line: int | None = None  # where its data_files are written (a problem with them is there)
    license_line: int | None = None  # where the licence is written (for a card: its `license:`)
    # Sizes a linked dataset card declares for this source (consistency checks compare them).
    card_bytes: int | None = None
    card_documents: int | None = None

    def amount(self, basis: Basis) -> float | None:
        value = getattr(self, basis)
        return None if value is None else float(value)


class ShareError(ValueError):
    """Shares cannot be computed on a basis (missing amounts, nothing to divide by)."""

    def __init__(self, message: str, sources: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.sources = tuple(sources)


@dataclass
class Mixture:
    name: str | None
    sources: list[Source]
    declared_basis: Basis | None = None
    percent_weights: bool = False  # weights were written as percentages (60%): they should add up to 100%
    _cache: dict[tuple[Basis, bool], dict[str, float]] = field(default_factory=dict, repr=False)

    @property
    def basis(self) -> Basis:
        """The declared basis, else the first basis every source has an amount for."""
        if self.declared_basis:
            return self.declared_basis
        for basis in BASES:
            if self.sources and all(s.amount(basis) is not None for s in self.sources):
                return basis
        return "weight"

    def shares(self, by: Basis | None = None, with_epochs: bool = False) -> dict[str, float]:
        """Share of each source by name; raises ShareError when it is not computable."""
        basis = by or self.basis
        key = (basis, with_epochs)
        if key not in self._cache:
            self._cache[key] = self._compute_shares(basis, with_epochs)
        return self._cache[key]

    def _compute_shares(self, basis: Basis, with_epochs: bool) -> dict[str, float]:
        if not self.sources:
            raise ShareError("the document declares no sources")
        if len(self.sources) == 1 and self.sources[0].amount(basis) != 0:
            # One source is the whole mixture on every basis, declared amounts or not (a card
            # without configs is one source, `default`, as the Hub shows it).
            return {self.sources[0].name: 1.0}
        missing = [s.name for s in self.sources if s.amount(basis) is None]
        if missing:
            raise ShareError(f"{_names(missing)} declare{'s' if len(missing) == 1 else ''} no {basis}", missing)
        if with_epochs:
            no_epochs = [s.name for s in self.sources if s.epochs is None]
            if no_epochs:
                raise ShareError(f"{_names(no_epochs)} declare{'s' if len(no_epochs) == 1 else ''} no epochs",
                                 no_epochs)
        amounts = {s.name: (s.amount(basis) or 0.0) * (s.epochs if with_epochs and s.epochs is not None else 1.0)
                   for s in self.sources}
        total = math.fsum(amounts.values())
        if total <= 0:
            raise ShareError(f"all {basis} amounts are zero")
        return {name: amount / total for name, amount in amounts.items()}


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"{'source' if len(names) == 1 else 'sources'} {shown}{more}"
