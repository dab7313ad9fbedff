"""Normalise and classify declared licences into one category each.

A declared licence is an SPDX expression (``MIT OR Apache-2.0``), a Hugging Face Hub licence id
(``cc-by-nc-4.0``, ``llama3.1``, ``other``) or a list of them. :func:`classify_license` returns a
:class:`LicenseInfo` with the normalised expression, the licence ids in it and one category from
:data:`CATEGORIES`:

* ``OR`` takes the most permissive branch (the licensee may choose it);
* ``AND``, a list, and ``WITH`` take the most restrictive member. An exception never makes a
  licence more restrictive: ``X WITH e`` is X's category, except that a copyleft licence with a
  linking-style exception (``GPL-2.0-or-later WITH Classpath-exception-2.0``) is weak-copyleft
  (see ``with_exception`` in ``data/licenses.yaml``);
* Hub ``other``/``unknown`` and ``LicenseRef-*`` are valid and ``unknown``;
* nothing declared (``None``, ``""``, ``[]``) is ``unknown`` without an error: rules decide whether
  a licence is required;
* an invalid expression or id is ``unknown`` with a one-line ``error`` that says how to fix it.

The id -> category table is ``data/licenses.yaml`` (every Hub id and the SPDX ids that matter for
training data); other SPDX ids fall back to the ScanCode LicenseDB categories shipped with
``license-expression``. Ids are matched case-insensitively; the normalised expression spells SPDX
ids in SPDX case and Hub-only ids in lowercase. Tables are loaded once per process and
classifications are cached, so classifying a large manifest costs one dict lookup per repeated
licence string.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple, cast

LicenseCategory = Literal[
    "public-domain",
    "permissive",
    "weak-copyleft",
    "copyleft",
    "non-commercial",
    "restricted",
    "proprietary",
    "unknown",
]

#: All categories, most permissive first. ``OR`` picks the earliest, ``AND`` the latest.
CATEGORIES: tuple[LicenseCategory, ...] = (
    "public-domain",
    "permissive",
    "weak-copyleft",
    "copyleft",
    "restricted",
    "non-commercial",
    "proprietary",
    "unknown",
)

_RANK: dict[str, int] = {category: rank for rank, category in enumerate(CATEGORIES)}

DATA_FILE = Path(__file__).with_name("data") / "licenses.yaml"

__all__ = [
    "CATEGORIES",
    "DATA_FILE",
    "LicenseCategory",
    "LicenseInfo",
    "category_of_id",
    "classify_license",
    "most_permissive",
    "most_restrictive",
    "normalize_license_id",
]


@dataclass(frozen=True)
class LicenseInfo:
    """The classification of one declared licence (a string or a list of strings)."""

    #: What was declared, stripped; list items joined with " AND " (compound items in
    #: parentheses). None when nothing was declared.
    declared: str | None
    #: The normalised expression (SPDX ids in SPDX case, Hub ids otherwise); None when nothing
    #: was declared or the declaration is invalid.
    expression: str | None
    category: LicenseCategory
    #: The normalised licence ids in the expression, in order, without duplicates. Exceptions
    #: (the right side of WITH) are not licences and are not listed.
    ids: tuple[str, ...]
    #: None when valid; otherwise one line saying what is wrong and how to fix it.
    error: str | None

    @property
    def is_declared(self) -> bool:
        return self.declared is not None


_UNDECLARED = LicenseInfo(declared=None, expression=None, category="unknown", ids=(), error=None)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


class _Entry(NamedTuple):
    id: str  # normalised id
    category: LicenseCategory
    source: str  # "table" (data/licenses.yaml) or "spdx" (ScanCode fallback)


class _Exception(NamedTuple):
    id: str
    scancode_category: str


class _Tables(NamedTuple):
    licenses: dict[str, _Entry]  # lowercase id or alias -> entry
    exceptions: dict[str, _Exception]  # lowercase exception id -> exception
    relax_to: LicenseCategory
    relaxing_exception_categories: frozenset[str]
    hints: dict[str, tuple[str, ...]]  # normalised misspelling -> suggested ids
    display: dict[str, str]  # lowercase id/alias -> id to suggest
    table_ids: frozenset[str]  # lowercase keys and aliases of data/licenses.yaml


def _check_category(value: Any, where: str) -> LicenseCategory:
    if value not in _RANK:
        raise ValueError(f"{DATA_FILE.name}: {where}: {value!r} is not one of {', '.join(CATEGORIES)}")
    return cast(LicenseCategory, value)


def _hint_key(text: str) -> str:
    """Lowercase, spaces/underscores to hyphens, 'license'/'version' words dropped."""
    key = text.strip().strip("'\"`").lower()
    key = re.sub(r"\b(the|licen[cs]e[sd]?|version|agreement)\b", " ", key)
    key = re.sub(r"[\s_,]+", "-", key.strip())
    key = re.sub(r"-{2,}", "-", key).strip("-")
    return key


@functools.lru_cache(maxsize=1)
def _tables() -> _Tables:
    from license_expression import get_license_index

    from .documents.syntax import parse_text  # rejects duplicate keys, as this table must

    data = parse_text(DATA_FILE.read_text(encoding="utf-8"), DATA_FILE.name, "yaml").data
    if not isinstance(data, dict) or data.get("mixlint-licenses") != 1:
        raise ValueError(f"{DATA_FILE.name}: expected 'mixlint-licenses: 1' at the top")

    scancode_map = {
        str(name): _check_category(category, f"scancode_categories.{name}")
        for name, category in (data.get("scancode_categories") or {}).items()
    }
    patterns = [
        (re.compile(str(regex)), _check_category(category, f"patterns {regex!r}"))
        for regex, category in (data.get("patterns") or [])
    ]
    with_exception = data.get("with_exception") or {}
    relax_to = _check_category(
        with_exception.get("copyleft_becomes", "copyleft"), "with_exception.copyleft_becomes"
    )
    relaxing = frozenset(str(c) for c in with_exception.get("when_exception_category") or ())

    licenses: dict[str, _Entry] = {}
    display: dict[str, str] = {}
    table_ids: set[str] = set()
    for category, entries in (data.get("licenses") or {}).items():
        category = _check_category(category, "licenses")
        for license_id, aliases in (entries or {}).items():
            license_id = str(license_id)
            entry = _Entry(license_id, category, "table")
            for name in [license_id, *(str(alias) for alias in aliases or ())]:
                key = name.lower()
                if key in table_ids:
                    raise ValueError(f"{DATA_FILE.name}: licence id {name!r} is listed twice")
                table_ids.add(key)
                licenses[key] = entry
                display[key] = license_id

    # SPDX ids from the ScanCode LicenseDB index vendored in license-expression.
    exceptions: dict[str, _Exception] = {}
    for record in get_license_index():
        spdx_id = record.get("spdx_license_key")
        if not spdx_id or spdx_id.lower().startswith("licenseref-"):
            continue
        names = [spdx_id] + [
            other
            for other in record.get("other_spdx_license_keys") or ()
            if not other.lower().startswith("licenseref-")
        ]
        scancode_category = record.get("category") or "Unstated License"
        if record.get("is_exception"):
            for name in names:
                exceptions.setdefault(name.lower(), _Exception(spdx_id, scancode_category))
            # Deprecated composite SPDX licence ids ("GPL-2.0-with-classpath-exception", "eCos-2.0")
            # and a few ids that are both licence and exception are also accepted as licences.
            if "-with-" not in spdx_id.lower() and re.search(r"exception|note", spdx_id, re.I):
                continue
        table_entry = licenses.get(spdx_id.lower())
        if table_entry is not None:
            entry = table_entry
        else:
            lowered = spdx_id.lower()
            category = next(
                (cat for regex, cat in patterns if regex.fullmatch(lowered)),
                scancode_map.get(scancode_category, "unknown"),
            )
            entry = _Entry(spdx_id, category, "spdx")
        for name in names:
            key = name.lower()
            licenses.setdefault(key, entry)
            display.setdefault(key, entry.id)

    hints = {
        _hint_key(str(k)): tuple(str(x) for x in v) if isinstance(v, list) else (str(v),)
        for k, v in (data.get("hints") or {}).items()
    }
    return _Tables(
        licenses=licenses,
        exceptions=exceptions,
        relax_to=relax_to,
        relaxing_exception_categories=relaxing,
        hints=hints,
        display=display,
        table_ids=frozenset(table_ids),
    )


def _is_license_ref(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("licenseref-") or (
        lowered.startswith("documentref-") and ":licenseref-" in lowered
    )


def _resolve(name: str) -> _Entry | None:
    """The entry for one licence id (not an expression), or None when it is not a licence id."""
    tables = _tables()
    key = name.strip().lower()
    entry = tables.licenses.get(key)
    if entry is not None:
        return entry
    if _is_license_ref(name):
        return _Entry(name.strip(), "unknown", "licenseref")
    if key.endswith("+") and not key.endswith("++"):
        # SPDX "+" operator: this version or any later one. "GPL-2.0+" is a known deprecated id.
        base = tables.licenses.get(key[:-1])
        if base is not None:
            return _Entry(base.id + "+", base.category, base.source)
    return None


# --------------------------------------------------------------------------------------------
# Public helpers
# --------------------------------------------------------------------------------------------


def category_of_id(license_id: str) -> LicenseCategory:
    """The category of one licence id (SPDX or Hub, any case); "unknown" when not known.

    Expressions are not ids: use :func:`classify_license` for ``MIT OR Apache-2.0``.
    """
    if not isinstance(license_id, str):
        return "unknown"
    entry = _resolve(license_id)
    return entry.category if entry is not None else "unknown"


def normalize_license_id(license_id: str) -> str | None:
    """The normalised spelling of one licence id (``gpl-3.0`` -> ``GPL-3.0-only``), or None.

    Useful to compare ids from rule options (allow/deny lists) with :attr:`LicenseInfo.ids`.
    """
    if not isinstance(license_id, str):
        return None
    entry = _resolve(license_id)
    return entry.id if entry is not None else None


def most_permissive(categories: Iterable[str]) -> LicenseCategory:
    """The most permissive of the categories (OR); "unknown" when there are none."""
    return _pick(categories, min)


def most_restrictive(categories: Iterable[str]) -> LicenseCategory:
    """The most restrictive of the categories (AND, lists); "unknown" when there are none."""
    return _pick(categories, max)


def _pick(categories: Iterable[str], choose: Any) -> LicenseCategory:
    ranks = []
    for category in categories:
        if category not in _RANK:
            raise ValueError(
                f"unknown licence category {category!r}; expected one of {', '.join(CATEGORIES)}"
            )
        ranks.append(_RANK[category])
    return CATEGORIES[choose(ranks)] if ranks else "unknown"


# --------------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------------


def classify_license(value: str | list[str] | tuple[str, ...] | None) -> LicenseInfo:
    """Classify a declared licence: an SPDX expression, a Hub id, or a list of them.

    Never raises for bad input: problems are reported in :attr:`LicenseInfo.error`.
    """
    if value is None:
        return _UNDECLARED
    if isinstance(value, str):
        return _classify_text(value)
    if isinstance(value, (list, tuple)):
        if all(isinstance(item, str) for item in value):
            return _classify_items(tuple(value))
        bad = next(item for item in value if not isinstance(item, str))
        return _invalid(
            _join_declared([str(item) for item in value]),
            f"licence list item {bad!r} is not a string: write each licence as a string, "
            "e.g. [MIT, CC-BY-4.0]",
        )
    return _invalid(
        str(value),
        f"licence must be a string or a list of strings, not {type(value).__name__} "
        f"({value!r}): e.g. 'MIT OR Apache-2.0' or [MIT, CC-BY-4.0]",
    )


def _invalid(declared: str | None, error: str) -> LicenseInfo:
    return LicenseInfo(declared=declared, expression=None, category="unknown", ids=(), error=error)


_COMPOUND = re.compile(r"\s(?:and|or)\s", re.IGNORECASE)


def _join_declared(items: Iterable[str]) -> str:
    parts = []
    for item in items:
        item = item.strip()
        if _COMPOUND.search(item) and not (item.startswith("(") and item.endswith(")")):
            item = f"({item})"
        parts.append(item)
    return " AND ".join(parts)


@functools.lru_cache(maxsize=4096)
def _classify_items(items: tuple[str, ...]) -> LicenseInfo:
    items = tuple(item for item in items if item.strip())
    if not items:
        return _UNDECLARED
    if len(items) == 1:
        return _classify_text(items[0])
    declared = _join_declared(items)
    infos = [_classify_text(item) for item in items]
    errors = [info.error for info in infos if info.error]
    if errors:
        return _invalid(declared, "; ".join(errors))
    expressions = []
    for info in infos:
        expression = cast(str, info.expression)
        expressions.append(f"({expression})" if " OR " in expression else expression)
    ids = tuple(dict.fromkeys(i for info in infos for i in info.ids))
    return LicenseInfo(
        declared=declared,
        expression=" AND ".join(expressions),
        category=most_restrictive(info.category for info in infos),
        ids=ids,
        error=None,
    )


@functools.lru_cache(maxsize=1)
def _licensing() -> Any:
    from license_expression import Licensing

    # No known symbols: any id parses, so unknown ids can be reported with suggestions
    # instead of failing the whole parse.
    return Licensing()


@functools.lru_cache(maxsize=16384)
def _classify_text(text: str) -> LicenseInfo:
    declared = text.strip()
    if not declared:
        return _UNDECLARED
    licensing = _licensing()
    try:
        tree = licensing.parse(declared)
    except Exception as exc:  # noqa: BLE001 - license-expression raises several types
        return _invalid(declared, _syntax_error(declared, exc))
    if tree is None:
        return _UNDECLARED
    problems: list[str] = []
    ids: dict[str, None] = {}
    expression, category = _evaluate(tree, licensing, problems, ids, parent=None)
    if problems:
        return _invalid(declared, "; ".join(dict.fromkeys(problems)))
    return LicenseInfo(
        declared=declared, expression=expression, category=category, ids=tuple(ids), error=None
    )


def _evaluate(
    node: Any, licensing: Any, problems: list[str], ids: dict[str, None], parent: type | None
) -> tuple[str, LicenseCategory]:
    if isinstance(node, (licensing.AND, licensing.OR)):
        operator = "AND" if isinstance(node, licensing.AND) else "OR"
        parts = [_evaluate(arg, licensing, problems, ids, parent=type(node)) for arg in node.args]
        text = f" {operator} ".join(part for part, _ in parts)
        if parent is not None and parent is not type(node):
            text = f"({text})"
        pick = most_restrictive if operator == "AND" else most_permissive
        return text, pick(category for _, category in parts)
    if hasattr(node, "license_symbol") and hasattr(node, "exception_symbol"):
        return _evaluate_with(node.license_symbol.key, node.exception_symbol.key, problems, ids)
    return _evaluate_symbol(str(node.key), problems, ids)


def _evaluate_symbol(
    name: str, problems: list[str], ids: dict[str, None]
) -> tuple[str, LicenseCategory]:
    entry = _resolve(name)
    if entry is None:
        problems.append(_unknown_id_error(name))
        return name, "unknown"
    ids[entry.id] = None
    return entry.id, entry.category


def _evaluate_with(
    license_name: str, exception_name: str, problems: list[str], ids: dict[str, None]
) -> tuple[str, LicenseCategory]:
    tables = _tables()
    base_text, base_category = _evaluate_symbol(license_name, problems, ids)
    exception = tables.exceptions.get(exception_name.lower())
    if exception is not None:
        exception_text = exception.id
        if (
            base_category == "copyleft"
            and exception.scancode_category in tables.relaxing_exception_categories
        ):
            base_category = tables.relax_to
    elif _is_license_ref(exception_name) or exception_name.lower().startswith("additionref-"):
        exception_text = exception_name
    elif _resolve(exception_name) is not None:
        problems.append(
            f"'{exception_name}' is a licence, not a licence exception: only exceptions may "
            f"follow WITH; combine licences with AND/OR, e.g. '{license_name} AND {exception_name}'"
        )
        exception_text = exception_name
    else:
        hint = _did_you_mean(exception_name, exceptions=True, default=_UNKNOWN_EXCEPTION_HELP)
        problems.append(f"unknown licence exception '{exception_name}'{hint}")
        exception_text = exception_name
    return f"{base_text} WITH {exception_text}", base_category


# --------------------------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------------------------

_UNKNOWN_EXCEPTION_HELP = (
    ": use an SPDX exception id (https://spdx.org/licenses/exceptions-index.html)"
)
_UNKNOWN_ID_HELP = (
    ": use an SPDX id (https://spdx.org/licenses/) or a Hugging Face Hub licence id "
    "(https://huggingface.co/docs/hub/repositories-licenses); for custom terms use 'other' "
    "(with license_name/license_link in a card) or 'LicenseRef-<name>'"
)


def _unknown_id_error(name: str) -> str:
    tables = _tables()
    if name.lower() in tables.exceptions:
        exception = tables.exceptions[name.lower()].id
        return (
            f"'{name}' is a licence exception, not a licence: put it after WITH, "
            f"e.g. 'GPL-2.0-or-later WITH {exception}'"
        )
    words = name.split()
    if len(words) > 1 and all(_resolve(word) is not None for word in words):
        fixed = [cast(_Entry, _resolve(word)).id for word in words]
        return (
            f"unknown licence id '{name}': licences need an operator between them, "
            f"e.g. '{' OR '.join(fixed)}' (either) or '{' AND '.join(fixed)}' (all)"
        )
    return f"unknown licence id '{name}'" + _did_you_mean(name, default=_UNKNOWN_ID_HELP)


def _quote_list(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _did_you_mean(name: str, *, exceptions: bool = False, default: str = "") -> str:
    suggestions = _suggestions(name, exceptions=exceptions)
    if not suggestions:
        return default
    text = f": did you mean {_quote_list(suggestions)}?"
    if "other" in suggestions:
        text += " ('other' = custom terms, named by license_name/license_link in a card)"
    return text


@functools.lru_cache(maxsize=1024)
def _suggestions(name: str, *, exceptions: bool = False) -> list[str]:
    """Up to three ids close to a misspelt one, best first; [] when nothing is close."""
    tables = _tables()
    key = _hint_key(name)
    if exceptions:
        pool = {k: v.id for k, v in tables.exceptions.items()}
    else:
        if key in tables.hints:
            return list(tables.hints[key])
        pool = tables.display
    # Exact after normalising: "Apache License 2.0" -> "apache-2.0", "GPL-v3" -> "gpl-3", ...
    for candidate in (key, key.replace("-v", "-"), re.sub(r"(\d)$", r"\1.0", key)):
        if candidate in pool:
            return [pool[candidate]]
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(key)
    scored: list[tuple[float, str]] = []
    for candidate in pool:
        matcher.set_seq1(candidate)
        if (
            matcher.real_quick_ratio() >= 0.6
            and matcher.quick_ratio() >= 0.6
            and (score := matcher.ratio()) >= 0.6
        ):
            scored.append((score, candidate))
    if not scored:
        return []
    # Prefer the curated ids (Hub ids and common SPDX ids) among equally close candidates.
    scored = [
        (score + (0.02 if not exceptions and c in tables.table_ids else 0.0), c)
        for score, c in scored
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    best = scored[0][0]
    close = [pool[candidate] for score, candidate in scored if score > best - 0.04]
    return list(dict.fromkeys(close))[:3]


_SEPARATORS = re.compile(r"\s*([/|,;&+]|\band/or\b)\s*", re.IGNORECASE)


def _syntax_error(text: str, exc: Exception) -> str:
    from license_expression import ExpressionError

    prefix = f"invalid licence expression '{text}'"
    if "Invalid license key" in str(exc):
        # Characters SPDX does not allow in ids: "MIT/Apache-2.0", "Apache License, Version 2.0".
        parts = [p for p in _SEPARATORS.split(text) if p and not _SEPARATORS.fullmatch(p)]
        resolved = [_resolve(p) for p in parts]
        if len(parts) > 1 and all(resolved):
            names = [cast(_Entry, r).id for r in resolved]
            return (
                f"{prefix}: did you mean '{' OR '.join(names)}' (either applies) "
                f"or '{' AND '.join(names)}' (all apply)?"
            )
        whole = _suggestions(text)
        if whole:
            return f"{prefix}: did you mean {_quote_list(whole)}?"
        return (
            f"{prefix}: ids may only contain letters, digits, '.', '-', '+' and ':'; combine "
            "licences with AND/OR/WITH and parentheses, e.g. '(MIT OR Apache-2.0) AND CC-BY-4.0'"
        )
    if isinstance(exc, ExpressionError):
        message = str(exc).split(" for token")[0].strip().rstrip(".")
    else:
        message = "malformed expression"
    repaired = _repair(text)
    if repaired is not None:
        return f"{prefix}: {message}: did you mean '{repaired}'?"
    return (
        f"{prefix}: {message}: AND/OR need a licence on each side and parentheses must balance, "
        "e.g. '(MIT OR Apache-2.0) AND CC-BY-4.0'"
    )


_OPERATORS = {"and", "or", "with"}


def _repair(text: str) -> str | None:
    """A valid expression close to a syntactically broken one, or None."""
    tokens = [t for t in re.split(r"(\(|\)|\s+)", text) if t and not t.isspace()]
    cleaned: list[str] = []
    for token in tokens:
        is_operator = token.lower() in _OPERATORS
        previous = cleaned[-1] if cleaned else None
        if is_operator and (
            previous is None or previous == "(" or previous.lower() in _OPERATORS
        ):
            continue
        if token == ")" and previous is not None and previous.lower() in _OPERATORS:
            cleaned.pop()
        cleaned.append(token)
    while cleaned and cleaned[-1].lower() in _OPERATORS:
        cleaned.pop()
    balanced: list[str] = []
    depth = 0
    for token in cleaned:
        if token == ")":
            if depth == 0:
                continue
            if balanced and balanced[-1] == "(":
                balanced.pop()  # drop "()"
                depth -= 1
                continue
            depth -= 1
        elif token == "(":
            depth += 1
        balanced.append(token)
    balanced.extend(")" * depth)
    candidate = " ".join(balanced).replace("( ", "(").replace(" )", ")")
    if not candidate or candidate == text.strip():
        return None
    try:
        tree = _licensing().parse(candidate)
    except Exception:  # noqa: BLE001
        return None
    if tree is None:
        return None
    info = _classify_text(candidate)
    return info.expression if info.error is None else None
