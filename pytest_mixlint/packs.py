"""Rule packs: declarative YAML files of rules, with ``extends``, overrides and selection.

A pack::

    mixlint-rules: 1
    extends: [mixlint:recommended, ./team.yaml]
    rules:
      - id: min-code-share
        kind: share
        ...
      - id: max-epochs        # an id that already exists, without `kind`: adjust the inherited rule
        severity: warning

Packs named ``mixlint:NAME`` ship with the plugin (``rules/NAME.yaml`` in the source tree);
``ORG:NAME`` is ``NAME.yaml`` in the package an installed distribution registers as ``ORG`` in
the ``mixlint.packs`` entry point group::

    [project.entry-points."mixlint.packs"]
    my-org = "my_org_mixlint.packs"     # a package holding team.yaml: extends: [my-org:team]

Later packs and later rules override earlier ones by id. Every problem is located
(file:line) and all of them are reported together.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, replace
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from .access import FileAccess, inside
from .coercion import SomeStrings, Strings, Version1, as_list
from .documents.model import DocumentKind
from .documents.syntax import Parsed, parse_text, read_text
from .documents.validation import problems_from
from .kinds import Kind, KindLoadError, broken_kind, get_kind, kind_names
from .paths import check_patterns, matches_any
from .problems import MixlintError, Problem

Severity = Literal["error", "warning", "off"]
RESERVED_IDS = {"mixlint-load", "mixlint-unchecked"}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RuleHeader(BaseModel):
    """The keys every rule has; the rest of the entry are the kind's options."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(json_schema_extra={"pattern": _ID.pattern})  # validated (with its message) below
    kind: str | None = None  # None only when overriding an inherited rule
    severity: Severity | None = None
    why: str | None = None
    applies_to: Annotated[list[DocumentKind], BeforeValidator(as_list)] | None = None
    composition: Literal["declared", "measured"] | None = None  # which composition the rule checks
    paths: Annotated[SomeStrings, AfterValidator(check_patterns)] | None = None

    @field_validator("id")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"rule id {value!r} must be kebab-case (lowercase letters, digits and dashes)")
        if value in RESERVED_IDS:
            raise ValueError(f"rule id {value!r} is reserved")
        return value

    @field_validator("severity", mode="before")
    @classmethod
    def _yaml_off(cls, value: Any) -> Any:
        # Our YAML reads `off` as a string (YAML 1.2), other loaders of the same data may not.
        return "off" if value is False else value


class PackModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version1 = Field(alias="mixlint-rules")
    extends: Strings = []
    rules: list[Any] = []


@dataclass(frozen=True)
class Rule:
    id: str
    kind: Kind
    options: BaseModel
    severity: Severity = "error"
    why: str | None = None
    applies_to: tuple[DocumentKind, ...] = ("manifest", "card", "config")
    paths: tuple[str, ...] = ()
    origin: str = ""  # "pack.yaml:12", where the rule (or its last override) is written
    composition: Literal["declared", "measured"] = "declared"

    @property
    def needs_measurement(self) -> bool:
        return self.composition == "measured" or self.kind.measures_data

    def measured_basis(self) -> str | None:
        """The basis this rule reads the measured composition on: its ``by:`` (None: the
        measurement's own, tokens when counted, else bytes)."""
        return getattr(self.options, "by", None)

    def applies(self, kind: DocumentKind, path: str) -> bool:
        if self.severity == "off" or kind not in self.applies_to:
            return False
        return not self.paths or matches_any(path, self.paths)


@dataclass(frozen=True)
class PackInfo:
    """A pack in effect and how it came to be: named by an option, or extended by another pack."""

    name: str  # ``mixlint:NAME`` or the pack's path as shown
    via: str  # ``named by --mixlint-rules``, ``named by mixlint_rules in pytest.ini``, ``extended by mixlint.yaml:2``
    path: str | None = None  # absolute path of a pack file (None for built-in packs)


@dataclass
class RuleSet:
    rules: list[Rule]
    packs: list[PackInfo]  # every pack read, in the order its rules apply (for reports and messages)

    def selected(self, select: list[str], ignore: list[str]) -> list[Rule]:
        """Rules whose id starts with a ``select`` prefix (all when empty) and no ``ignore`` prefix."""
        return [r for r in self.rules
                if (not select or any(r.id.startswith(p) for p in select))
                and not any(r.id.startswith(p) for p in ignore)]


