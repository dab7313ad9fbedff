"""Map source and config names to domains (``github`` -> code) by ordered glob patterns."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from .paths import name_matches

# Ordered: the first matching pattern wins, so the specific ones (stackexchange) come before the
# general ones (stack, as in The Stack). Patterns match the lower-cased name.
DEFAULT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("*stackexchange*", "qa"), ("*stack_exchange*", "qa"), ("*stack-exchange*", "qa"),
    ("*stackoverflow*", "qa"), ("*qa", "qa"), ("qa*", "qa"),
    ("*github*", "code"), ("*code*", "code"), ("*stack*", "code"), ("*starcoder*", "code"),
    ("*arxiv*", "academic"), ("*pubmed*", "academic"), ("*pes2o*", "academic"), ("*s2orc*", "academic"),
    ("*semantic_scholar*", "academic"), ("*paper*", "academic"), ("*philpapers*", "academic"),
    ("*wiki*", "encyclopedic"),
    ("*book*", "books"), ("*gutenberg*", "books"), ("pg19*", "books"), ("pg-19*", "books"),
    ("*math*", "math"), ("*proof*", "math"),
    ("*common_crawl*", "web"), ("*commoncrawl*", "web"), ("*common-crawl*", "web"), ("cc", "web"),
    ("cc_*", "web"), ("cc-*", "web"), ("c4", "web"), ("c4_*", "web"), ("c4-*", "web"), ("*web*", "web"),
    ("*fineweb*", "web"), ("*dclm*", "web"), ("*crawl*", "web"), ("*news*", "web"),
    ("*reddit*", "dialogue"), ("*dialog*", "dialogue"), ("*chat*", "dialogue"), ("*subtitles*", "dialogue"),
    ("*freelaw*", "legal"), ("*legal*", "legal"), ("*law*", "legal"), ("*uspto*", "legal"),
)

KNOWN_DOMAINS = frozenset(domain for _, domain in DEFAULT_PATTERNS)


def check_domain(value: str) -> str:
    """``value``, unless it is one letter from a built-in domain (``kode``, ``cod``): a typo that
    would select nothing, or name a source's domain so that no rule finds it. A domain of one's
    own (``legal-contracts``) is fine. Raises ValueError with "did you mean"."""
    import difflib

    if value.lower() not in KNOWN_DOMAINS:
        close = difflib.get_close_matches(value.lower(), sorted(KNOWN_DOMAINS), n=1, cutoff=0.75)
        if close:
            raise ValueError(f"unknown domain {value!r}: did you mean {close[0]!r}? (a domain of your own must not "
                             f"be this close to a built-in one: {', '.join(sorted(KNOWN_DOMAINS))})")
    return value


def pattern_lines(lines: Iterable[str], key: str, form: str) -> list[tuple[str, str]]:
    """``PATTERN = VALUE`` ini lines (blank lines and ``#`` comments skipped); the last ``=``
    separates them. Raises ValueError naming ``key`` and the ``form`` expected."""
    pairs = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, sep, value = line.rpartition("=")
        if not sep or not pattern.strip() or not value.strip():
            raise ValueError(f"{key}: {line!r} is not {form}")
        pairs.append((pattern.strip(), value.strip()))
    return pairs


@dataclass(frozen=True)
class DomainPatterns:
    patterns: tuple[tuple[str, str], ...] = DEFAULT_PATTERNS

    @classmethod
    def with_user_patterns(cls, lines: Iterable[str]) -> DomainPatterns:
        """User lines ``PATTERN = DOMAIN`` (e.g. ``the-stack* = code``) take precedence over defaults."""
        user = [(pattern.lower(), domain) for pattern, domain in
                 pattern_lines(lines, "mixlint_domains", "'PATTERN = DOMAIN' (e.g. 'the-stack* = code')")]
        return cls(tuple(user) + DEFAULT_PATTERNS)

    def domain_of(self, name: str) -> str | None:
        return _compiled(self.patterns).match(name.lower())


class _Compiled:
    def __init__(self, patterns: tuple[tuple[str, str], ...]) -> None:
        self.patterns = patterns
        self.memo: dict[str, str | None] = {}

    def match(self, name: str) -> str | None:
        if name not in self.memo:
            self.memo[name] = next((d for pattern, d in self.patterns if name_matches(name, pattern)), None)
        return self.memo[name]


@functools.lru_cache(maxsize=16)
def _compiled(patterns: tuple[tuple[str, str], ...]) -> _Compiled:
    return _Compiled(patterns)
