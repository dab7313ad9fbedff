"""Exact counts from tokenized data, without a tokenizer: the files training reads already hold them.

- Megatron ``PREFIX.idx`` / ``PREFIX.bin``: the index starts with ``MMIDIDX\\x00\\x00``, a
  version (1), a dtype code, the sequence and document counts, then the int32 length of every
  sequence: the tokens are their sum, the documents the count less one (the document index
  starts with 0). The ``.bin`` must hold exactly that many tokens of that dtype.
- OLMo ``.npy`` token arrays: the array's shape, from the ``.npy`` header (no data read).
- MosaicML MDS: ``index.json`` sample counts (streaming.index_samples).

A file that does not add up (a truncated ``.bin``, an index of another version) is an error
naming the file and what is wrong, never a silently wrong count.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

HEADER = b"MMIDIDX\x00\x00"
_HEADER_BYTES = len(HEADER) + 8 + 1 + 8 + 8
_ITEM_BYTES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 8, 7: 4, 8: 2}  # Megatron's dtype codes -> bytes per token


class TokenizedError(ValueError):
    """Tokenized data that cannot be counted; the message names the file and the fix."""


@dataclass(frozen=True)
class TokenizedCount:
    documents: int | None
    tokens: int


def megatron_counts(prefix: str) -> TokenizedCount:
    """Documents and tokens of a Megatron indexed dataset (``prefix`` without ``.idx``/``.bin``)."""
    prefix = prefix.removesuffix(".idx").removesuffix(".bin")
    index, data = prefix + ".idx", prefix + ".bin"
    try:
        with open(index, "rb") as handle:
            head = handle.read(_HEADER_BYTES)
            if len(head) < _HEADER_BYTES or not head.startswith(HEADER):
                raise TokenizedError(f"{index} is not a Megatron index (no MMIDIDX header)")
            version, code, sequences, documents = struct.unpack("<QBQQ", head[len(HEADER):])
            if version != 1 or code not in _ITEM_BYTES:
                raise TokenizedError(f"{index}: index version {version}, dtype code {code}: not one this reads")
            expected = _HEADER_BYTES + sequences * (4 + 8) + documents * 8
            if os.fstat(handle.fileno()).st_size != expected:
                raise TokenizedError(f"{index} has {os.fstat(handle.fileno()).st_size:,} bytes, its header says "
                                     f"{expected:,}: cut short or corrupt (re-create or re-download it)")
            tokens = 0
            remaining = sequences
            while remaining:  # the int32 lengths, a million at a time
                chunk = min(remaining, 1 << 20)
                tokens += sum(struct.unpack(f"<{chunk}i", handle.read(4 * chunk)))
                remaining -= chunk
        size = os.path.getsize(data)
    except OSError as exc:
        raise TokenizedError(f"{exc.filename or prefix}: cannot read it: {exc.strerror or exc}") from None
    if size != tokens * _ITEM_BYTES[code]:
        raise TokenizedError(f"{data} has {size:,} bytes, its index says {tokens * _ITEM_BYTES[code]:,} "
                             f"({tokens:,} tokens of {_ITEM_BYTES[code]} bytes): cut short or not its index")
    return TokenizedCount(max(documents - 1, 0), tokens)


def npy_tokens(path: str) -> int:
    """Tokens in an OLMo ``.npy`` token array: the product of its shape, from the header."""
    from numpy.lib import format as npy

    try:
        with open(path, "rb") as handle:
            version = npy.read_magic(handle)
            reader = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}.get(version)
            if reader is None:
                raise TokenizedError(f"{path}: .npy format {version[0]}.{version[1]} is not one this reads")
            shape, _, dtype = reader(handle)
            start = handle.tell()
            size = os.fstat(handle.fileno()).st_size
    except (OSError, ValueError):  # the reason would quote the file's bytes
        raise TokenizedError(f"{path}: not a readable .npy array (a raw memmap without a .npy header, as OLMo "
                             "writes some, is not read yet)") from None
    tokens = 1
    for extent in shape:
        tokens *= int(extent)
    if size - start != tokens * dtype.itemsize:
        raise TokenizedError(f"{path} holds {size - start:,} bytes of data, its header says {tokens * dtype.itemsize:,}: "
                             "cut short or corrupt")
    return tokens
