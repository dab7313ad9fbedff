"""Token counts per group: estimated from a random sample with an error bound, or exact.

Counting every token of a many-gigabyte corpus costs a full tokenizer pass (a few MB/s per core
for a BPE tokenizer, far slower than reading the data), so by default tokens are *estimated*:

* the scanner counts the exact UTF-8 bytes ``B`` of the text of every document of a group (a
  source, or one value of a ``group_by`` field);
* in every shard (or part of a shard) it keeps, per group, a seeded uniform random sample of up to
  ``token_sample`` of the group's documents there (reservoir sampling, a simple random sample
  without replacement: :class:`~pytest_mixlint.scan.sampling.TokenSampler`). Each shard's part of
  a group is a *stratum* ``h`` of ``N_h`` documents, of which ``n_h`` are tokenized (``t_i``
  tokens and ``b_i`` UTF-8 bytes for sampled document ``i``);
* each stratum becomes a :class:`TokenTally` (:meth:`TokenTally.of_stratum`): sufficient
  statistics, no text. Tallies add up (:meth:`TokenTally.merge`) across shards, the cache stores
  one per shard and group, and the group's tally gives the estimate (:meth:`TokenTally.estimate`)
  with the **combined ratio estimator**, each stratum weighted by ``N_h / n_h``::

      R = sum_h (N_h/n_h) sum_i t_i  /  sum_h (N_h/n_h) sum_i b_i       tokens per byte
      tokens = round(R * B)

  Long documents weigh in proportion to their bytes, as they do in the group, so that the estimate
  is unbiased up to O(1/n) whatever the length distribution.

**The error bound.** The variance of the estimate comes from the delta method (the variance of a
ratio of means), summed over the strata::

      Var(tokens) = sum_h N_h**2 * (1 - n_h / N_h) / n_h * s_h**2
      s_h**2 = sum_i (e_i - mean_h(e)) ** 2 / (n_h - 1),   e_i = t_i - R * b_i

where ``1 - n_h / N_h`` is the finite population correction: 0 for a stratum tokenized entirely,
which adds no variance. For a single stratum this is the textbook ``SE(R) = sqrt(sum(e_i ** 2) /
(n * (n - 1))) / mean(b) * sqrt(1 - n / N)`` with ``mean(b) = B / N``, the group's mean document
size. The reported ``relative_error`` is the half-width of a ~95% confidence interval relative to
the estimate: ``q * sqrt(Var(tokens)) / (R * B)`` with ``q`` the 97.5% quantile of Student's t
with ``n - 1`` degrees of freedom, ``n`` the documents tokenized over all strata (1.96 for large
samples; larger for small ones, e.g. 12.7 for n = 2, 2.09 for n = 20: :func:`t_quantile_975`).

How to read it: ``relative_error = 0.004`` means the true token count of the group lies within
``tokens * (1 ± 0.004)`` with about 95% confidence, i.e. in about 19 groups out of 20. It measures
the *sampling* error only, for this tokenizer: the residuals ``t_i - R * b_i`` are small when
every document has about the same tokens per byte, so a homogeneous group needs few documents and
a mixed one (code with prose, several scripts) more. It is an approximation that is good for the
samples the scanner keeps (hundreds of documents or more); for a handful of documents it is rough
and for heavily skewed or mixed groups it tends to be a little optimistic (about 94% rather than 95%
in the tests).

Special cases:

* every stratum tokenized entirely (``n_h = N_h``: exact mode, or a shard holding no more of the
  group than ``token_sample`` documents): the count is exact (``exact=True``,
  ``relative_error = 0.0``); so is an empty tally (no document);
* a stratum with no sampled document cannot be tallied unless it is empty
  (:meth:`TokenTally.of_stratum` raises :class:`ValueError`);
* one document sampled from a stratum of several says nothing about its spread:
  ``relative_error = math.inf`` (the estimate itself is still ``R * B``);
* every sampled document is empty (and the sample is not the whole group): no ratio can be
  measured: 0 tokens with ``relative_error = math.inf``;
* an estimate that rounds to 0 tokens has ``relative_error`` 0.0 when the residuals have no
  variance, else ``math.inf``.

**Sample size.** The bound shrinks as ``1/sqrt(n)``: ``relative_error ≈ c / sqrt(n)`` (times the
finite population correction) where ``c`` depends on how much tokens per byte varies between the
group's documents (and on how skewed their lengths are); measured with the test tokenizer on
lognormal lengths (sigma 1): c ≈ 0.09 for English prose, 0.15 for code, 0.3 for text mixing
scripts within each document and 1.4 when each document is in another script (a multilingual
subset), i.e. ±1% takes about 100, 250, 900 and 20,000 documents: ``(c / target) ** 2``.

With exact tokens (``ScanOptions.exact_tokens``) the scanner tokenizes every document instead, in
batches of about :data:`MAX_BATCH_CHARS` characters; every stratum is then whole and the tally is
exact.

**Tokenizers** come from a local ``tokenizer.json`` (the Hugging Face ``tokenizers`` format)
through :meth:`Tokenizer.from_file`; nothing is ever downloaded. Tokens are counted without
special tokens (no BOS/EOS from the post-processor) and with any truncation and padding saved in
the file turned off. ``tokenizers`` encodes a batch on all cores itself (its Rust thread pool;
``TOKENIZERS_PARALLELISM=false`` turns that off). Note that it disables its parallelism in a
process forked after it has been used, so tokenize in the parent or in spawned workers.

Text is counted as UTF-8. A ``str`` holding lone surrogates (from a JSON ``"\\ud800"`` escape)
cannot be encoded as UTF-8 nor tokenized: such text is counted after replacing each lone
surrogate with U+FFFD (and joining a split surrogate pair into its character), see
:func:`clean_text` and :func:`utf8_bytes`.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..lfs import describe, lfs_pointer, pull_hint

__all__ = [
    "TokenEstimate",
    "TokenTally",
    "Tokenizer",
    "TokenizerError",
    "clean_text",
    "t_quantile_975",
    "utf8_bytes",
]

# Characters per call to the tokenizer: bounds the memory of the encodings of one batch (about
# 100 bytes per token in ``tokenizers``) while keeping batches large enough for its thread pool.
MAX_BATCH_CHARS = 1 << 20

# 97.5% quantiles of Student's t for 1..30 degrees of freedom.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
_Z975 = 1.959963984540054


def t_quantile_975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (1.96 as df grows)."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975
    # Cornish-Fisher expansion; below 1e-4 of the exact value from df = 30 on.
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


@dataclass(frozen=True)
class TokenEstimate:
    """The token count of one group, estimated from a sample (or exact)."""

    tokens: int
    """Estimated (or exact) token count of the group."""
    tokens_per_byte: float
    """Tokens per UTF-8 byte measured on the sample (``R``: each stratum's sums weighted by
    ``N_h / n_h``); ``tokens / bytes`` when exact."""
    relative_error: float
    """Half-width of the ~95% confidence interval relative to ``tokens`` (0.004 = ±0.4%); 0.0 when
    exact, ``math.inf`` when the sample cannot bound it (see the module docstring)."""
    sample_documents: int
    """Documents tokenized (all the group's when exact)."""
    exact: bool

    @property
    def low(self) -> float:
        """Lower end of the ~95% interval."""
        return self.tokens * (1.0 - self.relative_error) if math.isfinite(self.relative_error) else 0.0

    @property
    def high(self) -> float:
        """Upper end of the ~95% interval."""
        return self.tokens * (1.0 + self.relative_error) if math.isfinite(self.relative_error) else math.inf


class TokenizerError(Exception):
    """A tokenizer that cannot be loaded; names the path."""

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        self.path = os.fspath(path)
        self.message = message
        super().__init__(f"tokenizer {self.path}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.message))


def clean_text(text: str) -> str:
    """``text`` as the tokenizer sees it: lone surrogates replaced with U+FFFD (a split surrogate
    pair becomes its character); any other string is returned as is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def utf8_bytes(text: str) -> int:
    """UTF-8 length of ``text`` (of :func:`clean_text` of it when it holds lone surrogates)."""
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return len(clean_text(text).encode("utf-8"))


_CACHE: dict[str, tuple[tuple[int, int, int], Tokenizer]] = {}
_CACHE_LOCK = threading.Lock()


class Tokenizer:
    """A ``tokenizers`` tokenizer loaded from a local ``tokenizer.json``, for counting tokens.

    Build it with :meth:`from_file` (cached per path). ``fingerprint`` is the sha256 of the file's
    bytes, for cache keys. Instances pickle (with the tokenizer itself, not a reference to the file).
    """

    __slots__ = ("_tokenizer", "fingerprint", "path")

    def __init__(self, tokenizer: Any, path: str, fingerprint: str) -> None:
        self._tokenizer = tokenizer
        self.path = path
        self.fingerprint = fingerprint

    def __getstate__(self) -> dict[str, Any]:
        return {"tokenizer": self._tokenizer, "path": self.path, "fingerprint": self.fingerprint}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._tokenizer, self.path, self.fingerprint = state["tokenizer"], state["path"], state["fingerprint"]

    def __repr__(self) -> str:
        return f"Tokenizer({self.path!r}, fingerprint={self.fingerprint[:12]}...)"

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Tokenizer:
        """Load a ``tokenizer.json`` (or a directory holding one). Never downloads anything: a
        name such as ``gpt2`` is a missing file. Cached per path; reloaded when the file changes.

        Raises :class:`TokenizerError` (naming the path) for a missing, unreadable or invalid file.
        """
        original = os.fspath(path)
        file = Path(original).expanduser()
        if file.is_dir():
            file = file / "tokenizer.json"
        try:
            resolved = str(file.resolve())
            st = os.stat(resolved)
        except FileNotFoundError:
            hint = (
                ""
                if os.sep in original or original.endswith(".json")
                else " (a local tokenizer.json is needed; nothing is downloaded)"
            )
            raise TokenizerError(file, f"no such file{hint}") from None
        except (OSError, RuntimeError, ValueError) as exc:  # ValueError: a NUL in the path
            raise TokenizerError(file, f"cannot read: {exc}") from None
        signature = (st.st_size, st.st_mtime_ns, st.st_ino)
        with _CACHE_LOCK:
            cached = _CACHE.get(resolved)
        if cached is not None and cached[0] == signature:
            return cached[1]
        tokenizer = cls._load(file, resolved)
        with _CACHE_LOCK:
            _CACHE[resolved] = (signature, tokenizer)
        return tokenizer

    @classmethod
    def _load(cls, file: Path, resolved: str) -> Tokenizer:
        try:
            from tokenizers import Tokenizer as HFTokenizer
        except ImportError:  # pragma: no cover - tokenizers is a dependency
            raise TokenizerError(file, "the 'tokenizers' package is not installed (pip install tokenizers)") from None
        try:
            data = Path(resolved).read_bytes()
        except OSError as exc:
            raise TokenizerError(file, f"cannot read: {exc.strerror or exc}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TokenizerError(file, f"not a tokenizer.json: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        if not text.strip():
            raise TokenizerError(file, "not a tokenizer.json: the file is empty")
        pointer = lfs_pointer(resolved)
        if pointer is not None:
            raise TokenizerError(file, f"{describe(pointer)}; fetch it: {pull_hint([resolved])}")
        try:
            inner = HFTokenizer.from_str(text)
        except Exception as exc:  # tokenizers raises a bare Exception for invalid JSON or models
            raise TokenizerError(file, f"not a valid tokenizer.json: {exc}") from None
        # Count every token of every text: a saved truncation or padding would cut or inflate it.
        inner.no_truncation()
        inner.no_padding()
        return cls(inner, str(file), hashlib.sha256(data).hexdigest())

    def count(self, texts: Sequence[str]) -> list[int]:
        """Tokens in each text (no special tokens), in order. Batches are encoded in parallel by
        ``tokenizers``; long inputs are cut into batches of about 1M characters to bound memory."""
        if isinstance(texts, str):
            raise TypeError("count() takes a list of texts, not a single string")
        texts = texts if isinstance(texts, list) else list(texts)
        counts: list[int] = []
        start = 0
        while start < len(texts):
            end, chars = start, 0
            while end < len(texts) and (end == start or chars < MAX_BATCH_CHARS):
                text = texts[end]
                if not isinstance(text, str):
                    raise TypeError(f"texts[{end}] is {type(text).__name__}, not str")
                chars += len(text)
                end += 1
            counts.extend(self._encode(texts[start:end]))
            start = end
        return counts

    def _encode(self, batch: list[str]) -> list[int]:
        encode = getattr(self._tokenizer, "encode_batch_fast", None) or self._tokenizer.encode_batch
        try:
            encodings = encode(batch, add_special_tokens=False)
        except TypeError:
            # Lone surrogates cannot cross into Rust; count the text as the scanner sees it.
            encodings = encode([clean_text(text) for text in batch], add_special_tokens=False)
        return [len(encoding) for encoding in encodings]


@dataclass
class TokenTally:
    """What a scan keeps of a group's token sample: sufficient statistics, no text.

    A scan samples each group separately in every shard (or part of a shard): these are the strata
    of a stratified sample, ``n_h`` documents drawn without replacement from a stratum's ``N_h``.
    The **combined ratio estimator** weighs each stratum by ``N_h / n_h``::

        R = sum_h (N_h/n_h) sum_i t_i  /  sum_h (N_h/n_h) sum_i b_i        tokens = round(R * B)
        Var(tokens) = sum_h N_h^2 (1 - n_h/N_h) / n_h * s_h^2,   s_h^2 = var_i(t_i - R b_i)

    ``s_h^2 (n_h - 1)`` expands to ``a_h + b_h R + c_h R^2`` (from integer sums over the stratum),
    so strata merge by adding: the tally of a whole corpus is the sum of its shards' tallies, and
    the cache stores one tally per shard and group. A stratum tokenized entirely (``n_h = N_h``,
    exact mode or a small stratum) adds no variance; a whole tally of such strata is exact.
    """

    documents: int = 0  # N: documents of all strata
    sampled: int = 0  # n: documents tokenized
    weighted_tokens: float = 0.0
    weighted_bytes: float = 0.0
    var_a: float = 0.0
    var_b: float = 0.0
    var_c: float = 0.0
    unbounded: bool = False  # a stratum of several documents had one sampled: no variance to measure

    @classmethod
    def of_stratum(cls, tokens: Sequence[int], sizes: Sequence[int], documents: int) -> TokenTally:
        """One stratum: ``tokens[i]`` and ``sizes[i]`` (UTF-8 bytes) of each sampled document of
        a stratum of ``documents`` documents (all of them when ``len(tokens) == documents``)."""
        n = len(tokens)
        if len(sizes) != n or n > documents or (documents and not n):
            raise ValueError(f"a sample of {n} documents ({len(sizes)} sizes) from a stratum of {documents}")
        st, sb = sum(tokens), sum(sizes)
        tally = cls(documents, n)
        if n == 0:
            return tally
        weight = documents / n
        tally.weighted_tokens, tally.weighted_bytes = weight * st, weight * sb
        if n == documents:
            return tally
        if n == 1:
            tally.unbounded = True
            return tally
        stt = sum(t * t for t in tokens)
        sbb = sum(b * b for b in sizes)
        stb = sum(t * b for t, b in zip(tokens, sizes, strict=True))
        k = documents * documents * (1 - n / documents) / (n * (n - 1))
        # n * (sum of squares) - (sum) ** 2 in integers: no cancellation before the division.
        tally.var_a = k * (n * stt - st * st) / n
        tally.var_b = -2 * k * (n * stb - st * sb) / n
        tally.var_c = k * (n * sbb - sb * sb) / n
        return tally

    def merge(self, other: TokenTally) -> None:
        self.documents += other.documents
        self.sampled += other.sampled
        self.weighted_tokens += other.weighted_tokens
        self.weighted_bytes += other.weighted_bytes
        self.var_a += other.var_a
        self.var_b += other.var_b
        self.var_c += other.var_c
        self.unbounded = self.unbounded or other.unbounded

    def estimate(self, group_bytes: int) -> TokenEstimate:
        """The group's tokens, given its exact UTF-8 bytes (counted over every document)."""
        if self.sampled == self.documents:
            tokens = round(self.weighted_tokens)
            return TokenEstimate(tokens, tokens / group_bytes if group_bytes else 0.0, 0.0, self.sampled, True)
        if self.weighted_bytes == 0:
            return TokenEstimate(0, 0.0, math.inf, self.sampled, False)
        ratio = self.weighted_tokens / self.weighted_bytes
        tokens = round(ratio * group_bytes)
        variance = max(0.0, self.var_a + self.var_b * ratio + self.var_c * ratio * ratio)
        if self.unbounded or self.sampled < 2:
            relative = math.inf
        elif tokens == 0:
            relative = 0.0 if variance == 0 else math.inf
        else:
            relative = t_quantile_975(self.sampled - 1) * math.sqrt(variance) / (ratio * group_bytes)
        return TokenEstimate(tokens, ratio, relative, self.sampled, False)
