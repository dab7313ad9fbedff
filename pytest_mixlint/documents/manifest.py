"""Mixture manifests (YAML, JSON or TOML): one pydantic model whatever the syntax."""

from __future__ import annotations

import os
from dataclasses import fields
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from ..access import FileAccess
from ..coercion import NonEmpty, Strings, Version1
from ..domains import DomainPatterns
from ..licenses import LicenseInfo, classify_license
from ..mixture import Basis, Mixture, Source
from ..options import TOKEN_SAMPLE_RANGE, TokenMode
from ..problems import MixlintError, Problem
from ..quantities import Bytes, Count, Real, Weight
from ..scan.counts import check_fields
from .data_files import unmatched_notes
from .model import Document, Ignore, ScanSettings
from .syntax import Parsed, parse_text, read_text, syntax_of
from .validation import validate


class SourceModel(BaseModel):
    """One entry of ``sources:``."""

    model_config = ConfigDict(extra="forbid")

    name: NonEmpty
    domain: NonEmpty | None = None
    description: str | None = None
    weight: Weight | None = Field(None, description="sampling weight, relative; a number or a percentage (60%)")
    epochs: Real | None = None
    bytes: Bytes | None = None
    tokens: Count | None = None
    documents: Count | None = None
    license: NonEmpty | list[NonEmpty] | None = Field(None, description="SPDX expression or Hub licence id(s)")
    languages: Strings = Field(default_factory=list)
    tags: Strings = Field(default_factory=list)
    data_files: Strings = Field(default_factory=list)
    groups: Strings = Field(default_factory=list, description="values of scan.group_by that belong to this source")
    card: NonEmpty | None = Field(None, description="path to the source's dataset card, relative to the manifest")
    url: str | None = None


class IgnoreModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: NonEmpty
    reason: NonEmpty
    source: NonEmpty | None = Field(None, description="a glob on source names: suppress only the rule's findings "
                                                      "about these sources")


class ScanModel(BaseModel):
    """How to measure the data files: ``scan:`` in a manifest."""

    model_config = ConfigDict(extra="forbid")

    text_field: NonEmpty = "text"
    group_by: NonEmpty | None = Field(None, description="dotted path of a field naming the source, e.g. meta.red_pajama_subset")
    data_files: Strings = Field(default_factory=list, description="shards shared by the sources, split by group_by")
    tokenizer: NonEmpty | None = Field(None, description="a local tokenizer.json (or its directory), relative to the manifest")
    tokens: TokenMode | None = Field(None, description="estimate from a sample (default) or tokenize every document")
    token_sample: StrictInt | None = Field(None, ge=TOKEN_SAMPLE_RANGE[0], le=TOKEN_SAMPLE_RANGE[1],
                                           description="documents sampled per group in each shard (default 1000)")

    @model_validator(mode="after")
    def _paths_do_not_nest(self) -> ScanModel:
        check_fields(self.text_field, self.group_by)
        return self


class ManifestModel(BaseModel):
    """A mixture manifest file (``*.mixture.yaml|yml|json|toml``)."""

    model_config = ConfigDict(extra="forbid")

    mixlint: Version1 = Field(description="format version")
    name: NonEmpty | None = None
    description: str | None = None
    basis: Basis | None = None
    sources: list[SourceModel] = Field(min_length=1)
    ignore: list[IgnoreModel] = []
    scan: ScanModel = Field(default_factory=lambda: ScanModel.model_validate({}))


class EmbeddedManifestModel(ManifestModel):
    """A manifest embedded in a dataset card under ``mixlint:``; it may carry only ``ignore:``."""

    mixlint: Version1 = 1
    sources: list[SourceModel] = []


_HINTS = {
    "mixlint": "start the file with the manifest format version: `mixlint: 1` (YAML), `\"mixlint\": 1` (JSON), `mixlint = 1` (TOML)",
    "sources": "list the sources under `sources:`, each with at least a `name`",
    "basis": "one of weight, tokens, bytes, documents",
    "bytes": "a number of bytes or a size such as 328 GB or 3.3 TiB",
    "tokens": "a count such as 59e9, 59B or 1.2T",
    "documents": "a count such as 28000000 or 28M",
    "scan.tokens": "estimate (from a sample of each shard, the default) or exact (every document tokenized)",
}


def load_manifest(path: str, display: str, domains: DomainPatterns, access: FileAccess = FileAccess(),
                  text: str | None = None) -> Document:
    """The manifest at ``path``; ``text``: its content as read elsewhere (git)."""
    if text is None:
        text = read_text(path, display, access, confined=access.holds(path))
    parsed = parse_text(text, display, syntax_of(path))
    if parsed.data is None or (isinstance(parsed.data, str) and not parsed.data.strip()):
        raise MixlintError(Problem(display, 1, "empty manifest", _HINTS["mixlint"] + " and lists `sources`"))
    if not isinstance(parsed.data, dict):
        raise MixlintError(Problem(display, parsed.line(()), f"the top level must be a mapping, not {type(parsed.data).__name__}",
                                   _HINTS["mixlint"] + " and lists `sources`"))
    if "mixlint-rules" in parsed.data:
        raise MixlintError(Problem(display, parsed.line(("mixlint-rules",)), "this is a rule pack, not a mixture manifest",
                                   f"name it with --mixlint-rules={display} or in the mixlint_rules ini option"))
    model = validate(ManifestModel, parsed, display, _HINTS)
    base_dir = os.path.dirname(os.path.abspath(path))
    return manifest_document(model, parsed, display, base_dir, domains, kind="manifest", access=access)


