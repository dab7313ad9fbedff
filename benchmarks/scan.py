#!/usr/bin/env python
"""Measured composition at engine speed: mixlint's scanner against DuckDB, polars and `datasets`.

Reproducible (seeded) and assertion-free: it prints measurements and ratios, it does not judge
them (it prints whether each target of issue 3 is met, and a loud MISMATCH when an engine's counts
differ from the generator's).

1. Generates, or reuses from ``--data-dir``, a RedPajama-shaped corpus of ``--size-gb`` GB of
   uncompressed JSONL (default 2): the 7 subsets (common_crawl, c4, github, book, arxiv,
   wikipedia, stackexchange) in RedPajama-1T's byte shares, lognormal per-subset document lengths
   (books ~400k characters, c4 and stackexchange ~1k), code-like text with newlines and
   indentation for github, LaTeX for arxiv, some non-ASCII (accents, Cyrillic, Greek, CJK, a few
   emoji) in wikipedia and common_crawl. Records are
   ``{"text": ..., "meta": {"red_pajama_subset": ..., "url": ..., <subset-specific fields>}}``,
   shuffled into mixed shards of ~``--shard-mb`` MB (default 128) and written from the same
   records in four formats: JSONL, JSONL.zst (zstandard level 3), JSONL.gz (gzip level 6) and
   Parquet (pyarrow, ``--parquet-compression``, default snappy; row groups cut at ~24 MB of
   uncompressed data). The generator's own per-subset counts are the ground truth.
2. For each format, runs the same aggregation (per ``meta.red_pajama_subset``: documents, UTF-8
   bytes of ``text``, characters of ``text``) with every engine in the table ``ENGINES``, each in
   a fresh subprocess: one untimed warm-up run (fills the OS page cache, checks the counts), then
   the median of ``--repeat`` timed runs. Seconds are the engine's own scan time (after its imports);
   the process wall time is shown too. MB/s are of uncompressed JSONL-equivalent bytes (the size
   of the plain JSONL shards) for every format.
3. Prints one table per format with the ratio mixlint / engine (speed: engine seconds / mixlint
   seconds) and issue 3's targets; then mixlint's cached re-run (``ShardCache``), and with
   ``--rss`` the peak memory of mixlint scanning a single >= 4 GB JSONL shard.

The mixlint engine is ``pytest_mixlint.scan.count_files``; when it cannot be imported, it is
skipped with a note and the other engines still run.

Usage::

    python benchmarks/scan.py                                   # 2 GB corpus in a temp dir, deleted after
    python benchmarks/scan.py --size-gb 0.5 --repeat 1          # quick look
    python benchmarks/scan.py --data-dir /tmp/mixlint-corpus    # generate once, reuse on the next run
    python benchmarks/scan.py --data-dir /tmp/mixlint-corpus --formats jsonl --engines duckdb,mixlint
    python benchmarks/scan.py --data-dir /tmp/mixlint-corpus --rss   # + peak RSS on a 4 GB shard
    python benchmarks/scan.py --data-dir /tmp/mixlint-corpus --formats '' --no-cache-run --tokens

Targets (issue 3, 2-core machine; printed, not asserted): mixlint >= 1.0x DuckDB on JSONL and
Parquet, >= 1.15x DuckDB on .zst, >= 1.5x DuckDB on .gz, >= 5x `datasets` streaming; cached
re-run with nothing changed >= 50x faster than the first scan; peak RSS < 1 GB on a 4 GB shard.

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


def plan_documents(np: Any, size_bytes: int, shard_bytes: int) -> list[dict[str, Any]]:
    """Every document's (subset, length, pool offset), shuffled and cut into shards by size."""
    rng = np.random.default_rng(_seed_for("plan", size_bytes))
    names = list(SUBSETS)
    subset_ids, lengths = [], []
    text_budget = size_bytes * 0.97  # the meta objects and JSON syntax make up the rest, roughly
    for i, name in enumerate(names):
        share, median, sigma, lo, hi = SUBSETS[name]
        budget = share * text_budget
        n = int(budget / (median * np.exp(sigma * sigma / 2))) + 16
        ls = np.clip(rng.lognormal(np.log(median), sigma, size=n * 2 + 64), lo, hi).astype(np.int64)
        ls = np.minimum(ls, POOL_CHARS.get(name, DEFAULT_POOL_CHARS) // 2)
        cut = int(np.searchsorted(np.cumsum(ls), budget)) + 1
        ls = ls[: max(cut, 1)]
        subset_ids.append(np.full(len(ls), i, dtype=np.int8))
        lengths.append(ls)
    sid = np.concatenate(subset_ids)
    ln = np.concatenate(lengths)
    order = rng.permutation(len(sid))
    sid, ln = sid[order], ln[order]
    pool_len = np.array([POOL_CHARS.get(n, DEFAULT_POOL_CHARS) for n in names])[sid]
    offsets = (rng.random(len(sid)) * (pool_len - ln)).astype(np.int64)
    meta_seed = rng.integers(0, 2**62, size=len(sid))
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
# Engines (each runs in a fresh subprocess: ``scan.py --_worker '<json spec>'``)
# ---------------------------------------------------------------------------------------------

Counts = dict[str, list[int]]  # group -> [documents, utf-8 bytes, characters]


def engine_duckdb(paths: list[str], fmt: str, opts: dict[str, Any]) -> tuple[Counts, str]:
    import duckdb

    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    if fmt == "parquet":
        src = f"read_parquet({paths!r})"
    else:  # compression is detected from the extension (.zst / .gz); the schema is given, not sniffed.
        # DuckDB's default maximum_object_size (16 MB) fits every document here; a larger one makes
        # its reader much slower (256 MB: JSONL 1,306-1,610 MB/s against 2,107-2,499 by default).
        src = (f"read_json({paths!r}, format='newline_delimited', "
               "columns={'text': 'VARCHAR', 'meta': 'STRUCT(red_pajama_subset VARCHAR)'})")
    sql = f"SELECT meta.red_pajama_subset, count(*), sum(strlen(text)), sum(length(text)) FROM {src} GROUP BY 1"
    rows = con.execute(sql).fetchall()
    return {str(g): [int(d), int(b), int(c)] for g, d, b, c in rows}, f"threads={threads}"


def engine_polars(paths: list[str], fmt: str, opts: dict[str, Any]) -> tuple[Counts, str]:
    import polars as pl

    if fmt == "parquet":
        lf = pl.scan_parquet(paths)
    else:  # polars' ndjson reader decompresses .zst and .gz itself
        lf = pl.scan_ndjson(paths, schema={"text": pl.String, "meta": pl.Struct({"red_pajama_subset": pl.String})})
    q = lf.group_by(pl.col("meta").struct.field("red_pajama_subset").alias("g")).agg(
        pl.len().alias("d"), pl.col("text").str.len_bytes().sum().alias("b"), pl.col("text").str.len_chars().sum().alias("c"))
    engine = opts.get("polars_engine", "streaming")
    df = q.collect(engine=engine)
    note = f"collect(engine={engine!r}), threads={pl.thread_pool_size()}"
    return {str(g): [int(d), int(b), int(c)] for g, d, b, c in df.rows()}, note


def engine_datasets(paths: list[str], fmt: str, opts: dict[str, Any]) -> tuple[Counts, str]:
    """The usual `datasets` way: stream, iterate Python batches, count in Python."""
    from datasets import load_dataset

    ds = load_dataset("parquet" if fmt == "parquet" else "json", data_files=paths, split="train", streaming=True)
    bs = int(opts.get("batch_size", 1000))
    out: Counts = {}
    for batch in ds.iter(batch_size=bs):
        for text, meta in zip(batch["text"], batch["meta"], strict=True):
            g = meta["red_pajama_subset"]
            c = out.get(g)
            if c is None:
                c = out[g] = [0, 0, 0]
            n = len(text)
            c[0] += 1
            c[1] += n if text.isascii() else len(text.encode("utf-8"))
            c[2] += n
    return out, f"iter(batch_size={bs}), meta feature: {ds.features['meta'].__class__.__name__}"


def engine_datasets_arrow(paths: list[str], fmt: str, opts: dict[str, Any]) -> tuple[Counts, str]:
    """`datasets` streaming with Arrow-formatted batches and pyarrow.compute (not in the default set)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from datasets import load_dataset

    builder = "parquet" if fmt == "parquet" else "json"
    ds = load_dataset(builder, data_files=paths, split="train", streaming=True).with_format("arrow")
    bs = int(opts.get("batch_size", 1000))
    out: Counts = {}
    for tbl in ds.iter(batch_size=bs):
        meta = tbl.column("meta")
        if pa.types.is_struct(meta.type):
            g = pc.struct_field(meta, "red_pajama_subset")
        else:  # a Json feature: one JSON string per row
            import msgspec
            g = pa.array([msgspec.json.decode(m)["red_pajama_subset"] if isinstance(m, (str, bytes)) else m["red_pajama_subset"]
                          for m in meta.to_pylist()])
        t = pa.table({"g": g, "b": pc.binary_length(tbl.column("text")), "c": pc.utf8_length(tbl.column("text"))})
        for row in t.group_by("g").aggregate([("b", "count"), ("b", "sum"), ("c", "sum")]).to_pylist():
            c = out.setdefault(row["g"], [0, 0, 0])
            c[0] += row["b_count"]
            c[1] += row["b_sum"]
            c[2] += row["c_sum"]
    return out, f"with_format('arrow'), iter(batch_size={bs})"


def _msgspec_file(path: str) -> Counts:
    import msgspec

    Meta = msgspec.defstruct("Meta", [("red_pajama_subset", str)])
    Record = msgspec.defstruct("Record", [("text", str), ("meta", Meta)])
    dec = msgspec.json.Decoder(Record)
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
                c = out.get(r.meta.red_pajama_subset)
                if c is None:
                    c = out[r.meta.red_pajama_subset] = [0, 0, 0]
                n = len(t)
                c[0] += 1
                c[1] += n if t.isascii() else len(t.encode("utf-8"))
                c[2] += n
            if not chunk:
                break
    return out


def engine_msgspec(paths: list[str], fmt: str, opts: dict[str, Any]) -> tuple[Counts, str]:
    """Reference: msgspec typed decoding, one process per core, files split between them."""
    import multiprocessing

    n = os.cpu_count() or 1
    out: Counts = {}
    with multiprocessing.get_context("fork").Pool(n) as pool:
        for part in pool.imap_unordered(_msgspec_file, sorted(paths, key=lambda p: -os.path.getsize(p))):
            for g, c in part.items():
                o = out.setdefault(g, [0, 0, 0])
                for i in range(3):
                    o[i] += c[i]
    return out, f"{n} processes"


def engine_pyarrow(paths: list[str], fmt: str, opts: dict[str, Any]) -> tuple[Counts, str]:
    """Reference: pyarrow.dataset scan with the projections computed in its threads."""
    import pyarrow.compute as pc
    import pyarrow.dataset as pads

    ds = pads.dataset(paths, format="parquet")
    t = ds.to_table(columns={"g": pc.field("meta", "red_pajama_subset"), "b": pc.binary_length(pc.field("text")),
                             "c": pc.utf8_length(pc.field("text"))}, use_threads=True)
    agg = t.group_by("g").aggregate([("b", "count"), ("b", "sum"), ("c", "sum")])
    return {r["g"]: [r["b_count"], r["b_sum"], r["c_sum"]] for r in agg.to_pylist()}, "dataset.to_table(projection)"


def _mixlint_counts(result: Any) -> Counts:
    return {str(g): [int(c.documents), int(c.bytes), int(c.characters)] for g, c in dict(result).items()}


def engine_mixlint(paths: list[str], fmt: str, opts: dict[str, Any]) -> tuple[Counts, str]:
    from pytest_mixlint.scan import ScanOptions, count_files

    cache = None
    note = "cache=None"
    if opts.get("cache_dir"):
        from pytest_mixlint.scan import ShardCache
        cache = ShardCache(Path(opts["cache_dir"]))
        note = "cache=ShardCache(dir)"
    result = count_files(list(paths), ScanOptions(text_field="text", group_by="meta.red_pajama_subset"), cache=cache)
    return _mixlint_counts(result), note


def _import_mixlint() -> None:
    from pytest_mixlint.scan import ScanOptions, count_files  # noqa: F401


def _import_shard_cache() -> None:
    from pytest_mixlint.scan import ShardCache  # noqa: F401


@dataclass
class Engine:
    name: str
    run: Callable[[list[str], str, dict[str, Any]], tuple[Counts, str]]
    formats: tuple[str, ...]
    default: bool = True
    check: Callable[[], None] | None = None  # imported in a subprocess first; the engine is skipped if it raises
    modules: tuple[str, ...] = ()  # imported by the worker before the clock starts
    role: str = ""


ALL = ("jsonl", "zst", "gz", "parquet")
JSON_FORMATS = ("jsonl", "zst", "gz")
ENGINES: list[Engine] = [
    Engine("mixlint", engine_mixlint, ALL, check=_import_mixlint, modules=("pytest_mixlint.scan", "duckdb", "pyarrow.parquet")),
    Engine("duckdb", engine_duckdb, ALL, role="target", modules=("duckdb",)),
    Engine("polars", engine_polars, ALL, modules=("polars",)),
    Engine("datasets", engine_datasets, ALL, role="target", modules=("datasets",)),
    Engine("msgspec x2", engine_msgspec, JSON_FORMATS, role="reference", modules=("msgspec", "zstandard", "multiprocessing")),
    Engine("pyarrow", engine_pyarrow, ("parquet",), role="reference", modules=("pyarrow.dataset", "pyarrow.compute")),
    Engine("datasets-arrow", engine_datasets_arrow, ALL, default=False, role="reference",
           modules=("datasets", "pyarrow.compute", "msgspec")),
]
ENGINE_BY_NAME = {e.name: e for e in ENGINES}
TARGETS = {("duckdb", "jsonl"): 1.0, ("duckdb", "parquet"): 1.0, ("duckdb", "zst"): 1.15, ("duckdb", "gz"): 1.5}
DATASETS_TARGET = 5.0
CACHE_TARGET = 50.0
RSS_TARGET_MB = 1000.0


def worker_main(spec_json: str) -> int:
    spec = json.loads(spec_json)
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
    counts, note = engine.run(spec["paths"], spec["format"], spec.get("opts", {}))
    t1 = time.perf_counter()
    c1 = tree_cpu_s(os.getpid())
    print("@@RESULT@@" + json.dumps({
        "counts": counts, "scan_s": t1 - t0, "startup_s": t0 - t_start, "note": note, "cpu_s": c1 - c0,
        "maxrss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "maxrss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))
    return 0


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
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_probe" if probe else "--_worker", json.dumps(spec)]
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
    engine: str
    fmt: str
    runs: list[Run]
    mismatches: list[str]
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.runs)

    @property
    def scan_s(self) -> float:
        return statistics.median(r.scan_s for r in self.runs)

    @property
    def wall_s(self) -> float:
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def cpu_s(self) -> float:
        return statistics.median(r.cpu_s for r in self.runs)

    @property
    def other_cpu_s(self) -> float:
        return max(r.other_cpu_s for r in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_tree_rss_mb for r in self.runs)


def measure(engine: Engine, fmt: str, paths: list[str], expected: Counts, args: argparse.Namespace,
            env: dict[str, str], opts: dict[str, Any] | None = None) -> Result:
    spec = {"engine": engine.name, "format": fmt, "paths": paths, "opts": opts or {}}
    warm = run_worker(spec, env, args.timeout)
    if not warm.ok:
        print(f"    {engine.name:<15} FAILED: {warm.error}", flush=True)
        return Result(engine.name, fmt, [], [], warm.error)
    mismatches = compare(warm.counts, expected)
    runs = []
    for _ in range(args.repeat):
        r = run_worker(spec, env, args.timeout)
        if not r.ok:
            print(f"    {engine.name:<15} FAILED: {r.error}", flush=True)
            return Result(engine.name, fmt, runs, mismatches, r.error)
        mismatches += [m for m in compare(r.counts, expected) if m not in mismatches]
        runs.append(r)
    res = Result(engine.name, fmt, runs, mismatches)
    if not runs:  # --repeat 0: report the warm-up run
        res.runs = [warm]
    print(f"    {engine.name:<15} {res.scan_s:7.2f} s scan, {res.wall_s:7.2f} s wall  [{res.runs[0].note}]"
          + ("" if not mismatches else "   !!! COUNT MISMATCH"), flush=True)
    return res


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}x"


def print_table(fmt: str, results: list[Result], jsonl_bytes: int, mixlint_note: str | None) -> list[str]:
    """Print one format's table (Markdown) and return the target lines."""
    label = FORMATS[fmt][2]
    mix = next((r for r in results if r.engine == "mixlint" and r.ok), None)
    print(f"\n### {label}\n")
    print("| engine | scan s | MB/s | mixlint speedup | target | CPU s | wall s | peak RSS MB | counts |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    target_lines = []
    for r in results:
        if not r.ok:
            print(f"| {r.engine} | failed | | | | | | | {r.error.splitlines()[0][:80] if r.error else ''} |")
            continue
        ratio = None if mix is None or r.engine == "mixlint" else r.scan_s / mix.scan_s
        target = TARGETS.get((r.engine, fmt)) if r.engine == "duckdb" else (DATASETS_TARGET if r.engine == "datasets" else None)
        counts = "agree" if not r.mismatches else "**MISMATCH**"
        shown = "" if target is None else f">= {target:g}x"
        print(f"| {r.engine} | {r.scan_s:.2f} | {jsonl_bytes / MB / r.scan_s:,.0f} | {fmt_ratio(ratio)} | {shown} | "
              f"{r.cpu_s:.2f} | {r.wall_s:.2f} | {r.peak_rss_mb:,.0f} | {counts} |")
        if target is not None:
            head = f"{label}: mixlint >= {target:g}x {r.engine}"
            if ratio is None:
                why = "failed" if any(x.engine == "mixlint" for x in results) else (mixlint_note or "not selected")
                target_lines.append(f"{head}: not measured (mixlint {why})")
            else:
                target_lines.append(f"{head}: {ratio:.2f}x -> {'met' if ratio >= target else 'NOT met'}")
    notes = sorted({f"{r.engine}: {r.runs[0].note}" for r in results if r.ok})
    print("\n" + "; ".join(notes))
    noisy = [f"{r.engine} {r.other_cpu_s:.1f} s" for r in results if r.ok and r.other_cpu_s > max(0.3, 0.1 * r.wall_s)]
    if noisy:
        print(f"!!! other processes were busy during some timed runs (CPU seconds not ours, worst run): {', '.join(noisy)}")
    if mix is None and mixlint_note:
        print(f"mixlint skipped: {mixlint_note}")
    return target_lines


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


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--_worker"]:
        return worker_main(argv[1])
    if argv[:1] == ["--_probe"]:
        return probe_main(argv[1])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-gb", type=float, default=2.0, help="uncompressed JSONL size of the corpus (default 2)")
    parser.add_argument("--shard-mb", type=float, default=128.0, help="uncompressed size of a shard (default 128)")
    parser.add_argument("--data-dir", type=Path, help="where the corpus is generated and reused (kept); default: a temp dir")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per engine and format, after one warm-up (median)")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help=f"comma-separated subset of {','.join(FORMATS)} ('' for none)")
    parser.add_argument("--engines", default=",".join(e.name for e in ENGINES if e.default),
                        help=f"comma-separated subset of {','.join(ENGINE_BY_NAME)}")
    parser.add_argument("--parquet-compression", default="snappy", choices=["snappy", "zstd"])
    parser.add_argument("--polars-engine", default="streaming", choices=["streaming", "in-memory", "auto"])
    parser.add_argument("--batch-size", type=int, default=1000, help="datasets .iter(batch_size=...)")
    parser.add_argument("--no-cache-run", action="store_true", help="skip mixlint's cached re-run")
    parser.add_argument("--rss", action="store_true", help="also: peak RSS of mixlint on one big JSONL shard")
    parser.add_argument("--rss-gb", type=float, default=4.0, help="size of the --rss shard in GB (default 4)")
    parser.add_argument("--tokens", action="store_true",
                        help="also: estimated vs exact tokens per subset on the first --tokens-shards JSONL shards")
    parser.add_argument("--tokens-shards", type=int, default=2, help="JSONL shards for --tokens (default 2)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds before an engine run is killed")
    parser.add_argument("--keep", action="store_true", help="keep everything generated and print where it is")
    args = parser.parse_args(argv)

    formats = [f for f in args.formats.split(",") if f]
    engines = [ENGINE_BY_NAME[e] for e in args.engines.split(",") if e]
    for f in formats:
        if f not in FORMATS:
            parser.error(f"unknown format {f!r}")

    become_subreaper()
    scratch = Path(tempfile.mkdtemp(prefix="mixlint-scan-bench-"))
    data_root = args.data_dir if args.data_dir else scratch / "data"
    data_root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", HF_HOME=str(scratch / "hf_home"),
               HF_DATASETS_CACHE=str(scratch / "hf_home" / "datasets"), TOKENIZERS_PARALLELISM="false",
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
    print(f"# {' '.join([Path(sys.argv[0]).name] + argv)}\n")

    try:
        manifest = ensure_corpus(data_root, args)
        cdir = Path(manifest["dir"])
        jsonl_bytes = manifest["sizes"]["jsonl"]
        expected = manifest["expected"]
        print_corpus(manifest)

        mixlint_note = None
        if any(e.name == "mixlint" for e in engines) or args.rss:
            mixlint_note = check_available("mixlint", env)
            if mixlint_note:
                print("\nNOTE: mixlint engine skipped: `from pytest_mixlint.scan import count_files, ScanOptions` "
                      f"failed: {mixlint_note}")
        opts = {"polars_engine": args.polars_engine, "batch_size": args.batch_size}
        all_targets: list[str] = []
        by_format: dict[str, list[Result]] = {}
        for fmt in formats:
            paths = [str(cdir / p) for p in manifest["files"][fmt]]
            print(f"\n== {FORMATS[fmt][2]}: {len(paths)} files, {manifest['sizes'][fmt] / MB:,.0f} MB on disk ==", flush=True)
            results = []
            for e in engines:
                if fmt not in e.formats:
                    continue
                if e.name == "mixlint" and mixlint_note:
                    continue
                results.append(measure(e, fmt, paths, expected, args, env, opts))
            by_format[fmt] = results

        print(f"\n## Results (median of {args.repeat} timed runs after one warm-up; "
              f"MB/s of uncompressed JSONL: {jsonl_bytes / MB:,.0f} MB)")
        for fmt, results in by_format.items():
            all_targets += print_table(fmt, results, jsonl_bytes, mixlint_note)

        mismatched = [(r.engine, r.fmt, m) for rs in by_format.values() for r in rs for m in r.mismatches]
        print("\n## Counts")
        if mismatched:
            print("!!! COUNT MISMATCH against the generator's per-subset counts:")
            for eng, fmt, m in mismatched:
                print(f"!!!   {eng} on {fmt}: {m}")
        elif by_format:
            ran = sorted({r.engine for rs in by_format.values() for r in rs if r.ok})
            print(f"All engines that ran ({', '.join(ran)}) agree exactly with the generator on documents, bytes and characters"
                  " for every group and format.")

        if not args.no_cache_run and "jsonl" in manifest["files"]:
            all_targets += cache_run(manifest, expected, mixlint_note, env, scratch, args)
        if args.rss:
            all_targets += rss_run(manifest, mixlint_note, env, scratch, args)
        if args.tokens:
            all_targets += tokens_run(manifest, scratch, args)

        print("\n## Targets (issue 3)")
        for line in all_targets:
            print(f"- {line}")
        if not all_targets:
            print("- nothing to compare")
    finally:
        if args.keep:
            print(f"\nKept: {scratch}" + ("" if args.data_dir else f" (corpus in {data_root})"))
        else:
            shutil.rmtree(scratch, ignore_errors=True)
            if args.data_dir:
                print(f"\nThe corpus stays in {args.data_dir} for the next run.")
    return 0


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
    print("\n## Cached re-run (mixlint, JSONL, count_files(..., cache=ShardCache(dir)))")
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
    spec = {"engine": "mixlint", "format": "jsonl", "paths": paths, "opts": {"cache_dir": str(cache_dir)}}
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
    for name in ("mixlint", "duckdb"):
        spec = {"engine": name, "format": "jsonl", "paths": [str(big)], "opts": {}}
        run_worker(spec, env, args.timeout)  # warm the page cache (the file may be larger than what stays cached)
        r = run_worker(spec, env, args.timeout, probe=True)
        if not r.ok:
            print(f"- {name}: failed: {r.error}")
            continue
        peak = max(r.maxrss_self_mb, r.maxrss_children_mb)
        print(f"- {name}: scan {r.scan_s:.2f} s ({size / MB / r.scan_s:,.0f} MB/s), CPU {r.cpu_s:.1f} s; peak RSS of the "
              f"largest process {peak:,.0f} MB (getrusage RUSAGE_CHILDREN of a probe parent; the worker's own "
              f"{r.maxrss_self_mb:,.0f} MB); sum over the process tree, sampled every 50 ms: {r.peak_tree_rss_mb:,.0f} MB")
        if name == "mixlint":
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
