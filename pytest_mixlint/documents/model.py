"""What a loaded document is, for rules and reports: a mixture plus the metadata it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..mixture import Mixture
from ..problems import Problem
from .syntax import Parsed

DocumentKind = Literal["manifest", "card"]


@dataclass(frozen=True)
class Ignore:
    """An accountable suppression written in a manifest or card: ``{rule, reason}``."""

    rule: str
    reason: str
    line: int | None


@dataclass
class Document:
    path: str  # as shown to the user: relative to the rootdir, POSIX separators
    kind: DocumentKind
    mixture: Mixture
    metadata: Parsed  # the manifest, or the card's front matter, with line positions
    ignores: list[Ignore] = field(default_factory=list)
    # Non-fatal findings made while reading (deprecated keys, odd values); rules report them.
    notes: list[Problem] = field(default_factory=list)
    base_dir: str = "."  # absolute directory that relative references resolve against

    @property
    def name(self) -> str | None:
        return self.mixture.name

    def line(self, *path: str | int) -> int | None:
        return self.metadata.line(path)

    def source_line(self, name: str) -> int | None:
        for source in self.mixture.sources:
            if source.name == name:
                return source.line
        return None

    @property
    def raw(self) -> Any:
        return self.metadata.data
