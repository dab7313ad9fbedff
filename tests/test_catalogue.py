"""configs/catalogue.py: what configs do not say about their data, and its mistakes located."""

from __future__ import annotations

import textwrap

import pytest

from pytest_mixlint.configs.catalogue import load_catalogue
from pytest_mixlint.problems import MixlintError

CATALOGUE = """\
    # our data, by where it lives
    - {match: "*/starcoder/*", name: starcoder, domain: code, license: other, card: cards/starcoder/README.md}
    - match: ["s3://corpus/web/*", "/lustre/web/*"]
      name: web
      domain: web
      license: ODC-By-1.0
      languages: [en]
    - {match: "*/books/*", name: books, domain: books}
"""


def catalogue(tmp_path, text=CATALOGUE):
    (tmp_path / "mixlint.catalog.yaml").write_text(textwrap.dedent(text))
    return load_catalogue(str(tmp_path / "mixlint.catalog.yaml"), "mixlint.catalog.yaml")


def test_paths_and_urls_are_described(tmp_path):
    described, problems = catalogue(tmp_path).describe([
        "s3://bucket/StarCoder/part-0.npy", "/lustre/web/cc_text_document", "s3://corpus/web/shard-1.npy",
        "/data/books/pg19_text_document"])
    assert problems == []
    assert {path: entry.name for path, entry in described.items()} == {
        "s3://bucket/StarCoder/part-0.npy": "starcoder", "/lustre/web/cc_text_document": "web",
        "s3://corpus/web/shard-1.npy": "web", "/data/books/pg19_text_document": "books"}
    web = described["/lustre/web/cc_text_document"]
    assert web.license == ("ODC-By-1.0",) and web.languages == ("en",) and web.line == 3


def test_a_path_claimed_twice_and_an_entry_matching_nothing_are_located(tmp_path):
    described, problems = catalogue(tmp_path).describe(["/lustre/web/books/x", "/lustre/web/y"])
    assert described["/lustre/web/books/x"].name == "web"  # the first match describes it
    assert [(p.line, p.message) for p in problems] == [
        (8, "/lustre/web/books/x is also matched by the entry at line 8; the first match (line 3) describes it")]
    assert [e.line for e in catalogue(tmp_path).unused(["/lustre/web/books/x", "/lustre/web/y"])] == [2]


@pytest.mark.parametrize(("text", "line", "message"), [
    ("- {match: '*/a/*', nmae: a}\n", 1, "nmae"),
    ("- {match: '*/a/*', domain: cod}\n", 1, "unknown domain 'cod': did you mean 'code'?"),
    ("- {name: a}\n", 1, "match"),
    ("match: '*/a/*'\n", 1, "a catalogue is a list of entries"),
])
def test_a_bad_catalogue_is_located(tmp_path, text, line, message):
    with pytest.raises(MixlintError) as raised:
        catalogue(tmp_path, text)
    (problem, *_) = raised.value.problems
    assert problem.line == line and message in str(problem)


def test_a_catch_all_entry_is_a_fallback_not_a_second_claim(tmp_path):
    """The trial's catalogue: specific entries, then `*` for the rest; no licence is lost."""
    text = CATALOGUE + "    - {match: '*', name: other-web, domain: web, license: ODC-By-1.0}\n"
    described, problems = catalogue(tmp_path, text).describe(["/d/starcoder/a", "/d/misc/b"])
    assert problems == []
    assert {p: (e.name, e.license) for p, e in described.items()} == {
        "/d/starcoder/a": ("starcoder", ("other",)), "/d/misc/b": ("other-web", ("ODC-By-1.0",))}
