"""Tests for pytest_mixlint.licenses: licence normalisation and categories."""

from __future__ import annotations

import ast
import dataclasses
import re
import time
from pathlib import Path
from typing import get_args

import pytest
import yaml
from license_expression import get_license_index

from pytest_mixlint import licenses
from pytest_mixlint.licenses import (
    CATEGORIES,
    LicenseCategory,
    LicenseInfo,
    category_of_id,
    classify_license,
    most_permissive,
    most_restrictive,
    normalize_license_id,
)
from pytest_mixlint.licenses import table as license_table
from pytest_mixlint.problems import MixlintError

HUB_IDS_FILE = Path(__file__).parent / "data" / "hub_license_ids.txt"


def _hub_ids() -> list[str]:
    lines = HUB_IDS_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


HUB_IDS = _hub_ids()


def _spdx_ids(prefix_regex: str) -> list[str]:
    pattern = re.compile(prefix_regex, re.IGNORECASE)
    return sorted(
        record["spdx_license_key"]
        for record in get_license_index()
        if record["spdx_license_key"]
        and not record["is_exception"]
        and pattern.match(record["spdx_license_key"])
    )


def _valid(info: LicenseInfo) -> LicenseInfo:
    assert info.error is None, info.error
    assert info.expression is not None
    return info


# ------------------------------------------------------------------------------------------
# The vendored Hub list and the table
# ------------------------------------------------------------------------------------------


def test_hub_list_is_vendored_with_its_source():
    text = HUB_IDS_FILE.read_text(encoding="utf-8")
    assert "huggingface/hub-docs" in text and "docs/hub/repositories-licenses.md" in text
    assert len(HUB_IDS) >= 80
    assert len(set(HUB_IDS)) == len(HUB_IDS), "duplicate ids in hub_license_ids.txt"
    assert all(hub_id == hub_id.lower() and " " not in hub_id for hub_id in HUB_IDS)
    assert {"apache-2.0", "mit", "other", "unknown", "llama2", "openrail++"} <= set(HUB_IDS)


@pytest.mark.parametrize("hub_id", HUB_IDS)
def test_every_hub_id_is_in_the_explicit_table(hub_id):
    # In data/licenses.yaml itself, not found by the ScanCode fallback by accident.
    assert hub_id in license_table.load().table_ids
    entry = license_table.resolve(hub_id)
    assert entry is not None and entry.source == "table"
    info = _valid(classify_license(hub_id))
    assert info.category == entry.category
    assert info.category in CATEGORIES
    assert info.ids == (entry.id,)
    assert category_of_id(hub_id) == info.category


