"""Run the YAML cases beside each rule kind (tests/kinds/KIND.yaml), sqlfluff-style.

A case gives a manifest (or the file's default), a rule's options, and what must come out:
``outcome`` (passed / failed / warned / error / skipped / suppressed) and optionally
``observed``, ``message`` (a substring) or, for invalid options, ``options_error``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from pytest_mixlint.checking import Run
from pytest_mixlint.cli import CommandIni
from pytest_mixlint.inifile import IniFile
from pytest_mixlint.kinds.__init__ import BUILTIN
from pytest_mixlint.outcomes import Result
from pytest_mixlint.packs import load_rules
from pytest_mixlint.problems import MixlintError
from pytest_mixlint.settings import CommandLine, read_settings

CASES_DIR = Path(__file__).parent / "kinds"


def _cases():
    for file in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(file.read_text())
        for case in spec["cases"]:
            yield pytest.param(spec, case, id=f"{spec['kind']}::{case['name']}")


def test_every_builtin_kind_has_cases():
    kinds = {yaml.safe_load(f.read_text())["kind"] for f in CASES_DIR.glob("*.yaml")}
    assert kinds == set(BUILTIN)


@pytest.mark.parametrize(("spec", "case"), list(_cases()))
def test_case(spec, case, tmp_path):
    document_kind = case.get("document_kind", spec.get("document_kind", "manifest"))
    text = case.get("document", spec.get("document"))
    name = "README.md" if document_kind == "card" else "case.mixture.yaml"
    (tmp_path / name).write_text(textwrap.dedent(text))
    rule = {"id": "the-rule", "kind": spec["kind"], **(case.get("rule") or {})}
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump({"mixlint-rules": 1, "rules": [rule]}))
    for extra_name, extra_text in {**(spec.get("files") or {}), **(case.get("files") or {})}.items():
        (tmp_path / extra_name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / extra_name).write_text(textwrap.dedent(extra_text))

    if "options_error" in case:
        with pytest.raises(MixlintError) as raised:
            load_rules([str(tmp_path / "pack.yaml")], str(tmp_path))
        assert case["options_error"] in str(raised.value)
        assert "pack.yaml:" in str(raised.value)  # located
        return

    # The run both front ends drive: the rules, the document, its data files when a rule
    # needs them, and the one evaluate.
    settings = read_settings(CommandIni(IniFile(tmp_path)), CommandLine(tmp_path, rules=("pack.yaml",)), tmp_path)
    run = Run(settings)
    check = run.open(run.classify(tmp_path / name))
    assert check.document is not None, check.problems
    (result,) = run.results(check)
    assert result.outcome == case["outcome"], result.message
    assert Result.from_json(result.to_json()) == result  # what travels to the xdist controller
    if "observed" in case:
        assert result.observed == pytest.approx(case["observed"], rel=1e-6)
    if "message" in case:
        assert case["message"] in result.message
    if "line" in case:
        assert result.line == case["line"]
