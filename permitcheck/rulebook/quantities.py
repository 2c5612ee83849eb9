"""Quantities with units as a rulebook or a site writes them: "12 m", "40 ft", "60 %", "500 m²", 0.6.

Everything is normalised to metres, square metres and plain ratios. The number is read strictly:
a comma is a thousands separator in English and a decimal comma in German, so "1,000 m2" is
refused with one line rather than read as 1000 or as 1 (no grouping by spaces or apostrophes
either). The unit is read by pint (https://pint.readthedocs.io), so "sq ft", "ft²", "square
feet", "yd" or "in" mean what they say, and its dimension is checked: a coverage of "60 m" or a
height of "12 m2" is an error with an example of the right form. The units rulebooks write most
are looked up first, so a check pays for pint's registry only when a rulebook needs it.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?(?![\d.])")
_UNIT = re.compile(r"[^\W\d_][^\W_]*(\s*[ .*^/²³]*\s*[^\W_]*)*\.?|%")
_SQUARE = ("sq", "square")  # the only words that may stand before a unit: "sq ft", "square metres"
BUILDING_SCALE = (1e-3, 1e3)  # metres per unit that buildings are measured in
MAX_TEXT = 60  # longer than any quantity a person writes: never hand pint a novel
# the common spellings, read without pint (value in metres, or square metres)
_LENGTHS = {"m": 1.0, "metre": 1.0, "meter": 1.0, "metres": 1.0, "meters": 1.0,
            "ft": 0.3048, "feet": 0.3048, "foot": 0.3048, "cm": 0.01, "mm": 0.001}
_AREAS = {"m2": 1.0, "m²": 1.0, "㎡": 1.0, "sqm": 1.0, "ft2": 0.09290304, "ft²": 0.09290304, "sqft": 0.09290304}
# spellings pint does not know, as pint writes them
_ALIASES = {"m2": "m**2", "ft2": "ft**2", "sqm": "m**2", "sqft": "ft**2", "sq.ft.": "ft**2", "sq. ft.": "ft**2",
            "sf": "ft**2", "㎡": "m**2", "m³": "m**3", "m3": "m**3"}


def _split(value) -> tuple[float, str]:
    """(number, unit text) of a quantity; a plain YAML number has no unit."""
    if isinstance(value, bool):
        raise ValueError(f"expected a quantity, got {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        return float(value), ""
    if not isinstance(value, str):
        raise ValueError(f"expected a quantity such as '12 m', got {type(value).__name__}")
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"a quantity of {len(text)} characters — write e.g. '12 m', '500 m2' or '60 %'")
    m = _NUMBER.match(text)
    if not m:
        raise ValueError(f"expected a number with a unit, got {value!r} — write e.g. '12 m', '500 m2' or '60 %'")
    rest = text[m.end():]
    if re.match(r"\s*[,'’\u00a0\u202f]?\s*\d", rest) or rest.startswith(","):
        # "1,000 m2" is a thousand in English and one in German; "1 000" and "1'000" group digits too
        raise ValueError(f"{value!r}: digits grouped or a decimal comma — write the number plainly, with a "
                         "decimal point: '1000 m2', '1.5 m'")
    number = float(m.group(0))
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number, rest.strip()


@lru_cache(maxsize=1)
def _registry():
    import pint

    return pint.UnitRegistry()


@lru_cache(maxsize=256)
def _factor(unit: str, power: int) -> float | None:
    """Metres (power 1) or square metres (power 2) per `unit`, by pint; None if it is no such unit."""
    ureg = _registry()
    words = re.findall(r"[^\W\d_]+\.?", unit)
    if not _UNIT.fullmatch(unit) or (len(words) > 1 and words[0].lower().rstrip(".") not in _SQUARE):
        return None  # "5 m m" is a typo, not pint's square metre
    try:
        q = ureg.Quantity(1.0, _ALIASES.get(unit, unit))
        if q.dimensionality != ureg.meter.dimensionality ** power:
            return None
        out = float(q.to(ureg.meter ** power).magnitude)
    except Exception:  # noqa: BLE001 - pint's parser raises many kinds (even AssertionError) on nonsense
        return None
    lo, hi = BUILDING_SCALE
    # a millimetre to a kilometre: a unit outside is no building measure ('12 parsecs', 'angstrom')
    return out if math.isfinite(out) and lo ** power <= out <= hi ** power else None


def _convert(value, power: int, table: dict, example: str, what: str) -> float:
    number, unit = _split(value)
    key = unit.lower()
    factor = table.get(unit, table.get(key)) if unit else None
    if factor is None and unit:
        factor = _factor(unit, power)
    if factor is None:
        got = f"unit {unit!r}" if unit else "no unit"
        raise ValueError(f"expected {what}, got {got} in {value!r} — write e.g. {example}")
    out = number * factor
    if not math.isfinite(out):
        raise ValueError(f"{value!r} is beyond any building — write e.g. {example}")
    return out


def parse_length(value) -> float:
    return _convert(value, 1, _LENGTHS, "'12 m' or '40 ft'", "a length (m, ft, ...)")


def parse_area(value) -> float:
    return _convert(value, 2, _AREAS, "'500 m2' or '5000 sq ft'", "an area (m2, ft², sq ft, ...)")


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
