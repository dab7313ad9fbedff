"""``measured``: the declared composition agrees with the data files.

The plugin scans the document's data files (``data_files`` of each source, or ``scan:`` shards
split by ``group_by``; a card's configs) and compares, per source, the declared share with the
measured share. Options: ``by`` (``bytes`` default, ``documents``, or ``tokens``, which needs a
tokenizer: ``mixlint_tokenizer`` or the manifest's ``scan.tokenizer``), ``tolerance`` (largest
allowed difference in share, absolute: ``2%`` means 10% declared may measure 8-12%),
``warn_tolerance`` (a warning above it; at most ``tolerance``), ``select`` (which sources;
default all). The declared share is on ``by`` when every source declares it, else on the
document's basis (a manifest's weights are compared with what the data holds).

```yaml
- id: declared-matches-data
  kind: measured
  by: tokens
  tolerance: 2%
```

Estimated token counts carry their ~95% error bound, relative to the count, into the message
(``token count estimated ±0.3%``); the tolerance is applied to the estimate itself.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from ..documents import Document
from ..mixture import ShareError, Source
from ..quantities import Fraction, format_share
from ..select import Selector
from ._bounds import BoundedOptions, Quantity
from ._shares import shares_or_error
from .base import Evaluation, Finding

MEASURES_DATA = True  # the document's data files are scanned before check() runs
DIFFERENCE = Quantity("share")  # between a source's declared and measured share


class Options(BoundedOptions):
    by: Literal["bytes", "documents", "tokens"] = "bytes"
    tolerance: Annotated[Fraction, DIFFERENCE.max] = 0.02
    warn_tolerance: Annotated[Fraction | None, DIFFERENCE.warn_above] = None
    select: Selector | None = None


def check(document: Document, options: Options) -> Evaluation:
    measured = document.measured
    if measured is None or not measured.sources:
        return Evaluation(skipped="no data files to measure (give sources data_files, or scan.data_files)")
    if options.by == "tokens" and any(s.tokens is None for s in measured.sources):
        return Evaluation(error="by: tokens needs a tokenizer to count the measured tokens: set mixlint_tokenizer "
                                "(ini) or scan.tokenizer (manifest) to a local tokenizer.json", error_line=document.scan.line)
    declared_basis = options.by if all(s.amount(options.by) is not None for s in document.mixture.sources) else None
    declared = shares_or_error(document, declared_basis, with_epochs=False)
    if isinstance(declared, Evaluation):
        return declared
    try:
        observed = measured.shares(options.by)
    except ShareError as exc:  # e.g. every data file is empty
        return Evaluation(error=f"cannot compute the measured shares by {options.by}: {exc}", error_line=document.scan.line)
    basis = declared_basis or document.mixture.basis
    bounds = options.bounds(DIFFERENCE)
    evaluation = Evaluation(threshold=bounds.headline, unit="share",
                            summary=f"declared (by {basis}) vs measured (by {options.by})")
    largest = 0.0
    # The largest disagreement first: it is the headline of the failure.
    ranked = sorted(document.mixture.sources,
                    key=lambda s: -abs(declared[s.name] - observed[s.name]) if s.name in observed else -2.0)
    measured_by_name = {s.name: s for s in measured.sources}
    for source in ranked:
        if options.select is not None and not options.select.matches(source):
            continue
        if source.name not in observed:
            evaluation.findings.append(Finding("error", f"source {source.name!r} has no measured data", source.line,
                                               (source.name,), hint="give it data_files, or map a group_by value to it"))
            continue
        delta = abs(declared[source.name] - observed[source.name])
        largest = max(largest, delta)
        estimate = _bound(measured_by_name[source.name], options.by)
        text = (f"source {source.name!r}: declared {format_share(declared[source.name])} (by {basis}), "
                f"measured {format_share(observed[source.name])} (by {options.by}{estimate})")
        if breach := bounds.judge(delta):
            evaluation.findings.append(breach.finding(f"{text}, more than {breach.shown} apart", source.line,
                                                      (source.name,), delta))
    for group, documents in document.unmapped_groups.items():
        evaluation.findings.append(Finding("warning", f"{documents:,} documents have group value {group!r}, "
                                           "which names no source", document.scan.line,
                                           hint="list the value in a source's `groups:`"))
    evaluation.observed = largest
    return evaluation


def _bound(measured: Source, by: str) -> str:
    """``, token count estimated ±0.4%`` for sampled token counts (the bound is on the count, not
    on the share)."""
    error = measured.tokens_relative_error if by == "tokens" else None
    if not error:
        return ""
    return ", token count estimated, unbounded" if math.isinf(error) else f", token count estimated ±{error:.1%}"
