#!/usr/bin/env python
"""Measured composition at engine speed: mixlint's scanner against DuckDB, polars and `datasets`.

Reproducible (seeded) and assertion-free: it prints measurements and ratios, it does not judge
them (it prints whether each target is met, and a loud MISMATCH when an engine's counts differ
from the generator's).

**Layouts** (``--layouts``; each generated once into ``--data-dir`` and reused, in four formats
from the same records: JSONL, JSONL.zst (zstd level 3), JSONL.gz (gzip level 6) and Parquet
(``--parquet-compression``, row groups of ~24 MB); the generator's own counts are the truth):

- ``redpajama``: RedPajama-shaped ``{"text", "meta": {"red_pajama_subset", ...}}`` records of
  the 7 subsets in RedPajama-1T's byte shares, shuffled into mixed shards of ``--shard-mb`` MB,
  grouped by ``meta.red_pajama_subset`` (the corpus of issue 3);
- ``dolma-grouped``: Dolma-shaped records (``id, text, source, added, created, metadata{...}``,
  the metadata fields differing per source) of 7 sources in Dolma v1.6's byte shares, in mixed
  shards, grouped by ``source`` (``scan.data_files`` + ``group_by``);
- ``dolma-per-source``: the same documents in one folder per source, measured through each
  source's ``data_files``, ungrouped (the shape of most dataset repositories and card configs);
- ``small-files``: the same, cut into ``--small-files`` files (default 10,000);
- ``huge-file``: one file of ``--huge-gb`` GB (default 4), the mixed shards concatenated.

Lengths are lognormal per source (books ~300k characters, reddit ~500); code-like text for code,
LaTeX for papers, some non-ASCII (accents, Cyrillic, Greek, CJK, emoji) in web text.

**Engines**, each in a fresh subprocess computing the same numbers (per group: documents, UTF-8
bytes and characters of the text), with its fastest idiom: mixlint (``load`` + ``measure_document``
without a cache: what ``pytest --mixlint`` runs); DuckDB as one query over all files (columns
declared, ``records=true``), as a UNION ALL of per-source scans, and as batched single-threaded
queries run concurrently (the best of the three is the peer); polars' streaming engine;
`datasets`' ``load_dataset(num_proc=cores)`` with the Arrow table aggregated by pyarrow.compute
(no per-row Python); msgspec in one process per core and pyarrow.dataset as references.

For each layout and format every engine runs one untimed warm-up (fills the page cache, checks
the counts), then ``--cold-repeat`` runs after the files were dropped from the page cache (cold)
and ``--repeat`` runs with them cached (warm); the medians are shown. Seconds are the engine's own
scan time (after its imports; the process wall time is shown too); MB/s are of uncompressed
JSONL-equivalent bytes for every format. Then: mixlint's cached re-run (``ShardCache``), and
with ``--rss`` the peak memory of mixlint on one >= 4 GB JSONL shard.

Targets (issues 3 and 9, 2-core machine; printed, not asserted), on every layout: mixlint >= 1.0x
DuckDB's best on JSONL and Parquet, >= 1.15x on .zst, >= 1.5x on .gz, >= 5x `datasets`; cached
re-run >= 50x faster than the first scan; peak RSS < 1 GB on a 4 GB shard.

Usage::

    python benchmarks/scan.py --data-dir /tmp/mixlint-corpus    # every layout, 2 GB each; kept for the next run
    python benchmarks/scan.py --size-gb 0.2 --huge-gb 0.4 --small-files 500 --repeat 1   # quick look
    python benchmarks/scan.py --data-dir /tmp/mixlint-corpus --layouts small-files --formats zst --engines mixlint,duckdb-batched
    python benchmarks/scan.py --data-dir /tmp/mixlint-corpus --rss   # + peak RSS on a 4 GB shard
    python benchmarks/scan.py --data-dir /tmp/mixlint-corpus --formats '' --no-cache-run --tokens
    python benchmarks/profile_measure.py MANIFEST   # where mixlint's time goes on one generated manifest

A corpus in ``--data-dir`` is kept (that is what the directory is for); everything else the
script creates (a temporary corpus, the 4 GB shard, cache directories, the `datasets` home) is
deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
GENERATOR_VERSION = 2  # bump when the generated data changes: it is part of the corpus cache key
SEED = 20240611
MB = 1_000_000

# ---------------------------------------------------------------------------------------------
# The corpus: RedPajama-1T's subsets
# ---------------------------------------------------------------------------------------------

# subset -> (share of text bytes, median characters, lognormal sigma, min characters, max characters)
# Shares are RedPajama-1T's token counts (878B / 175B / 59B / 26B / 28B / 24B / 20B).
SUBSETS: dict[str, tuple[float, float, float, int, int]] = {
    "common_crawl": (878 / 1210, 2_600, 1.0, 100, 400_000),
    "c4": (175 / 1210, 1_200, 0.75, 50, 100_000),
    "github": (59 / 1210, 2_500, 1.3, 20, 1_000_000),
    "book": (26 / 1210, 380_000, 0.6, 20_000, 6_000_000),
    "arxiv": (28 / 1210, 35_000, 0.6, 2_000, 1_000_000),
    "wikipedia": (24 / 1210, 1_800, 1.1, 100, 300_000),
    "stackexchange": (20 / 1210, 1_000, 0.9, 50, 100_000),
}
# Characters of generated text each subset's documents are sliced from (at random offsets).
# Large enough that zstd's window rarely sees a repeat, so compression ratios stay realistic.
POOL_CHARS = {"common_crawl": 64 << 20, "book": 64 << 20}
DEFAULT_POOL_CHARS = 16 << 20
PARQUET_ROW_GROUP_BYTES = 24 * MB  # uncompressed bytes per row group (the files report the real sizes)

FORMATS = {  # name -> (directory, file suffix, label)
    "jsonl": ("jsonl", ".jsonl", "JSONL"),
    "zst": ("zst", ".jsonl.zst", "JSONL .zst (zstd level 3)"),
    "gz": ("gz", ".jsonl.gz", "JSONL .gz (gzip level 6)"),
    "parquet": ("parquet", ".parquet", "Parquet"),
}

META_FIELDS: dict[str, str] = {  # the union of the subsets' meta fields -> Arrow type name
    "red_pajama_subset": "string", "url": "string", "language": "string", "source": "string",
    "timestamp": "string", "repo_name": "string", "path": "string", "license": "string", "size": "int64",
    "title": "string", "short_book_title": "string", "publication_date": "string", "arxiv_id": "string",
    "yymm": "string", "question_score": "int64",
}

COMMON_WORDS = (  # noqa: SIM905 - a readable word list
    "the of and to in a is that for it as was with be by on not he I this are or his from at which but have an "
    "they you were her she there one all we their been has would when if who more will no so can its said about "
    "than into them only other new some could time these two may then do first any my now such like our over man "
    "me even most made after also did many before must through back years where much your way well down should "
    "because each just those people how too little state good very make world still own see men work long get "
    "here between both life being under never day same another know while last might us great old year off come "
    "since against go came right used take three data model system using results based paper method"
).split()
LETTERS = "etaoinshrdlcumwfgypbvkjxqz"
LETTER_FREQ = [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2, 2.0, 2.0, 1.9, 1.5,
               1.0, 0.8, 0.15, 0.15, 0.1, 0.07]
SEPARATORS = [" ", ", ", ". ", ".\n\n", "\n", "; ", ": ", "? ", " (", ") ", " - ", '"', "'s "]
SEPARATOR_P = [0.80, 0.06, 0.06, 0.012, 0.008, 0.008, 0.008, 0.004, 0.012, 0.012, 0.006, 0.008, 0.006]
LATEX = ["$x_{i}$", "$\\alpha$", "\\cite{smith2019}", "\\ref{fig:1}", "\\begin{equation}\n", "\n\\end{equation}\n",
         "$\\sum_{i=1}^{n} x_i^2$", "\\section{Introduction}\n", "\\emph{", "}", "$\\mathcal{O}(n \\log n)$",
         "\\label{eq:main}", "\\\\\n", "$f(x) = \\frac{1}{2}$", "\\textbf{Theorem}", "%"]
SE_EXTRA = ["`foo()`", "<code>", "</code>", "\n\n    x = f(y)\n\n", "Q:", "A:", "&lt;", "&gt;", "https://stackoverflow.com/q/123",
            "\n\n```\nprint(\"hello\")\n```\n\n"]


def _seed_for(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(repr((SEED,) + parts).encode()).digest()[:8], "little")


def make_vocabulary(np: Any, rng: Any, n: int = 60_000) -> tuple[Any, Any]:
    """Pseudo-English words with Zipf probabilities (short words are the frequent ones)."""
    ranks = np.arange(n)
    lengths = 1 + rng.poisson(1.5 + 7.0 * (ranks / n) ** 0.4)
    p = np.array(LETTER_FREQ) / sum(LETTER_FREQ)
    letters = np.frombuffer(LETTERS.encode(), dtype=np.uint8)[rng.choice(26, size=int(lengths.sum()), p=p)]
    buf = letters.tobytes().decode()
    ends = np.cumsum(lengths)
    starts = ends - lengths
    words = [buf[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    words[: len(COMMON_WORDS)] = COMMON_WORDS
    # Capitalised variants now and then.
    cap = rng.random(n) < 0.08
    words = [w.capitalize() if c else w for w, c in zip(words, cap.tolist(), strict=True)]
    probs = 1.0 / (ranks + 2.7) ** 1.0
    return np.array(words, dtype=object), np.cumsum(probs / probs.sum())


def make_non_ascii(np: Any, rng: Any, n: int = 6_000) -> Any:
    """Accented Latin, Cyrillic, Greek, CJK words and a few emoji (astral code points)."""
    accents = "éèàüöäßñçøåíóúâêôîğşłžčřő"
    cyr = "абвгдежзийклмнопрстуфхцчшщыэюя"
    greek = "αβγδεζηθικλμνξοπρστυφχψω"
    out: list[str] = []
    for i in range(n):
        kind = i % 10
        k = int(rng.integers(2, 9))
        if kind < 4:
            w = list(LETTERS[j] for j in rng.integers(0, 12, size=k))
            w[int(rng.integers(0, k))] = accents[int(rng.integers(0, len(accents)))]
            out.append("".join(w))
        elif kind < 6:
            out.append("".join(cyr[j] for j in rng.integers(0, len(cyr), size=k)))
        elif kind < 7:
            out.append("".join(greek[j] for j in rng.integers(0, len(greek), size=k)))
        elif kind < 9:
            out.append("".join(chr(c) for c in rng.integers(0x4E00, 0x9FFF, size=int(rng.integers(2, 5)))))
        else:
            out.append(chr(int(rng.integers(0x1F600, 0x1F64F))))
    return np.array(out, dtype=object)


def _zipf_pick(np: Any, rng: Any, cdf: Any, n: int) -> Any:
    return np.minimum(np.searchsorted(cdf, rng.random(n)), len(cdf) - 1)


def prose_pool(np: Any, rng: Any, chars: int, vocab: tuple[Any, Any], non_ascii: Any, p_non_ascii: float,
               extra: list[str] | None = None, p_extra: float = 0.0) -> str:
    """Prose: a Zipf sequence of "phrases" (1-4 Zipf words and a separator), so that, as in real text,
    word n-grams repeat; zstd -3 compresses it ~3.3x and gzip -6 ~2.5x (enwik8: ~2.9x and ~2.7x)."""
    words, cdf = vocab
    n_phrases = 200_000
    k = rng.integers(1, 5, size=n_phrases)
    toks = words[_zipf_pick(np, rng, cdf, int(k.sum()))]
    if p_non_ascii:
        mask = rng.random(len(toks)) < p_non_ascii
        toks[mask] = non_ascii[rng.integers(0, len(non_ascii), size=int(mask.sum()))]
    if extra:
        mask = rng.random(len(toks)) < p_extra
        toks[mask] = np.array(extra, dtype=object)[rng.integers(0, len(extra), size=int(mask.sum()))]
    sep_p = np.array(SEPARATOR_P) / sum(SEPARATOR_P)
    seps = np.array(SEPARATORS, dtype=object)[rng.choice(len(SEPARATORS), size=n_phrases, p=sep_p)]
    toks_l, seps_l, phrases, j = toks.tolist(), seps.tolist(), [], 0
    for i, kk in enumerate(k.tolist()):
        phrases.append(" ".join(toks_l[j: j + kk]) + seps_l[i])
        j += kk
    probs = 1.0 / (np.arange(n_phrases) + 5.0)
    pcdf = np.cumsum(probs / probs.sum())
    text = "".join(np.array(phrases, dtype=object)[_zipf_pick(np, rng, pcdf, chars // 12 + 1000)].tolist())
    while len(text) < chars:
        text += text[: chars - len(text)]
    return text[:chars]


def code_pool(np: Any, rng: Any, chars: int, vocab: tuple[Any, Any]) -> str:
    """Code-like text: indented lines of identifiers, keywords, operators, strings and comments."""
    words = vocab[0][:4000].tolist()
    kw = ["def", "return", "if", "else:", "for", "in", "import", "from", "class", "while", "const", "let", "function",
          "public", "static", "void", "int", "#include", "self", "None", "true", "false", "null", "try:", "except"]
    ops = ["=", "==", "+", "-", "*", "/", "+=", "->", "=>", "&&", "||", "!=", "<", ">", ","]
    lines: list[str] = []
    for i in range(30_000):
        indent = int(rng.choice([0, 1, 2, 3, 4], p=[0.25, 0.35, 0.25, 0.1, 0.05]))
        pad = ("\t" * indent) if i % 7 == 0 else ("    " * indent)
        k = int(rng.integers(1, 9))
        parts = []
        for _ in range(k):
            r = rng.random()
            if r < 0.25:
                parts.append(kw[int(rng.integers(0, len(kw)))])
            elif r < 0.45:
                parts.append(ops[int(rng.integers(0, len(ops)))])
            elif r < 0.55:
                parts.append(f"{words[int(rng.integers(0, len(words)))]}({words[int(rng.integers(0, len(words)))]})")
            elif r < 0.6:
                parts.append(f'"{words[int(rng.integers(0, len(words)))]}\\n"')
            elif r < 0.65:
                parts.append(str(int(rng.integers(0, 1000))))
            else:
                parts.append("_".join(words[int(j)] for j in rng.integers(0, len(words), size=int(rng.integers(1, 3)))))
        line = pad + " ".join(parts)
        if rng.random() < 0.08:
            line = pad + "# " + " ".join(words[int(j)] for j in rng.integers(0, len(words), size=6))
        elif rng.random() < 0.3:
            line += rng.choice([":", ";", " {", "}", ")", ""])
        lines.append(line + "\n")
    lines += ["\n"] * 3000  # blank lines
    arr = np.array(lines, dtype=object)
    ranks = np.arange(len(arr))
    probs = 1.0 / (ranks + 10.0) ** 0.8
    cdf = np.cumsum(probs / probs.sum())
    n = chars // 25 + 1000
    text = "".join(arr[np.minimum(np.searchsorted(cdf, rng.random(n)), len(arr) - 1)].tolist())
    while len(text) < chars:
        text += text
    return text[:chars]


def build_pools(np: Any) -> dict[str, str]:
    rng = np.random.default_rng(_seed_for("pools"))
    vocab = make_vocabulary(np, rng)
    non_ascii = make_non_ascii(np, rng)
    pools = {}
    for name in SUBSETS:
        chars = POOL_CHARS.get(name, DEFAULT_POOL_CHARS)
        r = np.random.default_rng(_seed_for("pool", name))
        if name == "github":
            pools[name] = code_pool(np, r, chars, vocab)
        elif name == "arxiv":
            pools[name] = prose_pool(np, r, chars, vocab, non_ascii, 0.002, LATEX, 0.06)
        elif name == "stackexchange":
            pools[name] = prose_pool(np, r, chars, vocab, non_ascii, 0.001, SE_EXTRA, 0.02)
        elif name == "wikipedia":
            pools[name] = prose_pool(np, r, chars, vocab, non_ascii, 0.04)
        elif name == "common_crawl":
            pools[name] = prose_pool(np, r, chars, vocab, non_ascii, 0.015)
        else:
            pools[name] = prose_pool(np, r, chars, vocab, non_ascii, 0.0)
    return pools


def plan_arrays(np: Any, size_bytes: int, table: dict[str, tuple[float, float, float, int, int]], tag: str,
                pool_chars: Callable[[str], int], overhead: float = 0.97) -> tuple[Any, Any, Any, Any]:
    """Every document's (subset index, length, pool offset, meta seed), shuffled: lognormal lengths
    per subset of ``table`` until its share of the text budget is reached."""
    rng = np.random.default_rng(_seed_for(tag, size_bytes))
    names = list(table)
    subset_ids, lengths = [], []
    text_budget = size_bytes * overhead  # the meta objects and JSON syntax make up the rest, roughly
    for i, name in enumerate(names):
        share, median, sigma, lo, hi = table[name]
        budget = share * text_budget
        n = int(budget / (median * np.exp(sigma * sigma / 2))) + 16
        ls = np.clip(rng.lognormal(np.log(median), sigma, size=n * 2 + 64), lo, hi).astype(np.int64)
        ls = np.minimum(ls, pool_chars(name) // 2)
        cut = int(np.searchsorted(np.cumsum(ls), budget)) + 1
        ls = ls[: max(cut, 1)]
        subset_ids.append(np.full(len(ls), i, dtype=np.int8))
        lengths.append(ls)
    sid = np.concatenate(subset_ids)
    ln = np.concatenate(lengths)
    order = rng.permutation(len(sid))
    sid, ln = sid[order], ln[order]
    pool_len = np.array([pool_chars(n) for n in names])[sid]
    offsets = (rng.random(len(sid)) * (pool_len - ln)).astype(np.int64)
    meta_seed = rng.integers(0, 2**62, size=len(sid))
    return sid, ln, offsets, meta_seed


def plan_documents(np: Any, size_bytes: int, shard_bytes: int) -> list[dict[str, Any]]:
    """Every document's (subset, length, pool offset), shuffled and cut into shards by size."""
    sid, ln, offsets, meta_seed = plan_arrays(np, size_bytes, SUBSETS, "plan",
                                              lambda name: POOL_CHARS.get(name, DEFAULT_POOL_CHARS))
    # Cut shards at ~shard_bytes of estimated JSONL (text + ~160 bytes of meta per record).
    est = np.cumsum(ln + 160)
    n_shards = max(1, int(round(float(est[-1]) / shard_bytes)))
    bounds = np.searchsorted(est, np.linspace(0, float(est[-1]), n_shards + 1)[1:-1])
    shards = []
    for k, (a, b) in enumerate(zip([0, *bounds.tolist()], [*bounds.tolist(), len(sid)], strict=True)):
        shards.append({"index": k, "subset": sid[a:b].tolist(), "length": ln[a:b].tolist(),
                       "offset": offsets[a:b].tolist(), "meta_seed": meta_seed[a:b].tolist()})
    return shards


