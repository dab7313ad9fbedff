"""Counting Parquet and Arrow IPC shards with pyarrow, column-wise, and the checks both engines
share: which columns are the text and the group (names are case-sensitive and must be unique),
which types they may have, and how far the file may expand once decompressed.

DuckDB (fast.py) counts a Parquet file only when :func:`columns_of` finds nothing wrong and no
column name differs from the text's or group's in case alone (DuckDB's names are
case-insensitive), so that both engines read the same column and spell its values alike.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from ..limits import Limits
from .counts import Counts, GroupCounts, ScanError, ScanOptions
from .sampling import TokenSampler, sampler_for, with_tokens

BATCH_ROWS = 16_384  # Parquet rows decoded at a time: bounds memory whatever the row group size
TEXT_HINT = "set scan.text_field (in a manifest, or under `mixlint:` in a card) to the column holding the text"
REREAD_HINT = "re-create or re-download the shard"


@dataclass(frozen=True)
class Columns:
    """The text and group columns of a file: a problem (a located error in either engine), or
    whether DuckDB may count it."""

    problem: str | None
    hint: str | None = None
    duckdb_reads_alike: bool = True


def columns_of(schema: Any, options: ScanOptions) -> Columns:
    text, problem, alike = _locate(schema, options.text_field)
    if problem:
        return Columns(problem, TEXT_HINT, False)
    if text is None:
        return Columns(f"no text column {options.text_field!r}", TEXT_HINT, False)
    if not is_string_type(text.type):
        return Columns(f"text column {options.text_field!r} is {text.type}, not a string", TEXT_HINT, False)
    if not options.group_by:
        return Columns(None, None, alike)
    group, problem, group_alike = _locate(schema, options.group_by)
    if problem:
        return Columns(problem, "set scan.group_by to the column naming each document's source", False)
    if group is not None and not _names_a_group(group.type):
        return Columns(f"group_by column {options.group_by!r} is {group.type}: a value that names a source is "
                       "a string, an integer or a boolean", "group by another column, or cast this one when writing the file",
                       False)
    return Columns(None, None, alike and group_alike)


def _locate(schema: Any, dotted: str) -> tuple[Any, str | None, bool]:
    """(the field at ``dotted`` or None, a problem, whether no sibling name differs in case alone)."""
    import pyarrow as pa

    parts = dotted.split(".")
    fields = list(schema)
    found: Any = None
    alike = True
    for depth, part in enumerate(parts):
        if found is not None:
            if not pa.types.is_struct(found.type):
                return None, None, alike
            fields = [found.type.field(i) for i in range(found.type.num_fields)]
        where = ".".join(parts[: depth + 1])
        exact = [f for f in fields if f.name == part]
        folded = [f for f in fields if f.name.casefold() == part.casefold()]
        if len(exact) > 1:
            return None, f"{len(exact)} columns are named {where!r}", False
        if not exact:
            if folded:
                return None, f"no column {where!r} (there is {folded[0].name!r}: column names are case-sensitive)", False
            return None, None, alike
        alike = alike and len(folded) == 1
        found = exact[0]
    return found, None, alike


def is_string_type(arrow_type: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        return is_string_type(arrow_type.value_type)
    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_string_view(arrow_type))


def _names_a_group(arrow_type: Any) -> bool:
    """Types both engines spell alike as text: strings, integers, booleans, 64-bit floats (``1.0``),
    and a column of nulls. (Others differ: float32 0.1 is 0.10000000149011612 to pyarrow, 0.1 to
    DuckDB; timestamps, binary and decimals are spelled differently too.)"""
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        return _names_a_group(arrow_type.value_type)
    return bool(is_string_type(arrow_type) or pa.types.is_integer(arrow_type) or pa.types.is_boolean(arrow_type)
                or pa.types.is_float64(arrow_type) or pa.types.is_null(arrow_type))


# --- Parquet ----------------------------------------------------------------------------------

def count_parquet(path: str, options: ScanOptions, part: tuple[int, int] | None) -> GroupCounts:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path, memory_map=True)
        _raise(path, columns_of(parquet.schema_arrow, options))
        first, last = part if part is not None else (0, parquet.num_row_groups)
        result = GroupCounts()
        sampler = sampler_for(path, options, part)
        names = [name for name in _roots(options) if name in parquet.schema_arrow.names]
        problem = parquet_expansion(parquet.metadata, path, options.limits)
        if problem is not None:
            raise problem
        for index in range(first, last):
            for batch in parquet.iter_batches(BATCH_ROWS, row_groups=[index], columns=names, use_threads=False):
                # Parquet's decoder does not check UTF-8: the Arrow and JSON readers refuse invalid text
                batch.validate(full=True)
                result.merge(_aggregate(batch, options, path, f"row group {index}", sampler))
        return with_tokens(result, sampler)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise ScanError(path, None, f"corrupt or truncated Parquet file: {exc}", REREAD_HINT) from None


def parquet_check(path: str, options: ScanOptions) -> tuple[ScanError | None, bool]:
    """What is wrong with a Parquet file before any page is decompressed (its columns, its
    expansion past the limit), or None; and whether DuckDB may count it (not when a column's
    name DuckDB would confuse with the text's or group's). One read of the footer: on many
    small files it is most of the cost (0.6 ms for a 30-field schema)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        columns = columns_of(parquet.schema_arrow, options)
        if columns.problem:
            return ScanError(path, None, columns.problem, columns.hint), False
        return parquet_expansion(parquet.metadata, path, options.limits), columns.duckdb_reads_alike
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        return ScanError(path, None, f"corrupt or truncated Parquet file: {exc}", REREAD_HINT), False


