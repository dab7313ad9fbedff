"""An independent attack on #8's hardening: one test per finding of the review of 76a6a60
(numbered as in the review), each failing on the code the review ran against.

Hang guards use an alarm (a test that hangs fails after a generous bound), never a timing
assertion; where cost matters, the work is counted instead.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
import zstandard

from pytest_mixlint.access import FileAccess
from pytest_mixlint.documents import load_document
from pytest_mixlint.outcomes import evaluate
from pytest_mixlint.packs import load_rules
from pytest_mixlint.paths import MAX_SEGMENTS, matches
from pytest_mixlint.problems import MixlintError
from pytest_mixlint.report.text import markdown, printable
from pytest_mixlint.scan.cache import ShardCache
from pytest_mixlint.scan.counts import ScanOptions
from pytest_mixlint.scan.engine import scan_files
from pytest_mixlint.scan.measure import measure_document

from .test_hardening import at_most

ENGINES = ["auto", "python"]


def answers(path, **options):
    """What each engine says of one file: its counts per group, or the first error's message."""
    said = {}
    for engine in ENGINES:
        result = scan_files([str(path)], ScanOptions(engine=engine, **options), progress=False)
        said[engine] = (result.errors[0].message if result.errors else
                        {group: (c.documents, c.bytes) for group, c in result.total().groups.items()})
    return said


def alike(path, **options):
    """The one answer both engines give (the test fails if they differ)."""
    said = answers(path, **options)
    assert said["auto"] == said["python"], said
    return said["auto"]


