"""What a loaded document is, for rules and reports: a mixture plus the metadata it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..access import FileAccess
from ..domains import DomainPatterns
from ..mixture import Mixture
from ..options import TokenMode
from ..problems import Problem
from .syntax import Parsed

if TYPE_CHECKING:
    from ..configs.catalogue import Catalogue

DocumentKind = Literal["manifest", "card", "config"]  # config: a training config (configs/)


def document_id(path: str, stage: str | None) -> str:
    """How a document is named in reports and node ids: its path, then its stage when the file
    holds a curriculum (``configs/train.yaml::stable``)."""
    return path if stage is None else f"{path}::{stage}"


@dataclass(frozen=True)
class ConfigReading:
    """How a training config (configs/) is read: its format, the source catalogue that says what
    its data paths are, and the values the user declared for what the config leaves to the run
    (ini ``mixlint_variables``: a launch script's ``$DATA_PATH``, a mix file's ``{TOKENIZER}``)."""

    format: str
    catalogue: Catalogue | None = None
    variables: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Ignore:
    """An accountable suppression written in a manifest or card: ``{rule, reason}``, or
    ``{rule, source, reason}`` for the rule's findings about some sources only."""

    rule: str
    reason: str
    line: int | None
    source: str | None = None  # a glob on source names: only findings about them are suppressed


@dataclass(frozen=True)
class ScanSettings:
    """How a document's data files are measured (a manifest's ``scan:``)."""

    text_field: str = "text"
    group_by: str | None = None
    data_files: tuple[str, ...] = ()  # shared shards, split between sources by group_by
    line: int | None = None
    # Tokens (None: the run's default, from the ini options / command line).
    tokenizer: str | None = None  # a local tokenizer.json, relative to the manifest
    tokens: TokenMode | None = None
    token_sample: int | None = None  # documents sampled per group in each shard
    tokenizer_line: int | None = None


@dataclass
class Document:
    path: str  # as shown to the user: relative to the rootdir, POSIX separators
    kind: DocumentKind
    mixture: Mixture
    metadata: Parsed  # the manifest, or the card's front matter, with line positions
    ignores: list[Ignore] = field(default_factory=list)
    # Non-fatal findings made while reading (deprecated keys, odd values); rules report them.
    notes: list[Problem] = field(default_factory=list)
    base_dir: str = "."  # absolute directory that relative references resolve against
    scan: ScanSettings = field(default_factory=ScanSettings)
    # The composition measured from the data files, when a rule asked for it (set by the plugin
    # before rules run, so that rule kinds stay pure functions of the document).
    measured: Mixture | None = None
    unmapped_groups: dict[str, int] = field(default_factory=dict)  # group value -> documents naming no source
    # How it was read (set by load_document), so that a document it refers to (a compare rule's
    # other side) is read alike: its file, the run's domain patterns, what the run may open.
    file: str = ""
    domains: DomainPatterns = field(default_factory=DomainPatterns)
    access: FileAccess = field(default_factory=FileAccess)
    # One stage of a training curriculum (a nanotron data stage): the file holds one composition
    # per stage, each a document of its own (items ``path::stage::rule-id``).
    stage: str | None = None
    config: ConfigReading | None = None  # how a training config was read, to read it again at a revision

    @property
    def id(self) -> str:
        return document_id(self.path, self.stage)

    @property
    def name(self) -> str | None:
        return self.mixture.name

    def line(self, *path: str | int) -> int | None:
        return self.metadata.line(path)

    def source_line(self, name: str) -> int | None:
        for source in self.mixture.sources:
            if source.name == name:
                return source.line
        return None

    @property
    def raw(self) -> Any:
        return self.metadata.data
