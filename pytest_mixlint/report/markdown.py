"""The Markdown report (``--mixlint-report=out.md``): for pull-request comments and
``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from ..outcomes import Result
from .record import RunRecord
from .tables import RESULT_HEADERS, composition_headers, composition_rows, result_rows, table
from .text import markdown

_ICON = {"passed": "✅ passed", "failed": "❌ failed", "warned": "⚠️ warned", "error": "💥 error",
         "skipped": "⏭️ skipped", "suppressed": "🔇 suppressed"}


def render(run: RunRecord) -> str:
    """Everything a document, pack or rule says is escaped: a source named with Markdown or HTML
    (a heading, ``<details>``) shows as text and cannot restyle the report."""
    totals = run.totals()
    lines = ["# mixlint report", "",
             " · ".join(f"**{n}** {k}" for k, n in totals.items()), "",
             "Rule packs: " + ", ".join(f"{markdown(p.name)} ({markdown(p.via)})" for p in run.packs), ""]
    for document in run.sorted_documents():
        name = f" — {markdown(document.name)}" if document.name else ""
        lines += [f"## {markdown(document.path)}{name}", ""]
        if document.components:
            rows = [[markdown(cell) for cell in row] for row in composition_rows(document)]
            lines += [table(rows, composition_headers(document), "github"), ""]
        rows = [[markdown(cell) for cell in row] for row in result_rows(document.results, None)]
        for row, result in zip(rows, document.results, strict=True):
            row[1] = _ICON.get(result.outcome, result.outcome)
            row.insert(4, str(result.line or ""))
        if rows:
            lines += [table(rows, RESULT_HEADERS[:4] + ["line"] + RESULT_HEADERS[4:], "github"), ""]
        lines += _findings(document.results)
        lines += [f"> note: {markdown(n)}" for n in document.notes]
        if document.notes:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _findings(results: list[Result]) -> list[str]:
    """Every finding of a result that has more than one (the table shows the first)."""
    lines = []
    for result in results:
        if len(result.findings) > 1 and result.outcome not in ("passed", "skipped"):
            lines.append(f"Findings of {markdown(result.rule)}:")
            lines += [f"- {markdown(f.path or result.path)}" + (f":{f.line}" if f.line else "") + f": {markdown(f.message)}"
                      + (f" (hint: {markdown(f.hint)})" if f.hint else "") for f in result.findings]
            lines.append("")
    return lines