def write_text(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# 1. A Hive-style directory name (source=web) never overwrites a field ------------------------------

@pytest.mark.parametrize("name", ["a.jsonl", "a.jsonl.zst", "a.json", "a.parquet"])
def test_1_a_key_value_directory_does_not_overwrite_the_field(tmp_path, name):
    path = tmp_path / "source=web" / "text=zzzzzzzz" / name
    path.parent.mkdir(parents=True)
    rows = [{"text": "a", "source": "code"}]
    if name.endswith(".parquet"):
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        data = (json.dumps(rows) if name.endswith(".json") else json.dumps(rows[0]) + "\n").encode()
        path.write_bytes(zstandard.ZstdCompressor().compress(data) if name.endswith(".zst") else data)
    assert alike(path, group_by="source") == {"code": (1, 1)}


# 2. Every regular expression of a schema runs on RE2 ----------------------------------------------

@pytest.mark.parametrize("keyword", ["additionalProperties", "unevaluatedProperties"])
def test_2_pattern_properties_cannot_hang_a_run_through_another_keyword(tmp_path, keyword):
    pack = write_text(tmp_path / "pack.yaml", "mixlint-rules: 1\nrules:\n  - id: x\n    kind: fields\n    schema:\n"
                      "      properties:\n        x: {patternProperties: {'^(a+)+$': {}}, " + keyword + ": false}\n")
    (rule,) = load_rules([str(pack)], str(tmp_path)).rules
    write_text(tmp_path / "README.md", "---\nlicense: mit\nx: {" + "a" * 40 + "!: 1}\n---\n")
    document = load_document(str(tmp_path / "README.md"), "README.md", "card")
    with at_most(10):
        result = evaluate(rule, document)
    assert result.outcome == "failed"


# 3. Links below the cache directory -----------------------------------------------------------------

def test_3_links_below_the_cache_directory_are_never_written_through(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    cache_dir = tmp_path / "repo" / ".mixlint_cache"
    cache_dir.mkdir(parents=True)
    for prefix in [f"{i:02x}" for i in range(256)] + ["locks"]:
        (cache_dir / prefix).symlink_to(outside / prefix)  # dangling: a mkdir through it would land outside
    data = write_text(tmp_path / "repo" / "a.jsonl", '{"text": "abc"}\n')
    cache = ShardCache(cache_dir)
    for _ in range(2):
        result = scan_files([str(data)], ScanOptions(), cache)
        assert not result.errors and result.cached == 0
    assert not list(outside.iterdir())


# 4. DuckDB never counts a text that is no string ---------------------------------------------------

@pytest.mark.parametrize("name, content, text_field", [
    ("n.json", '[{"text": 12345}, {"text": "ab"}]', "text"),  # an array whose first text is a number
    ("later.json", '[{"text": "ab"}, {"text": {"a": 1}}]', "text"),  # and whose later text is an object
    ("arr.jsonl", '[{"text": "a"},\n {"text": "b"}]\n', "text"),  # a JSON Lines file holding an array
    ("blank.jsonl", '\n  \n{"id": 123456, "text": "x"}\n', "id"),  # blank lines before a number
])
def test_4_a_text_that_is_no_string_is_refused_by_both_engines(tmp_path, name, content, text_field):
    for compressed in (False, True):
        path = tmp_path / (name + (".zst" if compressed else ""))
        data = content.encode()
        path.write_bytes(zstandard.ZstdCompressor().compress(data) if compressed else data)
        said = answers(path, text_field=text_field)
        assert all(isinstance(answer, str) for answer in said.values()), said


# 5. Links the walker cannot follow; paths too long ----------------------------------------------------

def _kernel_thread():
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else ():
        try:
            if pid.isdigit() and os.readlink(f"/proc/{pid}/exe"):
                continue
        except FileNotFoundError:  # a kernel thread: its exe link cannot be read
            return f"/proc/{pid}/exe"
        except OSError:
            continue
    return None


def test_5_a_link_that_cannot_be_followed_is_skipped(tmp_path):
    target = _kernel_thread()
    if target is None:
        pytest.skip("no kernel thread visible in /proc")
    write_text(tmp_path / "data" / "a.jsonl", '{"text": "abc"}\n')
    (tmp_path / "data" / "zz").symlink_to(target)
    manifest = write_text(tmp_path / "m.mixture.yaml", "mixlint: 1\nsources:\n  - {name: web, weight: 1, data_files: data/*}\n")
    measurement = measure_document(load_document(str(manifest), "m.mixture.yaml", "manifest"), str(tmp_path))
    assert not any("internal error" in p.message for p in measurement.problems), measurement.problems
    assert measurement.mixture is not None and measurement.mixture.sources[0].documents == 1


def test_5_a_path_too_long_is_a_located_problem(tmp_path):
    deep = tmp_path / "data"
    for _ in range(18):
        deep = deep / ("d" * 250)
        try:
            deep.mkdir(parents=True)
        except OSError:  # the file system stops us first: the walker meets the same limit
            break
    manifest = write_text(tmp_path / "m.mixture.yaml", "mixlint: 1\nsources:\n  - {name: web, weight: 1, data_files: 'data/**/*.jsonl'}\n")
    measurement = measure_document(load_document(str(manifest), "m.mixture.yaml", "manifest"), str(tmp_path))
    assert not any("internal error" in p.message for p in measurement.problems), measurement.problems


# 6. Loading a document walks nothing outside the root ----------------------------------------------------

def test_6_a_pattern_outside_the_root_is_said_without_walking_or_an_oracle(tmp_path):
    repo = tmp_path / "repo"
    existing = write_text(tmp_path / "secret" / "key.jsonl", "{}\n")
    configs = "".join(f"  - {{config_name: c{i}, data_files: '/usr/**/*.none{i}'}}\n" for i in range(10))
    configs += f"  - {{config_name: real, data_files: '{existing}'}}\n  - {{config_name: nope, data_files: '{tmp_path}/nope.jsonl'}}\n"
    card = write_text(repo / "README.md", "---\nlicense: mit\nconfigs:\n" + configs + "---\n")
    with at_most(20):
        document = load_document(str(card), "README.md", "card", access=FileAccess(str(repo)))
    notes = {name: [n.message for n in document.notes if n.message.startswith(f"config {name!r}: ")]
             for name in ("real", "nope", "c0")}
    assert all(len(said) == 1 and "outside the repository root" in said[0] for said in notes.values()), notes
    # The same note whether or not the file exists: no answer about files outside the root.
    assert notes["real"][0].replace(str(existing), "X").replace("'real'", "N") == \
        notes["nope"][0].replace(f"{tmp_path}/nope.jsonl", "X").replace("'nope'", "N")


# 7. Malformed JSON in a field nobody reads ---------------------------------------------------------------

def test_7_malformed_json_in_an_unread_field_is_refused_by_both_engines(tmp_path):
    path = write_text(tmp_path / "g.jsonl", '{"text": "a", "x": nul}\n{"text": "b", "y": [1}}\n')
    assert "invalid JSON" in alike(path)


# 8. Parquet text and group columns ----------------------------------------------------------------------

@pytest.mark.parametrize("columns, options, expected", [
    ({"Text": ["bbbb"], "text": ["a"]}, {}, {None: (1, 1)}),  # DuckDB's names are case-insensitive
    ({"text": ["a"], "Source": ["web"]}, {"group_by": "source"}, "no column 'source' (there is 'Source'"),
    ({"text": ["a"], "g": pa.array([0.1], pa.float32())}, {"group_by": "g"}, "group_by column 'g' is float"),
    ({"text": ["a"], "g": [datetime.datetime(2020, 1, 1)]}, {"group_by": "g"}, "group_by column 'g' is timestamp"),
    ({"text": ["a"], "g": [datetime.time(1, 2, 3)]}, {"group_by": "g"}, "group_by column 'g' is time"),
    ({"text": ["a", "b"], "g": pa.array([b"ok", b"\xff"])}, {"group_by": "g"}, "group_by column 'g' is binary"),
    ({"text": ["a", "b"], "g": [1, 2]}, {"group_by": "g"}, {"1": (1, 1), "2": (1, 1)}),
    ({"text": ["a"], "g": [True]}, {"group_by": "g"}, {"true": (1, 1)}),
    ({"text": ["a", "b"], "g": pa.array(["x", "x"]).dictionary_encode()}, {"group_by": "g"}, {"x": (2, 2)}),
])
def test_8_parquet_columns_are_read_alike_or_refused_alike(tmp_path, columns, options, expected):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table(columns), path)
    answer = alike(path, **options)
    assert answer == expected if isinstance(expected, dict) else expected in answer, answer


def test_8_duplicate_columns_are_refused(tmp_path):
    path = tmp_path / "p.parquet"
    table = pa.Table.from_arrays([pa.array(["a"]), pa.array(["x"]), pa.array(["y"])], names=["text", "g", "g"])
    pq.write_table(table, path)
    assert "2 columns are named 'g'" in alike(path, group_by="g")


@pytest.mark.parametrize("column", ["text", "g"])
def test_8_invalid_utf8_in_a_parquet_string_column_is_refused_by_the_readers(tmp_path, column):
    path = tmp_path / "p.parquet"
    invalid = pa.Array.from_buffers(pa.string(), 1, pa.array([b"\xff"], pa.binary()).buffers())  # not UTF-8
    columns = {"text": pa.array(["a"]), "g": pa.array(["x"])}
    pq.write_table(pa.table({**columns, column: invalid}), path)
    said = answers(path, group_by="g")
    # DuckDB does not check the UTF-8 of Parquet strings (a difference the README states)
    assert isinstance(said["python"], str) and "corrupt" in said["python"], said


# 9. Long patterns ---------------------------------------------------------------------------------------

def test_9_a_pattern_of_too_many_segments_is_a_located_pack_error(tmp_path):
    pack = write_text(tmp_path / "pack.yaml", "mixlint-rules: 1\nrules:\n  - id: x\n    kind: max-epochs\n    max: 4\n"
                      f"    paths: ['{'**/a/' * 1500}x.yaml']\n")
    with pytest.raises(MixlintError) as raised:
        load_rules([str(pack)], str(tmp_path))
    (problem,) = raised.value.problems
    assert problem.line == 6 and f"more than {MAX_SEGMENTS}" in problem.message


def test_9_matching_never_recurses():
    pattern = "/".join(["**", "x"] * 120) + "/y.yaml"  # 241 segments
    path = "x/" * 3000 + "y.yaml"  # a matcher recursing once per part would pass Python's limit of 1,000
    assert matches(path, pattern)
    assert not matches(path + "/z", pattern)
    assert matches("a/b/c", "a/**/**/**/c") and matches("a/c", "a/**/**/c")


# 11. Bombs of every compressed format ------------------------------------------------------------------

@pytest.fixture
def small_floor(monkeypatch):
    """Below 64 MiB expanded nothing is refused; a 1 MiB floor keeps the test data small."""
    monkeypatch.setattr("pytest_mixlint.limits.RATIO_FLOOR", 1 << 20)


@pytest.mark.parametrize("fmt", ["parquet", "arrow", "jsonl.gz"])
def test_11_a_bomb_is_refused_naming_the_option(tmp_path, small_floor, fmt):
    text = "a" * (8 << 20)
    path = tmp_path / f"bomb.{fmt}"
    if fmt == "parquet":
        pq.write_table(pa.table({"text": [text]}), path, compression="zstd")
    elif fmt == "arrow":
        table = pa.table({"text": [text]})
        with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema,
                                                             options=ipc.IpcWriteOptions(compression="zstd")) as writer:
            writer.write_table(table)
    else:
        path.write_bytes(gzip.compress(json.dumps({"text": text}).encode() + b"\n"))
    assert os.path.getsize(path) * 1000 < len(text)
    assert "mixlint_max_compression_ratio" in alike(path)


