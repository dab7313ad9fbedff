"""Tables of a run (composition and rule results), shared by the terminal and Markdown reports."""

from __future__ import annotations

from tabulate import tabulate

from ..outcomes import Result
from ..quantities import format_share
from .record import DocumentRecord

COMPOSITION_HEADERS = ["source", "domain", "licence", "category", "share"]


def composition_headers(document: DocumentRecord) -> list[str]:
    declared = f"share by {document.basis}" if document.basis else "share"
    measured = "measured (tokens)" if any("tokens" in (c.get("measured") or {}) for c in document.components) else "measured (bytes)"
    return COMPOSITION_HEADERS[:-1] + [declared] + ([measured] if has_measured(document) else [])
RESULT_HEADERS = ["rule", "outcome", "observed", "threshold", "message"]


def has_measured(document: DocumentRecord) -> bool:
    return any("measured" in c for c in document.components)


def composition_rows(document: DocumentRecord, limit: int | None = None) -> list[list[str]]:
    """Source, domain, licence, category, declared share (and measured share, when measured)."""
    components = sorted(document.components, key=lambda c: -(c["share"] or 0))
    measured = has_measured(document)
    rows = [[c["name"], c["domain"] or "-", c["license"] or "-", c["license_category"], format_share(c["share"])]
            + ([format_share((c.get("measured") or {}).get("share"))] if measured else [])
            for c in components[:limit]]
    if limit is not None and len(components) > limit:
        rest = sum(c["share"] or 0 for c in components[limit:])
        rows.append([f"... {len(components) - limit} more", "", "", "", format_share(rest)] + ([""] if measured else []))
    return rows


def result_rows(results: list[Result], width: int | None = 70) -> list[list[str]]:
    return [[r.rule, r.outcome, format_value(r.observed, r.unit), format_value(r.threshold, r.unit), _clip(r.message, width)]
            for r in results]


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return format_share(value) if unit == "share" else f"{value:.4g}"


def _clip(text: str, width: int | None) -> str:
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def table(rows: list[list[str]], headers: list[str], fmt: str) -> str:
    return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)
