"""Exact counts from tokenized data, without a tokenizer: the files training reads already hold them.

- Megatron ``PREFIX.idx`` / ``PREFIX.bin``: the index starts with ``MMIDIDX\\x00\\x00``, a
  version (1), a dtype code, the sequence and document counts, then the int32 length of every
  sequence: the tokens are their sum, the documents the count less one (the document index
  starts with 0). The ``.bin`` must hold exactly that many tokens of that dtype.
- OLMo / Dolma token files (``.npy``): raw memmaps, tokens = size / item size of the dtype the
  run reads them with; documents from Dolma's ``.csv.gz`` sidecar; a real ``.npy`` header's shape.
- datatrove's ``.ds`` files (nanotron's Nanoset): their ``.metadata`` and ``.index``.
- MosaicML MDS: ``mds.py``.

A file that does not add up (a truncated ``.bin``, an index of another version) is an error
naming the file and what is wrong, never a silently wrong count.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from ..access import FileAccess

DTYPE_VARIABLE = "MEMMAP_DTYPE"  # mixlint_variables: the dtype of token files whose config does not say it
DTYPE_HINT = (f"OLMo configs say it in data.memmap_dtype; otherwise declare it in the ini (mixlint_variables: "
              f"{DTYPE_VARIABLE} = uint32)")

HEADER = b"MMIDIDX\x00\x00"
_HEADER_BYTES = len(HEADER) + 8 + 1 + 8 + 8
_MEGATRON_ITEM_BYTES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 8, 7: 4, 8: 2}  # Megatron's dtype codes -> bytes per token
# Token dtypes by name (OLMo's memmap_dtype, llm-foundry's token_encoding_type, MDS encodings).
ITEM_BYTES = {"uint8": 1, "int8": 1, "uint16": 2, "int16": 2, "uint32": 4, "int32": 4, "float32": 4,
              "uint64": 8, "int64": 8, "float64": 8}


class TokenizedError(ValueError):
    """Tokenized data that cannot be counted; the message names the file, ``hint`` the fix."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def allowed(path: str, access: FileAccess, directory: bool = False) -> str:
    """``path``, if the repository may make mixlint read it: a regular file (or a directory)
    inside the root, never a FIFO or a device; its size is not limited (data is read in bounded
    pieces). Raises TokenizedError."""
    refusal = access.refusal(path, data=True, directory=directory)
    if refusal is not None:
        raise TokenizedError(refusal if path in refusal else f"{path}: {refusal}")
    return path


@dataclass(frozen=True)
class TokenizedCount:
    documents: int | None
    tokens: int


def megatron_counts(prefix: str, access: FileAccess = FileAccess()) -> TokenizedCount:
    """Documents and tokens of a Megatron indexed dataset (``prefix`` without ``.idx``/``.bin``)."""
    prefix = prefix.removesuffix(".idx").removesuffix(".bin")
    index, data = allowed(prefix + ".idx", access), allowed(prefix + ".bin", access)
    try:
        with open(index, "rb") as handle:
            head = handle.read(_HEADER_BYTES)
            if len(head) < _HEADER_BYTES or not head.startswith(HEADER):
                raise TokenizedError(f"{index} is not a Megatron index (no MMIDIDX header)")
            version, code, sequences, documents = struct.unpack("<QBQQ", head[len(HEADER):])
            if version != 1 or code not in _MEGATRON_ITEM_BYTES:
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
    if size != tokens * _MEGATRON_ITEM_BYTES[code]:
        raise TokenizedError(f"{data} has {size:,} bytes, its index says {tokens * _MEGATRON_ITEM_BYTES[code]:,} "
                             f"({tokens:,} tokens of {_MEGATRON_ITEM_BYTES[code]} bytes): cut short or not its index")
    return TokenizedCount(max(documents - 1, 0), tokens)


NPY_MAGIC = b"\x93NUMPY"


