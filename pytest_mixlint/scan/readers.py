"""Counting one shard (or one part of it): JSON Lines (plain, .gz, .zst), JSON arrays, and, through
columnar.py, Parquet and Arrow IPC.

The streaming readers: they read any file in bounded memory, split into parts for parallel
processes, and name the line of bad data (fast.py's DuckDB is faster on whole files, but hands
what it rejects to these). JSON lines are decoded with msgspec into a struct holding only
the text and group fields (everything else is skipped by the decoder, in C).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Any, BinaryIO

import msgspec

from .columnar import count_arrow, count_parquet
from .counts import Counts, Group, GroupCounts, ScanError, ScanOptions
from .integrity import preflight
from .json_fields import NotJson, field_value, read_fields
from .sampling import sampler_for, with_tokens
from .shards import BLOCK, BOM, format_of, open_json
from .sniff import is_json_array
from .tokens import TokenizerError


def count_shard(path: str, options: ScanOptions, part: tuple[int, int] | None = None) -> GroupCounts:
    """Counts of one file, or of ``part`` of it: a byte range of a plain JSONL file, a range of
    row groups of a Parquet file. Raises ScanError for bad data (a whole file is first checked
    for what no reader notices: a cut-short ``.zst``, a bomb)."""
    kind, compression = format_of(path)
    try:
        problem = preflight(path, kind, compression, options) if part is None else None
        if problem is not None:
            raise problem
        if kind == "jsonl" and is_json_array(path, compression, options):
            return _count_json_array(path, options, compression)
        if kind == "jsonl":
            return _count_jsonl(path, options, compression, part)
        if kind == "parquet":
            return count_parquet(path, options, part)
        return count_arrow(path, options)
    except OSError as exc:
        raise ScanError(path, None, f"cannot read: {exc.strerror or exc}") from None
    except TokenizerError as exc:  # the tokenizer changed or vanished since the scan began
        raise ScanError(path, None, str(exc), "tokenizers are read from a local tokenizer.json") from None


# --- JSONL ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Reader:
    """How to decode a document and get at its text and group: a msgspec struct of only those
    fields (everything else is skipped in C), or plain objects when a field name is one msgspec
    cannot rename to (a quote or backslash in it)."""

    decode: Any  # bytes -> a document
    array: Any  # bytes -> a list of documents
    text_of: Any  # document -> value (AttributeError: a parent is missing)
    group_of: Any  # document -> value, or None when not grouped


@lru_cache(maxsize=32)
def _reader(options: ScanOptions) -> _Reader:
    tree = options.field_tree()
    if any(_unrenamable(key) for key in _keys(tree)):
        return _Reader(msgspec.json.Decoder().decode, msgspec.json.Decoder(list).decode,
                       _dig(options.text_field), _dig(options.group_by) if options.group_by else None)

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
    group = attrgetter(".".join(resolved[options.group_by])) if options.group_by else None
    return _Reader(msgspec.json.Decoder(root).decode, msgspec.json.Decoder(list[root]).decode,  # type: ignore[valid-type]
                   attrgetter(".".join(resolved[options.text_field])), group)


def _keys(tree: dict[str, Any]) -> Iterator[str]:
    for key, child in tree.items():
        yield key
        if child is not None:
            yield from _keys(child)


def _unrenamable(key: str) -> bool:
    return any(c in key for c in '"\\') or any(ord(c) < 0x20 for c in key)


def _dig(dotted: str) -> Any:
    return lambda document: field_value(document, dotted)


class _LineTooLong(Exception):
    """The next line is longer than the limit allows (raised before it is read whole)."""


def _lines(stream: BinaryIO, limit: int | None, max_line: int) -> Iterator[bytes]:
    """Lines of ``stream`` (without newlines); with ``limit``, those starting in its first
    ``limit`` bytes (the last one is read to its end). A line longer than ``max_line`` raises
    _LineTooLong as soon as that many bytes of it are read; a long line is gathered in pieces
    (never re-copied per block)."""
    pending: list[bytes] = []  # the start of a line that runs past the blocks read so far
    pending_bytes = 0
    remaining = limit
    while remaining is None or remaining > 0:
        data = stream.read(BLOCK if remaining is None else min(BLOCK, remaining))
        if not data:
            break
        if remaining is not None:
            remaining -= len(data)
        lines = data.split(b"\n")
        if len(lines) == 1:  # no line ends in this block
            pending.append(data)
            pending_bytes += len(data)
            if pending_bytes > max_line:
                raise _LineTooLong
            continue
        if pending:
            lines[0] = b"".join(pending) + lines[0]
        last = lines.pop()
        pending, pending_bytes = ([last], len(last)) if last else ([], 0)
        if max(map(len, lines)) > max_line:  # rare: the lines before the long one, then stop
            for line in lines:
                if len(line) > max_line:
                    raise _LineTooLong
                yield line
        else:
            yield from lines
    if limit is not None and pending:  # the last line of a part: read on to its end
        while True:
            data = stream.readline(BLOCK)
            pending.append(data.rstrip(b"\n"))
            pending_bytes += len(data)
            if pending_bytes > max_line:
                raise _LineTooLong
            if not data or data.endswith(b"\n"):
                break
    if pending:
        yield b"".join(pending)


def _count_jsonl(path: str, options: ScanOptions, compression: str | None, part: tuple[int, int] | None) -> GroupCounts:
    reader = _reader(options)
    decode, text_of, group_of = reader.decode, reader.text_of, reader.group_of
    groups: dict[Group, list[int]] = {}
    sampler = sampler_for(path, options, part)
    with open_json(path, compression, options.limits) as stream:
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
            for line_number, line in enumerate(_lines(stream, limit, options.limits.document_bytes), start=1):  # noqa: B007
                if line_number == 1 and start == 0 and line.startswith(BOM):
                    line = line[len(BOM):]  # a byte-order mark before the first document (DuckDB skips it too)
                if not line or line.isspace():
                    continue
                try:
                    document = decode(line)
                    try:
                        text = text_of(document)
                    except AttributeError:  # a parent object of the field is missing (None)
                        text = None
                    group = _group(document, group_of) if group_of else None
                except (msgspec.DecodeError, RecursionError, UnicodeDecodeError) as exc:
                    text, group = _refused_line(path, start, line_number, line, exc, options)
                if type(text) is not str:
                    raise _bad_text(path, start, line_number, options, text)
                counts = groups.get(group)
                if counts is None:
                    counts = groups[group] = [0, 0, 0]
                counts[0] += 1
                counts[1] += utf8_length(text)
                counts[2] += len(text)
                if sampler is not None:
                    sampler.add(group, text)
        except _LineTooLong:
            raise ScanError(path, _absolute_line(path, start, line_number + 1),
                            f"a document longer than {options.limits.document_bytes:,} bytes",
                            "a line of JSON Lines is one document; if it really is, raise the mixlint_max_document_bytes "
                            "ini option") from None
        except Exception as exc:
            raise _as_scan_error(path, compression, f"after line {line_number}", exc) from None
    return with_tokens(GroupCounts({g: Counts(d, b, c) for g, (d, b, c) in groups.items()}), sampler)


def _as_scan_error(path: str, compression: str | None, where: str, exc: Exception) -> Exception:
    """A decompressor's complaint (gzip, ISA-L, zstandard) as a located ScanError; anything else
    as it is."""
    if isinstance(exc, (EOFError, gzip.BadGzipFile, zlib.error)) or type(exc).__name__ in ("ZstdError", "IsalError"):
        return ScanError(path, None, f"corrupt or truncated {compression or 'compressed'} data {where}: {exc}".replace("  ", " "),
                         "re-create or re-download the shard")
    return exc


def _count_json_array(path: str, options: ScanOptions, compression: str | None) -> GroupCounts:
    """A JSON array of documents, read whole (DuckDB streams it; this reader only sees it when
    DuckDB refused it, or to sample tokens), at most mixlint_max_document_bytes of it."""
    limit = options.limits.document_bytes
    try:
        with open_json(path, compression, options.limits) as stream:
            data = stream.read(limit + 1)
    except Exception as exc:
        raise _as_scan_error(path, compression, "", exc) from None
    if len(data) > limit:
        raise ScanError(path, None, f"a JSON array file of more than {limit:,} bytes is not read whole",
                        "write it as JSON Lines (one document per line), or raise the mixlint_max_document_bytes ini option")
    reader = _reader(options)
    try:
        documents = reader.array(data.removeprefix(BOM))
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ScanError(path, None, f"invalid JSON array of documents: {exc}",
                        "a .json file holds JSON Lines, or one array of JSON objects") from None
    text_of, group_of = reader.text_of, reader.group_of
    groups: dict[Group, Counts] = {}
    sampler = sampler_for(path, options, None)
    for index, document in enumerate(documents):
        try:
            text = text_of(document)
        except AttributeError:
            text = None
        if type(text) is not str:
            raise ScanError(path, None, f"document {index} of the array has no string text field {options.text_field!r}")
        group = _group(document, group_of) if group_of else None
        counts = groups.setdefault(group, Counts())
        counts.documents += 1
        counts.bytes += utf8_length(text)
        counts.characters += len(text)
        if sampler is not None:
            sampler.add(group, text)
    return with_tokens(GroupCounts(groups), sampler)


def utf8_length(text: str) -> int:
    """Bytes of ``text`` in UTF-8, as DuckDB's strlen counts them (a lone surrogate, which JSON
    can spell and DuckDB keeps as its three bytes, too)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _refused_line(path: str, start: int, line_number: int, line: bytes, exc: Exception,
                  options: ScanOptions) -> tuple[Any, Group]:
    """Text and group of a line msgspec refused, read as DuckDB reads it (NaN or a lone surrogate
    in a field, nesting too deep to recurse in a field nobody reads); a line that is really
    broken is a located ScanError."""
    try:
        document = json.loads(line)
    except RecursionError:
        try:
            document = read_fields(line, options.field_tree())
        except NotJson:
            raise _bad_line(path, start, line_number, line, exc) from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        raise _bad_line(path, start, line_number, line, exc) from None
    if not isinstance(document, dict):
        raise _bad_line(path, start, line_number, line, exc)
    group = _group_value(field_value(document, options.group_by)) if options.group_by else None
    return field_value(document, options.text_field), group


