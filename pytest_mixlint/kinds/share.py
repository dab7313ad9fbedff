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
from ..mixture import Basis
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
    selected = [s for s in document.mixture.sources if options.select.matches(s)]
    share = sum(shares[s.name] for s in selected)
    ranked = sorted(selected, key=lambda s: -shares[s.name])
    names = tuple(f"{s.name} {format_share(shares[s.name])}" for s in ranked)
    label = options.select.describe()
    basis = basis_label(document, options.by, options.with_epochs)
    line = ranked[0].line if ranked else document.line("sources")
    what = f"{label} share {format_share(share)} (by {basis})"
    evaluation = Evaluation(observed=share, threshold=next(v for v in (options.min, options.max, options.warn_below,
                                                                          options.warn_above) if v is not None),
                            summary=what, sources=names, unit="share")
    checks = (("error", options.min, share < (options.min or 0), "below"),
              ("error", options.max, options.max is not None and share > options.max, "above"),
              ("warning", options.warn_below, share < (options.warn_below or 0), "below the warning level"),
              ("warning", options.warn_above, options.warn_above is not None and share > options.warn_above,
               "above the warning level"))
    for level, bound, violated, relation in checks:
        if bound is not None and violated:
            evaluation.threshold = bound
            evaluation.findings.append(Finding(level, f"{what} is {relation} {format_share(bound)}",  # type: ignore[arg-type]
                                               line, tuple(s.name for s in ranked), share, bound, unit="share"))
            break
    return evaluation
