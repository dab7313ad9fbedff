"""configs/mixture.py: a config's blend as the mixture every rule reads."""

from __future__ import annotations

import textwrap

import pytest

from pytest_mixlint.configs.blends import parse_blend
from pytest_mixlint.configs.catalogue import load_catalogue
from pytest_mixlint.configs.megatron import script_blend
from pytest_mixlint.configs.mixture import blend_mixture
from pytest_mixlint.mixture import ShareError


def test_a_script_through_the_catalogue_to_shares(tmp_path):
    (tmp_path / "mixlint.catalog.yaml").write_text(textwrap.dedent("""\
        - {match: "/lustre/cc/*", name: web, domain: web, license: ODC-By-1.0}
        - {match: "*/starcoder/*", name: starcoder, domain: code, license: other}
    """))
    catalogue = load_catalogue(str(tmp_path / "mixlint.catalog.yaml"), "mixlint.catalog.yaml")
    text = ("python pretrain_gpt.py --data-path 0.4 /lustre/cc/2023-06_text_document 0.4 /lustre/cc/2023-14_text_document "
            "0.1 /lustre/starcoder/python_content_document 0.1 /lustre/books/pg19_text_document\n")
    blend, problems = script_blend(text, "train.sh", str(tmp_path))
    described, catalogue_problems = catalogue.describe([e.path for e in blend.entries])
    mixture = blend_mixture(blend, "train.sh", described)
    assert problems == [] and catalogue_problems == []
    assert {s.name: round(s.weight, 6) for s in mixture.sources} == {"web": 0.8, "starcoder": 0.1, "pg19": 0.1}
    web = mixture.sources[0]
    assert web.data_files == ("/lustre/cc/2023-06_text_document", "/lustre/cc/2023-14_text_document")
    assert web.license.category == "permissive" and web.domain == "web"
    pg19 = mixture.sources[2]
    assert pg19.license.category == "unknown" and pg19.domain == "books"  # guessed from the name; no licence
    assert mixture.shares()["web"] == pytest.approx(0.8)


def test_a_path_listed_twice():
    # In a weighted blend the weights add up (0.25 twice is 0.5): no repetition.
    mixture = blend_mixture(parse_blend(["0.25", "/d/wiki", "0.5", "/d/web", "0.25", "/d/wiki"]), "m")
    wiki = next(s for s in mixture.sources if s.name == "wiki")
    assert wiki.epochs is None and wiki.weight == pytest.approx(0.5)
    # In a list without weights (OLMo) it is read twice.
    mixture = blend_mixture(parse_blend(["/d/wiki", "/d/web", "/d/wiki"]), "m")
    assert next(s for s in mixture.sources if s.name == "wiki").epochs == 2.0


def test_an_unweighted_blend_has_no_shares_until_measured():
    mixture = blend_mixture(parse_blend(["/d/web", "/d/code"]), "m")
    assert [s.weight for s in mixture.sources] == [None, None] and mixture.sources[1].domain == "code"
    with pytest.raises(ShareError, match="declare no weight"):
        mixture.shares("weight")


def test_a_shadow_copy_of_a_directory_reads_its_source_once_more():
    """IMPORTERS.md: physical copies in _shadow00-style directories upsample a source."""
    from pytest_mixlint.configs.blends import unweighted_blend
    from pytest_mixlint.configs.mixture import blend_mixture

    blend = unweighted_blend([("/d/books/part-0.npy", 1), ("/d/books/part-1.npy", 2), ("/d/books_shadow00/part-0.npy", 3),
                              ("/d/books_shadow01/part-0.npy", 4), ("/d/web/part-0.npy", 5)])
    mixture = blend_mixture(blend, "olmo")
    assert {s.name: s.epochs for s in mixture.sources} == {"books": 3.0, "web": None}
    assert len(mixture.sources[0].data_files) == 4
