"""The pre-merge gate: compare against git revisions, baselines, CI output (GitHub annotations,
SARIF, Markdown, JUnit properties), the pre-commit hook and the example workflow."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from pytest_mixlint.cli import main

ROOT = Path(__file__).parent.parent
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

MIX = """\
mixlint: 1
name: mix
basis: weight
sources:
  - {{name: web, domain: web, weight: {web}, license: ODC-By-1.0}}
  - {{name: github, domain: code, weight: {code}, license: MIT}}
  - {{name: books, domain: books, weight: {books}, license: CC0-1.0}}
"""
POLICY = """\
mixlint-rules: 1
rules:
  - id: no-drift
    kind: compare
    against: git:main
    group_by: domain
    max_delta: {max_delta}
    why: a pull request must not move a domain by more than {max_delta} unnoticed
"""


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out), out.getvalue()


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}).stdout


@pytest.fixture
def two_commits(tmp_path, monkeypatch):
    """main holds code at 8%; the branch `change` lowers it to 3% (books take the rest)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "pytest.ini").write_text("[pytest]\nmixlint_rules = policy.yaml\n")
    (repo / "policy.yaml").write_text(POLICY.format(max_delta="2%"))
    (repo / "mix.mixture.yaml").write_text(MIX.format(web=80, code=8, books=12))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "main")
    git(repo, "checkout", "-q", "-b", "change")
    (repo / "mix.mixture.yaml").write_text(MIX.format(web=80, code=3, books=17))
    git(repo, "commit", "-q", "-am", "less code")
    monkeypatch.chdir(repo)
    return repo


# --- compare against git:REF -------------------------------------------------------------------------

def test_compare_against_main_fails_when_code_falls_from_8_to_3_percent(two_commits):
    status, out = run("check", "-q")
    assert status == 1
    assert "domain 'code' went from 8.0% to 3.0%, -5.0 pt (by weight) against git:main: more than 2.0 pt" in out
    table = out[out.index("git:main -> mix.mixture.yaml, shares by weight"):]
    assert re.search(r"code\s+8\.0%\s+3\.0%\s+-5\.0 pt\s+changed", table)


def test_compare_against_main_passes_within_its_bound(two_commits):
    (two_commits / "policy.yaml").write_text(POLICY.format(max_delta="6%"))
    status, out = run("check", "--format", "json")
    (result,) = json.loads(out)["documents"][0]["results"]
    assert status == 0 and result["message"] == "2 of 3 domains changed against git:main (by weight), at most 5.0 pt"
    assert [(c["group"], c["status"]) for c in result["comparison"]["changes"]] == [
        ("books", "changed"), ("code", "changed"), ("web", "same")]


def test_diff_against_a_revision_prints_the_rules_table(two_commits):
    status, out = run("diff", "mix.mixture.yaml", "git:main", "--group-by", "domain")
    assert status == 0
    _, rule_out = run("check", "-q")
    # The same title and rows as the rule's failure, indented there.
    table = [line.strip() for line in out.strip().splitlines()]
    assert all(line in [x.strip() for x in rule_out.splitlines()] for line in table if line)


def test_a_missing_revision_is_a_located_error_with_the_fix(two_commits):
    (two_commits / "policy.yaml").write_text(POLICY.format(max_delta="2%").replace("git:main", "git:origin/main"))
    status, out = run("check", "-q")
    assert status == 1
    assert "cannot compare against git:origin/main: git revision 'origin/main' not found" in out
    assert "this clone has 'main': write git:main" in out
    (two_commits / "policy.yaml").write_text(POLICY.format(max_delta="2%").replace("git:main", "git:release"))
    status, out = run("check", "-q")
    assert "git fetch origin release:refs/remotes/origin/release" in out


def test_a_shallow_clone_names_fetch_depth(two_commits, tmp_path, monkeypatch):
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "change", f"file://{two_commits}", str(clone))
    monkeypatch.chdir(clone)
    status, out = run("check", "-q")
    assert status == 1 and "is not in this clone, which is shallow" in out and "fetch-depth: 0" in out


def test_a_document_new_since_the_revision_says_so(two_commits):
    shutil.copy(two_commits / "mix.mixture.yaml", two_commits / "new.mixture.yaml")
    status, out = run("check", "-q", "new.mixture.yaml")
    assert status == 1 and "new.mixture.yaml does not exist at main" in out and "ignore: [{rule: RULE-ID" in out


