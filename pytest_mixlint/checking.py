"""One run of the rules over a repository's documents: the core both front ends drive.

``Run`` holds what a run needs, built once from its ``Settings``: the rules in effect, how
documents are found, the shard cache. ``Run.open`` reads one document and says which rules apply;
``Run.evaluate`` gives one rule's ``Result``; ``Run.payload`` the document's composition for the
reports. The pytest plugin calls these from its collectors and items (one item per rule, run by
pytest, perhaps in xdist workers); the ``mixlint`` command calls ``Run.check`` for everything at
once. The same repository gives the same results through both.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .access import FileAccess, inside, within
from .discovery import Discovery, describe_rules, looks_like_manifest, unused_policy_message
from .documents import Document, DocumentKind, document_id, load_document
from .documents.model import ConfigReading
from .outcomes import Result, evaluate, ignore_notes, judged, load_error, unchecked
from .packs import Rule, RuleSet, load_rules
from .problems import MixlintError, Problem
from .settings import Settings, SettingsError

if TYPE_CHECKING:  # imported when data is measured (the scan stack brings DuckDB, pyarrow, msgspec)
    from .baseline import Baseline
    from .configs.catalogue import Catalogue
    from .report import RunRecord
    from .scan.cache import ShardCache
    from .scan.measure import Measurement


@dataclass
class DocumentCheck:
    """One file as the run sees it: a document with the rules that apply to it, a file that
    cannot be read (``problems``), or a manifest no pattern matches (``unchecked_line``)."""

    path: Path
    display: str  # relative to the rootdir, POSIX separators
    kind: DocumentKind | None
    document: Document | None = None
    problems: list[Problem] = field(default_factory=list)  # why the file cannot be read
    rules: list[Rule] = field(default_factory=list)  # selected rules that apply, in pack order
    notes: list[Problem] = field(default_factory=list)  # ignore entries that cannot take effect, ...
    unchecked_line: int | None = None
    format: str | None = None  # a training config's format, when forced (mixlint show --as)
    stage: str | None = None  # one stage of a curriculum (a part of its file's check)
    stage_order: int = 0  # its place in the file: reports list stages as the curriculum runs them
    catalogue: str | None = None  # a config's source catalogue, as shown (even when the config cannot be read)
    # A curriculum: one check per stage, each a document with its rules (this one holds none).
    stages: list[DocumentCheck] = field(default_factory=list)
    _measurement: Measurement | None = None

    @property
    def parts(self) -> list[DocumentCheck]:
        """What is checked in this file: its stages, or itself."""
        return self.stages or [self]

    @property
    def id(self) -> str:
        return document_id(self.display, self.stage)

    @property
    def needs_measurement(self) -> bool:
        return any(rule.needs_measurement for rule in self.rules)

    @property
    def measured_bases(self) -> list[str | None]:
        return list(dict.fromkeys(rule.measured_basis() for rule in self.rules if rule.needs_measurement))


class Run:
    def __init__(self, settings: Settings, cache_dir: Path | None = None, own_files: Iterable[str] = (),
                 progress: TextIO | None = None, with_rules: bool = True) -> None:
        """``cache_dir``: where the per-shard cache lives (None: no cache); ``own_files``: files the
        run writes (its reports), never data; ``progress``: where a slow scan shows a bar;
        ``with_rules``: False to only read and measure documents (``mixlint show``)."""
        self.settings = settings
        self.rootdir = settings.rootdir
        self.access = FileAccess(str(self.rootdir), settings.allow_outside_root, settings.limits.file_bytes)
        self.rules = self._load_rules() if with_rules else RuleSet([], [])
        self.selected = self._select() if with_rules else []
        self.selected_ids = {rule.id for rule in self.selected}
        named = {(settings.command_line.invocation_dir / path.split("::")[0]).resolve()
                 for path in settings.command_line.paths}
        self.discovery = Discovery(self.rootdir, list(settings.manifests), list(settings.cards), named,
                                   {os.path.realpath(p.path) for p in self.rules.packs if p.path},
                                   list(settings.configs), case_patterns=list(settings.tests))
        self.unused_policies = self.discovery.unused_policies()
        self.own_files = [p.path for p in self.rules.packs if p.path] + list(own_files)
        self.progress = progress
        self._cache_dir = None if settings.command_line.no_cache or cache_dir is None or leads_out(cache_dir, self.rootdir) \
            else cache_dir
        self._cache: ShardCache | None = None
        self._catalogues: dict[Path, Catalogue | MixlintError] = {}

    def _load_rules(self) -> RuleSet:
        references = self.settings.rules
        try:
            return load_rules(list(references.references), references.base_dir, references.named_by, references.via,
                              self.access)
        except MixlintError as exc:
            raise SettingsError(["the rules cannot be loaded:"] + [f"  {p}" for p in exc.problems]) from None

    def _select(self) -> list[Rule]:
        select, ignore = list(self.settings.select), list(self.settings.ignore)
        selected = self.rules.selected(select, ignore)
        if not selected:
            prefix = self.settings.command_line.flag_prefix
            ids = ", ".join(sorted(r.id for r in self.rules.rules)) or "none"
            raise SettingsError([f"no rule is selected ({prefix}select {','.join(select) or '-'}, {prefix}ignore "
                                 f"{','.join(ignore) or '-'}); the rules are: {ids}"])
        return selected

    def header(self) -> list[str]:
        """What is checked: the rules and the packs they come from; what looks meant but is not."""
        lines = [describe_rules(self.rules, len(self.selected_ids))]
        lines += [f"{path}: {unused_policy_message(self.rules)}" for path in self.unused_policies]
        lines += self.discovery.named_file_hints()
        return lines

    def cache(self) -> ShardCache | None:
        """The per-shard cache, made when data is first measured (nothing is written before)."""
        if self._cache is None and self._cache_dir is not None:
            from .scan.cache import ShardCache

            self._cache = ShardCache(self._cache_dir, self.settings.cache_verify)  # type: ignore[arg-type]
        return self._cache

    # --- one file ---------------------------------------------------------------------------------

    def classify(self, path: Path) -> DocumentCheck | None:
        """What ``path`` is to this run: a document (not yet read), a manifest no pattern matches,
        or nothing (None)."""
        display = self.discovery.display(path)
        if self.discovery.is_fixture(path):
            return None
        kind = self.discovery.kind_of(path)
        if kind is not None:
            return DocumentCheck(path, display, kind)
        line = looks_like_manifest(path)
        return DocumentCheck(path, display, None, unchecked_line=line) if line is not None else None

    def open(self, check: DocumentCheck) -> DocumentCheck:
        """Read the document and find the rules that apply to it (a load error fills ``problems``;
        a README that is no dataset card leaves ``document`` None and no rules)."""
        if check.kind is None:
            return check
        try:
            if check.kind == "config":
                loaded = self._load_config(check)
                if len(loaded) == 1 and isinstance(loaded[0], Document) and loaded[0].stage is None:
                    check.document = loaded[0]
                else:  # a curriculum: each stage is checked as a document of its own
                    check.stages = [self._stage(check, part, n) for n, part in enumerate(loaded)]
                    return check
            else:
                check.document = load_document(str(check.path), check.display, check.kind, self.settings.domains,
                                               self.access)
        except MixlintError as exc:
            check.problems = list(exc.problems)
            return check
        except Exception as exc:  # a bug of ours must not stop the other documents being checked
            check.problems = [Problem(check.display, None, f"internal error while reading this file: "
                                      f"{type(exc).__name__}: {exc}", "please report it to pytest-mixlint with this file")]
            return check
        if check.document is None:  # a README without front matter is not a dataset card
            return check
        self._apply_rules(check)
        return check

    def _stage(self, check: DocumentCheck, part: Document | MixlintError, order: int) -> DocumentCheck:
        if isinstance(part, Document):
            stage = DocumentCheck(check.path, check.display, check.kind, part, format=check.format, stage=part.stage,
                                  catalogue=check.catalogue, stage_order=order)
            self._apply_rules(stage)
            return stage
        return DocumentCheck(check.path, check.display, check.kind, problems=list(part.problems),
                             format=check.format, stage=part.stage, catalogue=check.catalogue, stage_order=order)

    def _apply_rules(self, check: DocumentCheck) -> None:
        """The selected rules that apply to the check's document, and its notes."""
        document = check.document
        assert document is not None
        applicable = [r for r in self.rules.rules if r.applies(document.kind, check.display)]
        check.rules = [r for r in applicable if r.id in self.selected_ids]
        check.notes = ignore_notes(document, {r.id for r in self.rules.rules}, {r.id for r in applicable})
        # A policy file beside the document that is not in effect (the run's own are in the header).
        check.notes += [Problem(path, None, unused_policy_message(self.rules))
                        for path in self.discovery.unused_policies_in(check.path.parent)
                        if path not in self.unused_policies]

    def _load_config(self, check: DocumentCheck) -> list[Document | MixlintError]:
        """A training config (configs/), through the run's catalogue: one document, or one per
        stage of a curriculum (a stage that cannot be read is its MixlintError). Raises
        MixlintError when nothing can be read."""
        from .configs.catalogue import load_catalogue
        from .configs.load import load_config

        fmt = check.format or self.discovery.config_format(check.path) or "megatron"
        catalogue = None
        where = self.settings.catalogue or self._nearest_catalogue(check.path)
        if where is not None:  # read once per run, however many configs share it
            check.catalogue = self.discovery.display(where)
            if where not in self._catalogues:
                try:
                    self._catalogues[where] = load_catalogue(str(where), self.discovery.display(where), self.access)
                except MixlintError as exc:
                    self._catalogues[where] = exc
            loaded = self._catalogues[where]
            if isinstance(loaded, MixlintError):
                raise loaded
            catalogue = loaded
        reading = ConfigReading(fmt, catalogue, self.settings.variables)
        return list(load_config(str(check.path), check.display, reading, self.settings.domains, self.access))

    def _nearest_catalogue(self, path: Path) -> Path | None:
        """The mixlint.catalog.yaml nearest the config: its directory, then its parents up to the
        rootdir (a repository of several training setups keeps one catalogue each)."""
        from .configs.catalogue import DEFAULT_FILE

        folder = path.parent
        while True:
            if (folder / DEFAULT_FILE).is_file():
                return folder / DEFAULT_FILE
            if folder == self.rootdir or folder.parent == folder or not within(str(folder), str(self.rootdir)):
                return None
            folder = folder.parent

    def measurement(self, check: DocumentCheck) -> Measurement:
        """The document's data files, scanned once per process (and cached per shard on disk)."""
        from .scan.measure import Measurement, measure_document

        assert check.document is not None
        if check._measurement is None:
            try:
                from .configs.measure import measure_config, names_raw_data

                if check.kind == "config" and not names_raw_data(check.document):  # tokenized: exact tokens
                    check._measurement = measure_config(check.document)
                else:
                    check._measurement = measure_document(check.document, str(self.rootdir), self.cache(),
                                                          self.settings.allow_outside_root, tokens=self.settings.tokens,
                                                          progress=self.progress, not_data=self.own_files,
                                                          limits=self.settings.limits)
            except Exception as exc:  # a bug of ours fails this document's measured rules, not the run
                problem = Problem(check.document.path, None, f"internal error while measuring: {type(exc).__name__}: {exc}",
                                  "please report it to pytest-mixlint")
                check._measurement = Measurement(None, [problem])
        return check._measurement

    def evaluate(self, check: DocumentCheck, rule: Rule) -> Result:
        assert check.document is not None
        measurement = self.measurement(check) if rule.needs_measurement else None
        return evaluate(rule, check.document, measurement, self.settings.strict, self._accept)

    def load_error(self, check: DocumentCheck) -> Result:
        return judged(load_error(check.display, check.problems, check.stage), self.settings.strict, self._accept)

    def unchecked(self, check: DocumentCheck) -> Result:
        assert check.unchecked_line is not None
        return judged(unchecked(check.display, check.unchecked_line), self.settings.strict, self._accept)

    @property
    def _accept(self) -> Callable[[Result], Result] | None:
        return self.settings.baseline.apply if self.settings.baseline is not None else None

    # --- after the run (what only the whole run knows) ------------------------------------------------

    def finish(self, record: RunRecord, invocation_dir: Path) -> Closing:
        """What only the whole run knows: the baseline written if asked, stale baseline entries
        (in ``record`` for the reports). A baseline that cannot be written fails the run, as a
        report that cannot be written does."""
        from .baseline import recorded, render_baseline

        closing = Closing()
        target = self.settings.command_line.write_baseline
        if target:
            previous = self._previous_baseline(invocation_dir / target, target)
            keys = recorded(record.all_results(), self.rootdir, previous)
            path = invocation_dir / target
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(render_baseline(keys), encoding="utf-8")
                closing.lines.append(f"baseline written to {target}: {len(keys)} finding{'s' if len(keys) != 1 else ''}")
            except OSError as exc:
                closing.lines.append(f"cannot write the baseline {target}: {exc.strerror or exc}")
                closing.fails = True
        closing.lines += unused_catalogue_entries(record, self._covers)
        baseline = self.settings.baseline
        stale = baseline.stale(record.all_results(), self.rootdir) if baseline is not None else []
        record.stale_baseline = stale
        closing.lines += [f"stale baseline entry: {key.document_id}: [{key.rule}] {key.message} (no longer found: remove it "
                          "from the baseline, or write it again)" for key in stale]
        if stale and self.settings.strict:  # the baseline must shrink
            closing.lines.append(f"{len(stale)} stale baseline entr{'ies' if len(stale) > 1 else 'y'}: "
                                 f"the run fails ({self.settings.command_line.flag_prefix}strict)")
            closing.fails = True
        return closing

    def _covers(self, shown: str) -> bool:
        """Did the run look at everything under the directory of ``shown`` (a catalogue)? Not
        when it was named files, or directories below it: its other configs were not checked."""
        paths = [p.split("::")[0] for p in self.settings.command_line.paths]
        folder = (self.rootdir / shown).parent.resolve()
        invocation = self.settings.command_line.invocation_dir
        return not paths or any((invocation / p).is_dir() and within(str(folder), str((invocation / p).resolve()))
                                for p in paths)

    def _previous_baseline(self, path: Path, shown: str) -> Baseline | None:
        """The baseline being rewritten, if it is one: its entries outside this run are kept."""
        from .baseline import load_baseline

        if not path.is_file():
            return None
        try:
            return load_baseline(path, shown)
        except MixlintError:
            return None

    def payload(self, check: DocumentCheck) -> dict[str, Any]:
        """The file's part of the run record: its composition (declared, and measured when a rule
        measured it) and its notes."""
        from .report import document_payload

        empty: dict[str, Any] = {"path": check.display, "stage": check.stage, "stage_order": check.stage_order,
                                 "kind": check.kind, "name": None, "basis": None, "components": [],
                                 "notes": [str(n) for n in check.notes]}
        if check.document is None:
            if check.catalogue is not None:  # what it would have used of its catalogue is unknown
                empty["catalogue"] = {"path": check.catalogue, "unused": None}
            return empty
        try:
            measurement = self.measurement(check) if check.needs_measurement else None
            # A measurement with problems left some data out: its shares would mislead.
            measured = measurement.mixture if measurement is not None and not measurement.problems else None
            payload = document_payload(check.document, check.notes, measured, check.measured_bases)
            payload["stage_order"] = check.stage_order
            catalogue = check.document.config.catalogue if check.document.config else None
            if catalogue is not None:  # what it used of its catalogue: the run reports the entries no config used
                paths = [p for source in check.document.mixture.sources for p in source.data_files]
                payload["catalogue"] = {"path": catalogue.display, "unused": [
                    {"line": e.line, "match": list(e.patterns)} for e in catalogue.unused(paths)]}
            return payload
        except Exception as exc:  # the summary must not take the run down
            return {**empty, "notes": empty["notes"] + [f"{check.display}: composition not shown: {type(exc).__name__}: {exc}"]}

    # --- everything at once (the mixlint command) ----------------------------------------------------

    def check(self, files: Iterable[Path]) -> RunRecord:
        """Every result of every document among ``files`` (in their order), as one record."""
        from .report import RunRecord

        record = RunRecord(packs=self.rules.packs, rules=len(self.selected_ids))
        for path in files:
            check = self.classify(path)
            if check is None:
                continue
            for part in self.open(check).parts:
                payload: dict[str, Any] | None = self.payload(part)
                for result in self.results(part):
                    record.add(result.to_json(), payload)
                    payload = None  # sent with the document's first result, as the plugin does
        return record

    def results(self, check: DocumentCheck) -> Iterator[Result]:
        """Every result of one document (a file, or one stage of it), as the plugin's items give them."""
        if check.unchecked_line is not None:
            yield self.unchecked(check)
        elif check.problems:
            yield self.load_error(check)
        else:
            for rule in check.rules:
                yield self.evaluate(check, rule)


