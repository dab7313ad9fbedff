"""End to end: a repository, `pytest --mixlint`, and what the user sees."""

from __future__ import annotations

import importlib
import json
import stat
import textwrap

import jsonschema
import pytest

from pytest_mixlint.report.json_report import schema

LLAMA = """
mixlint: 1
name: llama-1
description: LLaMA-1 pretraining mix (Touvron et al. 2023, Table 1)
sources:
  - name: commoncrawl
    weight: 67
    epochs: 1.10
    license: ODC-By-1.0
  - name: github
    domain: code
    weight: 4.5
    epochs: 0.64
    license: MIT OR Apache-2.0
  - name: books
    weight: 28.5
    epochs: 5
    license: cc-by-nc-4.0
"""

POLICY = """
mixlint-rules: 1
rules:
  - id: min-code-share
    kind: share
    select: {domain: code}
    min: 10%
    why: Code in pretraining data supports reasoning (Codex, LLaMA recipe).
  - id: max-epochs
    kind: max-epochs
    max: 8
    warn_above: 4
  - id: no-nc
    kind: license-mix
    deny: [non-commercial]
"""


def put(pytester, name, text):
    path = pytester.path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(pytester):
    put(pytester, "mixes/llama.mixture.yaml", textwrap.dedent(LLAMA).lstrip())
    put(pytester, "mixlint.yaml", textwrap.dedent(POLICY).lstrip())
    return pytester


def run(pytester, *args):
    return pytester.runpytest("-p", "no:randomly", "--mixlint", *args)


def test_items_and_failure_text(repo):
    result = run(repo, "-rA")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*mixes/llama.mixture.yaml:9: code share 4.5% (by weight) is below 10.0%",
        "*sources: github 4.5%",
        "*why: Code in pretraining data supports reasoning (Codex, LLaMA recipe).",
        "*rule: min-code-share (kind share, severity error) from mixlint.yaml:3",
        "*mixes/llama.mixture.yaml:17: source 'books': licence 'CC-BY-NC-4.0' (non-commercial) is denied",  # its license: line
    ])
    result.stdout.fnmatch_lines(["*FAILED mixes/llama.mixture.yaml::min-code-share*",
                                 "*FAILED mixes/llama.mixture.yaml::no-nc*"])
    assert "Traceback" not in result.stdout.str()


def test_warnings_pass_and_are_summarised_strict_fails_them(repo):
    result = run(repo, "-k", "max-epochs")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*= mixlint =*", "*warnings (these pass*",
                                 "*mixes/llama.mixture.yaml:14: [[]max-epochs[]] source 'books' is repeated 5 epochs, above the warning level 4"])
    strict = run(repo, "-k", "max-epochs", "--mixlint-strict")
    strict.assert_outcomes(failed=1)


def test_strict_from_ini(repo):
    repo.makeini("[pytest]\nmixlint_strict = true\n")
    run(repo, "-k", "max-epochs").assert_outcomes(failed=1)


def test_marker_and_k_selection(repo):
    run(repo, "-m", "mixlint", "-k", "min-code").assert_outcomes(failed=1)
    run(repo, "-m", "not mixlint").assert_outcomes()


def test_select_and_ignore_prefixes(repo):
    run(repo, "--mixlint-select", "min-,max").assert_outcomes(passed=1, failed=1)
    run(repo, "--mixlint-ignore=min-code,no").assert_outcomes(passed=1)


def test_without_flag_nothing_is_collected(repo):
    repo.runpytest().assert_outcomes()


def test_composition_and_results_in_the_summary(repo):
    result = run(repo)
    result.stdout.fnmatch_lines([
        "*= mixlint =*",
        "mixes/llama.mixture.yaml (manifest: llama-1)",
        "source*domain*licence*category*share by weight",
        "commoncrawl*web*ODC-By-1.0*permissive*67.0%",
        "books*CC-BY-NC-4.0*non-commercial*28.5%",
        "github*code*MIT OR Apache-2.0*permissive*4.5%",
        "rule*outcome*observed*threshold*message",
        "max-epochs*warned*5 epochs*4 epochs*",
        "min-code-share*failed*4.5%*10.0%*",
        "mixlint: 1 document, 3 rules from mixlint.yaml: 0 passed, 2 failed, 1 warned, 0 errors, 0 skipped, 0 suppressed",
    ])


