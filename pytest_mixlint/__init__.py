"""pytest-mixlint: lint the data mixtures of LLM pretraining as pytest tests.

The plugin (``pytest --mixlint``) lives in ``pytest_mixlint.plugin``. From a script or a fixture::

    from pytest_mixlint import load, measure

    document = load("mixes/llama.mixture.yaml")            # a validated Document
    measurement = measure("mixes/llama.mixture.yaml")      # composition measured from data files
    for source in measurement.mixture.sources:
        print(source.name, source.documents, source.bytes)

    # with tokens, estimated from a sample (tokens_relative_error is the ~95% bound)
    measurement = measure("mixes/llama.mixture.yaml", tokenizer="tokenizer.json")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["Document", "Measurement", "MixlintError", "Problem", "load", "measure"]
__version__ = "0.1.0"

# Imported on first use: pytest imports this package for the plugin's entry point in every run,
# with --mixlint or not, and must pay nothing for it (PEP 562).
_WHERE = {"load": "api", "measure": "api", "Document": "documents.model", "Measurement": "scan.measure",
          "MixlintError": "problems", "Problem": "problems"}

if TYPE_CHECKING:
    from .api import load, measure
    from .documents.model import Document
    from .problems import MixlintError, Problem
    from .scan.measure import Measurement


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
