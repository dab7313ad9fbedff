"""Classification of a declared licence: :func:`classify_license` -> :class:`LicenseInfo`.

The category of an expression follows from the categories of its ids (see :mod:`.table`):

* ``OR`` takes the most permissive branch (the licensee may choose it);
* ``AND``, a list, and ``WITH`` take the most restrictive member. An exception never makes a
  licence more restrictive: ``X WITH e`` is X's category, except that a copyleft licence with a
  linking-style exception (``GPL-2.0-or-later WITH Classpath-exception-2.0``) is weak-copyleft
  (see ``with_exception`` in ``data/licenses.yaml``);
* Hub ``other``/``unknown`` and ``LicenseRef-*`` are valid and ``unknown``;
* nothing declared (``None``, ``""``, ``[]``) is ``unknown`` without an error: rules decide whether
  a licence is required;
* an invalid expression or id is ``unknown`` with a one-line ``error`` that says how to fix it
  (see :mod:`.hints`).

Classifications are cached, so classifying a large manifest costs one dict lookup per repeated
licence string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from . import table
from .categories import LicenseCategory, most_permissive, most_restrictive

# The error messages (``from . import hints``) are imported where an error is reported: valid
# declarations, the common case, never pay for them.


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


def classify_license(value: str | list[str] | tuple[str, ...] | None) -> LicenseInfo:
    """Classify a declared licence: an SPDX expression, a Hub id, or a list of them.

    Never raises for bad input: problems are reported in :attr:`LicenseInfo.error`.
    """
    if value is None:
        return _UNDECLARED
    if isinstance(value, str):
        return _classify_text(value)
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return _classify_items(tuple(value))
    from . import hints

    if isinstance(value, (list, tuple)):
        bad = next(item for item in value if not isinstance(item, str))
        return _invalid(
            _join_declared([str(item) for item in value]), hints.list_item_not_a_string_error(bad)
        )
    return _invalid(str(value), hints.not_a_string_or_list_error(value))


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
        from . import hints

        return _invalid(declared, hints.invalid_expression_error(declared, exc, _repaired_expression))
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


def _repaired_expression(candidate: str) -> str | None:
    """The normalised expression of a repair candidate when it is a valid declaration, else None."""
    # Parsed first: classifying an unparsable candidate would try to repair it in turn.
    try:
        _licensing().parse(candidate)
    except Exception:  # noqa: BLE001
        return None
    info = _classify_text(candidate)
    return info.expression if info.error is None else None


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
    entry = table.resolve(name)
    if entry is None:
        from . import hints

        problems.append(hints.unknown_id_error(name))
        return name, "unknown"
    ids[entry.id] = None
    return entry.id, entry.category


def _evaluate_with(
    license_name: str, exception_name: str, problems: list[str], ids: dict[str, None]
) -> tuple[str, LicenseCategory]:
    license_table = table.load()
    base_text, base_category = _evaluate_symbol(license_name, problems, ids)
    exception = license_table.exceptions.get(exception_name.lower())
    if exception is not None:
        exception_text = exception.id
        if (
            base_category == "copyleft"
            and exception.scancode_category in license_table.relaxing_exception_categories
        ):
            base_category = license_table.relax_to
    elif table.is_license_ref(exception_name) or exception_name.lower().startswith("additionref-"):
        exception_text = exception_name
    elif table.resolve(exception_name) is not None:
        from . import hints

        problems.append(hints.license_after_with_error(license_name, exception_name))
        exception_text = exception_name
    else:
        from . import hints

        problems.append(hints.unknown_exception_error(exception_name))
        exception_text = exception_name
    return f"{base_text} WITH {exception_text}", base_category
