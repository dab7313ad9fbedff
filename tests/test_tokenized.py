"""configs/tokenized.py: exact tokens from Megatron indexed datasets and OLMo .npy arrays."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from pytest_mixlint.configs.tokenized import HEADER, TokenizedError, megatron_counts, memmap_counts


def write_megatron(prefix, documents, dtype=np.uint16, code=8):
    """An indexed dataset laid out as Megatron's writer lays it out (one sequence per document)."""
    lengths = np.array([len(d) for d in documents], dtype=np.int32)
    pointers = np.concatenate([[0], np.cumsum(lengths[:-1]) * np.dtype(dtype).itemsize]).astype(np.int64)
    document_index = np.arange(len(documents) + 1, dtype=np.int64)
    with open(f"{prefix}.idx", "wb") as index:
        index.write(HEADER + struct.pack("<Q", 1) + struct.pack("<B", code))
        index.write(struct.pack("<Q", len(lengths)) + struct.pack("<Q", len(document_index)))
        index.write(lengths.tobytes() + pointers.tobytes() + document_index.tobytes())
    with open(f"{prefix}.bin", "wb") as data:
        for tokens in documents:
            data.write(np.array(tokens, dtype=dtype).tobytes())


def test_megatron_documents_and_tokens(tmp_path):
    write_megatron(tmp_path / "web_text_document", [[1, 2, 3], [4, 5], [6, 7, 8, 9]])
    assert megatron_counts(str(tmp_path / "web_text_document")).tokens == 9
    count = megatron_counts(str(tmp_path / "web_text_document.bin"))
    assert (count.documents, count.tokens) == (3, 9)
    write_megatron(tmp_path / "wide", [[70000, 1]], dtype=np.int32, code=4)
    assert megatron_counts(str(tmp_path / "wide")).tokens == 2


def test_megatron_files_that_do_not_add_up(tmp_path):
    write_megatron(tmp_path / "a", [[1, 2, 3], [4, 5]])
    (tmp_path / "a.bin").write_bytes((tmp_path / "a.bin").read_bytes()[:-2])  # a truncated download
    with pytest.raises(TokenizedError, match="a.bin has 8 bytes, its index says 10"):
        megatron_counts(str(tmp_path / "a"))
    (tmp_path / "b.idx").write_bytes(b"not an index at all, just text here")
    with pytest.raises(TokenizedError, match="not a Megatron index"):
        megatron_counts(str(tmp_path / "b"))
    write_megatron(tmp_path / "c", [[1]])
    (tmp_path / "c.idx").write_bytes((tmp_path / "c.idx").read_bytes()[:-3])
    with pytest.raises(TokenizedError, match="cut short or corrupt"):
        megatron_counts(str(tmp_path / "c"))
    with pytest.raises(TokenizedError, match="cannot read it"):
        megatron_counts(str(tmp_path / "missing"))


def test_token_arrays_with_a_numpy_header_say_their_shape(tmp_path):
    np.save(tmp_path / "part-0.npy", np.arange(1000, dtype=np.uint16))
    np.save(tmp_path / "part-1.npy", np.zeros((4, 256), dtype=np.uint32))
    assert memmap_counts(str(tmp_path / "part-0.npy"), None).tokens == 1000
    assert memmap_counts(str(tmp_path / "part-1.npy"), "uint16").tokens == 1024  # the header wins
    (tmp_path / "cut.npy").write_bytes((tmp_path / "part-0.npy").read_bytes()[:-10])
    with pytest.raises(TokenizedError, match="cut short or corrupt"):
        memmap_counts(str(tmp_path / "cut.npy"), None)
