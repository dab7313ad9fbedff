"""Tokens measured while scanning: exact counts in every format and part, stratified estimates
within 1% of exact for groups of >= 1,000 documents (with a bound that covers the truth), and
token tallies in the cache."""

from __future__ import annotations

import math
import random

import msgspec
import pytest

from pytest_mixlint.scan import ScanOptions, ShardCache
from pytest_mixlint.scan.engine import scan_files
from pytest_mixlint.scan.tokens import Tokenizer, TokenTally, t_quantile_975
from tests.tokenizer_fixture import document, train_tokenizer

from .corpus import write

KINDS = ("prose", "code", "non_ascii")


@pytest.fixture(scope="module")
def tokenizer_path(tmp_path_factory):
    return str(train_tokenizer(tmp_path_factory.mktemp("tokenizer")))


@pytest.fixture(scope="module")
def rows():
    """3 groups of 1,200 documents of different kinds of text, lognormal lengths."""
    rng = random.Random(7)
    out = [{"text": document(rng, kind, median_chars=400.0), "meta": {"s": kind}} for kind in KINDS for _ in range(1200)]
    rng.shuffle(out)
    return out


@pytest.fixture(scope="module")
def truth(rows, tokenizer_path):
    tokenizer = Tokenizer.from_file(tokenizer_path)
    tokens = tokenizer.count([r["text"] for r in rows])
    out: dict[str, int] = {}
    for row, t in zip(rows, tokens, strict=True):
        out[row["meta"]["s"]] = out.get(row["meta"]["s"], 0) + t
    return out


def options(tokenizer_path, **kwargs):
    fingerprint = Tokenizer.from_file(tokenizer_path).fingerprint
    return ScanOptions(text_field="text", group_by="meta.s", tokenizer=tokenizer_path, tokenizer_fingerprint=fingerprint, **kwargs)


def estimates(result):
    return {g: c.tokens.estimate(c.bytes) for g, c in result.total().groups.items()}


@pytest.mark.parametrize("suffix", ["jsonl", "jsonl.zst", "parquet", "arrow"])
def test_exact_tokens_in_every_format(tmp_path, rows, truth, tokenizer_path, suffix):
    paths = [str(write(tmp_path / f"{i}.{suffix}", rows[i::3])) for i in range(3)]
    result = scan_files(paths, options(tokenizer_path, exact_tokens=True))
    assert {g: (e.tokens, e.exact, e.relative_error) for g, e in estimates(result).items()} == {
        g: (t, True, 0.0) for g, t in truth.items()}


def test_exact_tokens_over_parts_and_processes(tmp_path, rows, truth, tokenizer_path, monkeypatch):
    from pytest_mixlint.scan import engine

    monkeypatch.setattr(engine, "INLINE_BYTES", 0)
    monkeypatch.setattr(engine, "PART_BYTES", 100_000)
    path = str(write(tmp_path / "all.jsonl", rows))
    result = scan_files([path], options(tokenizer_path, exact_tokens=True), workers=2)
    assert {g: e.tokens for g, e in estimates(result).items()} == truth


@pytest.mark.parametrize("sample", [250, 400])
def test_estimates_within_one_percent_and_bounded(tmp_path, rows, truth, tokenizer_path, sample):
    # 2 shards: each group of 1,200 documents is 2 strata of ~600, `sample` tokenized in each.
    paths = [str(write(tmp_path / f"{i}.jsonl", rows[i::2])) for i in range(2)]
    result = scan_files(paths, options(tokenizer_path, token_sample=sample))
    for group, estimate in estimates(result).items():
        error = abs(estimate.tokens - truth[group]) / truth[group]
        assert not estimate.exact and estimate.sample_documents == 2 * sample
        assert error < 0.01, f"{group}: {error:.4f}"
        assert estimate.low <= truth[group] <= estimate.high, f"{group}: bound {estimate.relative_error:.4f}, error {error:.4f}"
        assert 0 < estimate.relative_error < 0.02


def test_a_sample_as_large_as_the_stratum_is_exact(tmp_path, rows, truth, tokenizer_path):
    path = str(write(tmp_path / "a.jsonl", rows))
    result = scan_files([path], options(tokenizer_path, token_sample=5000))
    assert {g: (e.tokens, e.exact) for g, e in estimates(result).items()} == {g: (t, True) for g, t in truth.items()}


def test_the_sample_is_seeded(tmp_path, rows, tokenizer_path):
    path = str(write(tmp_path / "a.jsonl", rows))
    first = estimates(scan_files([path], options(tokenizer_path, token_sample=100)))
    assert estimates(scan_files([path], options(tokenizer_path, token_sample=100))) == first


