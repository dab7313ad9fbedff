"""Error and warning levels, written once for every bounded kind.

A kind marks each bound option with the quantity it bounds and its role::

    SHARE = Quantity("share")

    class Options(BoundedOptions):
        min: Annotated[Fraction | None, SHARE.min] = None                # error below
        warn_below: Annotated[Fraction | None, SHARE.warn_below] = None  # warning below

``BoundedOptions`` validates them: at least one bound is given, no lower bound exceeds an upper
one, a warning level lies inside its error level. ``options.bounds(SHARE).judge(value)`` is the
first bound the value crosses (errors first, then warnings; lower, then upper), as a ``Breach``:
its level, threshold and wording (``below 5.0%``, ``below the warning level 8.0%``), and the
Finding that reports it. Crossing is strict: a value at its bound passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal, Self

from pydantic import BaseModel, model_validator

from ..quantities import format_share
from .base import Finding, KindOptions, Level, Unit

Role = Literal["min", "max", "warn_below", "warn_above"]
Side = Literal["below", "above"]
# The bounds in the order they are judged, with what crossing each one means.
ROLES: dict[Role, tuple[Level, Side]] = {"min": ("error", "below"), "max": ("error", "above"),
                                         "warn_below": ("warning", "below"), "warn_above": ("warning", "above")}
LOWER: tuple[Role, ...] = ("min", "warn_below")
UPPER: tuple[Role, ...] = ("max", "warn_above")
# A value this close to its bound (relatively) is at the bound: float rounding (0.1 + 0.2 > 0.3;
# three equal sources are 2.9999999999999996 effective sources) crosses nothing.
_ROUNDING = 1e-9


def show(value: float, unit: Unit) -> str:
    """A threshold as messages write it: ``5.0%`` for a share, ``4`` or ``2.5`` otherwise."""
    return format_share(value) if unit == "share" else f"{value:g}"


@dataclass(frozen=True, eq=False)  # compared by identity: a kind may bound two quantities in one unit
class Quantity:
    """What a kind bounds, in its unit; its properties mark the options that bound it."""

    unit: Unit

    @property
    def min(self) -> Bound:
        return Bound(self, "min")

    @property
    def max(self) -> Bound:
        return Bound(self, "max")

    @property
    def warn_below(self) -> Bound:
        return Bound(self, "warn_below")

    @property
    def warn_above(self) -> Bound:
        return Bound(self, "warn_above")


@dataclass(frozen=True)
class Bound:
    """``Annotated`` metadata: this option is ``quantity``'s ``role`` bound."""

    quantity: Quantity
    role: Role


@dataclass(frozen=True)
class Breach:
    """A bound the observed value crosses. ``sure`` is false when the value is only known to lie
    in a range that reaches across the bound (the verdict is undecided)."""

    level: Level
    side: Side
    threshold: float
    unit: Unit
    sure: bool = True

    @property
    def shown(self) -> str:
        return show(self.threshold, self.unit)

    def says(self, error_words: str | None = None) -> str:
        """``below 5.0%`` (an error; ``error_words`` replaces below/above: ``more than 4``) or
        ``below the warning level 8.0%``."""
        words = f"{self.side} the warning level" if self.level == "warning" else error_words or self.side
        return f"{words} {self.shown}"

    def finding(self, message: str, line: int | None, sources: tuple[str, ...] = (),
                observed: float | None = None) -> Finding:
        return Finding(self.level, message, line, sources, observed, self.threshold, unit=self.unit)


@dataclass(frozen=True)
class Bounds:
    """The bounds given for one quantity, by role."""

    unit: Unit
    levels: Mapping[Role, float]

    @property
    def headline(self) -> float | None:
        """The threshold a passing result reports: the first bound given, in judging order."""
        return next((self.levels[role] for role in ROLES if role in self.levels), None)

    def judge(self, low: float, high: float | None = None) -> Breach | None:
        """The first bound that ``low`` crosses, or, for a value known only to lie between ``low``
        and ``high``, that the range reaches (``sure`` when all of it crosses)."""
        high = low if high is None else high
        for role, (level, side) in ROLES.items():
            if role not in self.levels:
                continue
            bound = self.levels[role]
            margin = _ROUNDING * abs(bound)
            if side == "below":
                perhaps, surely = low < bound - margin, high < bound - margin
            else:
                perhaps, surely = high > bound + margin, low > bound + margin
            if perhaps:
                return Breach(level, side, bound, self.unit, surely)
        return None


class BoundedOptions(KindOptions):
    """Options with bounds (fields marked with a ``Quantity``'s roles), validated here."""

    def bounds(self, quantity: Quantity) -> Bounds:
        return Bounds(quantity.unit, {bound.role: value for name, bound in _marked(type(self))
                                      if bound.quantity is quantity and (value := getattr(self, name)) is not None})

    @model_validator(mode="after")
    def _valid_bounds(self) -> Self:
        marked = _marked(type(self))
        if marked and all(getattr(self, name) is None for name, _ in marked):
            raise ValueError(f"give at least one of {', '.join(name for name, _ in marked)}")
        for quantity in dict.fromkeys(bound.quantity for _, bound in marked):
            names = {bound.role: name for name, bound in marked if bound.quantity is quantity}
            problem = _problem(self.bounds(quantity), names, self.model_fields_set)
            if problem:
                raise ValueError(problem)
        return self


def _problem(bounds: Bounds, names: Mapping[Role, str], given: set[str]) -> str | None:
    """What is wrong with one quantity's bounds, naming the options (``names``, by role) and
    their values; ``given``: the options the rule writes (the others have their default)."""
    values = bounds.levels

    def said(role: Role) -> str:
        default = "" if names[role] in given else ", its default"
        return f"{names[role]} ({show(values[role], bounds.unit)}{default})"

    def listed(*roles: Role) -> str:
        return ", ".join(names[role] for role in roles if role in names)

    lower, upper = [role for role in LOWER if role in values], [role for role in UPPER if role in values]
    if lower and upper:
        low, high = max(lower, key=values.__getitem__), min(upper, key=values.__getitem__)
        if values[low] > values[high]:
            return (f"{said(low)} exceeds {said(high)}: the lower bounds ({listed(*LOWER)}) must not exceed "
                    f"the upper ones ({listed(*UPPER)})")
    if "min" in values and "warn_below" in values and values["warn_below"] < values["min"]:
        return f"{said('warn_below')} must be at least {said('min')}: the warning comes before the error"
    if "max" in values and "warn_above" in values and values["warn_above"] > values["max"]:
        return f"{said('warn_above')} must be at most {said('max')}: the warning comes before the error"
    return None


@cache
def _marked(options: type[BaseModel]) -> tuple[tuple[str, Bound], ...]:
    """The bound options of a model, in declaration order, with what each bounds."""
    return tuple((name, meta) for name, info in options.model_fields.items() for meta in info.metadata
                 if isinstance(meta, Bound))
