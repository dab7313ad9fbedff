"""pytest hooks of pytest-mixlint.

pytest imports this module in every run of every project where the plugin is installed, so it
costs nothing until ``--mixlint`` is given: it declares the options (from options.py, plain
data) and leaves everything else to pytest_session.py, imported only then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .options import FLAGS, INI_KEYS

MARKER = "mixlint"
SESSION_KEY = pytest.StashKey[Any]()  # the run (checking.Run), while --mixlint is on


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mixlint", "lint LLM pretraining data mixtures")
    group.addoption("--mixlint", action="store_true", help="check mixture manifests and dataset cards against rule packs")
    for flag in FLAGS:
        extra: dict[str, Any] = {"default": []} if flag.action == "append" else {}
        if flag.metavar:
            extra["metavar"] = flag.metavar
        if flag.choices:
            extra["choices"] = flag.choices
        group.addoption(f"--mixlint-{flag.name}", action=flag.action, dest=f"mixlint_{flag.name.replace('-', '_')}",
                        help=flag.help, **extra)
    group.addoption("--mixlint-report", action="append", default=[], metavar="PATH",
                    help="write a report: PATH ending in .json (machine-readable), .md (Markdown) or .sarif "
                         "(SARIF 2.1.0, for code scanning); repeatable")
    group.addoption("--mixlint-format", choices=("text", "github"), default="text",
                    help="github: also print a GitHub Actions annotation (::error file=...) per finding")
    for name, key in INI_KEYS.items():
        parser.addini(name, type=key.type, default=key.default, help=key.help)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: a pytest-mixlint check of a data mixture document")
    if config.getoption("mixlint"):
        from .pytest_session import start

        start(config)


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash.get(SESSION_KEY, None)
    if run is None:
        return []
    from .report.text import printable

    return [printable(f"mixlint: {line}") for line in run.header()]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    run = parent.config.stash.get(SESSION_KEY, None)
    if run is None:
        return None
    from .pytest_session import collect_file

    return collect_file(run, file_path, parent)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    payload = getattr(item, "mixlint_payload", None)
    if call.when == "call" and payload is not None:
        # A plain-JSON attribute: pytest-xdist carries it to the controller with the report.
        outcome.get_result().mixlint = payload
        item.mixlint_payload = None  # type: ignore[attr-defined]  # the report holds it now
