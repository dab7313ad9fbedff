"""Turn pydantic validation errors into located problems with "did you mean" hints."""

from __future__ import annotations

import difflib
import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..problems import MixlintError, Problem
from .syntax import Parsed


def validate(model: type[BaseModel], parsed: Parsed, path: str, hints: dict[str, str] | None = None) -> Any:
    """Validate ``parsed.data`` against ``model``; raise every error as a located MixlintError."""
    try:
        return model.model_validate(parsed.data)
    except ValidationError as exc:
        raise MixlintError(problems_from(exc, parsed, path, model, hints)) from None


def problems_from(exc: ValidationError, parsed: Parsed, path: str, model: type[BaseModel],
                  hints: dict[str, str] | None = None, prefix: tuple[str | int, ...] = (),
                  sibling_keys: tuple[str, ...] = ()) -> list[Problem]:
    """``sibling_keys``: keys valid beside the model's own at its top level (for "did you mean")."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
        if error["type"] == "extra_forbidden":  # the last part is the user's key, even one named `str`
            loc = tuple(part for part in error["loc"][:-1] if not _is_union_tag(part)) + (error["loc"][-1],)
        where = ".".join(str(p) for p in prefix + loc) or "top level"
        line = parsed.line(prefix + loc)
        hint = None
        kind = error["type"]
        if kind == "extra_forbidden":
            known = fields_at(model, loc[:-1]) + (list(sibling_keys) if len(loc) == 1 else [])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            message = f"unknown key {loc[-1]!r}"
            hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(sorted(known))}"
        elif kind == "missing":
            message = f"missing required key {where!r}"
        else:
            message = f"{where}: {_clean(error['msg'])}"
            if kind not in ("value_error", "assertion_error") and "input" in error:
                message += f" (got {_short(error['input'])})"

        if hints and not hint:  # the key's dotted path (without list indexes) first, then its name
            dotted = ".".join(str(part) for part in loc if isinstance(part, str))
            hint = hints.get(dotted) or hints.get(str(loc[-1] if loc else ""))
        if not hint and kind in ("literal_error", "enum") and isinstance(error.get("input"), str):
            allowed = re.findall(r"'([^']*)'", str((error.get("ctx") or {}).get("expected", "")))
            close = difflib.get_close_matches(error["input"], allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
        problems.append(Problem(path, line, message, hint))
    return problems


def fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names of the (nested) model found at ``loc`` inside ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        by_key = {info.alias or name: info for name, info in current.model_fields.items()}
        if part not in by_key:
            return []
        current = _inner_model(by_key[part].annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation) if get_origin(annotation) is not None else ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the union member tried into the location, e.g. ('license', 'str'), 'list[str]'
    return isinstance(part, str) and (part in {"str", "int", "float", "bool", "function-after", "function-before"}
                                      or part.startswith(("list[", "dict[", "function-", "constrained-")))


def _clean(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
