"""What a scan produces, and how it is configured."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..lfs import LfsPointer, describe, pull_hint
from ..limits import Limits
from .tokens import TokenTally

Group = str | None  # a group-by value; None when the scan is not grouped


def check_fields(text_field: str, group_by: str | None) -> None:
    """The text and group fields must differ, neither inside the other (ValueError)."""
    if group_by:
        for outer, inner in ((text_field, group_by), (group_by, text_field)):
            if inner == outer or inner.startswith(outer + "."):
                raise ValueError(f"text_field {text_field!r} and group_by {group_by!r} must be "
                                 "different fields, neither inside the other")


@dataclass(frozen=True)
class ScanOptions:
    text_field: str = "text"  # dotted path to the document's text, e.g. "content" or "meta.body"
    group_by: str | None = None  # dotted path to the group value, e.g. "meta.red_pajama_subset"
    # "auto": DuckDB where it reads the format (fast.py), else the streaming readers; "python":
    # only the streaming readers (msgspec, pyarrow). Both count valid data the same, but not
    # invalid data (a number as text), so the engine is part of the key.
    engine: str = "auto"
    # Tokens: a local tokenizer.json, its sha256 (for the cache key), every document tokenized or
    # a seeded sample of up to ``token_sample`` documents per group in each shard (part).
    tokenizer: str | None = None
    tokenizer_fingerprint: str = ""
    exact_tokens: bool = False
    token_sample: int = 1000
    # What the readers refuse (a line too long, a bomb): never changes a count, so not in key().
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        # Manifests are validated with located errors (ScanModel, with check_fields); this guards
        # the Python API.
        check_fields(self.text_field, self.group_by)
        if self.engine not in ("auto", "python"):
            raise ValueError(f"engine must be 'auto' or 'python', not {self.engine!r}")
        if type(self.token_sample) is not int or self.token_sample < 2:
            raise ValueError(f"token_sample must be a number of documents >= 2, not {self.token_sample!r}")

    def field_tree(self) -> dict[str, Any]:
        """The text and group fields as a tree of JSON keys (a dotted path is nested objects);
        leaves are None. Readers decode only these fields."""
        tree: dict[str, Any] = {}
        for dotted in (self.text_field, self.group_by):
            if dotted:
                *parents, name = dotted.split(".")
                node = tree
                for part in parents:
                    node = node.setdefault(part, {})
                node[name] = None
        return tree

    def key(self) -> str:
        """What in the options changes a shard's counts (part of the cache key)."""
        key = f"text={self.text_field};group_by={self.group_by or ''};engine={self.engine}"
        if self.tokenizer:
            how = "exact" if self.exact_tokens else f"sample={self.token_sample}"
            key += f";tokenizer={self.tokenizer_fingerprint};{how}"
        return key


@dataclass
class Counts:
    documents: int = 0
    bytes: int = 0  # UTF-8 bytes of the text
    characters: int = 0  # Unicode code points of the text
    tokens: TokenTally | None = None  # when a tokenizer was given

    def add(self, other: Counts) -> None:
        self.documents += other.documents
        self.bytes += other.bytes
        self.characters += other.characters
        if other.tokens is not None:
            if self.tokens is None:
                self.tokens = TokenTally()
            self.tokens.merge(other.tokens)


@dataclass
class GroupCounts:
    """Counts per group value of one shard (or of many, merged)."""

    groups: dict[Group, Counts] = field(default_factory=dict)

    def merge(self, other: GroupCounts) -> None:
        for group, counts in other.groups.items():
            self.groups.setdefault(group, Counts()).add(counts)


class ScanError(Exception):
    """Bad data: a located problem in a data file (the scan of other files goes on)."""

    def __init__(self, path: str, line: int | None, message: str, hint: str | None = None) -> None:
        self.path, self.line, self.message, self.hint = path, line, message, hint
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}" + (f" (hint: {hint})" if hint else ""))


class LfsPointerError(ScanError):
    """A data file that is a Git LFS pointer: the content was never downloaded."""

    def __init__(self, path: str, size: int | None) -> None:
        self.size = size
        pointer = LfsPointer(path, size)
        super().__init__(path, None, describe(pointer), pull_hint([path]))
