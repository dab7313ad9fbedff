"""What a run found, collected from item reports and rendered as terminal tables, JSON or Markdown.

Reports know nothing of rule internals: they render ``Result``s and document compositions,
which reach the controlling process as plain JSON on each test report (so pytest-xdist runs
report exactly what serial runs do).
"""

from __future__ import annotations

from .record import DocumentRecord, RunRecord, document_payload

__all__ = ["DocumentRecord", "RunRecord", "document_payload"]
