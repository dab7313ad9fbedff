"""Measure a document: find its data files, scan them, and give the measured composition.

- A manifest source's ``data_files`` are globs relative to the manifest; all of a source's files
  count as that source.
- A manifest's ``scan.data_files`` are shared shards: each document goes to the source whose
  ``groups`` (default: its name) contains the value of ``scan.group_by``.
- A dataset card's configs are resolved exactly as the Hub resolves them, with ``datasets``'
  data-files resolution (offline; a repository without ``configs`` gets the default patterns).

Files outside the repository root are refused unless allowed. Problems are located: a pattern
that matches nothing at the source's line, bad data at the data file's line.

With a tokenizer (the manifest's ``scan.tokenizer``, else the run's ``mixlint_tokenizer``), each
source's tokens are counted too, estimated from a sample per shard and group with an error bound
or exact (``scan.tokens: exact``), and the measured composition is on a tokens basis.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from ..access import FileAccess
from ..documents.model import Document
from ..lfs import pull_hint
from ..licenses import classify_license
from ..limits import Limits
from ..mixture import Mixture, Source
from ..problems import Problem
from ..settings import TokenDefaults
from ..walk import Walker, identity
from .cache import ShardCache
from .counts import Counts, GroupCounts, LfsPointerError, ScanError, ScanOptions
from .engine import scan_files
from .tokens import Tokenizer, TokenizerError


@dataclass
class Measurement:
    mixture: Mixture | None  # measured sources (bytes, documents, characters); None: nothing to measure
    problems: list[Problem] = field(default_factory=list)
    unmapped: dict[str, Counts] = field(default_factory=dict)  # group values that name no source


def measure_document(document: Document, root: str, cache: ShardCache | None = None,
                     allow_outside_root: bool = False,
                     tokens: TokenDefaults = TokenDefaults(), progress: TextIO | None = None,
                     not_data: Collection[str] = (), limits: Limits = Limits()) -> Measurement:
    """``progress``: where to show a progress bar (when it is a terminal and the scan is slow);
    ``not_data``: files the Hub's default patterns may match that are the run's own (its rule
    packs and reports), never data."""
    problems: list[Problem] = []
    own: dict[str, list[str]] = {}
    card = document.kind == "card"
    walker = Walker(root, allow_outside_root, limits.walk_entries, hub=card)
    hub_files: dict[str, list[str]] = {}
    for source in document.mixture.sources:
        if source.data_files:
            own[source.name] = _resolve(document, source.data_files, source.data_files_line or source.line, problems, walker)
        elif source.data_dir is not None:  # a card config: the Hub's default patterns there
            directory = os.path.normpath(os.path.join(document.base_dir, source.data_dir))
            if directory not in hub_files:  # configs that share a directory resolve it once
                hub_files[directory] = _default_card_files(directory, walker, not_data)
            if hub_files[directory]:
                own[source.name] = hub_files[directory]
            elif source.data_dir != ".":  # a data_dir was named: it must hold data
                where = "is outside the repository root" if not walker.inside(os.path.realpath(directory)) else \
                    "holds no data files the Hub would read"
                problems.append(Problem(document.path, source.line, f"config {source.name!r}: data_dir "
                                        f"{source.data_dir!r} {where}", "data_dir is relative to the card's directory"))
    shared: list[str] = []
    if document.scan.data_files:
        shared = _resolve(document, document.scan.data_files, document.scan.line, problems, walker)
    if not own and not shared:
        return Measurement(None, problems)
    problems += _claimed_twice(document, own, shared)

    options = _scan_options(document, tokens, problems, FileAccess(root, allow_outside_root, limits.file_bytes), limits)
    if options is None:
        return Measurement(None, problems)
    measured: dict[str, Counts] = {name: Counts() for name in own}
    result = scan_files([f for files in own.values() for f in files], options, cache, stream=progress,
                        progress=None if progress else False)
    for name, paths in own.items():
        for path in paths:
            for counts in result.files.get(path, GroupCounts()).groups.values():
                measured[name].add(counts)
    problems += _data_problems(result.errors, root)

    unmapped: dict[str, Counts] = {}
    if shared:
        if not document.scan.group_by:
            problems.append(Problem(document.path, document.scan.line, "scan.data_files needs scan.group_by",
                                    "name the document field that says which source a document belongs to"))
        else:
            grouped = scan_files(shared, replace(options, group_by=document.scan.group_by), cache,
                                 stream=progress, progress=None if progress else False)
            problems += _data_problems(grouped.errors, root)
            owner = {g: s.name for s in document.mixture.sources for g in s.groups}
            groups = grouped.total().groups
            for group, counts in groups.items():
                owner_name = owner.get(group) if group is not None else None
                if owner_name is None:
                    unmapped.setdefault("(none)" if group is None else group, Counts()).add(counts)
                else:
                    measured.setdefault(owner_name, Counts()).add(counts)
            if groups and not any(g in owner for g in groups if g is not None):
                # Nothing maps: a misspelt group_by (every value missing) or groups: of another corpus.
                found = sorted(unmapped, key=lambda g: -unmapped[g].documents)
                shown = ", ".join(repr(g) for g in found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
                problems.append(Problem(document.path, document.scan.line,
                                        f"no document's {document.scan.group_by!r} names a source (values found: {shown})",
                                        "check scan.group_by, and list these values in the sources' `groups:`"))

    declared = {s.name: s for s in document.mixture.sources}
    sources = []
    for name, counts in measured.items():
        base = declared.get(name) or Source(name=name, license=classify_license(None))
        estimate = counts.tokens.estimate(counts.bytes) if counts.tokens is not None else None
        sources.append(replace(base, weight=None, bytes=counts.bytes, documents=counts.documents,
                               characters=counts.characters, tokens=estimate.tokens if estimate else None,
                               tokens_relative_error=estimate.relative_error if estimate else None))
    return Measurement(Mixture(document.mixture.name, sources, "tokens" if options.tokenizer else "bytes"),
                       problems, unmapped)


def _scan_options(document: Document, defaults: TokenDefaults, problems: list[Problem],
                  access: FileAccess, limits: Limits) -> ScanOptions | None:
    """What to count; None (with a located problem) when the tokenizer cannot be loaded. A
    manifest's own tokenizer must be a regular file inside the root; the run's (ini, command
    line) is the user's choice."""
    scan = document.scan
    options = ScanOptions(scan.text_field, None, limits=limits)
    path = os.path.join(document.base_dir, os.path.expanduser(scan.tokenizer)) if scan.tokenizer else defaults.tokenizer
    if path is None:
        return options
    where = "scan.tokenizer" if scan.tokenizer else defaults.origin
    line = (scan.tokenizer_line or scan.line) if scan.tokenizer else None
    file = os.path.join(path, "tokenizer.json") if os.path.isdir(path) else path
    refusal = access.refusal(file, confined=bool(scan.tokenizer)) if os.path.exists(file) else None
    if refusal:
        problems.append(Problem(document.path, line, f"{where}: {refusal}"))
        return None
    try:
        tokenizer = Tokenizer.from_file(path)
    except TokenizerError as exc:
        problems.append(Problem(document.path, line, f"{where}: {exc.path}: {exc.message}",
                                "tokenizers are read from a local tokenizer.json; nothing is downloaded"))
        return None
    exact = scan.tokens == "exact" if scan.tokens else defaults.exact
    return replace(options, tokenizer=tokenizer.path, tokenizer_fingerprint=tokenizer.fingerprint, exact_tokens=exact,
                   token_sample=scan.token_sample or defaults.sample)


