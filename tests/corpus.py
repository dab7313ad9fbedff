"""A small generated corpus of known composition, in every format the scanner reads."""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

SUBSETS = ("common_crawl", "github", "arxiv", "wikipedia")


@dataclass
class Truth:
    documents: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)
    characters: dict[str, int] = field(default_factory=dict)

    def add(self, group: str, text: str) -> None:
        self.documents[group] = self.documents.get(group, 0) + 1
        self.bytes[group] = self.bytes.get(group, 0) + len(text.encode())
        self.characters[group] = self.characters.get(group, 0) + len(text)


def records(count: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        subset = rng.choice(SUBSETS)
        words = [rng.choice(["data", "mixture", "token", "ünïcode", "数据", "def f(x):\n    return x", "é"])
                 for _ in range(int(rng.lognormvariate(3, 1)) + 1)]
        out.append({"text": " ".join(words), "meta": {"red_pajama_subset": subset, "id": i}})
    return out


def truth_of(rows: list[dict]) -> Truth:
    truth = Truth()
    for row in rows:
        truth.add(row["meta"]["red_pajama_subset"], row["text"])
    return truth


def write(path: Path, rows: list[dict]) -> Path:
    """Write ``rows`` in the format the file name says."""
    path.parent.mkdir(parents=True, exist_ok=True)
    name = path.name
    if name.endswith((".jsonl", ".jsonl.gz", ".jsonl.zst")):
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
        if name.endswith(".gz"):
            data = gzip.compress(data)
        elif name.endswith(".zst"):
            import zstandard

            data = zstandard.ZstdCompressor().compress(data)
        path.write_bytes(data)
    elif name.endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=max(1, len(rows) // 3))
    elif name.endswith(".arrow"):
        import pyarrow as pa

        table = pa.Table.from_pylist(rows)
        with pa.ipc.new_stream(path, table.schema) as writer:
            writer.write_table(table, max_chunksize=max(1, len(rows) // 3))
    else:
        raise ValueError(name)
    return path
