"""A curriculum (nanotron ``data_stages``) is one document per stage: items ``path::stage::rule``,
report documents with ``"stage"``, baselines keyed by stage, the CLI naming ``FILE::STAGE``."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from pytest_mixlint.cli import main
from pytest_mixlint.report.json_report import schema
from tests.test_config_documents import REPO, check_json

ROOT = Path(__file__).parent.parent

# Stable: code 0.1 of 0.1+0.6+0.2 = 11.1%; decay: 0.02 of 0.5 = 4%; the books stage is NC.
CURRICULUM = """\
general: {project: smol}
data_stages:
  - name: stable
    start_training_step: 1
    data:
      dataset:
        dataset_folder: [/data/starcoder, /data/cc, /data/cc-news]
        dataset_weights: [0.1, 0.6, 0.2]
  - name: decay
    start_training_step: 9000
    data:
      dataset:
        hf_dataset_or_datasets:
          /data/starcoder: 0.02
          /data/cc: 0.48
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """config-repo (as test_config_documents uses it) with a curriculum."""
    shutil.copytree(REPO, tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    (tmp_path / "repo" / "nanotron").mkdir()
    (tmp_path / "repo" / "nanotron" / "smol.yaml").write_text(CURRICULUM)
    return tmp_path / "repo"


def by_stage(report):
    return {d.get("stage"): d for d in report["documents"] if d["path"] == "nanotron/smol.yaml"}


def test_each_stage_is_a_document_with_its_own_shares(repo):
    status, report = check_json("nanotron")
    jsonschema.validate(report, schema())
    stages = by_stage(report)
    assert status == 1 and list(stages) == ["stable", "decay"]  # in the order the curriculum runs them
    shares = {stage: {c["name"]: c["share"] for c in d["components"]} for stage, d in stages.items()}
    assert shares["stable"] == {"starcoder": pytest.approx(0.1 / 0.9), "web": pytest.approx(0.8 / 0.9)}
    assert shares["decay"] == {"starcoder": pytest.approx(0.04), "web": pytest.approx(0.96)}
    code = {stage: {r["rule"]: r for r in d["results"]}["min-code-share"] for stage, d in stages.items()}
    assert code["stable"]["outcome"] == "passed" and code["decay"]["outcome"] == "failed"
    assert code["decay"]["line"] == 14  # at the stage's code source
    assert code["stable"]["line"] == 3  # a result about the whole stage: at the stage, not at the file's top


def test_pytest_items_are_path_stage_rule_and_give_the_same_report(repo):
    _, ours = check_json("nanotron")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run([sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "-rA",
                                "--mixlint-report=r.json", "nanotron"], cwd=repo, capture_output=True, text=True, env=env)
    assert "FAILED nanotron/smol.yaml::decay::min-code-share" in completed.stdout
    assert "PASSED nanotron/smol.yaml::stable::min-code-share" in completed.stdout
    assert json.loads((repo / "r.json").read_text())["documents"] == ours["documents"]
    # One stage, or one rule of one stage, by node id, as with any pytest item.
    one = subprocess.run([sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "-q",
                          "nanotron/smol.yaml::decay::min-code-share"], cwd=repo, capture_output=True, text=True, env=env)
    assert "1 failed in" in one.stdout


def test_a_broken_stage_is_an_error_and_the_other_stage_is_checked(repo):
    (repo / "nanotron" / "smol.yaml").write_text(CURRICULUM.replace("[0.1, 0.6, 0.2]", "[0.1, 0.6]"))
    _, report = check_json("nanotron")
    stages = by_stage(report)
    (load,) = stages["stable"]["results"]
    assert load["rule"] == "mixlint-load" and load["line"] == 8 and "holds 2 weights for the 3 dataset_folder entries" in load["message"]
    assert {r["rule"]: r["outcome"] for r in stages["decay"]["results"]}["min-code-share"] == "failed"


def test_a_baselined_finding_belongs_to_its_stage(repo):
    """Accepting the decay stage's findings accepts nothing of the stable stage."""
    main(["check", "nanotron", "--write-baseline", "base.json"], io.StringIO())
    entries = json.loads((repo / "base.json").read_text())["findings"]
    assert entries and {e.get("stage") for e in entries} <= {"stable", "decay"}
    assert any(e["stage"] == "decay" and e["rule"] == "min-code-share" for e in entries)
    # The stable stage now loses its code the same way: its finding is new, not baselined.
    (repo / "nanotron" / "smol.yaml").write_text(CURRICULUM.replace("[0.1, 0.6, 0.2]", "[0.01, 0.6, 0.2]"))
    status, report = check_json("nanotron", "--baseline", "base.json")
    code = {stage: {r["rule"]: r for r in d["results"]}["min-code-share"] for stage, d in by_stage(report).items()}
    assert status == 1 and code["decay"]["outcome"] == "baselined" and code["stable"]["outcome"] == "failed"


def test_ci_annotations_name_the_stage(repo):
    out = io.StringIO()
    main(["check", "nanotron", "--format", "github"], out)
    assert "title=min-code-share::stage decay: code share 4.0%25" in out.getvalue()


def test_the_cli_names_one_stage_as_pytest_does(repo, capsys):
    out = io.StringIO()
    assert main(["show", "nanotron/smol.yaml::decay"], out) == 0
    assert out.getvalue().startswith("nanotron/smol.yaml::decay (config: smol)") and "stable" not in out.getvalue()
    assert main(["show", "nanotron/smol.yaml::warmup"], io.StringIO()) == 2
    assert "nanotron/smol.yaml has no stage 'warmup'; its stages: stable, decay" in capsys.readouterr().err
    out = io.StringIO()
    assert main(["diff", "nanotron/smol.yaml::stable", "nanotron/smol.yaml::decay"], out) == 0
    assert "nanotron/smol.yaml::stable -> nanotron/smol.yaml::decay" in out.getvalue()
    assert main(["diff", "nanotron/smol.yaml", "mix.mixture.yaml"], io.StringIO()) == 2  # which stage?


def test_import_writes_one_stage(repo, capsys):
    assert main(["import", "nanotron/smol.yaml"], io.StringIO()) == 2
    assert "holds 2 stages: import one at a time, naming it (nanotron/smol.yaml::stable" in capsys.readouterr().err
    out = io.StringIO()
    assert main(["import", "nanotron/smol.yaml::decay"], out) == 0
    text = out.getvalue()
    assert "(nanotron format, stage decay)" in text and 'name: "smol (decay)"' in text and "weight: 4%" in text


# --- a config against its own past (compare against git:REF) ---------------------------------------------

POLICY = """\
mixlint-rules: 1
rules:
  - id: code-drift
    kind: compare
    against: git:main
    group_by: domain
    max_delta: 3%
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}).stdout


@pytest.fixture
def history(repo):
    """main: the curriculum and a launch script; the branch lowers the decay stage's code share
    and the script's (each source named by the catalogue at both revisions)."""
    (repo / "mixlint.yaml").write_text(POLICY)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "main")
    git(repo, "checkout", "-q", "-b", "change")
    smol = repo / "nanotron" / "smol.yaml"
    smol.write_text(smol.read_text().replace("/data/starcoder: 0.02\n          /data/cc: 0.48",
                                             "/data/starcoder: 0.0\n          /data/cc: 0.5"))
    return repo


