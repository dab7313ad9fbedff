"""Per-shard results on disk, keyed by what could change them.

The key is the file's absolute path, size, modification time, a fingerprint of its content
(its first and last 64 KiB: cheap, and a rewritten shard of the same size and mtime is caught in
practice) and the scan options. An entry that cannot be read is recomputed. Writes are atomic
(temporary file + rename), so concurrent pytest-xdist workers never see half an entry; a lock
per shard makes a second worker wait for the first one's result instead of scanning again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from .counts import GroupCounts, ScanOptions

FORMAT = 2  # 2: token tallies
_EDGE = 64 << 10


def shard_key(path: str, options: ScanOptions) -> str | None:
    """The cache key of a shard, or None when the file cannot be inspected."""
    try:
        stat = os.stat(path)
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            digest.update(handle.read(_EDGE))
            if stat.st_size > _EDGE:
                handle.seek(max(stat.st_size - _EDGE, _EDGE))
                digest.update(handle.read(_EDGE))
    except OSError:
        return None
    identity = f"{FORMAT}|{os.path.abspath(path)}|{stat.st_size}|{stat.st_mtime_ns}|{digest.hexdigest()}|{options.key()}"
    return hashlib.sha256(identity.encode()).hexdigest()


class ShardCache:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = os.fspath(directory)

    def _entry(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], f"{key}.json")

    def get(self, key: str) -> GroupCounts | None:
        try:
            with open(self._entry(key), encoding="utf-8") as handle:
                data = json.load(handle)
            if data.get("format") != FORMAT:
                return None
            return GroupCounts.from_json(data["groups"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing or corrupt: recompute

    def put(self, key: str, counts: GroupCounts) -> None:
        entry = self._entry(key)
        try:
            os.makedirs(os.path.dirname(entry), exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=os.path.dirname(entry), suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"format": FORMAT, "groups": counts.to_json()}, handle)
            os.replace(temporary, entry)
        except OSError:
            pass  # a cache that cannot be written (read-only checkout) only costs time

    @contextmanager
    def lock(self, key: str) -> Iterator[bool]:
        """Hold the shard's lock while scanning it; yields False when no lock could be had
        (then the caller scans anyway, it only risks duplicate work)."""
        try:
            from filelock import FileLock, Timeout
        except ImportError:  # pragma: no cover - filelock comes with huggingface_hub
            yield False
            return
        path = self._entry(key) + ".lock"
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            lock = FileLock(path)
            lock.acquire(timeout=3600)
        except (OSError, Timeout):
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
