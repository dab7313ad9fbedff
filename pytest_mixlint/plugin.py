"""pytest hooks: options, collection of documents into items, outcomes and the summary.

The only module that imports pytest. Everything it calls is plain functions over plain data.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from pathlib import Path
from typing import Any, get_args

import pytest

from .access import FileAccess, inside, within
from .discovery import (
    DEFAULT_CARDS,
    DEFAULT_MANIFESTS,
    DEFAULT_PACK,
    DEFAULT_RULES_FILE,
    Discovery,
    describe_rules,
    looks_like_manifest,
    unused_policy_message,
)
from .documents import Document, DocumentKind, load_document
from .documents.model import TOKEN_SAMPLE_RANGE, TokenMode
from .domains import DomainPatterns
from .limits import INI as LIMITS_INI
from .limits import Limits, limits_from
from .outcomes import LOAD_RULE, UNCHECKED_RULE, Result, evaluate, ignore_notes, load_error, unchecked
from .packs import Rule, RuleSet, load_rules
from .paths import check_patterns
from .problems import MixlintError, Problem
from .report import RunRecord, document_payload, failure, json_report, markdown, terminal
from .report.text import printable
from .scan.cache import ShardCache, Verify
from .scan.measure import Measurement, TokenDefaults, measure_document

MARKER = "mixlint"


class MixlintSession:
    """What one run needs, built once at configure time (in each xdist worker alike)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.rootdir = Path(str(config.rootpath))
        _check_ini_keys(config)
        self.strict: bool = config.getoption("mixlint_strict") or _ini_bool(config, "mixlint_strict")
        try:
            self.domains = DomainPatterns.with_user_patterns(config.getini("mixlint_domains"))
        except ValueError as exc:
            raise pytest.UsageError(f"{_ini_file(config)}: {exc}") from None
        self.allow_outside_root = _ini_bool(config, "mixlint_allow_outside_root")
        try:
            self.limits = limits_from({name: config.getini(name) for name in LIMITS_INI})
        except ValueError as exc:
            raise pytest.UsageError(f"{_ini_file(config)}: {exc}") from None
        self.access = FileAccess(str(self.rootdir), self.allow_outside_root, self.limits.file_bytes)
        self.cache_verify = config.getini("mixlint_cache_verify").strip() or "stat"
        if self.cache_verify not in get_args(Verify):
            raise pytest.UsageError(f"{_ini_file(config)}: mixlint_cache_verify: {self.cache_verify!r} is not "
                                    f"{' or '.join(get_args(Verify))}")
        self.token_defaults = _token_defaults(config, self.rootdir)
        self._cache: ShardCache | None | bool = False  # made on first use: nothing is written unless data is measured
        self.rules = self._load_rules()
        self.selected_ids = {r.id for r in self._selected_rules()}
        invocation = Path(config.invocation_params.dir)
        patterns = {name: config.getini(name) or default for name, default in
                    (("mixlint_manifests", DEFAULT_MANIFESTS), ("mixlint_cards", DEFAULT_CARDS))}
        for name, values in patterns.items():
            try:
                check_patterns(values)
            except ValueError as exc:
                raise pytest.UsageError(f"{_ini_file(config)}: {name}: {exc}") from None
        self.discovery = Discovery(self.rootdir, patterns["mixlint_manifests"], patterns["mixlint_cards"],
                                   {(invocation / arg.split("::")[0]).resolve() for arg in config.args},
                                   {os.path.realpath(p.path) for p in self.rules.packs if p.path})
        self.unused_policies = self.discovery.unused_policies()
        self.own_files = [p.path for p in self.rules.packs if p.path] + [
            str(invocation / path) for path in config.getoption("mixlint_report")]

    def _selected_rules(self) -> list[Rule]:
        select, ignore = _split(self.config.getoption("mixlint_select")), _split(self.config.getoption("mixlint_ignore"))
        selected = self.rules.selected(select, ignore)
        if not selected:
            ids = ", ".join(sorted(r.id for r in self.rules.rules)) or "none"
            raise pytest.UsageError(f"mixlint: no rule is selected (--mixlint-select {','.join(select) or '-'}, "
                                    f"--mixlint-ignore {','.join(ignore) or '-'}); the rules are: {ids}")
        return selected

    def _load_rules(self) -> RuleSet:
        cli = _split(self.config.getoption("mixlint_rules"))
        named_by, via = "--mixlint-rules", None
        if cli:
            references, base_dir = cli, str(self.config.invocation_params.dir)
        else:
            named_by = f"mixlint_rules in {_ini_file(self.config)}" if self.config.inipath else "mixlint_rules"
            references = list(self.config.getini("mixlint_rules"))
            base_dir = str(self.config.inipath.parent if self.config.inipath else self.rootdir)
            if not references:
                default = self.rootdir / DEFAULT_RULES_FILE
                if default.is_file():
                    references, via = [str(default)], f"the default: {DEFAULT_RULES_FILE} at the rootdir"
                else:
                    references, via = [DEFAULT_PACK], f"the default: no {DEFAULT_RULES_FILE} at the rootdir"
        try:
            return load_rules(references, base_dir, named_by, via, self.access)
        except MixlintError as exc:
            raise pytest.UsageError("mixlint: the rules cannot be loaded:\n" + "\n".join(f"  {p}" for p in exc.problems)) from None

    def shard_cache(self) -> ShardCache | None:
        if self._cache is False:
            self._cache = None if self.config.getoption("mixlint_no_cache") else _shard_cache(
                self.config, self.rootdir, self.cache_verify)
        return self._cache  # type: ignore[return-value]

    def header(self) -> list[str]:
        """What is checked: the rules and the packs they come from; what looks meant but is not."""
        lines = [f"mixlint: {describe_rules(self.rules, len(self.selected_ids))}"]
        lines += [f"mixlint: {path}: {unused_policy_message(self.rules)}" for path in self.unused_policies]
        lines += [f"mixlint: {hint}" for hint in self.discovery.named_file_hints()]
        return lines


