"""Source selectors of rules: ``select: {domain: code}``, combinable with any/all/not."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .coercion import SomeStrings
from .license_terms import LicenseTerms, license_matches
from .mixture import Source
from .paths import name_matches


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

    @field_validator("domain")
    @classmethod
    def _known_domain(cls, values: list[str] | None) -> list[str] | None:
        """A domain one letter from a known one (``kode``) is a typo that would select nothing
        and leave the gate open; a custom domain (``legal-contracts``) is fine."""
        from .domains import check_domain

        for value in values or []:
            check_domain(value)
        return values

    @model_validator(mode="after")
    def _not_empty(self) -> Selector:
        if not self.model_fields_set:
            raise ValueError("an empty selector matches nothing useful; name a domain, name, license, language or tag")
        return self

    def matches(self, source: Source) -> bool:
        """Does the selector surely match? (A source of unknown domain does not.)"""
        return self.match(source) is True

    def match(self, source: Source) -> bool | None:
        """True or False, or None when the answer depends on a domain the source does not have
        (a card's ``default`` config, a source whose name maps to no domain): rules must not
        count such a source as "not code" (three-valued logic: False wins an AND, True an OR)."""
        answers: list[bool | None] = []
        if self.domain is not None:
            answers.append(None if source.domain is None else source.domain.lower() in {d.lower() for d in self.domain})
        if self.name is not None:
            answers.append(any(name_matches(source.name, p) for p in self.name))
        if self.license is not None:
            answers.append(license_matches(source.license, self.license, every_id=False))
        if self.language is not None:
            answers.append(bool({v.lower() for v in self.language} & {v.lower() for v in source.languages}))
        if self.tag is not None:
            answers.append(bool({v.lower() for v in self.tag} & {v.lower() for v in source.tags}))
        if self.any is not None:
            found = [s.match(source) for s in self.any]
            answers.append(True if True in found else None if None in found else False)
        if self.all is not None:
            answers.append(_all([s.match(source) for s in self.all]))
        if self.not_ is not None:
            inner = self.not_.match(source)
            answers.append(None if inner is None else not inner)
        return _all(answers)

    def describe(self) -> str:
        """A short label for messages: ``code`` for {domain: code}, else the selector written out
        (``domain in code, math and not name in *-eval``)."""
        if self.model_fields_set == {"domain"} and len(self.domain or []) == 1:
            return (self.domain or [""])[0]
        if self.model_fields_set == {"name"} and len(self.name or []) == 1:
            return repr((self.name or [""])[0])
        return f"sources with {self._written()}"

    def _written(self) -> str:
        parts = [f"{key} in {', '.join(values)}" for key, values in
                 (("domain", self.domain), ("name", self.name), ("license", self.license), ("language", self.language),
                  ("tag", self.tag)) if values is not None]
        if self.any is not None:
            parts.append("(" + " or ".join(s._written() for s in self.any) + ")")
        if self.all is not None:
            parts.append("(" + " and ".join(s._written() for s in self.all) + ")")
        if self.not_ is not None:
            parts.append(f"not ({self.not_._written()})")
        return " and ".join(parts)


def _all(answers: list[bool | None]) -> bool | None:
    """AND of three-valued answers: False if any is False, else None if any is unknown."""
    return False if False in answers else None if None in answers else True
