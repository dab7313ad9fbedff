"""Small pydantic types shared by the file formats: a value or a list of values."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def as_list(value: Any) -> Any:
    """``x`` -> ``[x]`` for a single string, so that YAML users may write either form."""
    return [value] if isinstance(value, str) else value


# A string or a list of non-empty strings (may be empty: "none of these").
Strings = Annotated[list[NonEmpty], BeforeValidator(as_list, json_schema_input_type=str | list[str])]
# The same, but at least one: a selector or a filter that lists nothing would silently match nothing.
SomeStrings = Annotated[list[NonEmpty], BeforeValidator(as_list, json_schema_input_type=str | list[str]), Field(min_length=1)]


def _not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):  # YAML `true` equals 1 in Python: not a format version
        raise ValueError(f"the format version is the number 1, not {value!r}")
    return value


# The format version of manifests and rule packs.
Version1 = Annotated[Literal[1], BeforeValidator(_not_a_boolean)]
