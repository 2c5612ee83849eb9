"""Quantities are never read wrongly: units by pint, numbers strictly, ambiguity refused in one line."""

from __future__ import annotations

import pytest

from permitcheck.rulebook.quantities import parse_area, parse_fraction, parse_length, parse_ratio


@pytest.mark.parametrize("text, m2", [
    ("1000 m2", 1000.0), ("1000 m²", 1000.0), ("1000 ㎡", 1000.0), ("500 sqm", 500.0),
    ("5000 sq ft", 464.5152), ("5000 ft²", 464.5152), ("5000 ft2", 464.5152), ("5000 square feet", 464.5152),
    ("5000 sq. ft.", 464.5152), ("2 acre", 8093.745), ("1e3 m2", 1000.0), (".5 m2", 0.5),
])
def test_areas_in_any_spelling(text, m2):
    assert parse_area(text) == pytest.approx(m2, rel=1e-6)


@pytest.mark.parametrize("text, m", [
    ("12 m", 12.0), ("12m", 12.0), ("40 ft", 12.192), ("40 feet", 12.192), ("10 yd", 9.144), ("6 in", 0.1524),
    ("1200 mm", 1.2), ("1 km", 1000.0),
])
def test_lengths_in_any_spelling(text, m):
    assert parse_length(text) == pytest.approx(m, rel=1e-9)


@pytest.mark.parametrize("text", ["1,000 m2", "1.000,5 m2", "1 000 m2", "1'000 m2", "1,5 m", "2,5 %", "1,000"])
def test_grouped_digits_and_decimal_commas_are_refused_with_the_fix(text):
    for parse in (parse_area, parse_length, parse_ratio):
        with pytest.raises(ValueError, match="digits grouped or a decimal comma — write the number plainly"):
            parse(text)


@pytest.mark.parametrize("parse, text, needle", [
    (parse_length, "12 m2", "expected a length"), (parse_area, "12 m", "expected an area"),
    (parse_ratio, "60 m", "expected a ratio or a percentage"), (parse_length, "12 parsecs", "expected a length"),
    (parse_length, "12", "got no unit"), (parse_length, "5 m m", "got unit 'm m'"),
    (parse_length, "5 __import__('os')", "expected a length"), (parse_length, "5 m**99999999", "expected a length"),
    (parse_length, "x" * 200, "characters"), (parse_fraction, "60", "between 0 and 1"),
    (parse_length, float("nan"), "finite"), (parse_length, True, "expected a quantity"),
])
def test_wrong_or_hostile_units_are_one_clear_error(parse, text, needle):
    with pytest.raises(ValueError, match=needle.replace("(", r"\(").replace("*", r"\*")):
        parse(text)


def test_percent_and_plain_ratios():
    assert parse_ratio("60 %") == pytest.approx(0.6) and parse_ratio(2.5) == 2.5 and parse_fraction("60 %") == 0.6


def test_a_quantity_beyond_any_building_is_refused_not_infinite():
    with pytest.raises(ValueError, match="beyond any building"):
        parse_length("1e308 km")
    with pytest.raises(ValueError, match="beyond any building"):
        parse_area("1e308 acre")
