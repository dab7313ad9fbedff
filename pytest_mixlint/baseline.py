"""Baselines: adopt the gate on a repository that already has problems, and block only new ones.

``--write-baseline FILE`` records every finding of a run; ``--baseline FILE`` then accepts the
recorded ones: a result whose findings are all recorded is ``baselined`` (it passes), a result
with a new finding fails on the new ones only, and a recorded finding that no longer occurs in a
document of the run is *stale* (listed; a failure under ``--strict``), so the file only shrinks.

A finding's key is what survives unrelated edits: the file, the rule id, the sources it is about
and its message with every number masked. A line move or a share going from 4.5% to 4.4% keeps
the key; a new source, rule or kind of problem does not. The file is sorted JSON with one entry
per key, fit to commit and to review in a diff.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .kinds import Finding
from .outcomes import Result, narrowed
from .problems import MixlintError, Problem

VERSION = 1
# Numbers as messages write them: 4.5%, 1,234, 0.08, 3e9, -5.0; a name's digits (llama-1) are kept
# by requiring no letter, hyphen or underscore right before the number.
_NUMBER = re.compile(r"(?<![\w-])[-+]?\d[\d,]*(\.\d+)?([eE][-+]?\d+)?")
BASELINED = "baselined"


@dataclass(frozen=True, order=True)
class Key:
    path: str
    rule: str
    sources: tuple[str, ...]
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "rule": self.rule, "sources": list(self.sources), "message": self.message}


def key_of(result: Result, finding: Finding) -> Key:
    return Key(finding.path or result.path, result.rule, tuple(sorted(finding.sources)), _NUMBER.sub("#", finding.message))


def keys_of(result: Result) -> list[Key]:
    """The keys of a result's findings, when the result is one a baseline can accept."""
    if result.outcome not in ("failed", "warned", "error", BASELINED):
        return []
    return [key_of(result, f) for f in (*result.findings, *result.accepted)]


@dataclass(frozen=True)
class Baseline:
    path: str
    keys: frozenset[Key]

    def apply(self, result: Result) -> Result:
        """The result with the recorded findings accepted: ``baselined`` when all are, else the
        outcome of the new ones (whose first is the message)."""
        if result.outcome not in ("failed", "warned", "error") or not result.findings:
            return result
        new = [f for f in result.findings if key_of(result, f) not in self.keys]
        if not new:
            return replace(result, outcome=BASELINED,  # type: ignore[arg-type]
                           message=f"{result.message} [baselined in {self.path}]")
        if len(new) == len(result.findings):
            return result
        return narrowed(result, new, f"{len(result.findings) - len(new)} more baselined in {self.path}")

    def stale(self, results: list[Result]) -> list[Key]:
        """Recorded findings of the documents in ``results`` that none of them has any more."""
        checked = {r.path for r in results}
        found = {key for r in results for key in keys_of(r)}
        return sorted(k for k in self.keys if k.path in checked and k not in found)


def load_baseline(path: Path, shown: str) -> Baseline:
    """Raises MixlintError naming the file (and the line) and the fix."""
    hint = f"write it with --write-baseline {shown} (or --mixlint-write-baseline={shown})"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MixlintError(Problem(shown, None, f"cannot read the baseline: {exc.strerror or exc}", hint)) from None
    except UnicodeDecodeError:
        raise MixlintError(Problem(shown, None, "the baseline is not UTF-8 text", hint)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MixlintError(Problem(shown, exc.lineno, f"the baseline is not JSON: {exc.msg}", hint)) from None
    if not isinstance(data, dict) or data.get("mixlint_baseline") != VERSION or not isinstance(data.get("findings"), list):
        raise MixlintError(Problem(shown, 1, f'not a mixlint baseline (expected {{"mixlint_baseline": {VERSION}, '
                                   '"findings": [...]}})', hint))
    keys = set()
    for i, entry in enumerate(data["findings"]):
        try:
            keys.add(Key(str(entry["path"]), str(entry["rule"]), tuple(str(s) for s in entry.get("sources", [])),
                         str(entry["message"])))
        except (KeyError, TypeError, AttributeError):
            raise MixlintError(Problem(shown, _entry_line(text, i), f"baseline entry {i + 1} needs path, rule and message",
                                       hint)) from None
    return Baseline(shown, frozenset(keys))


def _entry_line(text: str, index: int) -> int | None:
    """The line of the ``index``-th entry, if the file is laid out as this module writes it."""
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("{") and n > 1]
    return starts[index] if index < len(starts) else None


def recorded(results: list[Result]) -> list[Key]:
    """Every finding of ``results`` that a baseline can accept, one key each, sorted."""
    return sorted({key for result in results for key in keys_of(result)})


def render_baseline(keys: list[Key]) -> str:
    return json.dumps({"mixlint_baseline": VERSION, "findings": [k.to_json() for k in keys]}, indent=2,
                      ensure_ascii=False) + "\n"
