"""A data file as the scanner sees it: its format from its name, and (JSON) its bytes as one
decompressed stream, bounded so that a small compressed file cannot expand without end."""

from __future__ import annotations

import gzip
import io
import os
from typing import Any, BinaryIO

from ..limits import Limits
from .counts import ScanError

BLOCK = 8 << 20  # bytes read at a time: bounds memory whatever the file size
BOM = b"\xef\xbb\xbf"  # a UTF-8 byte-order mark, skipped before the first document (DuckDB skips it too)
JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")
COMPRESSED_SUFFIXES = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
WINDOW_LOG_MAX = 31  # zstd's largest window (zstd --long=31); the readers allow it


def format_of(path: str) -> tuple[str, str | None]:
    """('jsonl' | 'parquet' | 'arrow', compression) from the file name."""
    lower = path.lower()
    compression = None
    for suffix, name in COMPRESSED_SUFFIXES.items():
        if lower.endswith(suffix):
            compression, lower = name, lower[: -len(suffix)]
            break
    if lower.endswith(JSON_SUFFIXES):
        return "jsonl", compression
    if lower.endswith(".parquet") and compression is None:
        return "parquet", None
    if lower.endswith((".arrow", ".feather", ".ipc")) and compression is None:
        return "arrow", None
    raise ScanError(path, None, "unsupported data file format",
                    "mixlint reads .jsonl/.json/.ndjson (plain, .gz, .zst), .parquet and .arrow files")


def may_hold_an_array(path: str) -> bool:
    """A ``.json`` file may hold one array of documents (a layout the Hub reads); JSON Lines files
    (``.jsonl``, ``.ndjson``) never do: an array on a line is an error."""
    return path.lower().removesuffix(".gz").removesuffix(".zstd").removesuffix(".zst").endswith(".json")


def file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def open_json(path: str, compression: str | None, limits: Limits, buffer: int = BLOCK) -> BinaryIO:
    """The decompressed bytes of a JSON shard. A ``.zst`` file's expansion is bounded before it
    is opened (integrity.py, from its block headers); a ``.gz`` file's while it is inflated.
    ``buffer``: bytes a ``.zst`` stream decompresses ahead; a look at a file's first document
    passes a small one, else it would decompress 8 MB of every file (all of a small one) twice."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller through the returned stream
    if compression == "gzip":
        allowed = limits.expansion_allowed(file_size(path))
        return _Bounded(_gzip_reader(raw), allowed, path, limits)  # type: ignore[return-value]
    if compression == "zstd":
        import zstandard

        # zstd --long=31 files need a 2 GiB window (zstd's largest; the default limit is 128 MiB)
        decompressor = zstandard.ZstdDecompressor(max_window_size=1 << WINDOW_LOG_MAX)
        return io.BufferedReader(decompressor.stream_reader(raw, closefd=True), buffer)  # type: ignore[return-value]
    return raw


def _gzip_reader(raw: BinaryIO) -> BinaryIO:
    """ISA-L's inflate where installed (2-3x zlib's here, CRC checked alike), else the stdlib's."""
    try:
        from isal import igzip
    except ImportError:  # pragma: no cover - isal is a dependency, but has no wheel everywhere
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return igzip.IGzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]


class _Bounded:
    """A decompressing stream that raises a located ScanError once it has produced more than
    ``allowed`` bytes (gzip has no block headers to bound it before inflating)."""

    def __init__(self, stream: Any, allowed: int, path: str, limits: Limits) -> None:
        self._stream, self._left, self._allowed, self._path, self._limits = stream, allowed, allowed, path, limits

    def read(self, size: int = -1) -> bytes:
        return self._count(self._stream.read(size))

    def readline(self, size: int = -1) -> bytes:
        return self._count(self._stream.readline(size))

    def _count(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            raise ScanError(self._path, None, f"expands to more than {self._allowed:,} bytes, "
                            f"{self._limits.compression_ratio:g} times its size (mixlint_max_compression_ratio)",
                            "a gzip bomb, or data so repetitive that it deserves a look; raise the limit to read it")
        return data

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> _Bounded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
