"""Manifests in YAML, JSON and TOML: one model, located errors with hints."""

import json

import pytest

from pytest_mixlint.documents import load_manifest
from pytest_mixlint.domains import DomainPatterns
from pytest_mixlint.problems import MixlintError

LLAMA_YAML = """
mixlint: 1
name: llama-1
sources:
  - name: commoncrawl
    weight: 67
    epochs: 1.10
    bytes: 3.3 TB
  - name: github
    domain: code
    weight: 4.5
    bytes: 328 GB
    license: MIT OR Apache-2.0
ignore:
  - rule: min-code-share
    reason: code is added in stage 2
"""


def load(write, name, text):
    path = write(name, text)
    return load_manifest(str(path), name, DomainPatterns())


def problems(write, name, text):
    with pytest.raises(MixlintError) as raised:
        load(write, name, text)
    return raised.value.problems


def test_yaml_manifest(write):
    document = load(write, "llama.mixture.yaml", LLAMA_YAML)
    assert document.kind == "manifest" and document.name == "llama-1"
    github = document.mixture.sources[1]
    assert (github.bytes, github.domain, github.line) == (328 * 10**9, "code", 8)
    assert github.license.category == "permissive"
    assert document.mixture.sources[0].domain == "web"  # inferred from the name
    assert document.mixture.basis == "weight"
    assert document.mixture.shares()["github"] == pytest.approx(4.5 / 71.5)
    assert document.ignores[0].rule == "min-code-share" and document.ignores[0].line == 14


def test_same_manifest_in_json_and_toml(write):
    data = {"mixlint": 1, "name": "m", "sources": [{"name": "a", "weight": 1, "tokens": "59B"},
                                                   {"name": "b", "weight": 3, "tokens": 1e9}]}
    from_json = load(write, "m.mixture.json", json.dumps(data, indent=1))
    from_toml = load(write, "m.mixture.toml", 'mixlint = 1\nname = "m"\n[[sources]]\nname = "a"\nweight = 1\n'
                                               'tokens = "59B"\n[[sources]]\nname = "b"\nweight = 3\ntokens = 1e9\n')
    for document in (from_json, from_toml):
        assert [s.tokens for s in document.mixture.sources] == [59 * 10**9, 10**9]
        assert document.mixture.shares()["b"] == 0.75


def test_default_basis_is_the_first_every_source_has(write):
    document = load(write, "m.mixture.yaml", "mixlint: 1\nsources:\n  - {name: a, tokens: 1}\n  - {name: b, tokens: 3}\n")
    assert document.mixture.basis == "tokens"


def test_unknown_key_did_you_mean(write):
    (problem,) = problems(write, "m.mixture.yaml", "mixlint: 1\nsources:\n  - name: a\n    wieght: 1\n")
    assert (problem.line, problem.message, problem.hint) == (4, "unknown key 'wieght'", "did you mean 'weight'?")
    found = {p.message: p for p in problems(write, "m.mixture.yaml", "mixlint: 1\nsorces: []\n")}
    unknown, missing = found["unknown key 'sorces'"], found["missing required key 'sources'"]
    assert (unknown.line, unknown.hint) == (2, "did you mean 'sources'?")
    assert missing.hint and "sources:" in missing.hint


def test_all_errors_are_reported_together(write):
    found = problems(write, "m.mixture.yaml", "mixlint: 1\nsources:\n  - name: a\n    weight: -1\n  - name: b\n    bytes: 12 parsecs\n")
    assert [p.line for p in found] == [4, 6]
    assert "negative" in found[0].message and "unknown byte unit" in found[1].message


@pytest.mark.parametrize(("text", "line", "message"), [
    ("mixlint: 1\nsources:\n  - {name: a, weight: .nan}\n", 3, "not a finite number"),
    ("mixlint: 1\nsources:\n  - {name: a, weight: .inf}\n", 3, "not a finite number"),
    ("mixlint: 1\nsources:\n  - {name: a, epochs: -2}\n", 3, "negative"),
    ("mixlint: 1\nsources:\n  - {name: a, weight: true}\n", 3, "boolean"),
    ("mixlint: 1\nsources:\n  - {name: a, weight: yes}\n", 3, "not a number"),
    ("mixlint: 1\nsources:\n  - {name: a, weight: [1]}\n", 3, "expected a number"),
    ("mixlint: 1\nsources:\n  - {name: a, documents: 3 GB}\n", 3, "byte units belong"),
    ("mixlint: 1\nsources: {name: a}\n", 2, "valid list"),
    ("mixlint: 1\nsources: []\n", 2, "at least 1"),
    ("mixlint: 2\nsources: [{name: a}]\n", 1, "mixlint"),
    ("sources: [{name: a}]\n", 1, "missing required key 'mixlint'"),
    ("mixlint: 1\nbasis: tokenz\nsources: [{name: a}]\n", 2, "basis"),
    ("mixlint: 1\nsources:\n  - {weight: 1}\n", 3, "missing required key 'sources.0.name'"),
    ("mixlint: 1\nsources:\n  - {name: ''}\n", 3, "at least 1 character"),
    ("mixlint: 1\nsources: [{name: a}]\nignore:\n  - {rule: x}\n", 4, "reason"),
    ("mixlint: 1\nsources: [{name: a}]\nignore:\n  - {rule: x, reason: '  '}\n", 4, "at least 1 character"),
])
def test_invalid_values_are_located(write, text, line, message):
    found = problems(write, "m.mixture.yaml", text)
    assert found[0].line == line
    assert message in found[0].message


