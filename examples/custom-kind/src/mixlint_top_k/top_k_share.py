"""``top-k-share``: the k largest sources together stay within bounds.

Options: ``k`` (default 3), and those of every share rule: ``select``, ``by``, ``with_epochs``,
``min``/``max``/``warn_below``/``warn_above`` (``0.9`` or ``90%``).

```yaml
- id: top-3-at-most-90
  kind: top-k-share
  k: 3
  max: 90%
```
"""

from pydantic import Field

from pytest_mixlint.kinds.api import Context, Evaluation, ShareBounds


class Options(ShareBounds):
    k: int = Field(3, ge=1)


def check(document, options: Options, context: Context) -> Evaluation:
    shares = context.shares(options)
    top = sorted(shares, key=shares.get, reverse=True)[: options.k]
    line = document.source_line(top[0]) if top else None
    return context.judge(sum(shares[name] for name in top), options, f"the {options.k} largest sources",
                         line, tuple(top))