def test_11_arrow_sizes_are_read_from_the_metadata_of_a_valid_file(tmp_path, small_floor):
    """The metadata reader must not refuse ordinary files: compressed or not, file or stream, with
    dictionaries."""
    table = pa.table({"text": [f"document {i}" for i in range(1000)], "g": pa.array(["a", "b"] * 500).dictionary_encode()})
    for compression in (None, "zstd", "lz4"):
        for new in (ipc.new_file, ipc.new_stream):
            path = tmp_path / f"{new.__name__}-{compression}.arrow"
            with pa.OSFile(str(path), "wb") as sink, new(sink, table.schema,
                                                         options=ipc.IpcWriteOptions(compression=compression)) as writer:
                writer.write_table(table, max_chunksize=300)
            expected = {g: (500, sum(len(f"document {i}") for i in range(1000) if i % 2 == (g == "b"))) for g in "ab"}
            assert alike(path, group_by="g") == expected


# 12. Packs outside the root, named by you ---------------------------------------------------------------

def test_12_a_pack_you_name_outside_the_root_may_name_its_siblings(tmp_path):
    org, repo = tmp_path / "org", tmp_path / "repo"
    write_text(org / "base.yaml", "mixlint-rules: 1\nrules:\n  - {id: epochs, kind: max-epochs, max: 4}\n")
    write_text(org / "schema.json", '{"required": ["license"]}')
    write_text(org / "org.yaml", "mixlint-rules: 1\nextends: [base.yaml]\nrules:\n  - {id: f, kind: fields, schema: schema.json}\n")
    repo.mkdir()
    rules = load_rules([str(org / "org.yaml")], str(repo), access=FileAccess(str(repo)))
    assert {rule.id for rule in rules.rules} == {"epochs", "f"}


