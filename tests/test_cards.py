"""Dataset cards: front matter read as the Hub reads it, and messy real cards never crash."""

import pytest
from huggingface_hub.repocard import REGEX_YAML_BLOCK

from pytest_mixlint.documents import load_card
from pytest_mixlint.documents.card import FRONT_MATTER, is_card
from pytest_mixlint.domains import DomainPatterns
from pytest_mixlint.problems import MixlintError

CARD = """\
---
license: odc-by
language: [en]
pretty_name: Tiny Mix
size_categories: [1M<n<10M]
configs:
  - config_name: web
    data_files: "data/web/*.jsonl.gz"
  - config_name: github
    data_files:
      - split: train
        path: ["data/github/*.parquet"]
dataset_info:
  - config_name: web
    features:
      - {name: text, dtype: string}
    splits:
      - {name: train, num_bytes: 900, num_examples: 90}
      - {name: validation, num_bytes: 50, num_examples: 5}
  - config_name: github
    splits:
      - {name: train, num_bytes: 100, num_examples: 10}
---
# Tiny Mix
"""


def load(write, text, name="README.md"):
    path = write(name, text)
    return load_card(str(path), name, DomainPatterns())


def problems(write, text):
    with pytest.raises(MixlintError) as raised:
        load(write, text)
    return raised.value.problems


def test_fence_rule_is_the_hub_library_rule():
    assert FRONT_MATTER.pattern == REGEX_YAML_BLOCK.pattern


def test_card_composition_from_dataset_info(write):
    card = load(write, CARD)
    assert card.kind == "card" and card.name == "Tiny Mix"
    web, github = card.mixture.sources
    assert (web.name, web.domain, web.bytes, web.documents) == ("web", "web", 900, 90)  # train split only
    assert (github.domain, github.bytes) == ("code", 100)
    assert card.mixture.basis == "bytes"
    assert card.mixture.shares()["github"] == pytest.approx(0.1)
    assert web.license.category == "permissive"
    assert web.line == 14
    assert [(n.line, n.message) for n in card.notes] == [  # the data is not in this repository
        (8, "config 'web': data_files pattern 'data/web/*.jsonl.gz' matches no file"),
        (10, "config 'github': data_files pattern 'data/github/*.parquet' matches no file")]
    write("data/web/0.jsonl.gz", b"")
    write("data/github/0.parquet", b"")
    assert load(write, CARD).notes == []


def test_dataset_info_as_a_mapping(write):
    card = load(write, "---\nlicense: mit\ndataset_info:\n  splits:\n    - {name: train, num_bytes: 10, num_examples: 2}\n---\n")
    (source,) = card.mixture.sources
    assert (source.name, source.bytes, source.documents) == ("default", 10, 2)


def test_configs_without_dataset_info_give_sources_without_sizes(write):
    text = "---\nconfigs:\n" + "".join(f"  - config_name: shard-{i}\n    data_files: 'data/{i}/*'\n" for i in range(150)) + "---\n"
    card = load(write, text)
    assert len(card.mixture.sources) == 150
    assert card.mixture.sources[7].data_files == ("data/7/*",)
    assert all(s.bytes is None for s in card.mixture.sources)


def test_readme_without_front_matter_is_not_a_card(write):
    assert load(write, "# Just a README\n\n---\n\nwith a rule\n") is None
    assert not is_card(str(write("README.md", "# title\n")))
    assert is_card(str(write("README.md", "---\nlicense: mit\n---\n")))


def test_leading_whitespace_and_crlf_as_the_hub(write):
    card = load(write, b"\n\n---\r\nlicense: mit\r\n---\r\nbody\r\n")
    assert card.metadata.data == {"license": "mit"}
    assert card.line("license") == 4


def test_empty_front_matter_is_the_default_config(write):
    card = load(write, "---\n---\n# empty\n")
    assert card.metadata.data == {}
    (source,) = card.mixture.sources
    assert source.name == "default" and source.license.category == "unknown" and source.license_line == 2


def test_unclosed_fence_is_located(write):
    (problem,) = problems(write, "---\nlicense: mit\n# body without closing fence\n")
    assert problem.line == 1 and "never closed" in problem.message


def test_broken_yaml_is_located_in_the_readme(write):
    (problem,) = problems(write, "---\nlicense: mit\nlanguage: [en\n---\n")
    assert problem.line is not None and problem.line >= 3 and "invalid YAML" in problem.message


def test_opening_fence_with_trailing_spaces(write):
    (problem,) = problems(write, "--- \nlicense: mit\n---\n")
    assert problem.line == 1 and "trailing spaces" in problem.message


def test_configs_listed_twice_are_noted(write):
    write("x", "")
    write("y", "")
    card = load(write, "---\nconfigs:\n  - {config_name: a, data_files: x}\n  - {config_name: a, data_files: y}\n---\n")
    assert [n.message for n in card.notes] == ["configs lists 'a' twice"] and card.notes[0].line == 4


def test_front_matter_that_is_not_a_mapping(write):
    (problem,) = problems(write, "---\n- a\n- b\n---\n")
    assert "must be a mapping" in problem.message


