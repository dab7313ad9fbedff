"""The text pytest shows for a failing mixlint item."""

from __future__ import annotations

from ..kinds import Finding
from ..outcomes import LOAD_RULE, Result
from .tables import comparison_table, format_value
from .text import one_line

# Past these, the failure text says how many more there are (the JSON report has every one).
SHOWN_FINDINGS = 20
SHOWN_SOURCES = 10


def explain(result: Result) -> str:
    """Each line is one line whatever the names in it hold (report/text.one_line)."""
    if result.rule == LOAD_RULE:
        return "\n".join(map(one_line, _explain_load_error(result)))
    lines = [f"{result.where()}: {result.message}"]
    if len(result.findings) > 1:
        lines += _finding_lines(result)
    elif result.findings and result.findings[0].hint:
        lines.append(f"  hint: {result.findings[0].hint}")
    if result.sources:
        more = len(result.sources) - SHOWN_SOURCES
        lines.append(f"  sources: {', '.join(result.sources[:SHOWN_SOURCES])}" + (f" and {more} more" if more > 0 else ""))
    if result.observed is not None and result.threshold is not None:
        lines.append(f"  observed {format_value(result.observed, result.unit)}, "
                     f"threshold {format_value(result.threshold, result.unit)}")
    if result.why:
        lines.append(f"  why: {result.why}")
    lines.append(f"  rule: {result.rule} (kind {result.kind}, severity {result.severity}) from {result.origin}")
    lines = [one_line(line) for line in lines]
    if result.comparison is not None:  # its cells are one line each already
        lines += ["", *(f"  {line}".rstrip() for line in comparison_table(result.comparison, "simple", one_line).splitlines())]
    return "\n".join(lines)


def _explain_load_error(result: Result) -> list[str]:
    # The first line is what pytest's short summary shows: the reason, not just that it failed.
    first = result.findings[0].message if result.findings else "cannot be read"
    more = f" (and {len(result.findings) - 1} more)" if len(result.findings) > 1 else ""
    return [f"{result.where()}: cannot be checked: {first}{more}"] + _finding_lines(result)


def _finding_lines(result: Result) -> list[str]:
    lines = [_finding_line(result, f) for f in result.findings[:SHOWN_FINDINGS]]
    more = len(result.findings) - SHOWN_FINDINGS
    if more > 0:
        lines.append(f"  ... and {more} more (--mixlint-report=FILE.json lists every one)")
    return lines


def _finding_line(result: Result, finding: Finding) -> str:
    path = finding.path or result.path
    where = f"{path}:{finding.line}" if finding.line else path
    hint = f" (hint: {finding.hint})" if finding.hint else ""
    return f"  {finding.level}: {where}: {finding.message}{hint}"