def test_12_a_pack_inside_the_root_may_not_name_files_outside(tmp_path):
    org, repo = tmp_path / "org", tmp_path / "repo"
    write_text(org / "base.yaml", "mixlint-rules: 1\nrules: []\n")
    write_text(org / "schema.json", '{"required": ["license"]}')
    write_text(repo / "mixlint.yaml", "mixlint-rules: 1\nextends: [../org/base.yaml]\n"
               "rules:\n  - {id: f, kind: fields, schema: ../org/schema.json}\n")
    with pytest.raises(MixlintError) as raised:
        load_rules(["mixlint.yaml"], str(repo), access=FileAccess(str(repo)))
    assert len(raised.value.problems) == 2
    assert all("outside the repository root" in p.message for p in raised.value.problems)


# 13. A document that is a link out of the root --------------------------------------------------------

@pytest.mark.parametrize("name, kind", [("b.mixture.yaml", "manifest"), ("README.md", "card")])
def test_13_a_document_linked_out_of_the_root_is_not_read(tmp_path, name, kind):
    secret = write_text(tmp_path / "secret.yaml", "---\nlicense: ghp_SECRET\nsources: nope\n---\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / name).symlink_to(secret)
    with pytest.raises(MixlintError) as raised:
        load_document(str(repo / name), name, kind, access=FileAccess(str(repo)))
    (problem,) = raised.value.problems
    assert "outside the repository root" in problem.message and "SECRET" not in str(problem)


# 14. $ref resolves against the schema that holds it ---------------------------------------------------

def test_14_a_relative_ref_resolves_against_its_schema_file(tmp_path):
    write_text(tmp_path / "schemas" / "card.json", '{"properties": {"license": {"$ref": "common.json#/$defs/licence"}}}')
    write_text(tmp_path / "schemas" / "common.json", '{"$defs": {"licence": {"enum": ["mit"]}}}')
    pack = write_text(tmp_path / "pack.yaml", "mixlint-rules: 1\nrules:\n  - {id: f, kind: fields, schema: schemas/card.json}\n")
    (rule,) = load_rules([str(pack)], str(tmp_path), access=FileAccess(str(tmp_path))).rules
    card = write_text(tmp_path / "README.md", "---\nlicense: apache-2.0\n---\n")
    result = evaluate(rule, load_document(str(card), "README.md", "card"))
    assert result.outcome == "failed" and "'apache-2.0' is not one of ['mit']" in result.message


def test_14_an_inline_schema_refs_files_beside_its_pack(tmp_path):
    write_text(tmp_path / "common.json", '{"enum": ["mit"]}')
    pack = write_text(tmp_path / "pack.yaml", "mixlint-rules: 1\nrules:\n"
                      "  - {id: f, kind: fields, schema: {properties: {license: {$ref: common.json}}}}\n")
    (rule,) = load_rules([str(pack)], str(tmp_path), access=FileAccess(str(tmp_path))).rules
    card = write_text(tmp_path / "README.md", "---\nlicense: mit\n---\n")
    assert evaluate(rule, load_document(str(card), "README.md", "card")).outcome == "passed"


@pytest.mark.parametrize("schema", ['{"$ref": "#"}', '{"allOf": [{"$ref": "#"}]}',
                                    '{"$defs": {"x": {"$ref": "#/$defs/y"}, "y": {"$ref": "#/$defs/x"}}, "$ref": "#/$defs/x"}'])
def test_14_a_schema_referring_to_itself_without_end_is_an_error(tmp_path, schema):
    write_text(tmp_path / "s.json", schema)
    pack = write_text(tmp_path / "pack.yaml", "mixlint-rules: 1\nrules:\n  - {id: f, kind: fields, schema: s.json}\n")
    (rule,) = load_rules([str(pack)], str(tmp_path), access=FileAccess(str(tmp_path))).rules
    card = write_text(tmp_path / "README.md", "---\nlicense: mit\n---\n")
    result = evaluate(rule, load_document(str(card), "README.md", "card"))
    assert result.outcome == "error" and "refers to itself without end" in result.message


# 15. Many configs ----------------------------------------------------------------------------------------

def test_15_overlap_checks_grow_linearly_with_the_configs(tmp_path, monkeypatch):
    import pytest_mixlint.documents.card as card_module

    calls = []
    original = card_module.matches
    monkeypatch.setattr(card_module, "matches", lambda path, pattern: calls.append(1) or original(path, pattern))
    configs = "".join(f"  - {{config_name: l{i}, data_files: 'data/l{i}/train/*.parquet'}}\n" for i in range(2000))
    configs += "  - {config_name: all, data_files: 'data/*/train/*.parquet'}\n"
    card = write_text(tmp_path / "README.md", "---\nlicense: mit\nconfigs:\n" + configs + "---\n")
    document = load_document(str(card), "README.md", "card", access=FileAccess(str(tmp_path)))
    assert len(calls) < 3 * 2001  # each config against its own prefix's patterns, not against all 2,000
    (overlap,) = [n for n in document.notes if "overlapping" in n.message]
    assert "config 'all'" in overlap.message and "and 1997 more" in overlap.message


# 16. File names cannot restyle pytest's own lines ---------------------------------------------------------

def test_16_a_file_name_with_escapes_reaches_no_terminal(pytester):
    name = "x\x1b]0;pwned\x07\x1b[2J\u202eevil.mixture.yaml"
    pytester.path.joinpath(name).write_text("mixlint: 1\nsources:\n  - {name: s, weight: 1, license: mit}\n")
    result = pytester.runpytest("--mixlint", "-p", "no:cacheprovider", "-v", "-rA")
    output = result.stdout.str()
    assert "\x1b" not in output and "\u202e" not in output
    assert "x\\x1b]0;pwned\\x07\\x1b[2J\\u202eevil.mixture.yaml::license-declared PASSED" in output


# 17. Hard links ------------------------------------------------------------------------------------------

def test_17_hard_links_count_once(tmp_path):
    write_text(tmp_path / "data" / "a.jsonl", '{"text": "abc"}\n')
    os.link(tmp_path / "data" / "a.jsonl", tmp_path / "data" / "b.jsonl")
    manifest = write_text(tmp_path / "m.mixture.yaml", "mixlint: 1\nsources:\n  - {name: web, weight: 1, data_files: data/*.jsonl}\n")
    measurement = measure_document(load_document(str(manifest), "m.mixture.yaml", "manifest"), str(tmp_path))
    assert measurement.mixture is not None and measurement.mixture.sources[0].documents == 1


# 18. Markdown mentions, links and look-alike names ----------------------------------------------------------

def test_18_markdown_makes_no_mention_or_link_and_shows_invisible_characters():
    shown = markdown("@acme/security-team see https://evil.example/login or www.evil.example, mail a@b.example")
    assert "@acme" not in shown and "https://" not in shown and "www." not in shown and "a@b" not in shown
    for invisible in "\u061c\u200b\u200c\u200d\u2060\u2063\ufeff":
        assert invisible not in printable(f"we{invisible}b") and invisible not in markdown(f"we{invisible}b")


# 19. A lone surrogate is text, not a truncated line -------------------------------------------------------

def test_19_a_lone_surrogate_is_counted_by_both_engines(tmp_path):
    path = write_text(tmp_path / "s.jsonl", json.dumps({"text": "a\ud800b"}) + "\n")
    assert alike(path) == {None: (1, 5)}
