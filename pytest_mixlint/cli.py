"""The ``mixlint`` command (also ``python -m pytest_mixlint``): the same checks as ``pytest
--mixlint``, and ways to look at a mixture without writing rules.

    mixlint check [PATH...]      run the rules (as pytest --mixlint does)
    mixlint show PATH...         each document's composition, on every basis it has
    mixlint diff A B             the composition before (A) and after (B)
    mixlint explain RULE|KIND    what a rule checks, or a kind's documentation
    mixlint rules                the rules in effect and where each is written
    mixlint import CONFIG        a training config written as a mixture manifest
    mixlint schema NAME          the JSON Schema of manifests, rule packs or reports

Settings come from the same ``mixlint_*`` ini keys as the plugin (pytest.ini, pyproject.toml,
tox.ini, setup.cfg, found as pytest finds them). Exit codes as ruff's: 0 nothing failed,
1 something failed, 2 the command or the configuration cannot be used.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .inifile import IniFile, as_bool, as_lines, as_text, locate
from .options import CONFIG_FORMATS, FLAGS, split_values
from .settings import CommandLine, Settings, SettingsError, read_settings

OK, FAILED, USAGE = 0, 1, 2


class UsageError(Exception):
    """The command cannot be carried out as given (exit 2)."""


class CommandIni:
    """The ini keys of the configuration file pytest would read (settings.Ini)."""

    def __init__(self, found: IniFile) -> None:
        self.found = found
        self.path = found.path

    def lines(self, name: str) -> list[str]:
        return as_lines(self.found.values.get(name))

    def text(self, name: str) -> str:
        return as_text(self.found.values.get(name))

    def flag(self, name: str) -> bool:
        return as_bool(self.found.values.get(name), name)

    def mixlint_keys(self) -> list[str]:
        return [key for key in self.found.values if key.lower().startswith("mixlint")]


# --- settings and the run -----------------------------------------------------------------------

def _settings(args: argparse.Namespace, paths: Sequence[str]) -> tuple[Settings, IniFile]:
    cwd = Path.cwd()
    found = locate(list(paths), cwd)
    command_line = CommandLine(
        invocation_dir=cwd, paths=tuple(paths), rules=tuple(getattr(args, "rules", None) or ()),
        select=tuple(split_values(getattr(args, "select", None))), ignore=tuple(split_values(getattr(args, "ignore", None))),
        strict=bool(getattr(args, "strict", False)), no_cache=bool(getattr(args, "no_cache", False)),
        tokenizer=getattr(args, "tokenizer", None), tokens=getattr(args, "tokens", None),
        baseline=getattr(args, "baseline", None), write_baseline=getattr(args, "write_baseline", None))
    return read_settings(CommandIni(found), command_line, found.rootdir), found


def _run(settings: Settings, found: IniFile, with_rules: bool = True, own_files: Sequence[str] = ()) -> Any:
    from .checking import Run

    # The cache the plugin uses when pytest's cache provider is on: both front ends share it.
    cache_dir = Path(os.path.expanduser(as_text(found.values.get("cache_dir")) or ".pytest_cache"))
    cache_dir = (cache_dir if cache_dir.is_absolute() else found.rootdir / cache_dir) / "d" / "mixlint-shards"
    return Run(settings, cache_dir, own_files=own_files, progress=sys.stderr, with_rules=with_rules)


def _files(paths: Sequence[str], found: IniFile) -> list[Path]:
    """The files pytest would collect for ``paths`` (none given: the ini's testpaths when run from
    the rootdir, else the current directory)."""
    from .discovery import NORECURSEDIRS, files_under

    cwd = Path.cwd()
    if not paths:
        # As pytest: the ini's testpaths that exist when run from the rootdir, else the current directory.
        testpaths = [p for p in as_lines(found.values.get("testpaths")) if (cwd / p).exists()]
        paths = testpaths if testpaths and cwd.resolve() == found.rootdir.resolve() else ["."]
    resolved = []
    for path in paths:
        full = (cwd / path).resolve()
        if not full.exists():
            raise UsageError(f"{path}: no such file or directory")
        resolved.append(full)
    norecurse = as_lines(found.values.get("norecursedirs")) or list(NORECURSEDIRS)
    return list(files_under(resolved, norecurse))


# --- check ----------------------------------------------------------------------------------------

def check(args: argparse.Namespace, out: TextIO) -> int:
    """Run the rules on the documents under the paths, as ``pytest --mixlint`` does."""
    from .report import formats, terminal
    from .report.failure import explain
    from .report.text import printable

    # FILE::STAGE (or FILE::STAGE::RULE), as pytest's node ids name one stage of a curriculum.
    paths = [_split_stage(p)[0] for p in args.paths]
    settings, found = _settings(args, paths)
    own = [str(Path.cwd() / path) for path in (args.output, args.baseline, args.write_baseline) if path]
    run = _run(settings, found, own_files=own)
    if args.as_format:  # the files named are training configs of this format
        run.discovery.forced.update({(Path.cwd() / p).resolve(): args.as_format for p in paths
                                     if (Path.cwd() / p).is_file()})
    record = run.check(_files(paths, found))
    stages = [f"{run.discovery.display((Path.cwd() / file).resolve())}::{stage}"
              for file, stage in map(_split_stage, args.paths) if stage]
    if stages:
        record.keep(lambda document_id: any(named == document_id or named.startswith(f"{document_id}::")
                                            for named in stages))
    closing = run.finish(record, Path.cwd())
    for line in closing.lines:
        _say(f"mixlint: {line}", sys.stderr)
    if args.format != "text":
        text = formats.render(record, args.format, str(found.rootdir))
    else:
        lines: list[str] = [] if args.quiet else [f"mixlint: {line}" for line in run.header()]
        failures = [r for r in record.all_results() if r.outcome in ("failed", "error")]
        for result in failures:
            lines += ["", f"__ {result.document_id}::{result.rule} __", explain(result)]
        if not record.documents:
            lines.append(f"mixlint: no mixture manifests or dataset cards were checked under {', '.join(args.paths) or '.'} "
                         f"(manifests: {', '.join(settings.manifests)}; cards: {', '.join(settings.cards)})")
        else:
            lines.append("")
            terminal.write_summary(record, lines.append, args.verbose)
        text = "\n".join(printable(line) for line in lines) + "\n"
    _write(text, args.output, out)
    totals = record.totals()
    return FAILED if totals["failed"] or totals["errors"] or closing.fails else OK


# --- show and diff -----------------------------------------------------------------------------------

def show(args: argparse.Namespace, out: TextIO) -> int:
    """Each document's composition: sizes, licences and shares on every basis it has."""
    from .report import json_report
    from .report.record import RunRecord

    settings, found = _settings(args, args.paths)
    run = _run(settings, found, with_rules=False)
    record = RunRecord(packs=[], rules=0)
    failed = False
    for check in _documents(run, args.paths, found, args.as_format):
        if check.problems:
            failed = True
            for problem in check.problems:
                _say(str(problem), sys.stderr)
            continue
        if args.measured:
            check.rules = []  # measured on the measurement's own basis, whatever the rules say
            measurement = run.measurement(check)
            for problem in measurement.problems:
                _say(str(problem), sys.stderr)
            failed = failed or bool(measurement.problems)
        record.add_document(_composition(run, check, args.measured))
    if args.format == "json":
        text = json_report.render(record)
    else:
        text = _composition_tables(record, "github" if args.format == "markdown" else "simple")
    _write(text, None, out)
    return FAILED if failed else OK


