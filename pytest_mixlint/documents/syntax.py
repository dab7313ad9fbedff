"""Safe parsing of YAML, JSON and TOML into plain data plus the line of every key and item.

Why not ``yaml.safe_load``: it gives no line numbers, silently keeps the last of two duplicate
keys, and expands aliases without limit (a "billion laughs" file turns into an exponentially
large object graph as soon as anything walks it). Here YAML is *composed* (no object is
constructed from a tag), then converted by our own walk that allows only the standard tags,
rejects duplicate keys, bounds nesting depth and the number of nodes reached through aliases,
and records ``line_of[path]`` for every mapping key and sequence item.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..problems import MixlintError, Problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

Path_ = tuple[str | int, ...]

MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_ALIAS_NODES = 100_000

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD_TAG = "tag:yaml.org,2002:"
_BOOL_TAG = f"{_STANDARD_TAG}bool"
_SCALAR_TAGS = {f"{_STANDARD_TAG}{t}" for t in ("str", "int", "float", "bool", "null")}


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


def read_text(path: str, display: str | None = None) -> str:
    """Read a user file as UTF-8; undecodable bytes become a located problem, not a crash."""
    display = display or path
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise MixlintError(Problem(display, None, f"cannot read file: {exc.strerror or exc}")) from None
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

def _parse_yaml(text: str, path: str, first_line: int) -> Parsed:
    offset = first_line - 1
    try:
        node = yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. NUL
        line = text.count("\n", 0, exc.position) + 1 + offset
        raise MixlintError(Problem(path, line, f"invalid YAML: character {exc.character!r} is not allowed",
                                   "remove control characters from the file")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else None
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        if "depth" in message:
            message += f" (nesting deeper than {MAX_DEPTH} levels is not supported)"
        raise MixlintError(Problem(path, line, f"invalid YAML: {message}")) from None
    except yaml.YAMLError as exc:
        raise MixlintError(Problem(path, None, f"invalid YAML: {exc}")) from None
    except RecursionError:
        raise MixlintError(Problem(path, None, f"YAML nested too deeply (limit {MAX_DEPTH})")) from None
    if node is None:
        return Parsed(None, {(): first_line})
    return _YamlConverter(path, offset).run(node)


class _YamlConverter:
    def __init__(self, path: str, offset: int) -> None:
        self.path = path
        self.offset = offset
        self.nodes = 0
        self.alias_nodes = 0
        self.line_of: dict[Path_, int] = {}
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used

    def run(self, root: yaml.Node) -> Parsed:
        self.line_of[()] = root.start_mark.line + 1 + self.offset
        return Parsed(self.convert(root, (), 0, False), self.line_of)

    def fail(self, node: yaml.Node, message: str, hint: str | None = None) -> MixlintError:
        return MixlintError(Problem(self.path, node.start_mark.line + 1 + self.offset, message, hint))

    def convert(self, node: yaml.Node, path: Path_, depth: int, via_alias: bool) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nesting deeper than {MAX_DEPTH} levels")
        self.nodes += 1
        if via_alias:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise self.fail(node, f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                                "anchors and aliases that multiply (a 'billion laughs') are refused")
        if self.nodes > MAX_NODES:
            raise self.fail(node, f"document has more than {MAX_NODES:,} nodes")
        # The same node object reached twice means an alias; everything under it counts as such.
        seen = getattr(node, "_mixlint_seen", False)
        if seen:
            via_alias = True
        else:
            node._mixlint_seen = True  # type: ignore[attr-defined]
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise self.fail(node, f"unsupported YAML tag {node.tag!r}",
                                "only plain strings, numbers, booleans and null are allowed")
            if node.tag == _BOOL_TAG and node.value.lower() not in ("true", "false"):
                # YAML 1.2, as the Hub's parser reads cards: `no` (Norwegian), `on`, `off` are strings.
                return node.value
            try:
                return self.constructor.construct_object(node)
            except (yaml.YAMLError, ValueError) as exc:
                raise self.fail(node, f"invalid value {node.value!r}: {exc}") from None
        if isinstance(node, yaml.SequenceNode):
            if node.tag != f"{_STANDARD_TAG}seq":
                raise self.fail(node, f"unsupported YAML tag {node.tag!r}")
            items = []
            for i, child in enumerate(node.value):
                self.line_of.setdefault(path + (i,), child.start_mark.line + 1 + self.offset)
                items.append(self.convert(child, path + (i,), depth + 1, via_alias))
            return items
        if isinstance(node, yaml.MappingNode):
            if node.tag != f"{_STANDARD_TAG}map":
                raise self.fail(node, f"unsupported YAML tag {node.tag!r}")
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == f"{_STANDARD_TAG}merge":
                    raise self.fail(key_node, "YAML merge keys ('<<') are not supported",
                                    "write the keys out")
                key = self.convert(key_node, path, depth + 1, via_alias)
                if isinstance(key, (list, dict)):
                    raise self.fail(key_node, "a mapping key must be a plain value")
                if key in mapping:
                    raise self.fail(key_node, f"duplicate key {key!r}",
                                    "each key may appear once in a mapping")
                key_path = path + (key,)
                self.line_of.setdefault(key_path, key_node.start_mark.line + 1 + self.offset)
                mapping[key] = self.convert(value_node, key_path, depth + 1, via_alias)
            return mapping
        raise self.fail(node, "unsupported YAML node")  # pragma: no cover


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
        raise MixlintError(Problem(path, None, f"invalid JSON: {exc}")) from None
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
        raise MixlintError(Problem(path, line, f"invalid TOML: {message}")) from None
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
            else:
                table = keys
            lines.setdefault(table, number)
            continue
        key = _TOML_KEY.match(line)
        if key:
            parts = tuple(k.strip().strip("\"'") for k in key.group(1).split("."))
            lines.setdefault(table + parts, number)
    return lines
