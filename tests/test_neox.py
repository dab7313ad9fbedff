"""configs/neox.py: GPT-NeoX configs as real ones are written."""

from __future__ import annotations

import textwrap

import pytest

from pytest_mixlint.configs.neox import neox_blend
from pytest_mixlint.documents.syntax import parse_text


def blend_of(text: str):
    return neox_blend(parse_text(textwrap.dedent(text), "c.yml", "yaml"), "c.yml")


def test_json_style_yaml_with_comments_single_quotes_and_trailing_commas():
    blend, problems = blend_of("""\
        # GPT-NeoX 20B, our mix
        {
          "pipe-parallel-size": 4,
          'train-data-paths': ['/data/pile_text_document', '/data/code_text_document',],
          "train-data-weights": [0.75, 0.25,],  # sample weights
          "valid-data-paths": ["/data/val_text_document"],
        }
    """)
    assert problems == []
    assert [(e.path, e.weight, e.line) for e in blend.entries] == [
        ("/data/pile_text_document", 0.75, 4), ("/data/code_text_document", 0.25, 4)]


def test_underscore_spellings_and_totals_that_need_normalising():
    blend, _ = blend_of("train_data_paths: [/a, /b, /c]\ntrain_data_weights: [7.37, 0.0, 2.63]\n")
    assert [round(e.weight, 4) for e in blend.entries] == [0.737, 0.0, 0.263]


def test_both_spellings_must_agree():
    _, problems = blend_of("train-data-paths: [/a]\ntrain_data_paths: [/b]\ntrain-data-weights: [1]\n")
    assert problems[0].line == 2 and "the same key in GPT-NeoX and say different things" in problems[0].message


def test_weights_known_only_at_run_time_leave_shares_unknown():
    text = "train-data-paths: [/a, /b]\ntrain-data-weights: [1, 1]\nweight-by-num-documents: true\nweighted-sampler-alpha: 0.3\n"
    blend, problems = blend_of(text)
    assert problems == [] and not blend.weighted


def test_paths_without_weights_weigh_the_same_as_neox_makes_them():
    blend, problems = blend_of("train-data-paths: [/a, /b, /c, /d]\n")
    assert problems == [] and [e.weight for e in blend.entries] == [0.25] * 4


@pytest.mark.parametrize(("text", "line", "message"), [
    ("train-data-paths: [/a, /b]\ntrain-data-weights: [1]\n", 2, "holds 1 weights for the 2 paths"),
    ("train-data-paths: [/a, /b]\ntrain-data-weights:\n  - 1\n  - lots\n", 4, "'lots' (item 2) is not a number"),
    ("train-data-paths: [/a, /b]\ntrain-data-weights: [1, -2]\n", 2, "negative"),
    ("train-data-paths: 3\n", 1, "must be a list of data paths"),
])
def test_unusable_configs_are_located(text, line, message):
    blend, problems = blend_of(text)
    assert blend is None and problems[0].line == line and message in problems[0].message


def test_a_single_data_path_and_a_config_without_data():
    blend, _ = blend_of("data-path: /data/enwik8_text_document\n")
    assert [(e.path, e.weight) for e in blend.entries] == [("/data/enwik8_text_document", 1.0)]
    assert blend_of("lr: 0.1\n") == (None, [])
