"""``max-epochs``: no source is repeated too often.

Repeating data beyond about four epochs yields rapidly diminishing returns (Muennighoff et al.
2023, "Scaling Data-Constrained Language Models"). Options: ``max`` (error above), ``warn_above``
(warning above, at most ``max``), ``require_epochs`` (default false: sources without ``epochs`` are not checked;
true: they are findings).

```yaml
- id: max-epochs
  kind: max-epochs
  max: 4
  warn_above: 2
```
"""

from __future__ import annotations

from typing import Annotated

from ..documents import Document
from ..quantities import Real
from ._bounds import BoundedOptions, Quantity
from .base import Evaluation, Finding

EPOCHS = Quantity("epochs")


class Options(BoundedOptions):
    max: Annotated[Real | None, EPOCHS.max] = None
    warn_above: Annotated[Real | None, EPOCHS.warn_above] = None
    require_epochs: bool = False


def check(document: Document, options: Options) -> Evaluation:
    sources = document.mixture.sources
    with_epochs = [s for s in sources if s.epochs is not None]
    bounds = options.bounds(EPOCHS)
    evaluation = Evaluation(threshold=bounds.headline, unit="epochs")
    if options.require_epochs:
        for source in sources:
            if source.epochs is None:
                evaluation.findings.append(Finding("error", f"source {source.name!r} declares no epochs", source.line,
                                                   (source.name,), hint="add `epochs:` to the source"))
    if not with_epochs:
        if not evaluation.findings:
            evaluation.skipped = "no source declares epochs"
        return evaluation
    top = max(with_epochs, key=lambda s: s.epochs or 0.0)
    evaluation.observed = top.epochs
    evaluation.summary = f"most repeated: {top.name!r} at {top.epochs:g} epochs"
    evaluation.sources = tuple(f"{s.name} {s.epochs:g} epochs" for s in sorted(with_epochs, key=lambda s: -(s.epochs or 0))[:5])
    for source in sorted(with_epochs, key=lambda s: -(s.epochs or 0)):
        epochs = source.epochs or 0.0
        if breach := bounds.judge(epochs):
            evaluation.findings.append(breach.finding(f"source {source.name!r} is repeated {epochs:g} epochs, "
                                                      f"{breach.says('more than')}", source.line, (source.name,), epochs))
    return evaluation
