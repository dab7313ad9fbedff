import math

import pytest

from pytest_mixlint.quantities import format_count, format_share, parse_bytes, parse_count, parse_fraction, parse_real


@pytest.mark.parametrize(("text", "expected"), [
    ("328 GB", 328 * 10**9), ("328GB", 328 * 10**9), ("3.3 TB", 3.3e12), ("3.3T", 3.3e12),
    ("3.3 TiB", round(3.3 * 1024**4)), ("1 KiB", 1024), ("2 MiB", 2 * 1024**2), ("1_000", 1000),
    ("1,000,000", 10**6), ("59B", 59), ("783 gb", 783 * 10**9), (1024, 1024), (1.5e3, 1500), ("0", 0),
    ("1.5 kB", 1500), ("1e3", 1000),
])
def test_bytes(text, expected):
    assert parse_bytes(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("59B", 59 * 10**9), ("1.2T", 1.2e12), ("28M", 28 * 10**6), ("59e9", 59 * 10**9), (59e9, 59 * 10**9),
    ("1_000", 1000), ("10k", 10_000), ("3", 3),
])
def test_counts(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("-5 GB", "negative"), (-1, "negative"), (float("nan"), "not a finite"), (float("inf"), "not a finite"),
    ("nan", "not a size"), (True, "boolean"), ("12 parsecs", "unknown byte unit"), ([1], "expected a number"),
    ("1,00", "not a number"),
])
def test_bad_bytes(value, message):
    with pytest.raises(ValueError, match=message):
        parse_bytes(value)


def test_count_rejects_byte_units_with_a_hint():
    with pytest.raises(ValueError, match="byte units belong in `bytes`"):
        parse_count("3 GB")


@pytest.mark.parametrize(("text", "expected"), [("5%", 0.05), ("0.05", 0.05), (0.05, 0.05), ("100%", 1.0), (0, 0.0)])
def test_fractions(text, expected):
    assert math.isclose(parse_fraction(text), expected)


@pytest.mark.parametrize("value", ["150%", 1.5, "-1%", "five", "nan"])
def test_bad_fractions(value):
    with pytest.raises(ValueError):
        parse_fraction(value)


def test_real_accepts_strings_and_rejects_inf():
    assert parse_real("4.5") == 4.5
    with pytest.raises(ValueError, match="finite"):
        parse_real(float("inf"))


def test_formatting():
    assert format_share(0.045) == "4.5%"
    assert format_share(0.0004) == "0.04%"
    assert format_share(None) == "-"
    assert format_count(59e9) == "59B"
    assert format_count(1.2e12) == "1.2T"


@pytest.mark.parametrize("parse", [parse_bytes, parse_count, parse_real])
@pytest.mark.parametrize("value", ["1e300 EB", "1e307T", 10**300, 1e308, "1" + "0" * 300])
def test_overflow_is_a_value_error(parse, value):
    with pytest.raises(ValueError):
        parse(value)