def builtin_pack_names() -> list[str]:
    return pack_names("mixlint") or []


def pack_packages() -> dict[str, str]:
    """Installed rule-pack packages by name (the ``mixlint.packs`` entry point group); ``mixlint``
    is the plugin's own."""
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group="mixlint.packs") if ep.name != "mixlint"}


def pack_names(org: str) -> list[str] | None:
    """The packs ``org`` ships (``NAME`` of each ``NAME.yaml``); None if its package cannot be imported."""
    package = "pytest_mixlint.rules" if org == "mixlint" else pack_packages().get(org)
    try:
        return sorted(p.name[:-5] for p in resources.files(package).iterdir() if p.name.endswith(".yaml")) \
            if package else None
    except (ImportError, TypeError, OSError):
        return None


def is_packaged(reference: str) -> bool:
    """Is ``reference`` a pack in a package (``mixlint:NAME``, ``ORG:NAME``), not a path?"""
    return _packaged(reference) is not None


def _packaged(reference: str) -> tuple[str, str] | None:
    """``ORG:NAME`` (a pack in a package) as (ORG, NAME); None for a path (``./team.yaml``,
    ``C:\\packs\\team.yaml``)."""
    org, colon, name = reference.partition(":")
    if not colon or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", org) or len(org) == 1 or "/" in name or not name:
        return None
    return org, name


def load_rules(references: list[str], base_dir: str, named_by: str = "mixlint_rules", via: str | None = None,
               access: FileAccess = FileAccess()) -> RuleSet:
    """Load packs named by ``references`` (``mixlint:NAME`` or paths relative to ``base_dir``);
    ``named_by`` says where the references were written (an option, an ini key), for messages;
    ``via`` how the packs came to be in effect (default: named by ``named_by``). What a pack
    names in turn (``extends``, a schema file) must stay inside ``access``'s root."""
    loader = _Loader(access)
    for reference in references:
        loader.load(reference, base_dir, Problem(named_by, None, ""), via or f"named by {named_by}")
    if loader.problems:
        raise MixlintError(loader.problems)
    return RuleSet(list(loader.rules.values()), loader.files)


