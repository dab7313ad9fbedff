"""Human-written quantities: sizes (``328 GB``, ``3.3 TiB``), counts (``59B``, ``1.2T``) and
fractions (``5%``, ``0.05``), as pydantic-ready annotated types.

Byte sizes take SI (kB, MB, GB, TB, PB, EB = powers of 1000) and binary (KiB ... EiB = powers
of 1024) units; the trailing ``B`` is the byte, so ``59B`` in a byte field is 59 bytes.
Counts (tokens, documents) take the suffixes used in papers: K, M, B (billion), T (trillion).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_NUMBER = r"[+-]?(?:\d[\d_,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*([A-Za-z%]*)\s*$")
# Far above any corpus (a zettabyte, 10**21 tokens) yet far below float overflow, so that sums of
# thousands of sources stay finite.
MAX_QUANTITY = 10**21
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")

_SI = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12, "p": 10**15, "e": 10**18}
_BYTE_UNITS = {f"{p}b": v for p, v in _SI.items()} | dict(_SI)
_BYTE_UNITS |= {f"{p}ib": 1024 ** (i + 1) for i, p in enumerate("kmgtpe")}
_BYTE_UNITS |= {f"{p}i": 1024 ** (i + 1) for i, p in enumerate("kmgtpe")}
_COUNT_UNITS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "g": 10**9, "t": 10**12}


def _number(text: str) -> float:
    if "," in text and not _THOUSANDS.match(text.lstrip("+-")):
        raise ValueError(f"{text!r} is not a number (commas only as thousands separators)")
    return float(text.replace("_", "").replace(",", ""))


def _finite_non_negative(value: float, original: Any) -> float:
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{original!r} is not a finite number")
    if value < 0:
        raise ValueError(f"{original!r} is negative")
    return value


def _scaled(number: float, unit: int, original: Any) -> int:
    """``number * unit`` as an int; too large to be a real size is an error, not an overflow."""
    scaled = _finite_non_negative(number, original) * unit
    if math.isinf(scaled) or scaled > MAX_QUANTITY:
        raise ValueError(f"{original!r} is implausibly large (more than {MAX_QUANTITY:.0e})")
    return int(round(scaled))


def _scalar(value: Any) -> float | str:
    if isinstance(value, bool):  # YAML `yes`/`true` is not a quantity
        raise ValueError(f"expected a number, got a boolean ({value!r})")
    if isinstance(value, int) and abs(value) > MAX_QUANTITY:
        raise ValueError(f"{value!r} is implausibly large (more than {MAX_QUANTITY:.0e})")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return value
    raise ValueError(f"expected a number, got {type(value).__name__}")


def parse_bytes(value: Any) -> int:
    scalar = _scalar(value)
    if isinstance(scalar, float):
        return _scaled(scalar, 1, value)
    match = _QUANTITY.match(scalar)
    if not match:
        raise ValueError(f"{value!r} is not a size; write e.g. 328 GB, 3.3 TiB or 1_000")
    number, unit = _number(match.group(1)), match.group(2).lower()
    if unit not in _BYTE_UNITS:
        raise ValueError(f"unknown byte unit {match.group(2)!r} in {value!r}; use kB, MB, GB, TB, PB or KiB ... PiB")
    return _scaled(number, _BYTE_UNITS[unit], value)


def parse_count(value: Any) -> int:
    scalar = _scalar(value)
    if isinstance(scalar, float):
        return _scaled(scalar, 1, value)
    match = _QUANTITY.match(scalar)
    if not match:
        raise ValueError(f"{value!r} is not a count; write e.g. 59B, 1.2T, 28M or 1_000")
    number, unit = _number(match.group(1)), match.group(2).lower()
    if unit not in _COUNT_UNITS:
        hint = " (byte units belong in `bytes`)" if unit in _BYTE_UNITS else ""
        raise ValueError(f"unknown count suffix {match.group(2)!r} in {value!r}; use K, M, B or T{hint}")
    return _scaled(number, _COUNT_UNITS[unit], value)


def parse_real(value: Any) -> float:
    """A non-negative finite real written as a number or a string such as ``1_000`` or ``4.5``."""
    scalar = _scalar(value)
    if isinstance(scalar, str):
        try:
            scalar = _number(scalar.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if _finite_non_negative(scalar, value) > MAX_QUANTITY:
        raise ValueError(f"{value!r} is implausibly large (more than {MAX_QUANTITY:.0e})")
    return scalar


def parse_weight(value: Any) -> float:
    """A relative sampling weight: a non-negative number, or a percentage (``60%`` is 0.6, so
    that a manifest written in percentages means what it says)."""
    if not (isinstance(value, str) and value.strip().endswith("%")):
        return parse_real(value)
    number, _ = _percent(value, "a weight; write a number such as 4.5, or a percentage such as 4.5%")
    return parse_real(number) / 100


def parse_fraction(value: Any) -> float:
    """``0.05`` or ``"5%"`` -> 0.05, within [0, 1]."""
    number, percent = _percent(value, "a fraction; write 0.05 or 5%")
    fraction = _finite_non_negative(number, value) / (100 if percent else 1)
    if fraction > 1:
        if percent:
            raise ValueError(f"{value!r} is more than 100%")
        suggestion = f" (did you mean {number:g}%?)" if number <= 100 else ""
        raise ValueError(f"{value!r} is more than 1; write 0.05 or 5% (a fraction, not a percentage number){suggestion}")
    return fraction


def _percent(value: Any, what: str) -> tuple[Any, bool]:
    """``"5%"`` -> (5.0, True); a number or another string as it is -> (value, False)."""
    scalar = _scalar(value)
    if not isinstance(scalar, str):
        return scalar, False
    text = scalar.strip()
    try:
        return _number(text.removesuffix("%").strip()), text.endswith("%")
    except ValueError:
        raise ValueError(f"{value!r} is not {what}") from None


def _written(kind: str, maximum: float, suffix: str) -> WithJsonSchema:
    """What a file may hold for a quantity (the JSON Schema editors check files with), not what
    the parsed value is: "328 GB" is a valid ``bytes:``. Numbers are non-negative; strings are a
    number (the parsers' own, without a sign) and the suffixes the parser reads."""
    unsigned = _NUMBER.removeprefix("[+-]?")
    return WithJsonSchema({"anyOf": [{"type": kind, "minimum": 0, "maximum": maximum},
                                     {"type": "string", "pattern": rf"^\s*\+?{unsigned}\s*{suffix}\s*$"}]})


Bytes = Annotated[int, BeforeValidator(parse_bytes), _written("number", MAX_QUANTITY, "[A-Za-z]{0,3}")]  # 2.5 rounds
Count = Annotated[int, BeforeValidator(parse_count), _written("number", MAX_QUANTITY, "[kKmMbBgGtT]?")]
Real = Annotated[float, BeforeValidator(parse_real), _written("number", MAX_QUANTITY, "")]
Weight = Annotated[float, BeforeValidator(parse_weight), _written("number", MAX_QUANTITY, "%?")]
Fraction = Annotated[float, BeforeValidator(parse_fraction), _written("number", 1, "%?")]


def format_share(fraction: float | None) -> str:
    if fraction is None:
        return "-"
    percent = fraction * 100
    if percent != 0 and abs(percent) < 0.1:
        return f"{percent:.3g}%"
    return f"{percent:.1f}%"


def format_number(value: float) -> str:
    """A count that may have a fraction (2.40 effective sources): whole when it is whole."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def format_bytes(value: float) -> str:
    """``1.2 GB``, ``340 kB``, ``12 B`` (powers of 1000, as sizes are written in manifests)."""
    return _scaled_text(value, (("EB", 1e18), ("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)), " ", "B")


def format_count(value: float | None) -> str:
    """``59B``, ``1.2T``, ``28M`` (the suffixes papers use for tokens and documents)."""
    if value is None:
        return "-"
    return _scaled_text(value, (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)), "", "")


def _scaled_text(value: float, units: tuple[tuple[str, float], ...], space: str, plain: str) -> str:
    # The largest unit the value rounds to at three digits: 999,999 is 1 M, not "1e+03 K".
    for unit, size in units:
        if abs(value) >= size * 0.9995:
            return f"{value / size:.3g}{space}{unit}"
    return f"{value:g}{space}{plain}".rstrip()