def make_meta(name: str, seed: int, text: str) -> dict[str, Any]:
    h = f"{seed:016x}"
    meta: dict[str, Any] = {"red_pajama_subset": name}
    if name == "common_crawl":
        meta.update(url=f"https://www.{h[:6]}.com/{h[6:12]}/{h[12:]}.html", language="en",
                    source=f"cc/2023-{(seed % 50) + 1:02d}/en_head_{seed % 5000:04d}.json.gz")
    elif name == "c4":
        meta.update(url=f"https://{h[:8]}.org/blog/{h[8:]}", timestamp=f"2019-04-{(seed % 28) + 1:02d}T10:{seed % 60:02d}:00Z")
    elif name == "github":
        meta.update(url=f"https://github.com/{h[:5]}/{h[5:10]}/blob/main/src/{h[10:]}.py", repo_name=f"{h[:5]}/{h[5:10]}",
                    path=f"src/{h[10:]}.py", language="Python", license=["mit", "apache-2.0", "bsd-3-clause"][seed % 3],
                    size=len(text))
    elif name == "book":  # books have no url in RedPajama
        meta.update(title=f"The {h[:7]} of {h[7:]}", short_book_title=f"{h[:7]}", publication_date=str(1850 + seed % 170))
    elif name == "arxiv":
        arxiv_id = f"{seed % 2300:04d}.{seed % 99999:05d}"
        meta.update(url=f"https://arxiv.org/abs/{arxiv_id}", arxiv_id=arxiv_id,
                    yymm=f"{seed % 2300:04d}", timestamp="2023-01-01T00:00:00", language="en")
    elif name == "wikipedia":
        meta.update(url=f"https://en.wikipedia.org/wiki/{h}", title=h, language=["en", "de", "fr", "ru", "ja", "zh"][seed % 6])
    else:  # stackexchange
        meta.update(url=f"https://stackoverflow.com/questions/{seed % 10**8}", language="en", question_score=int(seed % 300))
    return meta


_POOLS: dict[str, str] = {}  # filled in the parent before forking the shard writers


def write_shard(args: tuple[dict[str, Any], str, str, int]) -> dict[str, Any]:
    shard, out_dir, parquet_compression, zstd_level = args
    import msgspec
    import pyarrow as pa
    import pyarrow.parquet as pq
    import zstandard

    names = list(SUBSETS)
    texts: list[str] = []
    metas: list[dict[str, Any]] = []
    counts = {n: [0, 0, 0] for n in names}
    for sid, length, offset, mseed in zip(shard["subset"], shard["length"], shard["offset"], shard["meta_seed"], strict=True):
        name = names[sid]
        text = _POOLS[name][offset: offset + length]
        texts.append(text)
        metas.append(make_meta(name, mseed, text))
        c = counts[name]
        c[0] += 1
        c[1] += length if text.isascii() else len(text.encode("utf-8"))
        c[2] += length
    enc = msgspec.json.Encoder()
    data = b"".join([enc.encode({"text": t, "meta": m}) + b"\n" for t, m in zip(texts, metas, strict=True)])
    stem = f"shard-{shard['index']:05d}"
    out = Path(out_dir)
    sizes = {}

    def put(fmt: str, payload: bytes) -> None:
        path = out / FORMATS[fmt][0] / (stem + FORMATS[fmt][1])
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(payload)
        tmp.rename(path)
        sizes[fmt] = len(payload)

    put("jsonl", data)
    put("zst", zstandard.ZstdCompressor(level=zstd_level).compress(data))
    put("gz", gzip.compress(data, compresslevel=6, mtime=0))
    del data
    # Parquet: the same records, meta as a struct with the union of the subsets' fields.
    meta_type = pa.struct([pa.field(k, getattr(pa, v)()) for k, v in META_FIELDS.items()])
    schema = pa.schema([pa.field("text", pa.string()), pa.field("meta", meta_type)])
    path = out / "parquet" / (stem + ".parquet")
    tmp = path.with_name(path.name + ".tmp")
    groups = []
    with pq.ParquetWriter(tmp, schema, compression=parquet_compression) as writer:
        start, acc = 0, 0
        for i, t in enumerate(texts):
            acc += len(t) + 120
            if acc >= PARQUET_ROW_GROUP_BYTES or i == len(texts) - 1:
                table = pa.table({"text": pa.array(texts[start: i + 1], pa.string()),
                                  "meta": pa.array(metas[start: i + 1], meta_type)}, schema=schema)
                writer.write_table(table, row_group_size=len(texts[start: i + 1]))
                start, acc = i + 1, 0
    md = pq.ParquetFile(tmp).metadata
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        groups.append((rg.num_rows, rg.total_byte_size, sum(rg.column(c).total_compressed_size for c in range(rg.num_columns))))
    tmp.rename(path)
    sizes["parquet"] = path.stat().st_size
    return {"index": shard["index"], "counts": counts, "sizes": sizes, "row_groups": groups}


def corpus_key(args: argparse.Namespace) -> str:
    spec = {"v": GENERATOR_VERSION, "seed": SEED, "size_gb": args.size_gb, "shard_mb": args.shard_mb,
            "parquet": args.parquet_compression, "subsets": SUBSETS}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]


