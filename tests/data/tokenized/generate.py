"""Regenerate the tokenized-pretraining-data fixtures in this directory.

NOT run by the tests: the generated files are committed, and the tests only
read them (plus ``expected.json``). Re-run this script by hand only to rebuild
the fixtures.

Every file is written by the format's own writer library:

* ``mds-*/``          ``streaming.MDSWriter`` from ``mosaicml-streaming==0.13.0``
                      (needs numpy<2.2; its import pulls in torch).
* ``datatrove-*/``    ``datatrove.pipeline.tokens.tokenizer.TokenizedFile`` from
                      ``datatrove==0.10.1`` (+ ``tokenizers``, imported by that module;
                      needs numpy>=2).
* ``olmo-raw/``       ``dolma.tokenizer.memmap_writer.MemmapWriter`` from
                      ``dolma==1.2.1`` (needs numpy<2; pinning boto3/aiobotocore
                      as below avoids a very long pip backtrack).

Those requirements conflict, so each part runs in its own virtualenv::

    python3 -m venv /tmp/fx-mds   && /tmp/fx-mds/bin/pip install mosaicml-streaming==0.13.0
    python3 -m venv /tmp/fx-dt    && /tmp/fx-dt/bin/pip install datatrove==0.10.1 tokenizers
    python3 -m venv /tmp/fx-dolma && /tmp/fx-dolma/bin/pip install dolma==1.2.1 boto3==1.26.76 aiobotocore==2.5.0
    /tmp/fx-mds/bin/python   generate.py mds
    /tmp/fx-dt/bin/python    generate.py datatrove
    /tmp/fx-dolma/bin/python generate.py olmo

Each part rewrites only its own directories and merges its entries into
``expected.json``. The expected counts come from the in-memory data handed to
the writers, never from reading the files back. The data is seeded (numpy
``default_rng``), so the files come out identical on every run. One exception:
gzip puts the current time in the ``.csv.gz`` header, so the ``olmo`` part
sets that 4-byte MTIME field to 0 after dolma writes the file. The compressed
data and its CRC are left as written.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected.json"


def _update_expected(entries: dict) -> None:
    data = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
    data.update(entries)
    EXPECTED.write_text(json.dumps(dict(sorted(data.items())), indent=2) + "\n")


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    return path


def _entry(documents, tokens, samples, dtype) -> dict:
    return {"documents": documents, "tokens": tokens, "samples": samples, "dtype": dtype}


# --------------------------------------------------------------------------- MDS
# Lengths for the variable-length datasets. MDS stores the shape of an
# 'ndarray:int32' value in the narrowest unsigned type that fits its largest
# dimension (uint8 < 256 <= uint16 < 65536), so these lengths include values
# on both sides of 256.
MDS_VAR_LENGTHS = [7, 64, 255, 256, 300, 1000, 33, 128, 1500, 90, 12, 700]


def make_mds() -> None:
    from streaming import MDSWriter

    rng = np.random.default_rng(20240501)
    expected = {}

    # mds-int32: variable-length 1-D int32 arrays (llm-foundry's 'ndarray:int32' layout);
    # ids up to 100351 so that some do not fit in uint16.
    var_samples = [rng.integers(0, 100352, size=n, dtype=np.int32) for n in MDS_VAR_LENGTHS]
    for name, compression in (("mds-int32", None), ("mds-zstd", "zstd")):
        out = _fresh(HERE / name)
        with MDSWriter(
            out=str(out),
            columns={"tokens": "ndarray:int32"},
            compression=compression,
            size_limit=1 << 13,
            progress_bar=False,
        ) as writer:
            for arr in var_samples:
                writer.write({"tokens": arr})
        expected[name] = _entry(None, int(sum(len(a) for a in var_samples)), len(var_samples), "int32")

    # mds-int64-bytes: legacy llm-foundry layout, int64 token ids serialized as raw bytes.
    out = _fresh(HERE / "mds-int64-bytes")
    legacy = [rng.integers(0, 50257, size=128).tolist() for _ in range(20)]
    with MDSWriter(out=str(out), columns={"tokens": "bytes"}, size_limit=1 << 14, progress_bar=False) as writer:
        for ids in legacy:
            writer.write({"tokens": np.asarray(ids, dtype=np.int64).tobytes()})
    expected["mds-int64-bytes"] = _entry(None, sum(len(x) for x in legacy), len(legacy), "int64")

    # mds-fixed: static-shape 'ndarray:int32:64' column.
    out = _fresh(HERE / "mds-fixed")
    fixed = [rng.integers(0, 50257, size=64, dtype=np.int32) for _ in range(20)]
    with MDSWriter(out=str(out), columns={"tokens": "ndarray:int32:64"}, progress_bar=False) as writer:
        for arr in fixed:
            writer.write({"tokens": arr})
    expected["mds-fixed"] = _entry(None, int(sum(len(a) for a in fixed)), len(fixed), "int32")

    # mds-text: raw (untokenized) text; there are no tokens to count.
    out = _fresh(HERE / "mds-text")
    texts = [
        "The quick brown fox jumps over the lazy dog.",
        "Streaming datasets are sharded into MDS files.",
        "Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u2014 non-ASCII text survives UTF-8 encoding.",
        "",
        "Line one\nLine two\n",
    ]
    with MDSWriter(out=str(out), columns={"text": "str"}, progress_bar=False) as writer:
        for t in texts:
            writer.write({"text": t})
    expected["mds-text"] = _entry(None, None, len(texts), "str")

    _update_expected(expected)


# --------------------------------------------------------------------- datatrove
def make_datatrove() -> None:
    from datatrove.pipeline.tokens.tokenizer import TokenizedFile, get_output_filename
    from datatrove.io import DataFolder

    rng = np.random.default_rng(20240502)
    expected = {}
    specs = [
        # name, token_size, vocab size, eos id, tokenizer name recorded in .ds.metadata, docs per file
        ("datatrove-uint16", 2, 50257, 50256, "gpt2", [6, 9]),
        ("datatrove-uint32", 4, 128256, 128001, "meta-llama/Meta-Llama-3-8B", [5, 7]),
    ]
    for name, token_size, vocab, eos, tok_name, docs_per_file in specs:
        out = _fresh(HERE / name)
        out.mkdir(parents=True)
        folder = DataFolder(str(out))  # local fsspec folder
        n_docs = n_tokens = 0
        for rank, n_file_docs in enumerate(docs_per_file):
            tf = TokenizedFile(
                folder,
                get_output_filename(None, rank, "shuffled"),  # e.g. 00000_shuffled.ds
                save_index=True,
                save_final_metadata=True,
                tokenizer_name_or_path=tok_name,
                token_size=token_size,
            )
            for _ in range(n_file_docs):
                length = int(rng.integers(3, 60))
                tokens = rng.integers(0, vocab, size=length - 1).tolist() + [eos]
                tf.write(tokens, None)
                n_docs += 1
                n_tokens += len(tokens)
            tf.close()
        expected[name] = _entry(n_docs, n_tokens, None, "uint16" if token_size == 2 else "uint32")
    _update_expected(expected)


# ------------------------------------------------------------------ OLMo / Dolma
def _zero_gzip_mtime(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    assert raw[:2] == b"\x1f\x8b"
    raw[4:8] = b"\x00\x00\x00\x00"
    path.write_bytes(bytes(raw))


def make_olmo() -> None:
    from dolma.tokenizer.data_types import TokenizerOutput
    from dolma.tokenizer.memmap_writer import MemmapWriter

    rng = np.random.default_rng(20240503)
    out = _fresh(HERE / "olmo-raw")
    out.mkdir(parents=True)
    expected = {}

    specs = [
        # file stem, dtype, vocab size, eos id, n docs, keep the .csv.gz sidecar
        ("part-0-00000", np.uint32, 100278, 100257, 11, True),
        ("part-0-00001", np.uint16, 50280, 50279, 8, False),
    ]
    for stem, dtype, vocab, eos, n_docs, keep_sidecar in specs:
        n_tokens = 0
        with MemmapWriter(path=str(out / f"{stem}.npy"), dtype=np.dtype(dtype), max_tokens=1 << 16) as writer:
            for i in range(n_docs):
                length = int(rng.integers(4, 120))
                tokens = rng.integers(0, vocab, size=length - 1).tolist() + [eos]
                ok = writer.write(
                    TokenizerOutput.from_tokens(
                        id=f"{stem}-doc-{i:04d}",
                        src=f"s3://fixture-bucket/documents/{stem}.json.gz",
                        loc=i,
                        tokens=tokens,
                    )
                )
                assert ok
                n_tokens += len(tokens)
        sidecar = out / f"{stem}.csv.gz"
        if keep_sidecar:
            _zero_gzip_mtime(sidecar)
        else:
            sidecar.unlink()
        expected[f"olmo-raw/{stem}.npy"] = _entry(
            n_docs if keep_sidecar else None, n_tokens, None, np.dtype(dtype).name
        )
    _update_expected(expected)


PARTS = {"mds": make_mds, "datatrove": make_datatrove, "olmo": make_olmo}

if __name__ == "__main__":
    names = sys.argv[1:] or list(PARTS)
    for n in names:
        PARTS[n]()
        print(f"wrote {n}")
