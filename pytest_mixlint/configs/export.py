"""A training config written out as a mixlint manifest (``mixlint import``), with provenance.

The manifest says what mixlint understood: each source's weight (the config's, normalised),
the data paths behind it, and what the catalogue added (domain, licence, languages); a comment
at the top names the config and its format, and one beside each source the line it comes from.
It is a starting point to review and commit, not a copy kept in sync: checking the config itself
keeps the gate on what the run uses.
"""

from __future__ import annotations

import json
from typing import Any

from ..documents.model import Document


def _value(value: Any) -> str:
    """A YAML flow scalar: JSON's quoting is valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def manifest_text(document: Document, fmt: str) -> str:
    mixture = document.mixture
    stage = f", stage {document.stage}" if document.stage is not None else ""
    name = (mixture.name or document.path) + (f" ({document.stage})" if document.stage is not None else "")
    lines = [f"# Imported by `mixlint import` from {document.path} ({fmt} format{stage}); review before committing.",
             "# Weights are the config's sampling weights, normalised; licences and domains come from the",
             "# source catalogue where it describes the data paths (else: none declared).",
             "mixlint: 1", f"name: {_value(name)}"]
    weighted = all(s.weight is not None for s in mixture.sources)
    if weighted:
        lines.append("basis: weight")
    lines.append("sources:")
    for source in mixture.sources:
        where = f"  # {document.path}:{source.line}" if source.line else ""
        lines.append(f"  - name: {_value(source.name)}{where}")
        if source.domain:
            lines.append(f"    domain: {_value(source.domain)}")
        if source.weight is not None:
            lines.append(f"    weight: {source.weight * 100:.6g}%")
        if source.epochs is not None:
            lines.append(f"    epochs: {source.epochs:g}")
        if source.license.declared:
            lines.append(f"    license: {_value(source.license.expression or source.license.declared)}")
        if source.languages:
            lines.append(f"    languages: {_value(list(source.languages))}")
        if source.data_files:
            lines.append("    # data paths in the config: " + ", ".join(source.data_files))
    if not weighted:
        lines.insert(5, "# The config gives no weights: shares need the data's sizes (declare tokens or bytes).")
    return "\n".join(lines) + "\n"
