"""The text pytest shows for a failing mixlint item."""

from __future__ import annotations

from ..outcomes import LOAD_RULE, Result
from .tables import format_value


def explain(result: Result) -> str:
    if result.rule == LOAD_RULE:
        return _explain_load_error(result)
    lines = [f"{result.where()}: {result.message}"]
    if len(result.findings) > 1:
        lines += [_finding_line(result, f) for f in result.findings]
    elif result.findings and result.findings[0].hint:
        lines.append(f"  hint: {result.findings[0].hint}")
    if result.sources:
        lines.append(f"  sources: {', '.join(result.sources)}")
    if result.observed is not None and result.threshold is not None:
        lines.append(f"  observed {format_value(result.observed, result.unit)}, "
                     f"threshold {format_value(result.threshold, result.unit)}")
    if result.why:
        lines.append(f"  why: {result.why}")
    lines.append(f"  rule: {result.rule} (kind {result.kind}, severity {result.severity}) from {result.origin}")
    return "\n".join(lines)


def _explain_load_error(result: Result) -> str:
    return "\n".join([f"{result.path}: cannot be checked"] + [_finding_line(result, f) for f in result.findings])


def _finding_line(result: Result, finding) -> str:  # type: ignore[no-untyped-def]
    path = finding.path or result.path
    where = f"{path}:{finding.line}" if finding.line else path
    hint = f" (hint: {finding.hint})" if finding.hint else ""
    return f"  {finding.level}: {where}: {finding.message}{hint}"
