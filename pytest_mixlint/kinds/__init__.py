"""The registry of rule kinds: built-in modules plus the ``mixlint.kinds`` entry point group.

A kind is any object (usually a module) with an ``Options`` pydantic model and a pure
``check(document, options) -> Evaluation``; its docstring is its documentation. A third-party
package registers one with::

    [project.entry-points."mixlint.kinds"]
    my-kind = "my_package.my_kind"
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel

from .base import Evaluation, Finding, KindOptions

__all__ = ["Evaluation", "Finding", "Kind", "KindOptions", "available_kinds", "get_kind"]

BUILTIN = {
    "share": "share",
    "license-mix": "license_mix",
    "fields": "fields",
    "consistency": "consistency",
    "max-epochs": "max_epochs",
    "diversity": "diversity",
    "measured": "measured",
}


@dataclass(frozen=True)
class Kind:
    name: str
    options: type[BaseModel]
    check: Callable[[Any, Any], Evaluation]
    doc: str


def _as_kind(name: str, obj: Any) -> Kind:
    options, check = getattr(obj, "Options", None), getattr(obj, "check", None)
    if not (isinstance(options, type) and issubclass(options, BaseModel) and callable(check)):
        raise TypeError(f"rule kind {name!r} ({obj!r}) needs an `Options` pydantic model and a `check` function")
    return Kind(name, options, check, (obj.__doc__ or "").strip())


@cache
def available_kinds() -> dict[str, Kind]:
    kinds = {name: _as_kind(name, importlib.import_module(f"{__name__}.{module}")) for name, module in BUILTIN.items()}
    for entry in entry_points(group="mixlint.kinds"):
        if entry.name not in kinds:  # built-ins cannot be shadowed by a plugin
            kinds[entry.name] = _as_kind(entry.name, entry.load())
    return kinds


def get_kind(name: str) -> Kind | None:
    return available_kinds().get(name)
