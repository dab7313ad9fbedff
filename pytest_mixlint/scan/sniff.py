"""What a JSON shard holds, from its first bytes: one array of documents or JSON Lines, and
whether its first document's text is a string (which DuckDB cannot tell, fast.py)."""

from __future__ import annotations

import os
from functools import lru_cache

from ..limits import Limits
from .counts import ScanOptions
from .json_fields import field_value
from .shards import BOM, may_hold_an_array, open_json

HEAD_BYTES = 4096  # enough to see where the first document starts
FIRST_DOCUMENT_BYTES = 1 << 20  # read at most this much to find the first document's text
SNIFF_BUFFER = 64 << 10  # decompressed ahead while looking: a first document is usually a few kB


def is_json_array(path: str, compression: str | None, options: ScanOptions) -> bool:
    """A ``.json`` file whose first character (after a byte-order mark and blanks) opens an array."""
    if not may_hold_an_array(path):
        return False
    try:
        stat = os.stat(path)
    except OSError:  # unreadable: the reader that counts it says why
        return False
    return _opens_an_array(path, compression, stat.st_size, stat.st_mtime_ns, options.limits)


@lru_cache(maxsize=256)
def _opens_an_array(path: str, compression: str | None, size: int, mtime_ns: int, limits: Limits) -> bool:
    # Keyed by size and time: read once per file, as DuckDB's engine and the readers both ask.
    try:
        with open_json(path, compression, limits, SNIFF_BUFFER) as stream:
            head = stream.read(HEAD_BYTES)
    except Exception:  # unreadable: the reader that counts it says why
        return False
    return head.lstrip(BOM + b" \t\r\n").startswith(b"[")


def first_text_is_a_string(path: str, compression: str | None, options: ScanOptions) -> bool:
    """Is the text of the first JSON Lines document a string? DuckDB, told the text is a VARCHAR,
    would count a number's digits or an object's JSON (a ``text_field`` naming the wrong field,
    ``id`` say): such a file goes to the readers, which refuse it at its line. (A string checked
    on every document made DuckDB 2.8 times slower; a file whose first text is a string and a
    later one is not is the one case DuckDB still counts.)"""
    import msgspec

    try:
        with open_json(path, compression, options.limits, SNIFF_BUFFER) as stream:
            read = 0
            while read < FIRST_DOCUMENT_BYTES:
                line = stream.readline(FIRST_DOCUMENT_BYTES - read)
                if not line:
                    return True  # no document: nothing either engine could miscount
                read += len(line)
                line = line.removeprefix(BOM) if read == len(line) else line
                if line.strip():
                    return isinstance(field_value(msgspec.json.decode(line), options.text_field), str)
    except Exception:  # unreadable, not an object: the readers decide
        return False
    return False  # a first document too long to look at: the readers decide
