"""The measured composition of a training config: exact tokens from its tokenized data.

A config's data paths are what training reads, and tokenized data holds its token counts, so a
``measured`` rule by tokens needs no tokenizer: Megatron prefixes (``PREFIX.idx``/``.bin``),
OLMo / Dolma token files (``.npy``), datatrove ``.ds`` files and folders of them (nanotron's
Nanoset), MosaicML MDS directories (``index.json`` and shards). Paths are relative to the
config's directory. A remote path, or data that holds no token counts (raw text, a Hub dataset
name), is a problem that says so: a partial measurement would mislead.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..documents.model import Document
from ..mixture import Mixture
from ..problems import Problem
from .tokenized import (
    DTYPE_VARIABLE,
    TokenizedCount,
    TokenizedError,
    datatrove_counts,
    megatron_counts,
    memmap_counts,
)

if TYPE_CHECKING:
    from ..scan.measure import Measurement

def measure_config(document: Document) -> Measurement:
    from ..scan.measure import Measurement

    problems: list[Problem] = []
    sources = []
    settings = _token_settings(document)
    copies = _local_copies(document)
    for source in document.mixture.sources:
        tokens = 0
        documents: int | None = 0  # None once a part of it has no document boundaries
        for path in (copies.get(p, p) for p in source.data_files):
            if "://" in path:
                problems.append(Problem(document.path, source.line, f"{path}: remote data is not measured yet",
                                        "measure a local copy, or compare with declared sizes"))
                continue
            full = os.path.join(document.base_dir, path)
            try:
                count = _count(full, document, settings)
            except TokenizedError as exc:
                problems.append(Problem(document.path, source.line, str(exc), exc.hint))
                continue
            tokens += count.tokens
            documents = None if documents is None or count.documents is None else documents + count.documents
        sources.append(replace(source, tokens=tokens, documents=documents, bytes=None,
                               weight=None, tokens_relative_error=0.0))
    if problems:
        return Measurement(None, problems)
    return Measurement(Mixture(document.mixture.name, sources, "tokens"), [])


def names_raw_data(document: Document) -> bool:
    """Does the config name raw documents (a Dolma mixer's ``documents`` globs, JSONL, Parquet:
    what the scan reads) rather than tokenized data? Raw data is measured as a manifest's data
    files are."""
    from ..scan.counts import ScanError
    from ..scan.shards import format_of

    def raw(path: str) -> bool:
        try:
            format_of(path)
        except ScanError:
            return False
        return True

    return any(raw(path) for source in document.mixture.sources for path in source.data_files)


def _token_settings(document: Document) -> dict[str, str | None]:
    """How the run reads its token files: OLMo's ``data.memmap_dtype`` (uint16 when absent, as
    OLMo does), llm-foundry's ``token_encoding_type``, else what the ini declares."""
    declared = dict(document.config.variables) if document.config else {}
    raw: Any = document.raw if isinstance(document.raw, dict) else {}
    fmt = document.config.format if document.config else None
    memmap = declared.get(DTYPE_VARIABLE)
    if fmt == "olmo":
        data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
        memmap = str(data.get("memmap_dtype") or "uint16")
    loader: dict[str, Any] = raw["train_loader"] if isinstance(raw.get("train_loader"), dict) else {}
    dataset: dict[str, Any] = loader["dataset"] if isinstance(loader.get("dataset"), dict) else {}
    return {"memmap": memmap, "mds_bytes": str(dataset.get("token_encoding_type") or "int64")}


def _local_copies(document: Document) -> dict[str, str]:
    """An llm-foundry stream's ``remote`` (the path it is named and described by) -> its ``local``
    copy, which is what is measured."""
    from .streaming import dataset_split, local_copy, streams_of

    found = streams_of(document.metadata) if document.config and document.config.format == "streaming" else None
    streams = found[1] if found else {}
    values = streams.values() if isinstance(streams, dict) else streams if isinstance(streams, list) else []
    split = dataset_split(document.metadata, found[0]) if found else None
    copies = {}
    for stream in values:
        local = local_copy(stream, split) if isinstance(stream, dict) else None
        if local is not None:
            copies[str(stream.get("remote") or stream["local"])] = local
    return copies


def _count(full: str, document: Document, settings: dict[str, str | None]) -> TokenizedCount:
    """The counts of one data path, by what it is on disk; each reader checks that the repository
    may make mixlint read its files (inside the root, regular files, never a FIFO)."""
    from .mds import mds_counts

    access = document.access
    if os.path.isdir(full):
        if os.path.isfile(os.path.join(full, "index.json")):
            return mds_counts(full, settings["mds_bytes"] or "int64", access)
        return datatrove_counts(full, access)
    if full.endswith(".npy"):
        return memmap_counts(full, settings["memmap"], access)
    if full.endswith(".ds"):
        return datatrove_counts(full, access)
    prefix = full.removesuffix(".bin").removesuffix(".idx")
    if os.path.lexists(prefix + ".idx") or full.endswith((".bin", ".idx")) or not os.path.lexists(full):
        return megatron_counts(prefix, access)
    raise TokenizedError(f"{full}: not tokenized data this counts (a Megatron prefix, a .npy token file, a .ds file "
                         "or folder, an MDS directory)")
