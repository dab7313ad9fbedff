"""One glob dialect for every pattern users write: rule ``paths:``, the document patterns, source
names in selectors and ``mixlint_domains``, and data files.

- ``*`` and ``?`` match within one path segment, ``[abc]`` / ``[!abc]`` one character of a class;
- ``**`` as a whole segment spans any number of directories (``data/**/*.jsonl``);
- a path pattern without ``/`` matches the file name in any directory; ``./x`` is ``x``, and a
  leading ``/`` anchors the pattern at the root (the rootdir for ``paths:``).

Segments are matched with ``fnmatch``, whose regular expressions cannot backtrack
catastrophically (``*a*a*a*a*ab`` against a long name takes a millisecond), and ``**`` by
following every place in the pattern a path could have reached at once (no recursion, no
backtracking), so a pattern never costs more than (pattern segments x path parts) segment
matches; runs of ``**`` are one, and a pattern has at most ``MAX_SEGMENTS`` segments.
"""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache

GLOBSTAR = "**"
MAX_SEGMENTS = 256  # deeper than any real directory layout; bounds the cost of one match
_MAGIC = re.compile(r"[*?\[]")


def has_magic(segment: str) -> bool:
    return _MAGIC.search(segment) is not None


@lru_cache(maxsize=1024)
def segment_pattern(pattern: str) -> re.Pattern[str] | None:
    """A compiled segment pattern, or None for the ``**`` segment."""
    return None if pattern == GLOBSTAR else re.compile(fnmatch.translate(pattern))


def split_pattern(pattern: str) -> tuple[str, ...]:
    """``./data//**/**/x.jsonl`` -> ('data', '**', 'x.jsonl'): segments without empty or ``.``
    parts, a run of ``**`` as one. Raises ValueError past MAX_SEGMENTS segments."""
    segments: list[str] = []
    for part in pattern.split("/"):
        if part not in ("", ".") and not (part == GLOBSTAR and segments and segments[-1] == GLOBSTAR):
            segments.append(part)
    if len(segments) > MAX_SEGMENTS:
        raise ValueError(f"pattern {_short(pattern)!r} has {len(segments)} segments, more than {MAX_SEGMENTS}")
    return tuple(segments)


def check_patterns(patterns: list[str]) -> list[str]:
    """``patterns`` if each can be matched (a pydantic validator; ValueError otherwise)."""
    for pattern in patterns:
        split_pattern(pattern)
    return patterns


def _short(pattern: str) -> str:
    return pattern if len(pattern) <= 80 else pattern[:60] + "..." + pattern[-17:]


@lru_cache(maxsize=1024)
def _path_pattern(pattern: str) -> tuple[str, ...]:
    anchored = pattern.startswith("/")
    segments = split_pattern(pattern)
    if not anchored and "/" not in pattern.strip("/").removeprefix("./") and segments[:1] != (GLOBSTAR,):
        segments = (GLOBSTAR,) + segments  # a bare name: in any directory
    return segments


def match_segments(parts: tuple[str, ...] | list[str], segments: tuple[str, ...]) -> bool:
    """Do path ``parts`` match pattern ``segments`` (``**`` spanning zero or more parts)?"""
    end = len(segments)

    def past_globstars(positions: set[int]) -> set[int]:  # a ** may also match no part at all
        reached = set(positions)
        for j in sorted(positions):
            while j < end and segments[j] == GLOBSTAR:
                j += 1
                reached.add(j)
        return reached

    positions = past_globstars({0})  # places in the pattern the parts read so far can have reached
    for part in parts:
        following = set()
        for j in positions:
            if j == end:
                continue
            if segments[j] == GLOBSTAR:
                following.add(j)  # ** takes this part and may take more
            else:
                compiled = segment_pattern(segments[j])
                if compiled is not None and compiled.match(part) is not None:
                    following.add(j + 1)
        if not following:
            return False
        positions = past_globstars(following)
    return end in positions


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
