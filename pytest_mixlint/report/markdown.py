"""The Markdown report (``--mixlint-report=out.md``): for pull-request comments and
``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from .record import RunRecord
from .tables import RESULT_HEADERS, composition_headers, composition_rows, result_rows, table

_ICON = {"passed": "✅ passed", "failed": "❌ failed", "warned": "⚠️ warned", "error": "💥 error",
         "skipped": "⏭️ skipped", "suppressed": "🔇 suppressed"}


def render(run: RunRecord) -> str:
    totals = run.totals()
    lines = ["# mixlint report", "",
             " · ".join(f"**{n}** {k}" for k, n in totals.items()), "",
             "Rule packs: " + ", ".join(f"`{p.name}` ({p.via})" for p in run.packs), ""]
    for document in run.sorted_documents():
        name = f" — {document.name}" if document.name else ""
        lines += [f"## `{document.path}`{name}", ""]
        if document.components:
            lines += [table(composition_rows(document), composition_headers(document), "github"), ""]
        rows = result_rows(document.results, None)
        for row, result in zip(rows, document.results, strict=True):
            row[1] = _ICON.get(result.outcome, result.outcome)
            row[4] = row[4].replace("|", "\\|")
            row.insert(4, str(result.line or ""))
        if rows:
            lines += [table(rows, RESULT_HEADERS[:4] + ["line"] + RESULT_HEADERS[4:], "github"), ""]
        lines += [f"> note: {n}" for n in document.notes]
        if document.notes:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