def test_each_stage_is_compared_with_the_same_stage_at_the_revision(history):
    _, report = check_json("nanotron")
    drift = {stage: d["results"][0] for stage, d in by_stage(report).items()}
    assert drift["stable"]["outcome"] == "passed"
    assert drift["decay"]["outcome"] == "failed"
    assert "domain 'code' went from 4.0% to 0.0%, -4.0 pt (by weight) against git:main" in drift["decay"]["message"]


def test_a_launch_script_is_compared_through_the_catalogue(history):
    script = history / "train" / "pretrain_1b.sh"
    before = script.read_text()
    assert "0.03" in before  # starcoder's weight, as test_config_documents reads it
    script.write_text(before.replace("0.03", "0.33", 1))  # code: 0.33 of 1.30
    _, report = check_json("train/pretrain_1b.sh")
    (result,) = report["documents"][0]["results"]
    assert result["outcome"] == "failed" and "domain 'code' went from 3.0% to 25.4%" in result["message"]
    changes = {c["group"]: c["status"] for c in result["comparison"]["changes"]}
    assert changes["code"] == "changed" and "added" not in changes.values()  # names kept at both revisions


def test_a_stage_new_since_the_revision_says_so(history):
    smol = history / "nanotron" / "smol.yaml"
    smol.write_text(smol.read_text().replace("name: decay", "name: anneal"))
    _, report = check_json("nanotron")
    (result,) = by_stage(report)["anneal"]["results"]
    assert result["outcome"] == "error"
    assert "nanotron/smol.yaml at main has no stage 'anneal' (its stages: stable, decay)" in result["message"]


