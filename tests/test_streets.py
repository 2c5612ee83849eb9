"""Wide and narrow streets (NYC ZR 12-10): rules that take only the edges fronting a street of a width."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from permitcheck.checks import CheckContext
from permitcheck.engine import evaluate
from permitcheck.facts import derive_facts
from permitcheck.rulebook import load_rulebook
from permitcheck.rulebook.schema import StreetWidth
from permitcheck.site import load_site
from permitcheck.site.load import SiteError
from test_shipped_rules import ANCHOR, building, parcel_site

NYC = load_rulebook(ROOT / "rules/nyc/residence.yaml")
FT = 0.3048


def findings(model, site, zone="NYC-R6"):
    facts = derive_facts(model).whole
    ctx = CheckContext(facts, site, tuple(model.elements), NYC.book.measurement_profile)
    return {f.rule: f for f in evaluate(ctx, NYC, zone)}


@pytest.mark.parametrize("width, narrow, wide", [
    (8.0, "FAIL", "NOT_APPLICABLE"),         # 8 m = 26 ft: a narrow street
    ("74 ft", "FAIL", "NOT_APPLICABLE"),
    ("75 ft", "NOT_APPLICABLE", "PASS"),     # 75 ft or more: wide
    (30.0, "NOT_APPLICABLE", "PASS"),
])
def test_the_street_width_picks_the_column(tmp_path, width, narrow, wide):
    # 8 storeys (24.3 m, above 60 ft) standing 18 ft behind the street line: inside the narrow
    # street's 20 ft initial setback, outside the wide street's 15 ft; the 5.6:1 plane needs 1.07 m.
    model = building(8)
    site = parcel_site(tmp_path, west=10, south=18 * FT, east=10, north=30, road_width=width)
    got = findings(model, site)
    assert got["sky_exposure_narrow"].m.status.value == narrow
    assert got["sky_exposure_wide"].m.status.value == wide
    assert got["envelope"].m.status.value == ("FAIL" if narrow == "FAIL" else "PASS")
    if narrow == "FAIL":
        assert got["sky_exposure_narrow"].m.measured == pytest.approx(18 * FT, abs=1e-3)
        assert got["sky_exposure_narrow"].m.limit == pytest.approx(20 * FT, abs=1e-3)
    else:
        assert got["sky_exposure_narrow"].m.reason == "no_street_of_width"
        assert got["sky_exposure_narrow"].m.details["street"] == "below 22.86 m wide"


def test_a_street_of_unknown_width_leaves_the_rule_unknown(tmp_path):
    e, n = ANCHOR
    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}}, "features": [
        {"type": "Feature", "properties": {"role": "parcel", "id": "P"}, "geometry": {"type": "Polygon", "coordinates": [
            [[e - 10, n - 6], [e + 30, n - 6], [e + 30, n + 42], [e - 10, n + 42], [e - 10, n - 6]]]}},
        {"type": "Feature", "properties": {"role": "road"},  # a centre line, no width
         "geometry": {"type": "LineString", "coordinates": [[e - 20, n - 7], [e + 40, n - 7]]}}]}
    path = tmp_path / "site.geojson"
    path.write_text(json.dumps(fc))
    got = findings(building(8), load_site(path, None, anchor=ANCHOR))
    for rule in ("sky_exposure_narrow", "sky_exposure_wide", "envelope"):
        assert got[rule].m.status.value == "UNKNOWN" and got[rule].m.reason == "no_road_width"


def test_a_building_lower_than_the_plane_start_is_not_measured_against_it(tmp_path):
    model = building(5)  # 15.3 m, under 60 ft: no part where the plane or its clearance binds
    got = findings(model, parcel_site(tmp_path, west=10, south=2, east=10, north=30, road_width=8.0))
    assert got["sky_exposure_narrow"].m.status.value == "NOT_APPLICABLE"
    assert got["sky_exposure_narrow"].m.reason == "no_part_under_plane"


@pytest.mark.parametrize("value, metres", [(20, 20.0), (8.5, 8.5), ("100 ft", 30.48), ("12 m", 12.0)])
def test_road_width_takes_metres_or_a_unit(tmp_path, value, metres):
    site = parcel_site(tmp_path, west=5, south=5, east=5, north=5, road_width=value)
    (road,) = [f for f in site.features if f.role == "road"]
    assert road.properties["width"] == pytest.approx(metres)


@pytest.mark.parametrize("value", ["wide", "-3 m", 0, True])
def test_a_bad_road_width_is_one_clear_error(tmp_path, value):
    with pytest.raises(SiteError) as e:
        parcel_site(tmp_path, west=5, south=5, east=5, north=5, road_width=value)
    msg = str(e.value)
    assert "features[1] (road)" in msg and "width" in msg and "'75 ft'" in msg


def test_street_width_needs_a_bound():
    with pytest.raises(ValueError, match="at_least"):
        StreetWidth()
    assert StreetWidth(at_least="75 ft").admits(22.86) and not StreetWidth(below="75 ft").admits(22.86)


def test_six_stories_lower_than_60_ft_lower_the_plane(tmp_path):
    """23-736(a): "60 feet or six stories, whichever is less"; storeys here are 3 m, so six end at 18 m."""
    from permitcheck.checks.plane import resolved

    narrow = next(r for r in NYC.book.zones["NYC-R6"].rules if r.id == "sky_exposure_narrow")
    site = parcel_site(tmp_path, west=10, south=10, east=10, north=30, road_width=8.0)
    for storeys, start in ((8, 18.0), (6, 60 * FT), (5, 60 * FT)):  # six storeys or fewer: 60 ft stands
        model = building(storeys)
        ctx = CheckContext(derive_facts(model).whole, site, tuple(model.elements), NYC.book.measurement_profile)
        r = resolved(narrow, ctx)
        assert r.start_height == pytest.approx(start) and r.clear.above == pytest.approx(start)
        assert r.clear.distance == narrow.clear.distance and r.slope == narrow.slope
    got = findings(building(8), site)
    assert got["sky_exposure_narrow"].m.details["start_height_m"] == pytest.approx(18.0)
