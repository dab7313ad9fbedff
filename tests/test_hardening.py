"""No silent wrong count, no crash, no hang, no network, no leak (#8): one test per finding.

Each test names the finding it reproduces. Hang guards use an alarm (a test that hangs fails
after a generous bound), never a timing assertion.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import zstandard

from pytest_mixlint.documents import load_document
from pytest_mixlint.limits import Limits
from pytest_mixlint.outcomes import evaluate
from pytest_mixlint.packs import load_rules
from pytest_mixlint.problems import MixlintError
from pytest_mixlint.scan.cache import ShardCache
from pytest_mixlint.scan.counts import ScanOptions
from pytest_mixlint.scan.engine import scan_files
from pytest_mixlint.scan.measure import measure_document

from .corpus import write

ENGINES = [ScanOptions(engine="auto"), ScanOptions(engine="python")]
BOTH = pytest.mark.parametrize("options", ENGINES, ids=["duckdb", "readers"])


@contextlib.contextmanager
def at_most(seconds: int):
    """Fail instead of hanging (a guard against hangs, not a speed target)."""
    def fail(signum, frame):
        raise AssertionError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def counted(result):
    return {group: (c.documents, c.bytes) for group, c in result.total().groups.items()}


@pytest.fixture(scope="module")
def trained_tokenizer(tmp_path_factory):
    from .tokenizer_fixture import train_tokenizer

    return train_tokenizer(tmp_path_factory.mktemp("tokenizer"))


def manifest(tmp_path, text, name="m.mixture.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return load_document(str(path), name, "manifest")


# 1. A JSON array file counted as one document --------------------------------------------------

@BOTH
def test_1_a_json_array_of_documents_is_counted_as_documents(tmp_path, options):
    path = tmp_path / "train.json"
    path.write_text(json.dumps([{"text": "x" * 100, "id": i} for i in range(100)]))
    assert counted(scan_files([str(path)], options)) == {None: (100, 10_000)}


@BOTH
def test_1_an_array_on_a_json_lines_line_is_refused_at_its_line(tmp_path, options):
    path = tmp_path / "data.jsonl"
    path.write_text("[1, 2, 3]\n" + "".join(json.dumps({"text": "abcdefghij"}) + "\n" for _ in range(1000)))
    (error,) = scan_files([str(path)], options).errors
    assert error.line == 1 and "Expected `object`, got `array`" in error.message


# 2. A .zst cut at a block boundary ---------------------------------------------------------------

@BOTH
def test_2_a_zst_cut_at_a_block_boundary_is_refused(tmp_path, options):
    compressor = zstandard.ZstdCompressor()
    path = tmp_path / "cut.jsonl.zst"
    with open(path, "wb") as raw:
        writer = compressor.stream_writer(raw, closefd=False)
        for i in range(20_000):
            writer.write((json.dumps({"text": f"document {i}"}) + "\n").encode())
            if i == 9_999:
                writer.flush(zstandard.FLUSH_BLOCK)  # a block ends with line 10,000
                cut = raw.tell()
        writer.flush(zstandard.FLUSH_FRAME)
    path.write_bytes(path.read_bytes()[:cut])  # an interrupted download, on a line boundary
    (error,) = scan_files([str(path)], options).errors
    assert "truncated zstd" in error.message and "cut short" in error.message


# 3. Files counted twice --------------------------------------------------------------------------

def test_3_symlinked_directories_and_repeated_patterns_count_each_file_once(tmp_path):
    write(tmp_path / "data/v2/a.jsonl", [{"text": "abc"}])
    (tmp_path / "data/latest").symlink_to("v2")
    (tmp_path / "data/v2/self").symlink_to(".")
    document = manifest(tmp_path, """
        mixlint: 1
        sources:
          - {name: web, weight: 1, data_files: ["data/**/*.jsonl", "data/v2/a.jsonl", "./data/v2/a.jsonl"]}
        """)
    measurement = measure_document(document, str(tmp_path))
    assert not measurement.problems
    assert measurement.mixture.sources[0].documents == 1


def test_3_a_file_claimed_by_two_sources_is_a_problem(tmp_path):
    write(tmp_path / "data/a.jsonl", [{"text": "abc"}])
    document = manifest(tmp_path, """
        mixlint: 1
        sources:
          - {name: web, weight: 1, data_files: data/*.jsonl}
          - {name: all, weight: 1, data_files: data/a.jsonl}
        """)
    (problem,) = measure_document(document, str(tmp_path)).problems
    assert "1 data file belongs to more than one source" in problem.message and problem.line == 3


# 5. A shard edited in the middle, size and time restored --------------------------------------

def test_5_content_verification_catches_an_edit_that_keeps_size_and_time(tmp_path):
    rows = [{"text": "a" * 100} for _ in range(2000)]
    path = write(tmp_path / "s.jsonl", rows)
    options = ScanOptions()
    for verify, stale in (("stat", True), ("content", False)):
        cache = ShardCache(tmp_path / f"cache-{verify}", verify)
        write(path, rows)
        before = os.stat(path)
        assert scan_files([str(path)], options, cache).total().groups[None].characters == 200_000
        data = bytearray(path.read_bytes())
        middle = data.index(b"aa", len(data) // 2)  # inside a text, far from both ends (beyond 64 KiB)
        data[middle:middle + 2] = b"\xc3\xa9"  # two a's become one é: same size, one character fewer
        path.write_bytes(bytes(data))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        characters = scan_files([str(path)], options, cache).total().groups[None].characters
        assert (characters == 200_000) is stale, verify


# 6. A corrupt Arrow shard --------------------------------------------------------------------

def test_6_a_corrupt_arrow_offset_is_a_located_error_not_a_crash(tmp_path):
    import pyarrow as pa

    table = pa.table({"text": ["first document", "second one", "third"]})
    path = tmp_path / "s.arrow"
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    data = bytearray(path.read_bytes())
    offsets = data.find((14).to_bytes(4, "little"))  # the end offset of the first string
    data[offsets:offsets + 4] = (1 << 30).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    code = ("import sys; from pytest_mixlint.scan.engine import scan_files; from pytest_mixlint.scan.counts import "
            "ScanOptions; r = scan_files([sys.argv[1]], ScanOptions()); print(len(r.errors), r.errors[0].message)")
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr  # SIGSEGV / SIGBUS before
    assert run.stdout.startswith("1 corrupt or truncated Arrow file")


# 7. One very long line -------------------------------------------------------------------------

@BOTH
def test_7_a_line_over_the_limit_is_refused_at_its_line(tmp_path, options):
    import gzip

    path = tmp_path / "long.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"text": "ok"}\n{"text": "' + b"a" * (3 << 20) + b'"}\n'))
    small = ScanOptions(engine=options.engine, limits=Limits(document_bytes=1 << 20))
    (error,) = scan_files([str(path)], small).errors
    assert error.line == 2 and "a document longer than 1,048,576 bytes" in error.message
    assert "mixlint_max_document_bytes" in error.hint


@BOTH
def test_7_a_long_line_under_the_limit_is_read_across_blocks(tmp_path, options):
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"text": "' + b"a" * (20 << 20) + b'"}\n{"text": "b"}\n')
    assert counted(scan_files([str(path)], options)) == {None: (2, (20 << 20) + 1)}


# 8. Many uncached shards under a low limit of open files ----------------------------------------

def test_8_many_shards_do_not_hold_a_file_open_each(tmp_path):
    for i in range(300):
        write(tmp_path / f"d/{i:03}.jsonl", [{"text": f"doc {i}"}])
    code = textwrap.dedent(f"""
        import glob, resource, sys
        resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))
        from pytest_mixlint.scan.cache import ShardCache
        from pytest_mixlint.scan.counts import ScanOptions
        from pytest_mixlint.scan.engine import scan_files
        files = sorted(glob.glob({str(tmp_path / 'd' / '*.jsonl')!r}))
        result = scan_files(files, ScanOptions(), ShardCache({str(tmp_path / 'cache')!r}))
        print(len(result.files), [e.message for e in result.errors][:1])
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "300 []"


# 9. Patterns that walk the whole filesystem -------------------------------------------------------

def test_9_a_pattern_from_the_filesystem_root_is_refused_without_walking(tmp_path):
    document = manifest(tmp_path, "mixlint: 1\nsources:\n  - {name: web, weight: 1, data_files: '/**/*.jsonl'}\n")
    with at_most(20):
        (problem,) = measure_document(document, str(tmp_path)).problems
    assert "'/**/*.jsonl' starts at /, outside the repository root" in problem.message


def test_9_self_links_and_repeated_globstars_end(tmp_path):
    deep = tmp_path / "data" / "/".join("abcdefghij")
    write(deep / "x.jsonl", [{"text": "abc"}])
    (tmp_path / "data/self").symlink_to(".")
    (tmp_path / "data/a/loop").symlink_to("..")
    pattern = "data/" + "**/" * 8 + "*.jsonl"
    document = manifest(tmp_path, f"mixlint: 1\nsources:\n  - {{name: web, weight: 1, data_files: '{pattern}'}}\n")
    with at_most(20):
        measurement = measure_document(document, str(tmp_path))
    assert not measurement.problems and measurement.mixture.sources[0].documents == 1


def test_9_the_walk_stops_at_its_limit(tmp_path):
    from pytest_mixlint.walk import Walker

    for i in range(50):
        (tmp_path / f"d{i}").mkdir()
    found = Walker(str(tmp_path), max_entries=20).find(str(tmp_path), "**/*.jsonl")
    ((message, hint),) = found.problems
    assert "reaches more than 20 directory entries" in message and "mixlint_max_walk_entries" in hint


# 10. Patterns that backtrack, or silently never match ----------------------------------------------

def test_10_rule_paths_never_backtrack_and_classes_and_anchors_match():
    from pytest_mixlint.paths import matches, matches_any

    with at_most(10):
        assert not matches("a" * 40, "*a*a*a*a*a*a*a*a*a*a*a*ab")
    assert matches("data/a.json", "data/[ab].json") and not matches("data/c.json", "data/[ab].json")
    assert matches_any("mixes/x.yaml", ["./mixes/*.yaml"]) and matches("x.yaml", "/x.yaml")
    assert not matches("sub/x.yaml", "/x.yaml")


def test_10_a_schema_pattern_cannot_hang_a_run(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("mixlint-rules: 1\nrules:\n  - id: names\n    kind: fields\n    schema:\n"
                    "      properties: {pretty_name: {pattern: '^(a+)+$'}}\n")
    (rule,) = load_rules([str(pack)], str(tmp_path)).rules
    (tmp_path / "README.md").write_text("---\nlicense: mit\npretty_name: " + "a" * 32 + "b\n---\n")
    document = load_document(str(tmp_path / "README.md"), "README.md", "card")
    with at_most(10):
        result = evaluate(rule, document)
    assert result.outcome == "failed" and "does not match" in result.message


def test_10_a_pattern_re2_cannot_run_is_a_pack_error(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("mixlint-rules: 1\nrules:\n  - id: names\n    kind: fields\n    schema:\n"
                    '      properties: {pretty_name: {pattern: "(a)\\\\1"}}\n')
    with pytest.raises(MixlintError, match="not a regular expression RE2 can run"):
        load_rules([str(pack)], str(tmp_path))


# 11. A lock held by another run ---------------------------------------------------------------------

def test_11_a_held_lock_is_waited_for_a_bounded_time_and_said(tmp_path, capsys):
    path = str(write(tmp_path / "s.jsonl", [{"text": "abc"}]))
    cache = ShardCache(tmp_path / "cache")
    options = ScanOptions(limits=Limits(lock_timeout=3))
    held, release = threading.Event(), threading.Event()

    def other_run():
        with cache.lock([cache.key(path, options)], 10):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=other_run)
    thread.start()
    held.wait(10)
    try:
        with at_most(30):
            result = scan_files([path], options, cache)
    finally:
        release.set()
        thread.join()
    assert counted(result) == {None: (1, 3)}  # scanned anyway, after the wait
    err = capsys.readouterr().err
    assert "waiting for another run" in err and "mixlint_lock_timeout" in err


# 12. A zstd bomb; a --long=31 file -------------------------------------------------------------------

@BOTH
def test_12_a_zstd_bomb_is_refused_before_decompressing(tmp_path, options):
    path = tmp_path / "bomb.jsonl.zst"
    with open(path, "wb") as raw, zstandard.ZstdCompressor().stream_writer(raw) as writer:
        writer.write(b'{"text": "')
        for _ in range(200):
            writer.write(b"a" * (1 << 20))
        writer.write(b'"}\n')
    with at_most(30):
        (error,) = scan_files([str(path)], options).errors
    assert "more than 1000 times its size (mixlint_max_compression_ratio)" in error.message


@BOTH
def test_12_a_zstd_long_31_file_is_read(tmp_path, options):
    parameters = zstandard.ZstdCompressionParameters.from_level(3, window_log=31, enable_ldm=True, write_content_size=False)
    path = tmp_path / "long.jsonl.zst"
    with open(path, "wb") as raw, zstandard.ZstdCompressor(compression_params=parameters).stream_writer(raw) as writer:
        for i in range(100):
            writer.write(b'{"text": "%d"}\n' % i)
    assert counted(scan_files([str(path)], options)) == {None: (100, 190)}


# 13. Deep nesting, odd field names, a cache entry that is not counts ------------------------------------

@BOTH
def test_13_deep_nesting_in_an_unused_field_is_counted(tmp_path, options):
    path = tmp_path / "deep.jsonl"
    path.write_bytes(b'{"text": "abc", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
    assert counted(scan_files([str(path)], options)) == {None: (1, 3)}


def test_13_a_text_field_with_a_quote_in_its_name_is_read_with_tokens(tmp_path, trained_tokenizer):
    from pytest_mixlint.scan.tokens import Tokenizer

    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({'te"xt': "hello world"}) + "\n")
    tokenizer = Tokenizer.from_file(str(trained_tokenizer))
    options = ScanOptions(text_field='te"xt', tokenizer=str(trained_tokenizer), tokenizer_fingerprint=tokenizer.fingerprint)
    result = scan_files([str(path)], options)
    assert not result.errors and result.total().groups[None].documents == 1


@pytest.mark.parametrize("entry", [[1], {"format": 3, "groups": {"": [1e999, 1, 1]}, "mac": "x"},
                                   {"format": 3, "groups": {"": [10, 5, 1]}}])
def test_13_a_cache_entry_that_is_not_ours_is_recomputed(tmp_path, entry):
    path = str(write(tmp_path / "s.jsonl", [{"text": "abc"}]))
    cache = ShardCache(tmp_path / "cache")
    options = ScanOptions()
    key = cache.key(path, options)
    target = Path(cache._entry(key))
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(entry))
    assert counted(scan_files([path], options, cache)) == {None: (1, 3)}


def test_13_forged_counts_signed_with_another_key_are_not_trusted(tmp_path):
    path = str(write(tmp_path / "s.jsonl", [{"text": "abc"}]))
    options = ScanOptions()
    forger = ShardCache(tmp_path / "cache", secret=b"f" * 32)
    from pytest_mixlint.scan.counts import Counts, GroupCounts

    forger.put(forger.key(path, options), GroupCounts({None: Counts(1_000_000, 3_000_000, 3_000_000)}))
    assert counted(scan_files([path], options, ShardCache(tmp_path / "cache"))) == {None: (1, 3)}


# 14-15. Nothing from the network ---------------------------------------------------------------------

@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_14_a_remote_card_pattern_is_refused_without_a_connection(tmp_path, no_network):
    (tmp_path / "README.md").write_text("---\nlicense: mit\nconfigs:\n  - config_name: web\n"
                                        "    data_files: 'ftp://127.0.0.1:2121/x.jsonl'\n  - config_name: hub\n"
                                        "    data_files: 'hf://datasets/org/name/x.jsonl'\n---\n")
    document = load_document(str(tmp_path / "README.md"), "README.md", "card")
    problems = measure_document(document, str(tmp_path)).problems
    assert len(problems) == 2 and all("is not a local path: remote data files are not read" in p.message for p in problems)


def test_15_a_remote_schema_ref_is_not_fetched(tmp_path, no_network):
    pack = tmp_path / "pack.yaml"
    pack.write_text("mixlint-rules: 1\nrules:\n  - id: r\n    kind: fields\n    schema: {$ref: 'http://127.0.0.1:1/s.json'}\n")
    (rule,) = load_rules([str(pack)], str(tmp_path)).rules
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n")
    result = evaluate(rule, load_document(str(tmp_path / "README.md"), "README.md", "card"))
    assert result.outcome == "error" and "is not fetched: $ref may only name local files" in result.message


def test_15_a_schema_ref_to_a_device_is_refused(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("mixlint-rules: 1\nrules:\n  - id: r\n    kind: fields\n    schema: {$ref: 'file:///dev/zero'}\n")
    (rule,) = load_rules([str(pack)], str(tmp_path)).rules
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n")
    with at_most(20):
        result = evaluate(rule, load_document(str(tmp_path / "README.md"), "README.md", "card"))
    assert result.outcome == "error" and "not a regular file" in result.message


# 16. A pack that names a secret, a device or a FIFO -----------------------------------------------------

def test_16_a_schema_file_outside_the_root_is_refused_and_never_echoed(tmp_path):
    from pytest_mixlint.access import FileAccess

    secret = tmp_path / "home" / "secret"
    secret.parent.mkdir()
    secret.write_text("AKIAIOSFODNN7EXAMPLE-and-the-rest-of-a-secret-key\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pack.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: r, kind: fields, schema: ../home/secret}\n")
    with pytest.raises(MixlintError) as raised:
        load_rules([str(repo / "pack.yaml")], str(repo), access=FileAccess(str(repo)))
    assert "outside the repository root" in str(raised.value) and "AKIA" not in str(raised.value)
    (repo / "inside").write_text("AKIAIOSFODNN7EXAMPLE-a-secret-inside\n")  # a scalar, not a schema
    (repo / "pack.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: r, kind: fields, schema: inside}\n")
    with pytest.raises(MixlintError) as raised:
        load_rules([str(repo / "pack.yaml")], str(repo), access=FileAccess(str(repo)))
    assert "does not hold a JSON Schema object" in str(raised.value) and "AKIA" not in str(raised.value)


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_16_a_device_or_a_fifo_is_never_read(tmp_path, special):
    target = special
    if special == "fifo":
        os.mkfifo(tmp_path / "fifo")
        target = str(tmp_path / "fifo")
    (tmp_path / "pack.yaml").write_text(f"mixlint-rules: 1\nrules:\n  - {{id: r, kind: fields, schema: '{target}'}}\n")
    with at_most(20), pytest.raises(MixlintError, match="not a regular file"):
        load_rules([str(tmp_path / "pack.yaml")], str(tmp_path))


def test_16_a_manifest_tokenizer_must_be_inside_the_root(tmp_path, trained_tokenizer):
    repo = tmp_path / "repo"
    write(repo / "data/a.jsonl", [{"text": "abc"}])
    document = manifest(repo, f"mixlint: 1\nscan: {{tokenizer: '{trained_tokenizer}'}}\n"
                              "sources:\n  - {name: web, weight: 1, data_files: data/a.jsonl}\n")
    (problem,) = measure_document(document, str(repo)).problems
    assert problem.message.startswith("scan.tokenizer:") and "outside the repository root" in problem.message
    (zero,) = measure_document(manifest(repo, "mixlint: 1\nscan: {tokenizer: /dev/zero}\n"
                                        "sources:\n  - {name: web, weight: 1, data_files: data/a.jsonl}\n"),
                               str(repo)).problems
    assert "not a regular file" in zero.message


# 17. Markup and control characters in names ----------------------------------------------------------------

def test_17_names_cannot_restyle_a_markdown_report_or_a_terminal(pytester):
    pytester.path.joinpath("m.mixture.yaml").write_text(
        'mixlint: 1\nname: "x\\n## ALL CHECKS PASSED\\n<details>"\n'
        'sources:\n  - {name: "web\\u001b]0;pwned\\u0007\\u202e", weight: 1}\n')
    result = pytester.runpytest("--mixlint", "--mixlint-report=r.md")
    report = (pytester.path / "r.md").read_text()
    assert "\n## ALL CHECKS PASSED" not in report and "<details>" not in report
    assert "\\#\\# ALL CHECKS PASSED \\<details\\>" in report
    output = result.stdout.str()
    assert "\x1b]0;" not in output and "\u202e" not in output and "\\x1b]0;pwned\\x07\\u202e" in output


# 18. Writes and reads outside the repository --------------------------------------------------------------

def test_18_a_cache_directory_linked_out_of_the_repository_is_not_written(pytester, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (pytester.path / ".mixlint_cache").symlink_to(elsewhere)
    write(pytester.path / "data/a.jsonl", [{"text": "abc"}])
    pytester.path.joinpath("m.mixture.yaml").write_text("mixlint: 1\nsources:\n  - {name: web, weight: 1, data_files: data/a.jsonl}\n")
    pytester.path.joinpath("mixlint.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: d, kind: measured}\n")
    result = pytester.runpytest("--mixlint", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert not list(elsewhere.iterdir())


def test_18_a_linked_card_outside_the_root_is_not_opened(tmp_path):
    from pytest_mixlint.access import FileAccess

    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "README.md").write_text("---\ndataset_info: {splits: [{name: train, num_bytes: 1}]}\n---\n")
    (repo / "m.mixture.yaml").write_text("mixlint: 1\nsources:\n  - {name: web, weight: 1, bytes: 10, card: ../README.md}\n")
    document = load_document(str(repo / "m.mixture.yaml"), "m.mixture.yaml", "manifest", access=FileAccess(str(repo)))
    (note,) = document.notes
    assert "outside the repository root" in note.message
    assert document.mixture.sources[0].card_bytes is None


# 19. A link to /etc -----------------------------------------------------------------------------------------

def test_19_a_link_out_of_the_root_is_one_problem_naming_it(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data/etc").symlink_to("/etc")
    document = manifest(tmp_path, "mixlint: 1\nsources:\n  - {name: web, weight: 1, data_files: 'data/**/*'}\n")
    problems = measure_document(document, str(tmp_path)).problems
    assert [p.message for p in problems] == ["data_files: data/etc links to /etc, outside the repository root"]


# The engines disagreed --------------------------------------------------------------------------------------

@BOTH
def test_one_behaviour_bom_and_nan(tmp_path, options):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "abc", "score": NaN}\n{"text": "d", "score": Infinity}\n')
    assert counted(scan_files([str(path)], options)) == {None: (2, 4)}


def test_one_behaviour_gzip_with_a_bad_crc(tmp_path):
    import gzip

    data = bytearray(gzip.compress(b'{"text": "abc"}\n', mtime=0))
    data[-8] ^= 0xFF  # the CRC in the trailer
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(bytes(data))
    for options in ENGINES:
        (error,) = scan_files([str(path)], options).errors
        assert "CRC" in error.message


@BOTH
def test_one_behaviour_parquet_group_values_and_dictionary_text(tmp_path, options):
    import pyarrow as pa
    import pyarrow.parquet as pq

    grouped = ScanOptions(group_by="g", engine=options.engine)
    pq.write_table(pa.table({"text": pa.array(["a", "bb", "a"]).dictionary_encode(), "g": [1.0, 2.5, 1.0]}),
                   tmp_path / "a.parquet")
    assert counted(scan_files([str(tmp_path / "a.parquet")], grouped)) == {"1.0": (2, 2), "2.5": (1, 2)}
    pq.write_table(pa.table({"text": ["a"], "g": [[1]]}), tmp_path / "b.parquet")
    (error,) = scan_files([str(tmp_path / "b.parquet")], grouped).errors
    assert "group_by column 'g' is list<element: int64>" in error.message


def test_a_format_version_of_true_is_refused(tmp_path):
    with pytest.raises(MixlintError, match="the format version is the number 1, not True"):
        manifest(tmp_path, "mixlint: true\nsources: [{name: a}]\n")


# --- tokenized data a config names: nothing outside the root, no FIFO, bounded reads (#11) ------------------------

import json as _json  # noqa: E402
import shutil as _shutil  # noqa: E402

from pytest_mixlint.access import FileAccess as _Access  # noqa: E402
from pytest_mixlint.configs.mds import mds_counts as _mds  # noqa: E402
from pytest_mixlint.configs.tokenized import TokenizedError as _TokenizedError  # noqa: E402
from pytest_mixlint.configs.tokenized import datatrove_counts as _datatrove  # noqa: E402
from pytest_mixlint.configs.tokenized import memmap_counts as _memmap  # noqa: E402

_FIXTURES = Path(__file__).parent / "data" / "tokenized"


def _mds_copy(tmp_path, edit):
    root = tmp_path / "repo"
    _shutil.copytree(_FIXTURES / "mds-int32", root / "mds")
    index = _json.loads((root / "mds" / "index.json").read_text())
    edit(index["shards"][0])
    (root / "mds" / "index.json").write_text(_json.dumps(index))
    return root


@pytest.mark.parametrize(("edit", "says"), [
    (lambda s: s["raw_data"].update(basename="../../../../etc/hostname"), "is not a file inside the dataset's directory"),
    (lambda s: s["raw_data"].update(basename="/etc/hostname"), "is not a file inside the dataset's directory"),
    (lambda s: s.update(samples=10**11), "index.json says 100000000000 samples in 7,918 bytes"),
    (lambda s: s.update(samples=10**11, raw_data={"basename": "shard.00000.mds", "bytes": 10**13}),
     "its header does not hold the 100000000000 samples"),
])
def test_an_mds_index_cannot_send_the_reader_elsewhere(tmp_path, edit, says):
    root = _mds_copy(tmp_path, edit)
    with pytest.raises(_TokenizedError, match=re.escape(says)):
        _mds(str(root / "mds"), access=_Access(str(root)))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_fifos_among_tokenized_data_are_never_opened(tmp_path):
    root = _mds_copy(tmp_path, lambda s: s["raw_data"].update(basename="fifo"))
    os.mkfifo(root / "mds" / "fifo")
    with pytest.raises(_TokenizedError, match="is not a regular file"):
        _mds(str(root / "mds"), access=_Access(str(root)))
    _shutil.copytree(_FIXTURES / "datatrove-uint16", root / "dt")
    (root / "dt" / "00000_shuffled.ds.metadata").unlink()
    os.mkfifo(root / "dt" / "00000_shuffled.ds.metadata")
    with pytest.raises(_TokenizedError, match="is not a regular file"):
        _datatrove(str(root / "dt" / "00000_shuffled.ds"), _Access(str(root)))
    _shutil.copytree(_FIXTURES / "olmo-raw", root / "olmo")
    (root / "olmo" / "part-0-00000.csv.gz").unlink()
    os.mkfifo(root / "olmo" / "part-0-00000.csv.gz")
    with pytest.raises(_TokenizedError, match="is not a regular file"):
        _memmap(str(root / "olmo" / "part-0-00000.npy"), "uint32", _Access(str(root)))


def test_a_link_out_of_the_root_among_tokenized_data_is_refused(tmp_path):
    outside = tmp_path / "outside"
    _shutil.copytree(_FIXTURES / "datatrove-uint16", outside)
    root = tmp_path / "repo"
    (root / "dt").mkdir(parents=True)
    for name in ("00000_shuffled.ds", "00000_shuffled.ds.index"):
        _shutil.copy(outside / name, root / "dt" / name)
    (root / "dt" / "00000_shuffled.ds.metadata").symlink_to(outside / "00000_shuffled.ds.metadata")
    with pytest.raises(_TokenizedError, match="outside the repository root"):
        _datatrove(str(root / "dt"), _Access(str(root)))


@pytest.mark.parametrize(("name", "content", "says"), [
    ("index.json", '{"shards": null}', "not an MDS index"),
    ("00000_shuffled.ds.metadata", b"\xff\xfe\x00", "not datatrove's metadata (it is not text)"),
])
def test_malformed_tokenized_metadata_is_an_error_not_a_traceback(tmp_path, name, content, says):
    root = tmp_path / "repo"
    source = "mds-int32" if name == "index.json" else "datatrove-uint16"
    _shutil.copytree(_FIXTURES / source, root / "d")
    (root / "d" / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    read = _mds if name == "index.json" else _datatrove
    with pytest.raises(_TokenizedError, match=re.escape(says)):
        read(str(root / "d"), access=_Access(str(root))) if read is _mds else read(str(root / "d"), _Access(str(root)))
