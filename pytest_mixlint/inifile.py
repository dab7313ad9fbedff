"""Finding and reading pytest's configuration file as pytest does, without importing pytest.

The ``mixlint`` command reads its settings from the same ``mixlint_*`` keys as the plugin, so
both front ends check a repository alike. pytest's rule (docs: "Finding the rootdir"): from the
common ancestor of the paths given, walk up to the first directory holding one of
``pytest.toml``, ``.pytest.toml``, ``pytest.ini``, ``.pytest.ini``, ``pyproject.toml``,
``tox.ini``, ``setup.cfg`` (in that order) whose pytest section exists; that directory is the
rootdir. A ``pyproject.toml`` without a pytest section still marks the rootdir when nothing else
is found. Tests compare this with pytest's own finder.
"""

from __future__ import annotations

import configparser
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Value = str | list[str] | bool | int | float


@dataclass(frozen=True)
class IniFile:
    rootdir: Path
    path: Path | None = None  # None: no configuration file
    values: dict[str, Value] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        return str(self.path) if self.path else "ini"


def _toml(path: Path, *, pyproject: bool) -> dict[str, Value] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if not pyproject:  # pytest.toml: [pytest]
        table = data.get("pytest")
        return dict(table) if isinstance(table, dict) else None
    tool = data.get("tool", {}).get("pytest") if isinstance(data.get("tool"), dict) else None
    if not isinstance(tool, dict):
        return None
    ini = tool.get("ini_options")
    if isinstance(ini, dict):
        return dict(ini)
    return {k: v for k, v in tool.items() if k != "ini_options"}  # pytest 9's native [tool.pytest]


def _ini(path: Path, section: str) -> dict[str, Value] | None:
    parser = configparser.RawConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return None
    if not parser.has_section(section):
        return None
    return dict(parser.items(section))


LOADERS: dict[str, Any] = {
    "pytest.toml": lambda p: _toml(p, pyproject=False),
    ".pytest.toml": lambda p: _toml(p, pyproject=False),
    "pytest.ini": lambda p: _ini(p, "pytest") or {},  # a pytest.ini is pytest's even when empty
    ".pytest.ini": lambda p: _ini(p, "pytest") or {},
    "pyproject.toml": lambda p: _toml(p, pyproject=True),
    "tox.ini": lambda p: _ini(p, "pytest"),
    "setup.cfg": lambda p: _ini(p, "tool:pytest"),
}


def locate(args: list[str], invocation_dir: Path) -> IniFile:
    """The rootdir and configuration of a run on ``args`` started in ``invocation_dir``, as
    pytest's ``determine_setup`` finds them (without ``-c`` or ``--rootdir``). Paths are made
    absolute, not resolved: pytest does not follow symlinks here either."""
    invocation_dir = Path(os.path.abspath(invocation_dir))
    dirs = []
    for arg in args:
        if arg.startswith("-"):
            continue
        path = Path(os.path.abspath(invocation_dir / arg.split("::")[0]))
        if path.exists():
            dirs.append(path if path.is_dir() else path.parent)
    ancestor = _common_ancestor(invocation_dir, dirs)
    found = _locate_config([ancestor])
    if found is not None:
        return found
    for base in (ancestor, *ancestor.parents):  # a setup.py marks the rootdir
        if (base / "setup.py").is_file():
            return IniFile(base)
    if dirs != [ancestor]:
        found = _locate_config(dirs or [invocation_dir])
        if found is not None:
            return found
    rootdir = _common_ancestor(invocation_dir, [invocation_dir, ancestor])
    return IniFile(ancestor if rootdir == Path(rootdir.anchor) else rootdir)


def _locate_config(bases: list[Path]) -> IniFile | None:
    """The first configuration file upwards from each of ``bases``; else the first
    ``pyproject.toml`` seen (without a pytest section, it still marks the rootdir)."""
    pyproject: Path | None = None
    for start in bases:
        for base in (start, *start.parents):
            for name, loader in LOADERS.items():
                candidate = base / name
                if candidate.is_file():
                    if name == "pyproject.toml" and pyproject is None:
                        pyproject = candidate
                    values = loader(candidate)
                    if values is not None:
                        return IniFile(base, candidate, values)
    return IniFile(pyproject.parent, pyproject, {}) if pyproject is not None else None


def _common_ancestor(invocation_dir: Path, paths: list[Path]) -> Path:
    existing = [path for path in paths if path.exists()]
    if not existing:
        return invocation_dir
    return Path(os.path.commonpath([str(path) for path in existing]))


def as_lines(value: Value | None) -> list[str]:
    """A ``linelist`` value as pytest gives it: lines stripped, empty ones dropped."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [line.strip() for line in str(value).splitlines() if line.strip()]


def as_bool(value: Value | None, name: str) -> bool:
    """A ``bool`` value as pytest reads it (ValueError names the key)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "t", "on"):
        return True
    if text in ("0", "false", "no", "n", "f", "off", ""):
        return False
    raise ValueError(f"{name}: invalid truth value {value!r} (use true or false)")


def as_text(value: Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value).strip()
