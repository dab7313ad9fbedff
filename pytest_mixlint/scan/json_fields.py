"""Reading the fields of a JSON document the fast decoder (msgspec) refuses, as DuckDB reads
them, so that both engines count the same documents.

msgspec refuses ``NaN``/``Infinity`` and lone surrogates (which Python's ``json`` writes):
``json.loads`` reads those. Both recurse into every value, so a field nested 100,000 deep that
nobody reads stops them: ``read_fields`` decodes only the values of the fields we need and skips
every other one without recursion, still checking that it is JSON (brackets that match, scalars
that parse). Only lines msgspec refused come here: speed does not matter, bounded work does.
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
    """The end of the JSON value at ``i``, checked as it is skipped: strings and scalars parse,
    brackets match (a stack, not recursion)."""
    if data[i] == _QUOTE:
        end = _string_end(data, i)
        msgspec.json.decode(data[i:end])  # raw control characters, bad escapes, invalid UTF-8
        return end
    if data[i] not in _OPEN:
        return _scalar_end(data, i)
    closing = {ord("["): ord("]"), ord("{"): ord("}")}
    stack: list[int] = []
    while True:
        c = data[i]
        if c == _QUOTE:
            end = _string_end(data, i)
            msgspec.json.decode(data[i:end])
            i = end
            continue
        if c in _OPEN:
            stack.append(closing[c])
        elif c in _CLOSE:
            if not stack or stack.pop() != c:
                raise ValueError(f"a bracket that does not match at byte {i}")
            if not stack:
                return i + 1
        elif c not in _SPACE and c not in b",:":
            i = _scalar_end(data, i)
            continue
        i += 1


def _scalar_end(data: bytes, i: int) -> int:
    start = i
    while i < len(data) and data[i] not in _SCALAR_END:
        i += 1
    if i == start:
        raise ValueError(f"expected a value at byte {i}")
    _scalar(data[start:i])  # a number, true, false, null or a constant Python writes
    return i


def field_value(document: Any, dotted: str) -> Any:
    """The value at a dotted path of decoded JSON objects; None where a parent is missing."""
    for key in dotted.split("."):
        document = document.get(key) if isinstance(document, dict) else None
    return document
