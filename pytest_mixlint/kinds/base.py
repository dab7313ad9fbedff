"""What every rule kind returns: an Evaluation made of Findings. Pure data, no pytest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from ..comparison import Comparison

Level = Literal["error", "warning"]
# What an observed value and its threshold measure, so that every report prints them in their
# unit: a share (a fraction, shown as a percentage), a count (of sources, findings, documents),
# a ratio (bytes per token), epochs; None for a plain number (a sum of weights).
UnitName = Literal["share", "count", "ratio", "epochs"]
Unit = UnitName | None
UNITS: tuple[str, ...] = get_args(UnitName)


class KindOptions(BaseModel):
    """Base of every kind's options model: unknown options are errors (typos get a hint)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a document. ``sources`` are the names of the sources it is about
    (empty: the document as a whole); ``observed``/``threshold`` are in ``unit``."""

    level: Level
    message: str
    line: int | None = None
    sources: tuple[str, ...] = ()
    observed: float | None = None
    threshold: float | None = None
    hint: str | None = None
    path: str | None = None  # when the finding is in another file than the document (a data file)
    unit: Unit = None


@dataclass
class Evaluation:
    """The result of checking one document against one rule.

    ``observed``/``threshold`` are the rule's headline numbers in ``unit`` (e.g. the code share
    and the minimum), reported even when the rule passes. ``sources`` lists the sources behind
    the headline number as the user should read them (``github 4.5%``). ``skipped`` says why the
    rule does not apply; ``error`` why it could not be evaluated (e.g. shares are not computable).
    """

    findings: list[Finding] = field(default_factory=list)
    observed: float | None = None
    threshold: float | None = None
    unit: Unit = None
    summary: str = ""
    skipped: str | None = None
    error: str | None = None
    error_line: int | None = None
    sources: tuple[str, ...] = ()
    comparison: Comparison | None = None  # a before/after table every report shows (kind compare)