def memmap_counts(path: str, dtype: str | None, access: FileAccess = FileAccess()) -> TokenizedCount:
    """Tokens in an OLMo / Dolma token file. Most are raw memmaps named ``.npy`` (no header):
    their tokens are the size over the item size of ``dtype``, the one the run reads them with
    (OLMo's ``data.memmap_dtype``); a file with a NumPy header says its own shape. Documents come
    from Dolma's ``.csv.gz`` sidecar (``start,end,id,src,loc`` rows), whose last end must be the
    token count: a mismatch means the dtype is not the one the file was written with."""
    allowed(path, access)
    try:
        with open(path, "rb") as handle:
            headed = handle.read(len(NPY_MAGIC)) == NPY_MAGIC
        tokens = _npy_tokens(path) if headed else None
        size = os.path.getsize(path)
    except OSError as exc:
        raise TokenizedError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if tokens is None:
        if dtype is None:
            raise TokenizedError(f"{path} is a raw token file: its dtype is not in it", DTYPE_HINT)
        if dtype not in ITEM_BYTES:
            raise TokenizedError(f"{path}: {dtype!r} is not a token dtype ({', '.join(ITEM_BYTES)})")
        if size % ITEM_BYTES[dtype]:
            raise TokenizedError(f"{path} has {size:,} bytes, not a whole number of {dtype} tokens: cut short, or "
                                 "not that dtype")
        tokens = size // ITEM_BYTES[dtype]
    sidecar = path.removesuffix(".npy") + ".csv.gz"
    if not os.path.lexists(sidecar):
        return TokenizedCount(None, tokens)
    documents, last_end = _sidecar(allowed(sidecar, access))
    if last_end != tokens:
        raise TokenizedError(f"{path}: its {os.path.basename(sidecar)} ends at token {last_end:,}, the file holds "
                             f"{tokens:,} {dtype or ''} tokens: the dtype is not the one it was written with", DTYPE_HINT)
    return TokenizedCount(documents, tokens)


def _sidecar(path: str) -> tuple[int, int]:
    """Documents in a Dolma ``.csv.gz`` sidecar, and the largest end offset."""
    import csv
    import gzip

    documents, last_end = 0, 0
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                if row:
                    documents += 1
                    last_end = max(last_end, int(row[1]))
    except (OSError, EOFError, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise TokenizedError(f"{path}: not a Dolma metadata file (start,end,id,src,loc rows): {exc}") from None
    return documents, last_end


def _npy_tokens(path: str) -> int:
    """Tokens in a token array with a NumPy header: the product of its shape."""
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
    except ValueError:  # the reason would quote the file's bytes
        raise TokenizedError(f"{path}: its .npy header cannot be read") from None
    tokens = 1
    for extent in shape:
        tokens *= int(extent)
    if size - start != tokens * dtype.itemsize:
        raise TokenizedError(f"{path} holds {size - start:,} bytes of data, its header says {tokens * dtype.itemsize:,}: "
                             "cut short or corrupt")
    return tokens


def datatrove_counts(path: str, access: FileAccess = FileAccess()) -> TokenizedCount:
    """Documents and tokens of datatrove's tokenized output, what nanotron's Nanoset reads: a
    ``.ds`` file, or a folder of them. Each ``X.ds`` holds raw tokens; ``X.ds.metadata`` says the
    tokenizer and the token size (``name|2``) and the token count; ``X.ds.index`` holds one uint64
    end offset per document."""
    if os.path.isdir(path):
        allowed(path, access, directory=True)
        files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".ds"))
    else:
        files = [path]
    if not files:
        raise TokenizedError(f"{path} holds no tokenized data (neither an MDS index.json nor datatrove .ds files)")
    documents: int | None = 0  # None when a file has no .index
    tokens = 0
    for file in files:
        try:
            with open(allowed(file + ".metadata", access), "rb") as handle:
                lines = handle.read(4096).decode("utf-8").splitlines()  # three short lines
            size = os.path.getsize(allowed(file, access))
            index = os.path.getsize(allowed(file + ".index", access)) if os.path.lexists(file + ".index") else None
        except OSError as exc:
            raise TokenizedError(f"{exc.filename or file}: cannot read it: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise TokenizedError(f"{file}.metadata: not datatrove's metadata (it is not text)") from None
        try:
            token_size, count = int(lines[0].rsplit("|", 1)[1]), int(lines[1])
        except (IndexError, ValueError):
            raise TokenizedError(f"{file}.metadata: not datatrove's metadata (TOKENIZER|TOKEN_SIZE, then the count)") from None
        if token_size not in (2, 4) or size != count * token_size:
            raise TokenizedError(f"{file} has {size:,} bytes, its metadata says {count:,} tokens of {token_size} bytes: "
                                 "cut short or not its metadata")
        tokens += count
        documents = None if index is None or documents is None else documents + index // 8
    return TokenizedCount(documents, tokens)