def ensure_corpus(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Generate the corpus under ``root`` (or reuse it: ``manifest.json`` is written last)."""
    corpus = root / f"redpajama-{args.size_gb:g}gb-{corpus_key(args)}"
    manifest_path = corpus / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if all((corpus / p).exists() for files in manifest["files"].values() for p in files):
            print(f"Reusing the corpus in {corpus} (generated in {manifest['generation_s']:.0f} s)")
            manifest["dir"] = str(corpus)
            return manifest
    import multiprocessing

    import numpy as np

    if corpus.exists():
        shutil.rmtree(corpus)
    for d, _, _ in FORMATS.values():
        (corpus / d).mkdir(parents=True)
    t0 = time.perf_counter()
    print(f"Generating a {args.size_gb:g} GB RedPajama-shaped corpus in {corpus} ...", flush=True)
    _POOLS.update(build_pools(np))
    shards = plan_documents(np, int(args.size_gb * 1e9), int(args.shard_mb * MB))
    print(f"  text pools built, {sum(len(s['subset']) for s in shards):,} documents planned in {len(shards)} shards "
          f"({time.perf_counter() - t0:.1f} s)", flush=True)
    jobs = [(s, str(corpus), args.parquet_compression, 3) for s in shards]
    results = []
    ctx = multiprocessing.get_context("fork")  # the workers inherit the pools
    with ctx.Pool(min(os.cpu_count() or 1, 4), maxtasksperchild=4) as pool:
        for r in pool.imap_unordered(write_shard, jobs):
            results.append(r)
            print(f"  shard {r['index']:3d} written ({len(results)}/{len(jobs)}, {time.perf_counter() - t0:.0f} s)", flush=True)
    _POOLS.clear()
    results.sort(key=lambda r: r["index"])
    totals = {n: [0, 0, 0] for n in SUBSETS}
    for r in results:
        for n, c in r["counts"].items():
            for i in range(3):
                totals[n][i] += c[i]
    manifest = {
        "generator_version": GENERATOR_VERSION, "seed": SEED, "size_gb": args.size_gb, "shard_mb": args.shard_mb,
        "parquet_compression": args.parquet_compression, "generation_s": time.perf_counter() - t0,
        "expected": totals,
        "files": {fmt: [f"{d}/shard-{r['index']:05d}{suffix}" for r in results] for fmt, (d, suffix, _) in FORMATS.items()},
        "sizes": {fmt: sum(r["sizes"][fmt] for r in results) for fmt in FORMATS},
        "shard_sizes": {fmt: [r["sizes"][fmt] for r in results] for fmt in FORMATS},
        "row_groups": [g for r in results for g in r["row_groups"]],
    }
    manifest_path.write_text(json.dumps(manifest, indent=1))
    print(f"  done in {manifest['generation_s']:.0f} s", flush=True)
    manifest["dir"] = str(corpus)
    return manifest


# ---------------------------------------------------------------------------------------------
# Dolma-shaped corpora: the same documents in three layouts, and one huge file
# ---------------------------------------------------------------------------------------------

DOLMA_VERSION = 1  # bump when the Dolma-shaped data changes: it is part of the cache key
# source -> (text pool, share of bytes, median characters, lognormal sigma, min, max characters).
# Shares are Dolma v1.6's UTF-8 bytes per source (the allenai/dolma card, v1.6 summary: 9,022 GB
# common-crawl, 1,043 the-stack, 790 c4, 339 reddit, 268 pes2o, 20.4 project-gutenberg, 16.2
# wikipedia-wikibooks); the medians give its mean bytes per document (2.7 kB, 5.0, 2.2, 0.9, 6.9,
# 364, 2.6).
DOLMA_SOURCES: dict[str, tuple[str, float, float, float, int, int]] = {
    "common-crawl": ("common_crawl", 9022, 1_600, 1.0, 100, 400_000),
    "the-stack": ("github", 1043, 2_100, 1.3, 20, 1_000_000),
    "c4": ("c4", 790, 1_650, 0.75, 50, 100_000),
    "reddit": ("stackexchange", 339, 550, 1.0, 20, 40_000),
    "pes2o": ("arxiv", 268, 4_200, 1.0, 200, 500_000),
    "project-gutenberg": ("book", 20.4, 300_000, 0.6, 20_000, 6_000_000),
    "wikipedia-wikibooks": ("wikipedia", 16.2, 1_500, 1.1, 100, 300_000),
}
_DOLMA_TOTAL = sum(v[1] for v in DOLMA_SOURCES.values())
DOLMA_TABLE = {name: (v[1] / _DOLMA_TOTAL, v[2], v[3], v[4], v[5]) for name, v in DOLMA_SOURCES.items()}
DOLMA_RECORD_OVERHEAD = 330  # estimated JSON bytes of a record besides its text (id, dates, metadata)

DOLMA_META_FIELDS: dict[str, str] = {  # the union of the sources' metadata fields -> Arrow type
    "url": "string", "warc_date": "string", "warc_filename": "string", "language": "string",
    "language_score": "float64", "perplexity": "float64", "bucket": "string", "paragraphs": "int64",
    "repo_name": "string", "path": "string", "licenses": "list<string>", "lang": "string", "size": "int64",
    "max_stars_count": "int64", "avg_line_length": "float64", "alphanum_fraction": "float64",
    "timestamp": "string", "length": "int64", "subreddit": "string", "score": "int64", "thread_id": "string",
    "created_utc": "int64", "sha1": "string", "year": "int64", "fields_of_study": "list<string>",
    "provenance": "string", "title": "string", "author": "string", "gutenberg_id": "int64", "revid": "int64",
}
FIELDS_OF_STUDY = ["Computer Science", "Mathematics", "Physics", "Biology", "Medicine", "Economics", "Chemistry"]
SUBREDDITS = ["AskReddit", "science", "programming", "history", "explainlikeimfive", "books", "MachineLearning"]


def dolma_record(name: str, seed: int, text: str) -> dict[str, Any]:
    """One Dolma-shaped record: ``id, text, source, added, created, metadata{...}`` in that order
    (``source`` after the long ``text``, as in Dolma's files)."""
    h = f"{seed:016x}"
    day, sec = seed % 28 + 1, seed % 86_400
    added = f"2023-{seed % 12 + 1:02d}-{day:02d}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}.{seed % 1000:03d}Z"
    created = f"{2010 + seed % 14}-{(seed >> 8) % 12 + 1:02d}-{(seed >> 4) % 28 + 1:02d}T00:00:00.000Z"
    if name == "common-crawl":
        meta: dict[str, Any] = {"url": f"https://www.{h[:6]}.com/{h[6:12]}/{h[12:]}.html", "warc_date": created,
                                "warc_filename": f"crawl-data/CC-MAIN-2020-{seed % 50:02d}/segments/{h}.warc.gz",
                                "language": "en", "language_score": round(0.5 + (seed % 500) / 1000, 4),
                                "perplexity": round(100 + (seed % 90_000) / 100, 2),
                                "bucket": ["head", "middle", "tail"][seed % 3], "paragraphs": text.count("\n") + 1}
    elif name == "the-stack":
        meta = {"repo_name": f"{h[:5]}/{h[5:10]}", "path": f"src/{h[10:]}.py", "licenses": ["mit", "apache-2.0"][: seed % 2 + 1],
                "lang": ["Python", "JavaScript", "Java", "C++", "Go"][seed % 5], "size": len(text),
                "max_stars_count": seed % 5000, "avg_line_length": round(20 + (seed % 600) / 10, 3),
                "alphanum_fraction": round(0.5 + (seed % 400) / 1000, 4)}
    elif name == "c4":
        meta = {"url": f"https://{h[:8]}.org/blog/{h[8:]}", "timestamp": created, "length": len(text)}
    elif name == "reddit":
        meta = {"subreddit": SUBREDDITS[seed % len(SUBREDDITS)], "score": seed % 2000 - 50, "thread_id": f"t3_{h[:7]}",
                "created_utc": 1_300_000_000 + seed % 300_000_000}
    elif name == "pes2o":
        meta = {"sha1": h + h[:8] + h[4:], "year": 1990 + seed % 33,
                "fields_of_study": FIELDS_OF_STUDY[seed % 7: seed % 7 + 1 + seed % 2], "provenance": "s2orc"}
    elif name == "project-gutenberg":
        meta = {"title": f"The {h[:7]} of {h[7:]}", "author": f"{h[:5].capitalize()} {h[5:11].capitalize()}",
                "language": "en", "gutenberg_id": seed % 70_000}
    else:  # wikipedia-wikibooks
        meta = {"url": f"https://en.wikipedia.org/wiki/{h}", "title": h, "language": "en", "revid": seed % 10**9}
    return {"id": f"{h}-{seed % 99991:05d}", "text": text, "source": name, "added": added, "created": created,
            "metadata": meta}


def _arrow_type(pa: Any, name: str) -> Any:
    return pa.list_(pa.string()) if name == "list<string>" else getattr(pa, name)()


def write_dolma_job(job: dict[str, Any]) -> list[dict[str, Any]]:
    """Write the files of one job in every format; their counts per source and sizes."""
    import msgspec
    import pyarrow as pa
    import pyarrow.parquet as pq
    import zstandard

    names = list(DOLMA_SOURCES)
    out = Path(job["out"])
    enc = msgspec.json.Encoder()
    meta_type = pa.struct([pa.field(k, _arrow_type(pa, v)) for k, v in DOLMA_META_FIELDS.items()])
    schema = pa.schema([pa.field("id", pa.string()), pa.field("text", pa.string()), pa.field("source", pa.string()),
                        pa.field("added", pa.string()), pa.field("created", pa.string()), pa.field("metadata", meta_type)])
    results = []
    for f in job["files"]:
        records, counts = [], {}
        for sid, length, offset, mseed in zip(f["subset"], f["length"], f["offset"], f["meta_seed"], strict=True):
            name = names[sid]
            text = _POOLS[DOLMA_SOURCES[name][0]][offset: offset + length]
            records.append(dolma_record(name, mseed, text))
            c = counts.setdefault(name, [0, 0, 0])
            c[0] += 1
            c[1] += length if text.isascii() else len(text.encode("utf-8"))
            c[2] += length
        data = b"".join([enc.encode(r) + b"\n" for r in records])
        sizes = {}

        def put(fmt: str, payload: bytes) -> None:
            path = out / fmt / (f["stem"] + FORMATS[fmt][1])
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(payload)
            tmp.rename(path)
            sizes[fmt] = len(payload)

        put("jsonl", data)
        put("zst", zstandard.ZstdCompressor(level=3).compress(data))
        put("gz", gzip.compress(data, compresslevel=6, mtime=0))
        del data
        path = out / "parquet" / (f["stem"] + ".parquet")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with pq.ParquetWriter(tmp, schema, compression=job["parquet_compression"]) as writer:
            start, acc = 0, 0
            for i, r in enumerate(records):
                acc += len(r["text"]) + 200
                if acc >= PARQUET_ROW_GROUP_BYTES or i == len(records) - 1:
                    part = records[start: i + 1]
                    writer.write_table(pa.Table.from_pylist(part, schema=schema), row_group_size=len(part))
                    start, acc = i + 1, 0
        tmp.rename(path)
        sizes["parquet"] = path.stat().st_size
        results.append({"stem": f["stem"], "counts": counts, "sizes": sizes})
    return results


def dolma_key(args: argparse.Namespace) -> str:
    spec = {"v": DOLMA_VERSION, "seed": SEED, "size_gb": args.size_gb, "shard_mb": args.shard_mb,
            "parquet": args.parquet_compression, "sources": DOLMA_SOURCES, "small_files": args.small_files}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]


def _cut(est: Any, pieces: int, np: Any) -> list[tuple[int, int]]:
    """``pieces`` non-empty consecutive ranges of documents, cut at about equal estimated bytes."""
    n = len(est)
    pieces = max(1, min(pieces, n))
    cum = np.cumsum(est)
    bounds = np.searchsorted(cum, np.linspace(0, float(cum[-1]), pieces + 1)[1:-1]).tolist()
    fixed, prev = [], 0
    for i, b in enumerate(bounds):  # strictly increasing, leaving one document for each later piece
        b = min(max(b, prev + 1), n - (pieces - 1 - i))
        fixed.append(b)
        prev = b
    return list(zip([0, *fixed], [*fixed, n], strict=True))


def plan_dolma(np: Any, args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """The files of the three Dolma layouts (the same documents in each): ``grouped`` (mixed shards
    of ~shard_mb), ``per-source`` (a folder per source, shards of ~shard_mb) and ``small-files``
    (a folder per source, ``--small-files`` files in all, allotted by bytes)."""
    names = list(DOLMA_SOURCES)
    sid, ln, offsets, meta_seed = plan_arrays(np, int(args.size_gb * 1e9), DOLMA_TABLE, "plan-dolma",
                                              lambda name: POOL_CHARS.get(DOLMA_SOURCES[name][0], DEFAULT_POOL_CHARS),
                                              overhead=0.9)
    est = ln + DOLMA_RECORD_OVERHEAD
    shard_bytes = args.shard_mb * MB

    def files_of(index: Any, ranges: list[tuple[int, int]], stem: Callable[[int], str]) -> list[dict[str, Any]]:
        return [{"stem": stem(k), "subset": sid[index[a:b]].tolist(), "length": ln[index[a:b]].tolist(),
                 "offset": offsets[index[a:b]].tolist(), "meta_seed": meta_seed[index[a:b]].tolist()}
                for k, (a, b) in enumerate(ranges)]

    everything = np.arange(len(sid))
    plan = {"grouped": files_of(everything, _cut(est, int(round(float(est.sum()) / shard_bytes)), np),
                                lambda k: f"shard-{k:05d}")}
    per_source, small = [], []
    by_source = {i: np.flatnonzero(sid == i) for i in range(len(names))}
    total = float(est.sum())
    allot = {i: max(1, min(len(idx), int(round(args.small_files * float(est[idx].sum()) / total))))
             for i, idx in by_source.items() if len(idx)}
    largest = max(allot, key=lambda i: float(est[by_source[i]].sum()))
    allot[largest] = max(1, min(len(by_source[largest]), allot[largest] + args.small_files - sum(allot.values())))
    for i, idx in by_source.items():
        if not len(idx):
            continue
        name = names[i]
        pieces = max(1, int(round(float(est[idx].sum()) / shard_bytes)))
        per_source += files_of(idx, _cut(est[idx], pieces, np), lambda k, n=name: f"{n}/{n}-{k:05d}")
        small += files_of(idx, _cut(est[idx], allot[i], np), lambda k, n=name: f"{n}/{n}-{k:05d}")
    plan["per-source"] = per_source
    plan["small-files"] = small
    return plan


def ensure_dolma(root: Path, args: argparse.Namespace, wanted: list[str]) -> dict[str, dict[str, Any]]:
    """Generate (or reuse) the Dolma layouts in ``wanted`` (of grouped, per-source, small-files)
    under ``root``/dolma-<size>gb-<key>/<layout>/; each layout's ``layout.json`` is written last."""
    import multiprocessing

    corpus = root / f"dolma-{args.size_gb:g}gb-{dolma_key(args)}"
    found: dict[str, dict[str, Any]] = {}
    missing = []
    for name in wanted:
        meta_path = corpus / name / "layout.json"
        if meta_path.exists():
            meta = json.loads(meta_path.read_text())
            if all((corpus / name / p).exists() for files in meta["files"].values() for p in files):
                meta["dir"] = str(corpus / name)
                found[name] = meta
                print(f"Reusing the Dolma-shaped {name} layout in {corpus / name} (generated in {meta['generation_s']:.0f} s)")
                continue
        missing.append(name)
    if not missing:
        return found
    import numpy as np

    t0 = time.perf_counter()
    print(f"Generating the Dolma-shaped layouts {', '.join(missing)} ({args.size_gb:g} GB each) in {corpus} ...", flush=True)
    if not _POOLS:
        _POOLS.update(build_pools(np))
    plan = plan_dolma(np, args)
    print(f"  text pools built, {sum(len(f['subset']) for f in plan['grouped']):,} documents planned "
          f"({time.perf_counter() - t0:.1f} s)", flush=True)
    ctx = multiprocessing.get_context("fork")  # the workers inherit the pools
    for name in missing:
        t1 = time.perf_counter()
        out = corpus / name
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        jobs, job, acc = [], [], 0
        for f in plan[name]:  # jobs of about 64 MB
            job.append(f)
            acc += sum(f["length"]) + DOLMA_RECORD_OVERHEAD * len(f["length"])
            if acc >= 64 * MB:
                jobs.append(job)
                job, acc = [], 0
        if job:
            jobs.append(job)
        results: list[dict[str, Any]] = []
        with ctx.Pool(min(os.cpu_count() or 1, 4), maxtasksperchild=8) as pool:
            for part in pool.imap_unordered(write_dolma_job, [{"files": j, "out": str(out),
                                                              "parquet_compression": args.parquet_compression} for j in jobs]):
                results += part
                print(f"  {name}: {len(results):,}/{len(plan[name]):,} files ({time.perf_counter() - t1:.0f} s)", flush=True)
        results.sort(key=lambda r: r["stem"])
        totals: Counts = {n: [0, 0, 0] for n in DOLMA_SOURCES}
        for r in results:
            for n, c in r["counts"].items():
                for i in range(3):
                    totals[n][i] += c[i]
        meta = {"layout": name, "size_gb": args.size_gb, "generation_s": time.perf_counter() - t1,
                "expected": {n: c for n, c in totals.items() if c[0]},
                "files": {fmt: [f"{fmt}/{r['stem']}{suffix}" for r in results] for fmt, (_, suffix, _) in FORMATS.items()},
                "sizes": {fmt: sum(r["sizes"][fmt] for r in results) for fmt in FORMATS},
                "file_counts": [r["counts"] for r in results]}
        (out / "layout.json").write_text(json.dumps(meta))
        print(f"  {name} done in {meta['generation_s']:.0f} s", flush=True)
        meta["dir"] = str(out)
        found[name] = meta
    _POOLS.clear()
    return found


def ensure_huge(root: Path, grouped: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """One file of >= ``--huge-gb`` GB per format: the Dolma-shaped grouped shards concatenated
    (repeated as needed; whole shards). JSONL as bytes, ``.zst`` as frames and ``.gz`` as members
    one after another (both valid multi-frame / multi-member files), Parquet by copying row groups."""
    out = root / f"dolma-huge-{args.huge_gb:g}gb-from-{Path(grouped['dir']).parent.name}"
    meta_path = out / "layout.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all((out / p).exists() for files in meta["files"].values() for p in files):
            meta["dir"] = str(out)
            print(f"Reusing the huge file in {out} (generated in {meta['generation_s']:.0f} s)")
            return meta
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    print(f"Generating one >= {args.huge_gb:g} GB file per format in {out} ...", flush=True)
    if out.exists():
        shutil.rmtree(out)
    src = Path(grouped["dir"])
    order, written = [], 0
    target = int(args.huge_gb * 1e9)
    while written < target:
        for i, p in enumerate(grouped["files"]["jsonl"]):
            order.append(i)
            written += (src / p).stat().st_size
            if written >= target:
                break
    files, sizes = {}, {}
    for fmt, (_, suffix, _) in FORMATS.items():
        path = out / fmt / f"huge{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        if fmt == "parquet":
            first = pq.ParquetFile(src / grouped["files"]["parquet"][0])
            with pq.ParquetWriter(tmp, first.schema_arrow, compression=args.parquet_compression) as writer:
                for i in order:
                    pf = pq.ParquetFile(src / grouped["files"]["parquet"][i])
                    for g in range(pf.num_row_groups):
                        writer.write_table(pf.read_row_group(g))
        else:
            with open(tmp, "wb") as f:
                for i in order:
                    with open(src / grouped["files"][fmt][i], "rb") as s:
                        shutil.copyfileobj(s, f, 16 << 20)
        tmp.rename(path)
        files[fmt] = [f"{fmt}/huge{suffix}"]
        sizes[fmt] = path.stat().st_size
        print(f"  {fmt}: {sizes[fmt] / MB:,.0f} MB ({time.perf_counter() - t0:.0f} s)", flush=True)
    expected: Counts = {}
    for i in order:
        for n, c in grouped["file_counts"][i].items():
            e = expected.setdefault(n, [0, 0, 0])
            for k in range(3):
                e[k] += c[k]
    meta = {"layout": "huge-file", "generation_s": time.perf_counter() - t0, "expected": expected, "files": files,
            "sizes": sizes, "shards": len(order)}
    meta_path.write_text(json.dumps(meta))
    meta["dir"] = str(out)
    return meta


# ---------------------------------------------------------------------------------------------
# Layouts: what is measured (files, how documents map to sources, the ground truth)
# ---------------------------------------------------------------------------------------------

Counts = dict[str, list[int]]  # group or source -> [documents, utf-8 bytes, characters]

LAYOUTS = {  # name -> description
    "redpajama": "RedPajama-shaped mixed shards, grouped by meta.red_pajama_subset (scan.data_files + group_by)",
    "dolma-grouped": "Dolma-shaped mixed shards, grouped by source (scan.data_files + group_by: source)",
    "dolma-per-source": "the same Dolma-shaped documents in one folder per source, no group_by (sources' data_files)",
    "small-files": "the same Dolma-shaped documents in one folder per source, in --small-files files (sources' data_files)",
    "huge-file": "one file of >= --huge-gb GB: the Dolma-shaped mixed shards concatenated, grouped by source",
}


@dataclass
class Layout:
    name: str
    dir: Path  # the repository root of the generated manifests
    files: dict[str, list[str]]  # format -> absolute paths
    sizes: dict[str, int]  # format -> bytes on disk
    expected: Counts
    group_by: str | None  # grouped layouts; None: one source per folder
    sources: dict[str, dict[str, list[str]]] | None  # per-source layouts: format -> source -> paths
    source_patterns: dict[str, dict[str, list[str]]] | None = None  # format -> source -> data_files patterns
    shared_patterns: dict[str, list[str]] | None = None  # format -> scan.data_files patterns

    @property
    def jsonl_bytes(self) -> int:
        return self.sizes["jsonl"]

    def manifest(self, fmt: str) -> Path:
        """A mixlint manifest measuring this layout's files of ``fmt`` (written next to the data)."""
        path = self.dir / f"bench-{self.name}-{fmt}.mixture.yaml"
        lines = ["mixlint: 1", f"name: bench-{self.name}-{fmt}", "basis: bytes"]
        if self.group_by:
            lines += ["scan:", "  text_field: text", f"  group_by: {self.group_by}",
                      f"  data_files: {json.dumps((self.shared_patterns or {})[fmt])}", "sources:"]
            lines += [f"  - {{name: {name}}}" for name in self.expected]
        else:
            lines += ["scan:", "  text_field: text", "sources:"]
            lines += [f"  - {{name: {name}, data_files: {json.dumps(pats)}}}"
                      for name, pats in (self.source_patterns or {})[fmt].items()]
        text = "\n".join(lines) + "\n"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        return path


def redpajama_layout(manifest: dict[str, Any]) -> Layout:
    d = Path(manifest["dir"])
    files = {fmt: [str(d / p) for p in ps] for fmt, ps in manifest["files"].items()}
    return Layout("redpajama", d, files, dict(manifest["sizes"]), manifest["expected"], "meta.red_pajama_subset", None,
                  shared_patterns={fmt: [f"{FORMATS[fmt][0]}/*{FORMATS[fmt][1]}"] for fmt in files})


def dolma_layout(name: str, meta: dict[str, Any]) -> Layout:
    d = Path(meta["dir"])
    files = {fmt: [str(d / p) for p in ps] for fmt, ps in meta["files"].items()}
    if name in ("grouped", "huge-file"):
        label = "dolma-grouped" if name == "grouped" else "huge-file"
        return Layout(label, d, files, dict(meta["sizes"]), meta["expected"], "source", None,
                      shared_patterns={fmt: [f"{fmt}/*{FORMATS[fmt][1]}"] for fmt in files})
    sources: dict[str, dict[str, list[str]]] = {}
    patterns: dict[str, dict[str, list[str]]] = {}
    for fmt, ps in files.items():
        by: dict[str, list[str]] = {}
        for p in ps:
            by.setdefault(Path(p).parent.name, []).append(p)
        sources[fmt] = by
        patterns[fmt] = {s: [f"{fmt}/{s}/*{FORMATS[fmt][1]}"] for s in by}
    return Layout("dolma-per-source" if name == "per-source" else "small-files", d, files, dict(meta["sizes"]),
                  meta["expected"], None, sources, source_patterns=patterns)


# ---------------------------------------------------------------------------------------------
# Engines (each runs in a fresh subprocess: ``scan.py --_worker '<json job>'``)
#
# A job: {"engine", "format", "paths", "group_by" (dotted field, or None), "sources" (per-source
# layouts: source -> paths, else None), "manifest", "root", "opts"}. Every engine returns counts
# per group (grouped layouts) or per source (per-source layouts).
# ---------------------------------------------------------------------------------------------

def _field_tree(dotted_fields: list[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for dotted in dotted_fields:
        *parents, name = dotted.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[name] = None
    return tree


def _fields(job: dict[str, Any]) -> list[str]:
    return ["text"] + ([job["group_by"]] if job.get("group_by") else [])


def _source_of(job: dict[str, Any]) -> dict[str, str]:
    return {p: s for s, ps in (job.get("sources") or {}).items() for p in ps}


def _add(out: Counts, key: str, d: int, b: int, c: int) -> None:
    o = out.setdefault(str(key), [0, 0, 0])
    o[0] += int(d)
    o[1] += int(b or 0)
    o[2] += int(c or 0)


def _duck_sql_parts(job: dict[str, Any]) -> tuple[str, str | None]:
    """read_json's ``columns`` (only the needed fields, typed) and the group expression."""
    def sql_type(node: dict[str, Any] | None) -> str:
        return "VARCHAR" if node is None else "STRUCT(" + ", ".join(f'"{k}" {sql_type(v)}' for k, v in node.items()) + ")"

    tree = _field_tree(_fields(job))
    columns = "{" + ", ".join(f"'{k}': '{sql_type(v)}'" for k, v in tree.items()) + "}"
    group = ".".join(f'"{p}"' for p in job["group_by"].split(".")) if job.get("group_by") else None
    return columns, group


def _duck_source(fmt: str, param: str, columns: str, filename: bool) -> str:
    extra = ", filename = true" if filename else ""
    if fmt == "parquet":
        return f"read_parquet(${param}{extra})"
    # records = true: every line an object; only the declared columns are materialised. DuckDB's
    # default maximum_object_size (16 MB) fits every document here (larger made it a third slower).
    return f"read_json(${param}, format = 'newline_delimited', records = true, columns = {columns}{extra})"


def engine_duckdb(job: dict[str, Any]) -> tuple[Counts, str]:
    """DuckDB, one query over all files with the default threads (= cores). Per-source layouts:
    grouped by DuckDB's ``filename`` column, summed per source here (a handful of rows)."""
    import duckdb

    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    columns, group = _duck_sql_parts(job)
    out: Counts = {}
    if group:
        sql = f"SELECT {group}, count(*), sum(strlen(text)), sum(length(text)) FROM {_duck_source(job['format'], 'p', columns, False)} GROUP BY 1"
        for g, d, b, c in con.execute(sql, {"p": job["paths"]}).fetchall():
            _add(out, g, d, b, c)
    else:
        sql = f"SELECT filename, count(*), sum(strlen(text)), sum(length(text)) FROM {_duck_source(job['format'], 'p', columns, True)} GROUP BY 1"
        source_of = _source_of(job)
        for f, d, b, c in con.execute(sql, {"p": job["paths"]}).fetchall():
            _add(out, source_of[f], d, b, c)
    return out, f"one query, threads={threads}, columns declared, records=true"


def engine_duckdb_union(job: dict[str, Any]) -> tuple[Counts, str]:
    """DuckDB, per-source layouts: one query, a UNION ALL of one scan per source labelled with
    its name (no file names compared)."""
    import duckdb

    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    columns, _ = _duck_sql_parts(job)
    names = list(job["sources"])
    parts = [f"SELECT '{n}' AS s, text FROM {_duck_source(job['format'], f'p{i}', columns, False)}" for i, n in enumerate(names)]
    sql = f"SELECT s, count(*), sum(strlen(text)), sum(length(text)) FROM ({' UNION ALL '.join(parts)}) GROUP BY 1"
    out: Counts = {}
    for s, d, b, c in con.execute(sql, {f"p{i}": job["sources"][n] for i, n in enumerate(names)}).fetchall():
        _add(out, s, d, b, c)
    return out, f"one UNION ALL query of {len(names)} scans, threads={threads}"


def engine_duckdb_batched(job: dict[str, Any]) -> tuple[Counts, str]:
    """DuckDB, single-threaded queries over batches of files (the largest first; files under
    16 MB on disk share a batch), as many at once as cores (a compressed file is decompressed on
    one thread, so one query over all files can leave a core idle)."""
    import duckdb

    n = os.cpu_count() or 1
    sizes = {p: os.path.getsize(p) for p in job["paths"]}
    batches: list[list[str]] = []
    filled = 16 << 20
    for p in sorted(job["paths"], key=lambda p: -sizes[p]):
        if filled >= 16 << 20:
            batches.append([])
            filled = 0
        batches[-1].append(p)
        filled += sizes[p]
    con = duckdb.connect(config={"threads": 1})
    columns, group = _duck_sql_parts(job)
    src = _duck_source(job["format"], "p", columns, True)
    sql = (f"SELECT filename, {group or 'NULL'}, count(*), sum(strlen(text)), sum(length(text)) FROM {src} GROUP BY 1, 2")

    def one(batch: list[str]) -> list[tuple[Any, ...]]:
        return con.cursor().execute(sql, {"p": batch}).fetchall()

    from concurrent.futures import ThreadPoolExecutor

    out: Counts = {}
    source_of = _source_of(job)
    with ThreadPoolExecutor(n) as pool:
        for rows in pool.map(one, batches):
            for f, g, d, b, c in rows:
                _add(out, g if group else source_of[f], d, b, c)
    return out, f"{len(batches)} single-threaded queries, {n} at once"


def engine_polars(job: dict[str, Any]) -> tuple[Counts, str]:
    import polars as pl

    def schema_of(node: dict[str, Any] | None) -> Any:
        return pl.String if node is None else pl.Struct({k: schema_of(v) for k, v in node.items()})

    schema = {k: schema_of(v) for k, v in _field_tree(_fields(job)).items()}

    def scan(paths: list[str]) -> Any:
        if job["format"] == "parquet":
            return pl.scan_parquet(paths)
        return pl.scan_ndjson(paths, schema=schema)  # polars decompresses .zst and .gz NDJSON itself

    if job.get("group_by"):
        parts = job["group_by"].split(".")
        g = pl.col(parts[0])
        for p in parts[1:]:
            g = g.struct.field(p)
        lf = scan(job["paths"]).select(g.alias("g"), pl.col("text"))
    else:
        lf = pl.concat([scan(ps).select(pl.lit(s).alias("g"), pl.col("text")) for s, ps in job["sources"].items()])
    q = lf.group_by("g").agg(pl.len().alias("d"), pl.col("text").str.len_bytes().sum().alias("b"),
                             pl.col("text").str.len_chars().sum().alias("c"))
    engine = job["opts"].get("polars_engine", "streaming")
    out: Counts = {}
    for g, d, b, c in q.collect(engine=engine).rows():
        _add(out, g, d, b, c)
    return out, f"collect(engine={engine!r}), threads={pl.thread_pool_size()}"


_CLEANUP: list[str] = []  # removed by the worker after the clock stops


def _group_array(table: Any, group_by: str) -> Any:
    """The group values of an Arrow table, with pyarrow.compute only: a struct field, or, where
    ``datasets`` stored the object as a JSON string (its ``Json`` feature), a regex over it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = group_by.split(".")
    col = table.column(parts[0])
    for i, p in enumerate(parts[1:], 1):
        if pa.types.is_struct(col.type):
            col = pc.struct_field(col, p)
        else:  # a JSON string
            name = ".".join(parts[i:])
            col = pc.struct_field(pc.extract_regex(col, rf'"{name}":\s*"(?P<g>[^"]*)"'), "g")
            break
    return col


def _arrow_counts(table: Any, group: Any) -> Counts:
    import pyarrow as pa
    import pyarrow.compute as pc

    text = table.column("text")
    t = pa.table({"g": group, "b": pc.binary_length(text), "c": pc.utf8_length(text)})
    out: Counts = {}
    for row in t.group_by("g").aggregate([("b", "count"), ("b", "sum"), ("c", "sum")]).to_pylist():
        _add(out, row["g"], row["b_count"], row["b_sum"], row["c_sum"])
    return out


def engine_datasets(job: dict[str, Any]) -> tuple[Counts, str]:
    """`datasets`' fastest idiom: ``load_dataset(..., num_proc=cores)`` into a throwaway cache (a
    fresh directory per run, removed after the clock stops), then the Arrow table aggregated with
    pyarrow.compute (no per-row Python). Parquet: ``columns=`` the needed ones; JSON reads every field
    (the json builder has no column selection). Per-source layouts: ``data_files`` as a dict of
    splits, one per source."""
    import pyarrow as pa
    from datasets import disable_progress_bars, load_dataset

    disable_progress_bars()
    n = os.cpu_count() or 1
    cache_dir = tempfile.mkdtemp(prefix="hf-cache-", dir=job["opts"]["scratch"])
    _CLEANUP.append(cache_dir)
    builder = "parquet" if job["format"] == "parquet" else "json"
    kwargs: dict[str, Any] = {}
    roots = list(dict.fromkeys(f.split(".")[0] for f in _fields(job)))
    if builder == "parquet":
        kwargs["columns"] = roots
    out: Counts = {}
    if job.get("group_by"):
        ds = load_dataset(builder, data_files=job["paths"], split="train", cache_dir=cache_dir, num_proc=n, **kwargs)
        table = ds.data.table  # memory-mapped Arrow
        for g, c in _arrow_counts(table, _group_array(table, job["group_by"])).items():
            _add(out, g, *c)
        return out, f"load_dataset(num_proc={n}) + pyarrow.compute, {roots[-1]}: {type(ds.features[roots[-1]]).__name__}"
    # One load per source: the json builder casts every split to one schema, and sources' records
    # differ (Dolma's metadata fields are per source), as they do in real per-source folders.
    for source, paths in job["sources"].items():
        ds = load_dataset(builder, data_files=paths, split="train", cache_dir=cache_dir,
                          num_proc=min(n, len(paths)), **kwargs)
        table = ds.data.table
        for g, c in _arrow_counts(table, pa.repeat(source, len(table))).items():  # type: ignore[attr-defined]
            _add(out, g, *c)
    return out, f"load_dataset(num_proc=min({n}, files)) per source + pyarrow.compute"


def engine_datasets_rows(job: dict[str, Any]) -> tuple[Counts, str]:
    """The older idiom (issue 3's peer): stream, iterate Python batches, count in Python."""
    from datasets import load_dataset

    bs = int(job["opts"].get("batch_size", 1000))
    builder = "parquet" if job["format"] == "parquet" else "json"
    out: Counts = {}
    groups = job.get("sources") or {"": job["paths"]}
    for source, paths in groups.items():
        ds = load_dataset(builder, data_files=paths, split="train", streaming=True)
        for batch in ds.iter(batch_size=bs):
            if job.get("group_by"):
                parts = job["group_by"].split(".")
                values = batch[parts[0]]
                for p in parts[1:]:
                    values = [(json.loads(v) if isinstance(v, str) else v)[p] for v in values]
            else:
                values = [source] * len(batch["text"])
            for text, g in zip(batch["text"], values, strict=True):
                n = len(text)
                _add(out, g, 1, n if text.isascii() else len(text.encode("utf-8")), n)
    return out, f"streaming, iter(batch_size={bs}), counted in Python"


def engine_datasets_stream_arrow(job: dict[str, Any]) -> tuple[Counts, str]:
    """`datasets` streaming with Arrow-formatted batches and pyarrow.compute (one process)."""
    import pyarrow as pa
    from datasets import load_dataset

    bs = int(job["opts"].get("batch_size", 1000))
    builder = "parquet" if job["format"] == "parquet" else "json"
    out: Counts = {}
    groups = job.get("sources") or {"": job["paths"]}
    for source, paths in groups.items():
        ds = load_dataset(builder, data_files=paths, split="train", streaming=True).with_format("arrow")
        for tbl in ds.iter(batch_size=bs):
            group = _group_array(tbl, job["group_by"]) if job.get("group_by") else pa.repeat(source, len(tbl))  # type: ignore[attr-defined]
            for g, c in _arrow_counts(tbl, group).items():
                _add(out, g, *c)
    return out, f"streaming, with_format('arrow'), iter(batch_size={bs})"


def _msgspec_file(args: tuple[str, str | None, str | None]) -> Counts:
    import msgspec

    path, group_by, source = args

    def struct_of(name: str, node: dict[str, Any]) -> Any:
        return msgspec.defstruct(name, [(k, str if v is None else struct_of(f"{name}_{k}", v)) for k, v in node.items()])

    Record = struct_of("Record", _field_tree(["text"] + ([group_by] if group_by else [])))
    dec = msgspec.json.Decoder(Record)
    getter = None
    if group_by:
        from operator import attrgetter
        getter = attrgetter(group_by)
    out: Counts = {}
    rest = b""
    with contextlib.ExitStack() as stack:
        raw = stack.enter_context(open(path, "rb"))
        if path.endswith(".zst"):
            import zstandard
            f = stack.enter_context(zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True))
        elif path.endswith(".gz"):
            f = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
        else:
            f = raw
        while True:
            chunk = f.read(16 << 20)
            buf = rest + chunk
            if not chunk:
                rest = b""
            else:
                cut = buf.rfind(b"\n") + 1
                buf, rest = buf[:cut], buf[cut:]
            for r in dec.decode_lines(buf):
                t = r.text
                g = getter(r) if getter else source
                c = out.get(g)
                if c is None:
                    c = out[g] = [0, 0, 0]
                n = len(t)
                c[0] += 1
                c[1] += n if t.isascii() else len(t.encode("utf-8"))
                c[2] += n
            if not chunk:
                break
    return out


def engine_msgspec(job: dict[str, Any]) -> tuple[Counts, str]:
    """Reference: msgspec typed decoding, one process per core, files split between them."""
    import multiprocessing

    n = os.cpu_count() or 1
    source_of = _source_of(job)
    tasks = [(p, job.get("group_by"), source_of.get(p)) for p in sorted(job["paths"], key=lambda p: -os.path.getsize(p))]
    out: Counts = {}
    with multiprocessing.get_context("fork").Pool(n) as pool:
        for part in pool.imap_unordered(_msgspec_file, tasks, chunksize=max(1, len(tasks) // (n * 16))):
            for g, c in part.items():
                _add(out, g, *c)
    return out, f"{n} processes"


def engine_pyarrow(job: dict[str, Any]) -> tuple[Counts, str]:
    """Reference: pyarrow.dataset scan of Parquet with the projections computed in its threads."""
    import pyarrow.compute as pc
    import pyarrow.dataset as pads

    out: Counts = {}
    groups = job.get("sources") or {"": job["paths"]}
    for source, paths in groups.items():
        ds = pads.dataset(paths, format="parquet")
        columns = {"b": pc.binary_length(pc.field("text")), "c": pc.utf8_length(pc.field("text"))}
        if job.get("group_by"):
            columns["g"] = pc.field(*job["group_by"].split("."))
        t = ds.to_table(columns=columns, use_threads=True)
        if job.get("group_by"):
            for r in t.group_by("g").aggregate([("b", "count"), ("b", "sum"), ("c", "sum")]).to_pylist():
                _add(out, r["g"], r["b_count"], r["b_sum"], r["c_sum"])
        else:
            _add(out, source, t.num_rows, pc.sum(t["b"]).as_py(), pc.sum(t["c"]).as_py())
    return out, "dataset.to_table(projection)"


def engine_mixlint(job: dict[str, Any]) -> tuple[Counts, str]:
    """mixlint's real path: load the generated manifest and ``measure_document`` it (what
    ``pytest --mixlint`` and ``mixlint check`` do for a manifest with data files), no cache."""
    from pytest_mixlint.api import load
    from pytest_mixlint.scan.measure import measure_document

    document = load(job["manifest"], job["root"])
    measurement = measure_document(document, job["root"], cache=None)
    if measurement.problems:
        raise RuntimeError("measure_document reported problems: " + "; ".join(str(p) for p in measurement.problems[:3]))
    out: Counts = {}
    for s in measurement.mixture.sources if measurement.mixture else []:
        if s.documents:
            _add(out, s.name, s.documents, s.bytes, s.characters)
    for g, c in measurement.unmapped.items():
        _add(out, f"(unmapped) {g}", c.documents, c.bytes, c.characters)
    return out, "load(manifest) + measure_document(cache=None)"


def engine_mixlint_count(job: dict[str, Any]) -> tuple[Counts, str]:
    """mixlint's scanner without the document around it: ``count_files`` (grouped) or
    ``scan_files`` per file (per-source), optionally with a ShardCache."""
    from pytest_mixlint.scan import ScanOptions
    from pytest_mixlint.scan.engine import scan_files

    cache = None
    note = "cache=None"
    if job["opts"].get("cache_dir"):
        from pytest_mixlint.scan import ShardCache
        cache = ShardCache(Path(job["opts"]["cache_dir"]))
        note = "cache=ShardCache(dir)"
    result = scan_files(list(job["paths"]), ScanOptions(text_field="text", group_by=job.get("group_by")), cache=cache,
                        progress=False)
    if result.errors:
        raise result.errors[0]
    out: Counts = {}
    source_of = _source_of(job)
    for path, counts in result.files.items():
        for g, c in counts.groups.items():
            _add(out, g if job.get("group_by") else source_of[path], c.documents, c.bytes, c.characters)
    return out, f"scan_files ({'group_by' if job.get('group_by') else 'per file'}), {note}"


def _import_mixlint() -> None:
    from pytest_mixlint.api import load  # noqa: F401
    from pytest_mixlint.scan import ScanOptions, count_files  # noqa: F401
    from pytest_mixlint.scan.measure import measure_document  # noqa: F401


def _import_shard_cache() -> None:
    from pytest_mixlint.scan import ShardCache  # noqa: F401


@dataclass
class Engine:
    name: str
    run: Callable[[dict[str, Any]], tuple[Counts, str]]
    formats: tuple[str, ...]
    default: bool = True
    check: Callable[[], None] | None = None  # imported in a subprocess first; the engine is skipped if it raises
    modules: tuple[str, ...] = ()  # imported by the worker before the clock starts
    role: str = ""  # "duckdb" (a variant of the DuckDB peer), "datasets" (the datasets peer), "reference"
    per_source_only: bool = False


ALL = ("jsonl", "zst", "gz", "parquet")
JSON_FORMATS = ("jsonl", "zst", "gz")
MIXLINT_MODULES = ("pytest_mixlint.api", "pytest_mixlint.scan.measure", "pytest_mixlint.scan.engine",
                   "pytest_mixlint.scan.fast", "pytest_mixlint.scan.readers", "duckdb", "pyarrow.parquet", "msgspec",
                   "zstandard", "isal.igzip")
ENGINES: list[Engine] = [
    Engine("mixlint", engine_mixlint, ALL, check=_import_mixlint, modules=MIXLINT_MODULES),
    Engine("mixlint-count", engine_mixlint_count, ALL, default=False, check=_import_mixlint, modules=MIXLINT_MODULES,
           role="reference"),
    Engine("duckdb", engine_duckdb, ALL, role="duckdb", modules=("duckdb",)),
    Engine("duckdb-union", engine_duckdb_union, ALL, role="duckdb", modules=("duckdb",), per_source_only=True),
    Engine("duckdb-batched", engine_duckdb_batched, ALL, role="duckdb", modules=("duckdb", "concurrent.futures")),
    Engine("polars", engine_polars, ALL, modules=("polars",)),
    Engine("datasets", engine_datasets, ALL, role="datasets", modules=("datasets", "pyarrow.compute")),
    Engine("datasets-stream-arrow", engine_datasets_stream_arrow, ALL, default=False, role="reference",
           modules=("datasets", "pyarrow.compute")),
    Engine("datasets-rows", engine_datasets_rows, ALL, default=False, role="reference", modules=("datasets",)),
    Engine("msgspec x2", engine_msgspec, JSON_FORMATS, role="reference", modules=("msgspec", "zstandard", "multiprocessing")),
    Engine("pyarrow", engine_pyarrow, ("parquet",), role="reference", modules=("pyarrow.dataset", "pyarrow.compute")),
]
ENGINE_BY_NAME = {e.name: e for e in ENGINES}
TARGETS = {"jsonl": 1.0, "parquet": 1.0, "zst": 1.15, "gz": 1.5}  # mixlint / DuckDB's best, per format
DATASETS_TARGET = 5.0
CACHE_TARGET = 50.0
RSS_TARGET_MB = 1000.0


def _spec(argument: str) -> Any:
    """A job as passed on the command line: JSON, or ``@FILE`` holding it (10,000 paths exceed
    the kernel's limit on arguments)."""
    return json.loads(Path(argument[1:]).read_text() if argument.startswith("@") else argument)


def worker_main(spec_json: str) -> int:
    spec = _spec(spec_json)
    t_start = time.perf_counter()
    if spec["engine"] == "__check__":
        try:
            {"mixlint": _import_mixlint, "shard_cache": _import_shard_cache}[spec["what"]]()
        except Exception as e:  # noqa: BLE001 - any failure means "not available"
            print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}))
            return 0
        print(json.dumps({"ok": True}))
        return 0
    engine = ENGINE_BY_NAME[spec["engine"]]
    import importlib
    for module in engine.modules:  # imports are not part of the scan time (the wall time has them)
        importlib.import_module(module)
    import resource

    c0 = tree_cpu_s(os.getpid())
    t0 = time.perf_counter()
    try:
        counts, note = engine.run(spec)
    finally:
        t1 = time.perf_counter()
        c1 = tree_cpu_s(os.getpid())
        for d in _CLEANUP:
            shutil.rmtree(d, ignore_errors=True)
    print("@@RESULT@@" + json.dumps({
        "counts": counts, "scan_s": t1 - t0, "startup_s": t0 - t_start, "note": note, "cpu_s": c1 - c0,
        "maxrss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "maxrss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))
    return 0


# ---------------------------------------------------------------------------------------------
# The page cache: cold runs
# ---------------------------------------------------------------------------------------------

def drop_cache(paths: list[str]) -> None:
    """Evict ``paths`` from the page cache (posix_fadvise DONTNEED on each; written pages are
    flushed first, since dirty pages cannot be dropped)."""
    for p in paths:
        try:
            fd = os.open(p, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def resident_fraction(paths: list[str], sample: int = 32) -> float | None:
    """Share of the pages of (a sample of) ``paths`` in the page cache, from mincore(2)."""
    import ctypes
    import mmap

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
        libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    except (OSError, AttributeError):
        return None
    step = max(1, len(paths) // sample)
    pages = resident = 0
    for p in paths[::step]:
        size = os.path.getsize(p)
        if not size:
            continue
        fd = os.open(p, os.O_RDONLY)
        try:
            addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
            if addr in (None, ctypes.c_void_p(-1).value):
                return None
            n = (size + PAGE - 1) // PAGE
            vec = (ctypes.c_ubyte * n)()
            if libc.mincore(ctypes.c_void_p(addr), size, vec) == 0:
                pages += n
                resident += sum(v & 1 for v in vec)
            libc.munmap(ctypes.c_void_p(addr), size)
        finally:
            os.close(fd)
    return resident / pages if pages else None


# ---------------------------------------------------------------------------------------------
# Running and measuring
# ---------------------------------------------------------------------------------------------

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree(root: int) -> list[int]:
    pids, stack, seen = [], [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        pids.append(pid)
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    stack.extend(int(x) for x in f.read().split())
        except (OSError, ValueError):
            continue
    return pids


def tree_cpu_s(root: int) -> float:
    """CPU seconds of ``root`` and its live descendants, each with its reaped children (/proc/<pid>/stat)."""
    total = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        except (OSError, ValueError, IndexError):
            continue
    return total / CLK_TCK


def become_subreaper() -> None:
    """Orphaned descendants of the workers (a forkserver, say) become our children, so that their CPU
    time ends up in our RUSAGE_CHILDREN once reaped and the 'other processes' figure stays honest."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER (Linux)
    except (OSError, AttributeError):
        pass


def reap_orphans(deadline_s: float = 3.0) -> None:
    end = time.monotonic() + deadline_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() > end:
                return
            time.sleep(0.01)


def tree_rss(root: int) -> int:
    """Sum of the resident set sizes of ``root`` and its descendants (shared pages counted per process)."""
    total = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total


@dataclass
class Run:
    ok: bool
    wall_s: float = 0.0
    scan_s: float = 0.0
    startup_s: float = 0.0
    counts: Counts = field(default_factory=dict)
    note: str = ""
    error: str = ""
    peak_tree_rss_mb: float = 0.0
    maxrss_self_mb: float = 0.0
    maxrss_children_mb: float = 0.0
    cpu_s: float = 0.0  # CPU seconds of the engine's process tree during the scan
    other_cpu_s: float = 0.0  # CPU seconds used by the rest of the machine during the whole run (noise)


CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (from /proc/stat; 0 elsewhere)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / CLK_TCK


def _own_cpu() -> float:
    import resource
    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))


def probe_main(spec_json: str) -> int:
    """Run one worker as our only child tree and report getrusage(RUSAGE_CHILDREN).ru_maxrss: the peak RSS
    of the largest single process of that tree (orphans re-parented to us and reaped, so all count)."""
    import resource

    become_subreaper()
    p = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--_worker", spec_json], capture_output=True, text=True)
    reap_orphans()
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    print("@@PROBE@@" + json.dumps({"maxrss_tree_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
    return p.returncode


def run_worker(spec: dict[str, Any], env: dict[str, str], timeout: float, probe: bool = False) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="mixlint-job-", delete=False) as handle:
        json.dump(spec, handle)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_probe" if probe else "--_worker", f"@{handle.name}"]
    busy0, own0 = busy_cpu_s(), _own_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(REPO_ROOT), text=True)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err = f"timed out after {timeout:.0f} s\n" + err
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    reap_orphans()
    os.unlink(handle.name)
    other = max(0.0, (busy_cpu_s() - busy0) - (_own_cpu() - own0))
    lines = [ln for ln in out.splitlines() if ln.startswith("@@RESULT@@")]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(err.strip().splitlines()[-6:])
        return Run(False, wall, error=f"exit {proc.returncode}: {tail}", peak_tree_rss_mb=peak[0] / MB)
    r = json.loads(lines[-1][len("@@RESULT@@"):])
    probed = [ln for ln in out.splitlines() if ln.startswith("@@PROBE@@")]
    children = json.loads(probed[-1][len("@@PROBE@@"):])["maxrss_tree_mb"] if probed else r["maxrss_children_mb"]
    return Run(True, wall, r["scan_s"], r["startup_s"], r["counts"], r["note"], "", peak[0] / MB,
               r["maxrss_self_mb"], children, r["cpu_s"], other)


def check_available(what: str, env: dict[str, str]) -> str | None:
    """None when importable, else the error."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", json.dumps({"engine": "__check__", "what": what})]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(REPO_ROOT), timeout=300)
    try:
        r = json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
    return None if r["ok"] else r["error"]


def compare(counts: Counts, expected: Counts) -> list[str]:
    problems = []
    for g in sorted(set(counts) | set(expected)):
        got, want = counts.get(g), expected.get(g)
        if got is None or want is None:
            problems.append(f"group {g!r}: {'missing' if got is None else 'unexpected'}")
            continue
        for i, what in enumerate(("documents", "bytes", "characters")):
            if got[i] != want[i]:
                problems.append(f"group {g!r} {what}: got {got[i]:,}, expected {want[i]:,} ({got[i] - want[i]:+,})")
    return problems


@dataclass
class Result:
    layout: str
    engine: str
    fmt: str
    runs: list[Run]  # warm (after an untimed warm-up run)
    cold: list[Run]  # each after the files were dropped from the page cache
    mismatches: list[str]
    error: str = ""
    resident_after_drop: float | None = None

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.runs)

    @property
    def scan_s(self) -> float:
        return statistics.median(r.scan_s for r in self.runs)

    @property
    def cold_s(self) -> float | None:
        return statistics.median(r.scan_s for r in self.cold) if self.cold else None

    @property
    def wall_s(self) -> float:
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def cpu_s(self) -> float:
        return statistics.median(r.cpu_s for r in self.runs)

    @property
    def other_cpu_s(self) -> float:
        return max(r.other_cpu_s for r in self.runs + self.cold)

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_tree_rss_mb for r in self.runs + self.cold)

    @property
    def note(self) -> str:
        return self.runs[0].note if self.runs else ""


def measure(engine: Engine, layout: Layout, fmt: str, job: dict[str, Any], args: argparse.Namespace,
            env: dict[str, str]) -> Result:
    expected = layout.expected
    warm = run_worker(job, env, args.timeout)
    if not warm.ok:
        print(f"    {engine.name:<22} FAILED: {warm.error}", flush=True)
        return Result(layout.name, engine.name, fmt, [], [], [], warm.error)
    mismatches = compare(warm.counts, expected)
    runs: list[Run] = []
    for _ in range(args.repeat):
        r = run_worker(job, env, args.timeout)
        if not r.ok:
            print(f"    {engine.name:<22} FAILED: {r.error}", flush=True)
            return Result(layout.name, engine.name, fmt, runs, [], mismatches, r.error)
        mismatches += [m for m in compare(r.counts, expected) if m not in mismatches]
        runs.append(r)
    if not runs:  # --repeat 0: report the warm-up run
        runs = [warm]
    cold: list[Run] = []
    resident = None
    for _ in range(args.cold_repeat):
        drop_cache(job["paths"])
        if resident is None:
            resident = resident_fraction(job["paths"])
        r = run_worker(job, env, args.timeout)
        if not r.ok:
            print(f"    {engine.name:<22} cold run FAILED: {r.error}", flush=True)
            break
        mismatches += [m for m in compare(r.counts, expected) if m not in mismatches]
        cold.append(r)
    res = Result(layout.name, engine.name, fmt, runs, cold, mismatches, resident_after_drop=resident)
    cold_txt = f", cold {res.cold_s:7.2f} s" if res.cold_s is not None else ""
    print(f"    {engine.name:<22} warm {res.scan_s:7.2f} s{cold_txt}, wall {res.wall_s:6.2f} s  [{res.note}]"
          + ("" if not mismatches else "   !!! COUNT MISMATCH"), flush=True)
    return res


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}x"


def _mbs(size: int, s: float | None) -> str:
    return "" if not s else f"{size / MB / s:,.0f}"


def best_of(results: list[Result], role: str, cold: bool = False) -> Result | None:
    ok = [r for r in results if r.ok and ENGINE_BY_NAME[r.engine].role == role and (r.cold_s if cold else r.scan_s)]
    return min(ok, key=lambda r: r.cold_s if cold else r.scan_s) if ok else None  # type: ignore[arg-type, return-value]


def print_format_table(layout: Layout, fmt: str, results: list[Result]) -> None:
    size = layout.jsonl_bytes
    mix = next((r for r in results if r.engine == "mixlint" and r.ok), None)
    print(f"\n#### {layout.name}, {FORMATS[fmt][2]} ({len(layout.files[fmt]):,} files, {layout.sizes[fmt] / MB:,.0f} MB on disk)\n")
    print("| engine | warm s | warm MB/s | cold s | cold MB/s | mixlint speedup warm / cold | CPU s (warm) | wall s | peak RSS MB | counts |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        if not r.ok:
            print(f"| {r.engine} | failed | | | | | | | | {r.error.splitlines()[0][:90] if r.error else ''} |")
            continue
        if mix is None or r.engine == "mixlint":
            ratio = "—"
        else:
            cold = fmt_ratio(r.cold_s / mix.cold_s) if r.cold_s and mix.cold_s else "—"
            ratio = f"{r.scan_s / mix.scan_s:.2f}x / {cold}"
        counts = "agree" if not r.mismatches else "**MISMATCH**"
        print(f"| {r.engine} | {r.scan_s:.2f} | {_mbs(size, r.scan_s)} | {'' if r.cold_s is None else f'{r.cold_s:.2f}'} | "
              f"{_mbs(size, r.cold_s)} | {ratio} | {r.cpu_s:.2f} | {r.wall_s:.2f} | {r.peak_rss_mb:,.0f} | {counts} |")
    notes = [f"{r.engine}: {r.note}" for r in results if r.ok]
    print("\n" + "; ".join(notes))
    resident = [r.resident_after_drop for r in results if r.resident_after_drop is not None]
    if resident:
        print(f"page cache after dropping the files (mincore, sampled): at most {max(resident):.1%} resident")
    noisy = [f"{r.engine} {r.other_cpu_s:.1f} s" for r in results if r.ok and r.other_cpu_s > max(0.3, 0.1 * r.wall_s)]
    if noisy:
        print(f"!!! other processes were busy during some timed runs (CPU seconds not ours, worst run): {', '.join(noisy)}")


def layout_summary(layout: Layout, by_format: dict[str, list[Result]]) -> list[str]:
    """The per-layout table (MB/s of uncompressed JSONL, ratios to the peers) and the target lines."""
    size = layout.jsonl_bytes
    print(f"\n### {layout.name}: summary (MB/s of uncompressed JSONL, {size / MB:,.0f} MB; warm / cold)\n")
    print("| format | mixlint | DuckDB best (variant) | mixlint / DuckDB | target | polars | mixlint / polars | "
          "`datasets` | mixlint / `datasets` |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    lines = []
    for fmt, results in by_format.items():
        mix = next((r for r in results if r.engine == "mixlint" and r.ok), None)
        duck, duck_cold = best_of(results, "duckdb"), best_of(results, "duckdb", cold=True)
        pol = next((r for r in results if r.engine == "polars" and r.ok), None)
        hf = best_of(results, "datasets")

        def pair(r: Result | None, rc: Result | None = None) -> str:
            if r is None:
                return "—"
            rc = rc or r
            return f"{_mbs(size, r.scan_s)} / {_mbs(size, rc.cold_s) or '—'}"

        def ratio(peer: Result | None, peer_cold: Result | None = None) -> tuple[float | None, float | None]:
            if mix is None or peer is None:
                return None, None
            peer_cold = peer_cold or peer
            cold = peer_cold.cold_s / mix.cold_s if peer_cold.cold_s and mix.cold_s else None
            return peer.scan_s / mix.scan_s, cold

        def both(x: tuple[float | None, float | None]) -> str:
            return f"{fmt_ratio(x[0])} / {fmt_ratio(x[1])}"

        rd, rp, rh = ratio(duck, duck_cold), ratio(pol), ratio(hf)
        variant = f" ({duck.engine}" + (f"; cold {duck_cold.engine}" if duck_cold and duck_cold.engine != duck.engine else "") + ")" if duck else ""
        print(f"| {FORMATS[fmt][2]} | {pair(mix)} | {pair(duck, duck_cold)}{variant} | {both(rd)} | >= {TARGETS[fmt]:g}x | "
              f"{pair(pol)} | {both(rp)} | {pair(hf)} | {both(rh)} |")
        for peer, r, target in (("DuckDB's best", rd, TARGETS[fmt]), ("`datasets`", rh, DATASETS_TARGET)):
            head = f"{layout.name}, {FORMATS[fmt][2]}: mixlint >= {target:g}x {peer}"
            if r[0] is None:
                lines.append(f"{head}: not measured")
                continue
            verdict = [f"warm {r[0]:.2f}x -> {'met' if r[0] >= target else 'NOT met'}"]
            if r[1] is not None:
                verdict.append(f"cold {r[1]:.2f}x -> {'met' if r[1] >= target else 'NOT met'}")
            lines.append(f"{head}: " + "; ".join(verdict))
    return lines


def make_job(engine: Engine, layout: Layout, fmt: str, scratch: Path, args: argparse.Namespace) -> dict[str, Any]:
    return {"engine": engine.name, "format": fmt, "paths": layout.files[fmt], "group_by": layout.group_by,
            "sources": layout.sources[fmt] if layout.sources else None,
            "manifest": str(layout.manifest(fmt)) if engine.name == "mixlint" else None, "root": str(layout.dir),
            "opts": {"polars_engine": args.polars_engine, "batch_size": args.batch_size, "scratch": str(scratch)}}


def machine_load() -> str:
    try:
        a, b, c = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {a:.2f} {b:.2f} {c:.2f}"


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--_worker"]:
        return worker_main(argv[1])
    if argv[:1] == ["--_probe"]:
        return probe_main(argv[1])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layouts", default=",".join(LAYOUTS), help=f"comma-separated subset of {','.join(LAYOUTS)}")
    parser.add_argument("--size-gb", type=float, default=2.0, help="uncompressed JSONL size of each corpus (default 2)")
    parser.add_argument("--shard-mb", type=float, default=128.0, help="uncompressed size of a shard (default 128)")
    parser.add_argument("--small-files", type=int, default=10_000, help="files of the small-files layout (default 10,000)")
    parser.add_argument("--huge-gb", type=float, default=4.0, help="size of the huge-file layout's file in GB (default 4)")
    parser.add_argument("--data-dir", type=Path, help="where the corpora are generated and reused (kept); default: a temp dir")
    parser.add_argument("--repeat", type=int, default=2, help="warm timed runs per engine and format, after one warm-up (median)")
    parser.add_argument("--cold-repeat", type=int, default=1,
                        help="cold timed runs (files dropped from the page cache first; median; 0: none)")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help=f"comma-separated subset of {','.join(FORMATS)} ('' for none)")
    parser.add_argument("--engines", default=",".join(e.name for e in ENGINES if e.default),
                        help=f"comma-separated subset of {','.join(ENGINE_BY_NAME)}")
    parser.add_argument("--parquet-compression", default="snappy", choices=["snappy", "zstd"])
    parser.add_argument("--polars-engine", default="streaming", choices=["streaming", "in-memory", "auto"])
    parser.add_argument("--batch-size", type=int, default=1000, help="datasets .iter(batch_size=...) (streaming idioms)")
    parser.add_argument("--no-cache-run", action="store_true", help="skip mixlint's cached re-run")
    parser.add_argument("--rss", action="store_true", help="also: peak RSS of mixlint on one big RedPajama JSONL shard")
    parser.add_argument("--rss-gb", type=float, default=4.0, help="size of the --rss shard in GB (default 4)")
    parser.add_argument("--tokens", action="store_true",
                        help="also: estimated vs exact tokens per subset on the first --tokens-shards JSONL shards")
    parser.add_argument("--tokens-shards", type=int, default=2, help="JSONL shards for --tokens (default 2)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds before an engine run is killed")
    parser.add_argument("--keep", action="store_true", help="keep everything generated and print where it is")
    args = parser.parse_args(argv)

    layouts = [x for x in args.layouts.split(",") if x]
    formats = [f for f in args.formats.split(",") if f]
    for x in layouts:
        if x not in LAYOUTS:
            parser.error(f"unknown layout {x!r}")
    for f in formats:
        if f not in FORMATS:
            parser.error(f"unknown format {f!r}")
    for e in args.engines.split(","):
        if e and e not in ENGINE_BY_NAME:
            parser.error(f"unknown engine {e!r}")
    engines = [ENGINE_BY_NAME[e] for e in args.engines.split(",") if e]

    become_subreaper()
    scratch = Path(tempfile.mkdtemp(prefix="mixlint-scan-bench-"))
    data_root = args.data_dir if args.data_dir else scratch / "data"
    data_root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", HF_HOME=str(scratch / "hf_home"),
               HF_DATASETS_CACHE=str(scratch / "hf_home" / "datasets"), TOKENIZERS_PARALLELISM="false",
               HF_DATASETS_DISABLE_PROGRESS_BARS="1",
               PYTHONPATH=os.pathsep.join([str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])))
    env.pop("HF_DATASETS_IN_MEMORY_MAX_SIZE", None)

    try:
        import datasets
        import duckdb
        import polars
        import pyarrow
        versions = (f"duckdb {duckdb.__version__}, polars {polars.__version__}, datasets {datasets.__version__}, "
                    f"pyarrow {pyarrow.__version__}")
    except ImportError as e:
        versions = f"(version lookup failed: {e})"
    print(f"# mixlint scan benchmark: {os.cpu_count()} CPUs, Python {platform.python_version()}, {versions}")
    print(f"# {' '.join([Path(sys.argv[0]).name] + argv)}")
    print(f"# {machine_load()} at the start")

    try:
        all_targets: list[str] = []
        rp_manifest = None
        if "redpajama" in layouts or args.rss or args.tokens:
            rp_manifest = ensure_corpus(data_root, args)
        dolma_wanted = [n for n, layout in (("grouped", "dolma-grouped"), ("per-source", "dolma-per-source"),
                                             ("small-files", "small-files")) if layout in layouts]
        if "huge-file" in layouts and "grouped" not in dolma_wanted:
            dolma_wanted.insert(0, "grouped")
        dolma = ensure_dolma(data_root, args, dolma_wanted) if dolma_wanted else {}
        built: list[Layout] = []
        for name in layouts:
            if name == "redpajama":
                assert rp_manifest is not None
                print_corpus(rp_manifest)
                built.append(redpajama_layout(rp_manifest))
            elif name == "dolma-grouped":
                built.append(dolma_layout("grouped", dolma["grouped"]))
            elif name == "dolma-per-source":
                built.append(dolma_layout("per-source", dolma["per-source"]))
            elif name == "small-files":
                built.append(dolma_layout("small-files", dolma["small-files"]))
            else:
                built.append(dolma_layout("huge-file", ensure_huge(data_root, dolma["grouped"], args)))
        for layout in built:
            if layout.name != "redpajama":
                print_layout(layout)

        mixlint_note = None
        if any(e.name.startswith("mixlint") for e in engines) or args.rss:
            mixlint_note = check_available("mixlint", env)
            if mixlint_note:
                print(f"\nNOTE: mixlint engines skipped: importing pytest_mixlint's scanner failed: {mixlint_note}")
        results: dict[str, dict[str, list[Result]]] = {}
        for layout in built:
            results[layout.name] = {}
            for fmt in formats:
                if fmt not in layout.files:
                    continue
                print(f"\n== {layout.name}, {FORMATS[fmt][2]}: {len(layout.files[fmt]):,} files, "
                      f"{layout.sizes[fmt] / MB:,.0f} MB on disk; {machine_load()} ==", flush=True)
                rs = []
                for e in engines:
                    if fmt not in e.formats or (e.per_source_only and layout.sources is None):
                        continue
                    if e.name.startswith("mixlint") and mixlint_note:
                        continue
                    rs.append(measure(e, layout, fmt, make_job(e, layout, fmt, scratch, args), args, env))
                results[layout.name][fmt] = rs

        print(f"\n## Results (warm: median of {args.repeat} timed runs after one warm-up; cold: median of "
              f"{args.cold_repeat} runs, each after the files were dropped from the page cache; MB/s of uncompressed "
              "JSONL; scan time: after the engine's imports)")
        for layout in built:
            print(f"\n## Layout {layout.name}: {LAYOUTS[layout.name]}")
            all_targets += layout_summary(layout, results[layout.name])
            for fmt, rs in results[layout.name].items():
                print_format_table(layout, fmt, rs)

        mismatched = [(r.layout, r.engine, r.fmt, m) for lay in results.values() for rs in lay.values() for r in rs
                      for m in r.mismatches]
        print("\n## Counts")
        if mismatched:
            print("!!! COUNT MISMATCH against the generator's per-group counts:")
            for lay, eng, fmt, m in mismatched:
                print(f"!!!   {eng} on {lay}/{fmt}: {m}")
        elif results:
            ran = sorted({r.engine for lay in results.values() for rs in lay.values() for r in rs if r.ok})
            print(f"All engines that ran ({', '.join(ran)}) agree exactly with the generator on documents, bytes and "
                  "characters for every group (source) of every layout and format.")
        failed = [(r.layout, r.engine, r.fmt) for lay in results.values() for rs in lay.values() for r in rs if not r.ok]
        if failed:
            print("!!! failed runs: " + ", ".join(f"{e} on {lay}/{f}" for lay, e, f in failed))

        if rp_manifest is not None and "redpajama" in layouts and not args.no_cache_run and "jsonl" in rp_manifest["files"]:
            all_targets += cache_run(rp_manifest, rp_manifest["expected"], mixlint_note, env, scratch, args)
        if args.rss and rp_manifest is not None:
            all_targets += rss_run(rp_manifest, mixlint_note, env, scratch, args)
        if args.tokens and rp_manifest is not None:
            all_targets += tokens_run(rp_manifest, scratch, args)

        print(f"\n## Targets (issues 3 and 9; {machine_load()} at the end)")
        for line in all_targets:
            print(f"- {line}")
        if not all_targets:
            print("- nothing to compare")
    finally:
        if args.keep:
            print(f"\nKept: {scratch}" + ("" if args.data_dir else f" (corpora in {data_root})"))
        else:
            shutil.rmtree(scratch, ignore_errors=True)
            if args.data_dir:
                print(f"\nThe corpora stay in {args.data_dir} for the next run.")
    return 0


def print_layout(layout: Layout) -> None:
    exp = layout.expected
    tot = [sum(c[i] for c in exp.values()) for i in range(3)]
    print(f"\n## Layout {layout.name}: {LAYOUTS[layout.name]}")
    print(f"{tot[0]:,} documents, {tot[1] / MB:,.0f} MB of text, in {layout.dir}\n")
    print("| source | documents | text MB | share of bytes | mean chars/doc | bytes/char |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (d, b, c) in exp.items():
        print(f"| {name} | {d:,} | {b / MB:,.1f} | {b / tot[1]:.1%} | {c / max(d, 1):,.0f} | {b / max(c, 1):.3f} |")
    print("\n| format | files | on disk MB | ratio to JSONL | file sizes MB (min-median-max) |")
    print("|---|---:|---:|---:|---|")
    for fmt, paths in layout.files.items():
        sizes = sorted(os.path.getsize(p) for p in paths)
        print(f"| {FORMATS[fmt][2]} | {len(paths):,} | {layout.sizes[fmt] / MB:,.1f} | {layout.jsonl_bytes / layout.sizes[fmt]:.2f}x | "
              f"{sizes[0] / MB:.2f}-{statistics.median(sizes) / MB:.2f}-{sizes[-1] / MB:.2f} |")


def concat_shard(manifest: dict[str, Any], target_bytes: int, out: Path) -> int:
    """One big JSONL file: the JSONL shards concatenated (repeated as needed) up to ``target_bytes``."""
    files = [Path(manifest["dir"]) / p for p in manifest["files"]["jsonl"]]
    written = 0
    with open(out, "wb") as f:
        while written < target_bytes:
            for p in files:
                with open(p, "rb") as src:
                    shutil.copyfileobj(src, f, 16 << 20)
                written += p.stat().st_size
                if written >= target_bytes:
                    break
    return written


def print_corpus(manifest: dict[str, Any]) -> None:
    exp = manifest["expected"]
    tot = [sum(c[i] for c in exp.values()) for i in range(3)]
    print(f"\n## Corpus: {tot[0]:,} documents, {tot[1] / MB:,.0f} MB of text, {len(manifest['files']['jsonl'])} shards "
          f"of {min(manifest['shard_sizes']['jsonl']) / MB:.0f}-{max(manifest['shard_sizes']['jsonl']) / MB:.0f} MB JSONL\n")
    print("| subset | documents | text MB | share of bytes | mean chars/doc | bytes/char |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (d, b, c) in exp.items():
        print(f"| {name} | {d:,} | {b / MB:,.1f} | {b / tot[1]:.1%} | {c / max(d, 1):,.0f} | {b / max(c, 1):.3f} |")
    print()
    print("| format | on disk MB | ratio to JSONL |")
    print("|---|---:|---:|")
    j = manifest["sizes"]["jsonl"]
    for fmt, size in manifest["sizes"].items():
        label = FORMATS[fmt][2] + (f", {manifest['parquet_compression']}" if fmt == "parquet" else "")
        print(f"| {label} | {size / MB:,.1f} | {j / size:.2f}x |")
    rg = manifest["row_groups"]
    if rg:
        unc = [g[1] / MB for g in rg[:-1]] or [rg[-1][1] / MB]
        comp = [g[2] / MB for g in rg]
        print(f"\nParquet row groups: {len(rg)}, uncompressed {min(unc):.1f}-{max(unc):.1f} MB "
              f"(median {statistics.median(unc):.1f}; the last group of each file is smaller), compressed median "
              f"{statistics.median(comp):.1f} MB; compression {manifest['parquet_compression']}")


def cache_run(manifest: dict[str, Any], expected: Counts, mixlint_note: str | None, env: dict[str, str],
              scratch: Path, args: argparse.Namespace) -> list[str]:
    print("\n## Cached re-run (mixlint, RedPajama JSONL, scan_files(..., cache=ShardCache(dir)))")
    if mixlint_note:
        print(f"skipped: mixlint not available ({mixlint_note})")
        return ["cached re-run >= 50x: not measured (mixlint not available)"]
    err = check_available("shard_cache", env)
    if err:
        print(f"skipped: `from pytest_mixlint.scan import ShardCache` failed: {err}")
        return ["cached re-run >= 50x: not measured (ShardCache not available)"]
    cache_dir = scratch / "shard-cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    cache_dir.mkdir()
    paths = [str(Path(manifest["dir"]) / p) for p in manifest["files"]["jsonl"]]
    spec = {"engine": "mixlint-count", "format": "jsonl", "paths": paths, "group_by": "meta.red_pajama_subset",
            "sources": None, "opts": {"cache_dir": str(cache_dir)}}
    first = run_worker(spec, env, args.timeout)
    second = run_worker(spec, env, args.timeout) if first.ok else first
    if not (first.ok and second.ok):
        print(f"failed: {first.error or second.error}")
        return ["cached re-run >= 50x: failed"]
    size = sum(f.stat().st_size for f in cache_dir.rglob("*") if f.is_file())
    for label, r in (("first (empty cache)", first), ("second (nothing changed)", second)):
        bad = compare(r.counts, expected)
        verdict = "agree" if not bad else "!!! MISMATCH " + "; ".join(bad[:3])
        print(f"- {label}: scan {r.scan_s:.3f} s, wall {r.wall_s:.2f} s, counts {verdict}")
    ratio = first.scan_s / max(second.scan_s, 1e-9)
    print(f"- speedup {ratio:,.0f}x (scan), {first.wall_s / second.wall_s:.1f}x (process wall, incl. interpreter start); "
          f"cache dir {size / 1e3:,.0f} kB")
    return [f"cached re-run >= {CACHE_TARGET:g}x faster: {ratio:,.0f}x -> {'met' if ratio >= CACHE_TARGET else 'NOT met'}"]


def rss_run(manifest: dict[str, Any], mixlint_note: str | None, env: dict[str, str], scratch: Path,
            args: argparse.Namespace) -> list[str]:
    target = int(args.rss_gb * 1e9)
    print(f"\n## Peak RSS on one >= {args.rss_gb:g} GB JSONL shard")
    if mixlint_note:
        print(f"skipped: mixlint not available ({mixlint_note})")
        return [f"peak RSS < 1 GB on a {args.rss_gb:g} GB shard: not measured (mixlint not available)"]
    big = scratch / "big" / "big-shard.jsonl"
    big.parent.mkdir(parents=True, exist_ok=True)
    size = concat_shard(manifest, target, big)
    print(f"{big.name}: {size / MB:,.0f} MB (the JSONL shards concatenated, repeated as needed)")
    lines = []
    for name in ("mixlint-count", "duckdb"):
        spec = {"engine": name, "format": "jsonl", "paths": [str(big)], "group_by": "meta.red_pajama_subset",
                "sources": None, "opts": {}}
        run_worker(spec, env, args.timeout)  # warm the page cache (the file may be larger than what stays cached)
        r = run_worker(spec, env, args.timeout, probe=True)
        if not r.ok:
            print(f"- {name}: failed: {r.error}")
            continue
        peak = max(r.maxrss_self_mb, r.maxrss_children_mb)
        print(f"- {name}: scan {r.scan_s:.2f} s ({size / MB / r.scan_s:,.0f} MB/s), CPU {r.cpu_s:.1f} s; peak RSS of the "
              f"largest process {peak:,.0f} MB (getrusage RUSAGE_CHILDREN of a probe parent; the worker's own "
              f"{r.maxrss_self_mb:,.0f} MB); sum over the process tree, sampled every 50 ms: {r.peak_tree_rss_mb:,.0f} MB")
        if name == "mixlint-count":
            worst = max(peak, r.peak_tree_rss_mb)
            lines.append(f"peak RSS < 1 GB on a {size / 1e9:.1f} GB shard: {worst:,.0f} MB "
                         "(max of getrusage and the sampled tree sum) "
                         f"-> {'met' if worst < RSS_TARGET_MB else 'NOT met'}")
    if args.keep:
        print(f"kept {big}")
    else:
        big.unlink()
    return lines


def tokens_run(manifest: dict[str, Any], scratch: Path, args: argparse.Namespace) -> list[str]:
    """Estimated (the default sample) against exact token counts per subset, with a BPE tokenizer
    trained here on the corpus (8,000 tokens, byte-level, as GPT-2's but smaller)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    from pytest_mixlint.scan import ScanOptions
    from pytest_mixlint.scan.engine import scan_files
    from pytest_mixlint.scan.tokens import Tokenizer as MixlintTokenizer

    paths = [str(Path(manifest["dir"]) / p) for p in manifest["files"]["jsonl"][: args.tokens_shards]]
    size = sum(os.path.getsize(p) for p in paths)
    print(f"\n## Tokens: estimated vs exact ({len(paths)} JSONL shards, {size / MB:,.0f} MB)")
    texts = []
    with open(paths[0], "rb") as handle:
        for line in handle:
            texts.append(json.loads(line)["text"][:20_000])
            if len(texts) >= 20_000:
                break
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=8000, show_progress=False,
                                                             initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    path = scratch / "tokenizer.json"
    tokenizer.save(str(path))
    fingerprint = MixlintTokenizer.from_file(str(path)).fingerprint
    runs = {}
    for label, exact in (("estimate", False), ("exact", True)):
        options = ScanOptions(group_by="meta.red_pajama_subset", tokenizer=str(path), tokenizer_fingerprint=fingerprint,
                              exact_tokens=exact)
        start = time.perf_counter()
        result = scan_files(paths, options)
        seconds = time.perf_counter() - start
        runs[label] = ({g: (c.documents, c.tokens.estimate(c.bytes)) for g, c in result.total().groups.items()}, seconds)
        print(f"- {label}: {seconds:.1f} s ({size / MB / seconds:,.0f} MB/s)")
    print("\n| subset | documents | exact tokens | estimated | error | ±bound (95%) | sampled | within 1% |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    worst = 0.0
    for group, (documents, exact) in sorted(runs["exact"][0].items(), key=lambda kv: -kv[1][0]):
        estimate = runs["estimate"][0][group][1]
        error = abs(estimate.tokens - exact.tokens) / exact.tokens
        if documents >= 1000:
            worst = max(worst, error)
        bound = "exact" if estimate.exact else f"{estimate.relative_error:.2%}"
        print(f"| {group} | {documents:,} | {exact.tokens:,} | {estimate.tokens:,} | {error:.3%} | {bound} | "
              f"{estimate.sample_documents:,} | {'yes' if error <= 0.01 else 'NO'} |")
    speedup = runs["exact"][1] / runs["estimate"][1]
    print(f"\nestimating is {speedup:.1f}x faster than tokenizing everything")
    return [f"estimated tokens within 1% of exact for every subset of >= 1,000 documents: worst {worst:.3%} "
            f"-> {'met' if worst <= 0.01 else 'NOT met'}"]


if __name__ == "__main__":
    sys.exit(main())
