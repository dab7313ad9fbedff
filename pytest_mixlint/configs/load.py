"""A training config as a document: read in its format, through the catalogue, into the model.

Formats (``mixlint_configs`` ini lines ``GLOB = FORMAT`` say which files are which):
``megatron`` (launch scripts, YAML ``data_prefix``, blend JSON), ``neox``, ``streaming``
(llm-foundry), ``olmo``, ``olmo-core`` (mix files), ``nanotron`` (a curriculum: one document per
data stage), ``dolma`` (mixer configs), ``dclm`` (tokenized-dataset JSON). Nothing is executed.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from ..access import FileAccess
from ..documents.model import ConfigReading, Document
from ..documents.syntax import Parsed, parse_text, read_text, syntax_of
from ..domains import DomainPatterns
from ..options import CONFIG_FORMATS
from ..problems import MixlintError, Problem
from .blends import Blend, is_copy
from .catalogue import CatalogEntry
from .dolma import dclm_blend, dolma_blend
from .interpolation import resolve_interpolations
from .megatron import config_blend, script_blend
from .mixture import blend_mixture
from .neox import neox_blend
from .olmo import nanotron_stages, olmo_blend, olmo_core_mix
from .streaming import streaming_blend

FORMATS = CONFIG_FORMATS
SCRIPT_SUFFIXES = (".sh", ".bash", ".slurm", ".sbatch")  # recognised as launch scripts by their content
STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json", ".toml")


def load_config(path: str, display: str, reading: ConfigReading, domains: DomainPatterns | None = None,
                access: FileAccess = FileAccess(), text: str | None = None) -> list[Document | MixlintError]:
    """The config at ``path`` as documents of kind ``config``: one, or one per stage of a
    curriculum (nanotron ``data_stages``, each with ``stage`` set). ``text``: the content as read
    elsewhere (a git revision). Raises MixlintError with every located problem when nothing can
    be read (what the config does not say, what only running it would)."""
    fmt = reading.format
    if text is None:
        text = read_text(path, display, access, confined=access.holds(path))
    base_dir = os.path.dirname(os.path.abspath(path))
    # A Megatron blend outside YAML or JSON is in a launch script, whatever its name (run.slurm, blend.conf).
    script = fmt == "olmo-core" or (fmt == "megatron" and not path.lower().endswith(STRUCTURED_SUFFIXES))
    parsed = Parsed(None, {(): 1}) if script else parse_text(text, display, syntax_of(path))
    if not script:  # ${variables.x}, ${oc.env:X}: what the file and the ini say, filled in as OmegaConf would
        parsed = Parsed(resolve_interpolations(parsed.data, dict(reading.variables)), parsed.line_of)
    if fmt == "nanotron":
        stages = nanotron_stages(parsed, display)
        if not stages:
            raise MixlintError([Problem(display, None, "no training data found for the nanotron format", _WHERE[fmt])])
        # A stage's results without a line of their own are at its entry, not at the file's top.
        stages = [stage if stage.blend is None or stage.blend.entries else
                  replace(stage, blend=None, problems=(Problem(display, stage.line, f"stage {stage.name!r} names no "
                                                               "training data", _WHERE[fmt]),)) for stage in stages]
        return [_document(stage.blend, list(stage.problems), path, display, reading,
                          Parsed(parsed.data, {**parsed.line_of, (): stage.line or 1}), domains, access, stage.name) if stage.blend is not None else MixlintError(list(stage.problems), stage.name)
                for stage in stages]
    blend, problems = _blend(fmt, text, parsed, display, base_dir, access, dict(reading.variables))
    if blend is not None and not blend.entries:  # an empty mix would pass every licence gate
        blend, problems = None, problems + [Problem(display, None, "the config names no training data",
                                                    _WHERE.get(fmt, "give the training data"))]
    if blend is None:
        raise MixlintError(problems or [Problem(display, None, f"no training data found for the {fmt} format",
                                                _WHERE.get(fmt, "check the mixlint_configs line that names this file"))])
    return [_document(blend, problems, path, display, reading, parsed, domains, access)]


def _document(blend: Blend, problems: list[Problem], path: str, display: str, reading: ConfigReading, parsed: Parsed,
              domains: DomainPatterns | None, access: FileAccess, stage: str | None = None) -> Document:
    notes: list[Problem] = list(problems)  # with a blend, what was said is a note (DCLM's sampling_yaml)
    notes += [Problem(display, e.line, f"{e.path} is listed {e.listed} times: "
                      + ("its weights add up" if e.weight is not None else "it is read that many times"),
                      "list it once if that is not meant") for e in blend.entries if e.listed > 1]
    notes += [Problem(display, e.line, f"{e.path} is in a copy of a source's directory (_shadow): "
                      + ("its weight adds to the source's" if e.weight is not None else "the source is read once more"),
                      "list the source's own path twice instead, if a copy is only there to be read twice")
              for e in blend.entries if is_copy(e.path)]
    described: dict[str, CatalogEntry] = {}
    if reading.catalogue is not None:
        described, claimed_twice = reading.catalogue.describe([e.path for e in blend.entries])
        notes += claimed_twice
    mixture = blend_mixture(blend, Path(path).stem, described, domains)
    # file, domains, access: so that what it refers to (a compare rule's other side) is read alike
    return Document(display, "config", mixture, parsed, [], notes, os.path.dirname(os.path.abspath(path)),
                    file=os.path.abspath(path), domains=domains or DomainPatterns(), access=access, stage=stage,
                    config=reading)


_WHERE = {
    "megatron": "a launch script passes --data-path W P ...; a YAML config has data_prefix; a blend JSON datasets",
    "neox": "give train-data-paths (and train-data-weights)",
    "streaming": "give train_loader.dataset.streams",
    "olmo": "give data.paths",
    "olmo-core": "list one path (or label,path) per line",
    "nanotron": "give data_stages with data.dataset",
    "dolma": "give streams, each with a name and documents globs",
    "dclm": "give sources, each with a name",
}


def _blend(fmt: str, text: str, parsed: Parsed, display: str, base_dir: str, access: FileAccess,
           variables: dict[str, str]) -> tuple[Blend | None, list[Problem]]:
    if fmt == "megatron":
        return script_blend(text, display, base_dir, variables, access) if parsed.data is None \
            else config_blend(parsed, display)
    if fmt == "neox":
        return neox_blend(parsed, display)
    if fmt == "streaming":
        return streaming_blend(parsed, display, base_dir, access)
    if fmt == "olmo":
        return olmo_blend(parsed, display)
    if fmt == "olmo-core":
        return olmo_core_mix(text, display, variables)
    if fmt == "dolma":
        return dolma_blend(parsed, display)
    if fmt == "dclm":
        return dclm_blend(parsed, display)
    raise ValueError(f"not a config format: {fmt!r}")
