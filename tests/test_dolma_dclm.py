"""configs/dolma.py: Dolma mixer configs and DCLM tokenized-dataset JSON."""

from __future__ import annotations

import json
import textwrap

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


def test_dclm_sources_repeated_are_upsampled_and_sampling_yaml_is_said(tmp_path):
    data = {"uuid": "x", "name": "dclm-mix", "sources": [{"uuid": "a", "name": "dclm-baseline"},
                                                         {"uuid": "b", "name": "starcoder"},
                                                         {"uuid": "b", "name": "starcoder"}],
            "tokenized": True, "num_tokens": 28710999849, "sampling_yaml": {"starcoder": 0.5}}
    text = json.dumps(data, indent=1)
    blend, notes = dclm_blend(parse_text(text, "d.json", "json"), "d.json")
    assert [(e.name, e.listed) for e in blend.entries] == [("dclm-baseline", 1), ("starcoder", 2)]
    assert "sampling_yaml is not read yet" in notes[0].message
    (tmp_path / "d.json").write_text(text)
    assert detect_format(str(tmp_path / "d.json")) == "dclm"
    (tmp_path / "mix.yaml").write_text(textwrap.dedent(MIXER))
    assert detect_format(str(tmp_path / "mix.yaml")) == "dolma"
