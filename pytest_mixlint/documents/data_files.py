"""A cheap look at a document's data-file patterns while it is read: a pattern that matches no
file is noted (the ``consistency`` kind reports it) without measuring anything."""

from __future__ import annotations

from ..access import FileAccess
from ..problems import Problem
from ..walk import OUTSIDE_HINT, REMOTE_MARK, Walker

# Reading a document must stay cheap: past this many directory entries, "matches nothing" is not
# claimed (measuring walks further, up to mixlint_max_walk_entries).
LOOK_ENTRIES = 100_000


def unmatched_notes(display: str, base_dir: str, patterns: tuple[str, ...] | list[str], line: int | None,
                    owner: str, relative_to: str, access: FileAccess) -> list[Problem]:
    """A note per pattern of ``owner`` (``source 'web'``) that matches no file, or reaches out of
    the root (said alike whether or not anything is there: no answer about files outside)."""
    notes = []
    for pattern in patterns:
        unmatched = _unmatched(base_dir, pattern, access, relative_to)
        if unmatched is not None:
            notes.append(Problem(display, line, f"{owner}: {unmatched[0]}", unmatched[1]))
    return notes


def _unmatched(base_dir: str, pattern: str, access: FileAccess, relative_to: str) -> tuple[str, str] | None:
    """Why ``pattern`` is noted (message, hint), or None: it matches a file, or that is unknown
    (a remote pattern, too much to read). Stops at the first file; walks only inside the root."""
    if REMOTE_MARK in pattern:
        return None
    walker = Walker(access.root or base_dir, access.allow_outside_root, max_entries=LOOK_ENTRIES)
    found = walker.find(base_dir, pattern, first=True)
    if found.files:
        return None
    outside = [problem for problem in found.problems if problem[1] == OUTSIDE_HINT]
    if outside:
        return outside[0]
    if found.problems:
        return None
    return (f"data_files pattern {pattern!r} matches no file",
            f"patterns are relative to {relative_to}; check the path, or fetch the data")