@pytest.mark.parametrize(
    ("hub_id", "expression", "category"),
    [
        ("apache-2.0", "Apache-2.0", "permissive"),
        ("mit", "MIT", "permissive"),
        ("cc0-1.0", "CC0-1.0", "public-domain"),
        ("pddl", "PDDL-1.0", "public-domain"),
        ("unlicense", "Unlicense", "public-domain"),
        ("cc-by-4.0", "CC-BY-4.0", "permissive"),
        ("odc-by", "ODC-By-1.0", "permissive"),
        ("cdla-permissive-2.0", "CDLA-Permissive-2.0", "permissive"),
        ("bsd-3-clause-clear", "BSD-3-Clause-Clear", "permissive"),
        ("etalab-2.0", "etalab-2.0", "permissive"),
        ("apple-ascl", "apple-ascl", "permissive"),
        ("lgpl-2.1", "LGPL-2.1-only", "weak-copyleft"),
        ("lgpl-lr", "LGPLLR", "weak-copyleft"),
        ("mpl-2.0", "MPL-2.0", "weak-copyleft"),
        ("epl-2.0", "EPL-2.0", "weak-copyleft"),
        ("gpl-2.0", "GPL-2.0-only", "copyleft"),
        ("gpl-3.0", "GPL-3.0-only", "copyleft"),
        ("agpl-3.0", "AGPL-3.0-only", "copyleft"),
        ("gfdl", "gfdl", "copyleft"),
        ("cc-by-sa-3.0", "CC-BY-SA-3.0", "copyleft"),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0", "copyleft"),
        ("odbl", "ODbL-1.0", "copyleft"),
        ("cdla-sharing-1.0", "CDLA-Sharing-1.0", "copyleft"),
        ("openrail", "openrail", "restricted"),
        ("openrail++", "openrail++", "restricted"),
        ("creativeml-openrail-m", "creativeml-openrail-m", "restricted"),
        ("bigscience-bloom-rail-1.0", "bigscience-bloom-rail-1.0", "restricted"),
        ("llama2", "llama2", "restricted"),
        ("llama3.1", "llama3.1", "restricted"),
        ("llama3.3", "llama3.3", "restricted"),
        ("llama4", "llama4", "restricted"),
        ("gemma", "gemma", "restricted"),
        ("c-uda", "C-UDA-1.0", "restricted"),
        ("cc-by-nd-4.0", "CC-BY-ND-4.0", "restricted"),
        ("cc-by-nc-4.0", "CC-BY-NC-4.0", "non-commercial"),
        ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0", "non-commercial"),
        ("cc-by-nc-nd-4.0", "CC-BY-NC-ND-4.0", "non-commercial"),
        ("deepfloyd-if-license", "deepfloyd-if-license", "non-commercial"),
        ("apple-amlr", "apple-amlr", "non-commercial"),
        ("fair-noncommercial-research-license", "fair-noncommercial-research-license",
         "non-commercial"),
        ("other", "other", "unknown"),
        ("unknown", "unknown", "unknown"),
        ("cc", "cc", "unknown"),
    ],
)
def test_well_known_hub_ids(hub_id, expression, category):
    info = _valid(classify_license(hub_id))
    assert (info.expression, info.category) == (expression, category)
    assert info.declared == hub_id


def test_table_keys_use_spdx_case_or_are_lowercase_hub_ids():
    spdx = {
        record["spdx_license_key"].lower(): record["spdx_license_key"]
        for record in get_license_index()
        if record["spdx_license_key"]
    }
    data = yaml.safe_load(licenses.DATA_FILE.read_text(encoding="utf-8"))
    for category, entries in data["licenses"].items():
        assert category in CATEGORIES
        for key in entries:
            if key.lower() in spdx:
                assert key == spdx[key.lower()], f"{key} should be spelt {spdx[key.lower()]}"
            else:
                assert key == key.lower() or key.startswith("LicenseRef-"), key


def test_hub_ids_equal_to_an_spdx_id_normalise_to_spdx_case():
    spdx = {
        record["spdx_license_key"].lower(): record["spdx_license_key"]
        for record in get_license_index()
        if record["spdx_license_key"] and not record["spdx_license_key"].startswith("LicenseRef")
    }
    checked = 0
    for hub_id in HUB_IDS:
        if hub_id in spdx:
            assert normalize_license_id(hub_id) == spdx[hub_id]
            checked += 1
    assert checked >= 40


def test_every_scancode_category_is_mapped():
    data = yaml.safe_load(licenses.DATA_FILE.read_text(encoding="utf-8"))
    used = {record["category"] for record in get_license_index() if record.get("category")}
    mapped = data["scancode_categories"]
    assert used <= set(mapped), f"unmapped ScanCode categories: {used - set(mapped)}"
    assert set(mapped.values()) <= set(CATEGORIES)


def test_duplicate_keys_in_the_table_are_rejected(tmp_path, monkeypatch):
    table = tmp_path / "licenses.yaml"
    table.write_text("mixlint-licenses: 1\nlicenses:\n  permissive:\n    MIT:\n    MIT:\n")
    monkeypatch.setattr(license_table, "DATA_FILE", table)
    with pytest.raises(MixlintError, match="licenses.yaml:5: duplicate key 'MIT'"):
        license_table.load.__wrapped__()


