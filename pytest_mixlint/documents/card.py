"""Hugging Face dataset cards: README.md YAML front matter, read as the Hub reads it.

Real cards are messy, so this module is lenient where the Hub is lenient and *notes* what is
odd (deprecated ``licenses``, a licence nested where the Hub does not look, ``license: other``
without ``license_name``, sizes written as strings) instead of failing. Only a card whose front
matter cannot be read at all is a failing document.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from ..access import FileAccess
from ..domains import DomainPatterns
from ..licenses import LicenseInfo, classify_license
from ..mixture import Mixture, Source
from ..paths import GLOBSTAR, has_magic, matches, split_pattern
from ..problems import MixlintError, Problem
from ..quantities import parse_bytes, parse_count
from .data_files import unmatched_notes
from .manifest import EmbeddedManifestModel, manifest_document
from .model import Document
from .syntax import Parsed, parse_text, read_text
from .validation import problems_from

# The fence rule of huggingface_hub.repocard.REGEX_YAML_BLOCK (tests keep the two identical):
# optional leading whitespace, a line '---', the YAML, a line '---' (trailing blanks allowed).
FRONT_MATTER = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")
_OPENING_FENCE = re.compile(r"^\s*---[ \t]*(?:\r\n|\r|\n|$)")
_CLOSING_FENCE = re.compile(r"---[ \t]*(?:\r\n|\r|\n|$)")

DEFAULT_CONFIG = "default"  # the Hub's name of a repository's only config

# Keys the Hub reads at the top level; finding them nested elsewhere is a mistake worth noting.
_TOP_LEVEL_ONLY = ("license", "licenses", "license_name", "license_link", "language")


def front_matter(text: str, display: str) -> Parsed | None:
    """The card's metadata, or None when the README has no front matter (then it is no card)."""
    match = FRONT_MATTER.search(text)
    if not match:
        opening = _OPENING_FENCE.match(text)
        if opening and _CLOSING_FENCE.match(text, opening.end()):  # '---' right after '---': empty
            return Parsed({}, {(): text.count("\n", 0, opening.end()) + 1})
        if opening and opening.group(0).rstrip("\r\n").rstrip() != opening.group(0).rstrip("\r\n"):
            raise MixlintError(Problem(display, text.count("\n", 0, opening.end() - 1) + 1,
                                       "the opening '---' has trailing spaces, so the Hub reads no front matter",
                                       "remove the spaces after '---'"))
        if opening:
            raise MixlintError(Problem(display, text[: len(text) - len(text.lstrip())].count("\n") + 1,
                                       "front matter opened with '---' is never closed",
                                       "end the YAML metadata with a line containing only '---'"))
        return None
    first_line = text.count("\n", 0, match.start(2)) + 1
    if match.group(2).strip() == "":
        return Parsed({}, {(): first_line})
    parsed = parse_text(match.group(2), display, "yaml", first_line)
    if parsed.data is None:
        return Parsed({}, {(): first_line})
    if not isinstance(parsed.data, dict):
        raise MixlintError(Problem(display, first_line, f"front matter must be a mapping, not {type(parsed.data).__name__}",
                                   "write `key: value` lines between the '---' fences"))
    return parsed


def is_card(path: str) -> bool:
    """Cheap check used at collection: does this README start with a front-matter fence?"""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return _OPENING_FENCE.match(head.decode("utf-8", "replace").removeprefix("\ufeff")) is not None


def load_card(path: str, display: str, domains: DomainPatterns, access: FileAccess = FileAccess(),
              text: str | None = None) -> Document | None:
    """The dataset card, or None for a README that is not one (no front matter, or front matter
    of a model card or a docs page). ``text``: the card's content as read elsewhere (git)."""
    if text is None:
        text = read_text(path, display, access, confined=access.holds(path))
    parsed = front_matter(text, display)
    if parsed is None or not is_dataset_card(parsed.data):
        return None
    return card_document(parsed, display, os.path.dirname(os.path.abspath(path)), domains, access)


# Front-matter keys of Hugging Face cards. DATASET_KEYS are huggingface_hub's DatasetCardData
# fields that model cards do not have, plus the keys the Hub reads for datasets only; MODEL_KEYS
# the reverse (tests keep both equal to huggingface_hub's); SHARED_KEYS both kinds of card use.
DATASET_KEYS = frozenset({"annotations_creators", "language_creators", "multilinguality", "size_categories",
                          "source_datasets", "task_categories", "task_ids", "paperswithcode_id", "pretty_name",
                          "train_eval_index", "config_names", "dataset_info", "configs", "viewer", "licenses",
                          "license_details", "mixlint"})
