"""What to tell the author of an invalid licence declaration: each function returns the one-line
error for one kind of mistake, saying how to fix it, with the ids most likely meant ("did you
mean ...?") or, for a broken expression, a repaired one."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from typing import cast

from . import table

_UNKNOWN_EXCEPTION_HELP = (
    ": use an SPDX exception id (https://spdx.org/licenses/exceptions-index.html)"
)
_UNKNOWN_ID_HELP = (
    ": use an SPDX id (https://spdx.org/licenses/) or a Hugging Face Hub licence id "
    "(https://huggingface.co/docs/hub/repositories-licenses); for custom terms use 'other' "
    "(with license_name/license_link in a card) or 'LicenseRef-<name>'"
)


def list_item_not_a_string_error(item: object) -> str:
    return (
        f"licence list item {item!r} is not a string: write each licence as a string, "
        "e.g. [MIT, CC-BY-4.0]"
    )


def not_a_string_or_list_error(value: object) -> str:
    return (
        f"licence must be a string or a list of strings, not {type(value).__name__} "
        f"({value!r}): e.g. 'MIT OR Apache-2.0' or [MIT, CC-BY-4.0]"
    )


def unknown_id_error(name: str) -> str:
    """For a licence id that is not in the table (nor a LicenseRef)."""
    exceptions = table.load().exceptions
    if name.lower() in exceptions:
        exception = exceptions[name.lower()].id
        return (
            f"'{name}' is a licence exception, not a licence: put it after WITH, "
            f"e.g. 'GPL-2.0-or-later WITH {exception}'"
        )
    words = name.split()
    if len(words) > 1 and all(table.resolve(word) is not None for word in words):
        fixed = [cast(table.LicenseEntry, table.resolve(word)).id for word in words]
        return (
            f"unknown licence id '{name}': licences need an operator between them, "
            f"e.g. '{' OR '.join(fixed)}' (either) or '{' AND '.join(fixed)}' (all)"
        )
    return f"unknown licence id '{name}'" + _did_you_mean(name, default=_UNKNOWN_ID_HELP)


def license_after_with_error(license_name: str, exception_name: str) -> str:
    """For ``license_name WITH exception_name`` where exception_name is a licence."""
    return (
        f"'{exception_name}' is a licence, not a licence exception: only exceptions may "
        f"follow WITH; combine licences with AND/OR, e.g. '{license_name} AND {exception_name}'"
    )


def unknown_exception_error(name: str) -> str:
    """For an exception after WITH that is neither an SPDX exception nor a licence."""
    hint = _did_you_mean(name, exceptions=True, default=_UNKNOWN_EXCEPTION_HELP)
    return f"unknown licence exception '{name}'{hint}"


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
    license_table = table.load()
    key = table.misspelling_key(name)
    if exceptions:
        pool = {k: v.id for k, v in license_table.exceptions.items()}
    else:
        if key in license_table.hints:
            return list(license_table.hints[key])
        pool = license_table.display
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
        (score + (0.02 if not exceptions and c in license_table.table_ids else 0.0), c)
        for score, c in scored
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    best = scored[0][0]
    close = [pool[candidate] for score, candidate in scored if score > best - 0.04]
    return list(dict.fromkeys(close))[:3]


_SEPARATORS = re.compile(r"\s*([/|,;&+]|\band/or\b)\s*", re.IGNORECASE)


def invalid_expression_error(
    text: str, exc: Exception, valid_expression: Callable[[str], str | None]
) -> str:
    """For ``text`` that license-expression could not parse (``exc``).

    ``valid_expression`` gives the normalised expression of a repair candidate, or None when the
    candidate is not a valid declaration (passed in: only the classification knows).
    """
    from license_expression import ExpressionError  # already imported: it raised exc

    prefix = f"invalid licence expression '{text}'"
    if "Invalid license key" in str(exc):
        # Characters SPDX does not allow in ids: "MIT/Apache-2.0", "Apache License, Version 2.0".
        parts = [p for p in _SEPARATORS.split(text) if p and not _SEPARATORS.fullmatch(p)]
        resolved = [table.resolve(p) for p in parts]
        if len(parts) > 1 and all(resolved):
            names = [cast(table.LicenseEntry, r).id for r in resolved]
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
    message = (
        str(exc).split(" for token")[0].strip().rstrip(".")
        if isinstance(exc, ExpressionError)
        else "malformed expression"
    )
    candidate = _repair(text)
    repaired = valid_expression(candidate) if candidate is not None else None
    if repaired is not None:
        return f"{prefix}: {message}: did you mean '{repaired}'?"
    return (
        f"{prefix}: {message}: AND/OR need a licence on each side and parentheses must balance, "
        "e.g. '(MIT OR Apache-2.0) AND CC-BY-4.0'"
    )


_OPERATORS = {"and", "or", "with"}


def _repair(text: str) -> str | None:
    """``text`` with dangling operators dropped and parentheses balanced; None when that changes
    nothing. The result may still be invalid."""
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
    return candidate
