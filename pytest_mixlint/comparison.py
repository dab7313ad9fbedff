"""Two mixtures side by side: each source's (or group's) share before and after.

One function, :func:`compare`, serves the ``compare`` rule kind and ``mixlint diff``, so that a
rule's before/after table and the command's are the same numbers. Shares are of the whole
mixture on one basis; ``select`` only chooses which rows are shown and judged. A source or group
present on one side only is a change: ``added`` (its whole share is the change) or ``removed``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from .mixture import BASES, Basis, Mixture, ShareError, Source
from .select import Selector

GroupBy = Literal["name", "domain", "license_category"]
ROW_NOUN: dict[GroupBy, tuple[str, str]] = {"name": ("source", "sources"), "domain": ("domain", "domains"),
                                            "license_category": ("licence category", "licence categories")}
Status = Literal["added", "removed", "changed", "same"]
NO_DOMAIN = "(no domain)"


@dataclass(frozen=True)
class Change:
    """One row of a comparison: a source, domain or licence category, and its share on each side
    (None where it is absent); ``delta`` is after minus before (0.02: two share points)."""

    group: str
    before: float | None
    after: float | None
    delta: float
    status: Status

    @classmethod
    def of(cls, group: str, before: float | None, after: float | None) -> Change:
        delta = round((after or 0.0) - (before or 0.0), 12)  # 0.78 - 0.8 is -0.02, not -0.0200000000000000178
        if before is None or after is None:
            status: Status = "added" if before is None else "removed"
        else:
            status = "same" if math.isclose(before, after, rel_tol=1e-9, abs_tol=1e-12) else "changed"
        return cls(group, before, after, delta, status)

    @property
    def relative(self) -> float:
        """The change relative to the share before (infinite for an added group)."""
        if not self.before:
            return 0.0 if not self.after else math.inf
        return abs(self.delta) / self.before


def points(delta: float, signed: bool = False, near: float | None = None) -> str:
    """A change in share points: ``+5.0 pt``; with a second decimal where one would hide it (a
    change of 0.02 points, or 2.05 against a bound of 2.0: ``near``)."""
    sign = "+" if signed else ""
    shown = f"{delta * 100:{sign}.1f}"
    if (delta and abs(delta * 100) < 0.05) or (near is not None and f"{abs(delta) * 100:.1f}" == f"{near * 100:.1f}"):
        shown = f"{delta * 100:{sign}.2f}" if abs(delta * 100) >= 0.005 else f"{delta * 100:{sign}.2g}"
    return f"{shown} pt"


@dataclass(frozen=True)
class Comparison:
    """Before and after, as every report shows them: labels of both sides, the basis of the
    shares, what a row is, and the rows, the largest change first."""

    before: str
    after: str
    basis: str  # a basis, or "tokens -> weight" when the sides have none in common
    group_by: GroupBy
    changes: tuple[Change, ...]

    @property
    def changed(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.status != "same")


def group_of(source: Source, group_by: GroupBy) -> str:
    if group_by == "domain":
        return source.domain or NO_DOMAIN
    if group_by == "license_category":
        return source.license.category
    return source.name


def common_basis(before: Mixture, after: Mixture, by: Basis | None = None) -> Basis:
    """``by``, or the first basis on which both sides have shares: the after side's own, the
    before side's, then weight, tokens, bytes, documents. Raises ShareError naming what each
    side has when there is none."""
    candidates = [by] if by else list(dict.fromkeys([after.basis, before.basis, *BASES]))
    reasons = []
    for basis in candidates:
        try:
            before.shares(basis)
            after.shares(basis)
            return basis
        except ShareError as exc:
            reasons.append(str(exc))
    if by:
        raise ShareError(f"no shares by {by}: {reasons[0]}")
    has = [", ".join(b for b in BASES if m.sources and all(s.amount(b) is not None for s in m.sources)) or "no sizes"
           for m in (before, after)]
    raise ShareError(f"no basis in common to compare shares on: before has {has[0]}; after has {has[1]}")


def compare(before: Mixture, after: Mixture, labels: tuple[str, str], by: Basis | None = None,
            group_by: GroupBy = "name", select: Selector | None = None, with_epochs: bool = False) -> Comparison:
    """Each group's share of the whole mixture before and after (raises ShareError when the
    shares cannot be computed on a common basis)."""
    try:
        bases: tuple[Basis, Basis] = (common_basis(before, after, by),) * 2
    except ShareError:
        if by is not None:
            raise
        # No basis in common (a sampling recipe by weight against a corpus by tokens): each side
        # on its own basis, as its authors wrote it; the title says so.
        bases = (before.basis, after.basis)
    sides = []
    for mixture, basis in zip((before, after), bases, strict=True):
        shares = mixture.shares(basis, with_epochs)
        grouped: dict[str, float] = {}
        for source in mixture.sources:
            if select is None or select.matches(source):
                key = group_of(source, group_by)
                grouped[key] = grouped.get(key, 0.0) + shares[source.name]
        sides.append(grouped)
    names = list(dict.fromkeys([*sides[0], *sides[1]]))
    changes = sorted((Change.of(name, sides[0].get(name), sides[1].get(name)) for name in names),
                     key=lambda c: (-abs(c.delta), c.group))
    shown = bases[0] if bases[0] == bases[1] else f"{bases[0]} -> {bases[1]}"
    return Comparison(labels[0], labels[1], shown, group_by, tuple(changes))