# ------------------------------------------------------------------------------------------
# SPDX ids through the ScanCode fallback
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spdx_id", "category"),
    [
        ("Apache-1.1", "permissive"),
        ("CC-BY-3.0-US", "permissive"),
        ("NTIA-PD", "public-domain"),
        ("CECILL-2.1", "weak-copyleft"),
        ("EPL-1.0", "weak-copyleft"),  # in the table as well; kept as a cross-check below
        ("Sleepycat", "copyleft"),
        ("OSL-2.0", "copyleft"),
        ("CC-BY-SA-3.0-IGO", "copyleft"),  # ScanCode: Copyleft Limited; pattern overrides
        ("GFDL-1.3-invariants-only", "copyleft"),
        ("CC-BY-NC-SA-2.0-UK", "non-commercial"),  # ScanCode: Source-available
        ("CC-BY-NC-3.0-DE", "non-commercial"),
        ("CC-BY-NC-ND-3.0-IGO", "non-commercial"),
        ("CC-BY-ND-3.0-DE", "restricted"),
        ("BUSL-1.1", "restricted"),
        ("Elastic-2.0", "restricted"),
        ("BSD-3-Clause-No-Military-License", "restricted"),
        ("Unicode-TOU", "restricted"),  # ScanCode: Proprietary Free
        ("any-OSI", "unknown"),  # ScanCode: Unstated License
    ],
)
def test_spdx_ids_via_scancode_fallback(spdx_id, category):
    info = _valid(classify_license(spdx_id))
    assert info.category == category
    assert info.expression == spdx_id
    assert category_of_id(spdx_id.lower()) == category


def test_fallback_ids_do_not_come_from_the_table():
    for spdx_id in ("Apache-1.1", "CECILL-2.1", "CC-BY-NC-SA-2.0-UK", "BUSL-1.1"):
        entry = license_table.resolve(spdx_id)
        assert entry is not None and entry.source == "spdx"


@pytest.mark.parametrize("spdx_id", _spdx_ids(r"CC-BY-NC-"))
def test_every_creative_commons_noncommercial_id_is_non_commercial(spdx_id):
    assert category_of_id(spdx_id) == "non-commercial"


@pytest.mark.parametrize("spdx_id", _spdx_ids(r"CC-BY-SA-|CC-SA-"))
def test_every_creative_commons_sharealike_id_is_copyleft(spdx_id):
    assert category_of_id(spdx_id) == "copyleft"


@pytest.mark.parametrize("spdx_id", _spdx_ids(r"CC-BY-ND-"))
def test_every_creative_commons_noderivatives_id_is_restricted(spdx_id):
    assert category_of_id(spdx_id) == "restricted"


@pytest.mark.parametrize(
    ("alias", "spdx_id"),
    [
        ("GPL-2.0", "GPL-2.0-only"),  # deprecated SPDX id
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("LGPL-2.1+", "LGPL-2.1-or-later"),
        ("gpl-3.0-or-later", "GPL-3.0-or-later"),
        ("AGPL-3.0", "AGPL-3.0-only"),
        ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"),
        ("open-mdw", "openmdw-1.0"),
    ],
)
def test_aliases_normalise(alias, spdx_id):
    assert normalize_license_id(alias) == spdx_id
    assert _valid(classify_license(alias)).expression == spdx_id


def test_plus_on_an_id_without_a_later_version_keeps_the_category():
    info = _valid(classify_license("Apache-2.0+"))
    assert (info.expression, info.category) == ("Apache-2.0+", "permissive")


