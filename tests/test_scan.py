"""The scanner: exact counts on a generated corpus of known composition, every format, parts,
the cache, and bad data as located errors."""

from __future__ import annotations

import gzip
import json
import os

import pytest

from pytest_mixlint.scan import ScanError, ScanOptions, ShardCache, count_files, count_shard
from pytest_mixlint.scan.engine import scan_files

from .corpus import records, truth_of, write

GROUPED = ScanOptions(text_field="text", group_by="meta.red_pajama_subset")
FORMATS = ["jsonl", "jsonl.gz", "jsonl.zst", "parquet", "arrow"]


def as_tuples(groups):
    return {g: (c.documents, c.bytes, c.characters) for g, c in groups.items()}


def expected(rows):
    truth = truth_of(rows)
    return {g: (truth.documents[g], truth.bytes[g], truth.characters[g]) for g in truth.documents}


@pytest.mark.parametrize("suffix", FORMATS)
def test_exact_counts_in_every_format(tmp_path, suffix):
    rows = records(600, seed=1)
    path = write(tmp_path / f"shard.{suffix}", rows)
    assert as_tuples(count_shard(str(path), GROUPED).groups) == expected(rows)


def test_ungrouped_counts_and_nested_text_field(tmp_path):
    rows = [{"doc": {"body": r["text"]}, "meta": r["meta"]} for r in records(50)]
    path = write(tmp_path / "a.jsonl", rows)
    (total,) = count_shard(str(path), ScanOptions(text_field="doc.body")).groups.values()
    assert (total.documents, total.bytes) == (50, sum(len(r["doc"]["body"].encode()) for r in rows))


def test_mixed_shards_and_differing_field_sets(tmp_path):
    a = records(200, seed=2)
    b = [{"text": r["text"], "meta": {"red_pajama_subset": r["meta"]["red_pajama_subset"]}, "extra": {"x": [1, 2]}}
         for r in records(300, seed=3)]
    paths = [write(tmp_path / "a.jsonl.gz", a), write(tmp_path / "b.parquet", b)]  # Path objects work too
    assert as_tuples(count_files(paths, GROUPED)) == expected(a + b)


