"""The rule authoring kit (#12): packs shipped in packages, rule case files, schemas for editors."""

from __future__ import annotations

import importlib
import io
import textwrap
from pathlib import Path

import pytest

from pytest_mixlint.cli import main


def install_packs(site: Path, org: str, module: str, packs: dict[str, str]) -> None:
    """A distribution registering ``module`` (a package of NAME.yaml packs) as ``org``."""
    package = site / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for name, text in packs.items():
        (package / f"{name}.yaml").write_text(textwrap.dedent(text))
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[mixlint.packs]\n{org} = {module}\n")


TEAM = """\
    mixlint-rules: 1
    extends: [mixlint:commercial]
    rules:
      - id: team-code-floor
        kind: share
        select: {domain: code}
        min: 5%
        why: our models need code
"""


@pytest.fixture
def org_packs(tmp_path, monkeypatch):
    site = tmp_path / "site"
    install_packs(site, "my-org", "my_org_mixlint", {"team": TEAM})
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "mix.mixture.yaml").write_text("mixlint: 1\nsources:\n  - {name: web, weight: 97, license: ODC-By-1.0}\n"
                                           "  - {name: the-stack, domain: code, weight: 3, license: MIT}\n")
    monkeypatch.chdir(repo)
    return repo


def test_a_pack_extends_a_packaged_pack(org_packs):
    (org_packs / "mixlint.yaml").write_text("mixlint-rules: 1\nextends: [my-org:team]\n")
    out = io.StringIO()
    assert main(["rules"], out) == 0
    text = out.getvalue()
    assert "team-code-floor" in text and "my-org:team" in text  # where each rule comes from
    out = io.StringIO()
    assert main(["check", "-q"], out) == 1
    assert "code share 3.0% (by weight) is below 5.0%" in out.getvalue()


@pytest.mark.parametrize(("reference", "says"), [
    ("my-org:teams", "unknown rule pack 'my-org:teams' (hint: did you mean 'my-org:team'?)"),
    ("my-orgs:team", "no installed package provides rule packs my-orgs:... (entry point group mixlint.packs) "
                     "(hint: did you mean 'my-org:team'?)"),
    ("mixlint:comercial", "unknown built-in rule pack 'mixlint:comercial' (hint: did you mean 'mixlint:commercial'?)"),
])
def test_a_missing_packaged_pack_is_a_located_error(org_packs, capsys, reference, says):
    (org_packs / "mixlint.yaml").write_text(f"mixlint-rules: 1\nextends: [{reference}]\n")
    assert main(["check"], io.StringIO()) == 2
    assert f"mixlint.yaml:2: {says}" in capsys.readouterr().err


def test_a_broken_packaged_pack_is_located_in_it(org_packs, capsys):
    install_packs(org_packs.parent / "site2", "broken", "broken_packs", {"team": "mixlint-rules: 1\nrules: [{id: X}]\n"})
    import sys

    sys.path.insert(0, str(org_packs.parent / "site2"))
    importlib.invalidate_caches()
    try:
        (org_packs / "mixlint.yaml").write_text("mixlint-rules: 1\nextends: [broken:team]\n")
        assert main(["check"], io.StringIO()) == 2
        assert "broken:team:2:" in capsys.readouterr().err
    finally:
        sys.path.remove(str(org_packs.parent / "site2"))


# --- rule case files: mixlint test, and pytest --mixlint collecting mixlint-tests/ ------------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

ROOT = Path(__file__).parent.parent

CASES = """\
mixlint-tests: 1
kind: share
document: |
  mixlint: 1
  sources:
    - {name: web, weight: 96}
    - {name: the-stack, domain: code, weight: 4}
cases:
  - name: inline-floor-passes
    rule: {select: {domain: code}, min: 3%}
    outcome: passed
    observed: 0.04
  - name: the-team-floor-fails
    rule: team-code-floor
    outcome: failed
    message: below 5.0%
    lines: [4]
  - name: a-document-on-disk
    rule: team-code-floor
    document_file: ../mix.mixture.yaml
    outcome: failed
    observed: 0.03
  - name: options-the-kind-refuses
    rule: {select: {domain: code}, min: 120%}
    options_error: "min"
"""


@pytest.fixture
def authored(org_packs):
    """A repository whose policy extends a packaged pack, with a case file in mixlint-tests/."""
    (org_packs / "mixlint.yaml").write_text("mixlint-rules: 1\nextends: [my-org:team]\n")
    (org_packs / "mixlint-tests").mkdir()
    (org_packs / "mixlint-tests" / "code.yaml").write_text(CASES)
    return org_packs


