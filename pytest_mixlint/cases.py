"""Rule case files: an author's tests of a rule, written as cases, not test code.

A case file (YAML, in ``mixlint-tests/`` or named by ``mixlint test``)::

    mixlint-tests: 1
    kind: share                     # the kind of the cases' inline rules
    document: |                     # the document every case checks, unless it gives its own
      mixlint: 1
      sources:
        - {name: web, weight: 90}
        - {name: the-stack, domain: code, weight: 10}
    cases:
      - name: passes-above-the-floor
        rule: {select: {domain: code}, min: 5%}     # an inline rule of ``kind``
        outcome: passed
        observed: 0.10
      - name: the-team-floor-fails
        rule: min-code-share                         # a rule of the packs in effect, by id
        document_file: ../mixes/small.mixture.yaml   # a document on disk (relative to this file)
        outcome: failed
        message: below 20.0%
        lines: [4]

Each case is run as ``mixlint check`` would run it: the rule and the document (a manifest, or a
card when ``document_kind: card`` or the file is a README.md), through the core's ``Run``. What a
case expects is its ``outcome`` (or, for options the kind refuses, ``options_error``: a fragment
of the located error), and optionally ``message`` (a fragment), ``observed``, ``line`` (the
result's) and ``lines`` (its findings'). A case that does not hold says what it expected and what
came out. The project's own kind tests are case files run by this module.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .access import within
from .coercion import Version1
from .documents.syntax import parse_text, read_text
from .documents.validation import problems_from
from .limits import INI as LIMIT_KEYS
from .outcomes import Result
from .problems import MixlintError, Problem

if TYPE_CHECKING:
    from .settings import Ini

CASES_KEY = "mixlint-tests"
PACK_NAME = "the-case-rule.yaml"  # where a case's inline rule is written, beside its document
Outcome = Literal["passed", "failed", "warned", "error", "skipped", "suppressed"]


class _Given(BaseModel):
    """What a case file gives every case, and a case may give for itself: the rule and the document."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    rule: str | dict[str, Any] | None = None
    document: str | None = None
    document_file: str | None = None
    document_kind: Literal["manifest", "card"] | None = None
    files: dict[str, str] = {}

    @field_validator("files")
    @classmethod
    def _inside(cls, value: dict[str, str]) -> dict[str, str]:
        return _scratch_names(value)


class CaseModel(_Given):
    name: str = Field(min_length=1)
    outcome: Outcome | None = None
    options_error: str | None = None
    message: str | None = None
    observed: float | None = None
    line: int | None = None
    lines: list[int] | None = None

    @field_validator("name")
    @classmethod
    def _node_id(cls, value: str) -> str:
        if "::" in value or not value.isprintable():
            raise ValueError("a case name names a test (file::case): no '::' and no control characters")
        return value

    @model_validator(mode="after")
    def _expects_one_thing(self) -> CaseModel:
        if (self.outcome is None) == (self.options_error is None):
            raise ValueError("a case expects an outcome, or an options_error (a rule the kind refuses)")
        if self.document is not None and self.document_file is not None:
            raise ValueError("give document or document_file, not both")
        return self


class CaseFileModel(_Given):
    version: Version1 = Field(alias="mixlint-tests")
    kind: str | None = None
    cases: list[CaseModel] = Field(min_length=1)


def _scratch_names(files: dict[str, str]) -> dict[str, str]:
    """Names of files written beside a case's document: relative (run_case keeps them inside the
    case's scratch directory)."""
    for name in files:
        if not name or os.path.isabs(name) or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise ValueError(f"{name!r} is not a relative name (a/b.yaml)")
    return files


@dataclass(frozen=True)
class Case:
    """One case, with its file's defaults filled in."""

    file: str  # the case file as shown
    name: str
    line: int | None
    model: CaseModel
    rule: str | dict[str, Any]
    document: str | None
    document_file: str | None  # absolute
    document_kind: Literal["manifest", "card"]
    files: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


@dataclass
class CaseOutcome:
    case: Case
    differences: list[str] = field(default_factory=list)  # "outcome: expected passed, got failed"
    result: Result | None = None

    @property
    def passed(self) -> bool:
        return not self.differences

    def explain(self, traceback: bool = False) -> str:
        """Expected against actual; ``traceback``: the kind's, when it crashed."""
        where = f"{self.case.file}:{self.case.line}" if self.case.line else self.case.file
        lines = [f"{where}: case {self.case.name!r} does not hold:"] + [f"  {d}" for d in self.differences]
        if self.result is not None:
            lines.append(f"  the rule said: {self.result.outcome}: {self.result.message}")
            if traceback and self.result.traceback:
                lines += ["", self.result.traceback.rstrip()]
        return "\n".join(lines)


# What starts a case file, or a near miss (mixlint-test:, mixlint_tests:) that is collected so that
# its load error says how to fix it, rather than being left out.
_HEADER = re.compile(r"^mixlint[-_]tests?\s*:", re.MULTILINE)


