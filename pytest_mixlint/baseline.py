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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .documents import document_id
from .kinds import Finding
from .outcomes import Result, narrowed
from .problems import MixlintError, Problem

VERSION = 1
# Numbers as messages write them: 4.5%, 1,234, 0.08, 3e9, -5.0; a name's digits (llama-1,
# CC-BY-NC-4.0) are kept by requiring no letter, digit, underscore, hyphen or dot before them.
_NUMBER = re.compile(r"(?<![\w.-])[-+]?\d[\d,]*(\.\d+)?([eE][-+]?\d+)?")
BASELINED = "baselined"


@dataclass(frozen=True, order=True)
class Key:
    path: str
    rule: str
    sources: tuple[str, ...]
    message: str
    stage: str = ""  # the curriculum stage of the document ("": the file is one document)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, **({"stage": self.stage} if self.stage else {}), "rule": self.rule,
                "sources": list(self.sources), "message": self.message}

    @property
    def document_id(self) -> str:
        return document_id(self.path, self.stage or None)


def key_of(result: Result, finding: Finding) -> Key:
    stage = (result.stage or "") if not finding.path else ""  # a data file's finding is about no stage
    return Key(finding.path or result.path, result.rule, tuple(sorted(finding.sources)), _NUMBER.sub("#", finding.message),
               stage)


# A compare rule's findings are about a moving target (git:main moves, and its numbers are masked
# in keys): recorded once, any later drift of the same source would pass. Never baselined.
NOT_BASELINED_KINDS = frozenset({"compare"})


def keys_of(result: Result) -> list[Key]:
    """The keys of a result's findings, when the result is one a baseline can accept."""
    if result.outcome not in ("failed", "warned", "error", BASELINED) or result.kind in NOT_BASELINED_KINDS:
        return []
    return [key_of(result, f) for f in (*result.findings, *result.accepted)]


@dataclass(frozen=True)
class Baseline:
    path: str
    keys: frozenset[Key]
    seen: dict[Key, str] = field(default_factory=dict, compare=False)  # each entry's message as recorded

    def apply(self, result: Result) -> Result:
        """The result with the recorded findings accepted: ``baselined`` when all are, else the
        outcome of the new ones (whose first is the message)."""
        if result.outcome not in ("failed", "warned", "error") or not result.findings \
                or result.kind in NOT_BASELINED_KINDS:
            return result
        new = [f for f in result.findings if key_of(result, f) not in self.keys]
        if not new:
            return replace(result, outcome=BASELINED,  # type: ignore[arg-type]
                           message=f"{result.message} [baselined in {self.path}]")
        if len(new) == len(result.findings):
            return result
        return narrowed(result, new, f"{len(result.findings) - len(new)} more baselined in {self.path}", accepted=True)

    def stale(self, results: list[Result], root: Path) -> list[Key]:
        """Recorded findings no longer found, judged only where this run looked (``looked_at``)."""
        found = {key for r in results for key in keys_of(r)}
        return sorted(k for k in self.keys if k not in found and looked_at(k, results, root))


def looked_at(key: Key, results: list[Result], root: Path) -> bool:
    """Would this run have found ``key``? Its rule ran, on its document, on a file that no
    longer exists (a document deleted or renamed), or on its file, which no longer has its stage
    (a stage renamed or removed; a file that became a curriculum, or stopped being one). A run of
    some rules or some files says nothing of the other entries."""
    if not any(r.rule == key.rule for r in results):
        return False
    if any(r.document_id == key.document_id for r in results) or not (root / key.path).exists():
        return True
    stages = {r.stage or "" for r in results if r.path == key.path}
    return bool(stages) and key.stage not in stages


def load_baseline(path: Path, shown: str) -> Baseline:
    """Raises MixlintError naming the file (and the line) and the fix."""
    hint = f"write it with --write-baseline {shown} (or --mixlint-write-baseline={shown})"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MixlintError(Problem(shown, None, f"cannot read the baseline: {exc.strerror or exc}", hint)) from None
    except UnicodeDecodeError:
        raise MixlintError(Problem(shown, None, "the baseline is not UTF-8 text", hint)) from None
    conflict = next((n for n, line in enumerate(text.splitlines(), 1) if line.startswith(("<<<<<<<", ">>>>>>>"))), None)
    if conflict is not None:  # writing it again would accept the branch's new findings too
        raise MixlintError(Problem(shown, conflict, "the baseline has merge-conflict markers",
                                   "resolve the conflict keeping both sides' entries (the file is sorted JSON)"))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MixlintError(Problem(shown, exc.lineno, f"the baseline is not JSON: {exc.msg}", hint)) from None
    if isinstance(data, dict) and "mixlint_baseline" in data and data["mixlint_baseline"] != VERSION:
        raise MixlintError(Problem(shown, 1, f"baseline format {data['mixlint_baseline']!r} is not the one this "
                                   f"mixlint reads ({VERSION})", "upgrade pytest-mixlint, or write the baseline again"))
    if not isinstance(data, dict) or data.get("mixlint_baseline") != VERSION or not isinstance(data.get("findings"), list):
        raise MixlintError(Problem(shown, 1, f'not a mixlint baseline (expected {{"mixlint_baseline": {VERSION}, '
                                   '"findings": [...]})', hint))
    keys, seen = set(), {}
    for i, entry in enumerate(data["findings"]):
        try:
            key = Key(str(entry["path"]), str(entry["rule"]), tuple(str(s) for s in entry.get("sources", [])),
                      str(entry["message"]), str(entry.get("stage") or ""))
            keys.add(key)
            if isinstance(entry.get("seen"), str):
                seen[key] = entry["seen"]
        except (KeyError, TypeError, AttributeError):
            raise MixlintError(Problem(shown, _entry_line(text, i), f"baseline entry {i + 1} needs path, rule and message",
                                       hint)) from None
    return Baseline(shown, frozenset(keys), seen)


def _entry_line(text: str, index: int) -> int | None:
    """The line of the ``index``-th entry, if the file is laid out as this module writes it."""
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("{") and n > 1]
    return starts[index] if index < len(starts) else None


def recorded(results: list[Result], root: Path, previous: Baseline | None = None) -> dict[Key, str]:
    """Every finding of ``results`` that a baseline can accept, with its message as seen; and the
    entries of ``previous`` (the file being rewritten) that this run did not look at, so that
    writing the baseline from some files or rules keeps the others."""
    keys: dict[Key, str] = {}
    for result in results:
        for finding in (*result.findings, *result.accepted) if keys_of(result) else ():
            keys.setdefault(key_of(result, finding), finding.message)
    if previous is not None:
        for key in previous.keys:
            if key not in keys and not looked_at(key, results, root):
                keys[key] = previous.seen.get(key, key.message)
    return dict(sorted(keys.items()))


def render_baseline(keys: dict[Key, str]) -> str:
    """Sorted JSON; ``seen`` is the message as it was when recorded (not part of the key)."""
    return json.dumps({"mixlint_baseline": VERSION, "findings": [{**k.to_json(), "seen": seen} for k, seen in keys.items()]},
                      indent=2, ensure_ascii=False) + "\n"
