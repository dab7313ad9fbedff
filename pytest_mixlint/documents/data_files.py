"""A cheap look at a document's data-file patterns while it is read: a pattern that matches no
file is noted (the ``consistency`` kind reports it) without measuring anything."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator

from ..problems import Problem


def glob_files(base_dir: str, pattern: str) -> Iterator[str]:
    """The files ``pattern`` matches, relative to ``base_dir``; ``**`` spans directories."""
    full = pattern if os.path.isabs(pattern) else os.path.join(base_dir, pattern)
    return (path for path in glob.iglob(full, recursive=True) if os.path.isfile(path))


def matches_a_file(base_dir: str, pattern: str) -> bool:
    """Does ``pattern`` match a file? Stops at the first one. Remote patterns (``s3://...``) are
    not looked at here."""
    return "://" in pattern or next(glob_files(base_dir, pattern), None) is not None


def unmatched_notes(display: str, base_dir: str, patterns: tuple[str, ...] | list[str], line: int | None,
                    owner: str, relative_to: str) -> list[Problem]:
    """A note per pattern of ``owner`` (``source 'web'``) that matches no file."""
    return [Problem(display, line, f"{owner}: data_files pattern {pattern!r} matches no file",
                    f"patterns are relative to {relative_to}; check the path, or fetch the data")
            for pattern in patterns if not matches_a_file(base_dir, pattern)]