# --- the catalogue, over the whole run ------------------------------------------------------------------

def test_a_catalogue_entry_no_config_uses_is_reported_once_per_run(repo, capsys):
    """config-repo's catalogue: web, starcoder, books. Every config uses web and starcoder; only
    the launch script uses books, so books is unused only in a run without the script."""
    with open(repo / "mixlint.catalog.yaml", "a") as catalogue:
        catalogue.write("- {match: '*/arxiv/*', name: arxiv, domain: academic}\n")
    main(["check", "-q"], io.StringIO())
    said = capsys.readouterr().err
    assert "mixlint: mixlint.catalog.yaml:4: the entry matching */arxiv/* matches no data path of the 4 configs " \
           "checked with it (fix the pattern, or remove the entry)" in said
    assert "*/books/*" not in said
    main(["check", "-q", "nanotron"], io.StringIO())  # a part of the repository: the others were not looked at
    assert "matches no data path" not in capsys.readouterr().err


def test_pytest_reports_unused_entries_from_its_workers(repo):
    with open(repo / "mixlint.catalog.yaml", "a") as catalogue:
        catalogue.write("- {match: '*/arxiv/*', name: arxiv, domain: academic}\n")
    completed = subprocess.run([sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "-q", "-n", "2"],
                               cwd=repo, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "mixlint: mixlint.catalog.yaml:4: the entry matching */arxiv/* matches no data path of the 4 configs" \
        in completed.stdout


def test_unused_entries_are_not_judged_when_a_config_cannot_be_read(repo, capsys):
    """Only the launch script uses */books/*: when it cannot be read, books is not called unused."""
    script = repo / "train" / "pretrain_1b.sh"
    script.write_text(script.read_text().replace("--data-path $BLEND", "--data-path $(cat blend.txt)"))
    main(["check", "-q"], io.StringIO())
    assert "matches no data path" not in capsys.readouterr().err


def test_a_refused_stage_name_is_a_stage_of_its_own_by_place(repo):
    text = CURRICULUM.replace("name: decay", "name: stable")
    (repo / "nanotron" / "smol.yaml").write_text(text)
    _, report = check_json("nanotron")
    stages = by_stage(report)
    assert set(stages) == {"stable", "stage 2"}
    (load,) = stages["stage 2"]["results"]
    assert load["rule"] == "mixlint-load" and "a second stage named 'stable'" in load["message"]
    assert "mixlint-load" not in {r["rule"] for r in stages["stable"]["results"]}


def test_a_baseline_entry_of_a_renamed_stage_is_stale(repo):
    main(["check", "nanotron", "--write-baseline", "base.json"], io.StringIO())
    smol = repo / "nanotron" / "smol.yaml"
    smol.write_text(smol.read_text().replace("name: decay", "name: anneal"))
    err = io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(err):
        status = main(["check", "nanotron", "--baseline", "base.json", "--strict"], io.StringIO())
    assert status == 1
    assert "stale baseline entry: nanotron/smol.yaml::decay: [min-code-share]" in err.getvalue()


def test_check_names_one_stage_as_pytest_does(repo):
    _, report = check_json("nanotron/smol.yaml::stable")
    assert [(d["path"], d["stage"]) for d in report["documents"]] == [("nanotron/smol.yaml", "stable")]
    assert sum(report["totals"].values()) == len(report["documents"][0]["results"])
    status, report = check_json("nanotron/smol.yaml::decay::min-code-share")
    assert status == 1 and [d["stage"] for d in report["documents"]] == ["decay"]
