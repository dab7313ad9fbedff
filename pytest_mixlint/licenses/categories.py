"""The licence categories, in order from most permissive to least, and how OR and AND choose
among them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

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

#: Category -> its position in CATEGORIES (lower is more permissive).
RANK: dict[str, int] = {category: rank for rank, category in enumerate(CATEGORIES)}


def most_permissive(categories: Iterable[str]) -> LicenseCategory:
    """The most permissive of the categories (OR); "unknown" when there are none."""
    return _pick(categories, min)


def most_restrictive(categories: Iterable[str]) -> LicenseCategory:
    """The most restrictive of the categories (AND, lists); "unknown" when there are none."""
    return _pick(categories, max)


def _pick(categories: Iterable[str], choose: Callable[[list[int]], int]) -> LicenseCategory:
    ranks = []
    for category in categories:
        if category not in RANK:
            raise ValueError(
                f"unknown licence category {category!r}; expected one of {', '.join(CATEGORIES)}"
            )
        ranks.append(RANK[category])
    return CATEGORIES[choose(ranks)] if ranks else "unknown"