SESSION_KEY = pytest.StashKey[MixlintSession]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mixlint", "lint LLM pretraining data mixtures")
    group.addoption("--mixlint", action="store_true", help="check mixture manifests and dataset cards against rule packs")
    group.addoption("--mixlint-rules", action="append", default=[], metavar="PACKS",
                    help="rule packs to use instead of the mixlint_rules ini option (paths or mixlint:NAME; comma-separated or repeated)")
    group.addoption("--mixlint-strict", action="store_true", help="warnings fail their items")
    group.addoption("--mixlint-report", action="append", default=[], metavar="PATH",
                    help="write a report: PATH ending in .json (machine-readable) or .md (Markdown); repeatable")
    group.addoption("--mixlint-select", action="append", default=[], metavar="IDS",
                    help="only run rules whose id starts with one of these (comma-separated or repeated)")
    group.addoption("--mixlint-no-cache", action="store_true",
                    help="measure data files without reading or writing the per-shard cache")
    group.addoption("--mixlint-tokenizer", metavar="PATH",
                    help="a local tokenizer.json (or its directory) to count tokens of measured data with")
    group.addoption("--mixlint-tokens", choices=get_args(TokenMode),
                    help="estimate tokens from a sample (default) or tokenize every document")
    group.addoption("--mixlint-ignore", action="append", default=[], metavar="IDS",
                    help="skip rules whose id starts with one of these (comma-separated or repeated)")
    for name, (kind, default, text) in INI_OPTIONS.items():
        parser.addini(name, type=kind, default=default, help=text)


