"""What a repository's own files may make mixlint open.

A manifest, card or rule pack is the repository's to write, and a pull request can change it: its
``card:`` link, a ``fields`` rule's ``schema:`` file or ``$ref``, a manifest's ``scan.tokenizer``
must not read ``/etc/passwd`` into an error message, ``/dev/zero`` into memory, or block on a
FIFO. So such a path must name a regular file inside the root (unless allowed) of at most
``max_bytes``. What the person running mixlint names (options, ini keys) is trusted.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from .limits import Limits


@dataclass(frozen=True)
class FileAccess:
    root: str | None = None  # None: no root to stay in (the Python API given no root)
    allow_outside_root: bool = False
    max_bytes: int = Limits().file_bytes

    def refusal(self, path: str, confined: bool = True, data: bool = False, directory: bool = False) -> str | None:
        """Why ``path`` may not be read, or None. ``confined``: the path comes from a file of the
        repository, so it must stay inside the root. ``data``: tokenized training data, whose
        counts are read in bounded pieces, so its size is not limited; ``directory``: a folder of
        such data is expected."""
        try:
            real = os.path.realpath(path)
            info = os.stat(real)
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
            return f"cannot read file: {getattr(exc, 'strerror', None) or exc}"
        if not (stat.S_ISDIR(info.st_mode) if directory else stat.S_ISREG(info.st_mode)):
            return f"{path} is not a {'directory' if directory else 'regular file'}"
        if confined and self.root is not None and not self.allow_outside_root and not inside(real, self.root):
            return f"{path} is outside the repository root (set mixlint_allow_outside_root = true to allow it)"
        if not (data or directory) and info.st_size > self.max_bytes:
            return (f"{path} has {info.st_size:,} bytes, more than the {self.max_bytes:,} allowed "
                    "(mixlint_max_file_bytes)")
        return None

    def holds(self, path: str) -> bool:
        """Is ``path`` a repository file: an entry of a directory inside the root? (Such a file
        must itself resolve inside the root: a committed link to ``~/.netrc`` is refused.)"""
        return self.root is not None and inside(os.path.dirname(os.path.abspath(path)), self.root)


def inside(path: str, root: str) -> bool:
    """Is ``path``, once every symlink is resolved, ``root`` or below it?"""
    return within(os.path.realpath(path), os.path.realpath(root))


def within(real: str, real_root: str) -> bool:
    """``inside`` for paths already resolved."""
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