def is_case_file(path: str) -> bool:
    """Does the file start like a case file (``mixlint-tests:`` near its top, or nearly)?"""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return _HEADER.search(handle.read(4096)) is not None
    except OSError:
        return False


def load_cases(path: str, display: str) -> list[Case]:
    """The cases of a case file. Raises MixlintError with every located problem."""
    parsed = parse_text(read_text(path, display), display, "yaml")
    try:
        model = CaseFileModel.model_validate(parsed.data)
    except ValidationError as exc:
        raise MixlintError(problems_from(exc, parsed, display, CaseFileModel,
                                         {CASES_KEY: f"start the file with `{CASES_KEY}: 1`"})) from None
    base = os.path.dirname(os.path.abspath(path))
    cases, problems, seen = [], [], set()
    for i, case in enumerate(model.cases):
        line = parsed.line(("cases", i))
        rule = case.rule if case.rule is not None else model.rule
        if rule is None:
            problems.append(Problem(display, line, f"case {case.name!r} names no rule",
                                    "give rule: an id of the packs in effect, or the options of the file's kind"))
            continue
        if isinstance(rule, dict) and "kind" not in rule and model.kind is None:
            problems.append(Problem(display, line, f"case {case.name!r}: an inline rule needs a kind",
                                    "give kind: at the top of the file, or in the rule"))
            continue
        if case.name in seen:
            problems.append(Problem(display, line, f"a second case named {case.name!r}", "give every case its own name"))
            continue
        seen.add(case.name)
        own = case.document is not None or case.document_file is not None
        document = case.document if own else model.document
        document_file = case.document_file if own else model.document_file
        if document is None and document_file is None:
            problems.append(Problem(display, line, f"case {case.name!r} has no document",
                                    "give document: (the text) or document_file: (a path)"))
            continue
        kind = case.document_kind or model.document_kind or (
            "card" if document_file and os.path.basename(document_file).lower() == "readme.md" else "manifest")
        if isinstance(rule, dict) and "kind" not in rule:
            rule = {"kind": model.kind, **rule}
        cases.append(Case(display, case.name, line, case, rule, document,
                          os.path.join(base, document_file) if document_file else None, kind,
                          {**model.files, **case.files}))
    if problems:
        raise MixlintError(problems)
    return cases


def run_case(case: Case, packs: tuple[str, ...] = (), ini: Ini | None = None, rootdir: Path | None = None) -> CaseOutcome:
    """Run one case as ``mixlint check`` would, with the run's ``ini`` (its domains, variables,
    catalogue, strictness). ``packs``: the packs in effect (absolute paths or ``ORG:NAME``), for a
    case that names its rule by id; ``rootdir``: the repository's, which a ``document_file`` must
    be inside (as every file mixlint reads)."""
    from .checking import Run
    from .outcomes import LOAD_RULE
    from .settings import CommandLine, SettingsError, read_settings

    outcome = CaseOutcome(case)
    expected = case.model
    with tempfile.TemporaryDirectory(prefix="mixlint-case-") as scratch:
        # The document's directory, one level inside the scratch directory: a case may put a file
        # beside it (../elsewhere/a.jsonl, to test data outside the root), never outside the scratch.
        # The inline rule's pack lies beside the document (its relative references resolve there),
        # under a name no file of the case may take.
        root = Path(scratch).resolve() / "case"
        root.mkdir()
        pack = root / PACK_NAME
        rule_id = case.rule if isinstance(case.rule, str) else str(case.rule.get("id", "the-rule"))
        references = packs
        if isinstance(case.rule, dict):
            pack.write_text(yaml.safe_dump({"mixlint-rules": 1, "rules": [{"id": rule_id, **case.rule}]}), encoding="utf-8")
            references = (str(pack),)
        own = {PACK_NAME} | ({"README.md", "case.mixture.yaml"} if case.document_file is None else set())
        for name, text in case.files.items():
            target = (root / name).resolve()
            if not within(str(target), str(root.parent)) or target.is_dir() or target.name in own and target.parent == root:
                outcome.differences.append(f"files: {name!r} is not a file beside the case's document")
                return outcome
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(textwrap.dedent(text), encoding="utf-8")
            except OSError as exc:  # "a" and "a/b" both given
                outcome.differences.append(f"files: {name!r} cannot be written: {exc.strerror or exc}")
                return outcome
        if case.document_file is not None:
            document = Path(case.document_file).resolve()
            base = (rootdir or document.parent).resolve()
            if not document.is_file() or not within(str(document), str(base)):
                outcome.differences.append(f"document_file {case.model.document_file or ''} is not a file inside "
                                           f"the repository ({base})")
                return outcome
            where = base
        else:
            document = root / ("README.md" if case.document_kind == "card" else "case.mixture.yaml")
            document.write_text(textwrap.dedent(case.document or ""), encoding="utf-8")
            where = root
        try:
            settings = read_settings(_NoIni(ini), CommandLine(where, rules=references, select=(rule_id,)), where)
            run = Run(settings)
        except SettingsError as exc:
            # The inline rule's pack is this case's scratch file: say the case, not that file.
            here = f"{case.file}:{case.line} (the case's rule)"
            said = re.sub(rf"\S*mixlint-case-[^/\\\s]*[/\\]case[/\\]{re.escape(PACK_NAME)}(:\d+)?", lambda _: here,
                          "\n".join(exc.problems)).replace("the rules cannot be loaded:\n", "").strip()
            if isinstance(case.rule, str) and "no rule is selected" in said:  # an id no pack in effect has
                ids = re.search(r"the rules are: (.*)$", said)
                known = ids.group(1).split(", ") if ids else []
                close = difflib.get_close_matches(rule_id, known, n=1)
                said = f"no rule {rule_id!r} in the packs in effect" + (f" (did you mean {close[0]!r}?)" if close else "")
            if expected.options_error is None:
                outcome.differences.append(f"the rule cannot be loaded: {said}")
            elif expected.options_error not in said:
                outcome.differences.append(f"options_error: expected a fragment {expected.options_error!r}, got {said!r}")
            return outcome
        if expected.options_error is not None:
            outcome.differences.append(f"options_error: expected {expected.options_error!r}, but the rule loads")
            return outcome
        if rule_id not in {r.id for r in run.rules.rules}:
            outcome.differences.append(f"no rule {rule_id!r} in the packs in effect ({', '.join(packs) or 'none'})")
            return outcome
        # The case says what its document is: no pattern or content guess of the repository applies.
        check = _as_document(run, document, case.document_kind)
        results = [r for r in run.results(run.open(check)) if r.rule in (rule_id, LOAD_RULE)]
        if not results:
            outcome.differences.append(f"rule {rule_id!r} does not apply to this {case.document_kind}")
            return outcome
        if results[0].rule == LOAD_RULE:  # the rule never ran: no outcome of it can hold
            outcome.differences.append(f"the document cannot be read: {results[0].message}")
            return outcome
        result = outcome.result = results[0]
        if result.traceback:  # a kind that crashed: no outcome it gives holds
            outcome.differences.append(f"the rule's kind crashed: {result.message}")
            return outcome
        outcome.differences += _compare(expected, result)
    return outcome


