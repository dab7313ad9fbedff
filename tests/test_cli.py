"""The ``mixlint`` command: every subcommand's success, failure and usage error, and the same
results as ``pytest --mixlint`` on the same repository."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from pytest_mixlint.cli import main
from pytest_mixlint.documents.syntax import parse_text, syntax_of

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out), out.getvalue()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository with a pytest.ini, two manifests (one failing the code-share rule) and a pack."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nmixlint_rules = policy.yaml\n")
    (tmp_path / "policy.yaml").write_text(textwrap.dedent("""\
        mixlint-rules: 1
        rules:
          - id: min-code-share
            kind: share
            select: {domain: code}
            min: 5%
            why: code helps reasoning
    """))
    (tmp_path / "good.mixture.yaml").write_text(textwrap.dedent("""\
        mixlint: 1
        name: good
        sources:
          - {name: web, weight: 90, license: mit}
          - {name: github, weight: 10, license: apache-2.0}
    """))
    (tmp_path / "mixes").mkdir()
    (tmp_path / "mixes" / "bad.mixture.yaml").write_text(textwrap.dedent("""\
        mixlint: 1
        name: bad
        sources:
          - {name: web, weight: 99, tokens: 990B, epochs: 1}
          - {name: github, weight: 1, tokens: 10B, epochs: 4}
    """))
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- check ----------------------------------------------------------------------------------------

def test_check_fails_naming_the_rule_and_the_line(repo, capsys):
    status, out = run("check")
    assert status == 1
    assert "mixes/bad.mixture.yaml:5: code share 1.0% (by weight) is below 5.0%" in out
    assert "why: code helps reasoning" in out
    assert "2 documents, 1 rule from policy.yaml: 1 passed, 1 failed" in out


def test_check_passes_with_exit_0(repo):
    status, out = run("check", "good.mixture.yaml")
    assert status == 0 and "1 document, 1 rule from policy.yaml: 1 passed, 0 failed" in out


def test_check_warnings_pass_unless_strict(repo):
    (repo / "policy.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: code, kind: share, select: {domain: code}, "
                                      "warn_below: 5%}\n")
    assert run("check", "mixes")[0] == 0
    assert run("check", "mixes", "--strict")[0] == 1


def test_check_json_is_the_report_format(repo):
    status, out = run("check", "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, json.loads((ROOT / "pytest_mixlint/data/report.schema.json").read_text()))
    assert status == 1 and report["totals"]["failed"] == 1 and [d["path"] for d in report["documents"]] == [
        "good.mixture.yaml", "mixes/bad.mixture.yaml"]


def test_check_markdown_to_a_file(repo):
    status, out = run("check", "--format", "markdown", "-o", "out/report.md")
    assert status == 1 and out == ""
    assert "# mixlint report" in (repo / "out" / "report.md").read_text()


def test_check_select_and_rules_flags(repo):
    status, out = run("check", "--rules", "mixlint:recommended", "--select", "license")
    assert status == 1 and "1 rule from mixlint:recommended" in out and "license-declared" in out
    assert "min-code-share" not in out


@pytest.mark.parametrize("argv, message", [
    (["check", "nowhere"], "nowhere: no such file or directory"),
    (["check", "--rules", "missing.yaml"], "rule pack 'missing.yaml' not found"),
    (["check", "--select", "nothing"], "no rule is selected (--select nothing"),
])
def test_check_usage_errors_exit_2(repo, capsys, argv, message):
    status, _ = run(*argv)
    assert status == 2 and message in capsys.readouterr().err


def test_an_unknown_ini_key_is_a_configuration_error(repo, capsys):
    (repo / "pytest.ini").write_text("[pytest]\nmixlint_rule = policy.yaml\n")
    assert run("check")[0] == 2
    err = capsys.readouterr().err
    assert "pytest.ini:2: unknown ini option 'mixlint_rule' (did you mean 'mixlint_rules'?)" in err


def test_an_unknown_flag_exits_2(repo, capsys):
    with pytest.raises(SystemExit) as raised:
        run("check", "--frobnicate")
    assert raised.value.code == 2


def test_check_gives_what_pytest_gives_on_the_examples(tmp_path, monkeypatch):
    """One repository, both front ends: the same documents, results and totals."""
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("*.py"))
    monkeypatch.chdir(tmp_path)
    status, out = run("check", "--rules", "examples/mixlint.yaml", "examples", "--format", "json", "--no-cache")
    ours = json.loads(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run([sys.executable, "-m", "pytest", "--mixlint", "--mixlint-rules", "examples/mixlint.yaml",
                                "examples", "-p", "no:cacheprovider", "-q", "--mixlint-report=p.json"],
                               cwd=tmp_path, env=env, capture_output=True, text=True)
    theirs = json.loads((tmp_path / "p.json").read_text())
    assert status == completed.returncode == 1
    assert ours["documents"] == theirs["documents"] and ours["totals"] == theirs["totals"]
    assert len(ours["documents"]) == 16


# --- show -----------------------------------------------------------------------------------------------

def test_show_prints_every_basis_a_document_has(repo):
    status, out = run("show", "mixes/bad.mixture.yaml")
    assert status == 0
    header = next(line for line in out.splitlines() if line.startswith("source"))
    for column in ("weight", "tokens", "epochs", "share by weight", "share by tokens", "share by tokens x epochs"):
        assert column in header
    github = next(line for line in out.splitlines() if line.startswith("github"))
    assert "1.0%" in github and "3.9%" in github  # 10B x 4 / (990B + 40B)


def test_show_the_llama_1_example():
    status, out = run("show", str(EXAMPLES / "mixes" / "llama-1.mixture.yaml"))
    assert status == 0 and "llama-1" in out and "share by bytes" in out and "github" in out


def test_show_json_is_the_report_format(repo):
    status, out = run("show", "mixes/bad.mixture.yaml", "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, json.loads((ROOT / "pytest_mixlint/data/report.schema.json").read_text()))
    (document,) = report["documents"]
    assert document["results"] == [] and {c["name"]: c["shares"]["tokens"] for c in document["components"]} == \
        {"web": 0.99, "github": 0.01}


def test_show_measured_adds_measured_columns(tmp_path, monkeypatch):
    shutil.copytree(EXAMPLES / "redpajama-tiny", tmp_path / "redpajama-tiny", ignore=shutil.ignore_patterns("*.py"))
    monkeypatch.chdir(tmp_path)
    status, out = run("show", "redpajama-tiny", "--measured", "--no-cache")
    assert status == 0
    assert "measured bytes" in out and "measured share by bytes" in out and "measured share by tokens" in out


def test_show_a_file_that_is_no_document_is_a_usage_error(repo, capsys):
    assert run("show", "policy.yaml")[0] == 2
    assert "no mixture manifest or dataset card in policy.yaml" in capsys.readouterr().err


def test_show_a_broken_document_fails_naming_its_line(repo, capsys):
    (repo / "broken.mixture.yaml").write_text("mixlint: 1\nsources:\n  - {name: a, weight: -1}\n")
    assert run("show", "broken.mixture.yaml")[0] == 1
    assert "broken.mixture.yaml:3" in capsys.readouterr().err


# --- diff -------------------------------------------------------------------------------------------------

def test_diff_shows_each_change(repo):
    status, out = run("diff", "good.mixture.yaml", "mixes/bad.mixture.yaml")
    assert status == 0 and "shares by weight" in out
    github = next(line for line in out.splitlines() if line.startswith("github"))
    assert "10.0%" in github and "1.0%" in github and "-9.0 pt" in github


def test_diff_json_names_added_and_removed_sources(repo):
    (repo / "new.mixture.yaml").write_text("mixlint: 1\nsources:\n  - {name: web, weight: 1}\n  - {name: math, weight: 1}\n")
    status, out = run("diff", "good.mixture.yaml", "new.mixture.yaml", "--format", "json")
    changes = {c["group"]: c["status"] for c in json.loads(out)["changes"]}
    assert status == 0 and changes == {"web": "changed", "github": "removed", "math": "added"}


def test_diff_without_a_common_basis_compares_each_side_on_its_own():
    status, out = run("diff", str(EXAMPLES / "mixes" / "llama-1.mixture.yaml"), str(EXAMPLES / "mixes" / "redpajama-1t.mixture.yaml"))
    assert status == 0 and "shares by weight -> tokens" in out  # a sampling recipe against a corpus


def test_diff_on_a_basis_one_side_lacks_is_a_usage_error(capsys):
    status, _ = run("diff", "recipe:llama-1", "recipe:redpajama-1t", "--by", "tokens")
    assert status == 2 and "no shares by tokens" in capsys.readouterr().err


# --- explain, rules, schema --------------------------------------------------------------------------------

def test_explain_a_rule(repo):
    status, out = run("explain", "min-code-share")
    assert status == 0 and "kind share" in out and "defined at policy.yaml:3" in out and "min: 0.05" in out


def test_explain_a_kind(repo):
    status, out = run("explain", "license-mix")
    assert status == 0 and "kind license-mix" in out and "options:" in out


def test_explain_an_unknown_name_suggests_one(repo, capsys):
    assert run("explain", "min-code-shar")[0] == 2
    assert "did you mean 'min-code-share'?" in capsys.readouterr().err


def test_rules_lists_where_each_is_defined(repo):
    status, out = run("rules", "--rules", "mixlint:recommended")
    assert status == 0 and "license-declared" in out and "mixlint:recommended:" in out
    status, out = run("rules", "--format", "json")
    assert status == 0 and json.loads(out)["rules"][0]["origin"] == "policy.yaml:3"


def test_rules_with_a_broken_pack_exits_2(repo, capsys):
    (repo / "policy.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: x, kind: nope}\n")
    assert run("rules")[0] == 2
    assert "policy.yaml:3: unknown rule kind 'nope'" in capsys.readouterr().err


def _examples(pattern):
    return sorted(path for path in EXAMPLES.rglob(pattern))


def test_the_manifest_schema_accepts_every_example_and_refuses_a_typo():
    status, out = run("schema", "manifest")
    schema = json.loads(out)
    manifests = _examples("*.mixture.*")
    assert status == 0 and len(manifests) >= 6
    for path in manifests:
        jsonschema.validate(parse_text(path.read_text(), str(path), syntax_of(path.name)).data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"mixlint": 1, "sources": [{"name": "a", "wieght": 1}]}, schema)


def test_the_rules_schema_accepts_every_pack_and_refuses_a_bad_option():
    status, out = run("schema", "rules")
    schema = json.loads(out)
    packs = [EXAMPLES / "mixlint.yaml", *sorted((ROOT / "pytest_mixlint" / "rules").glob("*.yaml"))]
    for path in packs:
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    bad = {"mixlint-rules": 1, "rules": [{"id": "x", "kind": "share", "select": {"domain": "code"}, "minimum": 0.1}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    override = {"mixlint-rules": 1, "rules": [{"id": "min-code-share", "severity": "warning"}]}
    jsonschema.validate(override, schema)


def test_the_report_schema_is_the_shipped_one():
    assert json.loads(run("schema", "report")[1]) == json.loads((ROOT / "pytest_mixlint/data/report.schema.json").read_text())


# --- the command itself -----------------------------------------------------------------------------------

def test_python_dash_m_runs_the_command(repo):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run([sys.executable, "-m", "pytest_mixlint", "check", "good.mixture.yaml"], cwd=repo, env=env,
                               capture_output=True, text=True)
    assert completed.returncode == 0 and "1 passed" in completed.stdout


def test_every_subcommand_has_help():
    for command in ("check", "show", "diff", "explain", "rules", "import", "schema"):
        with pytest.raises(SystemExit) as raised:
            run(command, "--help")
        assert raised.value.code == 0


@pytest.mark.parametrize(("imported", "heavy"), [
    # pytest imports the plugin in every run: it must bring none of the heavy libraries.
    ("pytest_mixlint.plugin", ("duckdb", "pyarrow", "datasets", "msgspec", "pydantic", "yaml", "jsonschema", "tabulate")),
    # With its flag, a run of declared rules never imports the scan engines.
    ("pytest, pytest_mixlint.pytest_session", ("duckdb", "pyarrow", "datasets", "zstandard", "tokenizers")),
])
def test_the_plugin_imports_only_what_it_needs(imported, heavy):
    code = f"import sys, {imported}; print([m for m in {heavy!r} if m in sys.modules])"
    completed = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)},
                               capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


def test_show_a_recipe(capsys):
    status, out = run("show", "recipe:dolma-1.7")
    assert status == 0 and out.startswith("recipe:dolma-1.7 (manifest: dolma-1.7)")
    assert "starcoder" in out and "share by tokens x epochs" in out
    assert run("show", "recipe:dolma")[0] == 2 and "did you mean recipe:dolma-1.7?" in capsys.readouterr().err