def _split_stage(path: str) -> tuple[str, str | None]:
    """``FILE::STAGE`` names one stage of a curriculum, as pytest's node ids do."""
    if "::" in path and not Path(path).is_file():
        file, _, stage = path.partition("::")
        return file, stage
    return path, None


def _documents(run: Any, paths: Sequence[str], found: IniFile, as_format: str | None = None) -> list[Any]:
    """The documents among ``paths``: a file named is read if it is a manifest or card whatever
    its name (as pytest --mixlint checks a file named on its command line); directories are
    searched as ``check`` searches them."""
    from .against import RECIPE_PREFIX, AgainstError, load_against
    from .checking import DocumentCheck
    from .discovery import named_file_kind

    checks = []
    for path in paths:
        if path.startswith(RECIPE_PREFIX):  # a published mix shipped with the plugin
            try:
                document = load_against(path, None, domains=run.settings.domains)
            except AgainstError as exc:
                raise UsageError(f"{path}: {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else "")) from None
            checks.append(DocumentCheck(Path(document.file), path, "manifest", document))
            continue
        path, stage = _split_stage(path)
        full = (Path.cwd() / path).resolve()
        if full.is_file() and as_format:  # --as: a training config of this format, whatever it looks like
            candidates = [DocumentCheck(full, run.discovery.display(full), "config", format=as_format)]
        elif full.is_file():
            kind = run.discovery.kind_of(full) or named_file_kind(full)[0]
            candidates = [DocumentCheck(full, run.discovery.display(full), kind)] if kind else []
        else:
            candidates = [c for c in map(run.classify, _files([path], found)) if c is not None and c.kind is not None]
        for check in candidates:
            parts = [p for p in run.open(check).parts if p.document is not None or p.problems]
            if stage is not None:
                named = [p for p in parts if p.stage == stage]
                if not named:
                    stages = [p.stage for p in parts if p.stage is not None]
                    raise UsageError(f"{check.display} has no stage {stage!r}" + (
                        f"; its stages: {', '.join(stages)}" if stages else " (it is not a curriculum)"))
                parts = named
            checks += parts
    if not checks:
        raise UsageError(f"no mixture manifest or dataset card in {', '.join(paths)}")
    return checks


def _composition(run: Any, check: Any, measured: bool) -> dict[str, Any]:
    from .report import document_payload

    measurement = run.measurement(check) if measured else None
    mixture = measurement.mixture if measurement is not None and not measurement.problems else None
    return document_payload(check.document, check.notes, mixture, [None] if mixture is not None else [])


BASIS_COLUMNS = ("weight", "tokens", "bytes", "documents")


def _composition_tables(record: Any, fmt: str) -> str:
    from .quantities import format_share
    from .report.tables import short_license, table
    from .report.text import markdown, one_line

    escape: Callable[[str], str] = markdown if fmt == "github" else one_line
    blocks = []
    for document in record.sorted_documents():
        components = document.components
        # Only the columns some source has: a weights-only manifest shows no empty size columns.
        sizes = [c for c in (*BASIS_COLUMNS, "epochs") if any(x.get(c) is not None for x in components)]
        shares = [b for b in (*BASIS_COLUMNS, "tokens x epochs") if any((x.get("shares") or {}).get(b) is not None
                                                                         for x in components)]
        measured = [b for b in ("tokens", "bytes", "documents") if any((x.get("measured") or {}).get(b) is not None
                                                                       for x in components)]
        headers = ["source", "domain", "licence", "category", *sizes, *[f"share by {b}" for b in shares],
                   *[f"measured {b}" for b in measured],
                   *[f"measured share by {b}" for b in measured if b != "tokens" or _all_tokens(components)]]
        rows = []
        for c in sorted(components, key=lambda c: -(c.get("share") or 0)):
            m = c.get("measured") or {}
            rows.append([escape(c["name"]), escape(c["domain"] or "-"), escape(short_license(c["license"])),
                         c["license_category"],
                         *[_amount(c.get(s)) for s in sizes],
                         *[format_share((c.get("shares") or {}).get(b)) for b in shares],
                         *[_amount(m.get(b)) for b in measured],
                         *[format_share((m.get("shares") or {}).get(b)) for b in measured
                           if b != "tokens" or _all_tokens(components)]])
        title = document.id + (f" ({document.kind}: {document.name})" if document.name else f" ({document.kind})")
        notes = [f"note: {note}" for note in document.notes]
        heading = f"## {escape(title)}" if fmt == "github" else escape(title)
        blocks.append("\n".join([heading, "", table(rows, headers, fmt), *([""] + [escape(n) for n in notes] if notes else [])]))
    return "\n\n".join(blocks) + "\n"


def _all_tokens(components: list[dict[str, Any]]) -> bool:
    return all((c.get("measured") or {}).get("tokens") is not None for c in components)


def _amount(value: Any) -> str:
    from .quantities import format_number

    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return format_number(value)


def diff(args: argparse.Namespace, out: TextIO) -> int:
    """The composition before (A) and after (B), source by source (or by domain, or by licence
    category). A side may be recipe:NAME (a published mix) or git:REF: the other side's document
    at that revision, which is then the before side (as in a compare rule against git:REF)."""
    import msgspec

    from .against import GIT_PREFIX, RECIPE_PREFIX, AgainstError, load_against
    from .comparison import compare
    from .mixture import ShareError
    from .report.tables import comparison_table
    from .report.text import markdown

    sides = [args.before, args.after]
    git = [side for side in sides if side.startswith(GIT_PREFIX)]
    if git and (len(git) == 2 or any(side.startswith(RECIPE_PREFIX) for side in sides)):
        raise UsageError("git:REF is read for the other side's document: give that document's path as the other side")
    if git:
        sides = [git[0], next(side for side in sides if side != git[0])]
    files = [side for side in sides if not side.startswith((GIT_PREFIX, RECIPE_PREFIX))]
    settings, found = _settings(args, files)
    run = _run(settings, found, with_rules=False)
    read: dict[str, Any] = {}
    for path in files:
        checks = _documents(run, [path], found)
        if len(checks) > 1:
            raise UsageError(f"{path} holds {len(checks)} documents ({', '.join(c.id for c in checks[:3])}"
                             f"{', ...' if len(checks) > 3 else ''}): name one")
        check = checks[0]
        if check.problems:
            raise UsageError("; ".join(str(p) for p in check.problems))
        read[path] = check.document
    for side in sides:
        if side not in read:
            try:
                anchor = read[files[0]] if git else None
                read[side] = load_against(side, anchor, domains=settings.domains, access=run.access)
            except AgainstError as exc:
                raise UsageError(f"{side}: {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else "")) from None
    before, after = (read[side] for side in sides)
    labels = tuple(side if side.startswith((GIT_PREFIX, RECIPE_PREFIX)) else read[side].id for side in sides)
    try:
        comparison = compare(before.mixture, after.mixture, labels, args.by, args.group_by,  # type: ignore[arg-type]
                             with_epochs=args.with_epochs)
    except ShareError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        text = json.dumps({"mixlint_diff": 1, **msgspec.to_builtins(comparison)}, indent=2) + "\n"
    elif args.format == "markdown":
        text = comparison_table(comparison, "github", markdown) + "\n"
    else:
        text = comparison_table(comparison, "simple") + "\n"
    _write(text, None, out)
    return OK


# --- explain, rules, schema -------------------------------------------------------------------------------

def explain(args: argparse.Namespace, out: TextIO) -> int:
    """A rule in effect (its kind, options, thresholds, why and origin), or a kind's documentation."""
    from .kinds import KindLoadError, get_kind, kind_names

    settings, found = _settings(args, [])
    run = _run(settings, found)
    rules = {rule.id: rule for rule in run.rules.rules}
    if args.name in rules:
        rule = rules[args.name]
        options = rule.options.model_dump(by_alias=True, exclude_defaults=True, mode="json")
        lines = [f"{rule.id}: kind {rule.kind.name}, severity {rule.severity}, applies to {', '.join(rule.applies_to)}"
                 + (f" matching {', '.join(rule.paths)}" if rule.paths else "")
                 + (", on the measured composition" if rule.composition == "measured" else ""),
                 f"  defined at {rule.origin}"]
        if rule.why:
            lines.append(f"  why: {rule.why}")
        lines += ["  options:"] + [f"    {key}: {json.dumps(value)}" for key, value in options.items()]
        lines += ["", f"kind {rule.kind.name}:", _indent(rule.kind.doc)]
    elif args.name in kind_names():
        try:
            kind = get_kind(args.name)
        except KindLoadError as exc:
            raise UsageError(str(exc)) from None
        assert kind is not None
        lines = [f"kind {kind.name}:", _indent(kind.doc), "", "options:"]
        for name, info in kind.options.model_fields.items():
            shown = info.alias or name
            default = "required" if info.is_required() else f"default {json.dumps(info.default, default=str)}"
            lines.append(f"  {shown}: {default}" + (f" - {info.description}" if info.description else ""))
    else:
        close = difflib.get_close_matches(args.name, list(rules) + kind_names(), n=1)
        raise UsageError(f"{args.name!r} is neither a rule in effect nor a rule kind"
                         + (f" (did you mean {close[0]!r}?)" if close else f"; rules: {', '.join(rules)}"))
    _write("\n".join(lines) + "\n", None, out)
    return OK


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.splitlines())


def rules(args: argparse.Namespace, out: TextIO) -> int:
    """The rules in effect, in the order they apply, and where each is written."""
    from .report.tables import table

    settings, found = _settings(args, [])
    run = _run(settings, found)
    if args.format == "json":
        text = json.dumps({"packs": [{"name": p.name, "via": p.via} for p in run.rules.packs],
                           "rules": [{"id": r.id, "kind": r.kind.name, "severity": r.severity, "selected": r in run.selected,
                                      "applies_to": list(r.applies_to), "paths": list(r.paths), "composition": r.composition,
                                      "why": r.why, "origin": r.origin} for r in run.rules.rules]}, indent=2) + "\n"
    else:
        rows = [[r.id + ("" if r in run.selected else " (not selected)"), r.kind.name, r.severity,
                 ", ".join(r.applies_to), r.origin] for r in run.rules.rules]
        text = "\n".join(f"mixlint: {line}" for line in run.header()) + "\n\n" + table(
            rows, ["rule", "kind", "severity", "applies to", "defined at"], "simple") + "\n"
    _write(text, None, out)
    return OK


def import_config(args: argparse.Namespace, out: TextIO) -> int:
    """Write a training config as a mixture manifest, with where each source comes from."""
    from .configs.export import manifest_text

    settings, found = _settings(args, [args.config])
    run = _run(settings, found, with_rules=False)
    checks = _documents(run, [args.config], found, args.as_format)
    if len(checks) > 1:  # a curriculum: one manifest per stage
        raise UsageError(f"{args.config} holds {len(checks)} stages: import one at a time, naming it "
                         f"({', '.join(f'{c.display}::{c.stage}' for c in checks[:3])}{', ...' if len(checks) > 3 else ''})")
    check = checks[0]
    if check.problems:
        for problem in check.problems:
            _say(str(problem), sys.stderr)
        return FAILED
    if check.kind != "config":
        raise UsageError(f"{args.config} is a {check.kind}, not a training config (give --as FORMAT to read it as one)")
    fmt = args.as_format or run.discovery.config_format(check.path) or "megatron"
    _write(manifest_text(check.document, fmt), args.output, out)
    return OK


def test(args: argparse.Namespace, out: TextIO) -> int:
    """Run rule case files: YAML cases, each a rule (inline, or an id of the packs in effect), a
    document and the outcome it must give (as pytest --mixlint runs the mixlint-tests/ files)."""
    from .cases import case_files, load_cases, run_case
    from .discovery import NORECURSEDIRS
    from .problems import MixlintError
    from .report.text import printable

    settings, found = _settings(args, args.paths)
    run = _run(settings, found)  # the packs in effect: one that cannot be read is a usage error, said once
    if args.paths:
        missing = [p for p in args.paths if not (Path.cwd() / p).exists()]
        if missing:
            raise UsageError(f"{missing[0]}: no such file or directory")
        norecurse = as_lines(found.values.get("norecursedirs")) or list(NORECURSEDIRS)
        files = list(case_files([(Path.cwd() / p).resolve() for p in args.paths], norecurse))
    else:
        files = [f for f in _files([], found) if f.suffix in (".yaml", ".yml") and run.discovery.is_case_file(f)]
    if not files:
        raise UsageError(f"no rule case files under {', '.join(args.paths) or '.'} (files starting `mixlint-tests: 1`; "
                         f"found by mixlint_tests: {', '.join(settings.tests)})")
    packs = settings.pack_references()
    lines: list[str] = []
    passed = failed = 0
    for file in files:
        display = run.discovery.display(file)
        try:
            cases = load_cases(str(file), display)
        except MixlintError as exc:
            failed += 1
            lines += [str(problem) for problem in exc.problems]
            continue
        for case in cases:
            outcome = run_case(case, packs, CommandIni(found), found.rootdir)
            if outcome.passed:
                passed += 1
                if args.verbose:
                    lines.append(f"PASSED {case.id}")
            else:
                failed += 1
                lines += ([f"FAILED {case.id}"] if args.verbose else []) + [outcome.explain(traceback=args.verbose)]
    lines.append(f"mixlint test: {passed + failed} case{'s' if passed + failed != 1 else ''} in {len(files)} "
                 f"file{'s' if len(files) != 1 else ''}: {passed} passed, {failed} failed")
    _write("\n".join(printable(line) for line in lines) + "\n", None, out)
    return FAILED if failed else OK


def schema(args: argparse.Namespace, out: TextIO) -> int:
    """The JSON Schema of a manifest, a rule pack, a rule case file or the JSON report."""
    from .schemas import SCHEMAS

    _write(json.dumps(SCHEMAS[args.name](), indent=2) + "\n", None, out)
    return OK


# --- plumbing ---------------------------------------------------------------------------------------------

def _write(text: str, path: str | None, out: TextIO) -> None:
    if path is None:
        out.write(text)
        return
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _say(text: str, stream: TextIO) -> None:
    """One line on ``stream``: what users wrote cannot start a line of its own (report/text.py)."""
    from .report.text import one_line

    stream.write(one_line(text) + "\n")


def _add_run_flags(parser: argparse.ArgumentParser, names: Sequence[str]) -> None:
    for flag in FLAGS:
        if flag.name in names:
            extra: dict[str, Any] = {}
            if flag.metavar:
                extra["metavar"] = flag.metavar
            if flag.choices:
                extra["choices"] = flag.choices
            parser.add_argument(f"--{flag.name}", action=flag.action, help=flag.help, **extra)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mixlint", allow_abbrev=False, description="Lint the data mixtures of LLM pretraining: mixture manifests and dataset cards.",
        epilog="Settings come from the mixlint_* keys of pytest's configuration file. Exit codes: 0 nothing failed, "
               "1 something failed, 2 the command or the configuration cannot be used.")
    parser.add_argument("--version", action="version", version=f"mixlint {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    all_flags = [flag.name for flag in FLAGS]

    sub = commands.add_parser("check", allow_abbrev=False, help="run the rules on the documents under PATH (as pytest --mixlint)",
                              description=check.__doc__)
    sub.add_argument("paths", nargs="*", metavar="PATH", help="files and directories (default: testpaths, else .)")
    _add_run_flags(sub, all_flags)
    sub.add_argument("--format", choices=("text", "json", "markdown", "github", "sarif"), default="text",
                     help="output format (default text; github: workflow commands, one annotation per finding; "
                          "sarif: SARIF 2.1.0)")
    sub.add_argument("--output", "-o", metavar="FILE", help="write the output to FILE instead of standard output")
    sub.add_argument("--as", dest="as_format", metavar="FORMAT", choices=CONFIG_FORMATS,
                     help=f"read the files named as training configs of FORMAT ({', '.join(CONFIG_FORMATS)})")
    sub.add_argument("--verbose", "-v", action="store_true", help="every document's tables, messages unabridged")
    sub.add_argument("--quiet", "-q", action="store_true", help="no header")
    sub.set_defaults(handler=check)

    sub = commands.add_parser("show", allow_abbrev=False, help="print each document's composition", description=show.__doc__)
    sub.add_argument("paths", nargs="+", metavar="PATH",
                     help="manifests, cards, directories holding them, or recipe:NAME (a published mix)")
    sub.add_argument("--measured", action="store_true", help="measure the data files too and add measured columns")
    sub.add_argument("--as", dest="as_format", metavar="FORMAT", choices=CONFIG_FORMATS,
                     help=f"read the files as training configs of FORMAT ({', '.join(CONFIG_FORMATS)})")
    sub.add_argument("--format", choices=("table", "json", "markdown"), default="table",
                     help="output format (default table; json is the report format)")
    _add_run_flags(sub, ["no-cache", "tokenizer", "tokens"])
    sub.set_defaults(handler=show)

    sub = commands.add_parser("diff", allow_abbrev=False, help="compare the composition of two documents", description=diff.__doc__)
    sub.add_argument("before", metavar="A", help="the document before, or git:REF or recipe:NAME")
    sub.add_argument("after", metavar="B", help="the document after, or git:REF (A at that revision: then it is the before side)")
    sub.add_argument("--by", choices=BASIS_COLUMNS, help="the basis of the shares (default: the first both sides have)")
    sub.add_argument("--group-by", choices=("name", "domain", "license_category"), default="name",
                     help="one row per source (default), domain or licence category")
    sub.add_argument("--with-epochs", action="store_true", help="amounts times epochs: what training sees")
    sub.add_argument("--format", choices=("table", "json", "markdown"), default="table", help="output format")
    sub.set_defaults(handler=diff)

    sub = commands.add_parser("explain", allow_abbrev=False, help="explain a rule in effect or a rule kind", description=explain.__doc__)
    sub.add_argument("name", metavar="RULE-ID|KIND")
    _add_run_flags(sub, ["rules"])
    sub.set_defaults(handler=explain)

    sub = commands.add_parser("rules", allow_abbrev=False, help="list the rules in effect and where each is defined", description=rules.__doc__)
    _add_run_flags(sub, ["rules", "select", "ignore"])
    sub.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    sub.set_defaults(handler=rules)

    sub = commands.add_parser("test", allow_abbrev=False, help="run rule case files (YAML cases of rules and documents)",
                              description=test.__doc__)
    sub.add_argument("paths", nargs="*", metavar="PATH", help="case files and directories (default: the mixlint_tests "
                                                               "patterns, any mixlint-tests/ directory)")
    _add_run_flags(sub, ["rules"])
    sub.add_argument("--verbose", "-v", action="store_true", help="list every case")
    sub.set_defaults(handler=test)

    sub = commands.add_parser("import", allow_abbrev=False, help="write a training config as a mixture manifest",
                              description=import_config.__doc__)
    sub.add_argument("config", metavar="CONFIG", help="a launch script or training config")
    sub.add_argument("--output", "-o", metavar="FILE", help="write the manifest to FILE instead of standard output")
    sub.add_argument("--as", dest="as_format", metavar="FORMAT", choices=CONFIG_FORMATS,
                     help=f"read CONFIG as this format ({', '.join(CONFIG_FORMATS)}); default: recognised by content")
    sub.set_defaults(handler=import_config)

    sub = commands.add_parser("schema", allow_abbrev=False, help="print a JSON Schema", description=schema.__doc__)
    sub.add_argument("name", choices=("manifest", "rules", "tests", "report"))
    sub.set_defaults(handler=schema)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)  # a usage error exits with 2, as argparse does
    try:
        return int(args.handler(args, out or sys.stdout))
    except SettingsError as exc:
        _say("mixlint: the configuration cannot be used:", sys.stderr)
        for line in exc.problems:
            _say(f"  {line}", sys.stderr)
    except UsageError as exc:
        _say(f"mixlint {args.command}: {exc}", sys.stderr)
    except KeyboardInterrupt:
        return 130
    return USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