def test_byte_range_parts_add_up_to_the_whole(tmp_path):
    rows = records(3000, seed=4)
    path = str(write(tmp_path / "big.jsonl", rows))
    size = os.path.getsize(path)
    bounds = [0, 1, size // 3, size // 3 + 1, 2 * size // 3, size]  # cuts inside lines and at odd places
    total = {}
    for start, end in zip(bounds, bounds[1:], strict=False):
        for group, counts in count_shard(path, GROUPED, (start, end)).groups.items():
            d, b, c = total.get(group, (0, 0, 0))
            total[group] = (d + counts.documents, b + counts.bytes, c + counts.characters)
    assert total == expected(rows)


def test_parallel_scan_matches_inline(tmp_path, monkeypatch):
    from pytest_mixlint.scan import engine

    monkeypatch.setattr(engine, "INLINE_BYTES", 0)
    monkeypatch.setattr(engine, "PART_BYTES", 20_000)
    rows = records(4000, seed=5)
    paths = [str(write(tmp_path / "a.jsonl", rows[:2000])), str(write(tmp_path / "b.parquet", rows[2000:]))]
    assert as_tuples(count_files(paths, GROUPED, workers=2)) == expected(rows)


def test_non_string_group_values_and_missing_groups(tmp_path):
    path = write(tmp_path / "a.jsonl", [{"text": "ab", "meta": {"red_pajama_subset": 3}}, {"text": "c"}, {"text": "d", "meta": None}])
    assert as_tuples(count_shard(str(path), GROUPED).groups) == {"3": (1, 2, 2), None: (2, 2, 2)}


@pytest.mark.parametrize(("content", "line", "message"), [
    (b'{"text": "ok"}\n{"text": "broken\n', 2, "invalid JSON"),
    (b'{"text": "ok"}\n{"txt": "no text"}\n', 2, "document has no text field 'text'"),
    (b'{"text": "ok"}\n\n{"text": 3}\n', 3, "is a int, not a string"),
    (b'{"text": "ok"}\n{"text": "\xff\xfe"}\n', 2, "invalid UTF-8"),
    (b'[1, 2]\n', 1, "unexpected document shape"),
])
def test_bad_jsonl_is_located(tmp_path, content, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(ScanError) as raised:
        count_shard(str(path), GROUPED)
    assert raised.value.line == line and message in raised.value.message


def test_bad_line_in_a_later_part_has_its_file_line(tmp_path):
    rows = records(500, seed=6)
    path = tmp_path / "bad.jsonl"
    write(path, rows)
    with open(path, "ab") as handle:
        handle.write(b"{oops}\n")
    size = os.path.getsize(path)
    with pytest.raises(ScanError) as raised:
        count_shard(str(path), GROUPED, (size // 2, size))
    assert raised.value.line == 501


@pytest.mark.parametrize("suffix", ["jsonl.gz", "jsonl.zst", "parquet", "arrow"])
def test_truncated_shards_are_errors(tmp_path, suffix):
    path = write(tmp_path / f"t.{suffix}", records(800, seed=7))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ScanError, match="corrupt or truncated|invalid JSON"):
        count_shard(str(path), GROUPED)


def test_missing_text_column_in_parquet(tmp_path):
    path = write(tmp_path / "p.parquet", [{"content": "x", "meta": {"red_pajama_subset": "a"}}])
    with pytest.raises(ScanError, match="no text column 'text'"):
        count_shard(str(path), GROUPED)


def test_unsupported_format(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("text\nx\n")
    with pytest.raises(ScanError, match="unsupported data file format"):
        count_shard(str(path), GROUPED)


def test_a_bad_file_does_not_stop_the_others(tmp_path):
    good = write(tmp_path / "good.jsonl", records(10))
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(gzip.compress(b'{"text": "x"}\n')[:-6])
    result = scan_files([str(bad), str(good)], GROUPED)
    assert list(result.files) == [str(good)]
    assert [e.path for e in result.errors] == [str(bad)]


def test_cache_hits_invalidation_and_corruption(tmp_path):
    cache = ShardCache(tmp_path / "cache")
    a = write(tmp_path / "data" / "a.jsonl", records(100, seed=8))
    b = write(tmp_path / "data" / "b.jsonl", records(100, seed=9))
    paths = [str(a), str(b)]
    first = scan_files(paths, GROUPED, cache)
    assert first.cached == 0
    again = scan_files(paths, GROUPED, cache)
    assert again.cached == 2 and as_tuples(again.total().groups) == as_tuples(first.total().groups)
    # Touch one shard (new content, new mtime): only that one is scanned again.
    write(a, records(120, seed=10))
    changed = scan_files(paths, GROUPED, cache)
    assert changed.cached == 1
    assert sum(c.documents for c in changed.total().groups.values()) == 220
    # Other options are another key.
    assert scan_files(paths, ScanOptions(), cache).cached == 0
    # A corrupt entry is recomputed.
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_text("{not json")
    recomputed = scan_files(paths, GROUPED, cache)
    assert recomputed.cached == 0 and as_tuples(recomputed.total().groups) == as_tuples(changed.total().groups)


def test_data_files_are_never_written(tmp_path):
    path = write(tmp_path / "a.jsonl", records(10))
    os.chmod(path, 0o444)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    count_files([str(path)], GROUPED, ShardCache(tmp_path / "cache"))
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# --- The query engines (fast.py) count exactly what the streaming readers count ---------------

PYTHON = ScanOptions(text_field="text", group_by="meta.red_pajama_subset", engine="python")


@pytest.fixture
def streaming_forbidden(monkeypatch):
    """Fail if a file is handed to the streaming readers: the query engine must count it."""
    from pytest_mixlint.scan import engine

    def refuse(path, options, part=None):
        raise AssertionError(f"{path} was streamed, not counted by the query engine")

    monkeypatch.setattr(engine, "count_shard", refuse)


@pytest.mark.parametrize("suffix", ["jsonl", "jsonl.zst", "parquet"])  # .gz is the readers' (ISA-L, CRC checked)
def test_query_engines_count_like_the_streaming_readers(tmp_path, suffix, streaming_forbidden):
    a = records(700, seed=11)
    # Differing field sets, a missing group (None), a number as group value, an empty file.
    b = [{"text": r["text"], "meta": {"red_pajama_subset": r["meta"]["red_pajama_subset"]}, "extra": {"x": [1]}}
         for r in records(300, seed=12)]
    c = [{"text": "no group here", "meta": None}, {"text": "ab", "meta": {"red_pajama_subset": "github", "n": 1}}]
    empty = tmp_path / f"empty.{suffix}"
    paths = [str(write(tmp_path / f"{name}.{suffix}", rows)) for name, rows in (("a", a), ("b", b), ("c", c))]
    if suffix == "jsonl":
        empty.write_bytes(b"")
        paths.append(str(empty))
    fast = scan_files(paths, GROUPED)
    assert not fast.errors and sorted(fast.files) == sorted(paths)
    assert as_tuples(fast.total().groups) == {**expected(a + b + c[1:]), None: (1, 13, 13)}


@pytest.mark.parametrize("suffix", ["jsonl", "jsonl.zst", "parquet"])
def test_query_engines_agree_file_by_file(tmp_path, suffix, monkeypatch):
    paths = [str(write(tmp_path / f"{i}.{suffix}", records(150 + 40 * i, seed=20 + i))) for i in range(4)]
    paths.append(str(write(tmp_path / f"nested.{suffix}", [{"doc": {"body": r["text"]}, "meta": r["meta"]} for r in records(50)])))
    fast = scan_files(paths[:4], GROUPED)
    streamed = scan_files(paths[:4], PYTHON)
    assert {p: as_tuples(c.groups) for p, c in fast.files.items()} == {p: as_tuples(c.groups) for p, c in streamed.files.items()}
    nested = ScanOptions(text_field="doc.body")
    assert as_tuples(scan_files(paths[4:], nested).total().groups) == as_tuples(
        scan_files(paths[4:], ScanOptions(text_field="doc.body", engine="python")).total().groups)


@pytest.mark.parametrize(("suffix", "content", "line", "message"), [
    pytest.param("jsonl", b'{"text": "ok"}\n{"text": "broken\n', 2, "invalid JSON", id="invalid-json"),
    pytest.param("jsonl", b'{"text": "ok"}\n{"txt": "no text"}\n', 2, "document has no text field 'text'", id="no-text"),
    pytest.param("jsonl", b'{"text": "ok"}\n{"text": "\xff\xfe"}\n', 2, "invalid UTF-8", id="not-utf8"),
    # mtime=0: the same bytes in every pytest-xdist worker (ids must match between them)
    pytest.param("jsonl.gz", gzip.compress(b'{"text": "ok"}\n{"text": null}\n', mtime=0), 2,
                 "document has no text field 'text'", id="gz-null-text"),
])
def test_bad_data_in_a_batch_is_located_and_the_rest_counted(tmp_path, suffix, content, line, message):
    good = [str(write(tmp_path / f"good{i}.{suffix}", records(40, seed=i))) for i in range(2)]
    bad = tmp_path / f"bad.{suffix}"
    bad.write_bytes(content)
    result = scan_files([good[0], str(bad), good[1]], GROUPED)
    assert sorted(result.files) == sorted(good)
    (error,) = result.errors
    assert (error.path, error.line) == (str(bad), line) and message in error.message


def test_bad_parquet_in_a_batch_is_located_and_the_rest_counted(tmp_path):
    good = str(write(tmp_path / "good.parquet", records(40)))
    numbers = str(write(tmp_path / "numbers.parquet", [{"text": 3, "meta": {"red_pajama_subset": "a"}}]))
    nulls = str(write(tmp_path / "nulls.parquet", [{"text": None, "meta": {"red_pajama_subset": "a"}}, {"text": "x", "meta": None}]))
    result = scan_files([numbers, good, nulls], GROUPED)
    assert list(result.files) == [good]
    assert {e.path: e.message for e in result.errors} == {
        numbers: "text column 'text' is int64, not a string",
        nulls: "row group 0: 1 documents have no text in 'text'"}


def test_both_engines_name_non_string_groups_alike(tmp_path):
    rows = [{"text": "a", "meta": {"red_pajama_subset": v}} for v in (True, 1.5, 3, {"k": [1, "b"]}, [1, 2], None)]
    for suffix in ("jsonl", "jsonl.gz"):
        path = str(write(tmp_path / f"g.{suffix}", rows))
        fast, streamed = scan_files([path], GROUPED), scan_files([path], PYTHON)
        assert sorted(map(str, fast.total().groups)) == sorted(map(str, streamed.total().groups)) == sorted(
            ["true", "1.5", "3", '{"k":[1,"b"]}', "[1,2]", "None"])


def test_file_names_with_glob_characters_are_counted_once(tmp_path):
    rows = records(20, seed=16)
    paths = [str(write(tmp_path / name, rows)) for name in ("a*.jsonl", "ab.jsonl", "a[b].jsonl", "a?.parquet")]
    result = scan_files(paths, GROUPED)
    assert all(as_tuples(result.files[p].groups) == expected(rows) for p in paths)


def test_which_files_duckdb_counts_and_how_they_are_batched(tmp_path):
    from pytest_mixlint.scan import fast

    rows = records(3)
    names = ("a.jsonl", "a.jsonl.gz", "a.jsonl.zst", "a.parquet", "a.arrow")
    paths = [str(write(tmp_path / name, rows)) for name in names] + [str(tmp_path / "a.csv")]
    assert [fast.fast_kind(p, GROUPED) for p in paths] == ["json", None, "compressed-json", "parquet", None, None]
    assert fast.fast_kind(paths[0], PYTHON) is None
    ids = str(write(tmp_path / "ids.jsonl", [{"text": 1}]))  # text_field naming a number: the readers refuse it
    assert fast.fast_kind(ids, GROUPED) is None
    mb = 1 << 20
    sizes = {"big": 900 * mb, "a": 10 * mb, "b": 10 * mb, "c": 10 * mb, "d": 1 * mb, "e": 20 * mb}
    # Largest first, one per batch, small files together up to 16 MB.
    assert fast._batches(list(sizes), sizes) == [["big"], ["e"], ["a", "b"], ["c", "d"]]
    assert fast._batches(["only"], {"only": 10}) == [["only"]]


def test_what_an_engine_refuses_is_streamed(tmp_path, monkeypatch):
    # e.g. DuckDB's "maximum_object_size of 33554432 bytes exceeded" on a document over 32 MB
    from pytest_mixlint.scan import fast

    monkeypatch.setattr(fast, "_query", lambda options, kind: "SELECT oops FROM nowhere")  # every query fails
    rows = records(100, seed=15)
    paths = [str(write(tmp_path / "a.jsonl", rows[:50])), str(write(tmp_path / "b.parquet", rows[50:]))]
    assert as_tuples(count_files(paths, GROUPED)) == expected(rows)


def _scan_in_a_process(paths, cache_dir, log, results):
    """Scan like one pytest-xdist worker, logging every shard this process actually reads."""
    import time

    from pytest_mixlint.scan import engine

    original = engine._scan

    def logged(pending, *args, **kwargs):
        with open(log, "a") as handle:
            handle.write("".join(f"{path}\n" for path, _ in pending))
        time.sleep(0.5)  # hold the shards' locks while the other process asks for them
        return original(pending, *args, **kwargs)

    engine._scan = logged
    result = scan_files(paths, GROUPED, ShardCache(cache_dir))
    results.put((result.cached, as_tuples(result.total().groups)))


def test_concurrent_processes_never_scan_the_same_shard_twice(tmp_path):
    import multiprocessing

    rows = records(900, seed=14)
    paths = [str(write(tmp_path / f"{i}.jsonl", rows[i::3])) for i in range(3)]
    context = multiprocessing.get_context("spawn")  # like xdist workers: separate interpreters
    results = context.Queue()
    log = tmp_path / "scanned.log"
    workers = [context.Process(target=_scan_in_a_process, args=(paths, tmp_path / "cache", log, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(log.read_text().split()) == sorted(paths)  # each shard read by one process only
    assert sorted(cached for cached, _ in outcomes) == [0, 3]  # the other waited and read the cache
    assert outcomes[0][1] == outcomes[1][1] == expected(rows)


def test_progress_bar_counts_every_byte(tmp_path, monkeypatch):
    from pytest_mixlint.scan import engine

    class Bar:
        def __init__(self):
            self.done, self.closed = 0, False

        def update(self, n):
            self.done += n

        def close(self):
            self.closed = True

    bar = Bar()
    seen = {}

    def fake(total, progress, stream=None):
        seen.update(total=total, progress=progress)
        return bar

    monkeypatch.setattr(engine, "_progress_bar", fake)
    paths = [str(write(tmp_path / "a.jsonl", records(50))), str(write(tmp_path / "b.parquet", records(60))),
             str(write(tmp_path / "c.arrow", records(70)))]
    scan_files(paths, GROUPED, progress=True)
    assert seen == {"total": sum(os.path.getsize(p) for p in paths), "progress": True}
    assert bar.done == seen["total"] and bar.closed


def test_no_progress_bar_off_a_terminal():
    import io

    from pytest_mixlint.scan.engine import _progress_bar

    assert _progress_bar(10**9, None, io.StringIO()) is None  # not a terminal
    assert _progress_bar(10**9, False) is None
    assert _progress_bar(10**9, True, io.StringIO()) is not None


def test_many_files_are_routed_on_threads_as_one_by_one(tmp_path):
    """Past 64 files, the first look at each (DuckDB or the readers; a .zst's integrity) runs on
    threads: the counts and the refusals are those of a one-thread scan."""
    import zstandard

    paths = []
    for i in range(70):
        lines = [b'{"text": "doc %d of file %d"}' % (j, i) for j in range(3)]
        if i == 5:  # the text is a number: the readers refuse it at its line
            lines[0] = b'{"text": 5}'
        data = zstandard.ZstdCompressor().compress(b"\n".join(lines) + b"\n")
        if i == 9:  # an interrupted download
            data = data[:-4]
        path = tmp_path / f"part-{i:03d}.jsonl.zst"
        path.write_bytes(data)
        paths.append(str(path))
    threaded, serial = scan_files(paths, ScanOptions(), workers=2), scan_files(paths, ScanOptions(), workers=1)
    assert threaded.files == serial.files
    assert sorted(str(e) for e in threaded.errors) == sorted(str(e) for e in serial.errors)
    assert len(threaded.files) == 68 and {os.path.basename(e.path) for e in threaded.errors} == {"part-005.jsonl.zst",
                                                                                                   "part-009.jsonl.zst"}


def test_cache_entries_round_trip_and_refuse_what_counts_cannot_be():
    from pytest_mixlint.scan.cache import _counts, _to_builtins
    from pytest_mixlint.scan.counts import Counts, GroupCounts
    from pytest_mixlint.scan.tokens import TokenTally

    counts = GroupCounts({None: Counts(3, 12, 10), "web": Counts(2, 8, 8, TokenTally.of_stratum([2], [8], 2))})
    assert _counts(json.loads(json.dumps(_to_builtins(counts)))) == counts
    good = {"documents": 1, "bytes": 4, "characters": 4, "tokens": None}
    for groups in ({"": [1, 4, 4]}, [[None, {**good, "documents": True}]], [[None, {**good, "bytes": 3}]],
                   [[None, {**good, "bytes": 17}]], [[None, {**good, "characters": -1, "bytes": -1}]],
                   [[None, {**good, "tokens": {"documents": 1, "sampled": 2}}]],
                   [[None, {**good, "tokens": {"documents": 1, "sampled": 1, "weighted_tokens": float("nan")}}]]):
        assert _counts(groups) is None, groups
