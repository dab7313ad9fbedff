"""Which files of a repository are documents, and which look like policies that are not in effect.

Plain functions over paths: the pytest plugin collects with them, and the ``mixlint`` command will
walk with them, so both front ends check the same files.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .documents import DocumentKind, is_card
from .documents.card import card_kind, front_matter
from .documents.syntax import parse_text, read_text, syntax_of
from .options import DEFAULT_CARDS, DEFAULT_MANIFESTS, DEFAULT_RULES_FILE
from .packs import RuleSet
from .paths import matches_any
from .problems import MixlintError

# Names a rule pack is likely given: one of these that is not in effect is reported (a policy
# that is silently not applied is a gate that is silently open).
CASES_DIR = "mixlint-tests"  # rule case files and their fixtures (cases.py)
POLICY_NAMES = (DEFAULT_RULES_FILE, "mixlint.yml", ".mixlint.yaml", ".mixlint.yml")
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json", ".toml")


@dataclass
class Discovery:
    """Finds documents under ``root``: by the patterns, and files the user named (as ruff checks a
    file named on its command line whatever its include patterns say)."""

    root: Path
    manifest_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_MANIFESTS))
    card_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_CARDS))
    named: set[Path] = field(default_factory=set)  # resolved paths named on the command line
    pack_files: set[str] = field(default_factory=set)  # real paths of the packs in effect
    config_patterns: list[tuple[str, str]] = field(default_factory=list)  # (glob, format) of training configs
    forced: dict[Path, str] = field(default_factory=dict)  # files named with --as FORMAT
    case_patterns: list[str] = field(default_factory=list)  # rule case files (cases.py)
    _detected: dict[Path, str | None] = field(default_factory=dict)

    def config_format(self, path: Path) -> str | None:
        """The format of a training config: named by a mixlint_configs line, else recognised by its
        content (configs/detect.py), else None."""
        if path in self.forced:
            return self.forced[path]
        display = self.display(path)
        named = next((fmt for pattern, fmt in self.config_patterns if matches_any(display, [pattern])), None)
        if named is not None:
            return named
        if path not in self._detected:
            from .configs.detect import detect_format

            self._detected[path] = detect_format(str(path))
        return self._detected[path]

    def display(self, path: Path) -> str:
        """``path`` as shown to users: relative to the root, POSIX separators."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def is_case_file(self, path: Path) -> bool:
        """A rule case file: matched by the mixlint_tests patterns, and starting like one."""
        from .cases import is_case_file

        return matches_any(self.display(path), self.case_patterns) and is_case_file(str(path))

    def is_fixture(self, path: Path) -> bool:
        """A rule case's fixture (a mix that must fail), not a document of the repository: a file
        under a directory of case files (a mixlint-tests/ directory, or the mixlint_tests
        patterns' directories), unless named."""
        if path in self.named:
            return False
        parent = Path(self.display(path)).parent.as_posix()
        return CASES_DIR in Path(parent).parts or matches_any(parent, self._case_dirs)

    @cached_property  # asked for every file of the walk
    def _case_dirs(self) -> list[str]:
        """``cases/*.yaml`` -> ``cases`` and below it."""
        dirs = [pattern.rsplit("/", 1)[0].removesuffix("/**") for pattern in self.case_patterns if "/" in pattern]
        return [d for folder in dirs if folder and folder != "**" for d in (folder, f"{folder}/**")]

    def kind_of(self, path: Path) -> DocumentKind | None:
        display = self.display(path)
        if self.is_fixture(path):
            return None
        if path in self.forced or any(matches_any(display, [pattern]) for pattern, _ in self.config_patterns):
            return "config"
        if matches_any(display, self.manifest_patterns):
            return "manifest"
        if matches_any(display, self.card_patterns) and is_card(str(path)):
            return "card"
        if self.config_format(path) is not None:  # before a named file's guess: a broken config is a config
            return "config"
        if path in self.named and named_file_kind(path)[0] is not None:
            return named_file_kind(path)[0]
        return None

    def named_file_hints(self) -> list[str]:
        """Why each file named on the command line is not checked (the patterns miss it, or it is
        a README that is no dataset card)."""
        hints = []
        for path in sorted(self.named):
            if not path.is_file():
                continue
            kind, hint = named_file_kind(path)
            if hint and (kind is None or self.kind_of(path) is None) and self.kind_of(path) != "config":
                hints.append(f"{self.display(path)}: {hint}")
        return hints

    def unused_policies_in(self, directory: Path) -> list[str]:
        """Rule-pack-like files in ``directory`` that are not among the packs in effect."""
        return [self.display(directory / name) for name in POLICY_NAMES
                if (directory / name).is_file() and os.path.realpath(directory / name) not in self.pack_files]

    def unused_policies(self) -> list[str]:
        """Where a forgotten policy file would most likely be: the root and each directory named."""
        found = set(self.unused_policies_in(self.root))
        for path in self.named:
            if path.is_dir():
                found.update(self.unused_policies_in(path))
        return sorted(found)


