"""Evaluate one rule on one document and decide the outcome, applying severity and ignores.

This is the core's one ``evaluate``: the plugin and the kind-case tests both call it. It knows
nothing of pytest; a rule that needs the data files gets the document's ``Measurement``.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from .comparison import Comparison
from .documents import Document, Ignore, document_id
from .kinds import Evaluation, Finding
from .kinds.base import UNITS, Unit
from .packs import Rule
from .paths import name_matches
from .problems import Problem

if TYPE_CHECKING:  # the scan stack is imported only when data is measured
    from .scan.measure import Measurement

Outcome = Literal["passed", "failed", "warned", "error", "skipped", "suppressed", "baselined"]
LOAD_RULE = "mixlint-load"
UNCHECKED_RULE = "mixlint-unchecked"


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
    unit: Unit = None
    findings: list[Finding] = field(default_factory=list)
    sources: tuple[str, ...] = ()  # the sources behind the result, as the user reads them
    why: str | None = None
    origin: str = ""
    traceback: str | None = None  # when the rule's kind raised: shown with --tb=long or -v
    comparison: Comparison | None = None  # before/after (kind compare)
    # Findings found but accepted by the baseline: not judged, but not stale either.
    accepted: list[Finding] = field(default_factory=list)
    stage: str | None = None  # the curriculum stage the document is (Document.stage)

    def report_entry(self) -> dict[str, Any]:
        """The result as the JSON report's SPEC lists it: every finding, located."""
        return {"rule": self.rule, "kind": self.kind, "severity": self.severity, "outcome": self.outcome,
                "observed": self.observed, "threshold": self.threshold, "unit": self.unit,
                "message": self.message, "line": self.line,
                "findings": [{"level": f.level, "message": f.message, "line": f.line, "path": f.path,
                              "source": f.sources[0] if len(f.sources) == 1 else None,
                              "sources": list(f.sources), "hint": f.hint} for f in self.findings],
                **({"baselined": len(self.accepted)} if self.accepted else {}),
                **({"comparison": msgspec.to_builtins(self.comparison)} if self.comparison is not None else {})}

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (what travels to the pytest-xdist controller on a test report)."""
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        return msgspec.convert(data, cls)

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def in_stage(self, message: str) -> str:
        """``message`` as a report outside the document's own section says it: with the stage,
        when the file holds several (a GitHub annotation, a SARIF result are located by file)."""
        return message if self.stage is None else f"stage {self.stage}: {message}"

    @property
    def document_id(self) -> str:
        """The document it is about: its path, and its stage in a curriculum (``path::stage``)."""
        return document_id(self.path, self.stage)


def evaluate(rule: Rule, document: Document, measurement: Measurement | None = None, strict: bool = False,
             accept: Callable[[Result], Result] | None = None) -> Result:
    """The outcome of ``rule`` on ``document``. A rule that needs the data files is given the
    document's ``measurement`` (``measure_document``); ``accept`` takes out what a baseline
    accepts; then ``strict`` makes warnings failures."""
    result = _evaluate(rule, document, measurement)
    if result.line is None:  # every result is located, at least at the document
        result.line = document.line()
    return judged(result, strict, accept)


def judged(result: Result, strict: bool, accept: Callable[[Result], Result] | None = None) -> Result:
    """The last two steps of every result, in this order: the baseline, then --strict."""
    if accept is not None:
        result = accept(result)
    if strict and result.outcome == "warned":
        result.outcome = "failed"
    return result


def _evaluate(rule: Rule, document: Document, measurement: Measurement | None) -> Result:
    if rule.needs_measurement:
        if measurement is None:
            raise ValueError(f"rule {rule.id!r} needs the document's measurement")
        if measurement.problems:
            return _apply_ignores(measurement_error(rule, document, measurement.problems), rule, document)
        unmapped = {group: counts.documents for group, counts in measurement.unmapped.items()}
        document = replace(document, measured=measurement.mixture, unmapped_groups=unmapped)
        if rule.composition == "measured":
            if measurement.mixture is None:
                return skipped(rule, document, "no data files to measure")
            document = replace(document, mixture=measurement.mixture)
    trace = None
    try:
        evaluation = rule.kind.evaluate(document, rule.options)
        if not isinstance(evaluation, Evaluation):
            raise TypeError(f"its check returned {type(evaluation).__name__}, not an Evaluation")
    except (Exception, SystemExit) as exc:  # a broken (third-party) kind must not take the run down, even by sys.exit()
        evaluation = Evaluation(error=f"rule kind {rule.kind.name!r} crashed: {type(exc).__name__}: {exc}")
        trace = "".join(traceback.format_exception(exc))
    result = _result(rule, document, evaluation)
    result.traceback = trace or (evaluation.error if rule.kind.broken else None)  # a kind that broke, not a verdict
    return _apply_ignores(result, rule, document)


def _result(rule: Rule, document: Document, evaluation: Evaluation) -> Result:
    base = dict(path=document.path, stage=document.stage, rule=rule.id, kind=rule.kind.name, severity=rule.severity,
                observed=evaluation.observed, threshold=evaluation.threshold, unit=_unit(evaluation.unit),
                sources=evaluation.sources, why=rule.why, origin=rule.origin, comparison=evaluation.comparison)
    if evaluation.error:
        # A warning rule never fails, even when it cannot be evaluated.
        outcome = "warned" if rule.severity == "warning" else "error"
        return Result(**base, outcome=outcome, message=evaluation.error, line=evaluation.error_line,  # type: ignore[arg-type]
                      findings=[Finding("warning" if outcome == "warned" else "error", evaluation.error,
                                        evaluation.error_line, evaluation.sources)])
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
        base["observed"], base["threshold"], base["unit"] = first.observed, first.threshold, _unit(first.unit)
    if not evaluation.sources:  # every source of every finding, in order
        base["sources"] = tuple(dict.fromkeys(name for f in shown for name in f.sources))
    return Result(**base, outcome=outcome, message=message, line=first.line, findings=findings)  # type: ignore[arg-type]


def _unit(unit: Any) -> Unit:
    """A unit reports know; anything else (a custom kind's "number", the old default) is a plain number."""
    return unit if unit in UNITS else None


def _apply_ignores(result: Result, rule: Rule, document: Document) -> Result:
    entries = [i for i in document.ignores if i.rule == rule.id]
    whole = next((e for e in entries if e.source is None), None)
    if whole is not None:  # per-source entries beside it are redundant: ignore_notes says so
        if result.outcome in ("failed", "warned", "error"):
            result.message = f"{result.message} [suppressed at line {whole.line}: {whole.reason}]"
            result.outcome = "suppressed"
            return result
        return _unused(result, rule, [whole], "the rule passes") if result.outcome == "passed" else result
    by_source = [e for e in entries if e.source is not None]
    if not by_source or result.outcome in ("skipped", "suppressed"):
        return result
    if result.outcome == "passed":
        return _unused(result, rule, by_source, "the rule passes")
    # A finding is suppressed when every source it is about matches an entry's glob.
    used: set[int] = set()
    kept = []
    for finding in result.findings:
        matching = [i for i, e in enumerate(by_source)
                    if finding.sources and all(name_matches(s, e.source or "") for s in finding.sources)]
        used.update(matching)
        if not matching:
            kept.append(finding)
    unused = [e for i, e in enumerate(by_source) if i not in used]
    if not kept:
        if unused:  # the rest is suppressed; an entry that suppresses nothing is still said
            return _unused(result, rule, unused, "no finding is only about sources it matches (the others are suppressed)")
        entry = by_source[min(used)]
        result.message = f"{result.message} [suppressed for {entry.source!r} at line {entry.line}: {entry.reason}]"
        result.outcome = "suppressed"
        return result
    if len(kept) < len(result.findings):
        result = narrowed(result, kept, f"{len(result.findings) - len(kept)} more suppressed by source")
    # A finding about several sources (a domain's) is suppressed only when the glob matches them all.
    result.findings += [_unused_finding(rule, e, "no finding is only about sources it matches") for e in unused]
    return result


def _unused_finding(rule: Rule, entry: Ignore, why: str) -> Finding:
    about = f" for sources {entry.source!r}" if entry.source else ""
    return Finding("warning", f"unused ignore of {rule.id!r}{about}: {why}", entry.line, hint="remove the ignore entry")


def _unused(result: Result, rule: Rule, entries: list[Ignore], why: str) -> Result:
    """The rule's item warns: ignore entries that suppress nothing must go (each is a finding)."""
    result.outcome = "warned"
    result.findings = [_unused_finding(rule, e, why) for e in entries]
    first = entries[0]
    about = f" for sources {first.source!r}" if first.source else ""
    more = f" (and {len(entries) - 1} more)" if len(entries) > 1 else ""
    result.message = f"unused ignore of {rule.id!r}{about} (line {first.line}): {why}; remove the entry{more}"
    result.line = first.line
    return result


def narrowed(result: Result, kept: list[Finding], note: str, accepted: bool = False) -> Result:
    """``result`` judged on ``kept``, some of its findings; ``note`` says what happened to the
    others: ``accepted`` by a baseline (they are still found: not stale), or suppressed."""
    first = kept[0]
    if result.outcome == "error":
        outcome: Outcome = "error"
    else:
        outcome = "failed" if any(f.level == "error" for f in kept) else "warned"
    more = f" (and {len(kept) - 1} more)" if len(kept) > 1 else ""
    others = [f for f in result.findings if f not in kept]
    return replace(result, outcome=outcome, findings=list(kept),
                   accepted=result.accepted + (others if accepted else []), line=first.line or result.line,
                   message=f"{first.message}{more} [{note}]",
                   observed=first.observed if first.observed is not None else result.observed,
                   threshold=first.threshold if first.observed is not None else result.threshold,
                   sources=tuple(dict.fromkeys(s for f in kept for s in f.sources)) or result.sources)


def ignore_notes(document: Document, known: set[str], applicable: set[str]) -> list[Problem]:
    """Ignore entries that cannot take effect: an unknown rule (a typo, or a rule removed from the
    packs), a rule that does not apply to this document, or a second entry for the same rule."""
    notes, seen = [], set()
    whole = {entry.rule: entry.line for entry in document.ignores if entry.source is None}
    for entry in document.ignores:
        if entry.source is not None and entry.rule in whole:
            notes.append(Problem(document.path, entry.line, f"ignore entry for {entry.rule!r} and sources {entry.source!r} "
                                 f"is redundant: the rule is ignored as a whole at line {whole[entry.rule]}",
                                 "remove one of the entries"))
        elif (entry.rule, entry.source) in seen:
            about = f" and sources {entry.source!r}" if entry.source else ""
            notes.append(Problem(document.path, entry.line, f"second ignore entry for {entry.rule!r}{about}",
                                 "keep one entry per rule (and source)"))
        elif entry.rule not in known:
            notes.append(Problem(document.path, entry.line, f"ignore entry names unknown rule {entry.rule!r}", "check the rule id"))
        elif entry.rule not in applicable:
            notes.append(Problem(document.path, entry.line, f"ignore entry names rule {entry.rule!r}, which does not apply "
                                 f"to this {document.kind}", "remove the entry"))
        seen.add((entry.rule, entry.source))
    return notes


def skipped(rule: Rule, document: Document, reason: str) -> Result:
    return Result(path=document.path, stage=document.stage, rule=rule.id, kind=rule.kind.name, severity=rule.severity,
                  outcome="skipped",
                  message=reason, line=document.line(), why=rule.why, origin=rule.origin)


def measurement_error(rule: Rule, document: Document, problems: list[Problem]) -> Result:
    """The data files could not be measured: the rule's item fails, naming each data problem."""
    first = problems[0]
    own = first.path == document.path and first.line is not None
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    # The document's own problem is at the result's line already; a data file's is named.
    where = first.message if first.path == document.path else first.located
    return Result(path=document.path, stage=document.stage, rule=rule.id, kind=rule.kind.name, severity=rule.severity,
                  outcome="warned" if rule.severity == "warning" else "error",
                  message=f"cannot measure the data: {where}{more}",  # hints are in the findings
                  line=first.line if own else document.line(),  # the document's own problem at its line
                  findings=[Finding("error", p.message, p.line, hint=p.hint, path=None if p.path == document.path else p.path)
                            for p in problems],
                  why=rule.why, origin=rule.origin)


def load_error(path: str, problems: list[Problem], stage: str | None = None) -> Result:
    first = problems[0] if problems else Problem(path, None, "cannot be read")
    message = "; ".join(f"{p.message}" + (f" (hint: {p.hint})" if p.hint else "") for p in problems)
    return Result(path=path, stage=stage, rule=LOAD_RULE, kind="load", severity="error", outcome="error",
                  message=message, line=first.line if first.path == path else None,  # another file's line is its own
                  findings=[Finding("error", p.message, p.line, hint=p.hint, path=None if p.path == path else p.path)
                            for p in problems])


def unchecked(path: str, line: int) -> Result:
    """A file that starts like a manifest but no pattern makes one: it is not checked, and says so."""
    message = (f"{path} looks like a mixture manifest (`mixlint: 1`) but is not checked: name it *.mixture.yaml "
               "(or .yml, .json, .toml), or add a pattern to the mixlint_manifests ini option")
    return Result(path=path, rule=UNCHECKED_RULE, kind="discovery", severity="warning",
                  outcome="warned", message=message, line=line, origin="mixlint (the mixlint_manifests patterns)",
                  findings=[Finding("warning", message, line)])
