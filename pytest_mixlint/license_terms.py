"""Licence terms written in rules (selectors, allow, deny): a licence category such as
``non-commercial`` or a licence id such as ``CC-BY-NC-4.0`` / Hub ``cc-by-nc-4.0``.

They are validated and normalised once, when the rule is loaded, so that a typo is an error
instead of a selector that silently matches nothing, and Hub ids compare equal to SPDX ids.
"""

from __future__ import annotations

import difflib
from typing import Annotated

from pydantic import AfterValidator

from .coercion import SomeStrings
from .licenses import CATEGORIES, LicenseInfo, normalize_license_id


def normalise(entries: list[str]) -> list[str]:
    normalised = []
    for entry in entries:
        if entry.lower() in CATEGORIES:
            normalised.append(entry.lower())
            continue
        license_id = normalize_license_id(entry)
        if license_id is None:
            close = difflib.get_close_matches(entry.lower(), CATEGORIES, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"categories: {', '.join(CATEGORIES)}"
            raise ValueError(f"{entry!r} is neither a licence category nor a known licence id ({hint})")
        normalised.append(license_id)
    return normalised


LicenseTerms = Annotated[SomeStrings, AfterValidator(normalise)]


def license_matches(info: LicenseInfo, terms: list[str], every_id: bool) -> bool:
    """Does the licence fall under ``terms``: its category is listed, or its ids are (all of
    them with ``every_id``, else any)?"""
    if info.category in terms:
        return True
    ids = set(info.ids)
    if not ids:
        return False
    wanted = set(terms)
    return ids <= wanted if every_id else bool(ids & wanted)
