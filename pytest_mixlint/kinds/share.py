"""``share``: the share of the selected sources is within bounds.

Options: ``select`` (which sources), ``by`` (weight | tokens | bytes | documents; default the
document's basis), ``with_epochs`` (multiply corpus amounts by epochs: what training sees),
``min``/``max`` (errors), ``warn_below``/``warn_above`` (warnings). Bounds are fractions:
``0.05`` or ``5%``. A mixture with no selected source has a share of 0.

```yaml
- id: min-code-share
  kind: share
  select: {domain: code}
  min: 5%
  warn_below: 8%
```
"""

from __future__ import annotations

from pydantic import model_validator

from ..documents import Document
from ..mixture import Basis, Source
from ..quantities import Fraction, format_share
from ..select import Selector
from ._shares import basis_label, shares_or_error
from .base import Evaluation, Finding, KindOptions


class Options(KindOptions):
    select: Selector
    by: Basis | None = None
    with_epochs: bool = False
    min: Fraction | None = None
    max: Fraction | None = None
    warn_below: Fraction | None = None
    warn_above: Fraction | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Options:
        if all(v is None for v in (self.min, self.max, self.warn_below, self.warn_above)):
            raise ValueError("give at least one of min, max, warn_below, warn_above")
        low = [v for v in (self.min, self.warn_below) if v is not None]
        high = [v for v in (self.max, self.warn_above) if v is not None]
        if low and high and max(low) > min(high):
            raise ValueError("the lower bounds (min, warn_below) must not exceed the upper ones (max, warn_above)")
        if self.min is not None and self.warn_below is not None and self.warn_below < self.min:
            raise ValueError("warn_below must be at least min (the warning comes before the error)")
        if self.max is not None and self.warn_above is not None and self.warn_above > self.max:
            raise ValueError("warn_above must be at most max (the warning comes before the error)")
        return self


def check(document: Document, options: Options) -> Evaluation:
    shares = shares_or_error(document, options.by, options.with_epochs)
    if isinstance(shares, Evaluation):
        return shares
    answers = {s.name: options.select.match(s) for s in document.mixture.sources}
    selected = [s for s in document.mixture.sources if answers[s.name] is True]
    # Sources the selector cannot decide (no domain): the share lies between low and high.
    undecided = [s for s in document.mixture.sources if answers[s.name] is None]
    share = sum(shares[s.name] for s in selected)
    high = share + sum(shares[s.name] for s in undecided)
    ranked = sorted(selected, key=lambda s: -shares[s.name])
    names = tuple(f"{s.name} {format_share(shares[s.name])}" for s in ranked)
    label = options.select.describe()
    basis = basis_label(document, options.by, options.with_epochs)
    line = ranked[0].line if ranked else document.line("sources")
    # With undecided sources the share is a range: say so, and report no single observed number.
    amount = format_share(share) if not undecided else f"between {format_share(share)} and {format_share(high)}"
    what = f"{label} share {amount} (by {basis})"
    evaluation = Evaluation(observed=share if not undecided else None,
                            threshold=next(v for v in (options.min, options.max, options.warn_below,
                                                       options.warn_above) if v is not None),
                            summary=what + (f" ({_who(undecided)} no domain)" if undecided else ""), sources=names,
                            unit="share")
    # (level, bound, surely violated, perhaps violated, relation): "perhaps" when the undecided
    # sources could move the share across the bound.
    checks = (("error", options.min, high < (options.min or 0), share < (options.min or 0), "below"),
              ("error", options.max, options.max is not None and share > options.max,
               options.max is not None and high > options.max, "above"),
              ("warning", options.warn_below, high < (options.warn_below or 0), share < (options.warn_below or 0),
               "below the warning level"),
              ("warning", options.warn_above, options.warn_above is not None and share > options.warn_above,
               options.warn_above is not None and high > options.warn_above, "above the warning level"))
    for level, bound, surely, perhaps, relation in checks:
        if bound is None or not perhaps:
            continue
        if not surely:
            return _undecided(evaluation, level, label, share, high, bound, undecided, basis)
        evaluation.threshold = bound
        evaluation.findings.append(Finding(level, f"{what} is {relation} {format_share(bound)}",  # type: ignore[arg-type]
                                           line, tuple(s.name for s in ranked), evaluation.observed, bound, unit="share"))
        break
    return evaluation


def _undecided(evaluation: Evaluation, level: str, label: str, low: float, high: float, bound: float,
               undecided: list[Source], basis: str) -> Evaluation:
    """The verdict depends on sources whose domain is unknown: say which, and how to declare it."""
    message = (f"cannot tell the {label} share against {format_share(bound)}: it is between {format_share(low)} and "
               f"{format_share(high)} (by {basis}), as {_who(undecided)} no domain")
    hint = (f"give each source a `domain:`; for a dataset card, map its config names with the mixlint_domains ini "
            f"option (`{undecided[0].name} = web`) or declare the sources in an embedded `mixlint:` manifest")
    evaluation.threshold = bound
    if level == "error":
        evaluation.error, evaluation.error_line = f"{message} ({hint})", undecided[0].line
        evaluation.sources = tuple(s.name for s in undecided)
    else:
        evaluation.findings.append(Finding("warning", message, undecided[0].line, tuple(s.name for s in undecided),
                                           hint=hint))
    return evaluation


def _who(sources: list[Source]) -> str:
    """``'en', 'fr' have`` / ``'default' has``."""
    names = ", ".join(repr(s.name) for s in sources[:5]) + (f" and {len(sources) - 5} more" if len(sources) > 5 else "")
    return f"{names} {'has' if len(sources) == 1 else 'have'}"