# ------------------------------------------------------------------------------------------
# Expressions: OR / AND / WITH / lists
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "expression", "category"),
    [
        ("MIT OR Apache-2.0", "MIT OR Apache-2.0", "permissive"),
        ("MIT OR GPL-3.0-only", "MIT OR GPL-3.0-only", "permissive"),
        ("MIT AND GPL-3.0-only", "MIT AND GPL-3.0-only", "copyleft"),
        ("CC-BY-NC-4.0 OR CC-BY-SA-4.0", "CC-BY-NC-4.0 OR CC-BY-SA-4.0", "copyleft"),
        ("CC-BY-NC-4.0 AND CC-BY-SA-4.0", "CC-BY-NC-4.0 AND CC-BY-SA-4.0", "non-commercial"),
        ("llama2 AND cc-by-nc-4.0", "llama2 AND CC-BY-NC-4.0", "non-commercial"),
        ("llama2 OR cc-by-nc-4.0", "llama2 OR CC-BY-NC-4.0", "restricted"),
        ("cc0-1.0 AND mit", "CC0-1.0 AND MIT", "permissive"),
        ("cc0-1.0 OR mit", "CC0-1.0 OR MIT", "public-domain"),
        # AND binds tighter than OR (SPDX precedence).
        ("MIT OR Apache-2.0 AND GPL-3.0-only", "MIT OR (Apache-2.0 AND GPL-3.0-only)",
         "permissive"),
        ("(MIT OR Apache-2.0) AND GPL-3.0-only", "(MIT OR Apache-2.0) AND GPL-3.0-only",
         "copyleft"),
        ("(MIT AND BSD-3-Clause) OR GPL-2.0-only", "(MIT AND BSD-3-Clause) OR GPL-2.0-only",
         "permissive"),
        (
            "(CC-BY-NC-4.0 OR (MIT AND CC-BY-SA-4.0)) AND llama2",
            "(CC-BY-NC-4.0 OR (MIT AND CC-BY-SA-4.0)) AND llama2",
            "restricted",
        ),
        (
            "((odc-by AND (cc-by-sa-4.0 OR cc-by-4.0)) OR gpl-3.0) AND cc0-1.0",
            "((ODC-By-1.0 AND (CC-BY-SA-4.0 OR CC-BY-4.0)) OR GPL-3.0-only) AND CC0-1.0",
            "permissive",
        ),
        ("((cc0-1.0))", "CC0-1.0", "public-domain"),
        ("MIT OR other", "MIT OR other", "permissive"),
        ("MIT AND other", "MIT AND other", "unknown"),
        ("cc-by-nc-4.0 OR unknown", "CC-BY-NC-4.0 OR unknown", "non-commercial"),
        ("MIT OR MIT", "MIT OR MIT", "permissive"),
    ],
)
def test_expression_precedence(declared, expression, category):
    info = _valid(classify_license(declared))
    assert (info.expression, info.category) == (expression, category)


@pytest.mark.parametrize(
    ("declared", "expression", "category"),
    [
        # A linking exception confines the copyleft to the component: weak-copyleft.
        ("GPL-2.0-or-later WITH Classpath-exception-2.0",
         "GPL-2.0-or-later WITH Classpath-exception-2.0", "weak-copyleft"),
        ("GPL-3.0-only WITH GCC-exception-3.1", "GPL-3.0-only WITH GCC-exception-3.1",
         "weak-copyleft"),
        ("gpl-2.0 with linux-syscall-note", "GPL-2.0-only WITH Linux-syscall-note",
         "weak-copyleft"),
        # ScanCode files Asterisk-exception as Copyleft: stays copyleft.
        ("AGPL-3.0-only WITH Asterisk-exception", "AGPL-3.0-only WITH Asterisk-exception",
         "copyleft"),
        # An exception never makes a licence more restrictive.
        ("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception", "permissive"),
        ("LGPL-2.1-only WITH LGPL-3.0-linking-exception",
         "LGPL-2.1-only WITH LGPL-3.0-linking-exception", "weak-copyleft"),
        # WITH binds tighter than AND / OR.
        ("GPL-2.0-only WITH Classpath-exception-2.0 AND CC-BY-SA-4.0",
         "GPL-2.0-only WITH Classpath-exception-2.0 AND CC-BY-SA-4.0", "copyleft"),
        ("(GPL-2.0-only WITH Classpath-exception-2.0) OR MIT",
         "GPL-2.0-only WITH Classpath-exception-2.0 OR MIT", "permissive"),
        ("LicenseRef-mine WITH Classpath-exception-2.0",
         "LicenseRef-mine WITH Classpath-exception-2.0", "unknown"),
    ],
)
def test_with_exception(declared, expression, category):
    info = _valid(classify_license(declared))
    assert (info.expression, info.category) == (expression, category)
    assert all("exception" not in i.lower() and "note" not in i.lower() for i in info.ids)