@dataclass
class Closing:
    """The end of a run: lines to show, and whether they fail it."""

    lines: list[str] = field(default_factory=list)
    fails: bool = False


def unused_catalogue_entries(record: RunRecord, covered: Callable[[str], bool] = lambda _: True) -> list[str]:
    """Catalogue entries that no config of the run matched (a misspelt pattern leaves its sources
    without a licence; an entry for a dropped source is stale). Judged over every config checked
    with the catalogue: one config uses only some of a shared catalogue's entries. Not judged
    when one of those configs could not be read (what it uses is unknown), or when the run did not
    look at all of the catalogue's directory (``covered``)."""
    unused: dict[str, list[set[tuple[int | None, tuple[str, ...]]] | None]] = {}
    configs: dict[str, set[str]] = {}
    for document in record.documents.values():
        if document.catalogue is not None:
            entries = document.catalogue["unused"]
            unused.setdefault(document.catalogue["path"], []).append(
                None if entries is None else {(e["line"], tuple(e["match"])) for e in entries})
            configs.setdefault(document.catalogue["path"], set()).add(document.path)
    lines = []
    for path, per_config in sorted(unused.items()):
        known = [entries for entries in per_config if entries is not None]
        if len(known) < len(per_config) or not covered(path):
            continue
        n = len(configs[path])
        for line, patterns in sorted(set.intersection(*known), key=lambda e: e[0] or 0):
            lines.append(f"{path}:{line or 1}: the entry matching {', '.join(patterns)} matches no data path of the {n} "
                         f"config{'s' if n != 1 else ''} checked with it (fix the pattern, or remove the entry)")
    return lines


def leads_out(directory: Path, rootdir: Path) -> bool:
    """A directory inside the rootdir by its name whose real path is outside it (a committed link):
    no cache is written there."""
    if not within(os.path.abspath(directory), os.path.abspath(rootdir)):
        return False  # the user put the cache elsewhere on purpose
    return not inside(str(directory), str(rootdir))
