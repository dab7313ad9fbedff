"""``diversity``: no single source dominates, and there are enough effective sources.

The effective number of sources is exp(Shannon entropy) of the shares (the Hill number of order
1): N equal sources give N, one dominant source gives close to 1. Options: ``by``,
``with_epochs``, ``max_source_share``, ``warn_source_share``, ``min_effective_sources``,
``warn_effective_sources``.

```yaml
- id: no-dominant-source
  kind: diversity
  max_source_share: 80%
  min_effective_sources: 3
```
"""

from __future__ import annotations

import math

from pydantic import model_validator

from ..documents import Document
from ..mixture import Basis
from ..quantities import Fraction, Real, format_number, format_share
from ._shares import basis_label, shares_or_error
from .base import Evaluation, Finding, KindOptions


class Options(KindOptions):
    by: Basis | None = None
    with_epochs: bool = False
    max_source_share: Fraction | None = None
    warn_source_share: Fraction | None = None
    min_effective_sources: Real | None = None
    warn_effective_sources: Real | None = None

    @model_validator(mode="after")
    def _something(self) -> Options:
        if all(v is None for v in (self.max_source_share, self.warn_source_share,
                                   self.min_effective_sources, self.warn_effective_sources)):
            raise ValueError("give max_source_share and/or min_effective_sources (or their warn_ levels)")
        return self


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
    if options.max_source_share is not None or options.warn_source_share is not None:
        evaluation.observed, evaluation.threshold = top_share, options.max_source_share or options.warn_source_share
        evaluation.unit = "share"
        if options.max_source_share is not None and top_share > options.max_source_share:
            evaluation.findings.append(Finding("error", f"source {top_name!r} is {format_share(top_share)} of the mixture "
                                               f"(by {basis}), more than {format_share(options.max_source_share)}",
                                               line, (top_name,), top_share, options.max_source_share, unit="share"))
        elif options.warn_source_share is not None and top_share > options.warn_source_share:
            evaluation.findings.append(Finding("warning", f"source {top_name!r} is {format_share(top_share)} of the mixture "
                                               f"(by {basis}), above the warning level {format_share(options.warn_source_share)}",
                                               line, (top_name,), top_share, options.warn_source_share, unit="share"))
    if options.min_effective_sources is not None or options.warn_effective_sources is not None:
        if evaluation.observed is None:
            evaluation.observed, evaluation.unit = effective, "count"
            evaluation.threshold = options.min_effective_sources or options.warn_effective_sources
        if options.min_effective_sources is not None and effective < options.min_effective_sources - 1e-9:
            evaluation.findings.append(Finding("error", f"{format_number(effective)} effective sources (by {basis}), "
                                               f"fewer than {options.min_effective_sources:g}",
                                               document.line("sources"), observed=effective,
                                               threshold=options.min_effective_sources, unit="count"))
        elif options.warn_effective_sources is not None and effective < options.warn_effective_sources - 1e-9:
            evaluation.findings.append(Finding("warning", f"{format_number(effective)} effective sources (by {basis}), "
                                               f"below the warning level {options.warn_effective_sources:g}",
                                               document.line("sources"), observed=effective,
                                               threshold=options.warn_effective_sources, unit="count"))
    return evaluation
