"""The other side of a comparison: a file, the same document at a git revision, or a recipe.

``against`` is written as in a ``compare`` rule or on ``mixlint diff``'s command line:

- ``PATH``: a manifest or dataset card (a rule's path is relative to its pack);
- ``git:REF``: the same document at a git revision (a branch, tag or commit: ``git:origin/main``),
  read with ``git cat-file`` from the repository that holds it; nothing is checked out;
- ``recipe:NAME``: a published mixture shipped with the plugin (``pytest_mixlint/recipes``), with
  its citation in the file.

Each is read by the same loaders as the document itself, so both sides mean the same thing. What
cannot be read is an :class:`AgainstError` whose hint says how to fix it (a shallow clone, a ref
not fetched, a document new at this revision).
"""

from __future__ import annotations

import difflib
import os
import subprocess
from importlib import resources
from pathlib import Path

from .access import FileAccess
from .documents import Document, DocumentKind, load_document
from .domains import DomainPatterns
from .limits import Limits
from .problems import MixlintError

GIT_PREFIX, RECIPE_PREFIX = "git:", "recipe:"
RECIPE_SUFFIX = ".mixture.yaml"
GIT_TIMEOUT_S = 30.0
NEW_DOCUMENT_HINT = ("a document new since then has nothing to compare against: limit the rule with `paths:` until it is "
                     "merged (a manifest or card may also suppress it: `ignore: [{rule: RULE-ID, reason: new mix}]`)")


