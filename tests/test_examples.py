"""The bundled examples give the outcomes examples/README.md promises."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from pytest_mixlint.report.json_report import schema

EXAMPLES = Path(__file__).parent.parent / "examples"

# (document, rule) -> outcome, as examples/README.md's table of expected outcomes states them.
EXPECTED = {
    ("mixes/llama-1.mixture.yaml", "min-code-share"): "failed",
    ("mixes/llama-1.mixture.yaml", "commercial-use-licences"): "failed",
    ("mixes/llama-1.mixture.yaml", "max-epochs"): "passed",
    ("mixes/llama-1.mixture.yaml", "source-diversity"): "passed",
    ("mixes/redpajama-1t.mixture.yaml", "min-code-share"): "failed",
    ("mixes/redpajama-1t.mixture.yaml", "commercial-use-licences"): "failed",
    ("mixes/redpajama-1t.mixture.yaml", "max-epochs"): "skipped",
    ("mixes/redpajama-1t.mixture.yaml", "source-diversity"): "failed",
    ("mixes/the-pile.mixture.yaml", "min-code-share"): "warned",
    ("mixes/the-pile.mixture.yaml", "commercial-use-licences"): "failed",
    ("mixes/the-pile.mixture.yaml", "max-epochs"): "passed",
    ("mixes/the-pile.mixture.yaml", "source-diversity"): "passed",
    ("mixes/gpt-3.mixture.yaml", "min-code-share"): "suppressed",
    ("mixes/gpt-3.mixture.yaml", "commercial-use-licences"): "failed",
    ("mixes/gpt-3.mixture.yaml", "max-epochs"): "warned",
    ("mixes/gpt-3.mixture.yaml", "source-diversity"): "passed",
    ("mixes/dolma-v1.6.mixture.json", "min-code-share"): "passed",
    ("mixes/dolma-v1.6.mixture.json", "commercial-use-licences"): "passed",
    ("mixes/dolma-v1.6.mixture.json", "source-diversity"): "failed",
    ("mixes/slimpajama-627b.mixture.toml", "min-code-share"): "warned",
    ("mixes/slimpajama-627b.mixture.toml", "commercial-use-licences"): "failed",
    ("mixes/slimpajama-627b.mixture.toml", "source-diversity"): "passed",
    ("hf-dataset/README.md", "min-code-share"): "passed",
    ("hf-dataset/README.md", "commercial-use-licences"): "passed",
    ("hf-dataset/README.md", "source-diversity"): "passed",
    ("hf-dataset-embedded/README.md", "min-code-share"): "passed",
    ("hf-dataset-embedded/README.md", "max-epochs"): "warned",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    pytester_dir = tmp_path_factory.mktemp("examples")
    shutil.copytree(EXAMPLES, pytester_dir, dirs_exist_ok=True)
    shutil.move(str(pytester_dir / "mixlint.yaml"), str(pytester_dir / "policy.yaml"))
    (pytester_dir / "pytest.ini").write_text("[pytest]\nmixlint_rules = policy.yaml\n")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "--mixlint-report=report.json"],
        cwd=pytester_dir, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 1, completed.stdout + completed.stderr  # some gates fail on purpose
    assert "Traceback" not in completed.stdout
    return json.loads((pytester_dir / "report.json").read_text())


def test_report_is_valid(report):
    jsonschema.validate(report, schema())
    assert len(report["documents"]) == 8


@pytest.mark.parametrize(("path", "rule"), list(EXPECTED))
def test_expected_outcome(report, path, rule):
    results = {(d["path"], r["rule"]): r for d in report["documents"] for r in d["results"]}
    assert results[(path, rule)]["outcome"] == EXPECTED[(path, rule)], results[(path, rule)]["message"]


def test_published_shares(report):
    shares = {(d["path"], c["name"]): c["share"] for d in report["documents"] for c in d["components"]}
    assert shares[("mixes/llama-1.mixture.yaml", "github")] == pytest.approx(0.045)
    assert shares[("mixes/redpajama-1t.mixture.yaml", "github")] == pytest.approx(59 / 1210, rel=1e-3)
    assert shares[("mixes/gpt-3.mixture.yaml", "common-crawl-filtered")] == pytest.approx(60 / 101, rel=1e-3)


def test_no_example_fails_to_load(report):
    for document in report["documents"]:
        assert all(r["rule"] != "mixlint-load" for r in document["results"]), document["path"]