MODEL_KEYS = frozenset({"base_model", "datasets", "eval_results", "library_name", "metrics", "model_name",
                        "pipeline_tag", "model-index", "widget", "inference"})
SHARED_KEYS = frozenset({"language", "license", "license_name", "license_link", "tags"})
# Front matter of pages that are no card: static-site generators (Jekyll, Hugo, mkdocs,
# Docusaurus) and Hugging Face Spaces.
PAGE_KEYS = frozenset({"title", "layout", "date", "author", "authors", "sidebar_position", "sidebar_label", "slug",
                       "permalink", "draft", "categories", "sdk", "sdk_version", "app_file", "app_port", "emoji",
                       "colorFrom", "colorTo", "pinned", "short_description"})


def is_dataset_card(meta: dict[str, Any]) -> bool:
    """Front matter of a dataset card: a dataset key; else a key both kinds of card have and no
    model or page key; or nothing at all (the Hub shows such a repository as one config). A docs
    page's ``title:``, a Space's ``sdk:`` or a model card's ``library_name:`` is no dataset card."""
    return card_kind(meta) == "dataset"


def card_kind(meta: dict[str, Any]) -> str:
    """``dataset``, ``model`` (a model card) or ``page`` (a docs page, a Space, anything else)."""
    keys = set(meta)
    if keys & DATASET_KEYS or not keys:
        return "dataset"
    if keys & MODEL_KEYS:
        return "model"
    return "dataset" if keys & SHARED_KEYS and not keys & PAGE_KEYS else "page"


def card_document(parsed: Parsed, display: str, base_dir: str, domains: DomainPatterns,
                  access: FileAccess = FileAccess()) -> Document:
    meta: dict[str, Any] = parsed.data
    notes: list[Problem] = []
    license_value = _card_license(parsed, display, notes)
    _note_misplaced_keys(parsed, display, notes)
    for key in ("scan", "sources", "ignore"):
        if key in meta:
            notes.append(Problem(display, parsed.line((key,)), f"{key!r} at the top of the front matter is not read",
                                 f"put it under `mixlint:` (an embedded manifest): mixlint: {{{key}: ...}}"))
    embedded = _embedded_manifest(parsed, display, base_dir, domains, license_value, access)
    if embedded is not None and embedded.mixture.sources:  # the card's recipe, as a manifest
        embedded.notes[:0] = notes
        return embedded
    sources = _config_sources(parsed, display, domains, license_value, notes, base_dir, access)
    if embedded is None:
        return Document(display, "card", Mixture(_card_name(meta), sources), parsed, [], notes, base_dir)
    # Only settings (ignore:, scan:) are embedded: the composition still comes from the configs.
    embedded.mixture = Mixture(embedded.mixture.name, sources, embedded.mixture.declared_basis)
    embedded.notes[:0] = notes
    return embedded


def _embedded_manifest(parsed: Parsed, display: str, base_dir: str, domains: DomainPatterns,
                       license_value: LicenseInfo, access: FileAccess) -> Document | None:
    """The manifest under ``mixlint:``, its sources defaulting to the card's licence and language."""
    meta = parsed.data
    embedded = meta.get("mixlint")
    if embedded is None:
        return None
    if not isinstance(embedded, dict):
        raise MixlintError(Problem(display, parsed.line(("mixlint",)), "`mixlint:` must be a mapping (an embedded manifest)",
                                   "put `sources:` and/or `ignore:` under `mixlint:`"))
    try:
        model = EmbeddedManifestModel.model_validate(embedded)
    except ValidationError as exc:
        raise MixlintError(problems_from(exc, parsed, display, EmbeddedManifestModel, prefix=("mixlint",))) from None
    if not model.name:
        model.name = _card_name(meta)
    return manifest_document(model, parsed, display, base_dir, domains, kind="card",
                             default_license=license_value, default_license_line=_license_line(parsed),
                             default_languages=_card_strings(meta, "language"), prefix=("mixlint",), access=access)


def _card_strings(meta: dict[str, Any], key: str) -> tuple[str, ...]:
    """A card field written as a string or a list of strings (``language``, ``tags``)."""
    value = meta.get(key)
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(v for v in values if isinstance(v, str) and v.strip())