def test_mixlint_test_runs_inline_and_packaged_rules(authored):
    out = io.StringIO()
    assert main(["test", "-v"], out) == 0, out.getvalue()
    assert "PASSED mixlint-tests/code.yaml::the-team-floor-fails" in out.getvalue()
    assert out.getvalue().endswith("mixlint test: 4 cases in 1 file: 4 passed, 0 failed\n")


def test_a_case_that_does_not_hold_shows_expected_and_actual(authored):
    text = CASES.replace("min: 3%}\n    outcome: passed", "min: 5%}\n    outcome: passed")
    (authored / "mixlint-tests" / "code.yaml").write_text(text)
    out = io.StringIO()
    assert main(["test"], out) == 1
    assert ("mixlint-tests/code.yaml:9: case 'inline-floor-passes' does not hold:\n"
            "  outcome: expected passed, got failed\n"
            "  the rule said: failed: code share 4.0% (by weight) is below 5.0%") in out.getvalue()


@pytest.mark.parametrize(("change", "says"), [
    (lambda t: t.replace("mixlint-tests: 1", "mixlint-tests: 2"), "mixlint-tests"),
    (lambda t: t.replace("    outcome: passed\n", "    outcome: pased\n"), "code.yaml:11:"),
    (lambda t: t.replace("rule: team-code-floor\n    outcome: failed\n    message",
                         "outcome: failed\n    message"), "case 'the-team-floor-fails' names no rule"),
])
def test_a_case_file_that_cannot_be_read_is_located(authored, change, says):
    (authored / "mixlint-tests" / "code.yaml").write_text(change(CASES))
    out = io.StringIO()
    assert main(["test"], out) == 1
    assert says in out.getvalue()


def test_pytest_collects_the_cases_of_mixlint_tests(authored):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(authored.parent / "site")])}
    (authored / "mixlint-tests" / "code.yaml").write_text(CASES.replace("observed: 0.03", "observed: 0.3"))
    completed = subprocess.run([sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "-rA",
                                "mixlint-tests"], cwd=authored, capture_output=True, text=True, env=env)
    assert "PASSED mixlint-tests/code.yaml::the-team-floor-fails" in completed.stdout
    assert "FAILED mixlint-tests/code.yaml::a-document-on-disk" in completed.stdout
    assert "observed: expected 0.3, got 0.03" in completed.stdout
    assert completed.returncode == 1


# --- schemas for editors: what the schema refuses, the loader refuses -----------------------------------------

import json  # noqa: E402

import jsonschema  # noqa: E402
import yaml  # noqa: E402


def schema(name):
    out = io.StringIO()
    assert main(["schema", name], out) == 0
    return json.loads(out.getvalue())


@pytest.mark.parametrize("text", [
    "mixlint: 1\nsources:\n  - {name: web, wieght: 1}\n",             # an unknown key
    "mixlint: 1\nsources:\n  - {name: web, weight: [1]}\n",            # a wrong type
    "mixlint: 1\nsources:\n  - {name: web, tokens: -5}\n",             # a negative size
    "mixlint: 1\nname: x\n",                                            # no sources
])
def test_a_manifest_the_schema_refuses_the_loader_refuses(tmp_path, text):
    from pytest_mixlint.documents import load_document
    from pytest_mixlint.problems import MixlintError

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(text), schema("manifest"))
    (tmp_path / "m.mixture.yaml").write_text(text)
    with pytest.raises(MixlintError):
        load_document(str(tmp_path / "m.mixture.yaml"), "m.mixture.yaml", "manifest")


@pytest.mark.parametrize("rule", [
    {"id": "x", "kind": "share", "select": {"domain": "code"}, "minimum": 0.1},   # an unknown option
    {"id": "x", "kind": "share", "select": {"domain": "code"}, "min": "lots"},    # a wrong type
    {"id": "x", "kind": "max-epochs", "max": -1},                                 # a negative bound
    {"id": "Not An Id", "kind": "max-epochs", "max": 4},                          # an id that is no id
])
def test_a_pack_the_schema_refuses_the_loader_refuses(tmp_path, rule):
    from pytest_mixlint.packs import load_rules
    from pytest_mixlint.problems import MixlintError

    pack = {"mixlint-rules": 1, "rules": [rule]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(pack, schema("rules"))
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump(pack))
    with pytest.raises(MixlintError):
        load_rules(["pack.yaml"], str(tmp_path))


