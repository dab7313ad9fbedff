"""``diversity``: no single source dominates, and there are enough effective sources (exp of the
Shannon entropy of the shares).

The effective number of sources is exp(Shannon entropy) of the shares (the Hill number of order
1): N equal sources give N, one dominant source gives close to 1. Options: ``by``,
``with_epochs``, ``max_source_share`` (error above) and ``warn_source_share`` (warning above, at
most ``max_source_share``), ``min_effective_sources`` (error below) and
``warn_effective_sources`` (warning below, at least ``min_effective_sources``); at least one of
these four.

```yaml
- id: no-dominant-source
  kind: diversity
  max_source_share: 80%
  min_effective_sources: 3
```
"""

from __future__ import annotations

import math
from typing import Annotated

from ..documents import Document
from ..mixture import Basis
from ..quantities import Fraction, Real, format_number, format_share
from ._bounds import BoundedOptions, Quantity
from ._shares import basis_label, shares_or_error
from .base import Evaluation

LARGEST = Quantity("share")  # the largest source's share
EFFECTIVE = Quantity("count")  # the effective number of sources


class Options(BoundedOptions):
    by: Basis | None = None
    with_epochs: bool = False
    max_source_share: Annotated[Fraction | None, LARGEST.max] = None
    warn_source_share: Annotated[Fraction | None, LARGEST.warn_above] = None
    min_effective_sources: Annotated[Real | None, EFFECTIVE.min] = None
    warn_effective_sources: Annotated[Real | None, EFFECTIVE.warn_below] = None


def effective_sources(shares: list[float]) -> float:
    entropy = -math.fsum(p * math.log(p) for p in shares if p > 0)
    return math.exp(entropy)


def check(document: Document, options: Options) -> Evaluation:
    shares = shares_or_error(document, options.by, options.with_epochs)
    if isinstance(shares, Evaluation):
        return shares
    basis = basis_label(document, options.by, options.with_epochs)
    top_name, top_share = max(shares.items(), key=lambda kv: kv[1])
    effective = effective_sources(list(shares.values()))
    line = document.source_line(top_name)
    evaluation = Evaluation(summary=f"largest source {top_name!r} {format_share(top_share)}, "
                                    f"{format_number(effective)} effective sources (by {basis})",
                            # the whole distribution is behind both numbers: every source, largest first
                            sources=tuple(f"{name} {format_share(share)}"
                                          for name, share in sorted(shares.items(), key=lambda kv: -kv[1])))
    top_bounds, effective_bounds = options.bounds(LARGEST), options.bounds(EFFECTIVE)
    if top_bounds.levels:
        evaluation.observed, evaluation.threshold, evaluation.unit = top_share, top_bounds.headline, "share"
        if breach := top_bounds.judge(top_share):
            evaluation.findings.append(breach.finding(f"source {top_name!r} is {format_share(top_share)} of the mixture "
                                                      f"(by {basis}), {breach.says('more than')}", line, (top_name,), top_share))
    if effective_bounds.levels:
        if evaluation.observed is None:
            evaluation.observed, evaluation.threshold, evaluation.unit = effective, effective_bounds.headline, "count"
        if breach := effective_bounds.judge(effective):
            evaluation.findings.append(breach.finding(f"{format_number(effective)} effective sources (by {basis}), "
                                                      f"{breach.says('fewer than')}", document.line("sources"),
                                                      observed=effective))
    return evaluation
