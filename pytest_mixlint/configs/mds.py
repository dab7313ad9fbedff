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

from .tokenized import TokenizedCount, TokenizedError

_ITEM_BYTES = {"uint8": 1, "int8": 1, "uint16": 2, "int16": 2, "uint32": 4, "int32": 4, "float32": 4,
               "uint64": 8, "int64": 8, "float64": 8}
_WIDTHS = (1, 2, 4, 8)  # the shape's unsigned width, narrowest first
TOKEN_COLUMNS = ("tokens", "input_ids")


def mds_counts(directory: str, bytes_dtype: str = "int64") -> tuple[TokenizedCount, int]:
    """Tokens and samples of the MDS dataset in ``directory``. ``bytes_dtype``: the dtype of a
    ``bytes`` token column (llm-foundry's ``token_encoding_type``)."""
    index_path = os.path.join(directory, "index.json")
    try:
        with open(index_path, encoding="utf-8") as handle:
            shards = json.load(handle)["shards"]
    except OSError as exc:
        raise TokenizedError(f"{index_path}: cannot read it: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError):
        raise TokenizedError(f"{index_path}: not an MDS index (a JSON object with shards)") from None
    tokens = samples = 0
    for number, shard in enumerate(shards):
        try:
            shard_tokens, shard_samples = _shard_tokens(directory, shard, bytes_dtype)
        except TokenizedError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, struct.error):
            raise TokenizedError(f"{index_path}: shard {number} is not described as MDS writes it") from None
        tokens += shard_tokens
        samples += shard_samples
    return TokenizedCount(None, tokens), samples


def _shard_tokens(directory: str, shard: dict, bytes_dtype: str) -> tuple[int, int]:
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
        return samples * tokens, samples
    if kind == "ndarray" and dtype in _ITEM_BYTES:
        item, headed = _ITEM_BYTES[dtype], True
    elif kind == "bytes":
        item, headed = _ITEM_BYTES[bytes_dtype], False
    else:
        raise TokenizedError(f"{os.path.join(directory, basename)}: token column {column!r} is {encoding!r}, which "
                             "this does not count (ndarray:DTYPE, ndarray:DTYPE:SHAPE or bytes)")
    variable = [i for i, size in enumerate(sizes) if size is None]
    if variable != [at]:
        raise TokenizedError(f"{os.path.join(directory, basename)}: the token column is not the only one of variable "
                             "size: its samples cannot be counted from the shard's offsets")
    fixed = sum(size for size in sizes if size is not None)
    offsets = _offsets(directory, shard, samples)
    tokens = 0
    for i in range(samples):
        payload = offsets[i + 1] - offsets[i] - 4 - fixed  # less the token column's size prefix and the fixed columns
        tokens += _sample_tokens(payload, item, headed, directory, basename, i)
    return tokens, samples


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


def _offsets(directory: str, shard: dict, samples: int) -> tuple[int, ...]:
    """The shard's ``n + 1`` sample offsets, checked against its size and sample count."""
    need = 4 * (samples + 2)
    raw = os.path.join(directory, shard["raw_data"]["basename"])
    zipped = shard.get("zip_data")
    try:
        if os.path.exists(raw) or not zipped:
            with open(raw, "rb") as handle:
                head = handle.read(need)
        else:
            head = _decompressed_head(os.path.join(directory, zipped["basename"]), shard.get("compression") or "", need)
    except OSError as exc:
        raise TokenizedError(f"{exc.filename or raw}: cannot read it: {exc.strerror or exc}") from None
    if len(head) < need or struct.unpack_from("<I", head)[0] != samples:
        raise TokenizedError(f"{raw}: its header does not hold the {samples} samples index.json says: cut short, or "
                             "not this index's shard")
    offsets = struct.unpack_from(f"<{samples + 1}I", head, 4)
    if offsets[-1] != int(shard["raw_data"]["bytes"]):
        raise TokenizedError(f"{raw}: its samples end at byte {offsets[-1]:,}, index.json says the shard has "
                             f"{int(shard['raw_data']['bytes']):,}")
    return offsets


def _decompressed_head(path: str, compression: str, need: int) -> bytes:
    """The first ``need`` bytes of a compressed shard (only that much is decompressed)."""
    algorithm = compression.split(":", 1)[0]
    if algorithm != "zstd":
        raise TokenizedError(f"{path}: shards compressed with {compression!r} are not read (zstd is)")
    import zstandard

    try:
        with open(path, "rb") as handle, zstandard.ZstdDecompressor().stream_reader(handle) as reader:
            chunks, got = [], 0
            while got < need:
                chunk = reader.read(need - got)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
            return b"".join(chunks)
    except zstandard.ZstdError as exc:
        raise TokenizedError(f"{path}: not a zstd stream: {exc}") from None
