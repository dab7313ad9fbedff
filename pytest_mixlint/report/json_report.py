"""The JSON report (``--mixlint-report=out.json``), in the format SPEC documents; its JSON Schema
ships as ``pytest_mixlint/data/report.schema.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .record import RunRecord

VERSION = 1
SCHEMA_FILE = Path(__file__).parent.parent / "data" / "report.schema.json"


def to_json(run: RunRecord) -> dict[str, Any]:
    return {
        "mixlint_report": VERSION,
        "packs": [{"name": p.name, "via": p.via} for p in run.packs],
        "rules": run.rules,
        "documents": [{
            "path": d.path, **({"stage": d.stage} if d.stage is not None else {}), "kind": d.kind, "name": d.name,
            "components": d.components,
            "notes": d.notes,
            "results": [r.report_entry() for r in d.results],
        } for d in run.sorted_documents()],
        "totals": run.totals(),
        **({"stale_baseline": [key.to_json() for key in run.stale_baseline]} if run.stale_baseline else {}),
    }


def render(run: RunRecord) -> str:
    return json.dumps(to_json(run), indent=2, allow_nan=False) + "\n"


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text("utf-8"))
