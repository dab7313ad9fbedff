"""Scanning many shards: cached shards are read from the cache, the rest are split into tasks
(byte ranges of large plain JSONL files, row-group ranges of Parquet files) and counted in
parallel processes, one per core; small scans run in this process."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..lfs import lfs_pointer
from .cache import ShardCache
from .columnar import parquet_check, parquet_row_groups
from .counts import Counts, Group, GroupCounts, LfsPointerError, ScanError, ScanOptions
from .fast import count_fast, fast_kind
from .integrity import preflight
from .readers import count_shard
from .shards import file_size, format_of
from .sniff import is_json_array

PART_BYTES = 64 << 20  # plain JSONL files are split into parts of about this size
INLINE_BYTES = 32 << 20  # below this much data, starting worker processes costs more than it saves


@dataclass
class ScanResult:
    files: dict[str, GroupCounts] = field(default_factory=dict)  # per data file, for files that could be read
    errors: list[ScanError] = field(default_factory=list)
    cached: int = 0  # files answered from the cache

    def total(self) -> GroupCounts:
        total = GroupCounts()
        for counts in self.files.values():
            total.merge(counts)
        return total


def count_files(paths: list[str] | list[os.PathLike[str]], options: ScanOptions, cache: ShardCache | None = None,
                workers: int | None = None) -> dict[Group, Counts]:
    """Counts per group over all ``paths``; raises the first ScanError if any file is bad."""
    result = scan_files(paths, options, cache, workers)
    if result.errors:
        raise result.errors[0]
    return result.total().groups


def scan_files(paths: list[str] | list[os.PathLike[str]], options: ScanOptions, cache: ShardCache | None = None, workers: int | None = None,
               progress: bool | None = None, stream: TextIO | None = None) -> ScanResult:
    """Counts per file. ``progress``: a progress bar on ``stream`` (default stderr) once the scan
    takes a few seconds; None shows it only when ``stream`` is a terminal."""
    result = ScanResult()
    data_files = []
    for path in dict.fromkeys(os.fspath(p) for p in paths):
        pointer = lfs_pointer(path)  # a clone without its LFS content: named, not read as corrupt data
        if pointer is None:
            data_files.append(path)
        else:
            result.errors.append(LfsPointerError(path, pointer.size))
    keyed = [(path, cache.key(path, options) if cache else None) for path in data_files]
    pending = _from_cache(keyed, cache, result)
    if not pending:
        return result
    with contextlib.ExitStack() as held:
        # One lock for this set of shards (one file open, however many shards): a second process
        # scanning the same shards (pytest-xdist workers measuring one document) waits for ours.
        if cache is not None:
            keys = [key for _, key in pending if key]
            held.enter_context(cache.lock(keys, options.limits.lock_timeout, lambda: _say_waiting(stream, options)))
        # Another process may have finished these shards while we waited for the lock.
        still = _from_cache(pending, cache, result)
        _scan(still, options, result, workers, progress, stream)
        for path, key in still:
            if cache and key and path in result.files:
                cache.put(key, result.files[path])
    return result


def _say_waiting(stream: TextIO | None, options: ScanOptions) -> None:
    (stream or sys.stderr).write(f"mixlint: waiting for another run that is scanning the same data files "
                                 f"(at most {options.limits.lock_timeout:g} s, mixlint_lock_timeout; then scanning them too)\n")


def _from_cache(keyed: list[tuple[str, str | None]], cache: ShardCache | None, result: ScanResult) -> list[tuple[str, str | None]]:
    """Fill ``result`` with the cached shards; return the others."""
    missing = []
    for path, key in keyed:
        hit = cache.get(key) if cache and key else None
        if hit is not None:
            result.files[path] = hit
            result.cached += 1
        else:
            missing.append((path, key))
    return missing


def _tasks(path: str, options: ScanOptions, workers: int) -> list[tuple[str, tuple[int, int] | None]]:
    try:
        kind, compression = format_of(path)
    except ScanError:
        return [(path, None)]
    if kind == "jsonl" and compression is None and not is_json_array(path, None, options):
        size = file_size(path)
        parts = max(1, min(size // PART_BYTES, workers * 4))
        if parts > 1:
            bounds = [size * i // parts for i in range(parts + 1)]
            return [(path, (bounds[i], bounds[i + 1])) for i in range(parts)]
    if kind == "parquet":
        groups = parquet_row_groups(path)
        if groups > 1:
            step = max(1, groups // (workers * 2))
            return [(path, (i, min(i + step, groups))) for i in range(0, groups, step)]
    return [(path, None)]


def _scan(pending: list[tuple[str, str | None]], options: ScanOptions, result: ScanResult, workers: int | None,
          progress: bool | None, stream: TextIO | None = None) -> None:
    workers = workers or os.cpu_count() or 1
    sizes = {path: file_size(path) for path, _ in pending}
    partial: dict[str, GroupCounts] = {path: GroupCounts() for path, _ in pending}
    failed: dict[str, ScanError] = {}
    bar = _progress_bar(sum(sizes.values()), progress, stream)
    streamed: list[str] = []  # by our readers, in worker processes
    by_kind: dict[str, list[str]] = {}  # by DuckDB, in this process, on every core
    paths = [path for path, _ in pending]
    for path, (kind, error) in zip(paths, _routes(paths, options, workers), strict=True):
        if kind is None:  # the readers check a whole file themselves before they read it
            streamed.append(path)
        elif error is not None:  # cut short, a bomb: DuckDB would not notice
            failed[path] = error
        else:
            by_kind.setdefault(kind, []).append(path)

    def counted(paths: list[str]) -> None:
        if bar is not None:
            bar.update(sum(sizes[path] for path in paths))

    for kind, paths in by_kind.items():
        answered = count_fast(paths, sizes, kind, options, workers, counted)
        partial.update(answered)
        streamed += [path for path in paths if path not in answered]
    tasks = [task for path in streamed for task in _tasks(path, options, workers)]

    def done(path: str, part: tuple[int, int] | None, counts: GroupCounts | None, error: ScanError | None) -> None:
        if error is not None:
            failed.setdefault(path, error)
        elif counts is not None:
            partial[path].merge(counts)
        if bar is not None:
            bar.update(sizes[path] if part is None else _part_bytes(path, part, sizes[path]))

    if workers == 1 or len(tasks) <= 1 or sum(sizes[path] for path in streamed) < INLINE_BYTES:
        for path, part in tasks:
            try:
                done(path, part, count_shard(path, options, part), None)
            except ScanError as exc:
                done(path, part, None, exc)
    else:
        context = multiprocessing.get_context("forkserver" if sys.platform.startswith("linux") else "spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context,
                                 initializer=_one_tokenizer_thread) as pool:
            futures: list[tuple[str, tuple[int, int] | None, Future[GroupCounts]]] = [
                (path, part, pool.submit(count_shard, path, options, part)) for path, part in tasks]
            for path, part, future in futures:
                try:
                    done(path, part, future.result(), None)
                except ScanError as exc:
                    done(path, part, None, exc)
    if bar is not None:
        bar.close()
    for path, _ in pending:
        if path in failed:
            result.errors.append(failed[path])
        else:
            result.files[path] = partial[path]


def _route(path: str, options: ScanOptions) -> tuple[str | None, ScanError | None]:
    """Which engine counts a file (fast.fast_kind: None for the readers), and, for DuckDB, what
    its integrity check found. A Parquet file whose columns DuckDB would read differently goes
    to the readers (they check it again, and name what is wrong)."""
    kind = fast_kind(path, options)
    if kind == "parquet":
        error, alike = parquet_check(path, options)
        return (kind, error) if error is not None or alike else (None, None)
    return kind, (preflight(path, *format_of(path), options) if kind is not None else None)


def _routes(paths: list[str], options: ScanOptions, workers: int) -> list[tuple[str | None, ScanError | None]]:
    """_route for every file; compressed JSON on threads when there are many: each decompresses
    the start of its file (about 0.2 ms for a .zst: 10,000 small files would wait 2 s on one
    core), which releases the GIL. The rest holds the GIL: threads only add their overhead
    (10,000 plain JSONL files: 1.5 s on 2 threads, 1.05 s on one)."""
    threaded = [path for path in paths if path.lower().endswith(COMPRESSED_SUFFIXES)]
    if workers == 1 or len(threaded) < 64:
        return [_route(path, options) for path in paths]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        routes = dict(zip(threaded, pool.map(lambda path: _route(path, options), threaded), strict=True))
    return [routes[path] if path in routes else _route(path, options) for path in paths]


COMPRESSED_SUFFIXES = (".zst", ".zstd", ".gz")


def _one_tokenizer_thread() -> None:
    """Workers already use every core between them: a tokenizer thread pool per worker as large as
    the machine would start cores x cores threads."""
    os.environ["RAYON_NUM_THREADS"] = "1"


def _part_bytes(path: str, part: tuple[int, int], size: int) -> int:
    kind, _ = format_of(path)
    if kind == "jsonl":
        return part[1] - part[0]
    groups = parquet_row_groups(path)
    return size * (part[1] - part[0]) // max(groups, 1)


def _progress_bar(total: int, progress: bool | None, stream: TextIO | None = None) -> Any:
    """A progress bar on a terminal, shown only once a scan has taken a few seconds."""
    stream = stream or sys.stderr
    if progress is False or (progress is None and not stream.isatty()):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm comes with datasets
        return None
    return tqdm(total=total, unit="B", unit_scale=True, desc="mixlint scan", delay=2.0, leave=False, file=stream)  # type: ignore[no-any-return]