def test_every_case_file_of_the_project_is_valid_for_editors():
    tests_schema = schema("tests")
    files = [*sorted((ROOT / "tests" / "kinds").glob("*.yaml")), *sorted((ROOT / "examples" / "custom-kind" / "cases").glob("*.yaml"))]
    for path in files:
        jsonschema.validate(yaml.safe_load(path.read_text()), tests_schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"mixlint-tests": 1, "cases": [{"name": "x", "outcome": "pased"}]}, tests_schema)


# --- the template: examples/custom-kind, a package with a kind, a pack and its cases ----------------------------

import shutil  # noqa: E402
import tomllib  # noqa: E402

TEMPLATE = ROOT / "examples" / "custom-kind"


@pytest.fixture
def template_installed(tmp_path, monkeypatch):
    """The template as pip would install it: its package, and its entry points from pyproject.toml
    (CI installs it with pip for real: .ci/run)."""
    site = tmp_path / "site"
    shutil.copytree(TEMPLATE / "src", site)
    project = tomllib.loads((TEMPLATE / "pyproject.toml").read_text())
    info = site / "mixlint_top_k-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mixlint-top-k\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {value}\n" for name, value in points.items())
        for group, points in project["project"]["entry-points"].items()))
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    from pytest_mixlint.kinds import _plugin_entry_points

    _plugin_entry_points.cache_clear()  # the registry read the entry points before this test
    yield site
    _plugin_entry_points.cache_clear()


def test_the_template_kind_fits_in_30_lines_with_select_and_bounds():
    code = (TEMPLATE / "src" / "mixlint_top_k" / "top_k_share.py").read_text().split('"""')[-1]
    assert len([line for line in code.splitlines() if line.strip()]) < 30
    assert "class Options(ShareBounds)" in code