def manifest_document(model: ManifestModel, parsed: Parsed, display: str, base_dir: str,
                      domains: DomainPatterns, kind: Literal["manifest", "card"],
                      default_license: LicenseInfo | None = None, default_license_line: int | None = None,
                      default_languages: tuple[str, ...] = (), prefix: tuple[str | int, ...] = (),
                      access: FileAccess = FileAccess()) -> Document:
    """Check what the schema cannot (unique names, usable weights) and build the Document."""
    problems = []
    seen: dict[str, int | None] = {}
    for i, spec in enumerate(model.sources):
        line = parsed.line(prefix + ("sources", i, "name"))
        if spec.name in seen:
            problems.append(Problem(display, line, f"duplicate source name {spec.name!r} (first at line {seen[spec.name]})",
                                    "source names must be unique within a manifest"))
        seen.setdefault(spec.name, line)
    if model.scan.data_files:  # each group_by value must name one source
        owners: dict[str, str] = {}
        for i, spec in enumerate(model.sources):
            for group in spec.groups or [spec.name]:
                if group in owners and owners[group] != spec.name:
                    problems.append(Problem(display, parsed.line(prefix + ("sources", i)),
                                            f"group value {group!r} of source {spec.name!r} already belongs to source "
                                            f"{owners[group]!r}", "a group_by value names one source"))
                owners.setdefault(group, spec.name)
    forms = _weight_forms(parsed, prefix)
    if len(forms) == 2:
        problems.append(Problem(display, parsed.line(prefix + ("sources", forms[True], "weight")),
                                "weights are written both as percentages (here) and as plain numbers (line "
                                f"{parsed.line(prefix + ('sources', forms[False], 'weight'))})",
                                "write every weight the same way: all as percentages (60%) or all as numbers (60)"))
    weights = [s.weight for s in model.sources if s.weight is not None]
    if weights and len(weights) == len(model.sources) and not any(weights):
        problems.append(Problem(display, parsed.line(prefix + ("sources",)), "all source weights are zero",
                                "weights are relative sampling proportions; give at least one a positive value"))
    if problems:
        raise MixlintError(problems)

    notes: list[Problem] = []
    sources = []
    for i, spec in enumerate(model.sources):
        card_bytes = card_documents = None
        if spec.card:
            card_bytes, card_documents = _linked_card_sizes(spec.card, base_dir, display,
                                                            parsed.line(prefix + ("sources", i, "card")), notes, access)
        # The fields both models have are copied as they are; the rest is what reading adds:
        # the licence classified, defaults, lines.
        sources.append(Source(
            **{name: getattr(spec, name) for name in _COPIED_SOURCE_FIELDS},
            license=classify_license(spec.license) if spec.license is not None else default_license or classify_license(None),
            domain=spec.domain or domains.domain_of(spec.name),
            languages=tuple(spec.languages) or default_languages, tags=tuple(spec.tags),
            data_files=tuple(spec.data_files), groups=tuple(spec.groups) or (spec.name,), line=parsed.line(prefix + ("sources", i)),
            data_files_line=parsed.line(prefix + ("sources", i, "data_files")),
            license_line=parsed.line(prefix + ("sources", i, "license")) if spec.license is not None else default_license_line,
            card_bytes=card_bytes, card_documents=card_documents,
        ))
        notes += unmatched_notes(display, base_dir, spec.data_files, parsed.line(prefix + ("sources", i, "data_files")),
                                 f"source {spec.name!r}", f"the {kind}'s directory", access)
    notes += unmatched_notes(display, base_dir, model.scan.data_files, parsed.line(prefix + ("scan", "data_files")),
                             "scan", f"the {kind}'s directory", access)
    ignores = [Ignore(e.rule, e.reason, parsed.line(prefix + ("ignore", i)), e.source) for i, e in enumerate(model.ignore)]
    mixture = Mixture(model.name, sources, model.basis, percent_weights=list(forms) == [True])
    scan = ScanSettings(**{**model.scan.model_dump(), "data_files": tuple(model.scan.data_files)},
                        line=parsed.line(prefix + ("scan",)), tokenizer_line=parsed.line(prefix + ("scan", "tokenizer")))
    return Document(display, kind, mixture, parsed, ignores, notes, base_dir, scan)


# The source fields a manifest states as the mixture holds them: every field both models have,
# but those reading turns into something else (a licence classified, lists made tuples, defaults).
_READ_SOURCE_FIELDS = {"license", "domain", "languages", "tags", "data_files", "groups"}
_COPIED_SOURCE_FIELDS = tuple(sorted(set(SourceModel.model_fields) & {f.name for f in fields(Source)} - _READ_SOURCE_FIELDS))


def _weight_forms(parsed: Parsed, prefix: tuple[str | int, ...]) -> dict[bool, int]:
    """How weights are written: percent (``60%``, which is 0.6) or not -> the first source so
    written. Both forms in one manifest would silently shrink the percentages a hundredfold."""
    body: Any = parsed.data
    for key in prefix:
        body = body[key]
    forms: dict[bool, int] = {}
    for i, source in enumerate(body.get("sources") or []):
        weight = source.get("weight") if isinstance(source, dict) else None
        if weight is not None:
            forms.setdefault(isinstance(weight, str) and weight.strip().endswith("%"), i)
    return forms


def _linked_card_sizes(card: str, base_dir: str, display: str, line: int | None,
                       notes: list[Problem], access: FileAccess) -> tuple[int | None, int | None]:
    from .card import card_totals  # cards import manifests for embedded ones; import here to avoid a cycle

    target = os.path.normpath(os.path.join(base_dir, card))
    if not os.path.isfile(target):
        notes.append(Problem(display, line, f"linked card {card!r} not found", "the path is relative to the manifest"))
        return None, None
    try:
        return card_totals(target, card, access)
    except MixlintError as exc:
        notes.extend(Problem(display, line, f"linked card: {p.message}", p.hint) for p in exc.problems)
        return None, None