def card_totals(path: str, display: str, access: FileAccess) -> tuple[int | None, int | None]:
    """Total bytes and examples a card's dataset_info declares (for manifest consistency); the
    card is one a manifest links to, so it must be inside the root."""
    parsed = front_matter(read_text(path, display, access, confined=True), display)
    if parsed is None:
        return None, None
    sources = _config_sources(parsed, display, DomainPatterns(), classify_license(None), [])
    byte_counts = [s.bytes for s in sources if s.bytes is not None]
    example_counts = [s.documents for s in sources if s.documents is not None]
    return (sum(byte_counts) if byte_counts else None, sum(example_counts) if example_counts else None)


def _license_line(parsed: Parsed) -> int | None:
    for key in ("license", "licenses"):
        if key in parsed.data:
            return parsed.line((key,))
    return None


def _card_name(meta: dict[str, Any]) -> str | None:
    name = meta.get("pretty_name")
    return name if isinstance(name, str) else None


def _card_license(parsed: Parsed, display: str, notes: list[Problem]) -> LicenseInfo:
    """The card's licence as the Hub reads it: ``license`` only (``licenses`` is deprecated and
    ignored); ``other`` without ``license_name`` names no licence at all."""
    meta = parsed.data
    value = meta.get("license")
    if "licenses" in meta:
        notes.append(Problem(display, parsed.line(("licenses",)), "deprecated key 'licenses'",
                             "rename it to 'license': the Hub ignores 'licenses', so this card declares no licence"))
    if value is not None and not _is_license_value(value):
        notes.append(Problem(display, parsed.line(("license",)), f"license must be a string or a list of strings, not {value!r}",
                             "write e.g. `license: cc-by-4.0` or a list of Hub licence ids"))
        value = None
    info = classify_license(value)
    if _mentions_other(value):
        name = meta.get("license_name")
        if not name:
            return replace(info, error="'other' without license_name names no licence; add `license_name:` (a short id) "
                                       "and `license_link:` (the terms), as the Hub asks")
        return replace(info, expression=f"{info.expression or 'other'} ({name})")  # shown with its name
    return info