def test_pytest_gives_the_same_result_and_the_table(two_commits):
    result = subprocess.run([sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "-q"],
                            cwd=two_commits, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert "git:main -> mix.mixture.yaml, shares by weight" in result.stdout
    assert "FAILED mix.mixture.yaml::no-drift" in result.stdout


# --- baselines ---------------------------------------------------------------------------------------

BASELINE_POLICY = """\
mixlint-rules: 1
rules:
  - {id: min-code, kind: share, select: {domain: code}, min: 5%}
  - {id: licences, kind: license-mix, deny: [non-commercial]}
"""


@pytest.fixture
def adopted(tmp_path, monkeypatch):
    """A repository that already fails two rules, and its baseline."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nmixlint_rules = policy.yaml\n")
    (tmp_path / "policy.yaml").write_text(BASELINE_POLICY)
    (tmp_path / "mix.mixture.yaml").write_text(textwrap.dedent("""\
        mixlint: 1
        sources:
          - {name: web, domain: web, weight: 95.5, license: ODC-By-1.0}
          - {name: github, domain: code, weight: 4.5, license: cc-by-nc-4.0}
    """))
    monkeypatch.chdir(tmp_path)
    assert run("check", "-q", "--write-baseline", "baseline.json")[0] == 1  # writing changes no outcome
    return tmp_path


def test_the_baseline_file_is_sorted_stable_json(adopted):
    data = json.loads((adopted / "baseline.json").read_text())
    assert data["mixlint_baseline"] == 1
    assert [f["rule"] for f in data["findings"]] == ["licences", "min-code"]
    assert "code share #% (by weight) is below #%" in data["findings"][1]["message"]
    first = (adopted / "baseline.json").read_text()
    run("check", "-q", "--write-baseline", "baseline.json")
    assert (adopted / "baseline.json").read_text() == first


def test_recorded_findings_pass_as_baselined(adopted):
    status, out = run("check", "-q", "--baseline", "baseline.json")
    assert status == 0 and "0 failed" in out and "2 baselined" in out


def test_recorded_findings_survive_moved_lines_and_new_numbers(adopted):
    text = (adopted / "mix.mixture.yaml").read_text().replace("95.5", "95.6").replace("4.5,", "4.4,")
    (adopted / "mix.mixture.yaml").write_text("# a comment\n# another one\n" + text)
    status, out = run("check", "-q", "--baseline", "baseline.json")
    assert status == 0 and "2 baselined" in out


def test_a_new_finding_fails(adopted):
    text = (adopted / "mix.mixture.yaml").read_text()
    (adopted / "mix.mixture.yaml").write_text(text + "  - {name: papers, domain: academic, weight: 1, license: cc-by-nc-sa-4.0}\n")
    status, out = run("check", "-q", "--baseline", "baseline.json", "--format", "json")
    results = {r["rule"]: r for r in json.loads(out)["documents"][0]["results"]}
    assert status == 1
    assert results["min-code"]["outcome"] == "baselined"
    assert results["licences"]["outcome"] == "failed" and "'papers'" in results["licences"]["message"]


def test_fixed_findings_are_stale_and_fail_under_strict(adopted, capsys):
    (adopted / "mix.mixture.yaml").write_text((adopted / "mix.mixture.yaml").read_text().replace("cc-by-nc-4.0", "MIT"))
    status, out = run("check", "-q", "--baseline", "baseline.json", "--format", "json")
    assert status == 0 and json.loads(out)["stale_baseline"][0]["rule"] == "licences"
    assert "stale baseline entry: mix.mixture.yaml: [licences]" in capsys.readouterr().err
    assert run("check", "-q", "--baseline", "baseline.json", "--strict")[0] == 1


def test_pytest_reads_and_writes_the_same_baseline(adopted):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    base = [sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "-q"]
    written = subprocess.run(base + ["--mixlint-write-baseline=from-pytest.json"], cwd=adopted, capture_output=True,
                             text=True, env=env)
    assert written.returncode == 1 and "baseline written to from-pytest.json: 2 findings" in written.stdout
    assert (adopted / "from-pytest.json").read_text() == (adopted / "baseline.json").read_text()
    accepted = subprocess.run(base + ["--mixlint-baseline=baseline.json"], cwd=adopted, capture_output=True, text=True,
                              env=env)
    assert accepted.returncode == 0, accepted.stdout
    assert "0 failed" in accepted.stdout and "2 baselined" in accepted.stdout


@pytest.mark.parametrize(("content", "message"), [
    ("{", "baseline.json:1: the baseline is not JSON"),
    ('{"findings": []}', "not a mixlint baseline"),
    ('{"mixlint_baseline": 1, "findings": [\n  {"rule": "x"}\n]}', "baseline.json:2: baseline entry 1 needs path, rule and message"),
])
def test_a_bad_baseline_is_a_configuration_error(adopted, capsys, content, message):
    (adopted / "baseline.json").write_text(content)
    assert run("check", "--baseline", "baseline.json")[0] == 2
    assert message in capsys.readouterr().err


# --- CI output ---------------------------------------------------------------------------------------

def _parse_workflow_commands(text: str) -> list[dict[str, str]]:
    """GitHub's parser, in short: ::NAME key=value,key=value::message, with %-escapes."""
    def unescape(value: str) -> str:
        return value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")

    commands = []
    for line in text.splitlines():
        match = re.fullmatch(r"::(error|warning) ([^:]*)::(.*)", line)
        assert match, f"not a workflow command: {line!r}"
        properties = dict(part.split("=", 1) for part in match.group(2).split(","))
        commands.append({"level": match.group(1), **{k: unescape(v) for k, v in properties.items()},
                         "message": unescape(match.group(3))})
    return commands


def test_github_annotations_parse_back_to_the_findings(two_commits):
    text = (two_commits / "mix.mixture.yaml").read_text().replace("name: books", 'name: "b,o%o:ks\\nx"')
    (two_commits / "mix.mixture.yaml").write_text(text)
    (two_commits / "policy.yaml").write_text(BASELINE_POLICY.replace("min: 5%", "min: 5%, severity: warning"))
    status, out = run("check", "--format", "github")
    commands = _parse_workflow_commands(out)
    assert status == 0
    assert {"level": "warning", "file": "mix.mixture.yaml", "line": "6", "title": "min-code",
            "message": "code share 3.0% (by weight) is below 5.0%"} in commands


def test_github_annotations_escape_what_would_end_a_command(tmp_path, monkeypatch):
    (tmp_path / "m.mixture.yaml").write_text('mixlint: 1\nsources:\n  - {name: "a%b\\n::error::fake", weight: 1, license: cc-by-nc-4.0}\n')
    monkeypatch.chdir(tmp_path)
    status, out = run("check", "--rules", "mixlint:commercial", "--format", "github")
    assert status == 1 and len(out.splitlines()) == len(_parse_workflow_commands(out))
    assert any("'a%b\\n::error::fake'" in c["message"] or "a%b" in c["message"] for c in _parse_workflow_commands(out))
    assert "\n::error::fake" not in out


def _sarif_schema() -> dict:
    for folder in (ROOT.parent / "shared" / "schemas", *(p / "shared" / "schemas" for p in ROOT.parents)):
        if (folder / "sarif-schema-2.1.0.json").is_file():
            return json.loads((folder / "sarif-schema-2.1.0.json").read_text())
    pytest.skip("../shared/schemas/sarif-schema-2.1.0.json (the OASIS schema) is not beside this checkout")


def test_sarif_is_valid_and_located(two_commits):
    (two_commits / "policy.yaml").write_text(POLICY.format(max_delta="2%") + BASELINE_POLICY.split("rules:\n")[1])
    status, out = run("check", "--format", "sarif")
    sarif = json.loads(out)
    jsonschema.validate(sarif, _sarif_schema())
    (tool_run,) = sarif["runs"]
    rules = {rule["id"]: rule for rule in tool_run["tool"]["driver"]["rules"]}
    assert rules["no-drift"]["help"]["text"].startswith("a pull request must not move a domain")
    assert rules["no-drift"]["properties"]["origin"] == "policy.yaml:3"
    located = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"].get("region", {}).get("startLine")) for r in tool_run["results"]}
    assert ("min-code", "mix.mixture.yaml", 6) in located and ("no-drift", "mix.mixture.yaml", 6) in located
    assert all(r["partialFingerprints"]["mixlintFinding/v1"] for r in tool_run["results"])
    assert tool_run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")


def test_pytest_writes_sarif_markdown_and_junit_properties(two_commits):
    result = subprocess.run([sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "-q",
                             "--mixlint-report=out.sarif", "--mixlint-report=out.md", "--junitxml=junit.xml",
                             "--mixlint-format=github"],
                            cwd=two_commits, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert "::error file=mix.mixture.yaml,line=6,title=no-drift::domain 'code' went from 8.0%25 to 3.0%25" in result.stdout
    jsonschema.validate(json.loads((two_commits / "out.sarif").read_text()), _sarif_schema())
    markdown = (two_commits / "out.md").read_text()
    assert markdown.splitlines()[2].startswith("❌ 1 document: **1** failed")
    assert "```mermaid\npie title Shares by weight" in markdown and '"books" : 17.00' in markdown
    assert "| code     | 8.0%     | 3.0%    | -5.0 pt  | changed  |" in markdown
    case = ET.parse(two_commits / "junit.xml").find(".//testcase")
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties == {"severity": "error", "outcome": "failed", "observed": "0.05", "threshold": "0.02", "unit": "share"}


# --- integrations ------------------------------------------------------------------------------------

def test_the_pre_commit_hook_checks_the_changed_documents(two_commits):
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "mixlint" and hook["language"] == "python" and hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    assert all(pattern.search(p) for p in ("mix.mixture.yaml", "data/README.md", "a/mixture.toml", "mixlint.yaml"))
    assert not any(pattern.search(p) for p in ("data/train.yaml", "README.md.bak", "docs/notes.md"))
    try:  # pre-commit's own validation of the file, where pre-commit is installed
        from pre_commit.clientlib import load_manifest
    except ImportError:
        pass
    else:
        load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    # What pre-commit runs when a changed file matches: the entry alone, with the hook's args.
    changed = git(two_commits, "diff", "--name-only", "main").split()
    assert any(pattern.search(p) for p in changed)
    command = hook["entry"].split() + hook.get("args", [])
    completed = subprocess.run([sys.executable, "-m", "pytest_mixlint", *command[1:]], cwd=two_commits,
                               capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert command[:2] == ["mixlint", "check"] and completed.returncode == 1
    assert "against git:main: more than 2.0 pt" in completed.stdout


def test_the_example_workflow_runs_locally(two_commits, tmp_path):
    """The workflow's shell steps, in order, in a repository with two commits (the install step
    is this checkout; `uses:` steps are GitHub's)."""
    workflow = yaml.safe_load((ROOT / "examples" / "github-actions" / "mixlint.yml").read_text())
    (job,) = workflow["jobs"].values()
    assert job["steps"][0]["with"]["fetch-depth"] == 0
    summary = tmp_path / "summary.md"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    statuses = {}
    for step in job["steps"]:
        if "run" not in step or step["run"].startswith("pip install"):
            continue
        completed = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=two_commits,
                                   capture_output=True, text=True, env=env)
        statuses[step["name"]] = (completed.returncode, completed.stdout)
    assert statuses["Gate the mix"][0] == 1 and "::error file=mix.mixture.yaml" in statuses["Gate the mix"][1]
    assert statuses["Summary"][0] == 0 and "| code " in summary.read_text()
    assert (two_commits / "mixlint.sarif").is_file()
    # A repository that already fails a rule adopts the gate with a baseline (written once,
    # committed): the same run passes. (A compare rule's findings are never baselined.)
    (two_commits / "policy.yaml").write_text(POLICY.format(max_delta="6%") + BASELINE_POLICY.split("rules:\n")[1])
    assert run("check", "-q")[0] == 1
    run("check", "-q", "--write-baseline", "mixlint-baseline.json")
    gate = next(s for s in job["steps"] if s.get("name") == "Gate the mix")
    completed = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", gate["run"]], cwd=two_commits,
                               capture_output=True, text=True, env=env)
    assert completed.returncode == 0, completed.stdout


def test_a_partly_baselined_result_leaves_no_stale_entry(adopted, capsys):
    """A result with a recorded finding and a new one fails on the new one; the recorded one is
    still found, so it is not stale."""
    text = (adopted / "mix.mixture.yaml").read_text()
    (adopted / "mix.mixture.yaml").write_text(text + "  - {name: papers, domain: academic, weight: 1, license: cc-by-nc-sa-4.0}\n")
    status, out = run("check", "-q", "--baseline", "baseline.json", "--format", "json")
    report = json.loads(out)
    assert status == 1 and "stale_baseline" not in report
    assert "stale" not in capsys.readouterr().err
    (licences,) = [r for r in report["documents"][0]["results"] if r["rule"] == "licences"]
    assert "[1 more baselined in baseline.json]" in licences["message"] and len(licences["findings"]) == 1


def test_strict_fails_a_new_warning_beside_baselined_errors(adopted):
    (adopted / "policy.yaml").write_text(BASELINE_POLICY.replace("min: 5%}", "min: 5%, warn_below: 50%}"))
    text = (adopted / "mix.mixture.yaml").read_text()
    assert run("check", "-q", "--baseline", "baseline.json")[0] == 0  # the code share is the recorded error
    (adopted / "mix.mixture.yaml").write_text(text.replace("weight: 4.5", "weight: 40"))  # now a warning only
    status, out = run("check", "-q", "--baseline", "baseline.json", "--strict")
    assert status == 1 and "min-code" in out


def test_only_what_the_run_looked_at_can_be_stale(adopted, capsys):
    (adopted / "mix.mixture.yaml").write_text((adopted / "mix.mixture.yaml").read_text().replace("cc-by-nc-4.0", "MIT"))
    assert run("check", "-q", "--baseline", "baseline.json", "--select", "min-code", "--strict")[0] == 0
    assert "stale" not in capsys.readouterr().err  # licences did not run: its entry is not judged
    (adopted / "mix.mixture.yaml").rename(adopted / "renamed.mixture.yaml")
    status, _ = run("check", "-q", "--baseline", "baseline.json", "--strict")
    err = capsys.readouterr().err
    assert status == 1 and "stale baseline entry: mix.mixture.yaml: [licences]" in err and "the run fails" in err


def test_writing_the_baseline_from_some_files_keeps_the_others(adopted, capsys):
    (adopted / "other.mixture.yaml").write_text("mixlint: 1\nsources:\n  - {name: web, domain: web, weight: 1, license: MIT}\n")
    run("check", "-q", "other.mixture.yaml", "--write-baseline", "baseline.json")
    # other.mixture.yaml's own finding, and the two of mix.mixture.yaml this run did not look at
    assert "baseline written to baseline.json: 3 findings" in capsys.readouterr().err
    assert run("check", "-q", "--baseline", "baseline.json")[0] == 0


def test_compare_findings_are_never_baselined(two_commits):
    run("check", "-q", "--write-baseline", "b.json")
    assert json.loads((two_commits / "b.json").read_text())["findings"] == []
    assert run("check", "-q", "--baseline", "b.json")[0] == 1


@pytest.mark.parametrize("content", ["<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> main\n"])
def test_a_baseline_with_conflict_markers_says_so(adopted, capsys, content):
    (adopted / "baseline.json").write_text(content)
    assert run("check", "--baseline", "baseline.json")[0] == 2
    assert "baseline.json:1: the baseline has merge-conflict markers" in capsys.readouterr().err


def test_no_name_can_start_a_line_of_text_output(two_commits):
    """In GitHub Actions' log a line starting with :: is a workflow command."""
    text = (two_commits / "mix.mixture.yaml").read_text().replace("name: books", 'name: "b\\n::error file=x::fake"')
    (two_commits / "mix.mixture.yaml").write_text(text)
    for argv in (["check"], ["check", "-v"], ["diff", "mix.mixture.yaml", "git:main"], ["show", "mix.mixture.yaml"]):
        _, out = run(*argv)
        assert not any(line.startswith("::") for line in out.splitlines()), argv
    result = subprocess.run([sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "-rA",
                             "--mixlint-format=github"], cwd=two_commits, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert commands and all(line.startswith(("::error file=mix.mixture.yaml,", "::warning file=mix.mixture.yaml,"))
                            for line in commands)


def test_the_baseline_and_reports_are_never_data(adopted):
    """A card whose data the Hub finds by its default patterns, with the baseline at the root."""
    (adopted / "mix.mixture.yaml").unlink()
    (adopted / "README.md").write_text("---\nlicense: mit\nconfigs:\n  - config_name: default\n---\n")
    (adopted / "data.jsonl").write_text('{"text": "hello"}\n')
    (adopted / "policy.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: d, kind: measured}\n")
    (adopted / "baseline.json").write_text('{"mixlint_baseline": 1, "findings": []}\n')
    status, out = run("check", "--baseline", "baseline.json", "--format", "json")
    (result,) = json.loads(out)["documents"][0]["results"]
    assert status == 0 and result["outcome"] == "passed", result["message"]


def test_git_reads_a_document_with_a_byte_order_mark(two_commits):
    (two_commits / "m.mixture.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(
        {"mixlint": 1, "sources": [{"name": "web", "weight": 1}]}).encode())
    git(two_commits, "add", "-A")
    git(two_commits, "commit", "-q", "-m", "json")
    status, out = run("diff", "m.mixture.json", "git:HEAD")
    assert status == 0 and "web" in out


def test_the_recipes_ship_with_the_package():
    from pytest_mixlint.against import recipe_names

    assert {"llama-1", "the-pile", "redpajama-1t", "dolma-1.7", "gpt-3"} <= set(recipe_names())
