"""Quantities with units as a rulebook writes them: "12 m", "40 ft", "60 %", "500 m2", 0.6.

Everything is normalised to metres, square metres and plain ratios. A value in the wrong unit
(a coverage of "60 m", a height of "12") is an error with an example of the right form.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

_NUMBER = r"([-+]?\d+(?:\.\d+)?)"
_LENGTHS = {"m": 1.0, "metre": 1.0, "meter": 1.0, "metres": 1.0, "meters": 1.0,
            "ft": 0.3048, "feet": 0.3048, "foot": 0.3048, "cm": 0.01, "mm": 0.001}
_AREAS = {"m2": 1.0, "m²": 1.0, "sqm": 1.0, "ft2": 0.09290304, "ft²": 0.09290304, "sqft": 0.09290304}


def _split(value) -> tuple[float, str]:
    if isinstance(value, bool):
        raise ValueError(f"expected a quantity, got {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        return float(value), ""
    text = str(value).strip()
    if re.match(r"[-+]?\d+,\d", text):
        # "1,000 m2" is a thousand in English and one in German: refuse rather than guess
        raise ValueError(f"{value!r}: a comma is a thousands separator or a decimal comma — write the number "
                         "plainly, with a decimal point: '1000 m2', '1.5 m'")
    m = re.fullmatch(_NUMBER + r"\s*([^\d\s].*)?", text)
    if not m:
        raise ValueError(f"expected a number with a unit, got {value!r}")
    return float(m.group(1)), (m.group(2) or "").strip()


def parse_length(value) -> float:
    number, unit = _split(value)
    if unit.lower() not in _LENGTHS:
        got = f"unit {unit!r}" if unit else "no unit"
        raise ValueError(f"expected a length in m or ft, got {got} in {value!r} — write e.g. '12 m' or '40 ft'")
    return number * _LENGTHS[unit.lower()]


def parse_area(value) -> float:
    number, unit = _split(value)
    if unit.lower() not in _AREAS:
        got = f"unit {unit!r}" if unit else "no unit"
        raise ValueError(f"expected an area in m2 or ft2, got {got} in {value!r} — write e.g. '500 m2'")
    return number * _AREAS[unit.lower()]


def parse_ratio(value) -> float:
    """A plain ratio (0.6, 3.0) or a percentage ("60 %")."""
    number, unit = _split(value)
    if unit == "%":
        return number / 100.0
    if unit:
        raise ValueError(f"expected a ratio or a percentage, got unit {unit!r} in {value!r} — write e.g. '60 %' or 0.6")
    return number


def parse_fraction(value) -> float:
    """A ratio that cannot exceed 1 (coverage): 60 must have been meant as 60 %."""
    r = parse_ratio(value)
    if not 0 <= r <= 1:
        raise ValueError(f"a coverage ratio must lie between 0 and 1, got {value!r} — write e.g. '60 %' or 0.6")
    return r


def _not_negative(value: float) -> float:
    if value < 0:
        raise ValueError(f"must not be negative, got {value:g} — distances, heights, areas and ratios are "
                         "zero or more")
    return value


Length = Annotated[float, BeforeValidator(parse_length), AfterValidator(_not_negative)]
SignedLength = Annotated[float, BeforeValidator(parse_length)]  # an offset added to a product (`plus`)
Area = Annotated[float, BeforeValidator(parse_area), AfterValidator(_not_negative)]
Ratio = Annotated[float, BeforeValidator(parse_ratio), AfterValidator(_not_negative)]
Fraction = Annotated[float, BeforeValidator(parse_fraction)]