def test_ids_are_licences_in_order_without_duplicates():
    info = _valid(classify_license("(mit OR Apache-2.0) AND MIT AND gpl-2.0 WITH Classpath-exception-2.0"))
    assert info.ids == ("MIT", "Apache-2.0", "GPL-2.0-only")


@pytest.mark.parametrize(
    ("declared", "joined", "expression", "category"),
    [
        (["mit", "cc-by-nc-4.0"], "mit AND cc-by-nc-4.0", "MIT AND CC-BY-NC-4.0",
         "non-commercial"),
        (["MIT OR Apache-2.0", "CC-BY-SA-4.0"], "(MIT OR Apache-2.0) AND CC-BY-SA-4.0",
         "(MIT OR Apache-2.0) AND CC-BY-SA-4.0", "copyleft"),
        (["cc0-1.0"], "cc0-1.0", "CC0-1.0", "public-domain"),
        (["cc0-1.0", "pddl"], "cc0-1.0 AND pddl", "CC0-1.0 AND PDDL-1.0", "public-domain"),
        (["llama3", "other"], "llama3 AND other", "llama3 AND other", "unknown"),
        (("odbl", "odc-by"), "odbl AND odc-by", "ODbL-1.0 AND ODC-By-1.0", "copyleft"),
        (["MIT", "  "], "MIT", "MIT", "permissive"),
    ],
)
def test_lists_take_the_most_restrictive_member(declared, joined, expression, category):
    info = _valid(classify_license(declared))
    assert (info.declared, info.expression, info.category) == (joined, expression, category)


def test_list_with_an_invalid_member_is_invalid():
    info = classify_license(["MIT", "Apach-2.0"])
    assert info.category == "unknown" and info.expression is None and info.ids == ()
    assert "Apach-2.0" in info.error and "did you mean 'Apache-2.0'" in info.error
    assert info.declared == "MIT AND Apach-2.0"


@pytest.mark.parametrize("value", [["MIT", 3], 42, {"id": "MIT"}])
def test_wrong_types_are_errors_not_exceptions(value):
    info = classify_license(value)  # type: ignore[arg-type]
    assert info.category == "unknown" and info.expression is None
    assert info.error is not None and "string" in info.error


# ------------------------------------------------------------------------------------------
# Case-insensitivity
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "expression", "category"),
    [
        ("mit or APACHE-2.0", "MIT OR Apache-2.0", "permissive"),
        ("Cc-By-Nc-Sa-4.0", "CC-BY-NC-SA-4.0", "non-commercial"),
        ("LLAMA3.1", "llama3.1", "restricted"),
        ("OpenRAIL++", "openrail++", "restricted"),
        ("Apache-2.0 And cc-by-sa-4.0", "Apache-2.0 AND CC-BY-SA-4.0", "copyleft"),
        ("gpl-2.0+ with CLASSPATH-EXCEPTION-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0",
         "weak-copyleft"),
        ("odbl-1.0", "ODbL-1.0", "copyleft"),
        ("  MIT  ", "MIT", "permissive"),
    ],
)
def test_matching_is_case_insensitive(declared, expression, category):
    info = _valid(classify_license(declared))
    assert (info.expression, info.category) == (expression, category)


# ------------------------------------------------------------------------------------------
# Invalid expressions and ids
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "hint"),
    [
        ("MIT OR", "did you mean 'MIT'?"),
        ("AND MIT", "did you mean 'MIT'?"),
        ("MIT OR OR Apache-2.0", "did you mean 'MIT OR Apache-2.0'?"),
        ("(MIT AND Apache-2.0", "did you mean 'MIT AND Apache-2.0'?"),
        ("MIT)", "did you mean 'MIT'?"),
        ("()", "parentheses must balance"),
        ("OR", "AND/OR need a licence on each side"),
        ("MIT/Apache-2.0", "did you mean 'MIT OR Apache-2.0' (either applies)"),
        ("MIT, CC-BY-4.0", "'MIT AND CC-BY-4.0' (all apply)"),
        ("Apache License, Version 2.0", "did you mean 'Apache-2.0'?"),
    ],
)
def test_syntax_errors_explain_the_fix(declared, hint):
    info = classify_license(declared)
    assert info.category == "unknown"
    assert info.expression is None and info.ids == ()
    assert info.declared == declared
    assert info.error is not None and info.error.startswith(f"invalid licence expression '{declared}'")
    assert hint in info.error
    assert "\n" not in info.error


