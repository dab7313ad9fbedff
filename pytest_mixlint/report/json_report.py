"""The JSON report (``--mixlint-report=out.json``), in the format SPEC documents; its JSON Schema
ships as ``pytest_mixlint/data/report.schema.json``."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .record import RunRecord

VERSION = 1


def to_json(run: RunRecord) -> dict[str, Any]:
    return {
        "mixlint_report": VERSION,
        "documents": [{
            "path": d.path, "kind": d.kind, "name": d.name,
            "components": d.components,
            "results": [r.report_entry() for r in d.results],
        } for d in run.sorted_documents()],
        "totals": run.totals(),
    }


def render(run: RunRecord) -> str:
    return json.dumps(to_json(run), indent=2, allow_nan=False) + "\n"


def schema() -> dict[str, Any]:
    return json.loads((resources.files("pytest_mixlint") / "data" / "report.schema.json").read_text("utf-8"))