def test_duplicate_source_names(write):
    (problem,) = problems(write, "m.mixture.yaml", "mixlint: 1\nsources:\n  - name: a\n  - name: b\n  - name: a\n")
    assert problem.line == 5 and "duplicate source name 'a' (first at line 3)" in problem.message


def test_all_zero_weights(write):
    (problem,) = problems(write, "m.mixture.yaml", "mixlint: 1\nsources:\n  - {name: a, weight: 0}\n  - {name: b, weight: 0}\n")
    assert "all source weights are zero" in problem.message and problem.hint


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty manifest"), ("# only a comment\n", "empty manifest"), ("- a\n- b\n", "top level must be a mapping"),
    ("just a string\n", "top level must be a mapping"),
])
def test_empty_or_not_a_mapping(write, text, message):
    (problem,) = problems(write, "m.mixture.yaml", text)
    assert message in problem.message and problem.line == 1


def test_missing_mixlint_version_has_a_hint(write):
    (problem,) = problems(write, "m.mixture.yaml", "sources: [{name: a}]\n")
    assert problem.hint and "mixlint: 1" in problem.hint


def test_a_group_value_names_one_source(write):
    text = ("mixlint: 1\nscan: {group_by: meta.s, data_files: 'd/*.jsonl'}\nsources:\n"
            "  - {name: web, groups: [cc, c4]}\n  - {name: more-web, groups: [c4]}\n  - {name: cc}\n")
    found = problems(write, "m.mixture.yaml", text)
    assert [(p.line, p.message) for p in found] == [
        (5, "group value 'c4' of source 'more-web' already belongs to source 'web'"),
        (6, "group value 'cc' of source 'cc' already belongs to source 'web'")]


def test_an_unknown_key_named_like_a_type_is_reported(write):
    (problem,) = problems(write, "m.mixture.yaml", "mixlint: 1\nsources: [{name: a, weight: 1}]\nstr: 1\n")
    assert (problem.line, problem.message) == (3, "unknown key 'str'")


def test_scan_token_settings_are_validated_with_their_own_hints(write):
    text = "mixlint: 1\nscan: {tokens: exactly, token_sample: 1}\nsources: [{name: a, weight: 1, tokens: lots}]\n"
    by_field = {p.message.split(":")[0]: p for p in problems(write, "m.mixture.yaml", text)}
    assert "exact (every document tokenized)" in by_field["scan.tokens"].hint
    assert "greater than or equal to 2" in by_field["scan.token_sample"].message
    assert "59B" in by_field["sources.0.tokens"].hint
    document = load(write, "m.mixture.yaml", "mixlint: 1\nscan: {tokenizer: tok/, tokens: exact}\nsources: [{name: a, weight: 1}]\n")
    assert (document.scan.tokenizer, document.scan.tokens, document.scan.token_sample) == ("tok/", "exact", None)


def test_string_becomes_a_list_for_list_fields(write):
    document = load(write, "m.mixture.yaml", "mixlint: 1\nsources:\n  - {name: a, languages: en, data_files: 'data/*.jsonl'}\n")
    assert document.mixture.sources[0].languages == ("en",)
    assert document.mixture.sources[0].data_files == ("data/*.jsonl",)


def test_user_domain_patterns_come_first(write):
    path = write("m.mixture.yaml", "mixlint: 1\nsources:\n  - {name: the-stack-v2, weight: 1}\n  - {name: wikipedia, weight: 1}\n")
    document = load_manifest(str(path), "m", DomainPatterns.with_user_patterns(["the-stack* = source-code"]))
    assert [s.domain for s in document.mixture.sources] == ["source-code", "encyclopedic"]
    with pytest.raises(ValueError, match="PATTERN = DOMAIN"):
        DomainPatterns.with_user_patterns(["github code"])


def test_scan_fields_that_nest_are_a_located_error(write):
    (problem,) = problems(write, "m.mixture.yaml", "mixlint: 1\nscan: {text_field: meta, group_by: meta.s}\nsources: [{name: a}]\n")
    assert problem.line == 2 and "neither inside the other" in problem.message


def test_scan_section_typos_are_located(write):
    (problem,) = problems(write, "m.mixture.yaml", "mixlint: 1\nscan:\n  text_feild: body\nsources: [{name: a}]\n")
    assert (problem.line, problem.hint) == (3, "did you mean 'text_field'?")
