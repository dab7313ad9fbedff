"""Tables of a run (composition and rule results), shared by the terminal and Markdown reports."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tabulate import tabulate

from ..comparison import ROW_NOUN, Comparison, points
from ..outcomes import Result
from ..quantities import format_number, format_share
from .record import DocumentRecord
from .text import one_line

COMPOSITION_HEADERS = ["source", "domain", "licence", "category", "share"]
RESULT_HEADERS = ["rule", "outcome", "observed", "threshold", "message"]
LICENSE_WIDTH = 48  # a longer licence expression is abbreviated in tables (the JSON report has it whole)


def composition_headers(document: DocumentRecord) -> list[str]:
    declared = f"share by {document.basis}" if document.basis else "share"
    return COMPOSITION_HEADERS[:-1] + [declared] + [f"measured by {b}" for b in _measured_bases(document)]


def _measured_bases(document: DocumentRecord) -> list[str]:
    """The bases of the measured columns: those the document's measured rules read."""
    return document.measured_bases if any(c.get("measured") for c in document.components) else []


def composition_rows(document: DocumentRecord, limit: int | None = None) -> list[list[str]]:
    """Source, domain, licence, category, declared share (and a measured share per basis)."""
    components = sorted(document.components, key=lambda c: -(c["share"] or 0))
    bases = _measured_bases(document)
    rows = [[one_line(c["name"]), one_line(c["domain"] or "-"), one_line(short_license(c["license"])), c["license_category"],
             format_share(c["share"])]
            + [_measured_share(c, basis) for basis in bases]
            for c in components[:limit]]
    if limit is not None and len(components) > limit:
        shares = [c["share"] for c in components[limit:]]
        rest = None if None in shares else sum(shares)
        rows.append([f"... {len(components) - limit} more", "", "", "", format_share(rest)] + [""] * len(bases))
    return rows


def _measured_share(component: dict[str, Any], basis: str) -> str:
    measured = component.get("measured") or {}
    return format_share((measured.get("shares") or {}).get(basis))


_OPERATOR = re.compile(r" (AND|OR|WITH) ")


def short_license(expression: str | None, width: int = LICENSE_WIDTH) -> str:
    """``A AND B AND C AND ...`` cut at a whole licence id, saying how many more there are."""
    if not expression:
        return "-"
    if len(expression) <= width:
        return expression
    parts = _OPERATOR.split(expression)  # id, operator, id, operator, ...
    shown, count = parts[0], (len(parts) + 1) // 2
    for i in range(1, len(parts) - 1, 2):
        rest = count - (i + 1) // 2  # ids not yet shown
        candidate = f"{shown} {parts[i]} {parts[i + 1]}"
        if len(f"{candidate} {parts[i]} … (+{rest - 1} more)") > width:
            return f"{shown} {parts[i]} … (+{rest} more)"
        shown = candidate
    return shown


def result_rows(results: list[Result], width: int | None = 70) -> list[list[str]]:
    return [[r.rule, r.outcome, format_value(r.observed, r.unit), format_value(r.threshold, r.unit),
             _clip(one_line(r.message), width)] for r in results]


def format_value(value: float | None, unit: str | None) -> str:
    """A number in its unit: ``4.5%`` (share), ``2.40`` (count), ``3.4 epochs``, ``2.61`` (ratio)."""
    if value is None:
        return "-"
    if unit == "share":
        return format_share(value)
    if unit == "epochs":
        return f"{value:g} epochs"
    if unit == "count":
        return format_number(value)
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:.4g}"


def _clip(text: str, width: int | None) -> str:
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def table(rows: list[list[str]], headers: list[str], fmt: str) -> str:
    return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)


def comparison_table(comparison: Comparison, fmt: str, escape: Callable[[str], str] = one_line) -> str:
    """Before and after, one row per source or group: the table of ``mixlint diff``, of a compare
    rule's failure and of every report. ``escape`` makes user text safe for the output."""
    rows = [[escape(c.group), format_share(c.before), format_share(c.after), points(c.delta, signed=True), c.status]
            for c in comparison.changes]
    title = f"{escape(comparison.before)} -> {escape(comparison.after)}, shares by {comparison.basis}"
    return title + "\n\n" + table(rows, [ROW_NOUN[comparison.group_by][0], "before", "after", "change", "status"], fmt)
