"""``share``: the share of the selected sources is within bounds (no source selected: 0).

Options: ``select`` (which sources), ``by`` (weight | tokens | bytes | documents; default the
document's basis), ``with_epochs`` (multiply corpus amounts by epochs: what training sees),
``min``/``max`` (errors), ``warn_below``/``warn_above`` (warnings, inside the error levels:
``min`` <= ``warn_below``, ``warn_above`` <= ``max``). Bounds are fractions: ``0.05`` or ``5%``;
a share at a bound passes. A mixture with no selected source has a share of 0.

```yaml
- id: min-code-share
  kind: share
  select: {domain: code}
  min: 5%
  warn_below: 8%
```
"""

from __future__ import annotations

from typing import Annotated

from ..documents import Document
from ..mixture import Basis, Source
from ..quantities import Fraction, format_share
from ..select import Selector
from ._bounds import BoundedOptions, Breach, Quantity
from ._shares import basis_label, shares_or_error
from .base import Evaluation, Finding

SHARE = Quantity("share")


class Options(BoundedOptions):
    select: Selector
    by: Basis | None = None
    with_epochs: bool = False
    min: Annotated[Fraction | None, SHARE.min] = None
    max: Annotated[Fraction | None, SHARE.max] = None
    warn_below: Annotated[Fraction | None, SHARE.warn_below] = None
    warn_above: Annotated[Fraction | None, SHARE.warn_above] = None


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
    bounds = options.bounds(SHARE)
    evaluation = Evaluation(observed=share if not undecided else None, threshold=bounds.headline,
                            summary=what + (f" ({_who(undecided)} no domain)" if undecided else ""), sources=names,
                            unit="share")
    # Not sure: the undecided sources could move the share across the bound.
    breach = bounds.judge(share, high)
    if breach is None:
        return evaluation
    evaluation.threshold = breach.threshold
    if not breach.sure:
        return _undecided(evaluation, breach, label, share, high, undecided, basis)
    evaluation.findings.append(breach.finding(f"{what} is {breach.says()}", line, tuple(s.name for s in ranked),
                                              evaluation.observed))
    return evaluation


def _undecided(evaluation: Evaluation, breach: Breach, label: str, low: float, high: float, undecided: list[Source],
               basis: str) -> Evaluation:
    """The verdict depends on sources whose domain is unknown: say which, and how to declare it."""
    message = (f"cannot tell the {label} share against {breach.shown}: it is between {format_share(low)} and "
               f"{format_share(high)} (by {basis}), as {_who(undecided)} no domain")
    hint = (f"give each source a `domain:`; for a dataset card, map its config names with the mixlint_domains ini "
            f"option (`{undecided[0].name} = web`) or declare the sources in an embedded `mixlint:` manifest")
    if breach.level == "error":
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
