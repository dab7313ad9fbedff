"""``consistency``: the document agrees with itself: its reading notes; weights given for all sources
or none; percent-like weights add up; weights agree with amounts x epochs; bytes per token
plausible; linked card sizes agree.

Checks, each a finding at the line it concerns:

- what was noticed while reading the document (deprecated card keys, a licence nested where
  the Hub does not read it, ``license: other`` without ``license_name``, sizes written as
  strings, a linked card that is missing) — as warnings;
- weights usable: declared for every source or for none;
- weights that look like percentages (they sum to 95-105) or fractions (0.95-1.05) add up to
  100 or 1 within ``sum_tolerance`` (default 0.5%);
- sampling weights agree with the corpus amounts times epochs (tokens, else bytes) within
  ``tolerance`` (relative, default 25%) or ``min_delta`` (absolute share, default 1%);
- bytes per token is plausible (``bytes_per_token``, default [1, 12]);
- sizes declared by a linked card (``card:``) agree with the source's bytes / documents within
  ``tolerance``.

```yaml
- id: consistent-declarations
  kind: consistency
  tolerance: 10%
```
"""

from __future__ import annotations

from pydantic import model_validator

from ..documents import Document
from ..mixture import Basis, ShareError
from ..quantities import Fraction, Real, format_bytes, format_count, format_share
from .base import Evaluation, Finding, KindOptions


class Options(KindOptions):
    tolerance: Fraction = 0.25
    min_delta: Fraction = 0.01
    sum_tolerance: Fraction = 0.005
    bytes_per_token: tuple[Real, Real] = (1.0, 12.0)

    @model_validator(mode="after")
    def _range(self) -> Options:
        low, high = self.bytes_per_token
        if low > high:
            raise ValueError("bytes_per_token is [low, high] with low <= high")
        return self


def check(document: Document, options: Options) -> Evaluation:
    findings = [Finding("warning", note.message, note.line, hint=note.hint) for note in document.notes]
    sources = document.mixture.sources
    if not sources:
        return Evaluation(findings=findings, observed=float(len(findings)), threshold=0.0, unit="count",
                          summary="no sources", skipped=None if findings else "the document declares no sources")
    with_weight = [s for s in sources if s.weight is not None]
    if with_weight and len(with_weight) != len(sources):
        missing = [s for s in sources if s.weight is None]
        findings.append(Finding("error", f"{len(missing)} of {len(sources)} sources declare no weight "
                                f"({', '.join(repr(s.name) for s in missing[:5])})", missing[0].line,
                                tuple(s.name for s in missing), hint="give every source a weight, or none"))
    elif with_weight:
        findings.extend(_weight_sum(document, options))
        findings.extend(_weights_against_amounts(document, options))
    for source in sources:
        if source.bytes and source.tokens:
            ratio = source.bytes / source.tokens
            low, high = options.bytes_per_token
            if not low <= ratio <= high:
                findings.append(Finding("error", f"source {source.name!r}: {ratio:.2f} bytes per token is implausible "
                                        f"(expected {low:g}-{high:g})", source.line, (source.name,), ratio,
                                        low if ratio < low else high, hint="check the units of bytes and tokens",
                                        unit="ratio"))
        for declared, from_card, show in ((source.bytes, source.card_bytes, format_bytes),
                                          (source.documents, source.card_documents, _documents)):
            if declared is not None and from_card is not None and not _close(declared, from_card, options.tolerance):
                findings.append(Finding("error", f"source {source.name!r}: {show(declared)} declared, "
                                        f"its card says {show(from_card)}", source.line, (source.name,)))
    return Evaluation(findings=findings, observed=float(len(findings)), threshold=0.0, unit="count",
                      summary=f"{len(findings)} inconsistenc{'ies' if len(findings) != 1 else 'y'}")


def _documents(count: float) -> str:
    return f"{format_count(count)} documents"


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def _weight_sum(document: Document, options: Options) -> list[Finding]:
    total = sum(s.weight or 0.0 for s in document.mixture.sources)
    line = document.line("sources")
    if document.mixture.percent_weights:  # written as 60%: they mean shares of 100%
        if abs(total - 1.0) > options.sum_tolerance:
            return [Finding("warning", f"weights written as percentages sum to {format_share(total)}, not 100%: they are "
                            "normalised, but one of them may be wrong", line, observed=total, threshold=1.0, unit="share")]
        return []
    for target in (100.0, 1.0):
        if 0.95 * target <= total <= 1.05 * target and abs(total - target) > options.sum_tolerance * target:
            return [Finding("warning", f"weights sum to {total:g}, not {target:g}: they are normalised, "
                            f"but if they are {'percentages' if target == 100 else 'fractions'} one may be wrong",
                            line, observed=total, threshold=target)]
    return []


def _weights_against_amounts(document: Document, options: Options) -> list[Finding]:
    sources = document.mixture.sources
    if any(s.epochs is None for s in sources):
        return []
    basis: Basis = "tokens" if all(s.tokens is not None for s in sources) else "bytes"
    try:
        by_weight = document.mixture.shares("weight")
        seen = document.mixture.shares(basis, with_epochs=True)
    except ShareError:
        return []
    findings = []
    for source in sources:
        expected, declared = seen[source.name], by_weight[source.name]
        delta = abs(expected - declared)
        if delta > options.min_delta and delta > options.tolerance * max(expected, declared):
            findings.append(Finding("error", f"source {source.name!r}: weight gives {format_share(declared)} of samples, "
                                    f"but {basis} x epochs give {format_share(expected)}", source.line, (source.name,),
                                    hint="the weights, epochs or sizes disagree; check the table they came from"))
    return findings
