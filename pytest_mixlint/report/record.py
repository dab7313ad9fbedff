"""The run's findings, per document, as plain data that survives pytest-xdist serialisation."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..documents import Document, document_id
from ..mixture import BASES, Basis, Mixture, ShareError
from ..outcomes import Result
from ..packs import PackInfo
from ..problems import Problem

if TYPE_CHECKING:
    from ..baseline import Key

MEASURED_BASES: tuple[Basis, ...] = ("tokens", "bytes", "documents")  # what a scan counts, in the order shown


def document_payload(document: Document, notes: list[Problem], measured: Mixture | None = None,
                     measured_bases: Sequence[str | None] = ()) -> dict[str, Any]:
    """The composition of a document as the report shows it (share on the document's basis),
    with the measured shares beside it when the data files were measured: on each basis the
    document's measured rules read (``None``: the measurement's own), so that the number a rule
    judged is in the table, and on the measurement's own (tokens when counted, else bytes)."""
    mixture = document.mixture
    shares = _shares(mixture)
    # Every basis the document has (each source has an amount on it), and what training sees:
    # tokens times epochs.
    declared_shares: dict[str, dict[str, float]] = {}
    for basis in BASES:
        if all(s.amount(basis) is not None for s in mixture.sources) and (on_basis := _shares(mixture, basis)):
            declared_shares[basis] = on_basis
    if mixture.sources and all(s.epochs is not None and s.tokens is not None for s in mixture.sources):
        with_epochs = _shares(mixture, "tokens", with_epochs=True)
        if with_epochs is not None:
            declared_shares["tokens x epochs"] = with_epochs
    components: list[dict[str, Any]] = []
    for s in mixture.sources:
        components.append({
            "name": s.name, "domain": s.domain, "share": shares[s.name] if shares else None,
            "weight": s.weight, "tokens": s.tokens, "bytes": s.bytes, "documents": s.documents, "epochs": s.epochs,
            "shares": {basis: on_basis[s.name] for basis, on_basis in declared_shares.items()},
            "license": s.license.expression or s.license.declared, "license_category": s.license.category,
        })
    # A card whose configs declare no sizes has shares (one config is 100%) but no basis.
    declared = mixture.declared_basis or any(s.amount(mixture.basis) is not None for s in mixture.sources)
    payload: dict[str, Any] = {"path": document.path, "stage": document.stage, "kind": document.kind, "name": document.name,
                               "basis": mixture.basis if declared else None, "components": components,
                               "notes": [str(n) for n in notes]}
    if measured is not None:
        bases = [b or measured.basis for b in measured_bases] + [measured.basis]
        payload["measured_bases"] = [b for b in dict.fromkeys(bases) if b in MEASURED_BASES]
        # Only the bases counted (tokens need a tokenizer): one source is 100% of nothing counted.
        by_basis = {basis: _shares(measured, basis) if all(s.amount(basis) is not None for s in measured.sources)
                    else None for basis in MEASURED_BASES}
        own = by_basis[measured.basis] or {}
        by_name = {s.name: s for s in measured.sources}
        for component in components:
            found = by_name.get(component["name"])
            if found is None:
                component["measured"] = None
                continue
            component["measured"] = {
                "share": own.get(found.name),
                "shares": {b: shares[found.name] for b in MEASURED_BASES if (shares := by_basis[b]) is not None},
                "bytes": found.bytes, "documents": found.documents, "characters": found.characters}
            if found.tokens is not None:
                error = found.tokens_relative_error
                component["measured"].update(tokens=found.tokens,
                                             tokens_relative_error=None if error is None or math.isinf(error) else error)
    return payload


def _shares(mixture: Mixture, basis: str | None = None, with_epochs: bool = False) -> dict[str, float] | None:
    try:
        return mixture.shares(basis if basis in BASES else None, with_epochs)  # type: ignore[arg-type]
    except ShareError:
        return None


@dataclass
class DocumentRecord:
    path: str
    stage: str | None = None  # a curriculum's stage: the file holds one document per stage
    kind: str | None = None
    name: str | None = None
    basis: str | None = None
    components: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    measured_bases: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    catalogue: dict[str, Any] | None = None  # a config's: its catalogue and the entries it did not use
    stage_order: int = 0  # a stage's place in its curriculum

    @property
    def id(self) -> str:
        return document_id(self.path, self.stage)


# Every outcome, named as the totals name them; each item of the run is counted once.
TOTALS = {"passed": "passed", "failed": "failed", "warned": "warned", "error": "errors",
          "skipped": "skipped", "suppressed": "suppressed", "baselined": "baselined"}


@dataclass
class RunRecord:
    packs: list[PackInfo] = field(default_factory=list)  # the packs in effect, in order
    rules: int = 0  # rules selected for the run
    documents: dict[str, DocumentRecord] = field(default_factory=dict)  # by document id (path, or path::stage)
    stale_baseline: list[Key] = field(default_factory=list)  # recorded findings no longer found

    def add(self, result: dict[str, Any], document: dict[str, Any] | None) -> None:
        parsed = Result.from_json(result)
        record = self.documents.setdefault(parsed.document_id, DocumentRecord(parsed.path, parsed.stage))
        if document and record.kind is None:
            self.add_document(document)
        record.results.append(parsed)

    def add_document(self, document: dict[str, Any]) -> None:
        """A document's composition (without results: ``mixlint show``)."""
        path, stage = document["path"], document.get("stage")
        record = self.documents.setdefault(document_id(path, stage), DocumentRecord(path, stage))
        record.kind, record.name, record.basis = document["kind"], document["name"], document["basis"]
        record.components, record.notes = document["components"], document["notes"]
        record.measured_bases = document.get("measured_bases", [])
        record.catalogue = document.get("catalogue")
        record.stage_order = document.get("stage_order", 0)

    def keep(self, wanted: Callable[[str], bool]) -> None:
        """Only the documents whose id is ``wanted`` (``mixlint check FILE::STAGE``)."""
        self.documents = {key: record for key, record in self.documents.items() if wanted(key)}

    def sorted_documents(self) -> list[DocumentRecord]:
        for record in self.documents.values():
            record.results.sort(key=lambda r: r.rule)
        # By path, and a curriculum's stages in the order it runs them.
        return sorted(self.documents.values(), key=lambda d: (d.path, d.stage_order, d.id))

    def totals(self) -> dict[str, int]:
        """Items by outcome; ``baselined`` only in a run that has some (a run with a baseline)."""
        counts = dict.fromkeys(TOTALS.values(), 0)
        for record in self.documents.values():
            for result in record.results:
                counts[TOTALS[result.outcome]] += 1
        if not counts["baselined"]:
            del counts["baselined"]
        return counts

    def all_results(self) -> list[Result]:
        return [r for d in self.sorted_documents() for r in d.results]
