"""The pytest front end, imported by plugin.py once ``--mixlint`` is given: the run's settings
from pytest's configuration, one collector per document, one item per rule, and the summary.

Everything it decides is the core's (``checking.Run``): this module only maps files to
collectors, results to pytest outcomes, and reports to the terminal and report files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from .checking import DocumentCheck, Run
from .discovery import unused_policy_message
from .options import split_values
from .outcomes import LOAD_RULE, UNCHECKED_RULE, Result
from .packs import Rule
from .plugin import MARKER, SESSION_KEY
from .report import RunRecord, failure, formats, terminal
from .report.text import printable
from .settings import CommandLine, SettingsError, read_settings


class PytestIni:
    """The ini keys as pytest read them (settings.Ini)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.path = Path(config.inipath) if config.inipath else None

    def lines(self, name: str) -> list[str]:
        return [str(v).strip() for v in self.config.getini(name) or [] if str(v).strip()]

    def text(self, name: str) -> str:
        value = self.config.getini(name)
        return "" if value is None else str(value).strip()

    def flag(self, name: str) -> bool:
        try:
            return bool(self.config.getini(name))
        except (ValueError, pytest.UsageError) as exc:  # pytest wraps the ValueError of a bad bool
            raise ValueError(str(exc)) from None

    def mixlint_keys(self) -> list[str]:
        # pytest keeps the keys it did not know privately; without them (a future pytest) it warns.
        unknown = getattr(self.config, "_get_unknown_ini_keys", None)
        return list(unknown()) if unknown is not None else []


def start(config: pytest.Config) -> None:
    """Build the run (a usage error if its configuration cannot be used) and its reporter."""
    for path in config.getoption("mixlint_report"):
        if formats.format_of(path) is None:
            raise pytest.UsageError(f"--mixlint-report={path}: the report format comes from the extension: "
                                    f"{', '.join(formats.EXTENSIONS)}")
    invocation = Path(config.invocation_params.dir)
    command_line = CommandLine(
        invocation_dir=invocation, paths=tuple(config.args), rules=tuple(config.getoption("mixlint_rules")),
        select=tuple(split_values(config.getoption("mixlint_select"))),
        ignore=tuple(split_values(config.getoption("mixlint_ignore"))), strict=config.getoption("mixlint_strict"),
        no_cache=config.getoption("mixlint_no_cache"), tokenizer=config.getoption("mixlint_tokenizer"),
        tokens=config.getoption("mixlint_tokens"), baseline=config.getoption("mixlint_baseline"),
        write_baseline=config.getoption("mixlint_write_baseline"), flag_prefix="--mixlint-")
    rootdir = Path(str(config.rootpath))
    try:
        settings = read_settings(PytestIni(config), command_line, rootdir)
        run = Run(settings, _cache_dir(config, rootdir),
                  own_files=[str(invocation / path) for path in [*config.getoption("mixlint_report"),
                                                                 config.getoption("mixlint_baseline"),
                                                                 config.getoption("mixlint_write_baseline")] if path],
                  progress=sys.__stderr__)  # pytest captures sys.stderr while items run
    except SettingsError as exc:
        raise pytest.UsageError("mixlint: the configuration cannot be used:\n" +
                                "\n".join(f"  {line}" for line in exc.problems)) from None
    config.stash[SESSION_KEY] = run
    config.pluginmanager.register(MixlintReporter(run), "mixlint-reporter")


def _cache_dir(config: pytest.Config, rootdir: Path) -> Path:
    """pytest's cache directory when the cache provider is on, else .mixlint_cache/ at the rootdir
    (made only when an entry is written; in a read-only checkout writes fail quietly and measuring
    only costs more)."""
    if getattr(config, "cache", None) is not None:
        # pytest's own rule for its cache_dir ini option: relative to the rootdir, ~ expanded.
        configured = Path(os.path.expandvars(os.path.expanduser(config.getini("cache_dir"))))
        return (configured if configured.is_absolute() else rootdir / configured) / "d" / "mixlint-shards"
    return rootdir / ".mixlint_cache"


