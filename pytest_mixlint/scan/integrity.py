"""Cheap checks of a shard before anything decompresses it: here a ``.zst`` file's frames (Parquet's
and Arrow's metadata are read in columnar.py).

A ``.zst`` cut at a block boundary (an interrupted download) decompresses without an error in
DuckDB and in ``zstandard``'s stream reader alike, to half the documents; a 357 KB ``.zst`` can
hold 3.9 GB. Both show in the frame structure (RFC 8878): every frame must end with a block
marked last (and its checksum, when it has one), and no block regenerates more than 128 KiB, so
the block headers bound what a file can expand to. Walking them reads 3 bytes per block
(about 0.01% of the file), not the data.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from .columnar import arrow_expansion, parquet_problem
from .counts import ScanError, ScanOptions
from .shards import WINDOW_LOG_MAX

ZSTD_MAGIC = 0xFD2FB528
SKIPPABLE_MAGIC = 0x184D2A50  # to 0x184D2A5F
BLOCK_MAXIMUM = 128 << 10  # bytes a block regenerates at most


@dataclass(frozen=True)
class ZstdShape:
    frames: int
    expands_to_at_most: int  # bytes: exact where frames declare their content size, else a bound
    window_log: int  # the largest window a frame needs (2**window_log bytes)


class ZstdShapeError(ValueError):
    """The file is not a complete zstd stream: cut short, or not zstd at all."""


def zstd_shape(path: str) -> ZstdShape:
    """Walk the frames and block headers of a ``.zst`` file; raise ZstdShapeError when it ends
    inside a frame or is not zstd."""
    size = os.path.getsize(path)
    frames = expands = window_log = 0
    with open(path, "rb", buffering=1 << 16) as handle:
        position = 0
        while position < size:
            magic = _read(handle, 4, position, "a frame's magic number")
            (number,) = struct.unpack("<I", magic)
            if number & 0xFFFFFFF0 == SKIPPABLE_MAGIC:
                (length,) = struct.unpack("<I", _read(handle, 4, position + 4, "a skippable frame's size"))
                position += 8 + length
                if position > size:
                    raise ZstdShapeError(f"the file ends inside a skippable frame at byte {position - 8 - length:,}")
                handle.seek(position)
                continue
            if number != ZSTD_MAGIC:
                raise ZstdShapeError(f"not zstd data at byte {position:,} (no frame begins there)")
            frames += 1
            position, frame_bytes, log = _frame(handle, position + 4, size)
            expands += frame_bytes
            window_log = max(window_log, log)
    return ZstdShape(frames, expands, window_log)


def _read(handle: object, count: int, position: int, what: str) -> bytes:
    data = handle.read(count)  # type: ignore[attr-defined]
    if len(data) != count:
        raise ZstdShapeError(f"the file ends inside {what} at byte {position:,}: it is cut short "
                             "(an interrupted download?)")
    return data  # type: ignore[no-any-return]


def _frame(handle: object, position: int, size: int) -> tuple[int, int, int]:
    """Past one frame: (its end, the bytes it regenerates at most, its window log)."""
    (descriptor,) = _read(handle, 1, position, "a frame header")
    content_size_flag, single_segment = descriptor >> 6, (descriptor >> 5) & 1
    checksum, dictionary_flag = (descriptor >> 2) & 1, descriptor & 3
    position += 1
    window_log = 0
    if not single_segment:
        (window,) = _read(handle, 1, position, "a frame header")
        window_log = 10 + (window >> 3)
        position += 1
    dictionary_bytes = (0, 1, 2, 4)[dictionary_flag]
    _read(handle, dictionary_bytes, position, "a frame header")
    position += dictionary_bytes
    content_bytes = (1 if single_segment else 0, 2, 4, 8)[content_size_flag]
    declared = None
    if content_bytes:
        raw = _read(handle, content_bytes, position, "a frame header")
        declared = int.from_bytes(raw, "little") + (256 if content_bytes == 2 else 0)
        position += content_bytes
    if single_segment and declared is not None:
        window_log = max(declared, 1).bit_length()
    bound = 0
    while True:
        header = _read(handle, 3, position, "a block header")
        value = int.from_bytes(header, "little")
        last, kind, block_size = value & 1, (value >> 1) & 3, value >> 3
        if kind == 3:
            raise ZstdShapeError(f"a block of reserved type at byte {position:,}: corrupt zstd data")
        stored = 1 if kind == 1 else block_size  # an RLE block stores one byte
        position += 3 + stored
        if position > size:
            raise ZstdShapeError(f"the file ends inside a block at byte {position - stored - 3:,}: it is cut short "
                                 "(an interrupted download?)")
        bound += block_size if kind in (0, 1) else BLOCK_MAXIMUM
        handle.seek(position)  # type: ignore[attr-defined]
        if last:
            break
    if checksum:
        _read(handle, 4, position, "a frame's checksum")
        position += 4
    return position, declared if declared is not None else bound, window_log


def preflight(path: str, kind: str, compression: str | None, options: ScanOptions) -> ScanError | None:
    """What is wrong with a whole shard that a reader would not notice before it decompresses
    too much (a ``.zst`` cut short, a bomb of any format), or None. (A ``.gz`` file is bounded
    while it is inflated, shards.py.)"""
    try:
        if kind == "parquet":
            return parquet_problem(path, options)
        if kind == "arrow":
            return arrow_expansion(path, os.path.getsize(path), options.limits)
        if compression != "zstd":
            return None
        shape = zstd_shape(path)
    except ZstdShapeError as exc:
        return ScanError(path, None, f"corrupt or truncated zstd data: {exc}", "re-create or re-download the shard")
    except OSError as exc:
        return ScanError(path, None, f"cannot read: {exc.strerror or exc}")
    if shape.window_log > WINDOW_LOG_MAX:
        return ScanError(path, None, f"a zstd window of 2**{shape.window_log} bytes: corrupt zstd data",
                         "re-create or re-download the shard")
    allowed = options.limits.expansion_allowed(os.path.getsize(path))
    if shape.expands_to_at_most > allowed:
        return ScanError(path, None, f"may expand to {shape.expands_to_at_most:,} bytes, more than "
                         f"{options.limits.compression_ratio:g} times its size (mixlint_max_compression_ratio)",
                         "a zstd bomb, or data so repetitive that it deserves a look; raise the limit to read it")
    return None
