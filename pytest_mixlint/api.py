"""The Python API: ``load`` and ``measure`` (re-exported by the package)."""

from __future__ import annotations

import os

from .access import FileAccess
from .documents import Document, DocumentKind, load_document
from .problems import MixlintError, Problem
from .scan.cache import ShardCache
from .scan.measure import Measurement, measure_document
from .settings import TokenDefaults


def load(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Document:
    """Load a manifest (any file not named README.md) or a dataset card; raises MixlintError.
    What the document names (a manifest's ``card:``, its tokenizer) must be inside ``root``
    (default: the document's directory), as in the plugin, where the root is pytest's rootdir."""
    path = os.fspath(path)
    kind: DocumentKind = "card" if os.path.basename(path).lower() == "readme.md" else "manifest"
    root = os.fspath(root) if root is not None else os.path.dirname(os.path.realpath(path))
    document = load_document(path, path, kind, access=FileAccess(root))
    if document is None:
        raise MixlintError(Problem(path, None, "not a dataset card: the README has no YAML front matter of a dataset card"))
    return document


def measure(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None,
            cache_dir: str | os.PathLike[str] | None = None, allow_outside_root: bool = False,
            tokenizer: str | os.PathLike[str] | None = None, exact_tokens: bool = False,
            token_sample: int = 1000) -> Measurement:
    """Scan the data files of a manifest or card. ``root`` (default: the document's directory)
    bounds where data files and what the document names may be; ``cache_dir`` keeps per-shard results between calls.
    ``tokenizer`` (a local tokenizer.json) counts tokens too, unless the manifest's ``scan:``
    names its own; problems, such as bad data, are in ``Measurement.problems``."""
    document = load(path, root)
    root = os.fspath(root) if root is not None else document.base_dir
    cache = ShardCache(cache_dir) if cache_dir is not None else None
    tokenizer = os.path.abspath(os.path.expanduser(tokenizer)) if tokenizer else None
    tokens = TokenDefaults(tokenizer, "tokenizer", exact_tokens, token_sample)
    return measure_document(document, root, cache, allow_outside_root, tokens=tokens)
