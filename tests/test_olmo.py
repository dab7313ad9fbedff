"""configs/olmo.py: OLMo path lists, OLMo-core mixes, nanotron data stages."""

from __future__ import annotations

import textwrap

import pytest

from pytest_mixlint.configs.olmo import nanotron_stages, olmo_blend, olmo_core_mix
from pytest_mixlint.documents.syntax import parse_text


def parsed(text):
    return parse_text(textwrap.dedent(text), "c.yaml", "yaml")


def test_olmo_paths_without_weights_and_a_path_listed_twice():
    blend, problems = olmo_blend(parsed("""\
        run_name: olmo-1b
        data:
          pad_direction: right
          paths:
            # Dolma v1.7 Common Crawl
            - s3://ai2-llm/preprocessed/cc/part-0-00000.npy
            - s3://ai2-llm/preprocessed/cc/part-0-00001.npy
            # Wikipedia, twice
            - s3://ai2-llm/preprocessed/wiki/part-0-00000.npy
            - s3://ai2-llm/preprocessed/wiki/part-0-00000.npy
    """), "c.yaml")
    assert problems == [] and not blend.weighted
    wiki = [e for e in blend.entries if "wiki" in e.path]
    assert len(blend.entries) == 3 and wiki[0].listed == 2 and wiki[0].line == 9


def test_olmo_core_mix_with_labels_comments_and_the_tokenizer_placeholder():
    text = ("# OLMo 2 mix\ndclm,preprocessed/dclm/{TOKENIZER}/part-000.npy\n\n"
            "starcoder,preprocessed/starcoder/{TOKENIZER}/part-000.npy\npreprocessed/wiki/{TOKENIZER}/a.npy\n")
    blend, problems = olmo_core_mix(text, "mix.txt", {"TOKENIZER": "dolma2-tokenizer"})
    assert problems == []
    assert [(e.name, e.path, e.line) for e in blend.entries] == [
        ("dclm", "preprocessed/dclm/dolma2-tokenizer/part-000.npy", 2),
        ("starcoder", "preprocessed/starcoder/dolma2-tokenizer/part-000.npy", 4),
        (None, "preprocessed/wiki/dolma2-tokenizer/a.npy", 5)]
    blend, problems = olmo_core_mix(text, "mix.txt")
    assert blend is None and problems[0].line == 2 and "{TOKENIZER} is filled in by the run" in problems[0].message


NANOTRON = """\
    general: {project: smollm}
    data_stages:
      - name: stable
        start_training_step: 1
        data:
          dataset:
            hf_dataset_or_datasets:
              HuggingFaceFW/fineweb-edu: 0.7
              bigcode/starcoderdata: 0.2
              open-web-math/open-web-math: 0.1
      - name: annealing
        start_training_step: 50000
        data:
          dataset:
            dataset_folder: [/data/fineweb, /data/stack, /data/math]
            dataset_weights: [0.5, 0.3, 0.2]
      - name: natural
        start_training_step: 60000
        data:
          dataset:
            hf_dataset_or_datasets: [a/b, c/d]
"""


def test_nanotron_stages_in_every_dataset_form():
    stages = nanotron_stages(parsed(NANOTRON), "c.yaml")
    assert [(s.name, s.line, s.problems) for s in stages] == [("stable", 3, ()), ("annealing", 11, ()), ("natural", 17, ())]
    blends = {s.name: s.blend for s in stages}
    assert {e.path: round(e.weight, 6) for e in blends["stable"].entries} == {
        "HuggingFaceFW/fineweb-edu": 0.7, "bigcode/starcoderdata": 0.2, "open-web-math/open-web-math": 0.1}
    assert [e.line for e in blends["stable"].entries] == [8, 9, 10]
    assert {e.path: round(e.weight, 6) for e in blends["annealing"].entries} == {
        "/data/fineweb": 0.5, "/data/stack": 0.3, "/data/math": 0.2}
    assert not blends["natural"].weighted


def test_a_stage_that_cannot_be_read_keeps_its_problem_and_the_others_their_blends():
    text = NANOTRON.replace("dataset_weights: [0.5, 0.3, 0.2]", "dataset_weights: [0.5, 0.3]")
    stages = nanotron_stages(parsed(text), "c.yaml")
    annealing = stages[1]
    assert annealing.blend is None and "holds 2 weights for the 3 dataset_folder entries" in annealing.problems[0].message
    assert annealing.problems[0].line == 16
    assert stages[0].blend is not None and stages[2].blend is not None


@pytest.mark.parametrize(("name", "says"), [("stable", "a second stage named 'stable'"), ("a::b", "holds '::'")])
def test_stage_names_are_unique_node_ids(name, says):
    stages = nanotron_stages(parsed(NANOTRON.replace("name: annealing", f"name: {name!r}")), "c.yaml")
    assert stages[1].blend is None and says in stages[1].problems[0].message and stages[1].problems[0].line == 11
    assert stages[1].name == "stage 2" and stages[2].blend is not None


def test_an_unnamed_stage_is_named_by_its_place():
    stages = nanotron_stages(parsed(NANOTRON.replace("  - name: natural\n", "  - \n")), "c.yaml")
    assert [s.name for s in stages] == ["stable", "annealing", "stage 3"]


def test_a_weight_that_is_no_number_is_named_at_its_item():
    text = NANOTRON.replace("dataset_weights: [0.5, 0.3, 0.2]", "dataset_weights:\n              - 0.5\n              - 0.3x\n              - 0.2")
    stages = nanotron_stages(parsed(text), "c.yaml")
    (problem,) = stages[1].problems
    assert "dataset_weights item 2 ('0.3x') is not a number" in problem.message and problem.line == 18


@pytest.mark.parametrize("folder", ["3", "[1, 2]", "{a: 1, b: x}"])
def test_a_dataset_folder_of_the_wrong_type_is_a_located_error(folder):
    text = f"data_stages:\n  - name: s\n    data:\n      dataset:\n        dataset_folder: {folder}\n"
    (stage,) = nanotron_stages(parsed(text), "c.yaml")
    assert stage.blend is None and stage.problems[0].line == 5