def collect_file(run: Run, file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and run.discovery.is_case_file(file_path):
        return CaseFile.from_parent(parent, path=file_path)
    check = run.classify(file_path)
    # pytest prints node ids as they are: a file name holding a terminal escape must not reach it
    display = run.discovery.display(file_path)
    nodeid = printable(display) if printable(display) != display else None  # None: pytest's own
    if check is not None:
        return MixlintFile.from_parent(parent, path=file_path, check=check, nodeid=nodeid)
    if file_path in run.discovery.named and file_path.suffix.lower() not in (".py",):
        # Named on the command line but no document (the header says why): collected as nothing,
        # so that pytest does not stop the run with "not found" (pre-commit names every file).
        return NotADocument.from_parent(parent, path=file_path)
    return None


class NotADocument(pytest.File):
    def collect(self) -> Any:
        return []


class _Checked(pytest.Collector):
    """What holds one document's items: a file, or one stage of a curriculum."""

    check: DocumentCheck
    payload_sent = False

    def items(self) -> Any:
        check = self.check
        if check.unchecked_line is not None:
            names: list[tuple[str, Rule | None]] = [(UNCHECKED_RULE, None)]
        elif check.problems:
            names = [(LOAD_RULE, None)]
        else:
            names = [(rule.id, rule) for rule in check.rules]
        for name, rule in names:
            item = MixlintItem.from_parent(self, name=name, rule=rule)
            item.add_marker(MARKER)
            yield item

    def take_payload(self) -> dict[str, Any] | None:
        """The document's composition, sent with the first item this process runs for it."""
        if self.payload_sent:
            return None
        self.payload_sent = True
        return self.config.stash[SESSION_KEY].payload(self.check)  # type: ignore[no-any-return]


class MixlintFile(pytest.File, _Checked):
    """A document (one item per rule that applies to it), a curriculum (one collector per stage),
    a file that cannot be read (one error item) or a manifest no pattern matches (one warned item)."""

    def __init__(self, *, check: DocumentCheck, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def collect(self) -> Any:
        run: Run = self.config.stash[SESSION_KEY]
        check = run.open(self.check)
        if check.stages:
            for stage in check.stages:  # node ids path::stage::rule-id
                yield MixlintStage.from_parent(self, name=printable(stage.stage or ""), check=stage)
        else:
            yield from self.items()


class MixlintStage(_Checked):
    """One stage of a curriculum (a nanotron data stage): a document of its own."""

    def __init__(self, *, check: DocumentCheck, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def collect(self) -> Any:
        return self.items()


class CaseFile(pytest.File):
    """A rule case file (cases.py): one item per case, run with the packs in effect."""

    def collect(self) -> Any:
        from .cases import load_cases
        from .problems import MixlintError

        run: Run = self.config.stash[SESSION_KEY]
        try:
            cases = load_cases(str(self.path), run.discovery.display(self.path))
        except MixlintError as exc:
            yield CaseItem.from_parent(self, name=LOAD_RULE, case=None, problems=[str(p) for p in exc.problems])
            return
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case, problems=[])


CASE_LABEL = "[mixlint case]"


class CaseFailure(Exception):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case: Any, problems: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.problems = problems
        self.add_marker(MARKER)

    def runtest(self) -> None:
        from .cases import run_case

        if self.case is None:
            raise CaseFailure("\n".join(self.problems))
        run: Run = self.config.stash[SESSION_KEY]
        outcome = run_case(self.case, run.settings.pack_references(), PytestIni(self.config), run.rootdir)
        if not outcome.passed:
            verbose = self.config.getoption("tbstyle", "auto") == "long" or self.config.get_verbosity() > 0
            raise CaseFailure(outcome.explain(traceback=verbose))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | Any:
        if isinstance(excinfo.value, CaseFailure):
            return printable(str(excinfo.value))
        return super().repr_failure(excinfo, style=style)  # type: ignore[arg-type]

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.case.line if self.case is not None else None
        return self.path, (line - 1 if line else 0), f"{CASE_LABEL} {self.nodeid}"


class MixlintFailure(Exception):
    def __init__(self, result: Result) -> None:
        super().__init__(printable(result.message))
        self.result = result


class MixlintItem(pytest.Item):
    """One rule on one document (or the load error, or the unchecked warning): its result is the
    core's, mapped onto pytest's outcomes."""

    result_line: int | None = None  # for reportinfo; the Result itself travels on the report
    mixlint_payload: dict[str, Any] | None = None

    def __init__(self, *, rule: Rule | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule

    def runtest(self) -> None:
        run: Run = self.config.stash[SESSION_KEY]
        assert isinstance(self.parent, _Checked)
        check = self.parent.check
        if self.rule is not None:
            result = run.evaluate(check, self.rule)
        elif check.unchecked_line is not None:
            result = run.unchecked(check)
        else:
            result = run.load_error(check)
        self.result_line = result.line
        # pytest's --junitxml writes these as <properties> of the test case.
        self.user_properties += [(name, value) for name, value in (
            ("severity", result.severity), ("outcome", result.outcome), ("observed", result.observed),
            ("threshold", result.threshold), ("unit", result.unit)) if value is not None]
        self.mixlint_payload = {"result": result.to_json(), "document": self.parent.take_payload()}
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
        # pytest needs a line for a skip located at the item: the document's first, when unknown.
        return path, (line - 1 if line else 0), f"[mixlint] {self.nodeid}"


def _raise_outcome(result: Result) -> None:
    """Map a Result's outcome onto pytest's: fail, skip, xfail (suppressed) or pass."""
    if result.outcome in ("failed", "error"):
        raise MixlintFailure(result)
    if result.outcome == "skipped":
        # Located at the document (the item's reportinfo), not at this line of the plugin.
        raise pytest.skip.Exception(printable(f"{result.rule}: {result.message}"), _use_item_location=True)
    if result.outcome == "suppressed":
        pytest.xfail(printable(f"{result.rule}: {result.message}"))


class MixlintReporter:
    """Registered as a plugin while --mixlint is on: gathers results from reports and writes the
    summary and report files. In pytest-xdist runs only the controller's gathers anything."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.record = RunRecord(packs=run.rules.packs, rules=len(run.selected_ids))
        self.report_errors: list[str] = []
        self.closing: list[str] = []  # the baseline written, stale entries
        self.cases = 0  # rule cases run (mixlint-tests/)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        payload = getattr(report, "mixlint", None)
        if report.when == "call" and payload:
            self.record.add(payload["result"], payload["document"])
        if report.when == "call" and str(report.location[2]).startswith(CASE_LABEL):
            self.cases += 1

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(session.config, "workerinput"):  # xdist worker: the controller writes reports
            return
        closing = self.run.finish(self.record, Path(session.config.invocation_params.dir))
        self.closing = closing.lines
        if closing.fails and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.report_errors and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        for path in session.config.getoption("mixlint_report"):
            target = Path(session.config.invocation_params.dir) / path
            text = formats.render(self.record, formats.format_of(path) or "json", str(session.config.rootpath))
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
        run = self.run
        terminalreporter.section("mixlint")
        if not self.record.documents and self.cases:
            terminalreporter.write_line(f"{self.cases} rule case{'s' if self.cases != 1 else ''} run (no document checked)")
        elif not self.record.documents:
            manifests = ", ".join(run.discovery.manifest_patterns)
            cards = ", ".join(run.discovery.card_patterns)
            terminalreporter.write_line(
                f"no mixture manifests or dataset cards were checked, although {len(run.selected_ids)} rules "
                f"from {', '.join(p.name for p in run.rules.packs)} are in effect: manifests are found by "
                f"mixlint_manifests ({manifests}), cards by mixlint_cards ({cards}, with YAML front matter), "
                "under the paths given to pytest")
        else:
            terminal.write_summary(self.record, lambda line: terminalreporter.write_line(printable(line)),
                                   config.get_verbosity() > 0)
        for path in run.unused_policies:
            terminalreporter.write_line(printable(f"mixlint: {path}: {unused_policy_message(run.rules)}"), yellow=True)
        for hint in run.discovery.named_file_hints():  # again at the end: -q hides the header
            terminalreporter.write_line(printable(f"mixlint: {hint}"), yellow=True)
        for line in self.closing:
            terminalreporter.write_line(printable(f"mixlint: {line}"), yellow=line.startswith("stale"))
        if config.getoption("mixlint_format") == "github":  # escaped for the runner, not for a terminal
            for line in formats.render(self.record, "github").splitlines():
                terminalreporter.write_line(line)
        for error in self.report_errors:
            terminalreporter.write_line(f"mixlint: {error}", red=True)
        if not self.report_errors:
            for path in config.getoption("mixlint_report"):
                terminalreporter.write_line(f"mixlint: report written to {path}")
