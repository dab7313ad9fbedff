"""Tokens counted while a shard (or a part of it) is read.

Per group, either a seeded reservoir sample of up to ``token_sample`` documents (a simple random
sample of the group's documents in this part, whatever their order) or, for exact counts, every
document, tokenized in batches as the scan goes. Only sufficient statistics leave (one
:class:`TokenTally` per group): no text reaches the cache or another process.
"""

from __future__ import annotations

import os
import random

from .counts import Group, GroupCounts, ScanOptions
from .tokens import MAX_BATCH_CHARS, Tokenizer, TokenTally, utf8_bytes


class TokenSampler:
    def __init__(self, options: ScanOptions, stratum: str) -> None:
        assert options.tokenizer is not None
        self.tokenizer = Tokenizer.from_file(options.tokenizer)
        self.exact = options.exact_tokens
        self.capacity = options.token_sample
        # Seeded by the shard's name and part: the same data gives the same sample on any machine.
        self.random = random.Random(stratum)
        self.seen: dict[Group, int] = {}
        self.texts: dict[Group, list[str]] = {}  # the reservoir, or (exact) the batch being filled
        self.batch_chars: dict[Group, int] = {}
        self.exact_tallies: dict[Group, TokenTally] = {}

    def add(self, group: Group, text: str) -> None:
        seen = self.seen[group] = self.seen.get(group, 0) + 1
        texts = self.texts.setdefault(group, [])
        if self.exact:
            texts.append(text)
            chars = self.batch_chars[group] = self.batch_chars.get(group, 0) + len(text)
            if chars >= MAX_BATCH_CHARS:
                self._flush(group)
        elif len(texts) < self.capacity:
            texts.append(text)
        else:  # Algorithm R: every document seen so far is in the reservoir with equal probability
            slot = self.random.randrange(seen)
            if slot < self.capacity:
                texts[slot] = text

    def _flush(self, group: Group) -> None:
        texts = self.texts.pop(group, [])
        self.batch_chars[group] = 0
        tally = TokenTally.of_stratum(self.tokenizer.count(texts), [utf8_bytes(t) for t in texts], len(texts))
        self.exact_tallies.setdefault(group, TokenTally()).merge(tally)

    def tallies(self) -> dict[Group, TokenTally]:
        if self.exact:
            for group in list(self.texts):
                self._flush(group)
            return self.exact_tallies
        return {group: TokenTally.of_stratum(self.tokenizer.count(texts), [utf8_bytes(t) for t in texts], self.seen[group])
                for group, texts in self.texts.items()}


def sampler_for(path: str, options: ScanOptions, part: tuple[int, int] | None) -> TokenSampler | None:
    """A sampler for one shard (part) when the scan counts tokens, else None."""
    if options.tokenizer is None:
        return None
    return TokenSampler(options, f"{os.path.basename(path)}|{part}")


def with_tokens(counts: GroupCounts, sampler: TokenSampler | None) -> GroupCounts:
    """``counts`` with the sampler's token tallies added to its groups."""
    if sampler is not None:
        for group, tally in sampler.tallies().items():
            counts.groups[group].tokens = tally
    return counts
