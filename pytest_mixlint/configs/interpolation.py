"""OmegaConf-style interpolations in YAML configs (llm-foundry, NeMo): ``${variables.data_local}``
names another key of the same file, ``${oc.env:DATA,/default}`` an environment variable.

What the file itself says is filled in, as the run's OmegaConf would: a reference to another key
(whose own references are followed, a cycle or a missing key left as written), an environment
variable the user declared in the ini (``mixlint_variables``) or its default, a key the run's
parent config gives (NeMo's ``${data_dir}``) when declared in the ini. The environment is never
read. What stays ``${...}`` is for the format's reader to refuse where it needs the value,
so that an unresolved ``run_name`` elsewhere in the file is no problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_INTERPOLATION = re.compile(r"\$\{([^${}]+)\}")
_MAX_DEPTH = 16  # references followed in a chain: more is a cycle


class _Unresolved(KeyError):
    pass


def resolve_interpolations(data: Any, variables: Mapping[str, str]) -> Any:
    """``data`` with every interpolation the file and the declared variables resolve filled in."""

    def lookup(expression: str, depth: int) -> Any:
        expression = expression.strip()
        if depth > _MAX_DEPTH:
            raise _Unresolved(expression)
        if expression.startswith("oc.env:"):
            name, _, default = expression.removeprefix("oc.env:").partition(",")
            if name.strip() in variables:
                return variables[name.strip()]
            if default.strip():
                return default.strip().strip("'\"")
            raise _Unresolved(expression)
        if expression in variables:  # a key the run's parent config gives (NeMo's ${data_dir}), declared
            return variables[expression]
        node = data
        for part in expression.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:  # a relative ${.x}, a resolver (${oc.select:...}), a key that is not there
                raise _Unresolved(expression)
        return resolved(node, depth + 1)

    def resolved(node: Any, depth: int) -> Any:
        if isinstance(node, str):
            whole = _INTERPOLATION.fullmatch(node.strip())
            if whole is not None:  # the value itself, with its type (a number stays a number)
                try:
                    return lookup(whole.group(1), depth)
                except _Unresolved:
                    return node

            def fill(match: re.Match[str]) -> str:
                try:
                    value = lookup(match.group(1), depth)
                except _Unresolved:
                    return match.group(0)
                return match.group(0) if isinstance(value, (dict, list)) else str(value)

            return _INTERPOLATION.sub(fill, node)
        if isinstance(node, dict):
            return {key: resolved(value, depth) for key, value in node.items()}
        if isinstance(node, list):
            return [resolved(value, depth) for value in node]
        return node

    return resolved(data, 0)


MISSING = "???"  # OmegaConf's value that the run must be given


def interpolation_in(value: Any) -> str | None:
    """The first ``${...}`` left in ``value`` (a string), or ``???`` (OmegaConf's missing value)."""
    if value == MISSING:
        return MISSING
    match = _INTERPOLATION.search(value) if isinstance(value, str) else None
    return match.group(0) if match else None
