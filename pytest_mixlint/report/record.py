"""The run's findings, per document, as plain data that survives pytest-xdist serialisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..documents import Document
from ..mixture import ShareError
from ..outcomes import Result
from ..problems import Problem


def document_payload(document: Document, notes: list[Problem]) -> dict[str, Any]:
    """The composition of a document as the report shows it (share on the document's basis)."""
    mixture = document.mixture
    try:
        shares: dict[str, float] | None = mixture.shares()
    except ShareError:
        shares = None
    components = [{
        "name": s.name, "domain": s.domain, "share": shares[s.name] if shares else None,
        "weight": s.weight, "tokens": s.tokens, "bytes": s.bytes, "documents": s.documents,
        "license": s.license.expression or s.license.declared, "license_category": s.license.category,
    } for s in mixture.sources]
    return {"path": document.path, "kind": document.kind, "name": document.name, "basis": mixture.basis,
            "components": components, "notes": [str(n) for n in notes]}


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