def test_suppressed_is_xfail_with_reason(repo):
    put(repo, "mixes/llama.mixture.yaml", textwrap.dedent(LLAMA).lstrip()
                              + "ignore:\n  - rule: min-code-share\n    reason: code is added in stage 2\n")
    result = run(repo, "-rx", "-k", "min-code")
    result.assert_outcomes(xfailed=1)
    result.stdout.fnmatch_lines(["*XFAIL*min-code-share*suppressed at line 19: code is added in stage 2*"])


def test_unknown_ignore_is_noted(repo):
    put(repo, "mixes/llama.mixture.yaml", textwrap.dedent(LLAMA).lstrip()
                              + "ignore:\n  - rule: min-code-shar\n    reason: typo\n")
    result = run(repo)
    result.stdout.fnmatch_lines(["note: mixes/llama.mixture.yaml:19: ignore entry names unknown rule 'min-code-shar'*"])


def test_bad_document_is_a_failing_item_and_the_rest_still_runs(repo):
    put(repo, "mixes/broken.mixture.yaml", "mixlint: 1\nsources:\n  - name: a\n    wieght: 3\n")
    put(repo, "mixes/bad.mixture.json", '{"mixlint": 1, "sources": [}')
    repo.path.joinpath("mixes", "binary.mixture.toml").write_bytes(b"mixlint = 1\nname = \"\xff\"\n")
    result = run(repo)
    result.assert_outcomes(passed=1, failed=5)
    result.stdout.fnmatch_lines([
        "*mixes/broken.mixture.yaml:4: cannot be checked: unknown key 'wieght'",
        "*error: mixes/broken.mixture.yaml:4: unknown key 'wieght' (hint: did you mean 'weight'?)",
    ])
    result.stdout.fnmatch_lines(["*error: mixes/bad.mixture.json:1: invalid JSON*"])
    result.stdout.fnmatch_lines(["*error: mixes/binary.mixture.toml:2: invalid UTF-8*"])
    result.stdout.fnmatch_lines(["*FAILED mixes/broken.mixture.yaml::mixlint-load*"])
    assert "Traceback" not in result.stdout.str()


def test_card_readme_and_plain_readme(repo):
    put(repo, "README.md", "# A project\n\nNo front matter: not a dataset card.\n")
    put(repo, "data/README.md", "---\nlicense: mit\nlanguage: [en]\nsize_categories: [n<1K]\n"
                            "dataset_info:\n  splits:\n    - {name: train, num_bytes: 10, num_examples: 1}\n---\n# d\n")
    put(repo, "broken/README.md", "---\nlicense: mit\n")
    result = run(repo, "-v", "--mixlint-rules=mixlint:recommended")
    result.stdout.fnmatch_lines(["*data/README.md::card-fields PASSED*"])
    result.stdout.fnmatch_lines(["*broken/README.md::mixlint-load FAILED*"])
    assert "README.md::" not in result.stdout.str().replace("data/README.md::", "").replace("broken/README.md::", "")


def test_unusable_rules_are_a_usage_error(repo):
    put(repo, "mixlint.yaml", "mixlint-rules: 1\nrules:\n  - id: x\n    kind: shares\n")
    result = run(repo)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*the rules cannot be loaded:*", "*mixlint.yaml:4: unknown rule kind 'shares' (hint: did you mean 'share'?)"])


def test_rules_from_ini_and_command_line(repo):
    repo.makeini("[pytest]\nmixlint_rules =\n    mixlint:commercial\n")
    result = run(repo, "-k", "commercial")
    result.stdout.fnmatch_lines(["*licence 'CC-BY-NC-4.0' (non-commercial) is denied*"])
    result = run(repo, "--mixlint-rules", "mixlint:code", "-k", "code")
    result.stdout.fnmatch_lines(["*code share 4.5% (by weight) is below 5.0%*"])
    bad = run(repo, "--mixlint-rules", "mixlint:nope")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR


def test_manifest_patterns_and_domains_from_ini(repo):
    put(repo, "recipes/stage1.yaml", "mixlint: 1\nsources:\n  - {name: the-stack-v2, weight: 1}\n  - {name: web, weight: 9}\n")
    repo.makeini("[pytest]\nmixlint_manifests = recipes/*.yaml\nmixlint_domains =\n    the-stack* = code\n")
    result = run(repo, "-k", "min-code", "-v")
    result.stdout.fnmatch_lines(["*recipes/stage1.yaml::min-code-share PASSED*"])
    assert "llama.mixture.yaml::" not in result.stdout.str()  # the patterns replace the defaults ...
    result = run(repo)
    result.stdout.fnmatch_lines(["*mixes/llama.mixture.yaml looks like a mixture manifest*"])  # ... and it says so


