"""The built-in kinds' case files (tests/kinds/KIND.yaml), run by the runner authors use
(``pytest_mixlint.cases``, ``mixlint test``): every kind has a case for every outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mixlint.cases import load_cases, run_case
from pytest_mixlint.kinds import BUILTIN
from pytest_mixlint.outcomes import Result

CASES_DIR = Path(__file__).parent / "kinds"
CASES = [case for file in sorted(CASES_DIR.glob("*.yaml")) for case in load_cases(str(file), file.name)]
EVERY_OUTCOME = {"passed", "failed", "warned", "error", "skipped", "suppressed", "options_error"}
# Outcomes a kind cannot give, and why (a case that fakes one would test nothing).
IMPOSSIBLE = {("max-epochs", "error"): "it reads only the declared epochs, which are validated when the document is read"}


def test_every_builtin_kind_has_a_case_of_every_outcome():
    covered: dict[str, set[str]] = {}
    for case in CASES:
        assert isinstance(case.rule, dict)
        covered.setdefault(case.rule["kind"], set()).add(case.model.outcome or "options_error")
    assert set(covered) == set(BUILTIN)
    missing = {(kind, outcome) for kind, outcomes in covered.items() for outcome in EVERY_OUTCOME - outcomes}
    assert missing == set(IMPOSSIBLE)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case):
    outcome = run_case(case)
    assert outcome.passed, outcome.explain()
    if outcome.result is not None:  # what travels to the xdist controller
        assert Result.from_json(outcome.result.to_json()) == outcome.result
