"""Reading user documents (mixture manifests and dataset cards) into validated models."""

from __future__ import annotations

import os

from ..access import FileAccess
from ..domains import DomainPatterns
from .card import is_card, load_card
from .manifest import load_manifest
from .model import Document, DocumentKind, Ignore, document_id

__all__ = ["Document", "DocumentKind", "Ignore", "document_id", "is_card", "load_card", "load_document", "load_manifest"]


def load_document(path: str, display: str, kind: DocumentKind, domains: DomainPatterns | None = None,
                  access: FileAccess = FileAccess(), text: str | None = None) -> Document | None:
    """Load a manifest or a card; None for a README without front matter (not a document).
    ``text``: the content as read elsewhere (a git revision); relative references still resolve
    against ``path``'s directory.

    Raises MixlintError with located problems when the document cannot be used.
    """
    domains = domains or DomainPatterns()
    if kind == "manifest":
        document: Document | None = load_manifest(path, display, domains, access, text)
    else:
        document = load_card(path, display, domains, access, text)
    if document is not None:
        document.file, document.domains, document.access = os.path.abspath(path), domains, access
    return document