def _as_document(run: Any, path: Path, kind: str) -> Any:
    from .checking import DocumentCheck

    return DocumentCheck(path, run.discovery.display(path), kind)  # type: ignore[arg-type]


def _compare(expected: CaseModel, result: Result) -> list[str]:
    differences = []
    if result.outcome != expected.outcome:
        differences.append(f"outcome: expected {expected.outcome}, got {result.outcome}")
    if expected.message is not None and expected.message not in result.message:
        differences.append(f"message: expected a fragment {expected.message!r}, got {result.message!r}")
    if expected.observed is not None and (result.observed is None or not math.isclose(
            result.observed, expected.observed, rel_tol=1e-6, abs_tol=1e-12)):
        differences.append(f"observed: expected {expected.observed!r}, got {result.observed!r}")
    if expected.line is not None and result.line != expected.line:
        differences.append(f"line: expected {expected.line}, got {result.line}")
    if expected.lines is not None and [f.line for f in result.findings] != expected.lines:
        differences.append(f"lines: expected {expected.lines}, got {[f.line for f in result.findings]}")
    return differences


# What a case takes from the repository's ini: how documents are read (domains, variables, the
# catalogue, tokens, limits), not what the run judges or finds (strictness, patterns, packs).
_CASE_KEYS = ("mixlint_domains", "mixlint_variables", "mixlint_catalog", "mixlint_tokenizer", "mixlint_tokens",
              "mixlint_token_sample", "mixlint_allow_outside_root", *LIMIT_KEYS)


class _NoIni:
    """A run configured by its command line alone (a case brings its own rule and document), with
    the keys of ``ini`` that say how documents are read."""

    def __init__(self, ini: Ini | None = None) -> None:
        self.ini = ini
        self.path: Path | None = ini.path if ini is not None else None

    def lines(self, name: str) -> list[str]:
        return self.ini.lines(name) if self.ini is not None and name in _CASE_KEYS else []

    def text(self, name: str) -> str:
        return self.ini.text(name) if self.ini is not None and name in _CASE_KEYS else ""

    def flag(self, name: str) -> bool:
        return self.ini.flag(name) if self.ini is not None and name in _CASE_KEYS else False

    def mixlint_keys(self) -> list[str]:
        return []


def case_files(paths: list[Path], norecurse: list[str]) -> Iterator[Path]:
    """Case files among ``paths``: files named, and the ``*.yaml`` files under directories (as
    pytest walks them: not into ``norecursedirs``) that start like case files."""
    from .discovery import files_under

    for path in paths:
        if path.is_dir():
            yield from (p for p in files_under([path], norecurse)
                        if p.suffix in (".yaml", ".yml") and is_case_file(str(p)))
        else:
            yield path