# The ini options: (type, default, help). A `mixlint_*` key not listed here is a usage error.
INI_OPTIONS: dict[str, tuple[Any, Any, str]] = {
    "mixlint_rules": ("linelist", [], f"rule packs (paths relative to the ini file, or mixlint:NAME); default "
                                      f"{DEFAULT_RULES_FILE} at the rootdir, else {DEFAULT_PACK}"),
    "mixlint_manifests": ("linelist", [], "glob patterns of mixture manifests"),
    "mixlint_cards": ("linelist", [], "glob patterns of dataset cards (README.md)"),
    "mixlint_domains": ("linelist", [], "'PATTERN = DOMAIN' lines mapping source names to domains"),
    "mixlint_strict": ("bool", False, "warnings fail their items"),
    "mixlint_allow_outside_root": ("bool", False, "measure data files outside the rootdir (refused by default)"),
    "mixlint_tokenizer": ("string", "", "a local tokenizer.json (relative to the ini file) to count tokens of measured data with"),
    "mixlint_tokens": ("string", "estimate", "estimate (default) or exact"),
    "mixlint_token_sample": ("string", "1000", "documents sampled per group in each shard to estimate tokens (default 1000)"),
    "mixlint_cache_verify": ("string", "stat", "stat (size, time and the first and last 64 KiB; default) or content "
                                              "(a hash of every shard, about 1-2 s per GB on every run)"),
    **{name: ("string", "", f"{what} (default {getattr(Limits(), attribute):,})")
       for name, (attribute, _, what) in LIMITS_INI.items()},
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: a pytest-mixlint check of a data mixture document")
    if not config.getoption("mixlint"):
        return
    for path in config.getoption("mixlint_report"):
        if not path.endswith((".json", ".md")):
            raise pytest.UsageError(f"--mixlint-report={path}: the report format comes from the extension: .json or .md")
    mixlint = MixlintSession(config)
    config.stash[SESSION_KEY] = mixlint
    config.pluginmanager.register(MixlintReporter(mixlint), "mixlint-reporter")


def pytest_report_header(config: pytest.Config) -> list[str]:
    session = config.stash.get(SESSION_KEY, None)
    return [printable(line) for line in session.header()] if session is not None else []


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    session = parent.config.stash.get(SESSION_KEY, None)
    if session is None:
        return None
    kind = session.discovery.kind_of(file_path)
    # pytest prints node ids as they are: a file name holding a terminal escape must not reach it
    display = session.discovery.display(file_path)
    nodeid = printable(display) if printable(display) != display else None  # None: pytest's own
    if kind is not None:
        return MixlintFile.from_parent(parent, path=file_path, kind=kind, nodeid=nodeid)
    line = looks_like_manifest(file_path)
    if line is not None:  # a manifest the patterns miss would silently not be checked: a warned item
        return UncheckedFile.from_parent(parent, path=file_path, line=line, nodeid=nodeid)
    if file_path in session.discovery.named and file_path.suffix.lower() not in (".py",):
        # Named on the command line but no document (the header says why): collected as nothing,
        # so that pytest does not stop the run with "not found" (pre-commit names every file).
        return NotADocument.from_parent(parent, path=file_path)
    return None


class NotADocument(pytest.File):
    def collect(self) -> Any:
        return []


class _DocumentFile(pytest.File):
    """A collected file whose items report results: it sends the file's part of the run record
    (its notes, and its composition when it is a document) with the first item that runs."""

    kind: DocumentKind | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.payload_sent = False
        self.notes: list[Problem] = []

    def take_payload(self, document: Document | None) -> dict[str, Any] | None:
        """The document's composition, sent with the first item this process runs for it."""
        if self.payload_sent:
            return None
        self.payload_sent = True
        return self._payload(document)

    def _payload(self, document: Document | None) -> dict[str, Any]:
        display = self.config.stash[SESSION_KEY].discovery.display(self.path)
        return {"path": display, "kind": self.kind, "name": None, "basis": None, "components": [],
                "notes": [str(n) for n in self.notes]}


class MixlintFile(_DocumentFile):
    """A manifest or a card: one item per rule that applies to it."""

    def __init__(self, *, kind: DocumentKind, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.needs_measurement = False
        self.measured_bases: list[str | None] = []  # of the measured rules; None: the measurement's own
        self._measurement: Measurement | None = None

    def collect(self) -> Any:
        session = self.config.stash[SESSION_KEY]
        display = session.discovery.display(self.path)
        assert self.kind is not None
        try:
            document = load_document(str(self.path), display, self.kind, session.domains, session.access)
        except MixlintError as exc:
            yield LoadErrorItem.from_parent(self, name=LOAD_RULE, display=display, problems=exc.problems)
            return
        except Exception as exc:  # a bug of ours must not stop the other documents being checked
            problem = Problem(display, None, f"internal error while reading this file: {type(exc).__name__}: {exc}",
                              "please report it to pytest-mixlint with this file")
            yield LoadErrorItem.from_parent(self, name=LOAD_RULE, display=display, problems=[problem])
            return
        if document is None:  # a README without front matter is not a dataset card
            return
        applicable = [r for r in session.rules.rules if r.applies(document.kind, display)]
        selected = [r for r in applicable if r.id in session.selected_ids]
        self.notes = ignore_notes(document, {r.id for r in session.rules.rules}, {r.id for r in applicable})
        # A policy file beside the document that is not in effect (the run's own are in the header).
        self.notes += [Problem(path, None, unused_policy_message(session.rules))
                       for path in session.discovery.unused_policies_in(self.path.parent)
                       if path not in session.unused_policies]
        measured_rules = [r for r in selected if r.needs_measurement]
        self.needs_measurement = bool(measured_rules)
        self.measured_bases = list(dict.fromkeys(r.measured_basis() for r in measured_rules))
        for rule in selected:
            item = MixlintItem.from_parent(self, name=rule.id, rule=rule, document=document)
            item.add_marker(MARKER)
            yield item

    def measurement(self, document: Document) -> Measurement:
        """The document's data files, scanned once per process (and cached per shard on disk)."""
        if self._measurement is None:
            session = self.config.stash[SESSION_KEY]
            try:
                self._measurement = measure_document(document, str(session.rootdir), session.shard_cache(),
                                                     session.allow_outside_root, tokens=session.token_defaults,
                                                     # pytest captures sys.stderr while items run
                                                     progress=sys.__stderr__, not_data=session.own_files,
                                                     limits=session.limits)
            except Exception as exc:  # a bug of ours fails this document's measured rules, not the run
                problem = Problem(document.path, None, f"internal error while measuring: {type(exc).__name__}: {exc}",
                                  "please report it to pytest-mixlint")
                self._measurement = Measurement(None, [problem])
        return self._measurement

    def _payload(self, document: Document | None) -> dict[str, Any]:
        empty = super()._payload(document)
        if document is None:
            return empty
        try:
            measurement = self.measurement(document) if self.needs_measurement else None
            # A measurement with problems left some data out: its shares would mislead.
            measured = measurement.mixture if measurement is not None and not measurement.problems else None
            return document_payload(document, self.notes, measured, self.measured_bases)
        except Exception as exc:  # the summary must not take the run down
            notes = empty["notes"] + [f"{empty['path']}: composition not shown: {type(exc).__name__}: {exc}"]
            return {**empty, "notes": notes}


class UncheckedFile(_DocumentFile):
    """A file that starts like a manifest (``mixlint: 1``) but no pattern makes it one: one warned
    item, so the summary, the reports and --mixlint-strict all see it (a pytest warning would be
    seen only in the warnings summary, twice under xdist, and abort a -W error run)."""

    def __init__(self, *, line: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.line = line

    def collect(self) -> Any:
        session = self.config.stash[SESSION_KEY]
        display = session.discovery.display(self.path)
        item = UncheckedItem.from_parent(self, name=UNCHECKED_RULE, display=display, line=self.line)
        item.add_marker(MARKER)
        yield item


class MixlintFailure(Exception):
    def __init__(self, result: Result) -> None:
        super().__init__(printable(result.message))
        self.result = result


class _ResultItem(pytest.Item):
    """An item whose runtest produces a Result; shared by rule items and load-error items."""

    result_line: int | None = None  # for reportinfo; the Result itself travels on the report
    mixlint_payload: dict[str, Any] | None = None

    def evaluate(self) -> tuple[Result, Document | None]:
        raise NotImplementedError

    def runtest(self) -> None:
        result, document = self.evaluate()
        self.result_line = result.line
        assert isinstance(self.parent, _DocumentFile)
        self.mixlint_payload = {"result": result.to_json(), "document": self.parent.take_payload(document)}
        _raise_outcome(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | Any:
        if isinstance(excinfo.value, MixlintFailure):
            text = printable(failure.explain(excinfo.value.result))
            trace = excinfo.value.result.traceback
            if trace and (self.config.getoption("tbstyle", "auto") == "long" or self.config.get_verbosity() > 0):
                text += "\n\n" + trace.rstrip()
            elif trace:
                text += "\n  (the traceback: --tb=long or -v)"
            return text
        if isinstance(excinfo.value, pytest.xfail.Exception):
            # A suppression: reported as xfailed with its reason; a traceback of pytest's own
            # frames would be formatted (slowly) only to be thrown away.
            return printable(str(excinfo.value))
        return super().repr_failure(excinfo, style=style)  # type: ignore[arg-type]

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.result_line
        # pytest prints this path as it is (skip reasons): a name holding escapes is shown escaped
        path = self.path if printable(str(self.path)) == str(self.path) else Path(printable(str(self.path)))
        return path, (line - 1 if line else None), f"[mixlint] {self.nodeid}"


def _raise_outcome(result: Result) -> None:
    """Map a Result's outcome onto pytest's: fail, skip, xfail (suppressed) or pass."""
    if result.outcome in ("failed", "error"):
        raise MixlintFailure(result)
    if result.outcome == "skipped":
        # Located at the document (the item's reportinfo), not at this line of the plugin.
        raise pytest.skip.Exception(printable(f"{result.rule}: {result.message}"), _use_item_location=True)
    if result.outcome == "suppressed":
        pytest.xfail(printable(f"{result.rule}: {result.message}"))


class MixlintItem(_ResultItem):
    def __init__(self, *, rule: Rule, document: Document, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule
        self.document = document

    def evaluate(self) -> tuple[Result, Document | None]:
        assert isinstance(self.parent, MixlintFile)
        measurement = self.parent.measurement(self.document) if self.rule.needs_measurement else None
        session = self.config.stash[SESSION_KEY]
        return evaluate(self.rule, self.document, measurement, strict=session.strict), self.document


class UncheckedItem(_ResultItem):
    def __init__(self, *, display: str, line: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.display = display
        self.line = line

    def evaluate(self) -> tuple[Result, Document | None]:
        return unchecked(self.display, self.line, self.config.stash[SESSION_KEY].strict), None


class LoadErrorItem(_ResultItem):
    def __init__(self, *, display: str, problems: list[Problem], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.display = display
        self.problems = problems
        self.add_marker(MARKER)

    def evaluate(self) -> tuple[Result, Document | None]:
        return load_error(self.display, self.problems), None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    if call.when == "call" and isinstance(item, _ResultItem) and item.mixlint_payload is not None:
        # A plain-JSON attribute: pytest-xdist carries it to the controller with the report.
        outcome.get_result().mixlint = item.mixlint_payload
        item.mixlint_payload = None  # the report holds it now; items live as long as the session


class MixlintReporter:
    """Registered as a plugin while --mixlint is on: gathers results from reports and writes the
    summary and report files. In pytest-xdist runs only the controller's gathers anything."""

    def __init__(self, mixlint: MixlintSession) -> None:
        self.mixlint = mixlint
        self.record = RunRecord(packs=mixlint.rules.packs, rules=len(mixlint.selected_ids))
        self.report_errors: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        payload = getattr(report, "mixlint", None)
        if report.when == "call" and payload:
            self.record.add(payload["result"], payload["document"])

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(session.config, "workerinput"):  # xdist worker: the controller writes reports
            return
        for path in session.config.getoption("mixlint_report"):
            target = Path(session.config.invocation_params.dir) / path
            text = json_report.render(self.record) if path.endswith(".json") else markdown.render(self.record)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            except OSError as exc:
                self.report_errors.append(f"cannot write {path}: {exc.strerror or exc}")
                # A gate whose report is missing must not look green.
                if session.exitstatus == pytest.ExitCode.OK:
                    session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        if hasattr(config, "workerinput"):
            return
        terminalreporter.section("mixlint")
        if not self.record.documents:
            manifests = ", ".join(self.mixlint.discovery.manifest_patterns)
            cards = ", ".join(self.mixlint.discovery.card_patterns)
            terminalreporter.write_line(
                f"no mixture manifests or dataset cards were checked, although {len(self.mixlint.selected_ids)} rules "
                f"from {', '.join(p.name for p in self.mixlint.rules.packs)} are in effect: manifests are found by "
                f"mixlint_manifests ({manifests}), cards by mixlint_cards ({cards}, with YAML front matter), "
                "under the paths given to pytest")
        else:
            terminal.write_summary(self.record, lambda line: terminalreporter.write_line(printable(line)),
                                   config.get_verbosity() > 0)
        for path in self.mixlint.unused_policies:
            terminalreporter.write_line(printable(f"mixlint: {path}: {unused_policy_message(self.mixlint.rules)}"), yellow=True)
        for hint in self.mixlint.discovery.named_file_hints():  # again at the end: -q hides the header
            terminalreporter.write_line(printable(f"mixlint: {hint}"), yellow=True)
        for error in self.report_errors:
            terminalreporter.write_line(f"mixlint: {error}", red=True)
        if not self.report_errors:
            for path in config.getoption("mixlint_report"):
                terminalreporter.write_line(f"mixlint: report written to {path}")


def _shard_cache(config: pytest.Config, rootdir: Path, verify: str) -> ShardCache | None:
    """pytest's cache directory when the cache provider is on, else .mixlint_cache/ at the rootdir
    (made only when an entry is written; in a read-only checkout writes fail quietly and measuring
    only costs more), and none where a symlink committed to the repository would lead the writes
    out of it."""
    if getattr(config, "cache", None) is not None:
        # pytest's own rule for its cache_dir ini option: relative to the rootdir, ~ expanded.
        configured = Path(os.path.expandvars(os.path.expanduser(config.getini("cache_dir"))))
        directory = (configured if configured.is_absolute() else rootdir / configured) / "d" / "mixlint-shards"
    else:
        directory = rootdir / ".mixlint_cache"
    if _leads_out(directory, rootdir):
        return None
    return ShardCache(directory, verify)  # type: ignore[arg-type]  # made when an entry is written


def _leads_out(directory: Path, rootdir: Path) -> bool:
    """A directory inside the rootdir by its name whose real path is outside it (a link)."""
    if not within(os.path.abspath(directory), os.path.abspath(rootdir)):
        return False  # the user put the cache elsewhere on purpose
    return not inside(str(directory), str(rootdir))


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _check_ini_keys(config: pytest.Config) -> None:
    """An unknown ``mixlint_*`` ini key (``mixlint_rule``) would silently leave the gate open:
    a usage error with "did you mean", where pytest only warns."""
    # pytest keeps the keys it read privately; without them (a future pytest) only pytest warns.
    unknown_keys = getattr(config, "_get_unknown_ini_keys", None)
    if unknown_keys is None:
        return
    problems = []
    for key in sorted(k for k in unknown_keys() if k.lower().startswith("mixlint")):
        close = difflib.get_close_matches(key, list(INI_OPTIONS), n=1)
        problems.append(f"  {_ini_where(config, key)}: unknown ini option {key!r}"
                        + (f" (did you mean {close[0]!r}?)" if close else f" (options: {', '.join(INI_OPTIONS)})"))
    if problems:
        raise pytest.UsageError("mixlint: the configuration cannot be used:\n" + "\n".join(problems))


def _token_defaults(config: pytest.Config, rootdir: Path) -> TokenDefaults:
    """The run's token settings: the command line over the ini options."""
    ini = _ini_file(config)
    how = config.getoption("mixlint_tokens") or config.getini("mixlint_tokens").strip()
    if how not in get_args(TokenMode):
        raise pytest.UsageError(f"{ini}: mixlint_tokens: {how!r} is not {' or '.join(get_args(TokenMode))}")
    sample = config.getini("mixlint_token_sample").strip()
    low, high = TOKEN_SAMPLE_RANGE
    if not (sample.isascii() and sample.isdigit() and low <= int(sample) <= high):
        raise pytest.UsageError(f"{ini}: mixlint_token_sample: {sample!r} is not a number of documents from {low} to {high}")
    tokenizer, origin = config.getoption("mixlint_tokenizer"), "--mixlint-tokenizer"
    if tokenizer:
        tokenizer = str(Path(config.invocation_params.dir) / Path(tokenizer).expanduser())
    elif config.getini("mixlint_tokenizer").strip():
        base = config.inipath.parent if config.inipath else rootdir
        tokenizer = str(base / Path(config.getini("mixlint_tokenizer").strip()).expanduser())
        origin = f"{ini} (mixlint_tokenizer)"
    return TokenDefaults(tokenizer or None, origin, how == "exact", int(sample))


def _ini_bool(config: pytest.Config, name: str) -> bool:
    try:
        return bool(config.getini(name))
    except (ValueError, pytest.UsageError) as exc:  # pytest wraps the ValueError of a bad bool
        raise pytest.UsageError(f"{_ini_file(config)}: {name}: {exc} (use true or false)") from None


def _ini_where(config: pytest.Config, key: str) -> str:
    """``pytest.ini:4``: where ``key`` is set in the ini file (pytest keeps no lines; any of its
    formats writes ``key =`` or ``key:`` at the start of a line)."""
    if config.inipath is None:
        return "ini"
    try:
        lines = config.inipath.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return str(config.inipath)
    found = next((n for n, line in enumerate(lines, 1) if re.match(rf"\s*{re.escape(key)}\s*[=:]", line)), None)
    return f"{config.inipath}:{found}" if found else str(config.inipath)


def _ini_file(config: pytest.Config) -> str:
    return str(config.inipath) if config.inipath else "ini"
