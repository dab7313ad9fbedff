"""Finding data files by pattern, safely: inside the root, through symlink loops, in bounded time.

``glob.glob`` follows symlinked directories without end (``data/v2/self -> .`` listed every file
41 times), walks the whole filesystem for ``/**/*.jsonl`` before anything can check the root, and
repeats work for every ``**``. Here the walk:

- starts at the pattern's literal prefix, and never enters a directory outside the root (unless
  allowed): a link out of the root is one problem, named, not one per file behind it;
- visits each (real directory, pattern position) once, so a symlink loop ends and eight ``**``
  cost as much as one;
- lists only regular files (a FIFO would hang the reader), each real file once;
- stops after ``max_entries`` directory entries with a problem naming the limit.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from .access import within
from .paths import GLOBSTAR, has_magic, segment_pattern, split_pattern

REMOTE_MARK = "://"
OUTSIDE_HINT = "set mixlint_allow_outside_root = true to measure data outside the repository"


class WalkLimit(Exception):
    """More directory entries than allowed were read."""


@dataclass
class Found:
    files: list[str] = field(default_factory=list)  # as reached (not resolved), sorted, each real file once
    problems: list[tuple[str, str]] = field(default_factory=list)  # (message, hint): what it reached but may not use

    def problem(self, message: str, hint: str) -> None:
        if (message, hint) not in self.problems:
            self.problems.append((message, hint))


@dataclass
class _Listing:
    entries: list[tuple[str, str, bool, bool, bool]]  # name, path, is_dir, is_file, is_link


class Walker:
    """Resolves patterns under ``root``; ``hub`` applies the Hugging Face Hub's rule that names
    starting with ``.`` or ``__`` are hidden unless the pattern names them so."""

    def __init__(self, root: str, allow_outside_root: bool = False, max_entries: int = 1_000_000,
                 hub: bool = False) -> None:
        self.root = os.path.realpath(root)
        self.allow_outside_root = allow_outside_root
        self.max_entries = max_entries
        self.hub = hub
        self.entries = 0
        self._listings: dict[str, _Listing] = {}
        self.unreadable: dict[str, str] = {}  # directory -> why it could not be listed

    def shown(self, path: str) -> str:
        """``path`` relative to the root when it is below it, else as it is."""
        relative = os.path.relpath(os.path.abspath(path), self.root)
        return path if relative.startswith("..") else relative

    def inside(self, real: str) -> bool:
        return self.allow_outside_root or within(real, self.root)

    def find(self, base_dir: str, pattern: str, first: bool = False) -> Found:
        """Files matching ``pattern`` (relative to ``base_dir``, or absolute); ``first``: stop at
        the first one (a cheap "does anything match?")."""
        found = Found()
        if "\x00" in pattern:  # no file name holds one; os functions raise on it
            found.problem(f"{pattern!r} is not a path (it holds a NUL character)", "write the path of the data files")
            return found
        if REMOTE_MARK in pattern:
            found.problem(f"{pattern!r} is not a local path: remote data files are not read",
                          "nothing is fetched from the network; fetch the data and name the local files")
            return found
        try:
            segments = split_pattern(pattern)
        except ValueError as exc:
            found.problem(str(exc), "no directory layout is that deep: shorten the pattern")
            return found
        literal = 0
        while literal < len(segments) and not has_magic(segments[literal]) and segments[literal] != GLOBSTAR:
            literal += 1
        start = os.path.normpath(os.path.join("/" if os.path.isabs(pattern) else base_dir, *segments[:literal]))
        rest = segments[literal:]
        real = os.path.realpath(start)
        if not self.inside(real):  # said whether or not it exists: no oracle for files outside
            found.problem(f"{pattern!r} starts at {start}, outside the repository root", OUTSIDE_HINT)
            return found
        seen_files: dict[tuple[int, int], str] = {}  # (device, inode) -> the path it was reached by
        if not rest:  # a plain path
            try:
                identity = os.stat(start)
                if stat.S_ISREG(identity.st_mode):
                    seen_files[identity.st_dev, identity.st_ino] = start
            except OSError:
                pass
        else:
            try:
                self._visit(start, real, rest, seen_files, found, first, start != real)
            except WalkLimit:
                found.problem(f"{pattern!r} reaches more than {self.max_entries:,} directory entries",
                              "narrow the pattern, or raise the mixlint_max_walk_entries ini option")
            except _First:
                pass
        for directory, why in self.unreadable.items():
            found.problem(f"{self.shown(directory)} cannot be listed: {why}", "check the directory's permissions and name")
        found.files = sorted(seen_files.values())
        return found

    def _list(self, directory: str, real: str) -> _Listing:
        listing = self._listings.get(real)
        if listing is None:
            entries = []
            try:
                with os.scandir(directory) as it:
                    for entry in it:
                        self.entries += 1
                        if self.entries > self.max_entries:
                            raise WalkLimit
                        try:
                            is_dir, is_file = entry.is_dir(), entry.is_file()  # following links
                            entries.append((entry.name, entry.path, is_dir, is_file, entry.is_symlink()))
                        except OSError:  # a dangling link, a vanished file: nothing to read
                            continue
            except (NotADirectoryError, FileNotFoundError):
                entries = []
            except OSError as exc:  # unreadable (permissions, a name too long): said, not fatal
                self.unreadable[directory] = exc.strerror or str(exc)
                entries = []
            # Real entries before links: a directory reached both ways is walked under its own name.
            listing = self._listings[real] = _Listing(sorted(entries, key=lambda e: (e[4], e[0])))
        return listing

    def _hidden(self, name: str, segment: str) -> bool:
        for mark in (".", "__") if self.hub else (".",):
            if name.startswith(mark) and not segment.startswith(mark):
                return True
        return False

    def _visit(self, directory: str, real: str, rest: tuple[str, ...], files: dict[tuple[int, int], str],
               found: Found, first: bool, linked: bool) -> None:
        """Match ``rest`` below ``directory`` (whose real path is ``real``; ``linked`` when reached
        through a symlink: a file is named by a path without links where there is one). A stack,
        not recursion: a tree of any depth is walked."""
        visited: set[tuple[str, int]] = set()
        stack = [(directory, real, 0, linked)]
        while stack:
            directory, real, j, linked = stack.pop()
            if (real, j) in visited:  # a loop, or a ** reached twice
                continue
            visited.add((real, j))
            segment = rest[j]
            last = j == len(rest) - 1
            if segment == GLOBSTAR and not last:
                stack.append((directory, real, j + 1, linked))  # ** as no directory
            compiled = segment_pattern(segment)
            for name, path, is_dir, is_file, is_link in self._list(directory, real).entries:
                if self._hidden(name, segment if segment != GLOBSTAR else ""):
                    continue
                if is_dir:
                    wanted = j if compiled is None else j + 1  # ** goes on below; a segment is matched
                    if (compiled is None or (not last and compiled.match(name))) and \
                            (entry_real := self._real(path, real, name, is_link)) is not None and self._enter(path, entry_real, found):
                        stack.append((path, entry_real, wanted, linked or is_link))
                elif is_file and last and (compiled is None or compiled.match(name)):
                    self._add(path, real, name, is_link, linked, files, found)
                    if first and files:
                        raise _First

    def _add(self, path: str, parent_real: str, name: str, is_link: bool, linked: bool,
             files: dict[tuple[int, int], str], found: Found) -> None:
        entry_real = self._real(path, parent_real, name, is_link)
        if entry_real is None:
            return
        if not self.inside(entry_real):
            found.problem(f"{self.shown(path)} links to {entry_real}, outside the repository root", OUTSIDE_HINT)
            return
        try:
            identity = os.stat(path)  # hard links are one file: (device, inode), not the path
        except OSError:
            return
        key = (identity.st_dev, identity.st_ino)
        if linked or is_link:
            files.setdefault(key, path)
        else:
            files[key] = path

    @staticmethod
    def _real(path: str, parent_real: str, name: str, is_link: bool) -> str | None:
        """The real path of an entry (None: a link that cannot be followed, as /proc/*/exe)."""
        if not is_link:
            return os.path.join(parent_real, name)
        try:
            return os.path.realpath(path)
        except (OSError, ValueError):
            return None

    def _enter(self, path: str, real: str, found: Found) -> bool:
        if self.inside(real):
            return True
        found.problem(f"{self.shown(path)} links to {real}, outside the repository root", OUTSIDE_HINT)
        return False


def identity(path: str) -> tuple[int, int] | str:
    """What makes two paths one file: (device, inode), so hard links and symlinks count once."""
    try:
        info = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return info.st_dev, info.st_ino


class _First(Exception):
    """The first file was found and only one was wanted."""


