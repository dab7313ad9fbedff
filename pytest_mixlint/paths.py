"""One glob dialect for every pattern users write: rule ``paths:``, the document patterns, source
names in selectors and ``mixlint_domains``, and data files.

- ``*`` and ``?`` match within one path segment, ``[abc]`` / ``[!abc]`` one character of a class;
- ``**`` as a whole segment spans any number of directories (``data/**/*.jsonl``);
- a path pattern without ``/`` matches the file name in any directory; ``./x`` is ``x``, and a
  leading ``/`` anchors the pattern at the root (the rootdir for ``paths:``).

Segments are matched with ``fnmatch``, whose regular expressions cannot backtrack
catastrophically (``*a*a*a*a*ab`` against a long name is linear), and ``**`` by dynamic
programming over the segments, so a pattern never costs more than (pattern x path) segment
matches.
"""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache

GLOBSTAR = "**"
_MAGIC = re.compile(r"[*?\[]")


def has_magic(segment: str) -> bool:
    return _MAGIC.search(segment) is not None


@lru_cache(maxsize=1024)
def segment_pattern(pattern: str) -> re.Pattern[str] | None:
    """A compiled segment pattern, or None for the ``**`` segment."""
    return None if pattern == GLOBSTAR else re.compile(fnmatch.translate(pattern))


def split_pattern(pattern: str) -> tuple[str, ...]:
    """``./data//**/x.jsonl`` -> ('data', '**', 'x.jsonl'): segments without empty or ``.`` parts."""
    return tuple(part for part in pattern.split("/") if part not in ("", "."))


@lru_cache(maxsize=1024)
def _path_pattern(pattern: str) -> tuple[str, ...]:
    anchored = pattern.startswith("/")
    segments = split_pattern(pattern)
    if not anchored and "/" not in pattern.strip("/").removeprefix("./"):
        segments = (GLOBSTAR,) + segments  # a bare name: in any directory
    return segments


def match_segments(parts: tuple[str, ...] | list[str], segments: tuple[str, ...]) -> bool:
    """Do path ``parts`` match pattern ``segments`` (``**`` spanning zero or more parts)?"""
    memo: dict[tuple[int, int], bool] = {}

    def match(i: int, j: int) -> bool:  # parts[i:] against segments[j:]
        if (i, j) not in memo:
            if j == len(segments):
                found = i == len(parts)
            elif segments[j] == GLOBSTAR:
                found = match(i, j + 1) or (i < len(parts) and match(i + 1, j))
            else:
                compiled = segment_pattern(segments[j])
                found = i < len(parts) and compiled is not None and compiled.match(parts[i]) is not None \
                    and match(i + 1, j + 1)
            memo[i, j] = found
        return memo[i, j]

    return match(0, 0)


def matches(path: str, pattern: str) -> bool:
    """Does the relative POSIX ``path`` match the path ``pattern``?"""
    return match_segments(tuple(p for p in path.split("/") if p), _path_pattern(pattern))


def matches_any(path: str, patterns: list[str] | tuple[str, ...]) -> bool:
    return any(matches(path, p) for p in patterns)


@lru_cache(maxsize=1024)
def _name_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern.lower()))


def name_matches(name: str, pattern: str) -> bool:
    """A name (a source's, a config's) against a glob, case-insensitively; ``/`` is an ordinary
    character here."""
    return _name_pattern(pattern).match(name.lower()) is not None