def test_json_report_matches_spec_and_schema(repo):
    result = run(repo, "--mixlint-report=out/report.json")
    result.stdout.fnmatch_lines(["mixlint: report written to out/report.json"])
    report = json.loads((repo.path / "out" / "report.json").read_text())
    jsonschema.validate(report, schema())
    (document,) = report["documents"]
    assert (document["path"], document["kind"], document["name"]) == ("mixes/llama.mixture.yaml", "manifest", "llama-1")
    github = next(c for c in document["components"] if c["name"] == "github")
    assert github == {"name": "github", "domain": "code", "share": 0.045, "weight": 4.5, "tokens": None, "bytes": None,
                      "documents": None, "epochs": 0.64, "shares": {"weight": 0.045},
                      "license": "MIT OR Apache-2.0", "license_category": "permissive"}
    results = {r["rule"]: r for r in document["results"]}
    assert results["min-code-share"] == {
        "rule": "min-code-share", "kind": "share", "severity": "error", "outcome": "failed", "observed": 0.045,
        "threshold": 0.10, "unit": "share", "message": "code share 4.5% (by weight) is below 10.0%", "line": 9,
        "findings": [{"level": "error", "message": "code share 4.5% (by weight) is below 10.0%", "line": 9, "path": None,
                      "source": "github", "sources": ["github"], "hint": None}]}
    assert results["max-epochs"]["outcome"] == "warned" and results["max-epochs"]["unit"] == "epochs"
    assert report["totals"] == {"passed": 0, "failed": 2, "warned": 1, "errors": 0, "skipped": 0, "suppressed": 0}
    assert report["packs"] == [{"name": "mixlint.yaml", "via": "the default: mixlint.yaml at the rootdir"}]
    assert report["rules"] == 3


def test_markdown_report(repo):
    run(repo, "--mixlint-report", "summary.md")
    text = (repo.path / "summary.md").read_text()
    assert text.startswith("# mixlint report")
    assert "## mixes/llama.mixture.yaml — llama-1" in text
    assert "| min-code-share | ❌ failed" in text
    assert "| github " in text


def test_bad_report_extension_is_a_usage_error(repo):
    assert run(repo, "--mixlint-report=out.txt").ret == pytest.ExitCode.USAGE_ERROR


