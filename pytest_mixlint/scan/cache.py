"""Per-shard results on disk, keyed by what could change them, and trusted only when we wrote them.

The key is the file's absolute path, size, modification time, a fingerprint of its content and
the scan options. The fingerprint is, by default, the first and last 64 KiB (cheap; a shard edited
in the middle with its size and modification time restored is not noticed), or with
``verify="content"`` (ini ``mixlint_cache_verify = content``) a hash of the whole file (about
1-2 s per GB, paid on every run for every shard, cached or not).

An entry is read back only if it parses as counts (non-negative integers, characters <= bytes
<= 4 x characters, finite token tallies) and carries the HMAC of its content under a key kept
outside the repository (``$XDG_CACHE_HOME/pytest-mixlint/key``, made on first use): a cache
directory committed to a repository cannot feed a run forged counts. Anything else is
recomputed. Writes are atomic (temporary file + rename); one lock per scan (per set of shards)
makes a second process scanning the same shards wait for the first one's results.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from ..access import inside
from .counts import Counts, Group, GroupCounts, ScanOptions

FORMAT = 4  # 3: signed entries; 4: [[group or null, counts], ...] as msgspec writes the dataclasses
# An entry's counts: a list of pairs, as a group may be null (an ungrouped scan) and JSON keys cannot.
_Entry = list[tuple[Group, Counts]]
_EDGE = 64 << 10
Verify = Literal["stat", "content"]


def shard_key(path: str, options: ScanOptions, verify: Verify = "stat") -> str | None:
    """The cache key of a shard, or None when the file cannot be inspected."""
    try:
        stat = os.stat(path)
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            if verify == "content":
                while block := handle.read(8 << 20):
                    digest.update(block)
            else:
                digest.update(handle.read(_EDGE))
                if stat.st_size > _EDGE:
                    handle.seek(max(stat.st_size - _EDGE, _EDGE))
                    digest.update(handle.read(_EDGE))
    except OSError:
        return None
    identity = (f"{FORMAT}|{os.path.abspath(path)}|{stat.st_size}|{stat.st_mtime_ns}|{verify}:{digest.hexdigest()}|"
                f"{options.key()}")
    return hashlib.sha256(identity.encode()).hexdigest()


class ShardCache:
    def __init__(self, directory: str | os.PathLike[str], verify: Verify = "stat", secret: bytes | None = None) -> None:
        self.directory = os.fspath(directory)
        self.verify: Verify = verify
        self._secret = secret if secret is not None else signing_key()

    def key(self, path: str, options: ScanOptions) -> str | None:
        return shard_key(path, options, self.verify)

    def _entry(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], f"{key}.json")

    def _mac(self, key: str, groups: Any) -> str:
        payload = json.dumps([key, groups], sort_keys=True, separators=(",", ":")).encode()
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    def _contained(self, path: str) -> bool:
        """A committed cache may hold symlinks below its directory too: nothing is read or
        written through one that leads out of it."""
        return inside(path, self.directory)

    def get(self, key: str) -> GroupCounts | None:
        if not self._contained(self._entry(key)):
            return None
        try:
            with open(self._entry(key), encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return None  # missing or unreadable: recompute
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        groups, mac = data.get("groups"), data.get("mac")
        if not isinstance(mac, str) or not hmac.compare_digest(mac, self._mac(key, groups)):
            return None  # not written by us (or by us with another key): not trusted
        return _counts(groups)

    def put(self, key: str, counts: GroupCounts) -> None:
        entry = self._entry(key)
        groups = _to_builtins(counts)
        try:
            if not self._contained(entry):  # before anything is made: a link could lead the mkdir out too
                return
            os.makedirs(os.path.dirname(entry), exist_ok=True)
            if not self._contained(entry):  # a link made meanwhile
                return
            fd, temporary = tempfile.mkstemp(dir=os.path.dirname(entry), suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"format": FORMAT, "groups": groups, "mac": self._mac(key, groups)}, handle)
            os.replace(temporary, entry)
        except OSError:
            pass  # a cache that cannot be written (read-only checkout) only costs time

    @contextmanager
    def lock(self, keys: list[str], timeout: float, waiting: Any = None) -> Iterator[bool]:
        """Hold the lock of this set of shards while scanning them; yields False when it could
        not be had within ``timeout`` seconds (then the caller scans anyway: it only risks
        duplicate work). ``waiting()`` is called once if the wait lasts more than 2 s."""
        try:
            from filelock import FileLock, Timeout
        except ImportError:  # pragma: no cover - filelock comes with huggingface_hub
            yield False
            return
        name = hashlib.sha256("|".join(sorted(keys)).encode()).hexdigest()
        path = os.path.join(self.directory, "locks", f"{name}.lock")
        try:
            if not self._contained(path):  # before anything is made: a link could lead the mkdir out too
                raise OSError(f"{path} leads out of the cache directory")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if not self._contained(path):  # a link made meanwhile
                raise OSError(f"{path} leads out of the cache directory")
            lock = FileLock(path)
            try:
                lock.acquire(timeout=min(timeout, 2.0))
            except Timeout:
                if waiting is not None:
                    waiting()
                lock.acquire(timeout=max(timeout - 2.0, 0))
        except (OSError, Timeout):
            yield False
            return
        try:
            yield True
        finally:
            lock.release()


def _counts(groups: Any) -> GroupCounts | None:
    """Counts read back, if they are counts at all (anything else: recompute)."""
    import msgspec

    try:
        parsed = msgspec.convert(groups, _Entry)
    except msgspec.ValidationError:
        return None
    return GroupCounts(dict(parsed)) if all(_plausible(counts) for _, counts in parsed) else None


def _plausible(counts: Counts) -> bool:
    if not (counts.documents >= 0 and 0 <= counts.characters <= counts.bytes <= 4 * counts.characters):
        return False  # UTF-8: 1 to 4 bytes a character
    tally = counts.tokens
    return tally is None or (0 <= tally.sampled <= tally.documents and all(
        math.isfinite(v) for v in (tally.weighted_tokens, tally.weighted_bytes, tally.var_a, tally.var_b, tally.var_c)))


def _to_builtins(counts: GroupCounts) -> Any:
    import msgspec

    return msgspec.to_builtins(list(counts.groups.items()))


def signing_key() -> bytes:
    """The key entries are signed with, kept outside any repository; a fresh one per process when
    none can be kept (the cache then serves only this run)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "pytest-mixlint", "key")
    for _ in range(3):
        try:
            with open(path, "rb") as handle:
                key = handle.read()
            if len(key) >= 32:
                return key
        except OSError:
            pass
        key = secrets.token_bytes(32)
        try:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
            return key
        except FileExistsError:  # another process is making it: read theirs
            time.sleep(0.05)
        except OSError:
            return key
    return secrets.token_bytes(32)