def test_the_templates_cases_pass_with_its_pack(template_installed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert main(["test", "--rules", "top-k:concentration", str(TEMPLATE / "cases")], out) == 0, out.getvalue()
    assert "6 cases in 1 file: 6 passed, 0 failed" in out.getvalue()
    out = io.StringIO()
    assert main(["explain", "top-k-share"], out) == 0
    assert "the k largest sources together stay within bounds" in out.getvalue()


def test_the_readmes_kinds_table_is_generated_from_the_kinds():
    from pytest_mixlint.kinds.docs import kinds_table

    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- kinds-table:")
    table = readme[readme.index("\n", start) + 1:readme.index("<!-- /kinds-table -->")]
    assert table == kinds_table(), "run: python -m pytest_mixlint.kinds.docs, and paste it into the README"


def test_explain_prints_a_kinds_documentation():
    out = io.StringIO()
    assert main(["explain", "consistency"], out) == 0
    assert "the document agrees with itself" in out.getvalue() and "tolerance" in out.getvalue()


# --- what the review found: cases cannot pass by accident, nor reach outside -----------------------------------


def run_cases(repo, text):
    (repo / "mixlint-tests" / "code.yaml").write_text(text)
    out = io.StringIO()
    status = main(["test"], out)
    return status, out.getvalue()


@pytest.mark.parametrize(("document", "says"), [
    ("document_file: nope.mixture.yaml", "document_file nope.mixture.yaml is not a file inside the repository"),
    ("document_file: ../../../../etc/hostname", "is not a file inside the repository"),
    ("document: |\n      mixlint: 1\n      sources: [{name: a, weight: -1}]", "the document cannot be read"),
])
def test_a_case_cannot_pass_on_a_document_that_does_not_load_or_is_outside(authored, document, says):
    case = f"mixlint-tests: 1\nkind: share\ncases:\n  - name: x\n    rule: {{select: {{domain: code}}, min: 5%}}\n    {document}\n    outcome: error\n"
    status, said = run_cases(authored, case)
    assert status == 1 and says in said


@pytest.mark.parametrize(("files", "says"), [
    ('{"/tmp/ABS.txt": x}', "is not a relative name"),
    ('{"../../../../tmp/ESCAPED.txt": x}', "is not a file beside the case's document"),
    ('{"a": x, "a/b": y}', "cannot be written"),
    ('{"the-case-rule.yaml": x}', "is not a file beside the case's document"),
    ('{"case.mixture.yaml": x}', "is not a file beside the case's document"),
])
def test_a_cases_files_stay_in_its_scratch_directory(authored, files, says):
    case = (f"mixlint-tests: 1\nkind: share\ndocument: 'mixlint: 1\n\n  sources: [{{name: a, weight: 1}}]'\n"
            f"files: {files}\ncases:\n  - name: x\n    rule: {{select: {{domain: code}}, min: 5%}}\n    outcome: failed\n")
    status, said = run_cases(authored, case)
    assert status == 1 and says in said


def test_a_case_name_is_a_node_id(authored):
    status, said = run_cases(authored, CASES.replace("name: inline-floor-passes", "name: 'a::b'"))
    assert status == 1 and "no '::' and no control characters" in said


def test_fixtures_beside_cases_are_not_documents_of_the_repository(authored):
    (authored / "mixlint-tests" / "too-little-code.mixture.yaml").write_text(
        "mixlint: 1\nsources:\n  - {name: web, weight: 99, license: MIT}\n  - {name: c, domain: code, weight: 1, license: MIT}\n")
    out = io.StringIO()
    main(["check", "--format", "json"], out)
    assert "too-little-code" not in out.getvalue()


@pytest.mark.parametrize(("signature", "takes"), [
    ("def check(document, options): ...", False),
    ("def check(document, options, verbose=False): ...", False),
    ("def check(document, options, context): ...", True),
    ("def check(document, options, *, context): ...", True),
])
def test_a_kind_gets_a_context_only_when_it_asks(signature, takes):
    from pytest_mixlint.kinds import _takes_context

    namespace: dict = {}
    exec(signature, namespace)
    assert _takes_context(namespace["check"]) is takes


def test_a_packaged_pack_extends_its_siblings_in_its_package(tmp_path, monkeypatch):
    site = tmp_path / "site"
    install_packs(site, "acme", "acme_packs", {
        "base": "mixlint-rules: 1\nrules:\n  - {id: acme-floor, kind: share, select: {domain: code}, min: 5%}\n",
        "team": "mixlint-rules: 1\nextends: [./base.yaml]\n"})
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    (tmp_path / "repo").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    (tmp_path / "repo" / "base.yaml").write_text("mixlint-rules: 1\nrules: []\n")  # the user's own: not this one
    out = io.StringIO()
    assert main(["rules", "--rules", "acme:team"], out) == 0
    assert "acme-floor" in out.getvalue()


# --- what a new author got wrong, and how mixlint must take it (trial of #12) ------------------------------------

def install_kind(site: Path, name: str, module: str, source: str) -> None:
    site.mkdir(exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[mixlint.kinds]\n{name} = {module}\n")


@pytest.fixture
def bad_kinds(tmp_path, monkeypatch):
    site = tmp_path / "kinds"
    install_kind(site, "returns-none", "returns_none", """
        from pytest_mixlint.kinds import KindOptions
        class Options(KindOptions):
            pass
        def check(document, options):
            pass
        """)
    install_kind(site, "bad-validator", "bad_validator", """
        from pydantic import model_validator
        from pytest_mixlint.kinds import KindOptions
        class Options(KindOptions):
            @model_validator(mode="after")
            def boom(self):
                return 1 / 0
        def check(document, options):
            pass
        """)
    install_kind(site, "plain-options", "plain_options", """
        from pydantic import BaseModel
        from pytest_mixlint.kinds import Evaluation
        class Options(BaseModel):
            limit: int = 3
        def check(document, options):
            return Evaluation(summary=f"limit {options.limit}")
        """)
    install_kind(site, "arbitrary", "arbitrary_kind", """
        from pydantic import ConfigDict
        from pytest_mixlint.kinds import Evaluation, KindOptions
        class Thing:
            pass
        class Options(KindOptions):
            model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")
            thing: Thing | None = None
        def check(document, options):
            return Evaluation()
        """)
    install_kind(site, "broken-import", "broken_import_kind", "import no_such_module\n")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    from pytest_mixlint.kinds import _builtin, _plugin, _plugin_entry_points

    for cached in (_plugin_entry_points, _plugin, _builtin):
        cached.cache_clear()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "mix.mixture.yaml").write_text("mixlint: 1\nsources:\n  - {name: web, weight: 1, license: MIT}\n")
    monkeypatch.chdir(repo)
    yield repo
    for cached in (_plugin_entry_points, _plugin, _builtin):
        cached.cache_clear()


def test_a_kind_returning_nothing_fails_its_items_only(bad_kinds):
    (bad_kinds / "mixlint.yaml").write_text("mixlint-rules: 1\nextends: [mixlint:recommended]\nrules:\n  - {id: x, kind: returns-none}\n")
    status, out = 0, io.StringIO()
    status = main(["check", "--format", "json"], out)
    results = {r["rule"]: r for r in json.loads(out.getvalue())["documents"][0]["results"]}
    assert status == 1 and "returned NoneType, not an Evaluation" in results["x"]["message"] and len(results) > 1


def test_a_kinds_validator_that_raises_is_a_located_error(bad_kinds, capsys):
    (bad_kinds / "mixlint.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: x, kind: bad-validator}\n")
    assert main(["rules"], io.StringIO()) == 2
    assert "mixlint.yaml:3: rule 'x': the options of kind 'bad-validator' cannot be checked: ZeroDivisionError" \
        in capsys.readouterr().err


def test_options_that_allow_anything_still_refuse_a_misspelt_key(bad_kinds, capsys):
    (bad_kinds / "mixlint.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: x, kind: plain-options, limmit: 2}\n")
    assert main(["rules"], io.StringIO()) == 2
    assert "limmit" in capsys.readouterr().err


def test_explain_and_schema_survive_broken_kinds(bad_kinds, capsys):
    assert main(["explain", "broken-import"], io.StringIO()) == 2
    assert "rule kind 'broken-import' cannot be loaded" in capsys.readouterr().err
    out = io.StringIO()
    assert main(["schema", "rules"], out) == 0
    assert "a rule of kind arbitrary (options not described" in out.getvalue()


@pytest.mark.parametrize("header", ["mixlint-test: 1", "mixlint_tests: 1"])
def test_a_case_file_with_a_wrong_header_is_not_left_out(authored, header):
    text = CASES.replace("mixlint-tests: 1", header)
    (authored / "mixlint-tests" / "code.yaml").write_text(text)
    out = io.StringIO()
    assert main(["test"], out) == 1
    assert "mixlint-tests" in out.getvalue() and "start the file with `mixlint-tests: 1`" in out.getvalue()


def test_a_case_naming_a_rule_no_pack_has_says_so(authored):
    out = io.StringIO()
    (authored / "mixlint-tests" / "code.yaml").write_text(CASES.replace("rule: team-code-floor\n    outcome: failed\n    message",
                                                                        "rule: team-code-flor\n    outcome: failed\n    message"))
    assert main(["test"], out) == 1
    assert "no rule 'team-code-flor' in the packs in effect (did you mean 'team-code-floor'?)" in out.getvalue()


def test_an_inline_rules_error_is_located_in_the_case_file(authored):
    (authored / "mixlint-tests" / "code.yaml").write_text(CASES.replace("rule: {select: {domain: code}, min: 3%}",
                                                                        "rule: {select: {domain: code}, mni: 3%}"))
    out = io.StringIO()
    assert main(["test"], out) == 1
    assert "mixlint-tests/code.yaml:9 (the case's rule)" in out.getvalue() and "mixlint-case-" not in out.getvalue()


@pytest.mark.parametrize(("ini", "sources", "rule", "outcome"), [
    # mixlint_domains: a case sees the domains mixlint check sees
    ("mixlint_domains = acme-* = code", "{name: web, weight: 90}, {name: acme-repos, weight: 10}",
     "{select: {domain: code}, min: 5%}", "passed"),
    # mixlint_strict would fail every warned case; a mixlint_configs glob would read the case's
    # document as a training config: neither applies to a case
    ("mixlint_strict = true\nmixlint_configs = **/*.yaml = nanotron",
     "{name: web, weight: 93}, {name: c, domain: code, weight: 7}", "{select: {domain: code}, min: 5%, warn_below: 8%}",
     "warned"),
])
def test_a_case_reads_documents_as_the_ini_says_but_is_judged_on_its_own(authored, ini, sources, rule, outcome):
    (authored / "pytest.ini").write_text(f"[pytest]\n{ini}\n")
    case = (f"mixlint-tests: 1\nkind: share\ndocument: |\n  mixlint: 1\n  sources: [{sources}]\n"
            f"cases:\n  - name: x\n    rule: {rule}\n    outcome: {outcome}\n")
    status, said = run_cases(authored, case)
    assert status == 0, said


def test_fixtures_under_the_case_patterns_directories_are_not_documents(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "cases" / "fixtures").mkdir(parents=True)
    (repo / "pytest.ini").write_text("[pytest]\nmixlint_tests = cases/*.yaml\n")
    (repo / "cases" / "fixtures" / "bad.mixture.yaml").write_text("mixlint: 1\nsources:\n  - {name: web, weight: 1}\n")
    (repo / "good.mixture.yaml").write_text("mixlint: 1\nsources:\n  - {name: web, weight: 1, license: MIT}\n")
    monkeypatch.chdir(repo)
    out = io.StringIO()
    main(["check", "--format", "json"], out)
    assert [d["path"] for d in json.loads(out.getvalue())["documents"]] == ["good.mixture.yaml"]
