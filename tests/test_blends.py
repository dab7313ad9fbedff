"""configs/blends.py: Megatron-style blends as real launch scripts and configs write them."""

from __future__ import annotations

import pytest

from pytest_mixlint.configs.blends import BlendError, parse_blend, parse_split_blend, source_names
from pytest_mixlint.configs.shell import read_script


def weights(blend):
    return {e.path: (None if e.weight is None else round(e.weight, 6)) for e in blend.entries}


@pytest.mark.parametrize(("words", "expected"), [
    (["0.3", "/d/web", "0.7", "/d/code"], {"/d/web": 0.3, "/d/code": 0.7}),
    ([".0333", "/a", ".0667", "/b"], {"/a": 0.333, "/b": 0.667}),  # no leading zero
    (["1e11", "/a", "3e11", "/b"], {"/a": 0.25, "/b": 0.75}),  # token counts as weights
    (["60", "/a", "30", "/b", "10", "/c"], {"/a": 0.6, "/b": 0.3, "/c": 0.1}),  # percentages
    (["0.35 ", "/a", "0.35,", "/b"], {"/a": 0.5, "/b": 0.5}),  # a trailing space or comma
    (["0.0", "/a", "1", "/b"], {"/a": 0.0, "/b": 1.0}),  # an explicit 0
])
def test_weights_are_normalised(words, expected):
    assert weights(parse_blend(words)) == expected


@pytest.mark.parametrize("words", [["/a", "/b", "/c"], ["/a"]])
def test_lists_without_weights_have_unknown_shares_not_an_even_split(words):
    blend = parse_blend(words)
    assert not blend.weighted and all(e.weight is None for e in blend.entries)


@pytest.mark.parametrize(("words", "message"), [
    (["0.5", "/a", "/b"], "must pair up"),
    (["/a", "0.5", "/b", "0.5"], "looks like a weight in a list of paths"),
    (["0.5", "/x", "0.5", "2024"], "stands where a path should"),
    (["0.5 /a 0.5 /b"], "one word holding spaces"),
])
def test_malformed_blends_are_errors_not_guesses(words, message):
    with pytest.raises(BlendError, match=message):
        parse_blend(words)


def test_a_prefix_listed_twice_is_read_twice():
    blend = parse_blend(["0.25", "/a", "0.5", "/b", "0.25", "/a"])
    (a,) = [e for e in blend.entries if e.path == "/a"]
    assert a.listed == 2 and a.weight == pytest.approx(0.5)


@pytest.mark.parametrize(("words", "message"), [(["-1", "/a", "2", "/b"], "negative"), (["0", "/a", "0", "/b"], "every weight")])
def test_unusable_weights_say_why(words, message):
    with pytest.raises(BlendError, match=message):
        parse_blend(words)


def test_the_bigcode_weighted_split_form():
    blends = parse_split_blend('"TRAIN: 0.6 0:1 /d/python_content_document, 0.4 0:1 /d/java_content_document '
                               'VALID: 1 0:1 /d/valid"')
    assert weights(blends["train"]) == {"/d/python_content_document": 0.6, "/d/java_content_document": 0.4}
    assert weights(blends["valid"]) == {"/d/valid": 1.0}
    with pytest.raises(BlendError, match="WEIGHT START:END PREFIX"):
        parse_split_blend("TRAIN: 0.6 /d/python")


def test_names_tell_paths_apart_without_the_shared_suffixes():
    names = source_names(["/lustre/pile/arxiv_text_document", "/lustre/pile/github_text_document",
                          "/data/v1/standard", "/data/v2/standard", "/x/web/shard_text_document",
                          "/y/books/shard_text_document"])
    assert names == {"/lustre/pile/arxiv_text_document": "arxiv", "/lustre/pile/github_text_document": "github",
                     "/data/v1/standard": "v1", "/data/v2/standard": "v2",
                     "/x/web/shard_text_document": "web/shard", "/y/books/shard_text_document": "books/shard"}
    assert len(set(source_names(["/a/x", "/a/x/"]).values())) == 1  # one path written twice: one source
    assert set(source_names(["s3://c/books/part-0-00000.npy", "s3://c/books/part-1-00000.npy", "s3://c/c4/00.npy"]
                            ).values()) == {"books", "c4"}  # shards of a source are that source


def test_a_blend_from_a_launch_script():
    script = ('DATA="0.7 /data/web_text_document"\nDATA="${DATA} 0.3 /data/code_text_document"\n'
              "torchrun pretrain_gpt.py --data-path $DATA --split 98,2,0\n")
    (value,) = read_script(script).flag_values("--data-path", "--train-data-path")
    blend = parse_blend([w.text for w in value.words])
    assert {source_names([e.path for e in blend.entries])[e.path]: round(e.weight or 0, 6) for e in blend.entries} == {
        "web": 0.7, "code": 0.3}
