"""Reading user documents (mixture manifests and dataset cards) into validated models."""

from __future__ import annotations

from ..access import FileAccess
from ..domains import DomainPatterns
from .card import is_card, load_card
from .manifest import load_manifest
from .model import Document, DocumentKind, Ignore

__all__ = ["Document", "DocumentKind", "Ignore", "is_card", "load_card", "load_document", "load_manifest"]


def load_document(path: str, display: str, kind: DocumentKind, domains: DomainPatterns | None = None,
                  access: FileAccess = FileAccess()) -> Document | None:
    """Load a manifest or a card; None for a README without front matter (not a document).

    Raises MixlintError with located problems when the document cannot be used.
    """
    domains = domains or DomainPatterns()
    if kind == "manifest":
        return load_manifest(path, display, domains, access)
    return load_card(path, display, domains, access)
