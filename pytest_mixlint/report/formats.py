"""Every output format of a run, by name and by report-file extension: one dispatch for the
pytest plugin (``--mixlint-report=PATH``, ``--mixlint-format``) and the ``mixlint`` command."""

from __future__ import annotations

from .record import RunRecord

# A report file's format comes from its extension.
EXTENSIONS = {".json": "json", ".md": "markdown", ".sarif": "sarif"}


def format_of(path: str) -> str | None:
    return next((fmt for extension, fmt in EXTENSIONS.items() if path.lower().endswith(extension)), None)


def render(run: RunRecord, fmt: str, rootdir: str | None = None) -> str:
    """``json`` (the report format), ``markdown``, ``sarif`` or ``github`` (workflow commands)."""
    if fmt == "json":
        from . import json_report

        return json_report.render(run)
    if fmt == "markdown":
        from . import markdown

        return markdown.render(run)
    if fmt == "sarif":
        from . import sarif

        return sarif.render(run, rootdir)
    if fmt == "github":
        from . import github

        return github.render(run)
    raise ValueError(f"unknown format {fmt!r}")