class _Loader:
    def __init__(self, access: FileAccess) -> None:
        self.access = access
        self.rules: dict[str, Rule] = {}
        self.problems: list[Problem] = []
        self.files: list[PackInfo] = []
        self.stack: list[str] = []
        self.done: set[str] = set()

    def load(self, reference: str, base_dir: str, where: Problem, via: str, confined: bool = False) -> None:
        """``confined``: named by a repository's pack (``extends``), so it must stay inside the root.
        What a pack names is confined when the pack is: when it is inside the root (a pull request
        can change it) or was itself confined. A pack you name outside the root (an
        organisation's, in /etc) may name its siblings."""
        packaged = _packaged(reference)
        if packaged is not None:
            found = self._packaged_text(reference, packaged, where)
            if found is None:
                return
            # What it names (./base.yaml, a schema file) is in its package, which the user installed.
            key, display, (text, pack_dir), path = reference, reference, found, None
            confined = packaged[0] == "mixlint"
        else:
            path = os.path.normpath(os.path.join(base_dir, os.path.expanduser(reference)))
            key, display, pack_dir = path, _display(path), os.path.dirname(path)
            if not os.path.isfile(path):
                what = "is a directory" if os.path.isdir(path) else "not found"
                self.problems.append(Problem(where.path, where.line, f"rule pack {reference!r} {what} (looked for {path})",
                                             f"paths are relative to {_relative_to(where)}; built-in packs are 'mixlint:NAME'"))
                return
            try:
                text = read_text(path, display, self.access, confined)
            except MixlintError as exc:
                self.problems.extend(exc.problems)
                return
            confined = confined or (self.access.root is not None and inside(path, self.access.root))
        if key in self.stack:
            cycle = " -> ".join(_display(k) for k in self.stack[self.stack.index(key):] + [key])
            self.problems.append(Problem(where.path, where.line, f"rule packs extend each other in a cycle: {cycle}",
                                         "remove one of the extends"))
            return
        if key in self.done:  # a diamond: the same pack extended twice is read once
            return
        self.stack.append(key)
        try:
            self._load_text(text, PackInfo(display, via, path), pack_dir, confined)
        finally:
            self.stack.pop()
            self.done.add(key)

    def _packaged_text(self, reference: str, packaged: tuple[str, str], where: Problem) -> tuple[str, str] | None:
        """The text of a pack shipped in a package (``mixlint:NAME``, or ``ORG:NAME`` from the
        ``mixlint.packs`` entry point group) and the package's directory, or None with the problem said."""
        org, name = packaged
        if org == "mixlint":
            package = "pytest_mixlint.rules"
        else:
            registered = pack_packages()
            if org not in registered:
                close = difflib.get_close_matches(org, list(registered), n=1)
                self.problems.append(Problem(where.path, where.line, f"no installed package provides rule packs "
                                             f"{org}:... (entry point group mixlint.packs)",
                                             f"did you mean '{close[0]}:{name}'?" if close else
                                             "install the package that ships them" + (
                                                 f"; installed: {', '.join(sorted(registered))}" if registered else "")))
                return None
            package = registered[org]
        names = pack_names(org)
        if names is None:
            self.problems.append(Problem(where.path, where.line, f"rule packs {org}:... come from the package "
                                         f"{package!r}, which cannot be imported", "reinstall the package that ships them"))
            return None
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            what = "built-in rule pack" if org == "mixlint" else "rule pack"
            shipped = ", ".join(f"{org}:{n}" for n in names)
            hint = f"did you mean '{org}:{close[0]}'?" if close else \
                f"built-in packs: {shipped}" if org == "mixlint" else f"{org}'s packs: {shipped}"
            self.problems.append(Problem(where.path, where.line, f"unknown {what} {reference!r}", hint))
            return None
        resource = resources.files(package) / f"{name}.yaml"  # a namespace package's files are a MultiplexedPath
        return resource.read_text("utf-8"), os.path.dirname(str(resource))

    def _load_text(self, text: str, pack: PackInfo, pack_dir: str, confined: bool) -> None:
        display = pack.name
        try:
            parsed = parse_text(text, display, "yaml")
        except MixlintError as exc:
            self.problems.extend(exc.problems)
            return
        data = parsed.data
        if not isinstance(data, dict):
            self.problems.append(Problem(display, parsed.line(()), "a rule pack is a mapping",
                                         "start it with `mixlint-rules: 1` and list `rules:`"))
            return
        try:
            model = PackModel.model_validate(data)
            extends, entries = model.extends, model.rules
        except ValidationError as exc:
            self.problems.extend(problems_from(exc, parsed, display, PackModel,
                                               {"mixlint-rules": "start the pack with `mixlint-rules: 1`"}))
            # Go on with what can be read, so that one run reports every problem of the pack.
            extends = [e for e in as_list(data.get("extends")) or [] if isinstance(e, str)]
            rules = data.get("rules")
            entries = rules if isinstance(rules, list) else []
        for i, reference in enumerate(extends):
            line = parsed.line(("extends", i))
            self.load(reference, pack_dir, Problem(display, line, ""), f"extended by {display}:{line}", confined)
        self.files.append(pack)
        seen_here: set[str] = set()
        for i, entry in enumerate(entries):
            rule = self._rule(entry, parsed, display, pack_dir, ("rules", i), seen_here, confined)
            if rule is not None:
                self.rules[rule.id] = rule

    def _rule(self, entry: Any, parsed: Parsed, display: str, pack_dir: str, loc: tuple[str | int, ...],
              seen_here: set[str], confined: bool) -> Rule | None:
        """Validate one rule entry: its common keys and its kind's options, reporting both."""
        line = parsed.line(loc)
        if not isinstance(entry, dict):
            self.problems.append(Problem(display, line, "a rule is a mapping with at least `id` and `kind`"))
            return None
        problems: list[Problem] = []
        header: RuleHeader | None = None
        try:
            header = RuleHeader.model_validate(entry)
        except ValidationError as exc:
            problems += problems_from(exc, parsed, display, RuleHeader, prefix=loc)
        rule_id = header.id if header else str(entry.get("id", "?"))
        inherited = self.rules.get(rule_id)
        kind_name = entry.get("kind")
        options_data = {k: v for k, v in entry.items() if k not in RuleHeader.model_fields}
        kind: Kind | None = None
        if kind_name is None:
            if inherited is None:
                problems.append(Problem(display, line, f"rule {rule_id!r} has no `kind`", f"kinds: {', '.join(kind_names())}"))
            else:
                kind = inherited.kind
                options_data = {**inherited.options.model_dump(by_alias=True, exclude_unset=True), **options_data}
        elif isinstance(kind_name, str):
            try:
                kind = get_kind(kind_name)
            except KindLoadError as exc:  # a broken installed kind fails only the items of its rules
                where = f"{display}:{parsed.line(loc + ('kind',))}"
                kind = broken_kind(kind_name, f"{exc} (at {where}; fix or reinstall that package, or remove the rule)")
            else:
                if kind is None:
                    close = difflib.get_close_matches(kind_name, kind_names(), n=1)
                    problems.append(Problem(display, parsed.line(loc + ("kind",)), f"unknown rule kind {kind_name!r}",
                                            f"did you mean {close[0]!r}?" if close else f"kinds: {', '.join(kind_names())}"))
        options: BaseModel | None = None
        if kind is not None:
            try:
                context = {"base_dir": pack_dir, "access": self.access, "confined": confined}
                options = kind.options.model_validate(options_data, context=context)
            except ValidationError as exc:
                problems += _rule_problems(exc, parsed, display, kind, loc, rule_id)
            except Exception as exc:  # a third-party kind's validator that breaks: its rule, not the run
                problems.append(Problem(display, line, f"rule {rule_id!r}: the options of kind {kind.name!r} cannot be "
                                        f"checked: {type(exc).__name__}: {exc}", "fix or reinstall the kind's package"))
            else:  # a kind whose model ignores unknown keys (pydantic's default): a misspelt option still is one
                problems += _unknown_options(kind, options_data, parsed, display, loc, rule_id)
        if header and header.id in seen_here:
            problems.append(Problem(display, line, f"rule id {header.id!r} appears twice in this pack",
                                    "ids are unique; to change an inherited rule, write it once"))
        if header:
            seen_here.add(header.id)
        if problems or header is None or kind is None or options is None:
            self.problems += problems
            return None
        # An override (no kind) keeps what it does not say of the inherited rule; a new rule
        # starts from Rule's defaults. Either way the keys written here win.
        start = inherited if kind_name is None and inherited is not None else Rule(header.id, kind, options)
        common = set(RuleHeader.model_fields) - {"id", "kind"}  # the header also holds the kind's options
        written: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value
                                   for key, value in header.model_dump(include=common, exclude_none=True).items()}
        return replace(start, kind=kind, options=options, origin=f"{display}:{line}" if line else display, **written)


