"""Helpers shared by the kinds that reason about shares."""

from __future__ import annotations

from ..documents import Document
from ..mixture import Basis, ShareError
from .base import Evaluation


def shares_or_error(document: Document, by: Basis | None, with_epochs: bool) -> dict[str, float] | Evaluation:
    """The document's shares, or an Evaluation saying why they cannot be computed."""
    try:
        return document.mixture.shares(by, with_epochs)
    except ShareError as exc:
        line = document.source_line(exc.sources[0]) if exc.sources else document.line("sources")
        basis = by or document.mixture.basis
        if document.mixture is document.measured:  # composition: measured: counted, not declared
            hint = ("; measured tokens need a tokenizer: set mixlint_tokenizer or scan.tokenizer" if basis == "tokens"
                    else f"; the data files hold no {basis}" if not exc.sources else "")
        elif document.kind == "config":  # a config's weights are what it says; sizes come from its data
            hint = ("; the config gives no weights, so shares need the data's sizes: put the rule on the measured "
                    "composition (`composition: measured`), or declare the mix in a manifest (`mixlint import`)")
        elif document.kind == "card" and not document.mixture.declared_basis:  # sizes from dataset_info
            hint = ("; a card's sizes come from dataset_info (num_bytes, num_examples of the train split): add them, "
                    "or declare the mixture in an embedded `mixlint:` manifest") if exc.sources else ""
        else:
            hint = f"; give every source `{basis}` or choose another `by:`" if exc.sources else ""
        return Evaluation(error=f"cannot compute shares by {basis_label(document, by, with_epochs)}: {exc}{hint}",
                          error_line=line, sources=exc.sources)


def basis_label(document: Document, by: Basis | None, with_epochs: bool) -> str:
    basis = by or document.mixture.basis
    return f"{basis} x epochs" if with_epochs else basis
