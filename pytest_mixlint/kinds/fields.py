"""``fields``: a JSON Schema over the card metadata or the manifest.

Options: ``schema`` (an inline schema, or a path to a JSON/YAML schema file relative to the
rule pack), ``target`` (``card`` or ``manifest``; documents of the other kind skip the rule;
default: any document). Each schema violation is a finding at the offending key's line.

```yaml
- id: card-required-fields
  kind: fields
  target: card
  schema:
    required: [license, language, size_categories]
```
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import Any, Literal

import jsonschema
import referencing.exceptions
from pydantic import Field, ValidationInfo, field_validator

from ..documents import Document
from ..documents.syntax import parse_text, read_text, syntax_of
from ..problems import MixlintError
from .base import Evaluation, Finding, KindOptions


class Options(KindOptions):
    schema_: dict[str, Any] = Field(alias="schema")
    target: Literal["card", "manifest"] | None = None

    @field_validator("schema_", mode="before")
    @classmethod
    def _load_schema_file(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        base_dir = (info.context or {}).get("base_dir", ".")
        path = os.path.join(base_dir, value)
        try:
            parsed = parse_text(read_text(path, value), value, syntax_of(value))
        except MixlintError as exc:
            raise ValueError(f"cannot load schema file: {exc}") from None
        return parsed.data

    @field_validator("schema_")
    @classmethod
    def _valid_schema(cls, schema: dict[str, Any]) -> dict[str, Any]:
        try:
            jsonschema.validators.validator_for(schema).check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise ValueError(f"invalid JSON Schema at {'/'.join(map(str, exc.absolute_path)) or 'its root'}: {exc.message}") from None
        return schema

    @cached_property
    def validator(self) -> Any:
        return jsonschema.validators.validator_for(self.schema_)(self.schema_)


def check(document: Document, options: Options) -> Evaluation:
    if options.target and options.target != document.kind:
        return Evaluation(skipped=f"the rule targets {options.target}s")
    try:
        errors = sorted(options.validator.iter_errors(document.raw), key=lambda e: list(map(str, e.absolute_path)))
    except referencing.exceptions.Unresolvable as exc:  # e.g. a $ref to nowhere
        return Evaluation(error=f"the schema cannot be used: {exc}")
    findings = []
    for error in errors:
        location = ".".join(str(p) for p in error.absolute_path)
        findings.append(Finding("error", f"{location + ': ' if location else ''}{error.message}",
                                document.metadata.line(tuple(error.absolute_path)) or document.line()))
    return Evaluation(findings=findings, observed=float(len(findings)), threshold=0.0, unit="count",
                      summary=f"{len(findings)} schema violation{'s' if len(findings) != 1 else ''}")
