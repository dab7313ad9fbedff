"""GitHub Actions workflow commands: one annotation per finding, on the file and line it is about.

``::error file=PATH,line=N,title=RULE-ID::MESSAGE`` for a failure, ``::warning`` for a warning,
escaped as the runner requires (``%``, CR and LF in messages; also ``:`` and ``,`` in
properties), so that a source name cannot end the command or start another one.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..outcomes import Result
from .record import RunRecord

_LEVEL = {"failed": "error", "error": "error", "warned": "warning"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_commands(result: Result) -> Iterator[str]:
    """The workflow commands of one result: each finding located, or the result itself."""
    command = _LEVEL.get(result.outcome)
    if command is None:
        return
    findings = result.findings or []
    if not findings:
        yield _command(command, result.path, result.line, result.rule, result.in_stage(result.message))
    for finding in findings:
        level = "warning" if finding.level == "warning" or command == "warning" else "error"
        message = result.in_stage(finding.message + (f" (hint: {finding.hint})" if finding.hint else ""))
        yield _command(level, finding.path or result.path, finding.line or (result.line if not finding.path else None),
                       result.rule, message)


def _command(level: str, path: str, line: int | None, rule: str, message: str) -> str:
    where = f"file={_property(path)}" + (f",line={line}" if line else "")
    return f"::{level} {where},title={_property(rule)}::{_data(message)}"


def render(run: RunRecord) -> str:
    lines = [line for result in run.all_results() for line in workflow_commands(result)]
    lines += [_command("warning", key.path, None, key.rule,
                       f"stale baseline entry: {key.message} (no longer found: remove it from the baseline)")
              for key in run.stale_baseline]
    return "".join(f"{line}\n" for line in lines)
