"""Evaluate one rule on one document and decide the outcome, applying severity and ignores."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .documents import Document
from .kinds import Evaluation, Finding
from .kinds.base import Unit
from .packs import Rule
from .problems import Problem

Outcome = Literal["passed", "failed", "warned", "error", "skipped", "suppressed"]
LOAD_RULE = "mixlint-load"


@dataclass
class Result:
    path: str
    rule: str
    kind: str
    severity: str
    outcome: Outcome
    message: str
    line: int | None = None
    observed: float | None = None
    threshold: float | None = None
    unit: Unit = "number"
    findings: list[Finding] = field(default_factory=list)
    sources: tuple[str, ...] = ()
    why: str | None = None
    origin: str = ""

    def report_entry(self) -> dict[str, Any]:
        """The result as the JSON report's SPEC lists it."""
        return {"rule": self.rule, "kind": self.kind, "severity": self.severity, "outcome": self.outcome,
                "observed": self.observed, "threshold": self.threshold, "message": self.message, "line": self.line}

    def to_json(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies recursively and cost more than evaluating the rule.
        return {"path": self.path, "rule": self.rule, "kind": self.kind, "severity": self.severity,
                "outcome": self.outcome, "message": self.message, "line": self.line, "observed": self.observed,
                "threshold": self.threshold, "unit": self.unit,
                "findings": [{"level": f.level, "message": f.message, "line": f.line, "sources": list(f.sources),
                              "observed": f.observed, "threshold": f.threshold, "hint": f.hint, "path": f.path}
                             for f in self.findings],
                "sources": list(self.sources), "why": self.why, "origin": self.origin}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        data = dict(data)
        data["findings"] = [Finding(**{**f, "sources": tuple(f["sources"])}) for f in data.get("findings", [])]
        data["sources"] = tuple(data.get("sources", ()))
        return cls(**data)

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


def evaluate(rule: Rule, document: Document) -> Result:
    try:
        evaluation = rule.kind.check(document, rule.options)
    except Exception as exc:  # a broken (third-party) kind must not take the run down
        evaluation = Evaluation(error=f"rule kind {rule.kind.name!r} crashed: {type(exc).__name__}: {exc}")
    result = _result(rule, document, evaluation)
    return _apply_ignores(result, rule, document)


def _result(rule: Rule, document: Document, evaluation: Evaluation) -> Result:
    base = dict(path=document.path, rule=rule.id, kind=rule.kind.name, severity=rule.severity,
                observed=evaluation.observed, threshold=evaluation.threshold, unit=evaluation.unit, sources=evaluation.sources,
                why=rule.why, origin=rule.origin)
    if evaluation.error:
        # A warning rule never fails, even when it cannot be evaluated.
        outcome = "warned" if rule.severity == "warning" else "error"
        return Result(**base, outcome=outcome, message=evaluation.error, line=evaluation.error_line)  # type: ignore[arg-type]
    findings = evaluation.findings
    if rule.severity == "warning":  # a warning rule never fails, whatever its thresholds say
        findings = [Finding(**{**asdict(f), "level": "warning"}) for f in findings]
    errors = [f for f in findings if f.level == "error"]
    warnings = [f for f in findings if f.level == "warning"]
    if errors:
        outcome, first = "failed", errors[0]
    elif warnings:
        outcome, first = "warned", warnings[0]
    elif evaluation.skipped:
        return Result(**base, outcome="skipped", message=evaluation.skipped, line=document.line())  # type: ignore[arg-type]
    else:
        return Result(**base, outcome="passed", message=evaluation.summary or "ok", line=document.line())  # type: ignore[arg-type]
    shown = errors + warnings if outcome == "failed" else warnings
    message = first.message + (f" (and {len(shown) - 1} more)" if len(shown) > 1 else "")
    if first.observed is not None:
        base["observed"], base["threshold"] = first.observed, first.threshold
    if first.sources:
        base["sources"] = first.sources
    return Result(**base, outcome=outcome, message=message, line=first.line, findings=findings)  # type: ignore[arg-type]


def _apply_ignores(result: Result, rule: Rule, document: Document) -> Result:
    entries = [i for i in document.ignores if i.rule == rule.id]
    if not entries:
        return result
    entry = entries[0]
    if result.outcome in ("failed", "warned", "error"):
        result.message = f"{result.message} [suppressed at line {entry.line}: {entry.reason}]"
        result.outcome = "suppressed"
    elif result.outcome == "passed":
        result.outcome = "warned"
        result.findings = [Finding("warning", f"unused ignore of {rule.id!r}: the rule passes", entry.line,
                                   hint="remove the ignore entry")]
        result.message = f"unused ignore of {rule.id!r} (line {entry.line}): the rule passes; remove the entry"
        result.line = entry.line
    return result


def ignore_notes(document: Document, known: set[str], applicable: set[str]) -> list[Problem]:
    """Ignore entries that cannot take effect: an unknown rule (a typo, or a rule removed from the
    packs), a rule that does not apply to this document, or a second entry for the same rule."""
    notes, seen = [], set()
    for entry in document.ignores:
        if entry.rule in seen:
            notes.append(Problem(document.path, entry.line, f"second ignore entry for {entry.rule!r}", "keep one entry per rule"))
        elif entry.rule not in known:
            notes.append(Problem(document.path, entry.line, f"ignore entry names unknown rule {entry.rule!r}", "check the rule id"))
        elif entry.rule not in applicable:
            notes.append(Problem(document.path, entry.line, f"ignore entry names rule {entry.rule!r}, which does not apply "
                                 f"to this {document.kind}", "remove the entry"))
        seen.add(entry.rule)
    return notes


def skipped(rule: Rule, document: Document, reason: str) -> Result:
    return Result(path=document.path, rule=rule.id, kind=rule.kind.name, severity=rule.severity, outcome="skipped",
                  message=reason, line=document.line(), why=rule.why, origin=rule.origin)


def measurement_error(rule: Rule, document: Document, problems: list[Problem]) -> Result:
    """The data files could not be measured: the rule's item fails, naming each data problem."""
    first = problems[0]
    own = first.path == document.path and first.line is not None
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return Result(path=document.path, rule=rule.id, kind=rule.kind.name, severity=rule.severity,
                  outcome="warned" if rule.severity == "warning" else "error",
                  message=f"cannot measure the data: {first.located}{more}",  # hints are in the findings
                  line=first.line if own else document.line(),  # the document's own problem at its line
                  findings=[Finding("error", p.message, p.line, hint=p.hint, path=p.path) for p in problems],
                  why=rule.why, origin=rule.origin)


def load_error(path: str, problems: list[Problem]) -> Result:
    first = problems[0] if problems else Problem(path, None, "cannot be read")
    message = "; ".join(f"{p.message}" + (f" (hint: {p.hint})" if p.hint else "") for p in problems)
    return Result(path=path, rule=LOAD_RULE, kind="load", severity="error", outcome="error",
                  message=message, line=first.line,
                  findings=[Finding("error", p.message, p.line, hint=p.hint) for p in problems])
