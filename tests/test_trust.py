"""Real repositories read right, output that tells the truth, nothing that can break a run (#7).

End to end with pytester: a repository as users have it, `pytest --mixlint`, and what they see.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import jsonschema
import pytest

from pytest_mixlint.documents import load_card
from pytest_mixlint.domains import DomainPatterns
from pytest_mixlint.outcomes import evaluate
from pytest_mixlint.packs import load_rules
from pytest_mixlint.report.json_report import schema

CARDS = Path(__file__).parent / "data" / "cards"
LFS_POINTER = ("version https://git-lfs.github.com/spec/v1\n"
               "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
               "size 134217728\n")


def put(pytester, name, text):
    path = pytester.path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def run(pytester, *args):
    return pytester.runpytest("--mixlint", *args)


def report_of(pytester, *args):
    result = run(pytester, "--mixlint-report=r.json", *args)
    report = json.loads((pytester.path / "r.json").read_text())
    jsonschema.validate(report, schema())
    return result, report


def results_of(report, path):
    (document,) = [d for d in report["documents"] if d["path"] == path]
    return {r["rule"]: r for r in document["results"]}


# --- cards as the Hub reads them ------------------------------------------------------------

def test_a_licence_only_card_fails_the_commercial_gate(pytester):
    put(pytester, "README.md", "---\nlicense: cc-by-nc-4.0\n---\n# A corpus\n")
    result, report = report_of(pytester, "--mixlint-rules=mixlint:commercial")
    result.assert_outcomes(passed=3, failed=1, skipped=1)  # max-epochs: no epochs; card-fields warns, and passes
    result.stdout.fnmatch_lines(["*README.md:2: source 'default': licence 'CC-BY-NC-4.0' (non-commercial) is denied"])
    results = results_of(report, "README.md")
    assert results["commercial-use"]["outcome"] == "failed"
    assert results["license-declared"]["outcome"] == "passed"
    (component,) = report["documents"][0]["components"]
    assert (component["name"], component["share"], component["license_category"]) == ("default", 1.0, "non-commercial")


def test_a_card_without_a_licence_fails_require_license(pytester):
    put(pytester, "README.md", "---\ntask_categories: [text-generation]\nlanguage: [en]\npretty_name: RedPajama\n---\n")
    result, report = report_of(pytester, "--mixlint-rules=mixlint:commercial")
    results = results_of(report, "README.md")
    assert results["license-declared"]["outcome"] == "failed"
    assert results["license-declared"]["findings"][0]["line"] == 2  # the top of the front matter
    assert "add `license:` to the card's front matter" in results["license-declared"]["findings"][0]["hint"]
    assert results["commercial-use"]["outcome"] == "failed"


def _verdicts() -> list[tuple[str, str]]:
    rows = re.findall(r"^\| `([^`]+\.md)` \|.*\| (passes|fails)\b[^|]*\|$", (CARDS / "INDEX.md").read_text(), re.M)
    assert len(rows) == len(list(CARDS.glob("*__*.md"))), "every card shape has its verdict in INDEX.md"
    return rows


@pytest.mark.parametrize(("name", "verdict"), _verdicts())
def test_every_real_card_shape_gets_a_licence_verdict(name, verdict):
    """Front matter shapes of real pretraining-dataset cards (tests/data/cards/INDEX.md): the
    commercial pack passes or fails each, as a lawyer would read its metadata; never a skip."""
    document = load_card(str(CARDS / name), name, DomainPatterns())
    rules = {r.id: r for r in load_rules(["mixlint:commercial"], ".").rules}
    commercial = evaluate(rules["commercial-use"], document)
    declared = evaluate(rules["license-declared"], document)
    assert commercial.outcome == ("passed" if verdict == "passes" else "failed"), commercial.message
    assert declared.outcome in ("passed", "failed")
    assert all(source.license is document.mixture.sources[0].license for source in document.mixture.sources)


def test_hundreds_of_configs_carry_the_card_licence_and_languages():
    document = load_card(str(CARDS / "canonical__wikipedia.md"), "README.md", DomainPatterns())
    assert len(document.mixture.sources) == 300  # the pre-2023 `configs: [name, ...]` form
    assert {s.license.category for s in document.mixture.sources} == {"copyleft"}
    assert "no" in document.mixture.sources[0].languages  # Norwegian stays a string
    fineweb = load_card(str(CARDS / "HuggingFaceFW__fineweb-edu.md"), "README.md", DomainPatterns())
    assert len(fineweb.mixture.sources) == 114
    rules = {r.id: r for r in load_rules(["mixlint:commercial"], ".").rules}
    result = evaluate(rules["commercial-use"], fineweb)
    assert result.outcome == "passed"


def test_license_mix_max_share_on_a_card_without_sizes(pytester):
    configs = "".join(f"  - config_name: c{i}\n    data_files: c{i}/*\n" for i in range(120))
    put(pytester, "README.md", f"---\nlicense: cc-by-nc-4.0\nconfigs:\n{configs}---\n")
    put(pytester, "mixlint.yaml", """
        mixlint-rules: 1
        rules:
          - id: nc-cap
            kind: license-mix
            max_share: {non-commercial: 10%}
        """)
    result, report = report_of(pytester)
    rule = results_of(report, "README.md")["nc-cap"]
    assert (rule["outcome"], rule["observed"], rule["unit"]) == ("failed", 1.0, "share")


def test_the_default_config_is_measured_with_the_card_licence(pytester):
    from .corpus import write

    put(pytester, "README.md", "---\nlicense: odc-by\n---\n")
    write(pytester.path / "data/train-00000-of-00001.jsonl", [{"text": "abc"}] * 4)
    put(pytester, "mixlint.yaml", """
        mixlint-rules: 1
        rules:
          - id: licensed-data
            kind: license-mix
            composition: measured
            deny: [unknown]
        """)
    result, report = report_of(pytester, "-p", "no:cacheprovider")
    assert results_of(report, "README.md")["licensed-data"]["outcome"] == "passed"
    (component,) = report["documents"][0]["components"]
    assert component["measured"]["documents"] == 4


MEASURED_SHARES = """
    mixlint-rules: 1
    rules:
      - id: measured-licences
        kind: license-mix
        composition: measured
        deny: [non-commercial]
    """


def _measured(report):
    return {c["name"]: (c.get("measured") or {}).get("documents") for c in report["documents"][0]["components"]}


def test_card_data_as_the_hub_finds_it_never_the_runs_own_files(pytester):
    from .corpus import write

    put(pytester, "README.md", "---\nlicense: odc-by\n---\n")  # no configs: the Hub's default patterns
    write(pytester.path / "data/part-000.jsonl", [{"text": "abc", "id": 1, "url": "u"}] * 3)  # no split in the name
    put(pytester, "mixlint.yaml", MEASURED_SHARES)
    for _ in range(2):  # the first run's report is no data of the second
        result, report = report_of(pytester, "-p", "no:cacheprovider")
        assert results_of(report, "README.md")["measured-licences"]["outcome"] == "passed"
        assert _measured(report) == {"default": 3}


def test_card_configs_with_data_dir_and_splits_are_measured(pytester):
    from .corpus import write

    put(pytester, "README.md", """
        ---
        license: odc-by
        configs:
          - config_name: web
            data_dir: web
          - config_name: code
            data_files:
              - {split: train, path: "code/train-*.jsonl"}
              - {split: test, path: "code/test-*.jsonl"}
        ---
        """)
    write(pytester.path / "web/train-00000-of-00001.jsonl", [{"text": "w"}] * 5)
    write(pytester.path / "code/train-0.jsonl", [{"text": "c"}] * 2)
    write(pytester.path / "code/test-0.jsonl", [{"text": "c"}] * 7)  # not the train split: not counted
    put(pytester, "mixlint.yaml", MEASURED_SHARES)
    result, report = report_of(pytester, "-p", "no:cacheprovider")
    assert _measured(report) == {"web": 5, "code": 2}


def test_overlapping_configs_are_a_problem_not_a_double_count(pytester):
    from .corpus import write

    put(pytester, "README.md", """
        ---
        license: odc-by
        configs:
          - {config_name: default, data_files: "data/*/*.jsonl"}
          - {config_name: CC-MAIN-2024-10, data_files: "data/CC-MAIN-2024-10/*.jsonl"}
        ---
        """)
    write(pytester.path / "data/CC-MAIN-2024-10/0.jsonl", [{"text": "w"}] * 5)
    put(pytester, "mixlint.yaml", MEASURED_SHARES)
    result = run(pytester, "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 data file belongs to more than one config, so they would be counted twice "
                                 "(e.g. data/CC-MAIN-2024-10/0.jsonl to 'default' and 'CC-MAIN-2024-10')",
                                 "*declare the parts in an embedded `mixlint:` manifest*"])


# --- Git LFS pointers -----------------------------------------------------------------------

LFS_MANIFEST = """
    mixlint: 1
    sources:
      - {name: web, weight: 1, data_files: data/web/*.parquet}
      - {name: code, weight: 1, data_files: data/code/*.jsonl}
    """
MEASURED_RULE = """
    mixlint-rules: 1
    rules:
      - id: declared-matches-data
        kind: measured
    """


def test_an_lfs_pointer_is_named_with_the_fix(pytester):
    from .corpus import write

    put(pytester, "mix.mixture.yaml", LFS_MANIFEST)
    put(pytester, "mixlint.yaml", MEASURED_RULE)
    put(pytester, "data/web/0.parquet", LFS_POINTER)
    write(pytester.path / "data/code/0.jsonl", [{"text": "x"}])
    result = run(pytester, "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "mix.mixture.yaml:1: cannot measure the data: data/web/0.parquet: a Git LFS pointer, not the data "
        "(its content, 134 MB, was not downloaded)",
        '  hint: git lfs pull --include="data/web/0.parquet"'])
    assert "corrupt" not in result.stdout.str()


def test_a_clone_without_lfs_content_is_one_problem(pytester):
    put(pytester, "mix.mixture.yaml", LFS_MANIFEST)
    put(pytester, "mixlint.yaml", MEASURED_RULE)
    for i in range(40):
        put(pytester, f"data/web/{i:02}.parquet", LFS_POINTER)
        put(pytester, f"data/code/{i:02}.jsonl", LFS_POINTER)
    result = run(pytester, "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*cannot measure the data: data/web/00.parquet: 80 data files are Git LFS pointers, "
                                 "not the data (data/web/00.parquet, data/web/01.parquet, data/web/02.parquet, ...)*",
                                 '  hint: git lfs pull --include="data/**"'])


def test_lfs_commands_name_paths_from_the_top_of_the_git_repository(tmp_path, monkeypatch):
    from pytest_mixlint.lfs import pull_hint

    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "datasets" / "web").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "repo" / "datasets")  # pytest run from a subdirectory
    shard = tmp_path / "repo" / "datasets" / "web" / "0.parquet"
    assert pull_hint([str(shard)]) == 'git lfs pull --include="datasets/web/0.parquet"'
    assert pull_hint([str(shard), str(shard.with_name("1.parquet"))]) == 'git lfs pull --include="datasets/web/**"'


def test_an_lfs_pointer_tokenizer_is_named(pytester):
    from .corpus import write

    put(pytester, "mix.mixture.yaml", "mixlint: 1\nscan: {tokenizer: tokenizer.json}\nsources:\n"
                                      "  - {name: code, weight: 1, data_files: data/*.jsonl}\n")
    put(pytester, "tokenizer.json", LFS_POINTER)
    put(pytester, "mixlint.yaml", MEASURED_RULE)
    write(pytester.path / "data/0.jsonl", [{"text": "x"}])
    result = run(pytester, "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*tokenizer.json: a Git LFS pointer, not the data*git lfs pull --include=*tokenizer.json*"])


# --- say what was checked -------------------------------------------------------------------

LLAMA = """
    mixlint: 1
    name: llama-1
    sources:
      - {name: commoncrawl, weight: 67, epochs: 1.1, license: ODC-By-1.0}
      - {name: github, domain: code, weight: 4.5, epochs: 0.64, license: MIT}
      - {name: books, weight: 28.5, epochs: 5, license: cc-by-nc-4.0}
      - {name: arxiv, weight: 0.01}
      - {name: wiki, weight: 0.01}
    """


def test_the_header_names_the_packs_and_how_each_came_in(pytester):
    put(pytester, "mixes/llama.mixture.yaml", LLAMA)
    put(pytester, "policies/team.yaml", "mixlint-rules: 1\nextends: [mixlint:code]\n")
    pytester.makeini("[pytest]\nmixlint_rules = policies/team.yaml\n")
    result = run(pytester)
    result.stdout.fnmatch_lines([
        "mixlint: 6 rules from policies/team.yaml (named by mixlint_rules in *tox.ini), "
        "mixlint:code (extended by policies/team.yaml:2), mixlint:recommended (extended by mixlint:code:3)"])
    result.stdout.fnmatch_lines(["mixlint: 1 document, 6 rules from policies/team.yaml, mixlint:code, mixlint:recommended: *"])
    default = run(pytester, "-o", "mixlint_rules=", "--mixlint-select=max")
    default.stdout.fnmatch_lines(["mixlint: 5 rules (1 selected) from mixlint:recommended "
                                  "(the default: no mixlint.yaml at the rootdir)"])


def test_an_unused_policy_file_is_reported(pytester):
    put(pytester, "mixes/llama.mixture.yaml", LLAMA)
    put(pytester, "mixlint.yml", "mixlint-rules: 1\nextends: [mixlint:commercial]\n")
    put(pytester, "mixes/.mixlint.yaml", "mixlint-rules: 1\n")
    result = run(pytester)
    result.stdout.fnmatch_lines([
        "mixlint: 5 rules from mixlint:recommended (the default: no mixlint.yaml at the rootdir)",
        "mixlint: mixlint.yml: looks like a rule pack but is not in effect (packs in effect: mixlint:recommended); "
        "name it with --mixlint-rules or in the mixlint_rules ini option"])
    result.stdout.fnmatch_lines(["note: mixes/.mixlint.yaml: looks like a rule pack but is not in effect*"])
    summary = result.stdout.str().split("= mixlint =")[1]
    assert "mixlint: mixlint.yml: looks like a rule pack" in summary  # again at the end, where it is read
    used = run(pytester, "--mixlint-rules=mixlint.yml")
    assert "mixlint.yml: looks like" not in used.stdout.str()


def test_a_manifest_the_patterns_miss_is_a_warned_item(pytester):
    put(pytester, "mixes/llama.mixture.yaml", LLAMA)
    put(pytester, "recipes/stage1.yml", "# stage 1\nmixlint: 1\nsources: [{name: web, weight: 1}]\n")
    put(pytester, "data/big.json", '{"mixlint": 1}' + " " * (300 << 10))  # large .json files are data
    # it must not abort such a run (the ignore: pytester's in-process runs re-import the plugin)
    pytester.makeini("[pytest]\nfilterwarnings =\n    error\n    ignore::pytest.PytestAssertRewriteWarning\n")
    result, report = report_of(pytester, "-rA")
    result.stdout.fnmatch_lines(["*recipes/stage1.yml:2: [[]mixlint-unchecked[]] recipes/stage1.yml looks like a mixture "
                                 "manifest (`mixlint: 1`) but is not checked: name it *.mixture.yaml*"])
    unchecked = results_of(report, "recipes/stage1.yml")["mixlint-unchecked"]
    assert (unchecked["outcome"], unchecked["line"]) == ("warned", 2)
    assert "big.json" not in result.stdout.str()
    strict = run(pytester, "--mixlint-strict", "-k", "unchecked")
    strict.assert_outcomes(failed=1)


def test_nothing_collected_but_rules_in_effect_says_where_it_looked(pytester):
    put(pytester, "recipes/notes.txt", "mixlint: 1\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["no mixture manifests or dataset cards were checked, although 5 rules from "
                                 "mixlint:recommended are in effect: manifests are found by mixlint_manifests "
                                 "(*.mixture.yaml, *"])


def test_an_ini_typo_is_a_usage_error_with_did_you_mean(pytester):
    put(pytester, "mixes/llama.mixture.yaml", LLAMA)
    pytester.makeini("[pytest]\nmixlint_rule = mixlint:commercial\nmixlint_stict = true\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*tox.ini:2: unknown ini option 'mixlint_rule' (did you mean 'mixlint_rules'?)",
                                 "*tox.ini:3: unknown ini option 'mixlint_stict' (did you mean 'mixlint_strict'?)"])
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\nmixlint_rulez = ['mixlint:commercial']\n")
    (pytester.path / "tox.ini").unlink()
    result = run(pytester)
    result.stderr.fnmatch_lines(["*pyproject.toml:2: unknown ini option 'mixlint_rulez' (did you mean 'mixlint_rules'?)"])
    pytester.runpytest().assert_outcomes()  # without --mixlint the plugin stays out of the way


def test_a_file_named_on_the_command_line_is_checked(pytester):
    put(pytester, "recipe.yaml", "mixlint: 1\nsources:\n  - {name: web, weight: 60%, license: mit}\n"
                                 "  - {name: code, weight: 40%, license: mit}\n")
    put(pytester, "mixlint.yaml", "mixlint-rules: 1\nrules:\n  - {id: code, kind: share, select: {domain: code}, min: 30%}\n")
    result = run(pytester, "recipe.yaml", "-v")
    result.stdout.fnmatch_lines(["*recipe.yaml::code PASSED*"])


def test_a_named_file_that_is_no_document_gets_a_hint(pytester):
    """`pytest --mixlint $(git diff --name-only)` must not fail on a workflow or a rule pack."""
    put(pytester, "mixlint.yaml", "mixlint-rules: 1\nrules:\n  - {id: code, kind: share, select: {domain: code}, min: 30%}\n")
    put(pytester, ".github/workflows/ci.yml", "on: [push]\njobs: {}\n")
    put(pytester, "docs/notes.md", "---\ntitle: notes\n---\n# Notes\n")
    put(pytester, "model/README.md", "---\nlicense: mit\nlibrary_name: transformers\n---\n")
    put(pytester, "recipe.mixture.yaml", "mixlint: 1\nsources:\n  - {name: github, weight: 1, license: mit}\n")
    result = run(pytester, "mixlint.yaml", ".github/workflows/ci.yml", "docs/notes.md", "model/README.md",
                 "recipe.mixture.yaml")
    result.stdout.fnmatch_lines([
        "mixlint: .github/workflows/ci.yml: not a mixture manifest (no top-level `mixlint:` key)*",
        "mixlint: docs/notes.md: a docs page or a Space's README (title, sdk, ...), not a dataset card",
        "mixlint: mixlint.yaml: a rule pack, not a mixture manifest: name it with --mixlint-rules*",
        "mixlint: model/README.md: a model card (library_name, base_model, ...), not a dataset card"])
    result.assert_outcomes(passed=1)  # the named manifest is checked: no "not found" stops the run
    assert "mixlint-load" not in result.stdout.str() and "not found" not in result.stdout.str()
    result = run(pytester, "-q", "mixlint.yaml")
    result.stdout.fnmatch_lines(["mixlint: mixlint.yaml: a rule pack*"])  # -q hides the header: said at the end


def test_readmes_that_are_not_dataset_cards_are_not_documents(pytester):
    put(pytester, "docs/README.md", "---\ntitle: Documentation\nweight: 10\n---\n# Docs\n")
    put(pytester, "model/README.md", "---\nlicense: apache-2.0\nlibrary_name: transformers\nbase_model: gpt2\n---\n")
    put(pytester, "data/README.md", "---\nlicense: apache-2.0\ntags: [code]\n---\n")
    result = run(pytester, "-v")
    result.stdout.fnmatch_lines(["*data/README.md::license-declared PASSED*"])
    assert "docs/README.md::" not in result.stdout.str() and "model/README.md::" not in result.stdout.str()


def test_dataset_and_model_card_keys_are_the_hub_library_keys():
    import inspect

    from huggingface_hub.repocard_data import DatasetCardData, ModelCardData

    from pytest_mixlint.documents.card import DATASET_KEYS, MODEL_KEYS, SHARED_KEYS

    dataset = set(inspect.signature(DatasetCardData.__init__).parameters) - {"self", "kwargs", "ignore_metadata_errors"}
    model = set(inspect.signature(ModelCardData.__init__).parameters) - {"self", "kwargs", "ignore_metadata_errors"}
    assert dataset - SHARED_KEYS <= DATASET_KEYS and not DATASET_KEYS & MODEL_KEYS
    assert model - SHARED_KEYS <= MODEL_KEYS and dataset & model <= SHARED_KEYS


# --- every finding located and listed ---------------------------------------------------------

def test_json_findings_keep_every_line_and_source(pytester):
    put(pytester, "mixes/llama.mixture.yaml", LLAMA)
    result, report = report_of(pytester)
    declared = results_of(report, "mixes/llama.mixture.yaml")["license-declared"]
    assert declared["message"] == "source 'arxiv': no licence declared (and 1 more)"
    assert [(f["line"], f["source"]) for f in declared["findings"]] == [(7, "arxiv"), (8, "wiki")]
    result.stdout.fnmatch_lines(["  sources: arxiv, wiki"])


def test_skips_are_located_at_the_document(pytester):
    put(pytester, "mixes/plain.mixture.yaml", "mixlint: 1\nsources:\n  - {name: web, weight: 1, license: mit}\n")
    result = run(pytester, "-rs")
    result.stdout.fnmatch_lines(["SKIPPED [1] mixes/plain.mixture.yaml:1: max-epochs: no source declares epochs"])
    assert "plugin.py" not in result.stdout.str()


# --- numbers in their units -------------------------------------------------------------------

def test_numbers_are_shown_in_their_unit(pytester):
    put(pytester, "mixes/few.mixture.yaml", """
        mixlint: 1
        sources:
          - {name: a, weight: 0.08, tokens: 900, bytes: 900, epochs: 1, license: mit}
          - {name: b, weight: 0.92, tokens: 100, bytes: 100, epochs: 1, license: mit}
        """)
    put(pytester, "mixlint.yaml", """
        mixlint-rules: 1
        rules:
          - {id: diverse, kind: diversity, max_source_share: 95%, min_effective_sources: 3}
          - {id: consistent, kind: consistency}
        """)
    result, report = report_of(pytester)
    result.stdout.fnmatch_lines(["*fewer than 3", "*observed 1.32, threshold 3"])  # not "observed 132.0%"
    result.stdout.fnmatch_lines(["*source 'a': weight gives 8.0% of samples, but tokens x epochs give 90.0%*",
                                 "  observed 2, threshold 0"])  # two inconsistencies; the shares are in the messages
    assert "0.08" not in result.stdout.str()
    results = results_of(report, "mixes/few.mixture.yaml")
    assert (results["diverse"]["unit"], results["consistent"]["unit"]) == ("count", "count")


def test_a_long_licence_list_is_abbreviated_in_tables(pytester):
    ids = ["mit", "apache-2.0", "bsd-3-clause", "bsd-2-clause", "isc", "zlib", "unlicense", "cc0-1.0"]
    put(pytester, "README.md", f"---\nlicense: [{', '.join(ids)}]\nlanguage: [en]\n---\n")
    result, report = report_of(pytester)
    table_line = next(line for line in result.stdout.lines if line.startswith("default "))
    assert len(table_line) < 100 and "(+" in table_line
    assert report["documents"][0]["components"][0]["license"].count(" AND ") == 7  # whole in JSON


def test_strict_totals_agree_with_pytest(pytester):
    put(pytester, "mixes/llama.mixture.yaml", LLAMA)
    result, report = report_of(pytester, "--mixlint-strict")
    outcomes = result.parseoutcomes()
    assert report["totals"]["warned"] == 0
    assert outcomes["failed"] == report["totals"]["failed"] + report["totals"]["errors"]
    result.stdout.fnmatch_lines([f"mixlint: 1 document, 5 rules from mixlint:recommended: * {outcomes['failed']} failed, 0 warned*"])


# --- plugins cannot break a run ---------------------------------------------------------------

def _install_kind(site: Path, name: str, module: str, source: str) -> None:
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[mixlint.kinds]\n{name} = {module}\n")


def test_a_broken_installed_kind_fails_only_the_rules_that_use_it(pytester, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    _install_kind(site, "broken-import", "broken_kind", "import no_such_module\n")
    _install_kind(site, "no-options", "optionless_kind", "def check(document, options): ...\n")
    monkeypatch.setenv("PYTHONPATH", str(site))
    put(pytester, "mixes/llama.mixture.yaml", LLAMA)
    unaffected = pytester.runpytest_subprocess("--mixlint")
    assert unaffected.ret == pytest.ExitCode.TESTS_FAILED  # the recommended pack runs as usual
    put(pytester, "mixlint.yaml", """
        mixlint-rules: 1
        extends: [mixlint:recommended]
        rules:
          - {id: a, kind: broken-import}
          - {id: b, kind: no-options, some_option: 3}
        """)
    broken = pytester.runpytest_subprocess("--mixlint", "-rf")
    assert broken.ret == pytest.ExitCode.TESTS_FAILED
    broken.assert_outcomes(passed=3, failed=3)  # a and b fail; the recommended pack runs as usual
    broken.stdout.fnmatch_lines([
        "*mixes/llama.mixture.yaml:1: rule kind 'broken-import' cannot be loaded from entry point 'broken_kind' "
        "(package broken_kind 1.0): ModuleNotFoundError: No module named 'no_such_module' (at mixlint.yaml:4; "
        "fix or reinstall that package, or remove the rule)"])
    broken.stdout.fnmatch_lines(["*rule kind 'no-options' cannot be loaded*needs an `Options` pydantic model*mixlint.yaml:5*"])
    assert "INTERNALERROR" not in broken.stdout.str() + broken.stderr.str()


def test_a_kind_that_raises_shows_its_traceback_on_request(pytester, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    _install_kind(site, "crashy", "crashy_kind", """
        from pytest_mixlint.kinds import KindOptions

        class Options(KindOptions):
            pass

        def check(document, options):
            return helper()

        def helper():
            raise ZeroDivisionError("deep inside the kind")
        """)
    monkeypatch.setenv("PYTHONPATH", str(site))
    put(pytester, "mixes/llama.mixture.yaml", LLAMA)
    put(pytester, "mixlint.yaml", "mixlint-rules: 1\nrules:\n  - {id: c, kind: crashy}\n")
    short = pytester.runpytest_subprocess("--mixlint")
    short.stdout.fnmatch_lines(["*rule kind 'crashy' crashed: ZeroDivisionError: deep inside the kind",
                                "*(the traceback: --tb=long or -v)"])
    long = pytester.runpytest_subprocess("--mixlint", "--tb=long")
    long.stdout.fnmatch_lines(["Traceback (most recent call last):", "*crashy_kind.py*in helper*",
                               "ZeroDivisionError: deep inside the kind"])


# --- input friendliness -----------------------------------------------------------------------

def test_unmatched_data_files_are_reported_without_measuring(pytester):
    put(pytester, "mixes/m.mixture.yaml", """
        mixlint: 1
        sources:
          - {name: web, weight: 1, license: mit, data_files: [data/web/*.jsonl]}
        """)
    result = run(pytester, "--mixlint-select=consistent")
    result.stdout.fnmatch_lines(["*mixes/m.mixture.yaml:3: *source 'web': data_files pattern 'data/web/*.jsonl' matches no file"])
    assert pytester.path.joinpath(".pytest_cache").is_dir()  # the cache provider ran ...
    assert not list(pytester.path.joinpath(".pytest_cache").rglob("mixlint-shards"))  # ... and nothing was measured


def test_nan_in_a_json_manifest_is_located(pytester):
    put(pytester, "m.mixture.json", '{"mixlint": 1,\n "sources": [\n  {"name": "web", "weight": NaN}]}\n')
    result = run(pytester)
    result.stdout.fnmatch_lines(["*error: m.mixture.json:3: invalid JSON: NaN is not a valid number*"])


def test_weight_percentages_are_fractions():
    from pytest_mixlint.quantities import parse_weight

    assert parse_weight("60%") == pytest.approx(0.6) and parse_weight(4.5) == 4.5
    with pytest.raises(ValueError, match="not a weight"):
        parse_weight("six%")


def test_a_card_without_data_files_never_reads_its_markdown_as_data(pytester):
    """The most common card shape (only a licence), in a repository holding docs but no data:
    README.md and CHANGELOG.md are not data; the measured rule has nothing to measure."""
    pytester.path.joinpath("README.md").write_text("---\nlicense: cc-by-nc-4.0\ntask_categories: [text-generation]\n---\n# x\n")
    pytester.path.joinpath("CHANGELOG.md").write_text("# changes\n")
    pytester.path.joinpath("mixlint.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: d, kind: measured}\n")
    result = run(pytester)
    result.assert_outcomes(skipped=1)
    assert "unsupported data file format" not in result.stdout.str()


def test_data_files_that_match_nothing_are_reported_where_they_are_written(pytester):
    pytester.path.joinpath("m.mixture.yaml").write_text(
        "mixlint: 1\nsources:\n  - name: web\n    weight: 1\n    data_files: [data/web/*.jsonl.zst]\n")
    pytester.path.joinpath("mixlint.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: d, kind: measured}\n")
    _, report = report_of(pytester)
    (result,) = report["documents"][0]["results"]
    assert result["line"] == 5 and "matches no file" in result["message"]