def test_messy_card_is_read_with_notes(write):
    text = """\
---
licenses:
  - cc-by-nc-4.0
language: en
dataset_info:
  - config_name: github
    license: mit
    splits:
      - name: train
        num_bytes: "1,000"
        num_examples: lots
  - not a mapping
  - config_name: github
extra_gated_prompt: "By accessing this dataset you agree to ..."
extra_gated_fields:
  Company: text
  I agree to use this dataset for non-commercial use ONLY: checkbox
---
"""
    card = load(write, text)
    messages = [n.message for n in card.notes]
    assert "deprecated key 'licenses'" in messages
    assert "'license' is nested under 'dataset_info.0'" in messages
    assert "num_bytes is a string ('1,000')" in messages
    assert "num_examples: 'lots' is not a count; write e.g. 59B, 1.2T, 28M or 1_000" in messages
    assert "dataset_info entry is not a mapping" in messages
    assert "dataset_info lists config 'github' twice" in messages
    assert all(n.line for n in card.notes)
    (github,) = card.mixture.sources
    assert github.bytes == 1000 and github.documents is None
    assert github.license.declared is None  # the Hub ignores the deprecated key, and so do we


def test_license_other_without_license_name(write):
    (source,) = load(write, "---\nlicense: other\n---\n").mixture.sources
    assert source.license.error.startswith("'other' without license_name names no licence")
    (source,) = load(write, "---\nlicense: other\nlicense_name: tiny-license\nlicense_link: LICENSE\n---\n").mixture.sources
    assert source.license.error is None and source.license.category == "unknown"


def test_data_files_of_every_shape(write):
    text = """\
---
configs:
  - config_name: a
    data_files: [{split: train, path: 3}, {split: test, path: [x.jsonl, 4]}, 5, y.jsonl]
  - config_name: b
    data_files: {split: train}
---
"""
    a, b = load(write, text).mixture.sources
    assert a.data_files == ()  # only the train split counts (as dataset_info's sizes), and its path is junk
    assert b.data_files == () and b.data_dir == "."  # no patterns: the Hub's default ones


def test_the_train_split_and_data_dir_of_a_config(write):
    text = """\
---
configs:
  - config_name: a
    data_dir: sub
    data_files: [{split: train, path: "train/*.jsonl"}, {split: test, path: "test/*.jsonl"}]
  - config_name: b
    data_dir: other
  - config_name: c
    data_files: [x.jsonl, ./y.jsonl]
---
"""
    a, b, c = load(write, text).mixture.sources
    assert (a.data_files, a.data_dir) == (("sub/train/*.jsonl",), None)
    assert (b.data_files, b.data_dir) == ((), "other")
    assert c.data_files == ("x.jsonl", "y.jsonl")


def test_license_of_a_wrong_type(write):
    card = load(write, "---\nlicense: {name: mit}\n---\n")
    assert "license must be a string or a list" in card.notes[0].message


def test_embedded_manifest(write):
    text = """\
---
license: apache-2.0
mixlint:
  basis: tokens
  sources:
    - {name: web, tokens: 90B}
    - {name: code, domain: code, tokens: 10B, license: mit}
  ignore:
    - {rule: max-epochs, reason: single pass}
---
"""
    card = load(write, text)
    web, code = card.mixture.sources
    assert card.kind == "card" and card.mixture.basis == "tokens"
    assert web.license.expression == "Apache-2.0"  # the card's licence is the default
    assert code.license.expression == "MIT"
    assert web.line == 6
    assert card.ignores[0].rule == "max-epochs" and card.ignores[0].line == 9


def test_embedded_manifest_errors_are_located(write):
    (problem,) = problems(write, "---\nmixlint:\n  sources:\n    - {name: web, tokns: 1}\n---\n")
    assert (problem.line, problem.message, problem.hint) == (4, "unknown key 'tokns'", "did you mean 'tokens'?")
    (problem,) = problems(write, "---\nmixlint: yes\n---\n")
    assert problem.line == 2 and "must be a mapping" in problem.message


def test_embedded_settings_only_keeps_dataset_info_composition(write):
    text = CARD.replace("---\n# Tiny Mix", "mixlint:\n  ignore: [{rule: card-fields, reason: legacy}]\n---\n# Tiny Mix")
    card = load(write, text)
    assert [s.name for s in card.mixture.sources] == ["web", "github"]
    assert card.ignores[0].reason == "legacy"


def test_a_config_that_holds_another_configs_files_is_noted(write):
    card = load(write, "---\nlicense: odc-by\nconfigs:\n  - {config_name: default, data_files: 'data/*/*'}\n"
                       "  - {config_name: CC-MAIN-2024-10, data_files: 'data/CC-MAIN-2024-10/*'}\n"
                       "  - {config_name: sample, data_files: 'sample/10BT/*'}\n---\n")
    (note,) = [n for n in card.notes if "holds the files" in n.message]
    assert note.line == 4 and note.message.startswith("config 'default' (data/*/*) holds the files of config 'CC-MAIN-2024-10'")
