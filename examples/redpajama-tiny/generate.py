#!/usr/bin/env python
"""Generate the data of this example: a tiny RedPajama-shaped corpus.

Seven subsets in mixed shards (documents say which subset they come from in
``meta.red_pajama_subset``), as JSONL.zst plus one Parquet shard, about 1.5 MB. The manifest
beside this script claims RedPajama's published proportions, but the data was "filtered" here:
GitHub keeps only about a third of its share, so `pytest --mixlint` shows the declared code share
(10% in this example's manifest) against the measured one (about 4%).

It also trains the example's tokenizer, a 1,000-token byte-level BPE (Hugging Face
``tokenizers``) saved as ``tokenizer.json``, on the corpus itself: the manifest's
``scan.tokenizer`` counts tokens with it, offline.

Deterministic (seeded): running it again writes the same bytes. Run from anywhere:

    python examples/redpajama-tiny/generate.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
# subset -> (share of bytes in the data, typical document length in words)
SUBSETS = {"common_crawl": (0.66, 300), "c4": (0.16, 120), "github": (0.035, 200), "book": (0.05, 2000),
           "arxiv": (0.04, 900), "wikipedia": (0.035, 400), "stackexchange": (0.02, 150)}
TOTAL_BYTES = 1_500_000
WORDS = ("data mixture token model corpus train learn web page text the of and to in is that for "
         "encyclopédie naïve café 数据 模型").split()
CODE = ["def f(x):", "    return x + 1", "for i in range(10):", "    print(i)", "import os", "class A:", "    pass"]


def document(rng: random.Random, subset: str, words: int) -> str:
    n = max(5, int(rng.lognormvariate(0, 0.6) * words))
    if subset == "github":
        return "\n".join(rng.choice(CODE) for _ in range(n // 4))
    return " ".join(rng.choice(WORDS) for _ in range(n))


def main() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import zstandard

    rng = random.Random(20231017)
    rows = []
    for subset, (share, words) in SUBSETS.items():
        size = 0
        while size < share * TOTAL_BYTES:
            text = document(rng, subset, words)
            rows.append({"text": text, "meta": {"red_pajama_subset": subset, "id": len(rows)}})
            size += len(text.encode())
    rng.shuffle(rows)
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    shards = 4
    for i in range(shards - 1):
        chunk = rows[i::shards]
        payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk).encode()
        (data / f"shard-{i:02d}.jsonl.zst").write_bytes(zstandard.ZstdCompressor(level=19).compress(payload))
    last = rows[shards - 1::shards]
    pq.write_table(pa.Table.from_pylist(last), data / f"shard-{shards - 1:02d}.parquet", compression="zstd")
    print(f"wrote {len(rows)} documents in {shards} shards to {data}")
    train_tokenizer([row["text"] for row in rows], HERE / "tokenizer.json")
    print(f"wrote {HERE / 'tokenizer.json'}")


def train_tokenizer(texts: list[str], path: Path) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1000, min_frequency=2, show_progress=False, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer=trainer)
    tokenizer.save(str(path))


if __name__ == "__main__":
    main()