def _resolve(document: Document, patterns: tuple[str, ...], line: int | None, problems: list[Problem],
             walker: Walker) -> list[str]:
    files: list[str] = []
    relative_to = "the card's directory" if document.kind == "card" else "the manifest's directory"
    for pattern in patterns:
        found = walker.find(document.base_dir, pattern)
        problems += [Problem(document.path, line, f"data_files: {message}", hint) for message, hint in found.problems]
        if not found.files and not found.problems:
            problems.append(Problem(document.path, line, f"data_files pattern {pattern!r} matches no file",
                                    f"patterns are relative to {relative_to}"))
        files += found.files
    # A file found twice (./a.jsonl and a.jsonl, two patterns, a hard link) counts once.
    return sorted({identity(path): path for path in reversed(files)}.values())


def _claimed_twice(document: Document, own: dict[str, list[str]], shared: list[str]) -> list[Problem]:
    """Files that two sources claim would be counted for both: a problem, not a silent double."""
    owners: dict[object, tuple[str, list[str]]] = {}  # a file's identity -> (a path to it, the sources claiming it)
    for name, files in own.items():
        for path in files:
            owners.setdefault(identity(path), (path, []))[1].append(name)
    for path in shared:
        owners.setdefault(identity(path), (path, []))[1].append("")  # the shared shards of scan.data_files
    twice = [(path, names) for path, names in owners.values() if len(names) > 1]
    if not twice:
        return []
    path, names = twice[0]
    card = document.kind == "card"
    hint = ("overlapping configs (a `default` of all files beside one config per part) are views of the same data, "
            "not parts of a mixture: declare the parts in an embedded `mixlint:` manifest" if card
            else "a data file belongs to one source: narrow the sources' data_files patterns")
    claimed_by = " and ".join(repr(name) if name else "scan.data_files" for name in names)
    return [Problem(document.path, document.source_line(names[0]) or document.line(),
                    f"{len(twice)} data file{'s belong' if len(twice) != 1 else ' belongs'} to more than one "
                    f"{'config' if card else 'source'}, so they would be counted twice (e.g. "
                    f"{os.path.relpath(path, document.base_dir)} to {claimed_by})", hint)]




