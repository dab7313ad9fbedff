"""Safe parsing of YAML, JSON and TOML into plain data plus the line of every key and item.

Why not ``yaml.safe_load``: it gives no line numbers, silently keeps the last of two duplicate
keys, and expands aliases without limit (a "billion laughs" file turns into an exponentially
large object graph as soon as anything walks it). Here YAML is built from parser events (no
object is ever constructed from a tag) by our own builder that allows only the standard scalar
tags, rejects duplicate keys, bounds nesting depth and the number of nodes reached through
aliases, and records ``line_of[path]`` for every mapping key and sequence item.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..access import FileAccess
from ..problems import MixlintError, Problem

Path_ = tuple[str | int, ...]

MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_ALIAS_NODES = 100_000

_STANDARD_TAG = "tag:yaml.org,2002:"


@dataclass
class Parsed:
    """A parsed file: its data and the 1-based line of each key / item path."""

    data: Any
    line_of: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """Line of ``path`` or of its nearest located ancestor."""
        path = tuple(path)
        while path:
            if path in self.line_of:
                return self.line_of[path]
            path = path[:-1]
        return self.line_of.get((), None)


def parse_text(text: str, path: str, syntax: str, first_line: int = 1) -> Parsed:
    """Parse ``text`` written in ``syntax`` (yaml, json or toml); raise a located MixlintError."""
    if syntax == "yaml":
        return _parse_yaml(text, path, first_line)
    if not text.strip():
        return Parsed(None, {(): 1})
    if syntax == "json":
        parsed = _parse_json(text, path)
    elif syntax == "toml":
        parsed = _parse_toml(text, path)
    else:
        raise ValueError(f"unknown syntax {syntax!r}")
    _check_depth(parsed, path)
    return parsed


def _check_depth(parsed: Parsed, path: str) -> None:
    """JSON and TOML parsers nest as deep as Python's stack; hold them to YAML's limit."""
    stack: list[tuple[Any, Path_]] = [(parsed.data, ())]
    while stack:
        value, where = stack.pop()
        if len(where) > MAX_DEPTH:
            raise MixlintError(Problem(path, parsed.line(where), f"nesting deeper than {MAX_DEPTH} levels"))
        if isinstance(value, dict):
            stack.extend((v, where + (k,)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, where + (i,)) for i, v in enumerate(value))


def syntax_of(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith(".toml"):
        return "toml"
    return "yaml"


def read_text(path: str, display: str | None = None, access: FileAccess = FileAccess(), confined: bool = False) -> str:
    """Read a user file as UTF-8; undecodable bytes become a located problem, not a crash. Only a
    regular file of at most ``access.max_bytes``; ``confined`` (a path a repository file names):
    only inside the root."""
    display = display or path
    refusal = access.refusal(path, confined)
    if refusal:
        raise MixlintError(Problem(display, None, refusal))
    try:
        with open(path, "rb") as handle:
            raw = handle.read(access.max_bytes + 1)  # the file may have grown since it was checked
    except OSError as exc:
        raise MixlintError(Problem(display, None, f"cannot read file: {exc.strerror or exc}")) from None
    if len(raw) > access.max_bytes:
        raise MixlintError(Problem(display, None, f"more than {access.max_bytes:,} bytes (mixlint_max_file_bytes)"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise MixlintError(
            Problem(display, line, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                    "save the file as UTF-8")
        ) from None
    return text.removeprefix("\ufeff")


# --- YAML -------------------------------------------------------------------------------------
#
# Documents are built from the parser's events (libyaml's C parser where available) by a small
# iterative builder instead of PyYAML's composer and constructor: it is about 3x faster on large
# manifests, never recurses, and resolves plain scalars by the YAML 1.2 core schema, which is
# what the Hub's YAML parser uses (so `no`, `on`, `off` are strings, `1:20` is not 80).

_YAML_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL = {"null": None, "Null": None, "NULL": None, "~": None, "": None,
            "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
            ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf, "+.Inf": math.inf,
            "+.INF": math.inf, "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
            ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan}
_EXPLICIT = {f"{_STANDARD_TAG}str": str, f"{_STANDARD_TAG}int": int, f"{_STANDARD_TAG}float": float,
             f"{_STANDARD_TAG}bool": bool, f"{_STANDARD_TAG}null": type(None)}


def _plain_scalar(value: str) -> Any:
    """YAML 1.2 core schema resolution of an untagged plain scalar."""
    if value in _SPECIAL:
        return _SPECIAL[value]
    first = value[0]
    if first.isdigit() or first in "+-.":
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
        if _INT_OCT.match(value):
            return int(value[2:], 8)
        if _INT_HEX.match(value):
            return int(value[2:], 16)
    return value


def _parse_yaml(text: str, path: str, first_line: int) -> Parsed:
    offset = first_line - 1
    try:
        return _YamlBuilder(path, offset).build(yaml.parse(text, Loader=_YAML_PARSER))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. NUL
        raise MixlintError(Problem(path, text.count("\n", 0, exc.position) + 1 + offset, f"invalid YAML: character {exc.character!r} is not allowed",
                                   "remove control characters from the file")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        mark_line = mark.line + 1 + offset if mark else None
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        if "depth" in message:
            message += f" (nesting deeper than {MAX_DEPTH} levels is not supported)"
        raise MixlintError(Problem(path, mark_line, f"invalid YAML: {message}")) from None
    except yaml.YAMLError as exc:
        raise MixlintError(Problem(path, None, f"invalid YAML: {exc}")) from None


class _Container:
    """A mapping or sequence being built: where it is, and (for a mapping) the pending key."""

    __slots__ = ("value", "path", "anchor", "nodes_at_start", "key", "key_line", "has_key")

    def __init__(self, value: Any, path: Path_, anchor: str | None, nodes_at_start: int) -> None:
        self.value = value
        self.path = path
        self.anchor = anchor
        self.nodes_at_start = nodes_at_start
        self.has_key = False
        self.key: Any = None
        self.key_line = 0


class _YamlBuilder:
    def __init__(self, path: str, offset: int) -> None:
        self.path = path
        self.offset = offset
        self.nodes = 0
        self.alias_nodes = 0
        self.line_of: dict[Path_, int] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, its number of nodes)

    def fail(self, event: Any, message: str, hint: str | None = None) -> MixlintError:
        return MixlintError(Problem(self.path, event.start_mark.line + 1 + self.offset, message, hint))

    def build(self, events: Any) -> Parsed:
        stack: list[_Container] = []
        root: Any = None
        documents = 0
        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                self._count(event)
                value = self._scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
            elif kind is yaml.AliasEvent:
                if event.anchor not in self.anchors:
                    raise self.fail(event, f"unknown alias *{event.anchor}")
                value, size = self.anchors[event.anchor]
                self.nodes += size
                self.alias_nodes += size
                if self.alias_nodes > MAX_ALIAS_NODES:
                    raise self.fail(event, f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                                    "anchors and aliases that multiply (a 'billion laughs') are refused")
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self._count(event)
                is_map = kind is yaml.MappingStartEvent
                expected = f"{_STANDARD_TAG}{'map' if is_map else 'seq'}"
                if event.tag not in (None, "!", expected):
                    raise self.fail(event, f"unsupported YAML tag {event.tag!r}")
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(event, f"nesting deeper than {MAX_DEPTH} levels")
                path = self._child_path(stack, event) if stack else ()
                self.line_of.setdefault(path, event.start_mark.line + 1 + self.offset)
                stack.append(_Container({} if is_map else [], path, event.anchor, self.nodes))
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                done = stack.pop()
                value = done.value
                if done.anchor:
                    self.anchors[done.anchor] = (value, self.nodes - done.nodes_at_start + 1)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.fail(event, "more than one YAML document in the file", "remove the second '---'")
                continue
            else:  # stream and document boundaries
                continue
            if not stack:
                root = value
                if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                    self.line_of[()] = event.start_mark.line + 1 + self.offset
                continue
            self._add(stack[-1], value, event)
        self.line_of.setdefault((), 1 + self.offset)
        return Parsed(root, self.line_of)

    def _count(self, event: Any) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(event, f"document has more than {MAX_NODES:,} nodes")

    def _child_path(self, stack: list[_Container], event: Any) -> Path_:
        parent = stack[-1]
        if isinstance(parent.value, list):
            return parent.path + (len(parent.value),)
        if not parent.has_key:
            raise self.fail(event, "a mapping key must be a plain value")
        return parent.path + (parent.key,)

    def _add(self, parent: _Container, value: Any, event: Any) -> None:
        line = event.start_mark.line + 1 + self.offset
        if isinstance(parent.value, list):
            self.line_of.setdefault(parent.path + (len(parent.value),), line)
            parent.value.append(value)
        elif not parent.has_key:
            if isinstance(value, (list, dict)):
                raise self.fail(event, "a mapping key must be a plain value")
            if value == "<<" and not getattr(event, "style", "x"):
                raise self.fail(event, "YAML merge keys ('<<') are not supported", "write the keys out")
            if value in parent.value:
                raise self.fail(event, f"duplicate key {value!r}", "each key may appear once in a mapping")
            parent.key, parent.key_line, parent.has_key = value, line, True
            self.line_of.setdefault(parent.path + (value,), line)
        else:
            parent.value[parent.key] = value
            parent.has_key = False

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            return _plain_scalar(event.value) if not event.style and tag is None else event.value
        wanted = _EXPLICIT.get(tag)
        if wanted is None:
            raise self.fail(event, f"unsupported YAML tag {tag!r}",
                            "only plain strings, numbers, booleans and null are allowed")
        value = event.value if wanted is str else _plain_scalar(event.value)
        if wanted is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise self.fail(event, f"{event.value!r} is not a valid {tag.rsplit(':', 1)[-1]}")
        return value


# --- JSON -------------------------------------------------------------------------------------

def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


class _DuplicateKey(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid number")


def _parse_json(text: str, path: str) -> Parsed:
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise MixlintError(Problem(path, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")) from None
    except _DuplicateKey as exc:
        line = _first_line_matching(text, rf'"{re.escape(str(exc))}"\s*:', occurrence=2)
        raise MixlintError(Problem(path, line, f"duplicate key {str(exc)!r}")) from None
    except ValueError as exc:  # NaN / Infinity
        raise MixlintError(Problem(path, _constant_line(text), f"invalid JSON: {exc}",
                                   "JSON has no NaN or Infinity; write a finite number")) from None
    except RecursionError:
        raise MixlintError(Problem(path, 1, f"JSON nested too deeply (limit {MAX_DEPTH} levels)")) from None
    return Parsed(data, _json_lines(text, path))


def _json_lines(text: str, path: str) -> dict[Path_, int]:
    """Lines of keys and items: JSON is YAML, so compose it to get positions.

    Positions are a convenience for messages; if YAML disagrees with JSON on some input we just
    fall back to line numbers found by searching for the key.
    """
    try:
        return _parse_yaml(text, path, 1).line_of
    except MixlintError:
        return {(): 1}


# A JSON string (skipped whole, so that "NaN" inside one is not found) or a bare constant.
_STRING_OR_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def _constant_line(text: str) -> int | None:
    """The line of the first NaN / Infinity outside a string."""
    for match in _STRING_OR_CONSTANT.finditer(text):
        if match.group(1):
            return text.count("\n", 0, match.start()) + 1
    return None


def _first_line_matching(text: str, pattern: str, occurrence: int = 1) -> int | None:
    for i, match in enumerate(re.finditer(pattern, text), start=1):
        if i == occurrence:
            return text.count("\n", 0, match.start()) + 1
    return None


# --- TOML -------------------------------------------------------------------------------------

_TOML_ERROR_AT = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_TOML_KEY = re.compile(r"""^\s*("[^"]+"|'[^']+'|[A-Za-z0-9_.-]+)\s*=""")