def _is_license_value(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _mentions_other(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v.strip().lower() == "other" for v in values)


def _note_misplaced_keys(parsed: Parsed, display: str, notes: list[Problem]) -> None:
    for path, key in _nested_keys(parsed.data, (), depth=0):
        parent = ".".join(str(p) for p in path)
        notes.append(Problem(display, parsed.line(path + (key,)), f"{key!r} is nested under {parent!r}",
                             f"the Hub reads {key!r} only at the top level of the front matter"))


def _nested_keys(value: Any, path: tuple[str | int, ...], depth: int) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if depth > 6:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            if depth > 0 and key in _TOP_LEVEL_ONLY and path[:1] != ("mixlint",):
                yield path, key
            yield from _nested_keys(child, path + (key,), depth + 1)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _nested_keys(child, path + (i,), depth + 1)


def _config_sources(parsed: Parsed, display: str, domains: DomainPatterns, license_value: LicenseInfo,
                    notes: list[Problem], base_dir: str | None = None, access: FileAccess = FileAccess()) -> list[Source]:
    """One source per config, as the Hub shows them: sizes from ``dataset_info``, data files from
    ``configs`` (their ``train`` split, as the sizes); a card with neither is one config,
    ``default``. Every config carries the card's licence, languages and tags. With ``base_dir``,
    data-file patterns that match no file are noted."""
    meta = parsed.data
    # What every config has of the card. A card-wide licence problem (missing, invalid) is
    # reported once, at `license:` or, when there is none, at the top of the front matter.
    card = Source(name=DEFAULT_CONFIG, license=license_value,
                  license_line=_license_line(parsed) or parsed.line(()),
                  languages=_card_strings(meta, "language"), tags=_card_strings(meta, "tags"))
    info = meta.get("dataset_info")
    entries: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
    if isinstance(info, dict):
        entries = [(("dataset_info",), info)]
    elif isinstance(info, list):
        for i, entry in enumerate(info):
            if isinstance(entry, dict):
                entries.append((("dataset_info", i), entry))
            else:
                notes.append(Problem(display, parsed.line(("dataset_info", i)), "dataset_info entry is not a mapping",
                                     "each entry has config_name, features and splits"))
    elif info is not None:
        notes.append(Problem(display, parsed.line(("dataset_info",)), "dataset_info must be a mapping or a list of mappings"))

    sources: dict[str, Source] = {}
    for path, entry in entries:
        name = entry.get("config_name", "default")
        if not isinstance(name, str) or not name:
            notes.append(Problem(display, parsed.line(path + ("config_name",)), f"config_name must be a string, not {name!r}"))
            name = str(name)
        if name in sources:
            notes.append(Problem(display, parsed.line(path), f"dataset_info lists config {name!r} twice"))
            continue
        num_bytes, num_examples = _split_sizes(entry, path, parsed, display, notes)
        sources[name] = replace(card, name=name, domain=domains.domain_of(name), bytes=num_bytes,
                                documents=num_examples, line=parsed.line(path),
                                # the Hub reads the default config's files by its default patterns
                                data_dir="." if name == DEFAULT_CONFIG else None)
    configs = meta.get("configs")
    if configs is not None and not isinstance(configs, list):
        notes.append(Problem(display, parsed.line(("configs",)), "configs must be a list of {config_name, data_files}",
                             "the Hub reads no config from it"))
    config_names: set[str] = set()
    for i, config in enumerate(configs if isinstance(configs, list) else []):
        # A bare name is the pre-2023 form (`configs: [en, de]`): a config without data files.
        name = config.get("config_name") if isinstance(config, dict) else config
        if not isinstance(name, str) or not name:
            notes.append(Problem(display, parsed.line(("configs", i)), "config entry without a config_name",
                                 "each entry of configs: has config_name and data_files"))
            continue
        if name in config_names:
            notes.append(Problem(display, parsed.line(("configs", i)), f"configs lists {name!r} twice"))
            continue
        config_names.add(name)
        files, data_dir = _config_files(config)
        if isinstance(config, dict) and "data_dir" in config and not isinstance(config["data_dir"], str):
            notes.append(Problem(display, parsed.line(("configs", i, "data_dir")), f"config {name!r}: data_dir must be "
                                 f"a path, not {config['data_dir']!r}", "the Hub reads no data_dir from it"))
        if base_dir is not None and data_dir is not None:
            if not os.path.isdir(os.path.join(base_dir, data_dir)):
                notes.append(Problem(display, parsed.line(("configs", i, "data_dir")),
                                     f"config {name!r}: data_dir {data_dir!r} is not a directory of the repository"))
            notes += unmatched_notes(display, os.path.join(base_dir, data_dir), files, parsed.line(("configs", i, "data_files")),
                                     f"config {name!r}", f"the {'data_dir' if data_dir != '.' else 'repository root'}",
                                     access)
        # Patterns are relative to data_dir; without patterns, the Hub's default ones apply there
        # (a pre-2023 bare name has neither: its data is not in the repository's files).
        patterns = tuple(f if "://" in f else posixpath.normpath(posixpath.join(data_dir or ".", f)) for f in files)
        base = sources.get(name) or replace(card, name=name, domain=domains.domain_of(name), line=parsed.line(("configs", i)))
        sources[name] = replace(base, data_files=patterns, data_dir=None if patterns else data_dir,  # sizes stay
                                data_files_line=parsed.line(("configs", i, "data_files")))
    notes += _overlapping_configs(list(sources.values()), display)
    if not sources:  # no configs and no dataset_info: the Hub shows one config, `default`
        sources[DEFAULT_CONFIG] = replace(card, domain=domains.domain_of(DEFAULT_CONFIG), line=parsed.line(()), data_dir=".")
    return list(sources.values())


def _overlapping_configs(sources: list[Source], display: str) -> list[Problem]:
    """A config whose data_files patterns cover another's (fineweb-edu's ``default: data/*/*``
    beside one config per dump) is the same data seen twice, not two parts of a mixture: shares
    over such configs count it twice. Judged from the patterns alone (a pattern of one, read as a
    path, matched by a pattern of the other), without reading the files. A pattern can only
    cover paths that begin with its literal directories, so each pattern is compared only with
    the patterns whose literal prefix it begins with: linear in the configs, not quadratic (a
    card of 2,000 per-language configs is read in milliseconds)."""
    by_prefix: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    for index, source in enumerate(sources):
        for pattern in source.data_files:
            by_prefix.setdefault(_literal_prefix(pattern), []).append((index, pattern))
    inner: dict[int, list[Source]] = {}
    for index, other in enumerate(sources):
        covering: set[int] | None = None  # the configs covering every pattern of this one so far
        for pattern in other.data_files:
            parts = tuple(part for part in pattern.split("/") if part)  # the pattern read as a path
            owners = {owner for k in range(len(parts) + 1) for owner, candidate in by_prefix.get(parts[:k], ())
                      if owner != index and matches(pattern, candidate)}
            covering = owners if covering is None else covering & owners
            if not covering:
                break
        for owner in sorted(covering or ()):
            inner.setdefault(owner, []).append(other)
    notes = []
    for owner, covered in sorted(inner.items()):
        outer = sources[owner]
        names = ", ".join(repr(s.name) for s in covered[:3]) + (f" and {len(covered) - 3} more" if len(covered) > 3 else "")
        notes.append(Problem(display, outer.line, f"config {outer.name!r} ({', '.join(outer.data_files)}) holds the "
                             f"files of config{'s' if len(covered) > 1 else ''} {names}: overlapping configs are views of "
                             "the same data, so shares over them count it twice",
                             "declare the mixture's parts in an embedded `mixlint:` manifest"))
    return notes


def _literal_prefix(pattern: str) -> tuple[str, ...]:
    """The directories a path pattern's matches all begin with (none for a bare file name, which
    matches in any directory)."""
    if "/" not in pattern.strip("/").removeprefix("./"):
        return ()
    try:
        segments = split_pattern(pattern)
    except ValueError:
        return ()
    literal = 0
    while literal < len(segments) - 1 and not has_magic(segments[literal]) and segments[literal] != GLOBSTAR:
        literal += 1
    return segments[:literal]


def _config_files(config: dict[str, Any] | str) -> tuple[tuple[str, ...], str | None]:
    """A config's ``data_files`` patterns (a string, a list, or a list of {split, path}: the
    ``train`` split's when there is one, as the sizes are the train split's) and its ``data_dir``
    (None for a pre-2023 bare config name, which names no files at all)."""
    if not isinstance(config, dict):
        return (), None
    data_dir = config["data_dir"] if isinstance(config.get("data_dir"), str) else "."
    items = _strings_or_items(config.get("data_files"))
    splits = [item for item in items if isinstance(item, dict)]
    if any(item.get("split") == "train" for item in splits):
        items = [item for item in splits if item.get("split") == "train"]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out.extend(p for p in _strings_or_items(item.get("path")) if isinstance(p, str))
    return tuple(out), data_dir


def _strings_or_items(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else value if isinstance(value, list) else []


def _split_sizes(entry: dict[str, Any], path: tuple[str | int, ...], parsed: Parsed, display: str,
                 notes: list[Problem]) -> tuple[int | None, int | None]:
    """Bytes and examples of the ``train`` split (pretraining data), else of all splits."""
    splits = entry.get("splits")
    if splits is None:
        return None, None
    if not isinstance(splits, list):
        notes.append(Problem(display, parsed.line(path + ("splits",)), "splits must be a list of {name, num_bytes, num_examples}"))
        return None, None
    chosen = [(i, s) for i, s in enumerate(splits) if isinstance(s, dict) and s.get("name") == "train"]
    if not chosen:
        chosen = [(i, s) for i, s in enumerate(splits) if isinstance(s, dict)]
    totals: dict[str, int | None] = {"num_bytes": 0, "num_examples": 0}
    for i, split in chosen:
        for key in totals:
            value = _card_number(split.get(key), path + ("splits", i, key), parsed, display, notes)
            totals[key] = None if value is None or totals[key] is None else totals[key] + value  # type: ignore[operator]
    return totals["num_bytes"], totals["num_examples"]


def _card_number(value: Any, path: tuple[str | int, ...], parsed: Parsed, display: str, notes: list[Problem]) -> int | None:
    """A size from dataset_info; a string that reads as a number is used, with a note."""
    if value is None:
        return None
    key = str(path[-1])
    try:
        number = (parse_bytes if key == "num_bytes" else parse_count)(value)
    except ValueError as exc:
        notes.append(Problem(display, parsed.line(path), f"{key}: {exc}", "write a plain non-negative number"))
        return None
    if isinstance(value, str):
        notes.append(Problem(display, parsed.line(path), f"{key} is a string ({value!r})", "write it as a number, without quotes"))
    return number
