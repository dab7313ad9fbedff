"""The licence table: every known licence id (SPDX or Hugging Face Hub, any case) with its
normalised spelling and its category, and the licence exceptions allowed after WITH.

Built once per process from ``data/licenses.yaml`` (every Hub id and the SPDX ids that matter for
training data) and, for every other SPDX id, from the ScanCode LicenseDB index vendored in
``license-expression``, whose categories the YAML's ``patterns`` and ``scancode_categories`` map
to ours. The normalised spelling is the SPDX id in SPDX case where one exists, else the Hub id in
lowercase.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, NamedTuple, cast

from .categories import CATEGORIES, RANK, LicenseCategory

DATA_FILE = Path(__file__).parents[1] / "data" / "licenses.yaml"


class LicenseEntry(NamedTuple):
    id: str  # normalised id
    category: LicenseCategory
    source: str  # "table" (data/licenses.yaml), "spdx" (ScanCode fallback) or "licenseref"


class ExceptionEntry(NamedTuple):
    id: str  # SPDX id of the exception
    scancode_category: str  # decides whether it relaxes a copyleft licence (with_exception)


class LicenseTable(NamedTuple):
    licenses: dict[str, LicenseEntry]  # lowercase id or alias -> entry
    exceptions: dict[str, ExceptionEntry]  # lowercase exception id -> exception
    relax_to: LicenseCategory
    relaxing_exception_categories: frozenset[str]
    hints: dict[str, tuple[str, ...]]  # misspelling_key of a common misspelling -> suggested ids
    display: dict[str, str]  # lowercase id/alias -> id to suggest
    table_ids: frozenset[str]  # lowercase keys and aliases of data/licenses.yaml


def _check_category(value: Any, where: str) -> LicenseCategory:
    if value not in RANK:
        raise ValueError(f"{DATA_FILE.name}: {where}: {value!r} is not one of {', '.join(CATEGORIES)}")
    return cast(LicenseCategory, value)


def misspelling_key(text: str) -> str:
    """Lowercase, spaces/underscores to hyphens, 'license'/'version' words dropped: the form in
    which a misspelt id is looked up among the ``hints`` of the table."""
    key = text.strip().strip("'\"`").lower()
    key = re.sub(r"\b(the|licen[cs]e[sd]?|version|agreement)\b", " ", key)
    key = re.sub(r"[\s_,]+", "-", key.strip())
    key = re.sub(r"-{2,}", "-", key).strip("-")
    return key


@functools.lru_cache(maxsize=1)
def load() -> LicenseTable:
    """The table, built on first use and kept for the process."""
    # Imported on first use: license-expression is slow to import, and ``documents`` imports
    # this package.
    from license_expression import get_license_index

    from ..documents.syntax import parse_text  # rejects duplicate keys, as this table must

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

    licenses: dict[str, LicenseEntry] = {}
    display: dict[str, str] = {}
    table_ids: set[str] = set()
    for category, entries in (data.get("licenses") or {}).items():
        category = _check_category(category, "licenses")
        for license_id, aliases in (entries or {}).items():
            license_id = str(license_id)
            entry = LicenseEntry(license_id, category, "table")
            for name in [license_id, *(str(alias) for alias in aliases or ())]:
                key = name.lower()
                if key in table_ids:
                    raise ValueError(f"{DATA_FILE.name}: licence id {name!r} is listed twice")
                table_ids.add(key)
                licenses[key] = entry
                display[key] = license_id

    # SPDX ids from the ScanCode LicenseDB index vendored in license-expression.
    exceptions: dict[str, ExceptionEntry] = {}
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
                exceptions.setdefault(name.lower(), ExceptionEntry(spdx_id, scancode_category))
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
            entry = LicenseEntry(spdx_id, category, "spdx")
        for name in names:
            key = name.lower()
            licenses.setdefault(key, entry)
            display.setdefault(key, entry.id)

    hints = {
        misspelling_key(str(k)): tuple(str(x) for x in v) if isinstance(v, list) else (str(v),)
        for k, v in (data.get("hints") or {}).items()
    }
    return LicenseTable(
        licenses=licenses,
        exceptions=exceptions,
        relax_to=relax_to,
        relaxing_exception_categories=relaxing,
        hints=hints,
        display=display,
        table_ids=frozenset(table_ids),
    )


def is_license_ref(name: str) -> bool:
    """``LicenseRef-*`` or ``DocumentRef-*:LicenseRef-*``: custom terms, valid but not in any table."""
    lowered = name.lower()
    return lowered.startswith("licenseref-") or (
        lowered.startswith("documentref-") and ":licenseref-" in lowered
    )


def resolve(name: str) -> LicenseEntry | None:
    """The entry for one licence id (not an expression), or None when it is not a licence id."""
    table = load()
    key = name.strip().lower()
    entry = table.licenses.get(key)
    if entry is not None:
        return entry
    if is_license_ref(name):
        return LicenseEntry(name.strip(), "unknown", "licenseref")
    if key.endswith("+") and not key.endswith("++"):
        # SPDX "+" operator: this version or any later one. "GPL-2.0+" is a known deprecated id.
        base = table.licenses.get(key[:-1])
        if base is not None:
            return LicenseEntry(base.id + "+", base.category, base.source)
    return None


def category_of_id(license_id: str) -> LicenseCategory:
    """The category of one licence id (SPDX or Hub, any case); "unknown" when not known.

    Expressions are not ids: use :func:`classify_license` for ``MIT OR Apache-2.0``.
    """
    if not isinstance(license_id, str):
        return "unknown"
    entry = resolve(license_id)
    return entry.category if entry is not None else "unknown"


def normalize_license_id(license_id: str) -> str | None:
    """The normalised spelling of one licence id (``gpl-3.0`` -> ``GPL-3.0-only``), or None.

    Useful to compare ids from rule options (allow/deny lists) with :attr:`LicenseInfo.ids`.
    """
    if not isinstance(license_id, str):
        return None
    entry = resolve(license_id)
    return entry.id if entry is not None else None