def _parse_toml(text: str, path: str) -> Parsed:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_ERROR_AT.search(message)
        line = int(found.group(1)) if found else None
        message = _TOML_ERROR_AT.sub("", message).strip()
        bad = text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else ""
        hint = 'TOML wants quotes around a percentage or a size: weight = "60%", bytes = "328 GB"' \
            if re.search(r"=\s*[\d.]+\s*[%A-Za-z]", bad) else None
        raise MixlintError(Problem(path, line, f"invalid TOML: {message}", hint)) from None
    except RecursionError:
        raise MixlintError(Problem(path, 1, f"TOML nested too deeply (limit {MAX_DEPTH} levels)")) from None
    return Parsed(data, _toml_lines(text))


def _toml_lines(text: str) -> dict[Path_, int]:
    """Approximate key lines for TOML: table headers, array-of-tables items and ``key =`` lines.

    tomllib keeps no positions; this covers what manifests use (top-level keys, ``[[sources]]``).
    """
    lines: dict[Path_, int] = {(): 1}
    table: Path_ = ()
    counts: dict[Path_, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_TABLE.match(line)
        if header:
            keys = tuple(k.strip().strip("\"'") for k in header.group(2).split("."))
            if header.group(1) == "[[":
                index = counts.get(keys, 0)
                counts[keys] = index + 1
                table = keys + (index,)
                lines.setdefault(keys, number)  # the array itself, at its first item
            else:
                table = keys
            lines.setdefault(table, number)
            continue
        key = _TOML_KEY.match(line)
        if key:
            parts = tuple(k.strip().strip("\"'") for k in key.group(1).split("."))
            lines.setdefault(table + parts, number)
    return lines