class AgainstError(Exception):
    """The other side cannot be read: ``message`` says what, ``hint`` how to fix it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def _recipes() -> Path:
    return Path(str(resources.files("pytest_mixlint") / "recipes"))


def recipe_names() -> list[str]:
    return sorted(p.name.removesuffix(RECIPE_SUFFIX) for p in _recipes().glob(f"*{RECIPE_SUFFIX}"))


def recipe_path(name: str) -> Path:
    path = _recipes() / f"{name}{RECIPE_SUFFIX}"
    if not name or "/" in name or os.sep in name or not path.is_file():
        close = difflib.get_close_matches(name, recipe_names(), n=1)
        raise AgainstError(f"no recipe named {name!r}",
                           f"did you mean recipe:{close[0]}?" if close else f"recipes: {', '.join(recipe_names())}")
    return path


def check_spec(spec: str) -> str:
    """A usable ``against`` written form (raises ValueError with the fix): a recipe must exist and
    a git ref must be a name git takes, not an option."""
    if spec.startswith(RECIPE_PREFIX):
        try:
            recipe_path(spec.removeprefix(RECIPE_PREFIX))
        except AgainstError as exc:
            raise ValueError(f"{exc.message} ({exc.hint})") from None
    elif spec.startswith(GIT_PREFIX):
        ref = spec.removeprefix(GIT_PREFIX)
        if not ref or ref.startswith("-") or any(c.isspace() or c in ":\0" for c in ref):
            raise ValueError(f"{spec!r} does not name a git revision; write git:main, git:origin/main or git:v1.2")
    elif not spec.strip():
        raise ValueError("give a path, git:REF or recipe:NAME")
    return spec


def load_against(spec: str, document: Document | None, base_dir: str = ".", domains: DomainPatterns | None = None,
                 access: FileAccess = FileAccess()) -> Document:
    """The document ``spec`` names, read as ``domains`` and ``access`` say; git:REF reads
    ``document`` at that revision; a path is relative to ``base_dir``. Raises AgainstError."""
    try:
        check_spec(spec)
    except ValueError as exc:
        raise AgainstError(str(exc)) from None
    try:
        if spec.startswith(RECIPE_PREFIX):
            name = spec.removeprefix(RECIPE_PREFIX)
            return _load(str(recipe_path(name)), spec, "manifest", domains, FileAccess())
        if spec.startswith(GIT_PREFIX):
            if document is None:
                raise AgainstError(f"{spec} names a revision of a document, and there is none", "give the document's path")
            ref = spec.removeprefix(GIT_PREFIX)
            text = read_at_revision(document.file, ref, access.max_bytes)
            if document.kind == "config":
                return _config_at(document, ref, text, domains, access)
            return _load(document.file, f"{document.path} at {ref}", document.kind, domains, access, text)
        path = os.path.join(base_dir, spec)
        return _load(path, spec, _kind_of(path), domains, access)
    except MixlintError as exc:
        first = exc.problems[0]
        raise AgainstError(f"{spec} cannot be read: {first.located}", first.hint) from None


def _kind_of(path: str) -> DocumentKind:
    return "card" if os.path.basename(path).lower().endswith(".md") else "manifest"


def _load(path: str, display: str, kind: DocumentKind, domains: DomainPatterns | None, access: FileAccess,
          text: str | None = None) -> Document:
    loaded = load_document(path, display, kind, domains, access, text)
    if loaded is None:
        raise AgainstError(f"{display} is not a dataset card (no dataset front matter)",
                           "compare against a mixture manifest or a dataset card")
    return loaded


def _config_at(document: Document, ref: str, text: str, domains: DomainPatterns | None,
               access: FileAccess) -> Document:
    """A training config as it was at ``ref``: read in the same format, through the same catalogue
    (so that a source keeps its name), and the same stage of a curriculum."""
    from .configs.load import load_config

    display = f"{document.path} at {ref}"
    assert document.config is not None  # every config document says how it was read
    parts = load_config(document.file, display, document.config, domains, access, text)
    for part in parts:
        stage = part.stage
        if stage == document.stage:
            if isinstance(part, MixlintError):
                raise part
            return part
    stages = [p.stage for p in parts if p.stage is not None]
    raise AgainstError(f"{display} has no stage {document.stage!r}" + (f" (its stages: {', '.join(stages)})" if stages else ""),
                       "a stage new since then has nothing to compare against: limit the rule with `paths:` until "
                       "it is merged")


def read_at_revision(path: str, ref: str, max_bytes: int = Limits().file_bytes) -> str:
    """The content of the file at ``path`` as of git revision ``ref``, from the repository that
    holds it. Raises AgainstError naming the fix."""
    folder = os.path.dirname(os.path.abspath(path))
    top = _git(["rev-parse", "--show-toplevel"], folder, "the document is not in a git repository",
               "compare against a file or a recipe:NAME instead of git:REF").strip()
    relative = Path(os.path.relpath(os.path.realpath(path), os.path.realpath(top))).as_posix()
    if not _exists(ref, top):
        raise AgainstError(*_missing_revision(ref, top))
    obj = f"{ref}:{relative}"
    size = _git_ok(["cat-file", "-s", obj], top)
    if size is None:
        raise AgainstError(f"{relative} does not exist at {ref}", NEW_DOCUMENT_HINT)
    if int(size) > max_bytes:
        raise AgainstError(f"{relative} at {ref} has {int(size):,} bytes, more than the {max_bytes:,} allowed",
                           "raise mixlint_max_file_bytes")
    data = _git_bytes(["cat-file", "blob", obj], top, f"cannot read {relative} at {ref}", None)
    try:
        return data.decode("utf-8-sig")  # as the working tree's copy is read: a BOM is no content
    except UnicodeDecodeError:
        raise AgainstError(f"{relative} at {ref} is not UTF-8 text", "save the file as UTF-8") from None


def _exists(ref: str, top: str) -> bool:
    return _git_ok(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top) is not None


def _missing_revision(ref: str, top: str) -> tuple[str, str]:
    """What to say of a revision this clone does not have, and the fix that works here: the
    remote-tracking name when that exists (git:origin/main for git:main in a CI checkout), a
    fetch that creates the ref asked for, or the whole history of a shallow clone."""
    branch = ref.removeprefix("origin/")
    for other in (f"origin/{ref}", branch):
        if other != ref and _exists(other, top):
            return f"git revision {ref!r} not found", f"this clone has {other!r}: write git:{other}"
    fetch = f"git fetch origin {branch}:refs/remotes/origin/{branch}"
    if (_git_ok(["rev-parse", "--is-shallow-repository"], top) or "").strip() == "true":
        return (f"git revision {ref!r} is not in this clone, which is shallow",
                f"fetch the history (`fetch-depth: 0` in actions/checkout) or the branch (`{fetch}`), "
                f"and compare against git:origin/{branch}")
    return f"git revision {ref!r} not found", f"fetch it (`{fetch}`) and compare against git:origin/{branch}"


def _git(args: list[str], cwd: str, failure: str, hint: str | None) -> str:
    return _git_bytes(args, cwd, failure, hint).decode("utf-8", "replace")


def _git_bytes(args: list[str], cwd: str, failure: str, hint: str | None) -> bytes:
    """git's output; AgainstError(failure + git's last line of error, hint) when it fails."""
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_S,
                                   env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}, check=False)
    except FileNotFoundError:
        raise AgainstError("git is not installed (git:REF is read with git)", "install git, or compare against a file") from None
    except subprocess.TimeoutExpired:
        raise AgainstError(f"git {args[0]} took more than {GIT_TIMEOUT_S:g} s", hint) from None
    if completed.returncode != 0:
        said = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AgainstError(f"{failure}" + (f" (git: {said[-1]})" if said else ""), hint)
    return completed.stdout


def _git_ok(args: list[str], cwd: str) -> str | None:
    """git's output, or None when it fails."""
    try:
        return _git(args, cwd, "", None)
    except AgainstError:
        return None
