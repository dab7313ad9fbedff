"""The fields of a JSON document that the fast decoder (msgspec) refuses, read the way DuckDB
reads them, so that both engines count the same documents.

msgspec refuses ``NaN``/``Infinity`` (which Python's ``json`` writes) and recurses into every
value, so a field nested 100,000 deep that nobody reads stops it. Here only the values of the
fields we need are decoded; every other value is skipped by matching brackets, without
recursion. Only lines msgspec refused come here: speed does not matter, bounded work does.
"""

from __future__ import annotations

from typing import Any

import msgspec

_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN, _CLOSE = frozenset(b"[{"), frozenset(b"]}")
_SPACE = frozenset(b" \t\r\n")
_SCALAR_END = frozenset(b",}] \t\r\n")


class NotJson(ValueError):
    """The line is not a JSON object (after what msgspec refused, it is really broken)."""


def read_fields(line: bytes, tree: dict[str, Any]) -> dict[str, Any]:
    """The object's keys named in ``tree`` (a leaf: None; a nested field: a subtree), decoded.
    Keys not in the tree are skipped. Raises NotJson."""
    try:
        fields, end = _object(line, _space(line, 0), tree)
    except (IndexError, ValueError, RecursionError, msgspec.DecodeError) as exc:
        raise NotJson(str(exc) or type(exc).__name__) from None
    if _space(line, end) != len(line):
        raise NotJson(f"trailing characters at byte {end}")
    return fields


def _space(data: bytes, i: int) -> int:
    while i < len(data) and data[i] in _SPACE:
        i += 1
    return i


def _object(data: bytes, i: int, tree: dict[str, Any]) -> tuple[dict[str, Any], int]:
    if data[i] != ord("{"):
        raise ValueError(f"expected an object at byte {i}")
    fields: dict[str, Any] = {}
    i = _space(data, i + 1)
    if data[i] == ord("}"):
        return fields, i + 1
    while True:
        end = _string_end(data, i)
        key = msgspec.json.decode(data[i:end])
        i = _space(data, end)
        if data[i] != ord(":"):
            raise ValueError(f"expected ':' at byte {i}")
        start = _space(data, i + 1)
        end = _value_end(data, start)
        if key in tree:
            subtree = tree[key]
            if subtree is None:
                fields[key] = _scalar(data[start:end])
            elif data[start] == ord("{"):
                fields[key], _ = _object(data, start, subtree)
        i = _space(data, end)
        if data[i] == ord("}"):
            return fields, i + 1
        if data[i] != ord(","):
            raise ValueError(f"expected ',' or '}}' at byte {i}")
        i = _space(data, i + 1)


def _scalar(raw: bytes) -> Any:
    """A value we read: JSON, or one of the constants Python's json writes (as DuckDB does)."""
    constants = {b"NaN": float("nan"), b"Infinity": float("inf"), b"-Infinity": float("-inf")}
    return constants[raw] if raw in constants else msgspec.json.decode(raw)


def _string_end(data: bytes, i: int) -> int:
    if data[i] != _QUOTE:
        raise ValueError(f"expected a string at byte {i}")
    i += 1
    while True:
        j = data.index(b'"', i)
        backslashes = 0
        while data[j - 1 - backslashes] == _BACKSLASH:
            backslashes += 1
        if backslashes % 2 == 0:
            return j + 1
        i = j + 1


def _value_end(data: bytes, i: int) -> int:
    if data[i] == _QUOTE:
        return _string_end(data, i)
    if data[i] in _OPEN:
        depth = 0
        while True:
            c = data[i]
            if c == _QUOTE:
                i = _string_end(data, i)
                continue
            if c in _OPEN:
                depth += 1
            elif c in _CLOSE:
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
    start = i
    while i < len(data) and data[i] not in _SCALAR_END:
        i += 1
    if i == start:
        raise ValueError(f"expected a value at byte {i}")
    return i
