"""Measured composition: read the data files of a manifest or card and count, per source or per
value of a group-by field, documents, UTF-8 bytes and characters of the text.

The only heavy I/O of the plugin. Whole JSONL and Parquet shards are counted by DuckDB, the
fastest engine we measured (fast.py); Arrow files, token counts and shards DuckDB rejects are
streamed by our readers (readers.py) in parallel processes, which keep memory bounded and locate
bad data. Results are cached per shard, and data files are only
ever opened for reading.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["Counts", "GroupCounts", "ScanError", "ScanOptions", "ShardCache", "count_files", "count_shard"]

# Imported on first use: documents import scan.counts (light), which must not bring the engines.
_WHERE = {"ShardCache": "cache", "Counts": "counts", "GroupCounts": "counts", "ScanError": "counts",
          "ScanOptions": "counts", "count_files": "engine", "count_shard": "readers"}

if TYPE_CHECKING:
    from .cache import ShardCache
    from .counts import Counts, GroupCounts, ScanError, ScanOptions
    from .engine import count_files
    from .readers import count_shard


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
