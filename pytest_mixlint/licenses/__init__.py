"""Normalise and classify declared licences into one category each.

A declared licence is an SPDX expression (``MIT OR Apache-2.0``), a Hugging Face Hub licence id
(``cc-by-nc-4.0``, ``llama3.1``, ``other``) or a list of them. :func:`classify_license` returns a
:class:`LicenseInfo` with the normalised expression, the licence ids in it and one category from
:data:`CATEGORIES`; an invalid declaration is ``unknown`` with a one-line ``error`` that says how
to fix it.

- ``categories``: the categories, most permissive first, and how OR/AND choose among them;
- ``table``: the licence ids (``data/licenses.yaml`` and the SPDX ids of ``license-expression``),
  their normalised spelling and category;
- ``classification``: expression -> :class:`LicenseInfo` (the OR/AND/WITH rules);
- ``hints``: the error messages, with did-you-mean suggestions and repaired expressions.
"""

from __future__ import annotations

from .categories import CATEGORIES, LicenseCategory, most_permissive, most_restrictive
from .classification import LicenseInfo, classify_license
from .table import DATA_FILE, category_of_id, normalize_license_id

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
