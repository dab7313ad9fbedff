"""Whole shards counted by DuckDB, the fastest reader we measured for plain JSONL, ``.zst`` and
Parquet (``benchmarks/scan.py``, 2 cores, against polars, pyarrow and our own msgspec reader).

DuckDB decompresses a ``.zst`` file on one thread, so compressed files are split into batches
counted by as many concurrent single-threaded queries as there are cores: 1.3x faster than one
query over all files. Plain JSONL and Parquet, which DuckDB splits across its threads itself,
are one query (batches were 5-10% slower there), as is a single file. DuckDB streams files of
any size in bounded memory.

``.gz`` files are not DuckDB's: it does not check a gzip member's CRC (a corrupted shard was
counted as if it were whole, where the readers refused it), and our readers inflating with ISA-L
are faster (one core, realistic text: 208 MB/s against DuckDB's 125).

DuckDB knows nothing of line numbers: a batch it rejects is retried file by file, and a file it
rejects, or in which it finds a document without text, is left to the streaming readers of
``readers.py``, which locate the problem. So is a JSON document over 16 MB (DuckDB's largest
JSON object by default; larger made its reader a third slower here).

Known differences from the streaming readers, on invalid data only: in a JSON Lines file whose
first document's text is a string, a later document's number, boolean or object where the text
should be is counted as its JSON text (the readers refuse it; checking every document made DuckDB
2.8 times slower); a Parquet string column holding invalid UTF-8 is counted (the readers refuse it).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from .counts import Counts, GroupCounts, ScanOptions
from .shards import format_of
from .sniff import first_text_is_a_string, is_json_array

BATCH_BYTES = 16 << 20  # on disk: smaller compressed files share a query
_PATH = "__mixlint_path__"  # DuckDB's file name column, named so that no data field clashes


def fast_kind(path: str, options: ScanOptions) -> str | None:
    """``json``, ``compressed-json`` (JSON Lines; ``-array`` appended for a ``.json`` file holding
    one array of documents) or ``parquet`` when DuckDB counts this file, None when the streaming
    readers must."""
    if options.engine != "auto" or options.tokenizer:  # tokens need the texts: only the readers see them
        return None
    if any(c in path for c in "*?[{"):  # DuckDB would expand the name as a glob pattern
        return None
    try:
        kind, compression = format_of(path)
    except Exception:
        return None
    if kind == "jsonl" and compression != "gzip":  # .gz: the readers inflate with ISA-L and check the CRC
        if is_json_array(path, compression, options):  # the query itself refuses a text that is no string
            return ("compressed-json" if compression else "json") + "-array"
        return ("compressed-json" if compression else "json") if first_text_is_a_string(path, compression, options) else None
    return "parquet" if kind == "parquet" else None


def count_fast(paths: list[str], sizes: dict[str, int], kind: str, options: ScanOptions, workers: int,
               done: Callable[[list[str]], None] | None = None) -> dict[str, GroupCounts]:
    """Counts of whole files; files missing from the answer are left to the streaming readers.
    ``done`` is called with the files counted by each batch as it finishes (for a progress bar)."""
    import duckdb

    batches = _batches(paths, sizes) if kind.startswith("compressed-json") else [paths]
    concurrent = min(workers, len(batches))
    database = duckdb.connect(config={"threads": max(1, workers // concurrent), "autoinstall_known_extensions": False,
                                      "autoload_known_extensions": False})
    query = _query(options, kind)

    def count(batch: list[str]) -> dict[str, GroupCounts]:
        answered = _count_batch(database.cursor(), query, batch)
        if done is not None:
            done(list(answered))
        return answered

    answered: dict[str, GroupCounts] = {}
    try:
        with ThreadPoolExecutor(concurrent) as pool:  # DuckDB releases the GIL while it works
            for part in pool.map(count, batches):
                answered.update(part)
    finally:
        database.close()
    return answered


def _batches(paths: list[str], sizes: dict[str, int]) -> list[list[str]]:
    """Largest files first, one per batch, small ones grouped up to ``BATCH_BYTES`` (a query
    costs a few milliseconds; larger batches of big files measured slower, 4.9 s against 4.4 s)."""
    batches: list[list[str]] = []
    filled = BATCH_BYTES
    for path in sorted(paths, key=lambda p: -sizes.get(p, 0)):
        if filled >= BATCH_BYTES:
            batches.append([])
            filled = 0
        batches[-1].append(path)
        filled += sizes.get(path, 0)
    return batches


def _count_batch(cursor: Any, query: str, paths: list[str]) -> dict[str, GroupCounts]:
    try:
        rows = cursor.execute(query, {"paths": paths}).fetchall()
    except Exception:  # any refusal: file by file, then the streaming reader says where and why
        if len(paths) == 1:
            return {}
        answered: dict[str, GroupCounts] = {}
        for path in paths:
            answered.update(_count_batch(cursor, query, [path]))
        return answered
    counts: dict[str, GroupCounts] = {}
    missing_text = set()
    for path, group, documents, size, characters, missing in rows:
        if missing:
            missing_text.add(path)
        counts.setdefault(path, GroupCounts()).groups[None if group is None else str(group)] = Counts(
            int(documents), int(size or 0), int(characters or 0))
    if not set(counts) <= set(paths):  # DuckDB reports the paths as given; do not trust anything else
        return {}
    # An empty file yields no rows: it has no documents.
    return {path: counts.get(path, GroupCounts()) for path in paths if path not in missing_text}


@lru_cache(maxsize=32)
def _query(options: ScanOptions, kind: str) -> str:
    group = f"CAST({_sql_path(options.group_by)} AS VARCHAR)" if options.group_by else "NULL::VARCHAR"
    text = _sql_path(options.text_field)
    if kind != "parquet":  # compression from the file name; only the needed fields, typed, not sniffed
        # records: every line (array item) must be an object: an array on a line is refused (and
        # located by the readers), never read as one document of everything in it.
        array = kind.endswith("-array")
        # hive_partitioning off: a directory named source=web must not overwrite a field named source.
        source = (f"read_json($paths, format = '{'array' if array else 'newline_delimited'}', records = true, "
                  f"filename = '{_PATH}', hive_partitioning = false, columns = {_json_columns(options, array)})")
        if array:  # a text that is no string is missing (the readers refuse it); arrays are rare, and
            # this check, on JSON Lines, made DuckDB 2.8 times slower (sniff.py checks their first text)
            text = f"CASE WHEN json_type({text}) = 'VARCHAR' THEN {text} ->> '$' END"
    else:  # union_by_name: a column missing from one file is NULL there, as in the streaming reader
        source = f"read_parquet($paths, filename = '{_PATH}', union_by_name = true, hive_partitioning = false)"
    return (f"SELECT f, g, count(*), sum(strlen(t)), sum(length(t)), count(*) - count(t) "
            f"FROM (SELECT {_sql_name(_PATH)} AS f, {group} AS g, {text} AS t FROM {source}) GROUP BY f, g")


def _json_columns(options: ScanOptions, text_as_json: bool) -> str:
    """read_json's ``columns``: the text and group fields (dotted paths are nested structs)."""
    def sql_type(node: dict[str, Any] | None, dotted: str) -> str:
        if node is None:
            return "JSON" if text_as_json and dotted == options.text_field else "VARCHAR"
        return "STRUCT(" + ", ".join(f"{_sql_name(k)} {sql_type(v, f'{dotted}.{k}')}" for k, v in node.items()) + ")"

    return "{" + ", ".join(f"{_sql_string(k)}: {_sql_string(sql_type(v, k))}" for k, v in options.field_tree().items()) + "}"


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_path(dotted: str) -> str:
    return ".".join(_sql_name(part) for part in dotted.split("."))


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
