"""Rule packs: validation with located errors, extends, overrides, selection, built-ins."""

import pytest

from pytest_mixlint.kinds import get_kind, kind_names
from pytest_mixlint.packs import builtin_pack_names, load_rules
from pytest_mixlint.problems import MixlintError

SHARE_RULE = "  - id: min-code-share\n    kind: share\n    select: {domain: code}\n    min: 5%\n"


def rules_of(write, text, name="pack.yaml"):
    path = write(name, text)
    return load_rules([str(path)], str(path.parent))


def problems(write, text, name="pack.yaml"):
    with pytest.raises(MixlintError) as raised:
        rules_of(write, text, name)
    return raised.value.problems


def test_builtin_packs_load_and_every_rule_has_a_why():
    assert {"recommended", "commercial", "code"} <= set(builtin_pack_names())
    for name in builtin_pack_names():
        rules = load_rules([f"mixlint:{name}"], ".")
        assert rules.rules
        for rule in rules.rules:
            assert rule.why and len(rule.why) > 40, f"{name}:{rule.id} needs a why that cites evidence"
            assert rule.origin.startswith("mixlint:")


def test_extends_builtin_and_override_by_id(write):
    rules = rules_of(write, "mixlint-rules: 1\nextends: mixlint:code\nrules:\n  - id: max-epochs\n    severity: warning\n"
                     "  - id: min-code-share\n    min: 8%\n")
    by_id = {r.id: r for r in rules.rules}
    assert by_id["max-epochs"].severity == "warning"
    assert by_id["max-epochs"].options.max == 16  # options inherited
    assert by_id["min-code-share"].options.min == 0.08
    assert by_id["min-code-share"].options.select.domain == ["code"]
    assert by_id["min-code-share"].origin.endswith("pack.yaml:6")
    assert [p.name for p in rules.packs[:2]] == ["mixlint:recommended", "mixlint:code"]


def test_extends_relative_path_and_diamond(write):
    write("team/base.yaml", "mixlint-rules: 1\nrules:\n" + SHARE_RULE)
    write("team/a.yaml", "mixlint-rules: 1\nextends: [base.yaml]\n")
    write("team/b.yaml", "mixlint-rules: 1\nextends: [base.yaml]\n")
    rules = rules_of(write, "mixlint-rules: 1\nextends: [team/a.yaml, team/b.yaml]\n")
    assert [r.id for r in rules.rules] == ["min-code-share"]


def test_cycle_is_detected(write):
    write("a.yaml", "mixlint-rules: 1\nextends: [b.yaml]\n")
    write("b.yaml", "mixlint-rules: 1\nextends: [a.yaml]\n")
    with pytest.raises(MixlintError) as raised:
        load_rules([str(write("root.yaml", "mixlint-rules: 1\nextends: [a.yaml]\n"))], ".")
    (problem,) = raised.value.problems
    assert "cycle" in problem.message
    assert [part.rsplit("/", 1)[-1] for part in problem.message.split(": ", 1)[1].split(" -> ")] == ["a.yaml", "b.yaml", "a.yaml"]
    assert problem.path.endswith("b.yaml") and problem.line == 2


def test_unknown_builtin_and_missing_file(write):
    found = problems(write, "mixlint-rules: 1\nextends:\n  - mixlint:recomended\n  - nowhere.yaml\n")
    assert found[0].line == 3 and found[0].hint == "did you mean 'mixlint:recommended'?"
    assert found[1].line == 4 and "not found" in found[1].message