def _default_card_files(directory: str, walker: Walker, not_data: Collection[str]) -> list[str]:
    """The data files of a card config without ``data_files``, as the Hub (``datasets``) finds
    them under ``directory``: its default patterns, the ``train`` split when there is one (as the
    card's sizes), files of one dataset module only (the extensions most files have), so that
    README.md, mixlint.yaml or a report are never read as data. Markdown files are documentation
    here (the card, a changelog), though recent ``datasets`` has a module that would read them. The files are found by our walker
    (bounded, inside the root), the patterns and the module by ``datasets``."""
    from datasets.data_files import DataFilesDict, DataFilesList

    def resolve(pattern: str) -> list[str]:
        files = walker.find(directory, pattern).files
        if not files:
            raise FileNotFoundError(pattern)
        return files

    try:
        patterns = _hub_default_patterns(resolve)
    except FileNotFoundError:
        return []
    excluded = {os.path.realpath(path) for path in not_data}
    resolved = DataFilesDict({
        split: DataFilesList(files := [f for pattern in split_patterns for f in walker.find(directory, pattern).files
                                       if os.path.realpath(f) not in excluded and not is_mixlint_report(f)
                                       and not f.lower().endswith(".md")],
                             [()] * len(files))
        for split, split_patterns in patterns.items()})
    resolved = _one_module(resolved)
    if resolved is None:  # no file of a format the Hub reads (README.md, CHANGELOG.md): no data
        return []
    splits = [resolved["train"]] if "train" in resolved else list(resolved.values())
    return sorted({identity(f): f for files in splits for f in files}.values())


def is_mixlint_report(path: str) -> bool:
    """A JSON report or baseline mixlint wrote where the Hub's default patterns look for data."""
    if not path.endswith(".json"):
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return b'"mixlint_report"' in head or b'"mixlint_baseline"' in head


def _hub_default_patterns(resolve: Any) -> dict[str, list[str]]:
    """``datasets``' choice of default patterns (split names in file or directory names, else
    everything), tried with ``resolve``."""
    from datasets.data_files import _get_data_files_patterns  # private: guarded by our tests of the Hub's choice

    return {str(split): list(patterns) for split, patterns in _get_data_files_patterns(resolve).items()}


def _one_module(resolved: Any) -> Any:
    """Keep the files of the dataset module ``datasets`` infers (as its loader does); None when
    no file has a format it reads."""
    try:
        from datasets.load import infer_module_for_data_files
        from datasets.packaged_modules import _MODULE_TO_EXTENSIONS
    except ImportError:  # pragma: no cover
        return resolved
    try:
        module, _ = infer_module_for_data_files(resolved)
    except Exception:  # datasets' "no supported data files" (its class varies across versions)
        return None
    return resolved.filter(extensions=_MODULE_TO_EXTENSIONS[module]) if module else None


def _data_problems(errors: list[ScanError], root: str) -> list[Problem]:
    """Bad data as located problems, paths relative to the root. Git LFS pointers (a clone
    without its LFS content has hundreds) are one problem with one command that fetches them all."""
    pointers = [e for e in errors if isinstance(e, LfsPointerError)]
    problems = [Problem(_shown(e.path, root), e.line, e.message, e.hint) for e in errors if e not in pointers]
    shown = [_shown(e.path, root) for e in pointers]
    if len(shown) > MAX_LISTED_POINTERS:
        return [Problem(shown[0], None, f"{len(shown)} data files are Git LFS pointers, not the data "
                        f"({', '.join(shown[:MAX_LISTED_POINTERS])}, ...): their content was not downloaded",
                        pull_hint([e.path for e in pointers]))] + problems
    return [Problem(path, None, e.message, e.hint) for path, e in zip(shown, pointers, strict=True)] + problems


MAX_LISTED_POINTERS = 3


def _shown(path: str, root: str) -> str:
    try:
        shown = os.path.relpath(path, root)
    except ValueError:
        return path
    return path if shown.startswith("..") else shown
