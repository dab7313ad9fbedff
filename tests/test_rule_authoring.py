"""The rule authoring kit (#12): packs shipped in packages, rule case files, schemas for editors."""

from __future__ import annotations

import importlib
import io
import textwrap
from pathlib import Path

import pytest

from pytest_mixlint.cli import main


def install_packs(site: Path, org: str, module: str, packs: dict[str, str]) -> None:
    """A distribution registering ``module`` (a package of NAME.yaml packs) as ``org``."""
    package = site / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for name, text in packs.items():
        (package / f"{name}.yaml").write_text(textwrap.dedent(text))
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[mixlint.packs]\n{org} = {module}\n")


TEAM = """\
    mixlint-rules: 1
    extends: [mixlint:commercial]
    rules:
      - id: team-code-floor
        kind: share
        select: {domain: code}
        min: 5%
        why: our models need code
"""


@pytest.fixture
def org_packs(tmp_path, monkeypatch):
    site = tmp_path / "site"
    install_packs(site, "my-org", "my_org_mixlint", {"team": TEAM})
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "mix.mixture.yaml").write_text("mixlint: 1\nsources:\n  - {name: web, weight: 97, license: ODC-By-1.0}\n"
                                           "  - {name: the-stack, domain: code, weight: 3, license: MIT}\n")
    monkeypatch.chdir(repo)
    return repo


def test_a_pack_extends_a_packaged_pack(org_packs):
    (org_packs / "mixlint.yaml").write_text("mixlint-rules: 1\nextends: [my-org:team]\n")
    out = io.StringIO()
    assert main(["rules"], out) == 0
    text = out.getvalue()
    assert "team-code-floor" in text and "my-org:team" in text  # where each rule comes from
    out = io.StringIO()
    assert main(["check", "-q"], out) == 1
    assert "code share 3.0% (by weight) is below 5.0%" in out.getvalue()


@pytest.mark.parametrize(("reference", "says"), [
    ("my-org:teams", "unknown rule pack 'my-org:teams' (hint: did you mean 'my-org:team'?)"),
    ("my-orgs:team", "no installed package provides rule packs my-orgs:... (entry point group mixlint.packs) "
                     "(hint: did you mean 'my-org:team'?)"),
    ("mixlint:comercial", "unknown built-in rule pack 'mixlint:comercial' (hint: did you mean 'mixlint:commercial'?)"),
])
def test_a_missing_packaged_pack_is_a_located_error(org_packs, capsys, reference, says):
    (org_packs / "mixlint.yaml").write_text(f"mixlint-rules: 1\nextends: [{reference}]\n")
    assert main(["check"], io.StringIO()) == 2
    assert f"mixlint.yaml:2: {says}" in capsys.readouterr().err


def test_a_broken_packaged_pack_is_located_in_it(org_packs, capsys):
    install_packs(org_packs.parent / "site2", "broken", "broken_packs", {"team": "mixlint-rules: 1\nrules: [{id: X}]\n"})
    import sys

    sys.path.insert(0, str(org_packs.parent / "site2"))
    importlib.invalidate_caches()
    try:
        (org_packs / "mixlint.yaml").write_text("mixlint-rules: 1\nextends: [broken:team]\n")
        assert main(["check"], io.StringIO()) == 2
        assert "broken:team:2:" in capsys.readouterr().err
    finally:
        sys.path.remove(str(org_packs.parent / "site2"))
