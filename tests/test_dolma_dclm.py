"""configs/dolma.py: Dolma mixer configs and DCLM tokenized-dataset JSON."""

from __future__ import annotations

import json
import textwrap

import pytest

from pytest_mixlint.configs.detect import detect_format
from pytest_mixlint.configs.dolma import dclm_blend, dolma_blend
from pytest_mixlint.documents.syntax import parse_text

MIXER = """\
    streams:
      - name: cc_en_head
        documents:
          - s3://ai2-llm/pretraining-data/sources/common-crawl/v1/documents/cc_en_head/*.json.gz
        attributes: [perplexity_suite_v3_option2]
        output: {path: s3://ai2-llm/mixed/cc, max_size_in_bytes: 4294967296}
        filter:
          include: ["$.attributes[?(@.ccnet__score < 0.5)]"]
      - name: books
        documents:
          - s3://ai2-llm/pretraining-data/sources/gutenberg/v0/documents/*.json.gz
          - s3://ai2-llm/pretraining-data/sources/gutenberg/v0/documents/*.json.gz
    processes: 16
"""


def test_dolma_streams_are_sources_with_unknown_shares():
    blend, problems = dolma_blend(parse_text(textwrap.dedent(MIXER), "mix.yaml", "yaml"), "mix.yaml")
    assert problems == [] and not blend.weighted
    assert [(e.name, e.listed) for e in blend.entries] == [("cc_en_head", 1), ("books", 2)]
    assert blend.entries[0].line == 4


def test_dclm_sources_repeated_are_upsampled(tmp_path):
    data = {"uuid": "x", "name": "dclm-mix", "sources": [{"uuid": "a", "name": "dclm-baseline"},
                                                         {"uuid": "b", "name": "starcoder"},
                                                         {"uuid": "b", "name": "starcoder"}],
            "tokenized": True, "num_tokens": 28710999849, "sampling_yaml": None}
    text = json.dumps(data, indent=1)
    blend, notes = dclm_blend(parse_text(text, "d.json", "json"), "d.json")
    assert notes == [] and [(e.name, e.listed) for e in blend.entries] == [("dclm-baseline", 1), ("starcoder", 2)]
    (tmp_path / "d.json").write_text(text)
    assert detect_format(str(tmp_path / "d.json")) == "dclm"
    (tmp_path / "mix.yaml").write_text(textwrap.dedent(MIXER))
    assert detect_format(str(tmp_path / "mix.yaml")) == "dolma"


# The shape of DCLM's rpj_original.json: one untokenized source, split by open_lm's sampling
# groups (markers are fragments of the raw files' paths) with their sampling frequencies.
RPJ = {"uuid": "u", "name": "rpj_original", "sources": [{"uuid": "s", "name": "rpj_original_untokenized"}],
       "tokenized": True, "num_tokens": 1210563340149,
       "sampling_yaml": {"sources": [{"source": "COMMON_CRAWL", "markers": ["common_crawl/"]},
                                     {"source": "C4", "markers": ["c4/"]},
                                     {"source": "GITHUB", "markers": ["github"]},
                                     {"source": "WIKIPEDIA", "markers": ["wiki"]},
                                     {"source": "UNKNOWN", "markers": []}],
                         "sampling_frequencies": {"COMMON_CRAWL": 0.927137103, "C4": 1.031133101, "GITHUB": 0.92,
                                                  "WIKIPEDIA": 2.176546915, "UNKNOWN": 0}}}


def test_dclm_sampling_groups_are_the_sources_each_read_its_frequency():
    blend, notes = dclm_blend(parse_text(json.dumps(RPJ, indent=1), "d.json", "json"), "d.json")
    assert [(e.name, e.repeat, e.weight) for e in blend.entries] == [
        ("COMMON_CRAWL", 0.927137103, None), ("C4", 1.031133101, None), ("GITHUB", 0.92, None),
        ("WIKIPEDIA", 2.176546915, None)]  # UNKNOWN (no markers, frequency 0) keeps nothing
    assert "checked as the 4 sampling groups of sampling_yaml" in notes[0].message


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["sampling_yaml"]["sampling_frequencies"].pop("C4"), "sampling group 'C4' has no sampling frequency"),
    (lambda d: d["sampling_yaml"].pop("sources"), "sampling_yaml has no sources list"),
    (lambda d: d["sampling_yaml"]["sources"][1].pop("markers"), "a sampling group needs source"),
])
def test_a_sampling_yaml_that_cannot_be_read_is_a_located_error(change, message):
    data = json.loads(json.dumps(RPJ))
    change(data)
    blend, problems = dclm_blend(parse_text(json.dumps(data, indent=1), "d.json", "json"), "d.json")
    assert blend is None and message in problems[0].message and problems[0].line is not None


def test_a_dataset_named_by_one_url_is_one_source():
    data = {"name": "dolma", "sources": "https://huggingface.co/datasets/allenai/dolma", "tokenized": True}
    blend, _ = dclm_blend(parse_text(json.dumps(data), "d.json", "json"), "d.json")
    assert [e.path for e in blend.entries] == ["https://huggingface.co/datasets/allenai/dolma"]


def test_the_sampling_groups_reach_the_rules_with_their_epochs(tmp_path, monkeypatch):
    import io

    from pytest_mixlint.cli import main

    (tmp_path / "rpj_original.json").write_text(json.dumps(RPJ, indent=1))
    (tmp_path / "mixlint.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: epochs, kind: max-epochs, max: 2}\n")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert main(["check", "--format", "json"], out) == 1
    (document,) = json.loads(out.getvalue())["documents"]
    assert {c["name"]: (c["domain"], c["epochs"]) for c in document["components"]} == {
        "COMMON_CRAWL": ("web", 0.927137103), "C4": ("web", 1.031133101), "GITHUB": ("code", 0.92),
        "WIKIPEDIA": ("encyclopedic", 2.176546915)}
    (result,) = document["results"]
    assert result["outcome"] == "failed" and "WIKIPEDIA" in result["message"]
