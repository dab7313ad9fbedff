"""The README's table of kinds, generated from the kinds themselves: each kind's first docstring
paragraph says what it checks, its ``Options`` model which options it takes (a test keeps the
README in sync: ``python -m pytest_mixlint.kinds.docs`` prints the table)."""

from __future__ import annotations

from typing import Any

from . import BUILTIN, Kind, get_kind


def summary(kind: Kind) -> str:
    """What the kind checks: its docstring's first paragraph, on one line, without the name."""
    first = " ".join(kind.doc.split("\n\n")[0].split())
    return first.removeprefix(f"``{kind.name}``:").strip().rstrip(".").replace("``", "`")


def options(kind: Kind) -> str:
    """``name`` for each option, with its default when it has one worth saying."""
    shown = []
    for name, field in kind.options.model_fields.items():
        written = f"`{field.alias or name}`"
        default: Any = None if field.is_required() else field.get_default()
        if field.is_required():
            written += " (required)"
        elif isinstance(default, bool):
            written += " (true)" if default else ""
        elif isinstance(default, (int, float, str)):
            written += f" ({default:g})" if isinstance(default, float) else f" ({default})"
        elif isinstance(default, tuple):
            written += f" ([{', '.join(f'{v:g}' for v in default)}])"
        shown.append(written)
    return ", ".join(shown)


def kinds_table() -> str:
    rows = ["| kind | checks | options |", "|---|---|---|"]
    for name in BUILTIN:
        kind = get_kind(name)
        assert kind is not None
        rows.append(f"| `{name}` | {summary(kind)} | {options(kind)} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(kinds_table(), end="")
