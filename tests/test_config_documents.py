"""Training configs as documents (#11): the same rules on a Megatron script, a NeoX config, an
llm-foundry YAML, a manifest, through both front ends."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_mixlint.cli import main

ROOT = Path(__file__).parent.parent
REPO = Path(__file__).parent / "data" / "config-repo"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    shutil.copytree(REPO, tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    return tmp_path / "repo"


def check_json(*argv):
    out = io.StringIO()
    status = main(["check", "--format", "json", *argv], out)
    return status, json.loads(out.getvalue())


def test_the_same_rules_on_every_config_format_and_the_manifest(repo):
    status, report = check_json()
    documents = {d["path"]: d for d in report["documents"]}
    assert status == 1 and set(documents) == {"mix.mixture.yaml", "train/pretrain_1b.sh", "configs/neox/20b.yml",
                                              "yamls/mpt.yaml"}
    rules = {path: {r["rule"] for r in d["results"]} for path, d in documents.items()}
    assert len({frozenset(r) for r in rules.values()}) == 1  # the same rules everywhere
    script = {r["rule"]: r for r in documents["train/pretrain_1b.sh"]["results"]}
    assert script["min-code-share"]["outcome"] == "failed" and script["min-code-share"]["observed"] == pytest.approx(0.03)
    assert script["commercial-use"]["outcome"] == "failed" and "'books'" in json.dumps(script["commercial-use"])
    assert {c["name"]: c["share"] for c in documents["configs/neox/20b.yml"]["components"]} == {
        "web": pytest.approx(0.9), "starcoder": pytest.approx(0.1)}
    assert documents["yamls/mpt.yaml"]["kind"] == "config"


def test_pytest_gives_the_same_results(repo):
    _, ours = check_json()
    completed = subprocess.run([sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "-q",
                                "--mixlint-report=r.json"], cwd=repo, capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    theirs = json.loads((repo / "r.json").read_text())
    assert completed.returncode == 1 and ours["documents"] == theirs["documents"]
    assert "train/pretrain_1b.sh::min-code-share FAILED" in completed.stdout or \
        "FAILED train/pretrain_1b.sh::min-code-share" in completed.stdout


def test_what_a_script_cannot_say_is_a_located_error(repo):
    (repo / "train" / "pretrain_1b.sh").write_text("torchrun pretrain_gpt.py --data-path $BLEND\n")
    _, report = check_json("train/pretrain_1b.sh")
    (result,) = report["documents"][0]["results"]
    assert result["rule"] == "mixlint-load" and result["line"] == 1
    assert "--data-path: $BLEND is never set in the script" in result["message"]


def test_a_bad_format_in_the_ini_is_a_usage_error(repo, capsys):
    (repo / "pytest.ini").write_text("[pytest]\nmixlint_configs = train/*.sh = megatorn\n")
    out = io.StringIO()
    assert main(["check"], out) == 2
    assert "'megatorn' is no config format (did you mean 'megatron'?)" in capsys.readouterr().err
