"""A cheap look at a document's data-file patterns while it is read: a pattern that matches no
file is noted (the ``consistency`` kind reports it) without measuring anything."""

from __future__ import annotations

from ..access import FileAccess
from ..problems import Problem
from ..walk import REMOTE_MARK, Walker

# Reading a document must stay cheap: past this many directory entries, "matches nothing" is not
# claimed (measuring walks further, up to mixlint_max_walk_entries).
LOOK_ENTRIES = 100_000


def matches_a_file(base_dir: str, pattern: str, access: FileAccess) -> bool:
    """Does ``pattern`` match a file (or is that unknown: a remote pattern, one reaching out of the
    root, too much to read)? Stops at the first file; walks only inside the root."""
    if REMOTE_MARK in pattern:
        return True
    walker = Walker(access.root or base_dir, access.allow_outside_root, max_entries=LOOK_ENTRIES)
    found = walker.find(base_dir, pattern, first=True)
    return bool(found.files or found.problems)


def unmatched_notes(display: str, base_dir: str, patterns: tuple[str, ...] | list[str], line: int | None,
                    owner: str, relative_to: str, access: FileAccess) -> list[Problem]:
    """A note per pattern of ``owner`` (``source 'web'``) that matches no file."""
    return [Problem(display, line, f"{owner}: data_files pattern {pattern!r} matches no file",
                    f"patterns are relative to {relative_to}; check the path, or fetch the data")
            for pattern in patterns if not matches_a_file(base_dir, pattern, access)]
