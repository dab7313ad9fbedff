"""The Markdown report (``--mixlint-report=out.md``): for pull-request comments and
``$GITHUB_STEP_SUMMARY``.

A summary line first; then one section per document with something to say (a failure, an
error, a warning, a note): its composition as a table and as a Mermaid pie chart GitHub draws,
its results, every finding, and the before/after table of each compare rule. Documents where
everything passed are listed together at the end.
"""

from __future__ import annotations

import re

from ..outcomes import Result
from .record import DocumentRecord, RunRecord
from .tables import RESULT_HEADERS, comparison_table, composition_headers, composition_rows, result_rows, table
from .text import markdown

_ICON = {"passed": "✅ passed", "failed": "❌ failed", "warned": "⚠️ warned", "error": "💥 error",
         "skipped": "⏭️ skipped", "suppressed": "🔇 suppressed",
         "baselined": "📌 baselined"}
PIE_SLICES = 8  # the largest sources; the rest is one slice
# What a Mermaid pie label keeps of a name (the table has it whole): no quote, fence, markup or link.
_PIE_UNSAFE = re.compile(r"[^\w .+()-]")  # \w: letters and digits of every script


def render(run: RunRecord) -> str:
    """Everything a document, pack or rule says is escaped: a source named with Markdown or HTML
    (a heading, ``<details>``) shows as text and cannot restyle the report."""
    totals = run.totals()
    documents = run.sorted_documents()
    noteworthy = [d for d in documents if d.notes or any(r.outcome not in ("passed", "skipped", "baselined") for r in d.results)]
    lines = ["# mixlint report", "", _summary_line(run, totals), "",
             "Rule packs: " + ", ".join(f"{markdown(p.name)} ({markdown(p.via)})" for p in run.packs), ""]
    for document in noteworthy:
        lines += _section(document)
    quiet = [d for d in documents if d not in noteworthy]
    if quiet:
        lines += ["## Passed", "", table([[markdown(d.id), markdown(d.name or ""), str(len(d.results))] for d in quiet],
                                         ["document", "name", "rules"], "github"), ""]
    return "\n".join(lines).rstrip() + "\n"


def _summary_line(run: RunRecord, totals: dict[str, int]) -> str:
    failed = totals["failed"] + totals["errors"]
    verdict = "❌" if failed else "⚠️" if totals["warned"] else "✅"
    documents = len(run.documents)
    counts = " · ".join(f"**{n}** {k}" for k, n in totals.items() if n)
    return f"{verdict} {documents} document{'s' if documents != 1 else ''}: {counts or 'nothing checked'}"


def _section(document: DocumentRecord) -> list[str]:
    name = f" — {markdown(document.name)}" if document.name else ""
    lines = [f"## {markdown(document.id)}{name}", ""]
    if document.components:
        rows = [[markdown(cell) for cell in row] for row in composition_rows(document)]
        lines += [table(rows, composition_headers(document), "github"), ""]
        lines += _pie(document)
    rows = [[markdown(cell) for cell in row] for row in result_rows(document.results, None)]
    for row, result in zip(rows, document.results, strict=True):
        row[1] = _ICON.get(result.outcome, result.outcome)
        row.insert(4, str(result.line or ""))
    if rows:
        lines += [table(rows, RESULT_HEADERS[:4] + ["line"] + RESULT_HEADERS[4:], "github"), ""]
    lines += _findings(document.results)
    for result in document.results:
        if result.comparison is not None and result.outcome not in ("passed", "skipped"):
            lines += [f"Before and after ({markdown(result.rule)}): "
                      + comparison_table(result.comparison, "github", markdown), ""]
    lines += [f"> note: {markdown(n)}" for n in document.notes]
    if document.notes:
        lines.append("")
    return lines


def _pie(document: DocumentRecord) -> list[str]:
    """The declared shares as a Mermaid pie chart (GitHub renders ```mermaid blocks)."""
    shares = sorted(((c["name"], c["share"]) for c in document.components if c.get("share")), key=lambda x: -x[1])
    if len(shares) < 2:
        return []
    shown, rest = shares[:PIE_SLICES], sum(share for _, share in shares[PIE_SLICES:])
    slices, labels = [], set()
    for name, share in shown:
        label = _PIE_UNSAFE.sub("_", name)[:40] or "_"
        while label in labels:  # Mermaid keeps one slice per label
            label += "'"
        labels.add(label)
        slices.append((label, share))
    if rest:
        slices.append((f"{len(shares) - PIE_SLICES} more", rest))
    basis = f" by {document.basis}" if document.basis else ""
    return ["```mermaid", f"pie title Shares{basis}", *(f'    "{name}" : {share * 100:.2f}' for name, share in slices),
            "```", ""]


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