def test_unwritable_report_is_reported_and_fails_the_run(repo):
    (repo.path / "out.json").mkdir()  # a directory where the report should go: unwritable even for root
    result = run(repo, "--mixlint-report=out.json", "--mixlint-select=max")
    result.stdout.fnmatch_lines(["mixlint: cannot write out.json: Is a directory"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the only item passed (with a warning)


def test_bad_ini_values_are_usage_errors(repo):
    repo.makeini("[pytest]\nmixlint_strict = maybe\n")
    result = run(repo)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mixlint_strict: invalid truth value 'maybe' (use true or false)"])
    repo.makeini("[pytest]\nmixlint_domains = garbage\n")
    result = run(repo)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mixlint_domains: 'garbage' is not 'PATTERN = DOMAIN'*"])


def test_selecting_no_rule_is_a_usage_error(repo):
    result = run(repo, "--mixlint-select=nonexist")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no rule is selected (--mixlint-select nonexist, --mixlint-ignore -); the rules are: max-epochs, min-code-share, no-nc"])




def test_xdist_gives_identical_outcomes_and_report(repo):
    pytest.importorskip("xdist")
    put(repo, "mixes/other.mixture.yaml", "mixlint: 1\nsources:\n  - {name: github, weight: 1}\n  - {name: web, weight: 1}\n")
    serial = run(repo, "-rA", "--mixlint-report=serial.json", "-p", "no:cacheprovider")
    parallel = run(repo, "-rA", "-n", "2", "--mixlint-report=parallel.json", "-p", "no:cacheprovider")
    assert serial.parseoutcomes() == parallel.parseoutcomes()
    assert (repo.path / "serial.json").read_text() == (repo.path / "parallel.json").read_text()
    def summary(result):
        section = result.stdout.str().split("= mixlint =")[1].split("short test summary")[0]
        return [line for line in section.splitlines() if "report written" not in line]

    assert summary(serial) == summary(parallel)


def test_read_only_checkout(repo):
    report_dir = repo.path.parent / f"{repo.path.name}-reports"
    report_dir.mkdir()
    modes = {}
    for path in [repo.path, *repo.path.rglob("*")]:
        modes[path] = path.stat().st_mode
        path.chmod(modes[path] & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        before = {p: p.read_bytes() for p in repo.path.rglob("*") if p.is_file()}
        result = run(repo, "-p", "no:cacheprovider", f"--mixlint-report={report_dir / 'r.json'}")
        result.assert_outcomes(passed=1, failed=2)
        assert {p: p.read_bytes() for p in repo.path.rglob("*") if p.is_file()} == before
        assert not list(repo.path.rglob(".pytest_cache")) and not list(repo.path.rglob(".mixlint_cache"))
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


MEASURED_MANIFEST = """\
mixlint: 1
name: tiny
sources:
  - {name: web, weight: 90, data_files: data/web/*.jsonl.zst}
  - {name: code, weight: 10, data_files: data/code.parquet}
"""
MEASURED_RULES = """\
mixlint-rules: 1
rules:
  - id: declared-matches-data
    kind: measured
    tolerance: 5%
  - id: min-code-share-in-data
    kind: share
    composition: measured
    select: {name: code}
    min: 10%
  - id: min-code-share
    kind: share
    select: {name: code}
    min: 5%
"""


@pytest.fixture
def measured_repo(pytester):
    from .corpus import write

    put(pytester, "mixes/tiny.mixture.yaml", MEASURED_MANIFEST)
    put(pytester, "mixlint.yaml", MEASURED_RULES)
    write(pytester.path / "mixes/data/web/0.jsonl.zst", [{"text": "w" * 60}] * 10)  # 600 bytes
    write(pytester.path / "mixes/data/code.parquet", [{"text": "c" * 40}] * 10)  # 400 bytes: 40%, not 10%
    return pytester


def test_measured_composition_end_to_end(measured_repo):
    result = run(measured_repo, "--mixlint-report=r.json")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*source 'web': declared 90.0% (by weight), measured 60.0% (by bytes), more than 5.0% apart*",
        "source*share by weight*measured by bytes",
        "web*90.0%*60.0%",
        "code*10.0%*40.0%",
    ])
    report = json.loads((measured_repo.path / "r.json").read_text())
    jsonschema.validate(report, schema())
    code = next(c for c in report["documents"][0]["components"] if c["name"] == "code")
    assert code["measured"] == {"share": 0.4, "shares": {"bytes": 0.4, "documents": 0.5}, "bytes": 400, "documents": 10,
                                "characters": 400}
    assert list((measured_repo.path / ".pytest_cache").rglob("*.json"))  # per-shard cache entries


def test_bad_data_is_a_located_failure_and_the_rest_is_measured(measured_repo):
    put(measured_repo, "mixes/data/web/1.jsonl.zst", "not zstd")
    result = run(measured_repo, "--mixlint-no-cache")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*cannot measure the data: mixes/data/web/1.jsonl.zst: corrupt or truncated zstd data*"])
    assert not list((measured_repo.path / ".pytest_cache").rglob("*.json"))  # --mixlint-no-cache


def test_a_partial_measurement_is_not_reported_as_the_composition(measured_repo):
    put(measured_repo, "mixes/data/web/1.jsonl.zst", "not zstd")
    run(measured_repo, "--mixlint-report=r.json", "-p", "no:cacheprovider").assert_outcomes(passed=1, failed=2)
    report = json.loads((measured_repo.path / "r.json").read_text())
    assert all("measured" not in c for c in report["documents"][0]["components"])


def test_measured_under_xdist_matches_serial(measured_repo):
    pytest.importorskip("xdist")
    serial = run(measured_repo, "--mixlint-report=serial.json", "-p", "no:cacheprovider")
    parallel = run(measured_repo, "-n", "2", "--mixlint-report=parallel.json", "-p", "no:cacheprovider")
    assert serial.parseoutcomes() == parallel.parseoutcomes()
    assert (measured_repo.path / "serial.json").read_text() == (measured_repo.path / "parallel.json").read_text()


def test_an_internal_error_while_measuring_fails_only_that_document(measured_repo, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    # The module as sys.modules holds it (pytester's in-process runs drop modules they imported,
    # and a package attribute may still name an older copy: patching that one changes nothing).
    monkeypatch.setattr(importlib.import_module("pytest_mixlint.scan.measure"), "measure_document", boom)
    result = run(measured_repo)
    result.assert_outcomes(passed=1, failed=2)  # the declared-composition rule still runs
    result.stdout.fnmatch_lines(["*internal error while measuring: RuntimeError: simulated bug*"])
    assert "Traceback" not in result.stdout.str()


# --- tokens ----------------------------------------------------------------------------------

TOKEN_RULES = """\
mixlint-rules: 1
rules:
  - id: tokens-match
    kind: measured
    by: tokens
    tolerance: 5%
"""


@pytest.fixture(scope="module")
def trained_tokenizer(tmp_path_factory):
    from .tokenizer_fixture import train_tokenizer

    return train_tokenizer(tmp_path_factory.mktemp("tokenizer"))


@pytest.fixture
def token_repo(measured_repo, trained_tokenizer):
    import shutil

    shutil.copy(trained_tokenizer, measured_repo.path / "tokenizer.json")
    put(measured_repo, "mixlint.yaml", TOKEN_RULES)
    return measured_repo


def _code_component(pytester, name):
    report = json.loads((pytester.path / name).read_text())
    jsonschema.validate(report, schema())
    return next(c for c in report["documents"][0]["components"] if c["name"] == "code")


def test_tokens_measured_with_the_ini_tokenizer(token_repo, trained_tokenizer):
    from pytest_mixlint.scan.tokens import Tokenizer

    put(token_repo, "pytest.ini", "[pytest]\nmixlint_tokenizer = tokenizer.json\nmixlint_tokens = exact\n")
    result = run(token_repo, "--mixlint-report=r.json", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*source 'web': declared 90.0% (by weight), measured * (by tokens), more than 5.0% apart*",
                                 "source*share by weight*measured by tokens"])
    measured = _code_component(token_repo, "r.json")["measured"]
    expected = sum(Tokenizer.from_file(str(trained_tokenizer)).count(["c" * 40] * 10))
    assert (measured["tokens"], measured["tokens_relative_error"]) == (expected, 0.0)


def test_manifest_tokenizer_and_estimates_carry_their_bound(token_repo):
    put(token_repo, "mixes/tiny.mixture.yaml", MEASURED_MANIFEST + "scan: {tokenizer: ../tokenizer.json, token_sample: 3}\n")
    result = run(token_repo, "--mixlint-report=r.json", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    measured = _code_component(token_repo, "r.json")["measured"]
    # 10 identical documents, 3 sampled: the estimate is right and its bound is 0 (no spread).
    assert measured["tokens"] > 0 and measured["tokens_relative_error"] == 0.0


def test_a_missing_tokenizer_is_a_located_error(token_repo):
    put(token_repo, "pytest.ini", "[pytest]\nmixlint_tokenizer = nowhere/tokenizer.json\n")
    result = run(token_repo, "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*pytest.ini (mixlint_tokenizer): */nowhere/tokenizer.json: no such file*"])


def test_bad_token_options_are_usage_errors(token_repo):
    put(token_repo, "pytest.ini", "[pytest]\nmixlint_tokens = approximately\n")
    result = run(token_repo)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*pytest.ini: mixlint_tokens: 'approximately' is not estimate or exact*"])
    put(token_repo, "pytest.ini", "[pytest]\nmixlint_token_sample = 1\n")
    assert run(token_repo).ret == pytest.ExitCode.USAGE_ERROR
    put(token_repo, "pytest.ini", "[pytest]\nmixlint_token_sample = \u00b2\n")  # a digit int() cannot read
    assert run(token_repo).ret == pytest.ExitCode.USAGE_ERROR
    put(token_repo, "pytest.ini", "[pytest]\nmixlint_allow_outside_root = maybe\n")
    result = run(token_repo)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*pytest.ini: mixlint_allow_outside_root: *maybe* (use true or false)*"])


def test_command_line_tokenizer(token_repo):
    result = run(token_repo, "--mixlint-tokenizer=tokenizer.json", "--mixlint-tokens=exact", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*measured * (by tokens)*"])
