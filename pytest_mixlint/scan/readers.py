"""Counting one shard (or one part of it): JSONL (plain, .gz, .zst), Parquet, Arrow IPC.

The streaming readers: they read any file in bounded memory, split into parts for parallel
processes, and name the line of bad data (fast.py's DuckDB is faster on whole files, but hands
what it rejects to these). JSONL lines are decoded with msgspec into a struct holding only
the text and group fields (everything else is skipped by the decoder, in C). Parquet and Arrow
are aggregated column-wise with pyarrow.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from functools import lru_cache
from operator import attrgetter
from typing import Any, BinaryIO

import msgspec

from .counts import Counts, Group, GroupCounts, ScanError, ScanOptions
from .sampling import TokenSampler
from .tokens import TokenizerError

BLOCK = 8 << 20  # bytes read at a time: bounds memory whatever the file size
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
COMPRESSED_SUFFIXES = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}


def format_of(path: str) -> tuple[str, str | None]:
    """('jsonl' | 'parquet' | 'arrow', compression) from the file name."""
    lower = path.lower()
    compression = None
    for suffix, name in COMPRESSED_SUFFIXES.items():
        if lower.endswith(suffix):
            compression, lower = name, lower[: -len(suffix)]
            break
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl", compression
    if lower.endswith(".parquet") and compression is None:
        return "parquet", None
    if lower.endswith((".arrow", ".feather", ".ipc")) and compression is None:
        return "arrow", None
    raise ScanError(path, None, "unsupported data file format",
                    "mixlint reads .jsonl/.json/.ndjson (plain, .gz, .zst), .parquet and .arrow files")


def count_shard(path: str, options: ScanOptions, part: tuple[int, int] | None = None) -> GroupCounts:
    """Counts of one file, or of ``part`` of it: a byte range of a plain JSONL file, a range of
    row groups of a Parquet file. Raises ScanError for bad data."""
    kind, compression = format_of(path)
    try:
        if kind == "jsonl":
            return _count_jsonl(path, options, compression, part)
        if kind == "parquet":
            return _count_parquet(path, options, part)
        return _count_arrow(path, options)
    except OSError as exc:
        raise ScanError(path, None, f"cannot read: {exc.strerror or exc}") from None
    except TokenizerError as exc:  # the tokenizer changed or vanished since the scan began
        raise ScanError(path, None, str(exc), "tokenizers are read from a local tokenizer.json") from None


# --- JSONL ------------------------------------------------------------------------------------

@lru_cache(maxsize=32)
def _decoder(options: ScanOptions) -> tuple[msgspec.json.Decoder, tuple[str, ...], tuple[str, ...] | None]:
    """A decoder of only the fields we need, and the attribute paths to them."""
    tree = options.field_tree()

    def build(name: str, subtree: dict[str, Any]) -> Any:
        # Attributes f0, f1, ... renamed to the JSON keys, so any key (dashes, dots) works.
        fields = [(f"f{i}", object if child is None else build(f"{name}_{i}", child) | None, None)
                  for i, child in enumerate(subtree.values())]
        return msgspec.defstruct(name, fields, rename={f"f{i}": key for i, key in enumerate(subtree)})

    root = build("Document", tree)
    resolved: dict[str, tuple[str, ...]] = {}

    def walk(subtree: dict[str, Any], keys: tuple[str, ...], attrs: tuple[str, ...]) -> None:
        for i, (key, child) in enumerate(subtree.items()):
            if child is None:
                resolved[".".join(keys + (key,))] = attrs + (f"f{i}",)
            else:
                walk(child, keys + (key,), attrs + (f"f{i}",))

    walk(tree, (), ())
    text_path = resolved[options.text_field]
    group_path = resolved[options.group_by] if options.group_by else None
    return msgspec.json.Decoder(root), text_path, group_path


def _open_jsonl(path: str, compression: str | None) -> BinaryIO:
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller through the returned stream
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "zstd":
        import zstandard

        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True), BLOCK)  # type: ignore[return-value]
    return raw


def _lines(stream: BinaryIO, limit: int | None) -> Iterator[bytes]:
    """Lines of ``stream`` (without newlines); with ``limit``, those starting in its first
    ``limit`` bytes (the last one is read to its end)."""
    rest = b""
    remaining = limit
    while remaining is None or remaining > 0:
        data = stream.read(BLOCK if remaining is None else min(BLOCK, remaining))
        if not data:
            break
        if remaining is not None:
            remaining -= len(data)
        lines = (rest + data).split(b"\n")
        rest = lines.pop()
        yield from lines
    if limit is not None and rest:
        rest += stream.readline().rstrip(b"\n")
    if rest:
        yield rest


def _count_jsonl(path: str, options: ScanOptions, compression: str | None, part: tuple[int, int] | None) -> GroupCounts:
    decode_struct, text_path, group_path = _decoder(options)
    decode = decode_struct.decode
    text_of = attrgetter(".".join(text_path))
    group_of = attrgetter(".".join(group_path)) if group_path else None
    groups: dict[Group, list[int]] = {}
    sampler = _sampler(path, options, part)
    with _open_jsonl(path, compression) as stream:
        limit = None
        start = 0
        if part is not None:
            start, end = part
            if start > 0:  # begin at the first line that starts inside the range
                stream.seek(start - 1)
                if stream.read(1) != b"\n":
                    skipped = stream.readline()
                    start += len(skipped)
            limit = end - start
        line_number = 0
        try:
            for line_number, line in enumerate(_lines(stream, limit), start=1):  # noqa: B007
                if not line or line.isspace():
                    continue
                try:
                    document = decode(line)
                except (msgspec.DecodeError, UnicodeDecodeError) as exc:
                    raise _bad_line(path, start, line_number, line, exc) from None
                try:
                    text = text_of(document)
                except AttributeError:  # a parent object of the field is missing (None)
                    text = None
                if type(text) is not str:
                    raise _bad_text(path, start, line_number, options, text)
                group = _group(document, group_of) if group_of else None
                counts = groups.get(group)
                if counts is None:
                    counts = groups[group] = [0, 0, 0]
                length = len(text)
                counts[0] += 1
                counts[1] += length if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
                counts[2] += length
                if sampler is not None:
                    sampler.add(group, text)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise ScanError(path, None, f"corrupt or truncated gzip data after line {line_number}: {exc}",
                            "re-create or re-download the shard") from None
        except Exception as exc:
            if type(exc).__name__ == "ZstdError":
                raise ScanError(path, None, f"corrupt or truncated zstd data after line {line_number}: {exc}",
                                "re-create or re-download the shard") from None
            raise
    return _with_tokens(GroupCounts({g: Counts(d, b, c) for g, (d, b, c) in groups.items()}), sampler)


def _sampler(path: str, options: ScanOptions, part: tuple[int, int] | None) -> TokenSampler | None:
    if options.tokenizer is None:
        return None
    return TokenSampler(options, f"{os.path.basename(path)}|{part}")


def _with_tokens(counts: GroupCounts, sampler: TokenSampler | None) -> GroupCounts:
    if sampler is not None:
        for group, tally in sampler.tallies().items():
            counts.groups[group].tokens = tally
    return counts


def _group(document: Any, group_of: attrgetter) -> Group:
    try:
        value = group_of(document)
    except AttributeError:  # a parent object of the field is missing (None)
        return None
    if value is None or type(value) is str:
        return value
    # Spelled as DuckDB (fast.py) spells a JSON value cast to text, so that both engines name the
    # same groups: true, 1.5, {"k":1}.
    return msgspec.json.encode(value).decode() if isinstance(value, (bool, dict, list)) else str(value)


def _absolute_line(path: str, start: int, line_number: int) -> int:
    """The file's line number of the ``line_number``-th line of a part starting at ``start``
    (counted only when something is wrong, so the hot path never counts newlines)."""
    if start == 0:
        return line_number
    before = 0
    with open(path, "rb") as handle:
        remaining = start
        while remaining > 0:
            data = handle.read(min(BLOCK, remaining))
            if not data:
                break
            before += data.count(b"\n")
            remaining -= len(data)
    return before + line_number


def _bad_line(path: str, start: int, line_number: int, line: bytes, exc: Exception) -> ScanError:
    line_no = _absolute_line(path, start, line_number)
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return ScanError(path, line_no, f"invalid UTF-8 (byte 0x{line[bad.start]:02x} at column {bad.start + 1})",
                         "data files must be UTF-8 encoded")
    message = str(exc)
    if "Object missing" in message or "Expected `" in message:
        return ScanError(path, line_no, f"unexpected document shape: {message}")
    return ScanError(path, line_no, f"invalid JSON: {message}", "each line of a JSONL file is one JSON object")


def _bad_text(path: str, start: int, line_number: int, options: ScanOptions, text: Any) -> ScanError:
    line_no = _absolute_line(path, start, line_number)
    if text is None:
        return ScanError(path, line_no, f"document has no text field {options.text_field!r}",
                         "set scan.text_field (in a manifest, or under `mixlint:` in a card) to the field holding the text")
    return ScanError(path, line_no, f"text field {options.text_field!r} is a {type(text).__name__}, not a string")


# --- Parquet and Arrow ------------------------------------------------------------------------

def _columns(options: ScanOptions) -> list[str]:
    names = [options.text_field.split(".")[0]]
    if options.group_by and options.group_by.split(".")[0] not in names:
        names.append(options.group_by.split(".")[0])
    return names


def _column(table: Any, dotted: str) -> Any:
    import pyarrow.compute as pc

    parts = dotted.split(".")
    column = table.column(parts[0])
    for part in parts[1:]:
        column = pc.struct_field(column, part)
    return column


def _aggregate(table: Any, options: ScanOptions, path: str, where: str, sampler: TokenSampler | None) -> GroupCounts:
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = _column(table, options.text_field)
    except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError):
        raise ScanError(path, None, f"{where}: no text field {options.text_field!r}",
                        "set scan.text_field (in a manifest, or under `mixlint:` in a card) to the column holding the text") from None
    if not is_string_type(text.type):
        raise ScanError(path, None, f"{where}: text field {options.text_field!r} is {text.type}, not a string")
    if text.null_count:
        raise ScanError(path, None, f"{where}: {text.null_count} documents have no text in {options.text_field!r}")
    columns = {"b": pc.binary_length(text), "c": pc.utf8_length(text)}
    if options.group_by:
        try:
            columns["g"] = pc.cast(_column(table, options.group_by), pa.string())
        except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            columns["g"] = pa.nulls(len(text), pa.string())
    else:
        columns["g"] = pa.nulls(len(text), pa.string())
    if sampler is not None:
        for group, value in zip(columns["g"].to_pylist(), text.to_pylist(), strict=True):
            sampler.add(group, value)
    grouped = pa.table(columns).group_by("g").aggregate([("b", "count"), ("b", "sum"), ("c", "sum")])
    result = GroupCounts()
    for row in grouped.to_pylist():
        result.groups[row["g"]] = Counts(row["b_count"], row["b_sum"] or 0, row["c_sum"] or 0)
    return result


def is_string_type(arrow_type: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_string_view(arrow_type))


def _count_parquet(path: str, options: ScanOptions, part: tuple[int, int] | None) -> GroupCounts:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path, memory_map=True)
        first, last = part if part is not None else (0, parquet.num_row_groups)
        result = GroupCounts()
        sampler = _sampler(path, options, part)
        for index in range(first, last):
            table = parquet.read_row_group(index, columns=_columns(options))
            result.merge(_aggregate(table, options, path, f"row group {index}", sampler))
        return _with_tokens(result, sampler)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise ScanError(path, None, f"corrupt or truncated Parquet file: {exc}", "re-create or re-download the shard") from None
    except KeyError as exc:
        raise ScanError(path, None, f"no column {exc}", "set scan.text_field (in a manifest, or under `mixlint:` in a card) to the column holding the text") from None


def parquet_row_groups(path: str) -> int:
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).num_row_groups)
    except Exception:  # reported properly when the shard is counted
        return 1


def _count_arrow(path: str, options: ScanOptions) -> GroupCounts:
    import pyarrow as pa
    import pyarrow.ipc as ipc

    try:
        with pa.memory_map(path) as source:
            try:
                reader: Any = ipc.open_file(source)
                batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
            except pa.ArrowInvalid:  # the streaming format (as datasets' cache files)
                source.seek(0)
                reader = ipc.open_stream(source)
                batches = iter(reader)
            result = GroupCounts()
            sampler = _sampler(path, options, None)
            for i, batch in enumerate(batches):
                result.merge(_aggregate(pa.Table.from_batches([batch]), options, path, f"record batch {i}", sampler))
            return _with_tokens(result, sampler)
    except (pa.ArrowInvalid, pa.ArrowIOError) as exc:
        raise ScanError(path, None, f"corrupt or truncated Arrow file: {exc}", "re-create or re-download the shard") from None


def file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