def test_one_stratum_agrees_with_the_simple_estimator():
    """One stratum: the textbook ratio estimator of a simple random sample, R = sum(t) / sum(b)
    with SE(R) = sqrt(sum((t - R b)^2) / (n (n - 1))) / mean(b) * sqrt(1 - n / N)."""
    rng = random.Random(3)
    sizes = [rng.randint(50, 5000) for _ in range(1600)]
    tokens = [round(b * rng.uniform(0.2, 0.3)) for b in sizes]
    n, documents, group_bytes = 100, 1600, sum(sizes)
    ours = TokenTally.of_stratum(tokens[:n], sizes[:n], documents).estimate(group_bytes)
    ratio = sum(tokens[:n]) / sum(sizes[:n])
    residuals = sum((t - ratio * b) ** 2 for t, b in zip(tokens[:n], sizes[:n], strict=True))
    se = math.sqrt(residuals / (n * (n - 1))) / (sum(sizes[:n]) / n) * math.sqrt(1 - n / documents)
    assert ours.tokens == round(ratio * group_bytes)
    # The same bound up to the mean size used (the group's here, the sample's there).
    assert ours.relative_error == pytest.approx(t_quantile_975(n - 1) * se / ratio, rel=0.1)
    assert abs(ours.tokens - sum(tokens)) <= ours.relative_error * ours.tokens


def test_tallies_merge_and_round_trip():
    a = TokenTally.of_stratum([10, 20, 30], [40, 90, 110], 10)
    b = TokenTally.of_stratum([5, 7], [20, 28], 2)  # a whole stratum: no variance
    merged = TokenTally()
    merged.merge(a)
    merged.merge(b)
    assert (merged.documents, merged.sampled) == (12, 5)
    assert msgspec.convert(msgspec.to_builtins(merged), TokenTally) == merged
    assert TokenTally.of_stratum([3], [9], 5).estimate(45).relative_error == math.inf
    with pytest.raises(ValueError):
        TokenTally.of_stratum([], [], 3)


def test_tokens_in_the_cache_and_in_its_key(tmp_path, rows, tokenizer_path):
    path = str(write(tmp_path / "data" / "a.jsonl", rows[:300]))
    cache = ShardCache(tmp_path / "cache")
    first = scan_files([path], options(tokenizer_path, token_sample=50), cache)
    again = scan_files([path], options(tokenizer_path, token_sample=50), cache)
    assert again.cached == 1 and estimates(again) == estimates(first)
    assert scan_files([path], options(tokenizer_path, exact_tokens=True), cache).cached == 0
    assert scan_files([path], options(tokenizer_path, token_sample=60), cache).cached == 0
    other = str(train_tokenizer(tmp_path / "other", vocab_size=500))
    assert scan_files([path], options(other, token_sample=50), cache).cached == 0
    assert scan_files([path], ScanOptions(text_field="text", group_by="meta.s"), cache).cached == 0


def test_bad_arguments_of_the_python_api(tmp_path, tokenizer_path):
    from pytest_mixlint import measure

    manifest = tmp_path / "m.mixture.yaml"
    manifest.write_text("mixlint: 1\nsources: [{name: a, weight: 1, data_files: a.jsonl}]\n")
    write(tmp_path / "a.jsonl", [{"text": "x"}])
    for sample in (0, -1, "5", True):
        with pytest.raises(ValueError, match="token_sample"):
            measure(manifest, tokenizer=tokenizer_path, token_sample=sample)
    with pytest.raises(ValueError, match="neither inside the other"):
        ScanOptions(text_field="meta", group_by="meta.src")
    missing = measure(manifest, tokenizer=tmp_path / "nowhere.json")
    (problem,) = missing.problems
    assert problem.message == f"tokenizer: {tmp_path / 'nowhere.json'}: no such file" and missing.mixture is None


def test_a_tokenizer_that_vanishes_mid_scan_is_a_located_error(tmp_path, tokenizer_path, monkeypatch):
    import shutil

    from pytest_mixlint.scan import readers

    copy = tmp_path / "tok.json"
    shutil.copy(tokenizer_path, copy)
    options = ScanOptions(text_field="text", group_by="meta.s", tokenizer=str(copy), tokenizer_fingerprint="x")
    path = str(write(tmp_path / "a.jsonl", [{"text": "x", "meta": {"s": "a"}}]))
    copy.write_text("")  # emptied after the options were made
    with pytest.raises(readers.ScanError, match="the file is empty"):
        readers.count_shard(path, options)
