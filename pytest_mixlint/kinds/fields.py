"""``fields``: a JSON Schema over the card metadata or the manifest, each violation at its line.

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
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import jsonschema
import referencing
import referencing.exceptions
import referencing.jsonschema
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from ..access import FileAccess
from ..documents import Document
from ..documents.syntax import parse_text, read_text, syntax_of
from ..problems import MixlintError
from .base import Evaluation, Finding, KindOptions


class Options(KindOptions):
    schema_: dict[str, Any] = Field(alias="schema")
    target: Literal["card", "manifest"] | None = None
    # The schema's own URI (its file's, or the pack's directory for an inline schema): relative
    # $ref resolve against it, as JSON Schema says. What they may read: set from the pack.
    _base_uri: str = PrivateAttr("")
    _access: FileAccess = PrivateAttr(default_factory=FileAccess)
    _confined: bool = PrivateAttr(True)

    @field_validator("schema_", mode="before")
    @classmethod
    def _load_schema_file(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        context = info.context if info.context is not None else {}
        path = os.path.abspath(os.path.join(context.get("base_dir", "."), value))
        schema = _read_schema(path, value, context.get("access", FileAccess()), context.get("confined", True))
        context["schema_file"] = path  # this rule's own context: where _where finds it
        return schema

    @field_validator("schema_")
    @classmethod
    def _valid_schema(cls, schema: dict[str, Any]) -> dict[str, Any]:
        try:
            jsonschema.validators.validator_for(schema).check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise ValueError(f"invalid JSON Schema at {'/'.join(map(str, exc.absolute_path)) or 'its root'}: "
                             f"{exc.message}") from None
        for pattern in _patterns(schema):
            if _re2(pattern) is None:
                raise ValueError(f"schema pattern {pattern!r} is not a regular expression RE2 can run (no lookaround or "
                                 "backreferences): patterns run in linear time, so a value cannot make them hang")
        return schema

    @model_validator(mode="after")
    def _where(self, info: ValidationInfo) -> Options:
        context = info.context or {}
        file = context.get("schema_file")
        self._base_uri = Path(file).as_uri() if file else Path(os.path.abspath(context.get("base_dir", "."))).as_uri() + "/"
        self._access, self._confined = context.get("access", FileAccess()), context.get("confined", True)
        return self

    @cached_property
    def validator(self) -> Any:
        cls = jsonschema.validators.validator_for(self.schema_)
        specification = referencing.jsonschema.specification_with(cls.META_SCHEMA.get("$schema", ""),
                                                                  default=referencing.jsonschema.DRAFT202012)
        root = referencing.Resource.from_contents(self.schema_, default_specification=specification)
        registry: referencing.Registry[Any] = referencing.Registry(retrieve=self._retrieve)  # type: ignore[call-arg]
        registry = registry.with_resource(self._base_uri, root)
        # The root is reached through its URI, so that its relative $ref resolve against it.
        return cls({"$ref": self._base_uri}, registry=registry)

    def _retrieve(self, uri: str) -> referencing.Resource[Any]:
        """A ``$ref`` to another schema: a local file (inside the root when the pack is), never the
        network. ``uri`` is absolute: resolved against the schema that holds the $ref."""
        parts = urlsplit(uri)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise referencing.exceptions.NoSuchResource(f"{uri} is not fetched: $ref may only name local files")
        path = unquote(parts.path)
        try:
            contents = _read_schema(path, os.path.relpath(path, self._access.root or os.getcwd()), self._access, self._confined)
        except ValueError as exc:
            raise referencing.exceptions.NoSuchResource(str(exc)) from None
        return referencing.Resource.from_contents(contents, default_specification=referencing.jsonschema.DRAFT202012)


def _read_schema(path: str, shown: str, access: FileAccess, confined: bool) -> dict[str, Any]:
    """A schema file a pack names: a regular file (inside the root when the pack is a repository's
    file), and never echoed in an error (it could be any file: a secret's first bytes must not
    reach a CI log)."""
    try:
        data = parse_text(read_text(path, shown, access, confined=confined), shown, syntax_of(shown)).data
    except MixlintError as exc:
        raise ValueError(f"cannot load schema file {shown!r}: {exc.problems[0].message}") from None
    if not isinstance(data, dict):
        raise ValueError(f"schema file {shown!r} does not hold a JSON Schema object (a mapping)")
    return data


_RE2_OPTIONS: Any = None


def _re2(pattern: str) -> Any:
    """The pattern compiled by RE2 (linear time whatever the input), None if RE2 cannot run it."""
    global _RE2_OPTIONS
    import re2

    if _RE2_OPTIONS is None:
        _RE2_OPTIONS = re2.Options()
        _RE2_OPTIONS.log_errors = False  # a refused pattern is our located error, not a C++ log line
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error:
        return None


def _patterns(schema: Any) -> list[str]:
    """Every ``pattern`` and ``patternProperties`` key in a schema."""
    found: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.append(node["pattern"])
            if isinstance(node.get("patternProperties"), dict):
                found.extend(k for k in node["patternProperties"] if isinstance(k, str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


class _LinearRegex:
    """Stands in for the ``re`` module inside jsonschema while a rule validates: every regular
    expression a schema holds (``pattern``, and ``patternProperties`` also as jsonschema uses
    them for ``additionalProperties`` and ``unevaluatedProperties``) runs on RE2, in linear time."""

    @staticmethod
    def search(pattern: str, string: str) -> Any:
        return _re2(pattern).search(string)


_SWAP = threading.Lock()


@contextmanager
def _patterns_on_re2() -> Iterator[None]:
    import jsonschema._keywords
    import jsonschema._utils

    modules = [module for module in (jsonschema._keywords, jsonschema._utils) if hasattr(module, "re")]
    with _SWAP:
        saved = [module.re for module in modules]
        for module in modules:
            module.re = _LinearRegex  # type: ignore[attr-defined]
        try:
            yield
        finally:
            for module, original in zip(modules, saved, strict=True):
                module.re = original  # type: ignore[attr-defined]


def check(document: Document, options: Options) -> Evaluation:
    if options.target and options.target != document.kind:
        return Evaluation(skipped=f"the rule targets {options.target}s")
    try:
        with _patterns_on_re2():
            errors = sorted(options.validator.iter_errors(document.raw), key=lambda e: list(map(str, e.absolute_path)))
    except referencing.exceptions.Unresolvable as exc:  # a $ref to nowhere, or to the network
        return Evaluation(error=f"the schema cannot be used: {_why_unresolvable(exc)}")
    except RecursionError:  # {"$ref": "#"}: a schema that refers to itself without end
        return Evaluation(error="the schema cannot be used: it refers to itself without end ($ref)")
    findings = []
    for error in errors:
        location = ".".join(str(p) for p in error.absolute_path)
        findings.append(Finding("error", f"{location + ': ' if location else ''}{error.message}",
                                document.metadata.line(tuple(error.absolute_path)) or document.line()))
    return Evaluation(findings=findings, observed=float(len(findings)), threshold=0.0, unit="count",
                      summary=f"{len(findings)} schema violation{'s' if len(findings) != 1 else ''}")


def _why_unresolvable(exc: BaseException) -> str:
    """Our refusal (a NoSuchResource raised by ``_retrieve``), found in the exception chain."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, referencing.exceptions.NoSuchResource):
            return str(seen.ref)
        seen = seen.__cause__ or seen.__context__
    return str(exc)