def _group(document: Any, group_of: Any) -> Group:
    try:
        value = group_of(document)
    except AttributeError:  # a parent object of the field is missing (None)
        return None
    return _group_value(value)


def _group_value(value: Any) -> Group:
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
    if line_no == 1 and _head(path).lstrip(b"{ \r\n").startswith(b'"mixlint_report"'):
        return ScanError(path, None, "a mixlint report, not data",
                         "write reports outside the data files' patterns (or delete this one)")
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return ScanError(path, line_no, f"invalid UTF-8 (byte 0x{line[bad.start]:02x} at column {bad.start + 1})",
                         "data files must be UTF-8 encoded")
    message = str(exc)
    if "truncated" in message:
        return ScanError(path, line_no, "invalid JSON: the line ends inside its document",
                         "a document cut short (a line break inside it, or a file cut short if this is its last "
                         "line: re-create or re-download it)")
    if "Object missing" in message or "Expected `" in message:
        return ScanError(path, line_no, f"unexpected document shape: {message}",
                         "each line of a JSON Lines file is one JSON object; a .json file may also hold one array of them")
    return ScanError(path, line_no, f"invalid JSON: {message}", "each line of a JSON Lines file is one JSON object")


def _head(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(64)
    except OSError:
        return b""


def _bad_text(path: str, start: int, line_number: int, options: ScanOptions, text: Any) -> ScanError:
    line_no = _absolute_line(path, start, line_number)
    if text is None:
        return ScanError(path, line_no, f"document has no text field {options.text_field!r}",
                         "set scan.text_field (in a manifest, or under `mixlint:` in a card) to the field holding the text")
    return ScanError(path, line_no, f"text field {options.text_field!r} is a {type(text).__name__}, not a string")