@pytest.mark.parametrize(("text", "line", "message", "hint"), [
    ("mixlint-rules: 1\nrules:\n  - id: x\n    kind: shares\n    min: 1%\n", 4, "unknown rule kind 'shares'", "did you mean 'share'?"),
    ("mixlint-rules: 1\nrules:\n  - id: Min_Code\n    kind: share\n", 3, "kebab-case", None),
    ("mixlint-rules: 1\nrules:\n  - id: x\n", 3, "has no `kind`", None),
    ("mixlint-rules: 1\nrules:\n  - id: x\n    kind: max-epochs\n    maxx: 4\n", 5, "unknown key 'maxx'", "did you mean 'max'?"),
    ("mixlint-rules: 1\nrules:\n  - id: x\n    kind: max-epochs\n    max: 4\n    severity: fatal\n", 6, "severity", None),
    ("mixlint-rules: 1\nrules:\n  - id: x\n    kind: max-epochs\n    max: 4\n  - id: x\n    kind: max-epochs\n    max: 5\n",
     6, "appears twice", None),
    ("mixlint-rules: 1\nrules:\n  - just a string\n", 3, "a rule is a mapping", None),
    ("mixlint-rules: 1\nrulez: []\n", 2, "unknown key 'rulez'", "did you mean 'rules'?"),
    ("rules: []\n", 1, "missing required key 'mixlint-rules'", None),
    ("- a\n", 1, "a rule pack is a mapping", None),
    ("mixlint-rules: 1\nrules:\n  - id: mixlint-load\n    kind: share\n", 3, "reserved", None),
])
def test_invalid_packs_are_located(write, text, line, message, hint):
    found = problems(write, text)
    assert found[0].line == line, found
    assert message in found[0].message
    assert found[0].path.endswith("pack.yaml")
    if hint:
        assert found[0].hint == hint


def test_selection_by_prefix(write):
    rules = load_rules(["mixlint:code"], ".")
    ids = {r.id for r in rules.rules}
    assert {r.id for r in rules.selected(["min-", "max"], [])} == {"min-code-share", "max-epochs"}
    assert {r.id for r in rules.selected([], ["card", "license"])} == ids - {"card-fields", "license-declared"}


def test_paths_and_applies_to(write):
    rules = rules_of(write, "mixlint-rules: 1\nrules:\n" + SHARE_RULE + "    paths: ['mixes/**']\n    applies_to: manifest\n")
    (rule,) = rules.rules
    assert rule.applies("manifest", "mixes/a/b.mixture.yaml")
    assert not rule.applies("manifest", "other/b.mixture.yaml")
    assert not rule.applies("card", "mixes/README.md")


def test_severity_off_is_never_applied(write):
    (rule,) = rules_of(write, "mixlint-rules: 1\nrules:\n" + SHARE_RULE + "    severity: off\n").rules
    assert not rule.applies("manifest", "a.mixture.yaml")


def test_kinds_have_docs_with_an_example():
    for kind in map(get_kind, kind_names()):
        assert kind.doc.splitlines()[0].startswith(f"``{kind.name}``: ")
        assert f"kind: {kind.name}" in kind.doc, f"the docs of {kind.name!r} show an example rule"


def test_every_problem_of_a_pack_is_reported_at_once(write):
    found = problems(write, "mixlint-rules: 2\nrulez: []\nrules:\n  - id: Bad_Id\n    kind: shares\n"
                            "  - id: x\n    kind: max-epochs\n    severty: warning\n    max: -1\n")
    messages = [(p.line, p.message) for p in found]
    assert (1, "mixlint-rules: Input should be 1 (got 2)") in messages
    assert any(line == 2 and "unknown key 'rulez'" in m for line, m in messages)
    assert any(line == 4 and "kebab-case" in m for line, m in messages)
    assert any(line == 5 and "unknown rule kind 'shares'" in m for line, m in messages)
    severty = next(p for p in found if "severty" in p.message)
    assert (severty.line, severty.hint) == (8, "did you mean 'severity'?")
    assert any(line == 9 and "negative" in m for line, m in messages)


def test_internal_field_names_are_not_keys(write):
    found = problems(write, "version: 1\nrules: []\n")
    assert any("unknown key 'version'" in p.message for p in found)
    assert any(p.message == "missing required key 'mixlint-rules'" for p in found)


def test_extends_a_directory_says_so(write, tmp_path):
    (tmp_path / "packs").mkdir()
    (problem,) = problems(write, "mixlint-rules: 1\nextends: [packs]\n")
    assert "is a directory" in problem.message and problem.line == 2


def test_missing_pack_on_the_command_line_names_the_option(tmp_path):
    with pytest.raises(MixlintError) as raised:
        load_rules(["nope.yaml"], str(tmp_path), "--mixlint-rules")
    (problem,) = raised.value.problems
    assert problem.path == "--mixlint-rules" and "relative to the current directory" in (problem.hint or "")
