"""Safe parsing: no object construction, bounded aliases and depth, located errors."""

import time

import pytest

from pytest_mixlint.documents.syntax import MAX_ALIAS_NODES, parse_text, read_text
from pytest_mixlint.problems import MixlintError


def problems(text, syntax="yaml"):
    with pytest.raises(MixlintError) as raised:
        parse_text(text, "f", syntax)
    return raised.value.problems


def test_yaml_lines_of_keys_and_items():
    parsed = parse_text("a: 1\nsources:\n  - name: x\n    weight: 2\n  - name: y\n", "f", "yaml")
    assert parsed.data == {"a": 1, "sources": [{"name": "x", "weight": 2}, {"name": "y"}]}
    assert parsed.line(("sources", 0, "weight")) == 4
    assert parsed.line(("sources", 1)) == 5
    assert parsed.line(("sources", 1, "missing")) == 5  # nearest located ancestor


def test_first_line_offset_for_front_matter():
    parsed = parse_text("license: mit\n", "f", "yaml", first_line=3)
    assert parsed.line(("license",)) == 3


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['echo hi']", "!!python/name:os.system", "!custom 1",
                                 "!!binary aGk=", "!!set {a}"])
def test_no_tag_constructs_objects(tag):
    (problem,) = problems(f"key: {tag}\n")
    assert problem.line == 1
    assert "tag" in problem.message


def test_billion_laughs_is_refused_quickly():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i-1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    start = time.perf_counter()
    (problem,) = problems("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 5  # generous: it must not expand 9**9 nodes
    assert f"{MAX_ALIAS_NODES:,}" in problem.message
    assert problem.hint and "billion laughs" in problem.hint


def test_small_aliases_are_fine():
    parsed = parse_text("base: &b {x: 1}\nother: *b\n", "f", "yaml")
    assert parsed.data == {"base": {"x": 1}, "other": {"x": 1}}


@pytest.mark.parametrize("syntax,text", [
    ("yaml", "a: " + "[" * 5000 + "]" * 5000),
    ("yaml", "a:\n" + "".join(" " * i + "- \n" for i in range(0, 400, 2))),
    ("json", "[" * 100000 + "]" * 100000),
    ("toml", "a = " + "[" * 5000 + "]" * 5000),
])
def test_deep_nesting_is_a_located_error(syntax, text):
    (problem,) = problems(text, syntax)
    assert "nest" in problem.message or "depth" in problem.message
    assert problem.line == 1 or syntax == "yaml" and problem.line is not None


def test_json_and_toml_are_held_to_the_yaml_depth_limit():
    for syntax, text in (("json", "[" * 100 + "]" * 100), ("toml", "a = " + "[" * 100 + "]" * 100)):
        (problem,) = problems(text, syntax)
        assert problem.message == "nesting deeper than 64 levels"


def test_nul_byte_is_located():
    (problem,) = problems("a: 1\nb: x\x00y\n")
    assert problem.line == 2 and "not allowed" in problem.message and "<unicode string>" not in problem.message


@pytest.mark.parametrize("syntax", ["json", "toml", "yaml"])
def test_empty_text_is_none(syntax):
    assert parse_text("  \n", "f", syntax).data is None


def test_duplicate_keys_yaml_and_json():
    (problem,) = problems("a: 1\nb: 2\na: 3\n")
    assert problem.line == 3 and "duplicate key 'a'" in problem.message
    (problem,) = problems('{\n "a": 1,\n "a": 2\n}', "json")
    assert problem.line == 3 and "duplicate" in problem.message


def test_json_lines_and_errors():
    parsed = parse_text('{\n  "sources": [\n    {"name": "x"}\n  ]\n}\n', "f", "json")
    assert parsed.line(("sources", 0)) == 3
    (problem,) = problems('{\n  "a": 1,\n}', "json")
    assert problem.line == 3 and problem.message.startswith("invalid JSON")
    (problem,) = problems('{"a": NaN}', "json")
    assert "NaN" in problem.message


def test_toml_lines_and_errors():
    parsed = parse_text('mixlint = 1\n\n[[sources]]\nname = "a"\n\n[[sources]]\nname = "b"\nweight = 2\n', "f", "toml")
    assert parsed.line(("sources", 1, "weight")) == 8
    assert parsed.line(("mixlint",)) == 1
    (problem,) = problems('mixlint = 1\nname = \n', "toml")
    assert problem.line == 2 and problem.message.startswith("invalid TOML")


def test_yaml_syntax_error_is_located():
    (problem,) = problems("a: [1, 2\nb: 3\n")
    assert problem.line is not None and problem.message.startswith("invalid YAML")


def test_bad_utf8_is_located(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"a: 1\nb: \xff\xfe\n")
    with pytest.raises(MixlintError) as raised:
        read_text(str(path), "bad.yaml")
    (problem,) = raised.value.problems
    assert problem.line == 2 and "UTF-8" in problem.message


def test_missing_file_is_a_problem(tmp_path):
    with pytest.raises(MixlintError, match="cannot read file"):
        read_text(str(tmp_path / "nope.yaml"), "nope.yaml")


def test_yaml_12_booleans_the_norway_problem():
    parsed = parse_text("language: [no, en]\nseverity: off\nflag: true\nother: False\n", "f", "yaml")
    assert parsed.data == {"language": ["no", "en"], "severity": "off", "flag": True, "other": False}


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1_000", "1_000"), ("a: 59e9", 59e9), ("a: 0x10", 16), ("a: 0o10", 8), ("a: -3", -3), ("a: .5", 0.5),
    ("a: 1:20", "1:20"), ("a: ~", None), ("a:", None), ("a: NULL", None), ("a: '1'", "1"), ("a: !!str 1", "1"),
    ("a: !!float 1", 1.0), ("a: !!int '7'", 7), ("a: .inf", float("inf")), ("a: 2026-01-01", "2026-01-01"),
])
def test_yaml_12_core_schema(text, expected):
    assert parse_text(text, "f", "yaml").data == {"a": expected}


@pytest.mark.parametrize(("text", "message"), [
    ("a: !!int x\n", "is not a valid int"),
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys"),
    ("a: 1\n---\nb: 2\n", "more than one YAML document"),
    ("? [a, b]\n: 1\n", "mapping key must be a plain value"),
    ("a: *nowhere\n", "nowhere"),
])
def test_yaml_refusals_are_located(text, message):
    (problem,) = problems(text)
    assert message in problem.message and problem.line is not None