def parquet_problem(path: str, options: ScanOptions) -> ScanError | None:
    return parquet_check(path, options)[0]


def parquet_expansion(metadata: Any, path: str, limits: Limits) -> ScanError | None:
    """A Parquet file whose row groups declare more bytes, once decompressed, than the limit allows.
    (Row-group totals, over every column: pyarrow aborts the process on some corrupt column-chunk
    metadata, which it reads only for a page it decodes.)"""
    import os

    size = os.path.getsize(path)
    declared = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if declared > limits.expansion_allowed(size):
        return ScanError(path, None, f"its row groups expand to {declared:,} bytes, more than {limits.compression_ratio:g} "
                         "times its size (mixlint_max_compression_ratio)",
                         "a Parquet bomb, or data so repetitive that it deserves a look; raise the limit to read it")
    return None


def parquet_row_groups(path: str) -> int:
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).num_row_groups)
    except Exception:  # reported properly when the shard is counted
        return 1


# --- Arrow IPC --------------------------------------------------------------------------------

def count_arrow(path: str, options: ScanOptions) -> GroupCounts:
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
            _raise(path, columns_of(reader.schema, options))
            names = [name for name in _roots(options) if name in reader.schema.names]
            result = GroupCounts()
            sampler = sampler_for(path, options, None)
            for i, batch in enumerate(batches):
                # A corrupt offset in an Arrow buffer makes compute kernels read out of bounds (a
                # crash of the whole run, not an exception): the columns read are checked first.
                batch = batch.select(names)
                batch.validate(full=True)
                result.merge(_aggregate(batch, options, path, f"record batch {i}", sampler))
            return with_tokens(result, sampler)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise ScanError(path, None, f"corrupt or truncated Arrow file: {exc}", REREAD_HINT) from None


def arrow_expansion(path: str, size: int, limits: Limits) -> ScanError | None:
    """An Arrow IPC file whose compressed record batches declare more bytes than the limit allows
    (each compressed buffer starts with its decompressed length), before any is decompressed."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    declared = 0
    try:
        with pa.memory_map(path) as source:
            if source.read(8) != b"ARROW1\x00\x00":  # the file format's magic; else the streaming format
                source.seek(0)
            for message in ipc.MessageReader.open_stream(source):
                if message.type in ("record batch", "dictionary batch"):
                    declared += _declared_body_bytes(message.metadata.to_pybytes(), message.body)
    except (pa.ArrowException, OSError, ValueError, struct.error) as exc:
        return ScanError(path, None, f"corrupt or truncated Arrow file: {exc}", REREAD_HINT)
    allowed = limits.expansion_allowed(size)
    if declared > allowed:
        return ScanError(path, None, f"its record batches expand to {declared:,} bytes, more than "
                         f"{limits.compression_ratio:g} times its size (mixlint_max_compression_ratio)",
                         "an Arrow bomb, or data so repetitive that it deserves a look; raise the limit to read it")
    return None


def _declared_body_bytes(metadata: bytes, body: Any) -> int:
    """Bytes a record or dictionary batch's buffers take once decompressed, from its flatbuffer
    metadata (Message.fbs: Message.header -> RecordBatch.buffers, RecordBatch.compression)."""
    flat = _Flatbuffer(metadata)
    message = flat.table(flat.offset(0))
    header_type, header = message.scalar(1, "B", 0), message.offset(2)
    if header is None:
        return 0
    batch = flat.table(header)
    if header_type == 2:  # a DictionaryBatch holds its values in a RecordBatch
        data = batch.offset(1)
        if data is None:
            return 0
        batch = flat.table(data)
    elif header_type != 3:
        return 0
    buffers = batch.offset(2)
    if buffers is None:
        return 0
    compressed = batch.offset(3) is not None
    total = 0
    for i in range(flat.u32(buffers)):
        offset, length = flat.unpack("<qq", buffers + 4 + 16 * i)
        if compressed and length >= 8:
            if offset < 0 or offset + 8 > body.size:
                raise ValueError("a buffer lies outside its message's body")
            (declared,) = struct.unpack("<q", body.slice(offset, 8).to_pybytes())
            total += length - 8 if declared == -1 else declared  # -1: this buffer was left uncompressed
        else:
            total += length
    return total


class _Flatbuffer:
    """The few reads of a flatbuffer that :func:`_declared_body_bytes` needs, each bounds-checked
    (a corrupt file is a ValueError, never a read elsewhere)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def unpack(self, fmt: str, position: int) -> tuple[Any, ...]:
        if position < 0 or position + struct.calcsize(fmt) > len(self.data):
            raise ValueError("a message's metadata points outside itself")
        return struct.unpack_from(fmt, self.data, position)

    def u32(self, position: int) -> int:
        return int(self.unpack("<I", position)[0])

    def offset(self, position: int) -> int:
        return position + self.u32(position)

    def table(self, position: int) -> _Table:
        return _Table(self, position)


