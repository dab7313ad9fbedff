#!/usr/bin/env python
"""Where ``measure_document`` spends its time on one manifest: a diagnosis aid for scan.py's numbers.

Runs ``load(manifest) + measure_document(cache=None)`` in this process (after the same imports as
scan.py's mixlint worker), once untimed to warm the page cache, then once instrumented:

- every DuckDB query ``fast.py`` issues (how many, how many files each, seconds each, the SQL);
- the per-file steps before the queries, with their call counts and total seconds: the LFS
  pointer check, ``fast_kind`` (the first-document sniff), ``preflight`` (the zstd frame walk,
  Parquet metadata), DuckDB's ``duckdb_reads_alike`` schema check for Parquet;
- the streaming readers' work (``count_shard``) when files go to them;
- the modules first imported during the measurement (their import is paid by the first scan);
- the wall time of each phase (load, measure, of which queries) and a cProfile of the rest.

Usage::

    python benchmarks/profile_measure.py /tmp/mixlint-corpus/dolma-2gb-*/per-source/bench-dolma-per-source-jsonl.mixture.yaml
    python benchmarks/profile_measure.py MANIFEST --root DIR --top 25 --no-cprofile

(``scan.py`` writes the ``bench-<layout>-<format>.mixture.yaml`` manifests next to each layout's data.)
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

MODULES = ("pytest_mixlint.api", "pytest_mixlint.scan.measure", "pytest_mixlint.scan.engine", "pytest_mixlint.scan.fast",
           "pytest_mixlint.scan.readers", "duckdb", "pyarrow.parquet", "msgspec", "zstandard", "isal.igzip")


class Timers:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.queries: list[tuple[int, float, str]] = []

    def wrap(self, module: Any, name: str, label: str | None = None) -> None:
        original = getattr(module, name)
        label = label or f"{module.__name__.rsplit('.', 1)[-1]}.{name}"

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - t0
                self.calls[label] += 1

        setattr(module, name, timed)


def instrument(timers: Timers) -> None:
    from pytest_mixlint.scan import columnar, engine, fast, measure, readers

    for module, name in ((engine, "lfs_pointer"), (engine, "fast_kind"), (engine, "preflight"), (engine, "count_fast"),
                         (engine, "_tasks"), (engine, "count_shard"), (fast, "duckdb_reads_alike"),
                         (fast, "is_json_array"), (fast, "first_text_is_a_string"), (measure, "_resolve"),
                         (measure, "_claimed_twice"), (measure, "scan_files"), (readers, "count_shard"),
                         (columnar, "parquet_row_groups")):
        if hasattr(module, name):
            timers.wrap(module, name)
    original = fast._count_batch

    def count_batch(cursor: Any, query: str, paths: list[str]) -> Any:
        t0 = time.perf_counter()
        try:
            return original(cursor, query, paths)
        finally:
            timers.queries.append((len(paths), time.perf_counter() - t0, query))

    fast._count_batch = count_batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--root", type=Path, help="the repository root (default: the manifest's directory)")
    parser.add_argument("--top", type=int, default=20, help="rows of the cProfile table (default 20)")
    parser.add_argument("--no-cprofile", action="store_true")
    parser.add_argument("--no-warmup", action="store_true", help="measure with whatever is in the page cache")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    for m in MODULES:
        importlib.import_module(m)
    from pytest_mixlint.api import load
    from pytest_mixlint.scan.measure import measure_document

    root = str(args.root or args.manifest.resolve().parent)
    manifest = str(args.manifest)
    if not args.no_warmup:
        t0 = time.perf_counter()
        measure_document(load(manifest, root), root, cache=None)
        print(f"warm-up (untimed, first run in this process): {time.perf_counter() - t0:.3f} s")

    timers = Timers()
    instrument(timers)
    before = set(sys.modules)
    profiler = cProfile.Profile() if not args.no_cprofile else None
    t0 = time.perf_counter()
    document = load(manifest, root)
    t1 = time.perf_counter()
    if profiler:
        profiler.enable()
    measurement = measure_document(document, root, cache=None)
    if profiler:
        profiler.disable()
    t2 = time.perf_counter()
    new_modules = sorted(set(sys.modules) - before)

    sources = measurement.mixture.sources if measurement.mixture else []
    files = sum(1 for _ in sources)
    print(f"\n{manifest}\n  {len(sources)} sources measured, {sum(s.documents or 0 for s in sources):,} documents, "
          f"{sum(s.bytes or 0 for s in sources) / 1e6:,.0f} MB of text; problems: {len(measurement.problems)}")
    for p in measurement.problems[:5]:
        print(f"  problem: {p}")
    print(f"\nload(manifest): {t1 - t0:.3f} s; measure_document: {t2 - t1:.3f} s" +
          (" (with cProfile on: slower than without)" if profiler else ""))
    q = timers.queries
    if q:
        qs = sum(s for _, s, _ in q)
        print(f"DuckDB queries: {len(q)}, {sum(n for n, _, _ in q):,} file arguments, {qs:.3f} s summed "
              f"(concurrent queries overlap); longest {max(s for _, s, _ in q):.3f} s; files per query "
              f"{min(n for n, _, _ in q)}-{max(n for n, _, _ in q)}")
        for sql in sorted({s for _, _, s in q}):
            print(f"  SQL: {sql}")
    print("\n| step | calls | seconds (inclusive) | ms per call |")
    print("|---|---:|---:|---:|")
    for label, s in sorted(timers.seconds.items(), key=lambda kv: -kv[1]):
        n = timers.calls[label]
        print(f"| {label} | {n:,} | {s:.3f} | {1000 * s / max(n, 1):.2f} |")
    if new_modules:
        shown = [m for m in new_modules if "." not in m] or new_modules
        print(f"\nmodules first imported during measure_document: {len(new_modules)} ({', '.join(shown[:15])})")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
        print("\ncProfile of measure_document, by own time (DuckDB's work shows as its execute/fetchall calls):")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:8000])
    del files
    return 0


if __name__ == "__main__":
    sys.exit(main())
