"""JSON Schemas of the files users write (manifests, rule packs) and of the JSON report, generated
from the models that validate them, so that an editor checks a file as mixlint will
(``mixlint schema manifest|rules|tests|report``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def manifest_schema() -> dict[str, Any]:
    from .documents.manifest import ManifestModel

    return {"$schema": DIALECT, "title": "mixlint mixture manifest", **ManifestModel.model_json_schema()}


def rules_schema() -> dict[str, Any]:
    """A rule pack: each rule is one kind's (its options beside the keys every rule has), or an
    override of an inherited rule (no ``kind``: any of the inherited kind's options)."""
    from .kinds import KindLoadError, get_kind, kind_names
    from .packs import PackModel, RuleHeader

    header = RuleHeader.model_json_schema()
    definitions: dict[str, Any] = dict(header.pop("$defs", {}))
    common = {key: value for key, value in header["properties"].items() if key != "kind"}
    variants: list[dict[str, Any]] = []
    for name in kind_names():
        try:
            kind = get_kind(name)
        except KindLoadError:  # a broken installed kind: its rules are errors anyway
            continue
        if kind is None:
            continue
        try:
            options = kind.options.model_json_schema(by_alias=True)
        except Exception as exc:  # an installed kind's option with no JSON Schema: its rules are not checked here
            variants.append({"title": f"a rule of kind {name} (options not described: {type(exc).__name__})",
                             "type": "object", "properties": {**common, "kind": {"const": name}},
                             "required": ["id", "kind"]})
            continue
        definitions.update({f"{name}.{key}": _prefixed_refs(value, name) for key, value in options.pop("$defs", {}).items()})
        properties = _prefixed_refs(options.get("properties", {}), name)
        variants.append({
            "title": f"a rule of kind {name}",
            "type": "object",
            "properties": {**common, "kind": {"const": name}, **properties},
            "required": ["id", "kind", *options.get("required", [])],
            "additionalProperties": False,
        })
    variants.append({"title": "an override of an inherited rule (no kind)", "type": "object", "properties": common,
                     "required": ["id"], "not": {"required": ["kind"]}})
    pack = PackModel.model_json_schema(by_alias=True)
    definitions.update(pack.pop("$defs", {}))
    pack["properties"]["rules"] = {"type": "array", "items": {"oneOf": variants}}
    return {"$schema": DIALECT, "title": "mixlint rule pack", **pack, "$defs": definitions}


def _prefixed_refs(node: Any, prefix: str) -> Any:
    """``#/$defs/X`` -> ``#/$defs/KIND.X``: each kind's definitions, kept apart in one schema."""
    if isinstance(node, dict):
        return {key: (f"#/$defs/{prefix}.{value.removeprefix('#/$defs/')}" if key == "$ref" and isinstance(value, str)
                      and value.startswith("#/$defs/") else _prefixed_refs(value, prefix)) for key, value in node.items()}
    if isinstance(node, list):
        return [_prefixed_refs(item, prefix) for item in node]
    return node


def tests_schema() -> dict[str, Any]:
    """A rule case file (cases.py)."""
    from .cases import CaseFileModel

    return {"$schema": DIALECT, "title": "mixlint rule case file", **CaseFileModel.model_json_schema(by_alias=True)}


def report_schema() -> dict[str, Any]:
    from .report.json_report import schema

    return schema()


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "manifest": manifest_schema, "rules": rules_schema, "tests": tests_schema, "report": report_schema}
