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
    (tmp_path / "b.bin").write_bytes(b"")
    with pytest.raises(TokenizedError, match="not a Megatron index"):
        megatron_counts(str(tmp_path / "b"))
    write_megatron(tmp_path / "c", [[1]])
    (tmp_path / "c.idx").write_bytes((tmp_path / "c.idx").read_bytes()[:-3])
    with pytest.raises(TokenizedError, match="cut short or corrupt"):
        megatron_counts(str(tmp_path / "c"))
    with pytest.raises(TokenizedError, match="missing.idx: cannot read file: No such file"):
        megatron_counts(str(tmp_path / "missing"))


def test_token_arrays_with_a_numpy_header_say_their_shape(tmp_path):
    np.save(tmp_path / "part-0.npy", np.arange(1000, dtype=np.uint16))
    np.save(tmp_path / "part-1.npy", np.zeros((4, 256), dtype=np.uint32))
    assert memmap_counts(str(tmp_path / "part-0.npy"), None).tokens == 1000
    assert memmap_counts(str(tmp_path / "part-1.npy"), "uint16").tokens == 1024  # the header wins
    (tmp_path / "cut.npy").write_bytes((tmp_path / "part-0.npy").read_bytes()[:-10])
    with pytest.raises(TokenizedError, match="cut short or corrupt"):
        memmap_counts(str(tmp_path / "cut.npy"), None)


# --- files written by the formats' own writers (tests/data/tokenized/generate.py) -----------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from pytest_mixlint.configs.mds import mds_counts  # noqa: E402
from pytest_mixlint.configs.tokenized import datatrove_counts  # noqa: E402

FIXTURES = Path(__file__).parent / "data" / "tokenized"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())


@pytest.mark.parametrize("name", ["mds-int32", "mds-zstd", "mds-int64-bytes", "mds-fixed"])
def test_mds_tokens_from_the_shards_offsets(name):
    """MDSWriter's files: shape widths of one and two bytes, zstd, legacy int64 bytes, fixed shape."""
    count = mds_counts(str(FIXTURES / name))
    assert (count.tokens, count.documents) == (EXPECTED[name]["tokens"], None)


def test_mds_text_needs_a_tokenizer():
    with pytest.raises(TokenizedError, match=r"no token column \(tokens or input_ids\) among text: str"):
        mds_counts(str(FIXTURES / "mds-text"))


def test_mds_bytes_of_another_dtype_do_not_add_up(tmp_path):
    # int64 samples of 128 tokens read as int32 are 256 tokens each: whole, so the dtype the run
    # uses (token_encoding_type) is what is counted; read as a 3-byte type they would not add up.
    count = mds_counts(str(FIXTURES / "mds-int64-bytes"), "int32")
    assert count.tokens == 2 * EXPECTED["mds-int64-bytes"]["tokens"]


def test_an_mds_shard_that_is_not_its_index_is_an_error(tmp_path):
    import shutil

    shutil.copytree(FIXTURES / "mds-int32", tmp_path / "d")
    shard = tmp_path / "d" / "shard.00001.mds"
    shard.write_bytes(shard.read_bytes()[:10])
    with pytest.raises(TokenizedError, match="shard.00001.mds: cut short in its header"):
        mds_counts(str(tmp_path / "d"))


@pytest.mark.parametrize("name", ["datatrove-uint16", "datatrove-uint32"])
def test_datatrove_folders_as_nanotron_reads_them(name):
    count = datatrove_counts(str(FIXTURES / name))
    assert (count.documents, count.tokens) == (EXPECTED[name]["documents"], EXPECTED[name]["tokens"])
    one = datatrove_counts(str(FIXTURES / name / "00000_shuffled.ds"))
    assert 0 < one.tokens < count.tokens


def test_dolma_raw_memmaps_with_and_without_their_sidecar():
    raw = EXPECTED["olmo-raw/part-0-00000.npy"]
    count = memmap_counts(str(FIXTURES / "olmo-raw" / "part-0-00000.npy"), "uint32")
    assert (count.documents, count.tokens) == (raw["documents"], raw["tokens"])
    # Read as uint16 (OLMo's default), the file is twice as many tokens: the sidecar says it is not.
    with pytest.raises(TokenizedError, match="the dtype is not the one it was written with"):
        memmap_counts(str(FIXTURES / "olmo-raw" / "part-0-00000.npy"), "uint16")
    bare = EXPECTED["olmo-raw/part-0-00001.npy"]
    count = memmap_counts(str(FIXTURES / "olmo-raw" / "part-0-00001.npy"), "uint16")
    assert (count.documents, count.tokens) == (None, bare["tokens"])
    with pytest.raises(TokenizedError, match="raw token file: its dtype is not in it"):
        memmap_counts(str(FIXTURES / "olmo-raw" / "part-0-00001.npy"), None)
