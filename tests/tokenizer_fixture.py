"""A small byte-level BPE tokenizer, trained here so that tests never download one.

``train_tokenizer(path)`` trains a ~2,000-token byte-level BPE tokenizer with the Hugging Face
``tokenizers`` library on deterministic generated text (English-like prose, Python-like code and
non-ASCII-heavy text) and saves it as ``tokenizer.json``; it takes well under a second.

The text generators (``prose``, ``code``, ``non_ascii`` and ``document``) are exported too, so that
tests can build corpora of the same kinds of text (with other seeds) to measure against it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

VOCAB_SIZE = 2000
SPECIAL_TOKENS = ["<|endoftext|>", "<|pad|>"]


def _split(words: str) -> list[str]:
    return words.split()


_WORDS = _split(
    "the of and to in is was for on that with as by at from this be are it an or which have not "
    "has data model training corpus token language text document source mixture filter quality "
    "web code paper book article license share percent sample measure manifest scan shard "
    "record field value people time year world government system company city water history "
    "music science research however although because therefore between during without within "
    "through against among important different available including following significant "
    "particular information development university international community environment "
    "technology population"
)
_NAMES = _split("Alice Bob Carol Dave Paris London Berlin Tokyo Python Linux Wikipedia GitHub Europe Africa")
_PUNCT = [",", ",", ";", ":", " -", ""]
_IDENTS = _split("x y i j n k data value result items path text count total index buffer config node key")
_FUNCS = _split("load_data parse compute_total read_file main process update encode decode validate merge")
_LATIN = _split("été garçon naïve Straße Zürich façade São Paulo mañana niño crème brûlée Ångström Dvořák Łódź")
_CYRILLIC = _split("привет мир данные модель язык текст корпус обучение история наука город время")
_GREEK = _split("γεια σου κόσμε δεδομένα μοντέλο γλώσσα κείμενο ιστορία")
_ARABIC = _split("مرحبا بالعالم البيانات النموذج اللغة النص")
_CJK = "数据模型训练语言文本文档来源混合过滤质量网络代码论文书籍许可证历史科学研究城市時間東京大学日本語学習"
_KANA = "これはテストですデータセットのトークンを数えます"
_HANGUL = "데이터모델언어텍스트문서학습역사과학"
_EMOJI = "😀🚀📚🔥✨🌍🎉👍"


def _sentence(rng: random.Random) -> str:
    words = []
    for i in range(rng.randint(4, 22)):
        roll = rng.random()
        if roll < 0.06:
            word = rng.choice(_NAMES)
        elif roll < 0.1:
            word = str(rng.choice([rng.randint(0, 100), rng.randint(1800, 2030), round(rng.uniform(0, 100), 1)]))
        else:
            word = rng.choice(_WORDS)
        if i == 0:
            word = word[:1].upper() + word[1:]
        words.append(word + (rng.choice(_PUNCT) if rng.random() < 0.12 else ""))
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])


def prose(rng: random.Random, size: int) -> str:
    """English-like prose of about ``size`` characters, in paragraphs."""
    parts: list[str] = []
    length = 0
    while length < size:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(1, 6)))
        parts.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(parts)


def _statement(rng: random.Random) -> str:
    a, b = rng.choice(_IDENTS), rng.choice(_IDENTS)
    return rng.choice(
        [
            f"{a} = {b} + {rng.randint(0, 99)}",
            f"{a} = {rng.choice(_FUNCS)}({b}, {rng.choice(_IDENTS)})",
            f"if {a} > {rng.randint(0, 9)}:\n        return {b}",
            f"for {a} in range(len({b})):\n        total += {b}[{a}]",
            f"{a}.append({b} * {rng.uniform(0, 10):.3f})",
            f"# {_sentence(rng).lower()}",
            f'logger.info("{rng.choice(_WORDS)} %s", {a})',
            f"{a} = [{', '.join(str(rng.randint(0, 255)) for _ in range(rng.randint(1, 8)))}]",
        ]
    )


def code(rng: random.Random, size: int) -> str:
    """Python-like source code of about ``size`` characters."""
    parts: list[str] = [f"import {rng.choice(['os', 'sys', 'json', 'math', 're'])}\n"]
    length = len(parts[0])
    while length < size:
        name = rng.choice(_FUNCS) + (f"_{rng.randint(0, 99)}" if rng.random() < 0.5 else "")
        args = ", ".join(rng.sample(_IDENTS, rng.randint(0, 3)))
        body = "\n".join("    " + _statement(rng) for _ in range(rng.randint(1, 8)))
        function = f'\ndef {name}({args}):\n    """{_sentence(rng)}"""\n{body}\n    return {rng.choice(_IDENTS)}\n'
        parts.append(function)
        length += len(function)
    return "".join(parts)


# Chunks of non-ASCII text: (alphabet, joiner, fewest and most picks, ending). Kind 8 is English.
_CHUNKS: list[tuple[Sequence[str], str, int, int, str]] = [
    (_CJK, "", 5, 40, "。"),
    (_KANA, "", 5, 30, "。"),
    (_HANGUL, "", 3, 20, "."),
    (_CYRILLIC, " ", 3, 15, "."),
    (_GREEK, " ", 3, 12, "."),
    (_ARABIC, " ", 3, 12, "."),
    (_EMOJI, "", 1, 4, ""),
    (_LATIN + _WORDS, " ", 3, 15, "."),
]


def _chunk(rng: random.Random, kind: int) -> str:
    if kind >= len(_CHUNKS):
        return _sentence(rng)
    alphabet, joiner, fewest, most, ending = _CHUNKS[kind]
    return joiner.join(rng.choice(alphabet) for _ in range(rng.randint(fewest, most))) + ending


def non_ascii(rng: random.Random, size: int) -> str:
    """Non-ASCII-heavy text of about ``size`` characters: CJK, kana, Hangul, Cyrillic, Greek,
    Arabic, accented Latin and emoji mixed with some English, in proportions that vary per document."""
    kinds = list(range(9))
    weights = [0.3 + rng.random() for _ in kinds]
    parts: list[str] = []
    length = 0
    while length < size:
        chunk = _chunk(rng, rng.choices(kinds, weights)[0])
        parts.append(chunk)
        length += len(chunk) + 1
    return " ".join(parts)


def multilingual(rng: random.Random, size: int) -> str:
    """Like :func:`non_ascii`, but each document is mostly in one script (as in a multilingual wiki
    subset): tokens per byte differs several-fold between documents, the hard case for sampling."""
    main = rng.choice([0, 0, 1, 2, 3, 3, 4, 5, 7])
    share = rng.uniform(0.6, 0.95)
    parts: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        chunk = _chunk(rng, main if roll < share else 6 if roll < share + 0.03 else 8)
        parts.append(chunk)
        length += len(chunk) + 1
    return " ".join(parts)


# The kinds of text the tokenizer is trained on.
GENERATORS: dict[str, Callable[[random.Random, int], str]] = {"prose": prose, "code": code, "non_ascii": non_ascii}
KINDS: dict[str, Callable[[random.Random, int], str]] = {**GENERATORS, "multilingual": multilingual}


def document(rng: random.Random, kind: str, median_chars: float = 600.0, sigma: float = 1.0) -> str:
    """One document of ``kind`` ("prose", "code", "non_ascii" or "multilingual") with a lognormal
    length in characters (median ``median_chars``)."""
    size = max(1, int(rng.lognormvariate(0.0, sigma) * median_chars))
    return KINDS[kind](rng, size)[:size]


def training_texts(seed: int = 0, per_kind: int = 300) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(per_kind):
        for kind in GENERATORS:
            yield document(rng, kind, median_chars=500.0, sigma=0.8)


def train_tokenizer(path: Path, vocab_size: int = VOCAB_SIZE) -> Path:
    """Train the test tokenizer and save it; returns the path of the ``tokenizer.json``.

    ``path`` is a directory (created if needed) or a ``.json`` file path. Training is deterministic
    in its input; no network is used.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    path = Path(path)
    target = path if path.suffix == ".json" else path / "tokenizer.json"
    target.parent.mkdir(parents=True, exist_ok=True)

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        show_progress=False,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(training_texts(), trainer=trainer)
    tokenizer.save(str(target))
    return target
