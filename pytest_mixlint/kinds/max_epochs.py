"""``max-epochs``: no source is repeated too often.

Repeating data beyond about four epochs yields rapidly diminishing returns (Muennighoff et al.
2023, "Scaling Data-Constrained Language Models"). Options: ``max`` (error above), ``warn_above``
(warning above), ``require_epochs`` (default false: sources without ``epochs`` are not checked;
true: they are findings).

```yaml
- id: max-epochs
  kind: max-epochs
  max: 4
  warn_above: 2
```
"""

from __future__ import annotations

from pydantic import model_validator

from ..documents import Document
from ..quantities import Real
from .base import Evaluation, Finding, KindOptions


class Options(KindOptions):
    max: Real | None = None
    warn_above: Real | None = None
    require_epochs: bool = False

    @model_validator(mode="after")
    def _bounds(self) -> Options:
        if self.max is None and self.warn_above is None:
            raise ValueError("give max and/or warn_above")
        if self.max is not None and self.warn_above is not None and self.warn_above > self.max:
            raise ValueError("warn_above must be at most max")
        return self


def check(document: Document, options: Options) -> Evaluation:
    sources = document.mixture.sources
    with_epochs = [s for s in sources if s.epochs is not None]
    evaluation = Evaluation(threshold=options.max if options.max is not None else options.warn_above, unit="epochs")
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
        if options.max is not None and epochs > options.max:
            evaluation.findings.append(Finding("error", f"source {source.name!r} is repeated {epochs:g} epochs, more than {options.max:g}",
                                               source.line, (source.name,), epochs, options.max, unit="epochs"))
        elif options.warn_above is not None and epochs > options.warn_above:
            evaluation.findings.append(Finding("warning", f"source {source.name!r} is repeated {epochs:g} epochs, "
                                               f"above the warning level {options.warn_above:g}",
                                               source.line, (source.name,), epochs, options.warn_above, unit="epochs"))
    return evaluation
