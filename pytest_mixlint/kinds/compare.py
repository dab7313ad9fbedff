"""``compare``: each source's (or domain's, or licence category's) share moved at most so far from
another mixture (a file, ``git:REF``, ``recipe:NAME``); an added or removed one is a change of its
whole share; the failure carries the before/after table.

``against`` is the other mixture: a path (relative to the rule pack), ``git:REF`` (the same
document at a git revision: ``git:origin/main`` on a pull request) or ``recipe:NAME`` (a published
mix shipped with the plugin: llama-1, the-pile, redpajama-1t, dolma-1.7, gpt-3). Options: ``by``
(basis; default the first both sides have), ``group_by`` (``name``, the default, ``domain`` or
``license_category``), ``with_epochs``, ``select`` (which sources are compared), and the bounds on
each group's change: ``max_delta`` (error when a share moves more than this, in share points:
``2%`` means 8% may become 6-10%), ``warn_delta``, ``max_relative_delta`` (error when a share
moves more than this fraction of itself: ``50%`` means 8% may become 4-12%). A source or group
on one side only is a change (added: its whole share; removed: all of it). The failure shows
the before/after table.

```yaml
- id: no-drift-from-main
  kind: compare
  against: git:origin/main
  group_by: domain
  max_delta: 2%
```
"""

from __future__ import annotations

import os
from typing import Annotated, Self

from pydantic import PrivateAttr, ValidationInfo, field_validator, model_validator

from ..comparison import ROW_NOUN, Change, GroupBy, compare, group_of, points
from ..documents import Document
from ..mixture import Basis, ShareError
from ..quantities import Fraction, format_share
from ..select import Selector
from ._bounds import BoundedOptions, Quantity
from .base import Evaluation

DELTA = Quantity("share")  # a group's change, in share points
RELATIVE = Quantity("share")  # a group's change relative to its share before


class Options(BoundedOptions):
    against: str
    by: Basis | None = None
    group_by: GroupBy = "name"
    with_epochs: bool = False
    select: Selector | None = None
    max_delta: Annotated[Fraction | None, DELTA.max] = None
    warn_delta: Annotated[Fraction | None, DELTA.warn_above] = None
    max_relative_delta: Annotated[Fraction | None, RELATIVE.max] = None
    _pack_dir: str = PrivateAttr(".")  # a path is relative to the rule pack that writes it

    @field_validator("against")
    @classmethod
    def _usable(cls, value: str) -> str:
        from ..against import check_spec

        return check_spec(value)

    @model_validator(mode="after")
    def _a_file_that_exists(self, info: ValidationInfo) -> Self:
        """A path is checked when the pack is read: `gti:main` or `main` is a typo to say at its
        line, not an error of every document's item."""
        from ..against import GIT_PREFIX, RECIPE_PREFIX

        self._pack_dir = os.path.abspath((info.context or {}).get("base_dir", "."))
        path = os.path.join(self._pack_dir, self.against)
        if not self.against.startswith((GIT_PREFIX, RECIPE_PREFIX)) and not os.path.isfile(path):
            raise ValueError(f"against: {self.against!r} is not a file (looked in {self._pack_dir}); a git revision "
                             "is written git:REF (git:origin/main), a published mix recipe:NAME (recipe:llama-1)")
        return self


def check(document: Document, options: Options) -> Evaluation:
    from ..against import AgainstError, load_against

    try:
        other = load_against(options.against, document, options._pack_dir, document.domains, document.access)
    except AgainstError as exc:
        return Evaluation(error=f"cannot compare against {options.against}: {exc.message}"
                          + (f" (hint: {exc.hint})" if exc.hint else ""))
    try:
        comparison = compare(other.mixture, document.mixture, (options.against, document.path), options.by,
                             options.group_by, options.select, options.with_epochs)
    except ShareError as exc:
        return Evaluation(error=f"cannot compare with {options.against}: {exc}")
    what, whats = ROW_NOUN[options.group_by]
    delta_bounds, relative_bounds = options.bounds(DELTA), options.bounds(RELATIVE)
    changed = comparison.changed
    largest = max((abs(c.delta) for c in changed), default=0.0)
    evaluation = Evaluation(observed=largest, threshold=delta_bounds.headline or relative_bounds.headline, unit="share",
                            summary=f"{len(changed)} of {len(comparison.changes)} {whats} changed against "
                                    f"{options.against} (by {comparison.basis}), at most {points(largest)}",
                            comparison=comparison)
    for change in changed:
        # The sources behind the row (a removed one is only in the other document), at the first one's line.
        sources = tuple(s.name for s in document.mixture.sources
                        if group_of(s, options.group_by) == change.group) or (change.group,)
        line = document.source_line(sources[0]) or document.line("sources")
        where = f"{what} {change.group!r}"
        if breach := delta_bounds.judge(abs(change.delta)):
            limit = "more than" if breach.level == "error" else "above the warning level"
            text = (f"{where} {_moved(change, breach.threshold)} (by {comparison.basis}) against {options.against}: "
                    f"{limit} {points(breach.threshold)}")
            evaluation.findings.append(breach.finding(text, line, sources, abs(change.delta)))
        elif breach := relative_bounds.judge(change.relative):
            text = (f"{where} {_moved(change)} (by {comparison.basis}) against {options.against}: "
                    f"{_relative(change)} of its share, {breach.says('more than')}")
            evaluation.findings.append(breach.finding(text, line, sources, change.relative))
    return evaluation


def _moved(change: Change, near: float | None = None) -> str:
    if change.status == "added":
        return f"is new: {format_share(change.after)}"
    if change.status == "removed":
        return f"is gone: it was {format_share(change.before)}"
    return (f"went from {format_share(change.before)} to {format_share(change.after)}, "
            f"{points(change.delta, signed=True, near=near)}")


def _relative(change: Change) -> str:
    return "all" if change.relative == float("inf") else format_share(change.relative)
