"""Mutation fuzz of every data format the scanner reads (#8): for each of three seeds, 100 copies
of a valid shard per format (text, integer, dictionary and list columns beside it), each with 1 to
4 random bytes changed, counted by both engines in a child process.
No mutation may end that process with a signal, hang it, or raise anything but a located
ScanError; where both engines answer, they answer alike.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

MUTATIONS = 100
SEEDS = (20261201, 1, 2)  # the first is the one the tests began with; the others found more
CHILD = textwrap.dedent("""
    import gzip, json, random, sys
    import pyarrow as pa, pyarrow.ipc as ipc, pyarrow.parquet as pq, zstandard
    from pytest_mixlint.scan.counts import ScanError, ScanOptions
    from pytest_mixlint.scan.engine import scan_files

    fmt, directory, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rows = [{"text": f"document number {i} " * (i % 7 + 1), "id": i, "meta": {"g": f"g{i % 3}"},
             "tags": ["a", "b"][: i % 3], "kind": ["web", "code"][i % 2]} for i in range(300)]
    table = pa.Table.from_pylist(rows)
    table = table.set_column(table.schema.get_field_index("kind"), "kind", table.column("kind").dictionary_encode())
    good = f"{directory}/good.{fmt.split('-')[0]}"
    if fmt == "parquet":
        pq.write_table(table, good, row_group_size=100)
    elif fmt.startswith("arrow"):  # arrow: the file format; arrow-zstd: a stream with compressed buffers
        compression = "zstd" if fmt == "arrow-zstd" else None
        with pa.OSFile(good, "wb") as sink:
            new = ipc.new_stream if compression else ipc.new_file
            with new(sink, table.schema, options=ipc.IpcWriteOptions(compression=compression)) as writer:
                writer.write_table(table, max_chunksize=100)
    else:
        raw = "".join(json.dumps(r) + "\\n" for r in rows).encode()
        compress = {"jsonl": lambda d: d, "jsonl.gz": lambda d: gzip.compress(d, mtime=0),
                    "jsonl.zst": lambda d: zstandard.ZstdCompressor(write_checksum=True).compress(d)}[fmt]
        open(good, "wb").write(compress(raw))
    data = open(good, "rb").read()
    rng = random.Random(seed)
    disagreements = []
    for k in range(count):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        path = f"{directory}/m{k}.{fmt.split('-')[0]}"
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


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fmt", ["jsonl", "jsonl.gz", "jsonl.zst", "parquet", "arrow", "arrow-zstd"])
def test_random_byte_changes_never_crash_or_hang(tmp_path, fmt, seed):
    try:
        run = subprocess.run([sys.executable, "-c", CHILD, fmt, str(tmp_path), str(MUTATIONS), str(seed)],
                             capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"a {fmt} mutation (seed {seed}) hung the scan after mutation {(exc.stdout or b'').split()[-1:]}")
    done = run.stdout.split()
    assert run.returncode == 0, (f"{fmt}, seed {seed}: mutation {done[-1] if done else '?'} ended the process "
                                 f"({run.returncode}): {run.stderr[-800:]}")
    assert run.stdout.strip().endswith("disagreements []"), f"seed {seed}: {run.stdout[-300:]}"
