"""Every limit that keeps hostile or broken input from hanging a run or exhausting memory.

Each has a default, an ini option, and a message naming the option when it is reached; the
README's "Limits and safety" lists them. A run's limits are plain data handed to the core.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Limits:
    # Directory entries one data-file pattern may read while it is matched.
    walk_entries: int = 1_000_000
    # One document (a JSONL line) may hold at most this many bytes.
    document_bytes: int = 256 << 20
    # A compressed shard may expand at most this many times (a zstd "bomb" is 10,000x).
    compression_ratio: float = 1000.0
    # Seconds to wait for another run that is scanning the same shard before scanning it too.
    lock_timeout: float = 600.0
    # Files read whole (manifests, cards, rule packs, schemas, tokenizers) may hold this many bytes.
    file_bytes: int = 64 << 20

    def expansion_allowed(self, compressed_bytes: int) -> int:
        """Bytes that ``compressed_bytes`` of compressed data may expand to."""
        return max(int(self.compression_ratio * compressed_bytes), RATIO_FLOOR)


# Below this, a small file's ratio says nothing (a 1 kB shard of one repeated line is no bomb).
RATIO_FLOOR = 64 << 20


# ini option -> (field, the kind of quantity it takes, what it is, for help texts and errors)
INI: dict[str, tuple[str, str, str]] = {
    "mixlint_max_walk_entries": ("walk_entries", "count",
                                 "directory entries the data-file patterns of one document may read"),
    "mixlint_max_document_bytes": ("document_bytes", "bytes", "bytes one document (a JSONL line) may hold"),
    "mixlint_max_compression_ratio": ("compression_ratio", "real",
                                      "how many times its size a compressed shard may expand"),
    "mixlint_lock_timeout": ("lock_timeout", "real",
                             "seconds to wait for another run scanning the same shard"),
    "mixlint_max_file_bytes": ("file_bytes", "bytes",
                               "bytes of a manifest, card, rule pack, schema or tokenizer read whole"),
}
assert {f for f, _, _ in INI.values()} == {f.name for f in fields(Limits)}


def limits_from(values: dict[str, str]) -> Limits:
    """Limits from ini values (name -> text; empty: the default). Raises ValueError naming the
    option and what it takes."""
    chosen: dict[str, Any] = {}
    for name, text in values.items():
        if not text.strip():
            continue
        attribute, quantity, what = INI[name]
        try:
            value = _parse(quantity, text.strip())
        except ValueError as exc:
            raise ValueError(f"{name}: {exc} ({what})") from None
        if value <= 0:
            raise ValueError(f"{name}: {text.strip()!r} must be more than 0 ({what})")
        chosen[attribute] = value
    return Limits(**chosen)


def _parse(quantity: str, text: str) -> float:
    # Imported here: this module is read in every pytest run (for the ini keys' help), and
    # quantities.py brings pydantic.
    from .quantities import parse_bytes, parse_real

    if quantity == "bytes":
        return parse_bytes(text)
    return int(parse_real(text)) if quantity == "count" else parse_real(text)
