"""configs/streaming.py: llm-foundry / MosaicML Streaming streams, as real YAML writes them."""

from __future__ import annotations

import json
import textwrap

import pytest

from pytest_mixlint.configs.streaming import index_samples, streaming_blend
from pytest_mixlint.documents.syntax import parse_text

FOUNDRY = """\
    variables:
      data_remote: s3://bucket/mix
    train_loader:
      name: text
      dataset:
        streams:
          web:
            remote: s3://bucket/mix/web
            local: mds/web
            {web}
          code:
            remote: s3://bucket/mix/code
            local: mds/code
            {code}
        shuffle: true
        max_seq_len: 2048
    eval_loader:
      name: text
      dataset: {{remote: s3://bucket/val}}
"""


def mds(folder, *samples):
    folder.mkdir(parents=True)
    (folder / "index.json").write_text(json.dumps({"version": 2, "shards": [
        {"samples": n, "raw_data": {"basename": f"shard.{i:05d}.mds"}} for i, n in enumerate(samples)]}))


def blend_of(text, tmp_path):
    parsed = parse_text(textwrap.dedent(text), "yamls/train.yaml", "yaml")
    return streaming_blend(parsed, "yamls/train.yaml", str(tmp_path))


def shares(blend):
    return {e.name: None if e.weight is None else round(e.weight, 6) for e in blend.entries}


def test_proportions_are_normalised(tmp_path):
    blend, problems = blend_of(FOUNDRY.format(web="proportion: 0.9", code="proportion: 0.3"), tmp_path)
    assert problems == [] and shares(blend) == {"web": 0.75, "code": 0.25}
    assert [e.path for e in blend.entries] == ["s3://bucket/mix/web", "s3://bucket/mix/code"]
    assert [e.line for e in blend.entries] == [7, 11]


def test_repeat_and_choose_use_the_local_sample_counts(tmp_path):
    mds(tmp_path / "mds/web", 600, 400)  # 1,000 samples
    mds(tmp_path / "mds/code", 250)
    blend, problems = blend_of(FOUNDRY.format(web="repeat: 1", code="repeat: 2"), tmp_path)
    assert problems == [] and shares(blend) == {"web": 0.666667, "code": 0.333333}
    assert [e.repeat for e in blend.entries] == [1, 2]
    blend, _ = blend_of(FOUNDRY.format(web="choose: 500", code="choose: 500"), tmp_path)
    assert shares(blend) == {"web": 0.5, "code": 0.5} and [e.repeat for e in blend.entries] == [0.5, 2.0]


def test_natural_proportions_need_the_data(tmp_path):
    blend, problems = blend_of(FOUNDRY.format(web="", code=""), tmp_path)
    assert problems == [] and shares(blend) == {"web": None, "code": None}  # unknown, not 50/50
    mds(tmp_path / "mds/web", 300)
    mds(tmp_path / "mds/code", 100)
    blend, _ = blend_of(FOUNDRY.format(web="", code=""), tmp_path)
    assert shares(blend) == {"web": 0.75, "code": 0.25}


@pytest.mark.parametrize(("web", "code", "message"), [
    ("proportion: 0.5", "repeat: 2", "streams mix proportion with repeat or choose"),
    ("proportion: 0.5", "", "streams mix proportion"),
    ("proportion: 0.5\n            repeat: 2", "proportion: 0.5", "gives proportion and repeat"),
    ("proportion: lots", "proportion: 0.5", "proportion must be a number >= 0"),
])
def test_what_streaming_refuses_is_located(tmp_path, web, code, message):
    blend, problems = blend_of(FOUNDRY.format(web=web, code=code), tmp_path)
    assert blend is None and message in problems[0].message and problems[0].line is not None


def test_a_config_without_streams_and_an_unreadable_index(tmp_path):
    assert blend_of("train_loader:\n  name: text\n", tmp_path) == (None, [])
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "index.json").write_text("{not json")
    assert index_samples(str(tmp_path / "broken")) is None


def test_llm_foundry_variables_are_filled_in_as_omegaconf_would(tmp_path):
    """llm-foundry YAMLs name their paths and proportions in a `variables:` section."""
    from pytest_mixlint.configs.load import load_config
    from pytest_mixlint.documents.model import ConfigReading

    (tmp_path / "mpt.yaml").write_text(textwrap.dedent("""\
        variables:
          data_remote: s3://corpus
          code_prop: 0.3
          run_name: ${oc.env:RUN_NAME}   # left to the run: no problem, nothing reads it
        train_loader:
          dataset:
            streams:
              web: {remote: "${variables.data_remote}/cc", proportion: 0.7}
              code:
                remote: ${variables.data_remote}/starcoder
                proportion: ${variables.code_prop}
              math: {remote: "${oc.env:MATH_REMOTE,s3://corpus/math}", proportion: 0.0}
        """))
    (document,) = load_config(str(tmp_path / "mpt.yaml"), "mpt.yaml", ConfigReading("streaming"))
    assert {s.name: (s.data_files, round(s.weight, 6)) for s in document.mixture.sources} == {
        "web": (("s3://corpus/cc",), 0.7), "code": (("s3://corpus/starcoder",), 0.3), "math": (("s3://corpus/math",), 0.0)}


def test_an_interpolation_the_file_does_not_resolve_is_located(tmp_path):
    from pytest_mixlint.configs.load import load_config
    from pytest_mixlint.documents.model import ConfigReading
    from pytest_mixlint.problems import MixlintError

    text = "train_loader:\n  dataset:\n    streams:\n      web: {local: '${oc.env:DATA}/cc', proportion: 1}\n"
    (tmp_path / "mpt.yaml").write_text(text)
    with pytest.raises(MixlintError) as raised:
        load_config(str(tmp_path / "mpt.yaml"), "mpt.yaml", ConfigReading("streaming"))
    (problem,) = raised.value.problems
    assert problem.line == 4 and "local is ${oc.env:DATA}, a value the run is given" in problem.message
    (document,) = load_config(str(tmp_path / "mpt.yaml"), "mpt.yaml", ConfigReading("streaming", variables=(("DATA", "/d"),)))
    assert document.mixture.sources[0].data_files == ("/d/cc",)
