"""What a rule kind is built from: an options base that brings ``select``, ``by``,
``with_epochs`` and share bounds, and a context that computes shares and judges them.

A kind whose ``check`` takes a third argument gets a :class:`Context`, so that a kind of one's own
takes a few lines (``examples/custom-kind`` is this one, packaged)::

    \"\"\"``top-k-share``: the k largest sources together stay within bounds.\"\"\"

    from pytest_mixlint.kinds.api import Context, Evaluation, ShareBounds

    class Options(ShareBounds):
        k: int = 3

    def check(document, options: Options, context: Context) -> Evaluation:
        shares = context.shares(options)               # by `by`, with `with_epochs`, of `select`
        top = sorted(shares.values(), reverse=True)[: options.k]
        return context.judge(sum(top), options, f"the {options.k} largest sources")

``Context.shares`` raises :class:`CannotEvaluate` when the document has no shares on the basis
asked (the rule's item is then an error saying why, as for the built-in kinds); any other
exception a kind raises fails its items, with the traceback under ``--tb=long`` or ``-v``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from ..documents import Document
from ..mixture import Basis, Mixture, Source
from ..quantities import Fraction, format_share
from ..select import Selector
from ._bounds import BoundedOptions, Quantity
from ._shares import basis_label, shares_or_error
from .base import Evaluation, Finding, KindOptions

__all__ = ["CannotEvaluate", "Context", "Evaluation", "Finding", "KindOptions", "SHARE", "SelectOptions",
           "Selector", "ShareBounds"]

SHARE = Quantity("share")  # what ShareBounds bounds, in share units (fractions, shown as percentages)


class SelectOptions(KindOptions):
    """``select`` (which sources; all when absent), ``by`` (weight | tokens | bytes | documents;
    default the document's basis), ``with_epochs`` (amounts times epochs: what training sees)."""

    select: Selector | None = None
    by: Basis | None = None
    with_epochs: bool = False


class ShareBounds(SelectOptions, BoundedOptions):
    """``SelectOptions`` plus ``min``/``max`` (errors) and ``warn_below``/``warn_above``
    (warnings, inside the error levels), as fractions (``0.05`` or ``5%``); at least one is given,
    and a value on its bound passes."""

    min: Annotated[Fraction | None, SHARE.min] = None
    max: Annotated[Fraction | None, SHARE.max] = None
    warn_below: Annotated[Fraction | None, SHARE.warn_below] = None
    warn_above: Annotated[Fraction | None, SHARE.warn_above] = None


class CannotEvaluate(Exception):
    """The rule cannot be judged on this document; ``evaluation`` says why (its ``error``)."""

    def __init__(self, evaluation: Evaluation) -> None:
        super().__init__(evaluation.error)
        self.evaluation = evaluation


@dataclass(frozen=True)
class Context:
    """The document a rule checks, with the helpers every kind needs."""

    document: Document

    @property
    def measured(self) -> Mixture | None:
        """The composition measured from the data files (a kind with ``MEASURES_DATA = True``)."""
        return self.document.measured

    def selected(self, options: SelectOptions) -> list[Source]:
        """The sources ``options.select`` picks (all without one; a source the selector cannot
        decide, for want of a domain, is left out)."""
        sources = self.document.mixture.sources
        return list(sources) if options.select is None else [s for s in sources if options.select.match(s) is True]

    def shares(self, options: SelectOptions) -> dict[str, float]:
        """Each selected source's share of the whole mixture, by ``options.by`` (with epochs if
        asked). Raises CannotEvaluate when the document has no shares on that basis."""
        shares = shares_or_error(self.document, options.by, options.with_epochs)
        if isinstance(shares, Evaluation):
            raise CannotEvaluate(shares)
        return {s.name: shares[s.name] for s in self.selected(options)}

    def judge(self, share: float, options: ShareBounds, what: str, line: int | None = None,
              sources: tuple[str, ...] = ()) -> Evaluation:
        """The evaluation of ``share`` (``what`` it is the share of) against the options' bounds:
        passed, or one finding at ``line`` (default: the document's ``sources:``)."""
        basis = basis_label(self.document, options.by, options.with_epochs)
        summary = f"{what} {format_share(share)} (by {basis})"
        bounds = options.bounds(SHARE)
        evaluation = Evaluation(observed=share, threshold=bounds.headline, unit="share", summary=summary,
                                sources=sources)
        breach = bounds.judge(share)
        if breach is not None:
            evaluation.threshold = breach.threshold
            evaluation.findings.append(breach.finding(f"{summary} is {breach.says()}",
                                                      line if line is not None else self.document.line("sources"),
                                                      sources, share))
        return evaluation
