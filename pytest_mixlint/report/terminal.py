"""The ``mixlint`` section of pytest's terminal summary."""

from __future__ import annotations

from collections.abc import Callable

from .record import RunRecord
from .tables import RESULT_HEADERS, comparison_table, composition_headers, composition_rows, result_rows, table
from .text import one_line

# Past this many documents only those with something to say get their tables (unless -v).
FULL_DETAIL_DOCUMENTS = 10


def write_summary(run: RunRecord, write_line: Callable[[str], None], verbose: bool) -> None:
    documents = run.sorted_documents()
    detailed = verbose or len(documents) <= FULL_DETAIL_DOCUMENTS
    for document in documents:
        noteworthy = [r for r in document.results if r.outcome not in ("passed", "skipped")]
        if not detailed and not noteworthy and not document.notes:
            continue
        title = one_line(document.id + (f" ({document.kind}: {document.name})" if document.name
                                          else f" ({document.kind})" if document.kind else ""))
        if document is not documents[0]:
            write_line("")
        write_line(title)
        if document.components:
            write_line(table(composition_rows(document, None if verbose else 12),
                             composition_headers(document), "simple"))
        shown = document.results if detailed else noteworthy
        if shown:
            write_line(table(result_rows(shown, None if verbose else 70), RESULT_HEADERS, "simple"))
        for result in shown:  # what a compare rule saw (a failure's text has it already)
            if result.comparison is not None and (verbose or result.outcome == "warned"):
                write_line(f"{result.rule}: {comparison_table(result.comparison, 'simple')}")
        for note in document.notes:
            write_line(one_line(f"note: {note}"))
    warned = [r for r in run.all_results() if r.outcome == "warned"]
    if warned:
        write_line("")
        write_line("warnings (these pass; --mixlint-strict makes them fail):")
        for result in warned:
            write_line(one_line(f"  {result.where()}: [{result.rule}] {result.message}"))
    write_line("")
    write_line(f"mixlint: {totals_line(run)}")


def totals_line(run: RunRecord) -> str:
    """``9 documents, 11 rules from team.yaml, mixlint:recommended: 38 passed, 16 failed, ...``:
    every item counted once, and the packs named (``-q`` hides pytest's header)."""
    documents = len(run.documents)
    packs = ", ".join(p.name for p in reversed(run.packs))
    counts = ", ".join(f"{n} {'error' if k == 'errors' and n == 1 else k}" for k, n in run.totals().items())
    return (f"{documents} document{'s' if documents != 1 else ''}, {run.rules} rule{'s' if run.rules != 1 else ''} "
            f"from {packs}: {counts}")
