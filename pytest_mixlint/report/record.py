"""The run's findings, per document, as plain data that survives pytest-xdist serialisation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..documents import Document
from ..mixture import Mixture, ShareError
from ..outcomes import Result
from ..problems import Problem


def document_payload(document: Document, notes: list[Problem], measured: Mixture | None = None) -> dict[str, Any]:
    """The composition of a document as the report shows it (share on the document's basis),
    with the measured share (by tokens when counted, else by bytes) beside it when the data files
    were measured."""
    mixture = document.mixture
    shares = _shares(mixture)
    measured_shares = _shares(measured) if measured is not None else None
    measured_by_name = {s.name: s for s in measured.sources} if measured is not None else {}
    components = []
    for s in mixture.sources:
        component: dict[str, Any] = {
            "name": s.name, "domain": s.domain, "share": shares[s.name] if shares else None,
            "weight": s.weight, "tokens": s.tokens, "bytes": s.bytes, "documents": s.documents,
            "license": s.license.expression or s.license.declared, "license_category": s.license.category,
        }
        if measured is not None:
            found = measured_by_name.get(s.name)
            component["measured"] = None if found is None else {
                "share": measured_shares.get(s.name) if measured_shares else None,
                "bytes": found.bytes, "documents": found.documents, "characters": found.characters}
            if found is not None and found.tokens is not None:
                error = found.tokens_relative_error
                component["measured"].update(tokens=found.tokens,
                                             tokens_relative_error=None if error is None or math.isinf(error) else error)
        components.append(component)
    return {"path": document.path, "kind": document.kind, "name": document.name, "basis": mixture.basis,
            "components": components, "notes": [str(n) for n in notes]}


def _shares(mixture: Mixture) -> dict[str, float] | None:
    try:
        return mixture.shares()
    except ShareError:
        return None


@dataclass
class DocumentRecord:
    path: str
    kind: str | None = None
    name: str | None = None
    basis: str | None = None
    components: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)


@dataclass
class RunRecord:
    documents: dict[str, DocumentRecord] = field(default_factory=dict)

    def add(self, result: dict[str, Any], document: dict[str, Any] | None) -> None:
        parsed = Result.from_json(result)
        record = self.documents.setdefault(parsed.path, DocumentRecord(parsed.path))
        if document and record.kind is None:
            record.kind, record.name, record.basis = document["kind"], document["name"], document["basis"]
            record.components, record.notes = document["components"], document["notes"]
        record.results.append(parsed)

    def sorted_documents(self) -> list[DocumentRecord]:
        for record in self.documents.values():
            record.results.sort(key=lambda r: r.rule)
        return [self.documents[p] for p in sorted(self.documents)]

    def totals(self) -> dict[str, int]:
        counts = {"passed": 0, "failed": 0, "warned": 0, "errors": 0}
        key = {"passed": "passed", "failed": "failed", "warned": "warned", "error": "errors"}
        for record in self.documents.values():
            for result in record.results:
                if result.outcome in key:
                    counts[key[result.outcome]] += 1
        return counts

    def all_results(self) -> list[Result]:
        return [r for d in self.sorted_documents() for r in d.results]
