"""SARIF 2.1.0 (``--mixlint-report=out.sarif``, ``mixlint check --format sarif``): for GitHub code
scanning and other static-analysis dashboards.

One run of the tool ``pytest-mixlint``; its rules are the rules that produced a result, with the
kind, the severity, where the rule is defined and its ``why`` as help; one SARIF result per
finding, at its file and line. Suppressed and baselined results are kept with a suppression, as
SARIF viewers expect. Every location is relative to ``%SRCROOT%``, the pytest rootdir.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..baseline import key_of
from ..kinds import Finding
from ..outcomes import Result
from .record import RunRecord

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"failed": "error", "error": "error", "warned": "warning", "suppressed": "warning", "baselined": "warning"}


def to_sarif(run: RunRecord, rootdir: str | None = None) -> dict[str, Any]:
    results = [r for r in run.all_results() if r.outcome in _LEVEL]
    rules: dict[str, dict[str, Any]] = {}
    for result in results:
        rules.setdefault(result.rule, _rule(result))
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    sarif_results = [entry for result in results for entry in _results(result, index[result.rule])]
    tool_run: dict[str, Any] = {
        "tool": {"driver": {"name": "pytest-mixlint", "version": __version__, "semanticVersion": __version__,
                            "informationUri": "https://github.com/pytest-mixlint/pytest-mixlint",
                            "rules": list(rules.values())}},
        "columnKind": "unicodeCodePoints",
        "results": sarif_results,
    }
    if rootdir:
        tool_run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": _directory_uri(rootdir)}}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [tool_run]}


def _directory_uri(path: str) -> str:
    return Path(path).resolve().as_uri().rstrip("/") + "/"


def _rule(result: Result) -> dict[str, Any]:
    described = f"{result.rule}: a rule of kind {result.kind}"
    rule: dict[str, Any] = {
        "id": result.rule, "name": result.kind,
        "shortDescription": {"text": described},
        "defaultConfiguration": {"level": "warning" if result.severity == "warning" else "error"},
        "properties": {"kind": result.kind, "severity": result.severity, "origin": result.origin},
    }
    if result.why:
        rule["fullDescription"] = {"text": result.why}
        rule["help"] = {"text": f"{result.why}\n\nDefined at {result.origin}."}
    else:
        rule["help"] = {"text": f"Defined at {result.origin}."}
    return rule


def _results(result: Result, rule_index: int) -> list[dict[str, Any]]:
    """One SARIF result per finding, and per finding a baseline accepted (suppressed, as the
    whole of a baselined result is), so that code scanning sees every alert in every run."""
    entries = _finding_results(result, rule_index, result.findings, result.outcome)
    return entries + _finding_results(result, rule_index, result.accepted, "baselined")


def _finding_results(result: Result, rule_index: int, findings: list[Finding], outcome: str) -> list[dict[str, Any]]:
    level = _LEVEL[outcome]
    entries = []
    for finding in findings:
        message = result.in_stage(finding.message + (f" (hint: {finding.hint})" if finding.hint else ""))
        line = finding.line or (result.line if not finding.path else None)
        entry = _entry(result, rule_index, "warning" if finding.level == "warning" else level, message,
                       finding.path or result.path, line)
        # The baseline's key: stable across line moves and number changes, as code scanning wants.
        key = json.dumps(key_of(result, finding).to_json(), sort_keys=True)
        entry["partialFingerprints"] = {"mixlintFinding/v1": hashlib.sha256(key.encode()).hexdigest()}
        if finding.observed is not None:
            entry["properties"] = {"observed": finding.observed, "threshold": finding.threshold, "unit": finding.unit}
        entries.append(entry)
    if not findings and outcome == result.outcome:
        entries.append(_entry(result, rule_index, level, result.in_stage(result.message), result.path, result.line))
    for entry in entries:
        if outcome == "suppressed":
            entry["suppressions"] = [{"kind": "inSource", "justification": result.message}]
        elif outcome == "baselined":
            entry["suppressions"] = [{"kind": "external", "justification": "recorded in the mixlint baseline"}]
            entry["baselineState"] = "unchanged"
    return entries


def _entry(result: Result, rule_index: int, level: str, message: str, path: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}}
    if line:
        physical["region"] = {"startLine": line}
    return {"ruleId": result.rule, "ruleIndex": rule_index, "level": level, "message": {"text": message},
            "locations": [{"physicalLocation": physical}]}


def render(run: RunRecord, rootdir: str | None = None) -> str:
    return json.dumps(to_sarif(run, rootdir), indent=2, ensure_ascii=False) + "\n"
