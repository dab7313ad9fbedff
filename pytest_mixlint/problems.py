"""Located problems in user files: the one way bad input is reported.

Every parser and validator turns what is wrong with a user's file into a ``Problem`` that names
the file, the line and, where we can guess it, the fix. Nothing user-facing is a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str
    hint: str | None = None

    @property
    def located(self) -> str:
        """``path:line: message``, without the hint."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def __str__(self) -> str:
        return f"{self.located} (hint: {self.hint})" if self.hint else self.located


class MixlintError(Exception):
    """One or more problems that stop a file from being used (or, ``stage``, one stage of a
    curriculum, the file's other stages being usable)."""

    def __init__(self, problems: list[Problem] | Problem, stage: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        self.stage = stage
        super().__init__("\n".join(str(p) for p in self.problems))
