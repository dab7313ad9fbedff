"""Source selectors of rules: ``select: {domain: code}``, combinable with any/all/not."""

from __future__ import annotations

import fnmatch
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .coercion import SomeStrings
from .license_terms import LicenseTerms, license_matches
from .mixture import Source


class Selector(BaseModel):
    """Keys in one mapping must all match (AND); ``any``/``all``/``not`` combine selectors.

    ``name`` takes globs; ``license`` takes licence categories or licence ids; ``domain``,
    ``language`` and ``tag`` take exact values (case-insensitive). A list means "one of".
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    domain: SomeStrings | None = None
    name: SomeStrings | None = None
    license: LicenseTerms | None = None
    language: SomeStrings | None = None
    tag: SomeStrings | None = None
    any: Annotated[list[Selector], Field(min_length=1)] | None = None
    all: Annotated[list[Selector], Field(min_length=1)] | None = None
    not_: Selector | None = Field(None, alias="not")

    @model_validator(mode="after")
    def _not_empty(self) -> Selector:
        if not self.model_fields_set:
            raise ValueError("an empty selector matches nothing useful; name a domain, name, license, language or tag")
        return self

    def matches(self, source: Source) -> bool:
        if self.domain is not None and (source.domain or "").lower() not in {d.lower() for d in self.domain}:
            return False
        if self.name is not None and not any(fnmatch.fnmatchcase(source.name.lower(), p.lower()) for p in self.name):
            return False
        if self.license is not None and not license_matches(source.license, self.license, every_id=False):
            return False
        if self.language is not None and not {v.lower() for v in self.language} & {v.lower() for v in source.languages}:
            return False
        if self.tag is not None and not {v.lower() for v in self.tag} & {v.lower() for v in source.tags}:
            return False
        if self.any is not None and not any(s.matches(source) for s in self.any):
            return False
        if self.all is not None and not all(s.matches(source) for s in self.all):
            return False
        return self.not_ is None or not self.not_.matches(source)

    def describe(self) -> str:
        """A short label for messages: ``code`` for {domain: code}, else the selector."""
        fields = self.model_dump(exclude_none=True, by_alias=True)
        if list(fields) == ["domain"] and len(self.domain or []) == 1:
            return (self.domain or [""])[0]
        parts = []
        for key, value in fields.items():
            parts.append(f"{key}={','.join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value}")
        return "sources with " + " ".join(parts)
