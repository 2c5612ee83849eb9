"""min_setback measured on boxes whose distances are known by construction."""

from __future__ import annotations

import pytest

from permitcheck.checks import CHECKS, CheckContext
from permitcheck.facts import derive_facts
from permitcheck.rulebook.schema import MeasurementProfile, MinSetback
from test_shipped_rules import building, height_of, parcel_site


def setback(tmp_path, distance, gap, storeys=3, side="north"):
    rule = MinSetback.model_validate({"id": "s", "kind": "min_setback", "from": side, "distance": distance,
                                      "citation": {"source": "x", "article": "1"}})
    model = building(storeys)
    site = parcel_site(tmp_path, 20, 20, 20, gap)
    ctx = CheckContext(derive_facts(model).whole, site, tuple(model.elements), MeasurementProfile())
    return CHECKS["min_setback"](rule, ctx)


def test_fixed_distance(tmp_path):
    m = setback(tmp_path, "3 m", 2.0)
    assert (m.status.value, m.measured, m.limit, m.margin) == ("FAIL", pytest.approx(2.0), 3.0, pytest.approx(-1.0))
    assert m.where.area == pytest.approx(20 * 1.0, rel=1e-3)  # the 1 m strip of the box inside the 3 m zone


def test_ratio_with_minimum(tmp_path):
    m = setback(tmp_path, {"ratio": 0.4, "min": "3 m"}, 2.0)
    assert m.measured == pytest.approx(2.0) and m.limit == pytest.approx(0.4 * height_of(3))
    assert m.details["height_of_worst_part_m"] == pytest.approx(height_of(3))


def test_building_across_the_boundary_measures_negative(tmp_path):
    m = setback(tmp_path, "1.5 m", -2.0)
    assert m.status.value == "FAIL" and m.measured == pytest.approx(-2.0)


def test_touching_the_limit_is_review_never_fail(tmp_path):
    assert setback(tmp_path, "3 m", 3.0).status.value == "REVIEW"
    assert setback(tmp_path, "3 m", 3.04).status.value == "REVIEW"
    assert setback(tmp_path, "3 m", 3.2).status.value == "PASS"


def test_upper_band_only_binds_above_its_height(tmp_path):
    bands = {"bands": [{"up_to": "10 m", "distance": "1.5 m"}, {"above": "10 m", "ratio": 0.5}]}
    low = setback(tmp_path, bands, 2.0, storeys=3)  # 9.3 m: only the 1.5 m band applies
    assert low.status.value == "PASS" and low.limit == pytest.approx(1.5)
    tall = setback(tmp_path, bands, 2.0, storeys=5)  # 15.3 m: the top needs 7.65 m
    assert tall.status.value == "FAIL" and tall.limit == pytest.approx(height_of(5) / 2)


def test_no_edge_of_that_kind_is_not_applicable(tmp_path):
    m = setback(tmp_path, "3 m", 2.0, side="lane")
    assert m.status.value == "NOT_APPLICABLE" and m.reason == "no_boundary_of_kind"