def _unknown_options(kind: Kind, data: Any, parsed: Parsed, display: str, loc: tuple[str | int, ...],
                     rule_id: str) -> list[Problem]:
    """Options a kind's model would silently ignore (``extra`` unset): errors, as in every kind."""
    if kind.options.model_config.get("extra") not in (None, "ignore") or not isinstance(data, dict):
        return []
    known = sorted({a for n, f in kind.options.model_fields.items() for a in (n, f.alias) if a})
    problems = []
    for key in sorted(set(data) - set(known)):
        close = difflib.get_close_matches(str(key), known, n=1)
        problems.append(Problem(display, parsed.line(loc + (key,)), f"rule {rule_id!r}: unknown option {key!r} of kind "
                                f"{kind.name!r}", f"did you mean {close[0]!r}?" if close else f"options: {', '.join(known)}"))
    return problems


def _rule_problems(exc: ValidationError, parsed: Parsed, display: str, kind: Kind, loc: tuple[str | int, ...],
                   rule_id: str) -> list[Problem]:
    """Option errors, with "did you mean" over the kind's options and the keys every rule has."""
    problems = problems_from(exc, parsed, display, kind.options, prefix=loc, sibling_keys=tuple(RuleHeader.model_fields))
    return [Problem(p.path, p.line, f"rule {rule_id!r}: {p.message}", p.hint) for p in problems]


def _relative_to(where: Problem) -> str:
    if where.path.startswith("--"):  # --mixlint-rules, or the mixlint command's --rules
        return "the current directory"
    if where.path.startswith("mixlint_rules in "):
        return "the ini file"
    if where.path == "mixlint_rules":
        return "the rootdir"
    return "the pack that names them"


def _display(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else relative