class _Table:
    def __init__(self, flat: _Flatbuffer, position: int) -> None:
        self.flat, self.position = flat, position
        self.vtable = position - flat.unpack("<i", position)[0]
        self.vtable_size = flat.unpack("<H", self.vtable)[0]

    def _field(self, index: int) -> int | None:
        entry = 4 + 2 * index
        if entry + 2 > self.vtable_size:
            return None
        relative = self.flat.unpack("<H", self.vtable + entry)[0]
        return self.position + relative if relative else None

    def scalar(self, index: int, fmt: str, default: int) -> int:
        position = self._field(index)
        return default if position is None else int(self.flat.unpack("<" + fmt, position)[0])

    def offset(self, index: int) -> int | None:
        position = self._field(index)
        return None if position is None else self.flat.offset(position)


# --- Both -------------------------------------------------------------------------------------

def _roots(options: ScanOptions) -> list[str]:
    """The top-level columns read: those of the text and the group."""
    names = [options.text_field.split(".")[0]]
    if options.group_by and options.group_by.split(".")[0] not in names:
        names.append(options.group_by.split(".")[0])
    return names


def _raise(path: str, columns: Columns) -> None:
    if columns.problem:
        raise ScanError(path, None, columns.problem, columns.hint)


def _column(batch: Any, dotted: str) -> Any:
    import pyarrow.compute as pc

    parts = dotted.split(".")
    column = batch.column(parts[0])
    for part in parts[1:]:
        column = pc.struct_field(column, part)
    return column


def _aggregate(batch: Any, options: ScanOptions, path: str, where: str, sampler: TokenSampler | None) -> GroupCounts:
    import pyarrow as pa
    import pyarrow.compute as pc

    text = _column(batch, options.text_field)  # a string column: columns_of checked it
    if pa.types.is_dictionary(text.type):  # dictionary-encoded strings are strings
        text = text.cast(text.type.value_type)
    if text.null_count:
        raise ScanError(path, None, f"{where}: {text.null_count} documents have no text in {options.text_field!r}")
    columns = {"b": pc.binary_length(text), "c": pc.utf8_length(text),
               "g": _group_column(batch, options, path, where) if options.group_by else pa.nulls(len(text), pa.string())}
    if sampler is not None:
        for group, value in zip(columns["g"].to_pylist(), text.to_pylist(), strict=True):
            sampler.add(group, value)
    grouped = pa.table(columns).group_by("g").aggregate([("b", "count"), ("b", "sum"), ("c", "sum")])
    result = GroupCounts()
    for row in grouped.to_pylist():
        result.groups[row["g"]] = Counts(row["b_count"], row["b_sum"] or 0, row["c_sum"] or 0)
    return result


def _group_column(batch: Any, options: ScanOptions, path: str, where: str) -> Any:
    """The group values as strings, spelled as DuckDB spells them (``1.0``, ``true``); a missing
    column (or a missing parent of it) is all None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        column = _column(batch, options.group_by or "")
    except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.nulls(batch.num_rows, pa.string())
    if pa.types.is_floating(column.type):  # pyarrow writes 1.0 as "1", DuckDB and Python as "1.0"
        return pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())
    try:
        return pc.cast(column, pa.string())
    except pa.ArrowException as exc:
        raise ScanError(path, None, f"{where}: group_by column {options.group_by!r} cannot be read as text: {exc}") from None
