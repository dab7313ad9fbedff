"""The registry of rule kinds: built-in modules plus the ``mixlint.kinds`` entry point group.

A kind is any object (usually a module) with an ``Options`` pydantic model and a pure
``check(document, options) -> Evaluation``, or ``check(document, options, context)`` to get the
helpers of ``kinds/api.py`` (shares by ``by``/``with_epochs`` of ``select``, bounds judged); its
docstring is its documentation; ``MEASURES_DATA =
True`` asks for the document's data files to be measured first (``document.measured``). A third-party
package registers one with::

    [project.entry-points."mixlint.kinds"]
    my-kind = "my_package.my_kind"

Kinds are imported when a rule names them, not before: a broken third-party kind (an import
error, no ``Options``) fails only the items of the rules that use it, and nothing is paid for
kinds no rule uses.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from pydantic import BaseModel, ConfigDict

from .base import Evaluation, Finding, KindOptions

__all__ = ["Evaluation", "Finding", "Kind", "KindLoadError", "KindOptions", "broken_kind", "get_kind", "kind_names"]

BUILTIN = {
    "share": "share",
    "license-mix": "license_mix",
    "fields": "fields",
    "consistency": "consistency",
    "max-epochs": "max_epochs",
    "diversity": "diversity",
    "measured": "measured",
    "compare": "compare",
}


@dataclass(frozen=True)
class Kind:
    name: str
    options: type[BaseModel]
    check: Callable[..., Evaluation]
    doc: str
    # The kind reads the measured composition beside the declared one (its module sets
    # ``MEASURES_DATA = True``): its rules get the document's data files scanned.
    measures_data: bool = False
    takes_context: bool = False  # check(document, options, context): kinds/api.py's Context
    context_by_name: bool = False  # check(document, options, *, context)
    broken: bool = False  # an installed kind that cannot be loaded (broken_kind)

    def evaluate(self, document: Any, options: Any) -> Evaluation:
        """The kind's check, given a Context if it takes one; CannotEvaluate is its error."""
        from .api import CannotEvaluate, Context

        try:
            if not self.takes_context:
                return self.check(document, options)
            return self.check(document, options, context=Context(document)) if self.context_by_name \
                else self.check(document, options, Context(document))
        except CannotEvaluate as exc:
            return exc.evaluation


class KindLoadError(Exception):
    """An installed kind that cannot be used: its module fails to import, or it lacks
    ``Options``/``check``. The message names the entry point and its package."""


def _as_kind(name: str, obj: Any) -> Kind:
    options, check = getattr(obj, "Options", None), getattr(obj, "check", None)
    if not (isinstance(options, type) and issubclass(options, BaseModel) and callable(check)):
        raise TypeError(f"{obj!r} needs an `Options` pydantic model and a `check` function")
    takes = _takes_context(check)
    return Kind(name, options, check, (obj.__doc__ or "").strip(), bool(getattr(obj, "MEASURES_DATA", False)),
                takes, takes and _keyword_only_context(check))


def _keyword_only_context(check: Callable[..., Any]) -> bool:
    import inspect

    parameter = inspect.signature(check).parameters.get("context")
    return parameter is not None and parameter.kind == parameter.KEYWORD_ONLY and parameter.default is parameter.empty


_CONTEXT_NAMES = ("context", "ctx")


def _takes_context(check: Callable[..., Any]) -> bool:
    """Does ``check`` take the Context: a third required argument, one named context (or ctx), or
    any number of arguments (a decorator's ``*args``)? An optional third of another name (``verbose=False``)
    is the kind's own."""
    import inspect

    try:
        parameters = list(inspect.signature(check).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= 3 and (positional[2].default is inspect.Parameter.empty or positional[2].name in _CONTEXT_NAMES):
        return True
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return True
    return _keyword_only_context(check)


@cache
def _plugin_entry_points() -> dict[str, EntryPoint]:
    """Installed kinds by name, not yet imported; built-ins cannot be shadowed."""
    return {ep.name: ep for ep in entry_points(group="mixlint.kinds") if ep.name not in BUILTIN}


def kind_names() -> list[str]:
    """Every kind a rule may name (built-in and installed), without importing any."""
    return sorted(set(BUILTIN) | set(_plugin_entry_points()))


@cache
def _builtin(name: str) -> Kind:
    return _as_kind(name, importlib.import_module(f"{__name__}.{BUILTIN[name]}"))


@cache
def _plugin(name: str) -> Kind:
    entry = _plugin_entry_points()[name]
    package = f" (package {entry.dist.name} {entry.dist.version})" if entry.dist is not None else ""
    try:
        return _as_kind(name, entry.load())
    except (Exception, SystemExit) as exc:  # whatever a third-party import raises, even sys.exit()
        raise KindLoadError(f"rule kind {name!r} cannot be loaded from entry point {entry.value!r}{package}: "
                            f"{type(exc).__name__}: {exc}") from exc


class _AnyOptions(BaseModel):
    """The options of a kind that cannot be loaded: kept as written, never validated."""

    model_config = ConfigDict(extra="allow", frozen=True)


def broken_kind(name: str, message: str) -> Kind:
    """A stand-in for an installed kind that cannot be loaded: every document's item of a rule
    that names it fails with ``message``, and the other rules run as usual."""

    def check(document: Any, options: Any) -> Evaluation:
        return Evaluation(error=message)

    return Kind(name, _AnyOptions, check, "", broken=True)


def get_kind(name: str) -> Kind | None:
    """The kind called ``name``, imported now; None if no kind has that name. Raises
    KindLoadError for an installed kind that is broken."""
    if name in BUILTIN:
        return _builtin(name)
    if name in _plugin_entry_points():
        return _plugin(name)
    return None
