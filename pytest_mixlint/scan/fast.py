"""Whole shards counted by embedded query engines, chosen per format by measurement
(``benchmarks/scan.py``, 2 cores): polars reads JSONL (plain, .gz, .zst) faster than DuckDB and
than our msgspec reader, DuckDB reads Parquet faster than polars and pyarrow.

Both use every core of this process themselves, but they know nothing of line numbers: a shard
they reject, or in which they find a document without text, is left to the streaming readers of
``readers.py``, which locate the problem. Files larger than ``MAX_BYTES`` are not
given to polars, which memory-maps the whole file: the streaming readers keep memory bounded
whatever the shard size.

Known differences from the streaming readers, both on invalid data: a JSON number, boolean or
array where the text should be is counted as its JSON text (the streaming reader refuses it),
and a lone UTF-16 surrogate escape (``"\\ud800"``) counts as one byte (three there).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from .counts import Counts, GroupCounts, ScanOptions
from .readers import format_of

MAX_BYTES = 512 << 20  # on disk; larger files are streamed in bounded blocks by readers.py


def fast_engine(path: str, size: int, options: ScanOptions) -> str | None:
    """The engine that counts this file, or None when the streaming readers must."""
    if options.engine != "auto" or options.tokenizer:  # tokens need the texts: only the readers see them
        return None
    try:
        kind, _ = format_of(path)
    except Exception:
        return None
    if kind == "jsonl" and size <= MAX_BYTES:
        return "polars"
    if kind == "parquet":
        return "duckdb"
    return None


def count_fast(paths: list[str], engine: str, options: ScanOptions) -> dict[str, GroupCounts]:
    """Counts of whole files, by one query over all of them (the engine spreads the files over its
    threads); when that query fails, file by file. Files missing from the answer are left to the
    streaming readers, which count them or say where and why they are bad."""
    rows = _rows(paths, engine, options)
    if rows is None:
        if len(paths) == 1:
            return {}
        answered: dict[str, GroupCounts] = {}
        for path in paths:
            answered.update(count_fast([path], engine, options))
        return answered
    counts: dict[str, GroupCounts] = {}
    missing_text = set()
    for path, group, documents, size, characters, missing in rows:
        if missing:
            missing_text.add(path)
        counts.setdefault(path, GroupCounts()).groups[None if group is None else str(group)] = Counts(
            int(documents), int(size or 0), int(characters or 0))
    # An empty file yields no rows; it has no documents.
    return {path: counts.get(path, GroupCounts()) for path in paths if path not in missing_text}


def _rows(paths: list[str], engine: str, options: ScanOptions) -> list[tuple[Any, ...]] | None:
    try:
        rows = _polars_rows(paths, options) if engine == "polars" else _duckdb_rows(paths, options)
    except Exception:  # any refusal: the streaming reader says where and why
        return None
    # Both engines report the paths as given; anything else would be a surprise, so do not trust it.
    known = set(paths)
    return rows if all(row[0] in known for row in rows) else None


# --- polars: JSONL ---------------------------------------------------------------------------

# The engines' file name columns, named so that no data field clashes (a clash is an error: the
# files would then go to the streaming readers, slower but right).
_PATH = "\x00mixlint_path"
_DUCKDB_PATH = "__mixlint_path__"


def _polars_schema(options: ScanOptions) -> Any:
    """Only the text and group fields, as nested structs for dotted paths (the rest is skipped)."""
    import polars as pl

    tree: dict[str, Any] = {}
    for dotted, leaf in ((options.text_field, pl.String), (options.group_by, pl.String)):
        if dotted:
            *parents, name = dotted.split(".")
            node = tree
            for part in parents:
                node = node.setdefault(part, {})
            node[name] = leaf

    def build(node: dict[str, Any]) -> dict[str, Any]:
        return {k: pl.Struct(build(v)) if isinstance(v, dict) else v for k, v in node.items()}

    return build(tree)


def _polars_column(dotted: str) -> Any:
    import polars as pl

    first, *rest = dotted.split(".")
    column = pl.col(first)
    for part in rest:
        column = column.struct.field(part)
    return column


def _polars_rows(paths: list[str], options: ScanOptions) -> list[tuple[Any, ...]]:
    import polars as pl

    text = _polars_column(options.text_field)
    group = _polars_column(options.group_by) if options.group_by else pl.lit(None, pl.String)
    frame = pl.scan_ndjson(paths, schema=_polars_schema(options), include_file_paths=_PATH)
    frame = frame.group_by(pl.col(_PATH), group.alias("g")).agg(
        pl.len().alias("d"), text.str.len_bytes().sum().alias("b"), text.str.len_chars().sum().alias("c"),
        text.null_count().alias("n"))
    return frame.collect(engine="streaming").rows()


# --- DuckDB: Parquet -------------------------------------------------------------------------

_local = threading.local()  # a DuckDB connection must not be shared between threads


def _duckdb() -> Any:
    connection = getattr(_local, "connection", None)
    if connection is None:
        import duckdb

        connection = _local.connection = duckdb.connect(config={"autoinstall_known_extensions": False,
                                                                "autoload_known_extensions": False})
    return connection


def _sql_path(dotted: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in dotted.split("."))


@lru_cache(maxsize=32)
def _duckdb_query(options: ScanOptions) -> str:
    group = f"CAST({_sql_path(options.group_by)} AS VARCHAR)" if options.group_by else "NULL::VARCHAR"
    text = _sql_path(options.text_field)
    # union_by_name: a column missing from one file is NULL there, as in the streaming reader.
    return (f"SELECT f, g, count(*), sum(strlen(t)), sum(length(t)), count(*) - count(t) "
            f"FROM (SELECT {_sql_path(_DUCKDB_PATH)} AS f, {group} AS g, {text} AS t "
            f"FROM read_parquet($paths, filename = '{_DUCKDB_PATH}', union_by_name = true)) GROUP BY f, g")


def _duckdb_rows(paths: list[str], options: ScanOptions) -> list[tuple[Any, ...]]:
    if not all(_text_is_string(path, options.text_field) for path in paths):
        raise ValueError("the streaming reader explains")
    return _duckdb().execute(_duckdb_query(options), {"paths": paths}).fetchall()  # type: ignore[no-any-return]


def _text_is_string(path: str, dotted: str) -> bool:
    """DuckDB would count a number's digits: only string text columns are counted here."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    field: Any = pq.read_schema(path)
    for part in dotted.split("."):
        if isinstance(field, pa.Field):
            if not pa.types.is_struct(field.type):
                return False
            field = field.type
        index = field.get_field_index(part)
        if index < 0:
            return False
        field = field.field(index)
    return bool(pa.types.is_string(field.type) or pa.types.is_large_string(field.type) or pa.types.is_string_view(field.type))
