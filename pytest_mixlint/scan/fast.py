"""Whole shards counted by embedded query engines, chosen per format by measurement
(``benchmarks/scan.py``, 2 cores):

=============================  ==========================================================
plain JSONL                    DuckDB (faster than polars; bounded memory at any size)
JSONL .zst / .gz up to 512 MB  polars (faster than DuckDB: it decompresses and parses
                               several files at once)
JSONL .zst / .gz over 512 MB   DuckDB (polars memory-maps the whole file; DuckDB streams it)
Parquet                        DuckDB (faster than polars and pyarrow)
=============================  ==========================================================

Both use every core of this process themselves, but they know nothing of line numbers: a shard
they reject, or in which they find a document without text, is left to the streaming readers of
``readers.py``, which locate the problem. So is a document over 32 MB (DuckDB's largest JSON
object here, which bounds its memory).

Known differences from the streaming readers, both on invalid data: a JSON number, boolean or
array where the text should be is counted as its JSON text (the streaming reader refuses it),
and polars counts a lone UTF-16 surrogate escape (``"\\ud800"``) as one byte (three there;
DuckDB refuses it, so the streaming reader counts it).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from .counts import Counts, GroupCounts, ScanOptions
from .readers import format_of

POLARS_MAX_BYTES = 512 << 20  # on disk: polars maps the whole file into memory
DUCKDB_MAX_OBJECT = 32 << 20  # DuckDB's JSON buffers grow with it (about 200 MB of memory here)


def fast_engine(path: str, size: int, options: ScanOptions) -> str | None:
    """The engine that counts this file, or None when the streaming readers must."""
    if options.engine != "auto" or options.tokenizer:  # tokens need the texts: only the readers see them
        return None
    try:
        kind, compression = format_of(path)
    except Exception:
        return None
    if kind == "jsonl":
        return "polars" if compression and size <= POLARS_MAX_BYTES else "duckdb-json"
    if kind == "parquet":
        return "duckdb-parquet"
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
        rows = _polars_rows(paths, options) if engine == "polars" else _duckdb_rows(paths, options, engine)
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


def _field_tree(options: ScanOptions) -> dict[str, Any]:
    """The text and group fields as a tree of names (dotted paths are nested objects); leaves are
    None. Only these are read: the engines skip every other field."""
    tree: dict[str, Any] = {}
    for dotted in (options.text_field, options.group_by):
        if dotted:
            *parents, name = dotted.split(".")
            node = tree
            for part in parents:
                node = node.setdefault(part, {})
            node[name] = None
    return tree


def _polars_schema(options: ScanOptions) -> Any:
    import polars as pl

    def build(node: dict[str, Any]) -> dict[str, Any]:
        return {k: pl.Struct(build(v)) if isinstance(v, dict) else pl.String for k, v in node.items()}

    return build(_field_tree(options))


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


# --- DuckDB: JSONL and Parquet ---------------------------------------------------------------

_local = threading.local()  # a DuckDB connection must not be shared between threads


def _duckdb() -> Any:
    connection = getattr(_local, "connection", None)
    if connection is None:
        import duckdb

        connection = _local.connection = duckdb.connect(config={"autoinstall_known_extensions": False,
                                                                "autoload_known_extensions": False})
    return connection


def _sql_path(dotted: str) -> str:
    return ".".join(_sql_name(part) for part in dotted.split("."))


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _duckdb_columns(options: ScanOptions) -> str:
    """read_json's ``columns``: the fields to read, typed (strings, structs of strings)."""
    def sql_type(node: dict[str, Any] | None) -> str:
        if node is None:
            return "VARCHAR"
        return "STRUCT(" + ", ".join(f"{_sql_name(k)} {sql_type(v)}" for k, v in node.items()) + ")"

    return "{" + ", ".join(f"{_sql_string(k)}: {_sql_string(sql_type(v))}" for k, v in _field_tree(options).items()) + "}"


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@lru_cache(maxsize=32)
def _duckdb_query(options: ScanOptions, engine: str) -> str:
    group = f"CAST({_sql_path(options.group_by)} AS VARCHAR)" if options.group_by else "NULL::VARCHAR"
    text = _sql_path(options.text_field)
    if engine == "duckdb-json":  # compression from the file name; the schema is given, not sniffed
        source = (f"read_json($paths, format = 'newline_delimited', filename = '{_DUCKDB_PATH}', "
                  f"maximum_object_size = {DUCKDB_MAX_OBJECT}, columns = {_duckdb_columns(options)})")
    else:  # union_by_name: a column missing from one file is NULL there, as in the streaming reader
        source = f"read_parquet($paths, filename = '{_DUCKDB_PATH}', union_by_name = true)"
    return (f"SELECT f, g, count(*), sum(strlen(t)), sum(length(t)), count(*) - count(t) "
            f"FROM (SELECT {_sql_path(_DUCKDB_PATH)} AS f, {group} AS g, {text} AS t FROM {source}) GROUP BY f, g")


def _duckdb_rows(paths: list[str], options: ScanOptions, engine: str) -> list[tuple[Any, ...]]:
    if engine == "duckdb-parquet" and not all(_text_is_string(path, options.text_field) for path in paths):
        raise ValueError("the streaming reader explains")
    return _duckdb().execute(_duckdb_query(options, engine), {"paths": paths}).fetchall()  # type: ignore[no-any-return]


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
