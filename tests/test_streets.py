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
    out = {}
    for f in evaluate(ctx, NYC, zone):  # rules inside an alternative by their own ids (unique in a zone)
        out[f.rule] = f
        for alt in f.m.details.get("alternatives", ()):
            out.update({g.rule: g for g in alt.findings})
    return out


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
    assert got["envelope_sky_exposure"].m.status.value == ("FAIL" if narrow == "FAIL" else "PASS")
    if narrow == "FAIL":
        assert got["sky_exposure_narrow"].m.measured == pytest.approx(18 * FT, abs=1e-3)
        assert got["sky_exposure_narrow"].m.limit == pytest.approx(20 * FT, abs=1e-3)
    else:
        assert got["sky_exposure_narrow"].m.reason == "no_street_of_width"
        assert got["sky_exposure_narrow"].m.details["street"] == "below 22.86 m wide"


def test_a_street_of_unknown_width_leaves_the_rule_unknown(tmp_path):
    e, n = ANCHOR
    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}}, "features": [
        {"type": "Feature", "properties": {"role": "parcel", "id": "P"}, "geometry": {"type": "Polygon",
         "coordinates": [[[e - 10, n - 6], [e + 30, n - 6], [e + 30, n + 42], [e - 10, n + 42], [e - 10, n - 6]]]}},
        {"type": "Feature", "properties": {"role": "road"},  # a centre line, no width
         "geometry": {"type": "LineString", "coordinates": [[e - 20, n - 7], [e + 40, n - 7]]}}]}
    path = tmp_path / "site.geojson"
    path.write_text(json.dumps(fc))
    got = findings(building(8), load_site(path, None, anchor=ANCHOR))
    for rule in ("sky_exposure_narrow", "sky_exposure_wide", "envelope_sky_exposure"):
        assert got[rule].m.status.value == "UNKNOWN" and got[rule].m.reason == "no_road_width"


def test_a_building_lower_than_the_plane_start_passes_under_it(tmp_path):
    model = building(5)  # 15.3 m, under 60 ft: under the plane wherever it stands
    got = findings(model, parcel_site(tmp_path, west=10, south=2, east=10, north=30, road_width=8.0))
    assert got["sky_exposure_narrow"].m.status.value == "PASS"
    assert got["sky_exposure_narrow"].m.reason == "under_plane"


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


def test_six_stories_lower_than_60_ft_lower_the_front_wall_not_the_plane(tmp_path):
    """23-736(a): the front wall within the initial setback rises "60 feet or six stories, whichever
    is less"; storeys here are 3 m, so six end at 18 m. The plane still starts at 60 ft."""
    from permitcheck.checks.plane import resolved

    (anyof,) = [r for r in NYC.book.zones["NYC-R6"].rules if r.id == "height_and_setback"]
    narrow = next(r for a in anyof.alternatives for r in a.rules if r.id == "sky_exposure_narrow")
    site = parcel_site(tmp_path, west=10, south=10, east=10, north=30, road_width=8.0)
    for storeys, wall in ((8, 18.0), (6, 60 * FT), (5, 60 * FT)):  # six storeys or fewer: 60 ft stands
        model = building(storeys)
        ctx = CheckContext(derive_facts(model).whole, site, tuple(model.elements), NYC.book.measurement_profile)
        r = resolved(narrow, ctx)
        assert r.clear.above == pytest.approx(wall) and r.start_height == pytest.approx(60 * FT)
        assert r.clear.distance == narrow.clear.distance and r.slope == narrow.slope
    got = findings(building(8), site)
    assert got["sky_exposure_narrow"].m.details["clear_above_m"] == pytest.approx(18.0)


def test_a_seventh_storey_under_60_ft_inside_the_initial_setback_fails(tmp_path):
    """Seven storeys in 18.2 m (under 60 ft = 18.29 m), 5 m behind the street line: the front wall
    may rise only to the top of the sixth storey (17.0 m), so the seventh breaks the rule."""
    from permitcheck.model.types import Building, Model, Storey
    from test_shipped_rules import D, W, _box

    floors = [0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 17.0]
    meshes, levels = [], []
    for i, z in enumerate(floors):
        top = floors[i + 1] if i + 1 < len(floors) else 18.2
        levels.append(Storey(f"S{i}", f"Level {i}", z, z, "B"))
        meshes.append(_box(f"slab{i}", "IfcSlab", 0, 0, z - 0.2, W, D, z, f"S{i}", "FLOOR"))
        meshes.append(_box(f"wall{i}", "IfcWall", 0, 0, z, W, D, top, f"S{i}"))
    model = Model("synthetic", "", "IFC4", None, 1.0, None, [Building("B", "B")], levels, meshes)
    got = findings(model, parcel_site(tmp_path, west=10, south=5, east=10, north=30, road_width=8.0))
    m = got["sky_exposure_narrow"].m
    assert m.status.value == "FAIL" and m.details["part"] == "clear" and m.details["clear_above_m"] == 17.0
    assert m.measured == pytest.approx(5.0, abs=1e-3) and m.limit == pytest.approx(20 * FT, abs=1e-3)


def _site_with_road(tmp_path, road_rings, width=None):
    """Parcel (-10, -6)-(30, 42) model metres; `road_rings` in the same coordinates."""
    e, n = ANCHOR

    def poly(rings):
        return {"type": "Polygon", "coordinates": [[[e + x, n + y] for x, y in r] for r in rings]}

    props = {"role": "road", **({"width": width} if width is not None else {})}
    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}}, "features": [
        {"type": "Feature", "properties": {"role": "parcel", "id": "P"},
         "geometry": poly([[[-10, -6], [30, -6], [30, 42], [-10, 42], [-10, -6]]])},
        {"type": "Feature", "properties": props, "geometry": poly(road_rings)}]}
    path = tmp_path / "road.geojson"
    path.write_text(json.dumps(fc))
    return load_site(path, None, anchor=ANCHOR)


def test_road_width_is_the_depth_of_the_nearest_piece_across_the_edge(tmp_path):
    from permitcheck.checks.streets import far_side, road_width

    # an 18 m street drawn 2 m off the front edge (a verge between): 18 m wide, its far side 20 m out
    site = _site_with_road(tmp_path, [[[-40, -26], [60, -26], [60, -8], [-40, -8], [-40, -26]]])
    (front,) = [x for x in site.edges if "front" in x.labels]
    assert road_width(site, front) == pytest.approx(18.0) and far_side(site, front) == pytest.approx(20.0)
    # a dissolved road network: the street, then a block (a hole), then another street beyond it
    net = [[[-40, -90], [60, -90], [60, -6], [-40, -6], [-40, -90]],
           [[-30, -80], [50, -80], [50, -20], [-30, -20], [-30, -80]]]
    site = _site_with_road(tmp_path, net)
    (front,) = [x for x in site.edges if "front" in x.labels]
    assert road_width(site, front) == pytest.approx(14.0)  # not the 84 m to the network's far edge
    # a road drawn 1 m deep with a width property in feet: the property wins over the drawing
    site = _site_with_road(tmp_path, [[[-40, -8], [60, -8], [60, -7], [-40, -7], [-40, -8]]], width="40 ft")
    (front,) = [x for x in site.edges if "front" in x.labels]
    assert road_width(site, front) == pytest.approx(40 * FT)