@pytest.mark.parametrize(
    ("declared", "hint"),
    [
        ("Apach-2.0", "did you mean 'Apache-2.0'?"),
        ("Apache 2.0", "did you mean 'Apache-2.0'?"),
        ("Apache License 2.0", "did you mean 'Apache-2.0'?"),
        ("apache2", "did you mean 'Apache-2.0'?"),
        ("GPLv3", "did you mean 'GPL-3.0-only'?"),
        ("gpl-3", "did you mean 'GPL-3.0-only'?"),
        ("CC BY-NC 4.0", "did you mean 'CC-BY-NC-4.0'?"),
        ("cc-by-sa", "did you mean 'CC-BY-SA-4.0'?"),
        ("CC-BY-4", "did you mean 'CC-BY-4.0'?"),
        ("Llama-3.1", "did you mean 'llama3.1'?"),
        ("bigscience-openrail", "did you mean 'bigscience-openrail-m'?"),
        ("public domain", "did you mean 'CC-PDM-1.0'?"),
        ("proprietary", "'LicenseRef-proprietary' or 'other'"),
        ("MIT AND Apach-2.0", "unknown licence id 'Apach-2.0': did you mean 'Apache-2.0'?"),
        ("MIT Apache-2.0", "'MIT OR Apache-2.0' (either) or 'MIT AND Apache-2.0' (all)"),
        ("zzzz-unheard-of", "https://spdx.org/licenses/"),
        ("Classpath-exception-2.0", "put it after WITH"),
        ("MIT WITH Apache-2.0", "only exceptions may follow WITH"),
        ("GPL-2.0-only WITH Clasppath-exception-2.0", "did you mean 'Classpath-exception-2.0'?"),
    ],
)
def test_unknown_ids_get_suggestions(declared, hint):
    info = classify_license(declared)
    assert info.category == "unknown"
    assert info.expression is None and info.ids == ()
    assert info.error is not None and hint in info.error
    assert "\n" not in info.error


def test_every_unknown_id_is_reported():
    info = classify_license("Apach-2.0 OR GPLv3")
    assert "'Apach-2.0'" in info.error and "'GPLv3'" in info.error


# ------------------------------------------------------------------------------------------
# Undeclared and LicenseRef
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", [], [""], ["  ", ""], ()])
def test_undeclared_is_unknown_without_error(value):
    info = classify_license(value)
    assert info == LicenseInfo(declared=None, expression=None, category="unknown", ids=(), error=None)
    assert not info.is_declared


@pytest.mark.parametrize(
    ("declared", "expression", "category"),
    [
        ("LicenseRef-foo", "LicenseRef-foo", "unknown"),
        ("LicenseRef-Custom-Terms-1.0", "LicenseRef-Custom-Terms-1.0", "unknown"),
        ("DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
         "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", "unknown"),
        ("MIT OR LicenseRef-foo", "MIT OR LicenseRef-foo", "permissive"),
        ("MIT AND LicenseRef-foo", "MIT AND LicenseRef-foo", "unknown"),
        ("LicenseRef-proprietary", "LicenseRef-proprietary", "proprietary"),
        ("licenseref-commercial AND cc-by-4.0", "LicenseRef-commercial AND CC-BY-4.0",
         "proprietary"),
    ],
)
def test_license_refs_are_valid(declared, expression, category):
    info = _valid(classify_license(declared))
    assert (info.expression, info.category) == (expression, category)


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------


