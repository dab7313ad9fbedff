"""The measured composition of a training config: exact tokens from its tokenized data.

A config's data paths are what training reads: Megatron prefixes (``PREFIX.idx``/``.bin``) and
OLMo ``.npy`` token arrays hold their token counts, so a ``measured`` rule by tokens needs no
tokenizer. Paths are relative to the config's directory. Remote paths (``s3://``) and formats
without token counts (MDS) are problems that say so: a partial measurement would mislead.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

from ..documents.model import Document
from ..mixture import Mixture
from ..problems import Problem
from .tokenized import TokenizedError, megatron_counts, npy_tokens

if TYPE_CHECKING:
    from ..scan.measure import Measurement


def measure_config(document: Document) -> Measurement:
    from ..scan.measure import Measurement

    problems: list[Problem] = []
    sources = []
    for source in document.mixture.sources:
        tokens = 0
        documents: int | None = 0  # None once a token array (no document boundaries) is part of it
        for path in source.data_files:
            if "://" in path:
                problems.append(Problem(document.path, source.line, f"{path}: remote data is not measured yet",
                                        "measure a local copy, or compare with declared sizes"))
                continue
            full = os.path.join(document.base_dir, path)
            files = [full] if full.endswith(".npy") else [full.removesuffix(".bin").removesuffix(".idx") + s
                                                          for s in (".idx", ".bin")]
            refusal = next((r for f in files if (r := document.access.refusal(f, confined=True))), None)
            if refusal is not None:  # outside the root, a FIFO, a device: never opened
                problems.append(Problem(document.path, source.line, refusal))
                continue
            try:
                if full.endswith(".npy"):
                    tokens += npy_tokens(full)
                    documents = None
                else:
                    count = megatron_counts(full)
                    tokens += count.tokens
                    documents = None if documents is None else documents + (count.documents or 0)
            except TokenizedError as exc:
                problems.append(Problem(document.path, source.line, str(exc)))
        sources.append(replace(source, tokens=tokens, documents=documents, bytes=None,
                               weight=None, tokens_relative_error=0.0))
    if problems:
        return Measurement(None, problems)
    return Measurement(Mixture(document.mixture.name, sources, "tokens"), [])
