"""``license-mix``: licences are declared, valid, allowed, and within share limits per category.

Options: ``require_license`` (default true: a source without a licence is a finding; it counts
as ``unknown`` either way), ``allow`` and ``deny`` (licence categories such as
``non-commercial``, or licence ids such as ``CC-BY-NC-4.0``; an id in ``deny`` denies every
expression that names it, ``allow`` passes an expression whose category or every id is
allowed), ``max_share`` (per category, e.g. ``{unknown: 1%}``), ``by``, ``with_epochs``.

```yaml
- id: commercial-licenses
  kind: license-mix
  deny: [non-commercial, proprietary]
  max_share: {unknown: 1%}
```
"""

from __future__ import annotations

from collections import defaultdict

from ..documents import Document
from ..license_terms import LicenseTerms, license_matches
from ..licenses import CATEGORIES, LicenseCategory
from ..mixture import Basis, Source
from ..quantities import Fraction, format_share
from ._bounds import Bounds
from ._shares import basis_label, shares_or_error
from .base import Evaluation, Finding, KindOptions


class Options(KindOptions):
    require_license: bool = True
    allow: LicenseTerms | None = None
    deny: LicenseTerms | None = None
    max_share: dict[LicenseCategory, Fraction] = {}
    by: Basis | None = None
    with_epochs: bool = False



_NO_LICENSE_HINT = {
    "manifest": "add `license:` (an SPDX expression or Hub licence id)",
    "card": "add `license:` to the card's front matter (a Hub licence id such as cc-by-4.0, or an SPDX expression)",
    "config": "describe the source's data paths in the catalogue (mixlint.catalog.yaml) with a `license:`",
}


def _who(group: list[Source]) -> str:
    if len(group) == 1:
        return f"source {group[0].name!r}"
    names = ", ".join(repr(s.name) for s in group[:3])
    return f"{len(group)} sources ({names}{', ...' if len(group) > 3 else ''})"


def _describe(source: Source) -> str:
    return f"licence {source.license.expression or source.license.declared!r} ({source.license.category})"


def check(document: Document, options: Options) -> Evaluation:
    evaluation = Evaluation()
    sources = document.mixture.sources
    if not sources:
        evaluation.skipped = "the document declares no sources"
        return evaluation
    # Sources that share a licence problem written on one line (a card's `license:` applies to
    # every config) are one finding there, not one per source.
    problems: dict[tuple[str, int | None, str | None], list[Source]] = defaultdict(list)
    for source in sources:
        info = source.license
        line = source.license_line or source.line
        if info.error:
            problems[(f"invalid licence: {info.error}", line, None)].append(source)
        elif info.declared is None and options.require_license:
            problems[("no licence declared", line, _NO_LICENSE_HINT[document.kind])].append(source)
        elif options.deny and license_matches(info, options.deny, every_id=False):
            problems[(f"{_describe(source)} is denied", line, None)].append(source)
        elif options.allow is not None and not license_matches(info, options.allow, every_id=True):
            problems[(f"{_describe(source)} is not allowed (allowed: {', '.join(options.allow)})", line, None)].append(source)
    for (message, line, hint), group in problems.items():
        evaluation.findings.append(Finding("error", f"{_who(group)}: {message}", line, tuple(s.name for s in group), hint=hint))
    category_names: dict[str, list[str]] = defaultdict(list)
    for source in sources:
        category_names[source.license.category].append(source.name)
    if options.max_share:
        shares = _category_shares(document, category_names, options)
        if isinstance(shares, Evaluation):
            return shares
        basis = basis_label(document, options.by, options.with_epochs)
        for category in CATEGORIES:
            if category not in options.max_share:
                continue
            limit, share = options.max_share[category], shares[category]
            names = category_names.get(category, [])
            if evaluation.observed is None or share - limit > (evaluation.observed - (evaluation.threshold or 0)):
                evaluation.observed, evaluation.threshold, evaluation.unit = share, limit, "share"
            if breach := Bounds("share", {"max": limit}).judge(share):
                lines = [document.source_line(n) for n in names]
                evaluation.findings.append(breach.finding(
                    f"{category} licences are {format_share(share)} of the mixture (by {basis}), {breach.says('more than')}",
                    next((ln for ln in lines if ln), None), tuple(names), share))
    evaluation.summary = ", ".join(f"{c}: {len(category_names[c])}" for c in CATEGORIES if category_names.get(c))
    return evaluation


def _category_shares(document: Document, category_names: dict[str, list[str]],
                     options: Options) -> dict[str, float] | Evaluation:
    """The share of each licence category. A category with no source is 0% and one with every
    source 100% whatever the amounts, so a card whose configs declare no sizes (all under the
    card's one licence) still gets a verdict."""
    total = len(document.mixture.sources)
    if all(len(category_names.get(c, [])) in (0, total) for c in options.max_share):
        return {c: (1.0 if len(category_names.get(c, [])) == total else 0.0) for c in CATEGORIES}
    shares = shares_or_error(document, options.by, options.with_epochs)
    if isinstance(shares, Evaluation):
        return shares
    return {c: sum(shares[n] for n in category_names.get(c, [])) for c in CATEGORIES}