def named_file_kind(path: Path) -> tuple[DocumentKind | None, str | None]:
    """What a file named on the command line is: a manifest (a mapping with ``mixlint:``), a
    dataset card, or neither, with a hint saying why it is not checked."""
    suffix = path.suffix.lower()
    if suffix == ".md":
        try:
            parsed = front_matter(read_text(str(path)), str(path))
        except MixlintError:
            return "card", None  # a card whose front matter is broken: loading it says where
        if parsed is None:
            return None, "not a dataset card: no YAML front matter"
        kind = card_kind(parsed.data)
        if kind == "dataset":
            return "card", None
        if kind == "model":
            return None, "a model card (library_name, base_model, ...), not a dataset card"
        return None, "a docs page or a Space's README (title, sdk, ...), not a dataset card"
    if suffix not in MANIFEST_SUFFIXES:
        return None, None  # not ours to judge (a test module, ...)
    try:
        data = parse_text(read_text(str(path)), str(path), syntax_of(path.name)).data
    except MixlintError:
        return "manifest", None  # unreadable: loading it as a manifest says where and why
    if isinstance(data, dict) and "mixlint" in data:
        return "manifest", None
    if isinstance(data, dict) and "mixlint-rules" in data:
        return None, "a rule pack, not a mixture manifest: name it with --mixlint-rules or in the mixlint_rules ini option"
    return None, ("not a mixture manifest (no top-level `mixlint:` key); manifests are found by the mixlint_manifests "
                  f"patterns (default {', '.join(DEFAULT_MANIFESTS[:4])}, ...)")


# `mixlint: 1` (YAML), `"mixlint": 1` (JSON) or `mixlint = 1` (TOML) at the start of a line.
_MANIFEST_MARK = re.compile(rb'^"?mixlint"?\s*[:=]\s*1\b', re.MULTILINE)
SNIFF_BYTES = 4096
MAX_SNIFFED_JSON = 256 << 10  # larger .json files are data, not manifests


def looks_like_manifest(path: Path) -> int | None:
    """The line of a manifest's ``mixlint: 1`` near the top of a file the patterns do not match
    (a manifest that will silently not be checked), else None. Reads at most 4 KiB."""
    suffix = path.suffix.lower()
    if suffix not in MANIFEST_SUFFIXES:
        return None
    try:
        if suffix == ".json" and path.stat().st_size > MAX_SNIFFED_JSON:
            return None
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return None
    found = _MANIFEST_MARK.search(head)
    return head.count(b"\n", 0, found.start()) + 1 if found else None


def unused_policy_message(rules: RuleSet) -> str:
    return (f"looks like a rule pack but is not in effect (packs in effect: {', '.join(p.name for p in rules.packs)}); "
            "name it with --mixlint-rules or in the mixlint_rules ini option")


def describe_rules(rules: RuleSet, selected: int) -> str:
    """``10 rules from pack.yaml (named by --mixlint-rules), mixlint:recommended (extended by ...)``."""
    total = len(rules.rules)
    counted = f"{total} rule{'s' if total != 1 else ''}" + (f" ({selected} selected)" if selected != total else "")
    return f"{counted} from " + ", ".join(f"{p.name} ({p.via})" for p in reversed(rules.packs))


# pytest's default norecursedirs: directories collection does not enter.
NORECURSEDIRS = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")


def files_under(paths: list[Path], norecursedirs: tuple[str, ...] | list[str] = NORECURSEDIRS) -> Iterator[Path]:
    """The files pytest would collect under ``paths`` (files named are taken as they are), in
    pytest's order: depth first, each directory's entries sorted by name, not entering a
    directory matching ``norecursedirs`` or holding a virtualenv, each file once."""
    seen: set[Path] = set()

    def entries(directory: Path) -> Iterator[os.DirEntry[str]]:
        try:
            return iter(sorted(os.scandir(directory), key=lambda entry: entry.name))
        except OSError:
            return iter(())

    for start in paths:
        stack = [entries(start)] if start.is_dir() else []
        if start.is_file() and start not in seen:
            seen.add(start)
            yield start
        while stack:
            entry = next(stack[-1], None)
            if entry is None:
                stack.pop()
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    if not any(fnmatch.fnmatch(entry.name, p) for p in norecursedirs) and not (path / "pyvenv.cfg").is_file():
                        stack.append(entries(path))
                elif entry.is_file() and path not in seen:
                    seen.add(path)
                    yield path
            except OSError:
                continue
