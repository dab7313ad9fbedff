"""Git LFS pointers: what a repository cloned without its LFS content has where the data should be.

A pointer is a small text file (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md)::

    version https://git-lfs.github.com/spec/v1
    oid sha256:4d7a2146...
    size 12345

Read as data it would be "corrupt"; it is named for what it is, with the command that fetches
the content.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .quantities import format_bytes

MAX_POINTER_BYTES = 1024  # the spec: pointer files are smaller than 1024 bytes
_VERSION = b"version https://git-lfs.github.com/spec/"
_SIZE = re.compile(rb"^size (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class LfsPointer:
    path: str
    size: int | None  # bytes of the content it stands for


def lfs_pointer(path: str) -> LfsPointer | None:
    """The pointer ``path`` is, or None for any other file (or one that cannot be read)."""
    try:
        if os.path.getsize(path) >= MAX_POINTER_BYTES:
            return None
        with open(path, "rb") as handle:
            head = handle.read(MAX_POINTER_BYTES)
    except OSError:
        return None
    if not head.startswith(_VERSION):
        return None
    size = _SIZE.search(head)
    return LfsPointer(path, int(size.group(1)) if size else None)


def pull_hint(paths: list[str]) -> str:
    """The command that fetches these pointers' content: ``git lfs pull --include`` takes paths
    relative to the git repository's top, wherever pytest's rootdir or the shell is."""
    relative = [_in_repository(path) for path in paths]
    if len(relative) == 1:
        return f'git lfs pull --include="{relative[0]}"'
    common = os.path.commonpath(relative) if all(not os.path.isabs(p) for p in relative) else ""
    return f'git lfs pull --include="{common}/**"' if common else "git lfs pull"


def _in_repository(path: str) -> str:
    """``path`` relative to the top of the git work tree holding it (POSIX separators); outside
    one, relative to the current directory."""
    absolute = Path(path).resolve()
    for directory in absolute.parents:
        if (directory / ".git").exists():
            return absolute.relative_to(directory).as_posix()
    relative = os.path.relpath(absolute)
    return path if relative.startswith("..") else Path(relative).as_posix()


def describe(pointer: LfsPointer) -> str:
    size = f", {format_bytes(pointer.size)}," if pointer.size is not None else ""
    return f"a Git LFS pointer, not the data (its content{size} was not downloaded)"
