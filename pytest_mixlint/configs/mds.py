"""Exact token counts of a MosaicML Streaming (MDS) dataset, from its shards' headers.

An MDS directory has an ``index.json`` listing its shards (samples, columns, encodings, sizes)
and the shards. A shard starts with its sample count ``n`` and ``n + 1`` uint32 offsets: sample
``i`` is the bytes ``[offsets[i], offsets[i + 1])``. A sample is a uint32 size for every column
of variable size, then the columns' payloads, in ``column_names`` order. llm-foundry writes its
token samples as

- ``tokens: ndarray:int32`` (since mid-2024): a byte ``ndim << 2 | shape-width code``, the shape
  in the narrowest unsigned width that holds it, then the values;
- ``tokens: bytes`` (before): the values of the dtype the loader is told
  (``token_encoding_type``, int64 by default);
- ``tokens: ndarray:int32:2048``: fixed shape, and then ``index.json`` alone says the count.

So the offsets (``4 (n + 1)`` bytes a shard, read without the samples) give every sample's size,
and each size gives its token count: the shape width is the one of the four that makes the size
a whole number of tokens of that width's range. Only the header of a compressed shard is
decompressed. Samples have no document boundaries (concatenated text), so documents are unknown.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from typing import IO, Any

from ..access import FileAccess
from ..documents.syntax import read_text
from ..problems import MixlintError
from .tokenized import ITEM_BYTES, TokenizedCount, TokenizedError, allowed

_WIDTHS = (1, 2, 4, 8)  # the shape's unsigned width, narrowest first
TOKEN_COLUMNS = ("tokens", "input_ids")


def mds_counts(directory: str, bytes_dtype: str = "int64", access: FileAccess = FileAccess()) -> TokenizedCount:
    """Tokens of the MDS dataset in ``directory``. ``bytes_dtype``: the dtype of a ``bytes`` token
    column (llm-foundry's ``token_encoding_type``); ``access``: what its files may be (a shard
    ``index.json`` names must be a regular file inside the directory and the root)."""
    index_path = os.path.join(allowed(directory, access, directory=True), "index.json")
    if bytes_dtype not in ITEM_BYTES:
        raise TokenizedError(f"token_encoding_type {bytes_dtype!r} is not a dtype ({', '.join(ITEM_BYTES)})")
    try:
        shards = json.loads(read_text(index_path, index_path, access, confined=True))["shards"]
        if not isinstance(shards, list):
            raise TypeError
    except MixlintError as exc:
        raise TokenizedError(str(exc.problems[0])) from None
    except (ValueError, KeyError, TypeError):
        raise TokenizedError(f"{index_path}: not an MDS index (a JSON object with a list of shards)") from None
    tokens = 0
    for number, shard in enumerate(shards):
        try:
            tokens += _shard_tokens(directory, shard, bytes_dtype, access)
        except TokenizedError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, struct.error):
            raise TokenizedError(f"{index_path}: shard {number} is not described as MDS writes it") from None
    return TokenizedCount(None, tokens)


def _shard_tokens(directory: str, shard: dict, bytes_dtype: str, access: FileAccess) -> int:
    names, encodings, sizes = shard["column_names"], shard["column_encodings"], shard["column_sizes"]
    samples = int(shard["samples"])
    basename = shard["raw_data"]["basename"]
    column = next((name for name in TOKEN_COLUMNS if name in names), None)
    if shard.get("format") != "mds" or column is None:
        found = ", ".join(f"{n}: {e}" for n, e in zip(names, encodings, strict=True))
        raise TokenizedError(f"{os.path.join(directory, basename)}: no token column ({' or '.join(TOKEN_COLUMNS)}) "
                             f"among {found}: text needs a tokenizer (describe its data in a manifest)")
    at = names.index(column)
    encoding = encodings[at]
    kind, _, rest = encoding.partition(":")
    dtype, _, shape = rest.partition(":")
    if kind == "ndarray" and shape:  # fixed shape: index.json says it all
        tokens = 1
        for extent in shape.split(","):
            tokens *= int(extent)
        return samples * tokens
    if kind == "ndarray" and dtype in ITEM_BYTES:
        item, headed = ITEM_BYTES[dtype], True
    elif kind == "bytes":
        item, headed = ITEM_BYTES[bytes_dtype], False
    else:
        raise TokenizedError(f"{os.path.join(directory, basename)}: token column {column!r} is {encoding!r}, which "
                             "this does not count (ndarray:DTYPE, ndarray:DTYPE:SHAPE or bytes)")
    variable = [i for i, size in enumerate(sizes) if size is None]
    if variable != [at]:
        raise TokenizedError(f"{os.path.join(directory, basename)}: the token column is not the only one of variable "
                             "size: its samples cannot be counted from the shard's offsets")
    fixed = sum(size for size in sizes if size is not None)
    tokens = 0
    for i, size in enumerate(_sample_sizes(directory, shard, samples, access)):
        payload = size - 4 - fixed  # less the token column's size prefix and the fixed columns
        tokens += _sample_tokens(payload, item, headed, directory, basename, i)
    return tokens


def _sample_tokens(payload: int, item: int, headed: bool, directory: str, basename: str, i: int) -> int:
    if not headed:
        if payload % item:
            raise TokenizedError(f"{os.path.join(directory, basename)}: sample {i} is not a whole number of "
                                 f"{item}-byte tokens (is token_encoding_type the dtype it was written with?)")
        return payload // item
    for width in _WIDTHS:  # one byte ndim/width code, one extent of that width, the values
        values = payload - 1 - width
        if values >= 0 and values % item == 0 and _narrowest(values // item) == width:
            return values // item
    raise TokenizedError(f"{os.path.join(directory, basename)}: sample {i} ({payload} bytes) is not a 1-D token "
                         "array as llm-foundry writes them")


def _narrowest(extent: int) -> int:
    return next(width for width in _WIDTHS if extent < 1 << (8 * width))


_CHUNK = 1 << 16  # offsets read at a time: memory stays bounded whatever index.json claims


def _sample_sizes(directory: str, shard: dict, samples: int, access: FileAccess) -> Iterator[int]:
    """The size of each sample of the shard, from its ``n + 1`` offsets, read a chunk at a time
    (only the header of a compressed shard is decompressed)."""
    zipped: dict[str, Any] = shard.get("zip_data") or {}
    raw = _shard_path(directory, shard["raw_data"]["basename"], access, required=not zipped)
    path = raw or _shard_path(directory, zipped["basename"], access, required=True)
    assert path is not None
    expected_end = int(shard["raw_data"]["bytes"])
    if samples < 0 or 4 * (samples + 2) > expected_end:
        raise TokenizedError(f"{path}: index.json says {samples} samples in {expected_end:,} bytes")
    try:
        with _open_shard(path, raw is None, shard.get("compression") or "") as handle:
            head = _read(handle, 8)
            if len(head) < 8 or struct.unpack_from("<I", head)[0] != samples:
                raise TokenizedError(f"{path}: its header does not hold the {samples} samples index.json says: cut "
                                     "short, or not this index's shard")
            previous, remaining = struct.unpack_from("<I", head, 4)[0], samples
            while remaining:
                count = min(remaining, _CHUNK)
                chunk = _read(handle, 4 * count)
                if len(chunk) < 4 * count:
                    raise TokenizedError(f"{path}: cut short in its header")
                for offset in struct.unpack(f"<{count}I", chunk):
                    yield offset - previous
                    previous = offset
                remaining -= count
    except OSError as exc:
        raise TokenizedError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if previous != expected_end:
        raise TokenizedError(f"{path}: its samples end at byte {previous:,}, index.json says the shard has "
                             f"{expected_end:,}")


def _read(handle: IO[bytes], size: int) -> bytes:
    """``size`` bytes, or fewer at the end (a decompressing reader may give less than asked)."""
    chunks, got = [], 0
    while got < size:
        chunk = handle.read(size - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _shard_path(directory: str, basename: Any, access: FileAccess, required: bool) -> str | None:
    """A shard index.json names: a file inside the dataset's directory (merged indexes name
    ``0/shard.00000.mds``), never a path out of it; None when it is not there and not required."""
    parts = str(basename).replace("\\", "/").split("/")
    if not isinstance(basename, str) or os.path.isabs(basename) or ".." in parts or "" in parts:
        raise TokenizedError(f"{os.path.join(directory, 'index.json')}: shard {basename!r} is not a file inside the "
                             "dataset's directory")
    path = os.path.join(directory, *parts)
    if not required and not os.path.lexists(path):
        return None
    return allowed(path, access)


def _open_shard(path: str, compressed: bool, compression: str) -> IO[bytes]:
    if not compressed:
        return open(path, "rb")
    if compression.split(":", 1)[0] != "zstd":
        raise TokenizedError(f"{path}: shards compressed with {compression!r} are not read (zstd is)")
    import zstandard

    return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)  # type: ignore[return-value]
