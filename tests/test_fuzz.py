"""Mutation fuzz of every data format the scanner reads (#8): 100 seeded copies of a valid shard
per format, each with 1 to 4 random bytes changed, counted by both engines in a child process.
No mutation may end that process with a signal, hang it, or raise anything but a located
ScanError; where both engines answer, they answer alike.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

MUTATIONS = 100
CHILD = textwrap.dedent("""
    import gzip, json, random, sys
    import pyarrow as pa, pyarrow.ipc as ipc, pyarrow.parquet as pq, zstandard
    from pytest_mixlint.scan.counts import ScanError, ScanOptions
    from pytest_mixlint.scan.engine import scan_files

    fmt, directory, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rows = [{"text": f"document number {i} " * (i % 7 + 1), "id": i, "meta": {"g": f"g{i % 3}"}} for i in range(300)]
    good = f"{directory}/good.{fmt}"
    if fmt == "parquet":
        pq.write_table(pa.Table.from_pylist(rows), good, row_group_size=100)
    elif fmt == "arrow":
        table = pa.Table.from_pylist(rows)
        with pa.OSFile(good, "wb") as sink, ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
    else:
        raw = "".join(json.dumps(r) + "\\n" for r in rows).encode()
        compress = {"jsonl": lambda d: d, "jsonl.gz": lambda d: gzip.compress(d, mtime=0),
                    "jsonl.zst": lambda d: zstandard.ZstdCompressor(write_checksum=True).compress(d)}[fmt]
        open(good, "wb").write(compress(raw))
    data = open(good, "rb").read()
    rng = random.Random(20261201)
    disagreements = []
    for k in range(count):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        path = f"{directory}/m{k}.{fmt}"
        open(path, "wb").write(mutated)
        print(k, flush=True)  # the last number printed names a mutation that killed the process
        answers = []
        for engine in ("auto", "python"):
            result = scan_files([path], ScanOptions(group_by="meta.g", engine=engine))
            for error in result.errors:
                assert isinstance(error, ScanError) and error.path == path and error.message, error
                assert "internal" not in error.message, error
            answers.append(None if result.errors else
                           sorted(((g, c.documents, c.bytes, c.characters) for g, c in result.total().groups.items()), key=repr))
        if None not in answers and answers[0] != answers[1]:
            disagreements.append(k)
    print("disagreements", disagreements)
""")


@pytest.mark.parametrize("fmt", ["jsonl", "jsonl.gz", "jsonl.zst", "parquet", "arrow"])
def test_random_byte_changes_never_crash_or_hang(tmp_path, fmt):
    try:
        run = subprocess.run([sys.executable, "-c", CHILD, fmt, str(tmp_path), str(MUTATIONS)],
                             capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"a {fmt} mutation hung the scan after mutation {(exc.stdout or b'').split()[-1:]}")
    done = run.stdout.split()
    assert run.returncode == 0, f"{fmt}: mutation {done[-1] if done else '?'} ended the process ({run.returncode}): {run.stderr[-800:]}"
    assert run.stdout.strip().endswith("disagreements []"), run.stdout[-300:]