def test_categories_are_ordered_most_permissive_first():
    assert CATEGORIES == (
        "public-domain",
        "permissive",
        "weak-copyleft",
        "copyleft",
        "restricted",
        "non-commercial",
        "proprietary",
        "unknown",
    )
    assert set(CATEGORIES) == set(get_args(LicenseCategory))


@pytest.mark.parametrize(
    ("categories", "permissive", "restrictive"),
    [
        (["copyleft", "permissive"], "permissive", "copyleft"),
        (["non-commercial", "restricted"], "restricted", "non-commercial"),
        (["unknown", "proprietary", "public-domain"], "public-domain", "unknown"),
        (["weak-copyleft"], "weak-copyleft", "weak-copyleft"),
        ((c for c in ["copyleft", "weak-copyleft"]), None, None),
        ([], "unknown", "unknown"),
    ],
)
def test_ordering_helpers(categories, permissive, restrictive):
    if permissive is None:  # a generator can be consumed once
        assert most_permissive(categories) == "weak-copyleft"
        assert most_restrictive(iter(["copyleft", "weak-copyleft"])) == "copyleft"
        return
    assert most_permissive(categories) == permissive
    assert most_restrictive(categories) == restrictive


def test_ordering_helpers_follow_categories_pairwise():
    for i, low in enumerate(CATEGORIES):
        for high in CATEGORIES[i:]:
            assert most_permissive([high, low]) == low
            assert most_restrictive([low, high]) == high


def test_ordering_helpers_reject_unknown_categories():
    with pytest.raises(ValueError, match="unknown licence category 'free'"):
        most_restrictive(["permissive", "free"])


@pytest.mark.parametrize(
    ("license_id", "category"),
    [
        ("MIT", "permissive"),
        ("mit", "permissive"),
        ("CC-BY-NC-4.0", "non-commercial"),
        ("LLAMA2", "restricted"),
        ("gpl-2.0+", "copyleft"),
        ("LicenseRef-x", "unknown"),
        ("Apach-2.0", "unknown"),
        ("MIT OR Apache-2.0", "unknown"),  # an expression, not an id
        ("Classpath-exception-2.0", "unknown"),  # an exception, not a licence
        ("", "unknown"),
    ],
)
def test_category_of_id(license_id, category):
    assert category_of_id(license_id) == category


def test_normalize_license_id():
    assert normalize_license_id("apache-2.0") == "Apache-2.0"
    assert normalize_license_id("gpl-3.0") == "GPL-3.0-only"
    assert normalize_license_id("LLAMA3.2") == "llama3.2"
    assert normalize_license_id("Apach-2.0") is None
    assert normalize_license_id(None) is None  # type: ignore[arg-type]


def test_license_info_is_frozen_and_cached():
    info = classify_license("MIT OR Apache-2.0")
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.category = "unknown"  # type: ignore[misc]
    assert classify_license("MIT OR Apache-2.0") is info
    assert classify_license(["MIT", "CC-BY-4.0"]) is classify_license(("MIT", "CC-BY-4.0"))


def test_module_does_not_import_pytest():
    imported = set()
    for module in Path(licenses.__file__).parent.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert "pytest" not in imported and "_pytest" not in imported


def test_many_sources_classify_quickly_and_correctly():
    mix = [
        ("MIT OR Apache-2.0", "permissive"),
        ("cc-by-nc-sa-4.0", "non-commercial"),
        ("(MIT AND BSD-3-Clause) OR GPL-2.0-only", "permissive"),
        ("llama3.1", "restricted"),
        ("odc-by AND cc-by-sa-4.0", "copyleft"),
        ("other", "unknown"),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", "weak-copyleft"),
        ("cc0-1.0", "public-domain"),
    ]
    values = [mix[i % len(mix)] for i in range(10_000)]
    for declared, _ in mix:  # warm-up: first parse of each string
        classify_license(declared)
    start = time.perf_counter()
    results = [classify_license(declared).category for declared, _ in values]
    elapsed = time.perf_counter() - start
    print(f"classified {len(values)} licences in {elapsed * 1000:.1f} ms after warm-up")
    assert results == [category for _, category in values]
