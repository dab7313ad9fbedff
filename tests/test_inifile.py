"""The ``mixlint`` command finds the rootdir and the configuration file as pytest does: compared
with pytest's own ``determine_setup`` on the layouts users have."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.config.findpaths import determine_setup

from pytest_mixlint.inifile import as_bool, as_lines, locate

PYPROJECT = '[tool.pytest.ini_options]\nmixlint_rules = ["a.yaml", "b.yaml"]\nmixlint_strict = true\n'
LAYOUTS = {
    "nothing": {"repo/sub/m.mixture.yaml": ""},
    "pytest.ini above": {"repo/pytest.ini": "[pytest]\nmixlint_rules = p.yaml\n", "repo/sub/m.mixture.yaml": ""},
    "empty pytest.ini": {"repo/pytest.ini": "", "repo/sub/m.mixture.yaml": ""},
    "pyproject section": {"repo/pyproject.toml": PYPROJECT, "repo/sub/m.mixture.yaml": ""},
    "pyproject without a section": {"repo/pyproject.toml": "[project]\nname = 'x'\n", "repo/sub/tox.ini": "[tox]\n",
                                    "repo/sub/m.mixture.yaml": ""},
    "tox.ini nearer than pyproject": {"repo/pyproject.toml": PYPROJECT,
                                      "repo/sub/tox.ini": "[pytest]\nmixlint_rules = x.yaml\n  y.yaml\n",
                                      "repo/sub/m.mixture.yaml": ""},
    "setup.cfg": {"repo/setup.cfg": "[tool:pytest]\nmixlint_strict = yes\n", "repo/sub/m.mixture.yaml": ""},
    "setup.cfg without a section": {"repo/setup.cfg": "[metadata]\nname = x\n", "repo/sub/m.mixture.yaml": ""},
    "pytest.toml": {"repo/pytest.toml": '[pytest]\nmixlint_rules = ["t.yaml"]\n', "repo/sub/m.mixture.yaml": ""},
    "setup.py": {"repo/setup.py": "", "repo/sub/m.mixture.yaml": ""},
    "pytest.ini beats pyproject": {"repo/pytest.ini": "[pytest]\n", "repo/pyproject.toml": PYPROJECT,
                                   "repo/sub/m.mixture.yaml": ""},
}
ARGS = [[], ["sub"], ["sub/m.mixture.yaml"], ["sub/m.mixture.yaml::rule"], ["missing"], ["sub", "."]]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("args", ARGS, ids=lambda a: " ".join(a) or "no args")
def test_the_configuration_pytest_finds(tmp_path, monkeypatch, layout, args):
    for name, text in LAYOUTS[layout].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    invocation = tmp_path / "repo"
    monkeypatch.chdir(invocation)  # pytest makes relative arguments absolute from the working directory
    rootdir, inipath, values, _ = determine_setup(inifile=None, override_ini=None, args=args, rootdir_cmd_arg=None,
                                                  invocation_dir=invocation)
    found = locate(args, invocation)
    assert (found.rootdir, found.path) == (Path(rootdir), Path(inipath) if inipath else None)
    theirs = {key: getattr(value, "value", value) for key, value in values.items()}
    assert set(found.values) == set(theirs)
    for key, value in theirs.items():
        if key == "mixlint_strict":
            assert as_bool(found.values[key], key) == as_bool(value, key)
        else:
            assert as_lines(found.values[key]) == as_lines(value)
