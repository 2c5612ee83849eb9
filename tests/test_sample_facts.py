"""Every fact of every sample building against its value known by construction."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import EXPECTED, SAMPLES, inspected

NAMES = sorted(EXPECTED)


@pytest.fixture(params=NAMES)
def case(request):
    name = request.param
    return name, EXPECTED[name], inspected(str(SAMPLES / name))


def test_model_header(case):
    name, exp, ins = case
    assert ins.model.schema == exp["schema"]
    assert ins.model.length_unit_m == pytest.approx(exp["length_unit_m"], rel=1e-9)
    assert ins.model.failures == []


def test_whole_model_facts(case):
    name, exp, ins = case
    f = ins.facts.whole
    assert f.ground_elevation_m == pytest.approx(exp["ground_elevation_m"], abs=0.001)
    assert f.height_m == pytest.approx(exp["height_m"], abs=0.01)
    assert f.highest_element.name == exp["highest_element_name"]
    assert f.footprint_area_m2 == pytest.approx(exp["footprint_area_m2"], rel=0.005)
    assert f.storeys_above_ground == exp["storeys_above_ground"]
    assert f.storeys_below_ground == exp["storeys_below_ground"]
    assert f.gross_floor_area_m2 == pytest.approx(exp["gross_floor_area_m2"], rel=0.005)
    assert np.allclose(f.footprint.bounds, exp["footprint_bounds_model"], atol=0.001)


def test_storeys(case):
    name, exp, ins = case
    got = {s.name: s for s in ins.facts.whole.storeys}
    for s in exp["storeys"]:
        g = got[s["name"]]
        assert g.elevation_m == pytest.approx(s["elevation_m"], abs=0.001)
        assert g.above_ground == s["above_ground"]
        assert g.gross_area_m2 == pytest.approx(s["gross_area_m2"], rel=0.005, abs=0.01)


def test_per_building(case):
    name, exp, ins = case
    got = {b.name: b for b in ins.facts.buildings}
    assert len(got) == len(exp["buildings"])
    for b in exp["buildings"]:
        g = got[b["name"]]
        assert g.footprint_area_m2 == pytest.approx(b["footprint_area_m2"], rel=0.005)
        assert g.height_m == pytest.approx(b["height_m"], abs=0.01)
        assert g.storeys_above_ground == b["storeys_above_ground"]
        assert g.gross_floor_area_m2 == pytest.approx(b["gross_floor_area_m2"], rel=0.005)


@pytest.mark.parametrize("name", [n for n in NAMES if EXPECTED[n]["georeference"]])
def test_georeference_and_map_points(name):
    exp, ins = EXPECTED[name], inspected(str(SAMPLES / name))
    geo = ins.model.georeference
    e = exp["georeference"]
    assert geo.crs == e["crs"]
    assert geo.eastings == pytest.approx(e["eastings"], abs=1e-6)
    assert geo.northings == pytest.approx(e["northings"], abs=1e-6)
    assert geo.orthogonal_height == pytest.approx(e["orthogonal_height"], abs=1e-6)
    assert geo.rotation_deg == pytest.approx(e["rotation_deg"], abs=1e-9)
    assert geo.scale == pytest.approx(e["scale"])
    pts = np.array(exp["map_points"])
    assert np.allclose(geo.to_map(pts[:, :2]), pts[:, 2:], atol=0.001)
    # The footprint in map coordinates has the map points as corners.
    corners = np.array(ins.footprint_map(ins.facts.whole).exterior.coords)
    for p in pts[:, 2:]:
        assert np.min(np.hypot(*(corners - p).T)) < 0.001


def test_millimetre_and_metre_twins_agree():
    for m_name, mm_name in (("box_m.ifc", "box_mm.ifc"), ("geo_rotated_m.ifc", "geo_rotated_mm.ifc")):
        a, b = inspected(str(SAMPLES / m_name)), inspected(str(SAMPLES / mm_name))
        fa, fb = a.facts.whole, b.facts.whole
        assert fa.height_m == pytest.approx(fb.height_m, abs=1e-6)
        assert fa.footprint_area_m2 == pytest.approx(fb.footprint_area_m2, rel=1e-6)
        assert fa.gross_floor_area_m2 == pytest.approx(fb.gross_floor_area_m2, rel=1e-6)
        assert [s.elevation_m for s in fa.storeys] == pytest.approx([s.elevation_m for s in fb.storeys])
        ma, mb = a.footprint_map(fa), b.footprint_map(fb)
        assert ma.symmetric_difference(mb).area < 1e-6
        if a.model.georeference:
            assert ma.bounds[0] > 200000  # really in map coordinates


def test_latlon_fallback_points_model_north_where_truenorth_says():
    from pyproj import Geod, Transformer

    exp = EXPECTED["latlon_site.ifc"]["latlon"]
    geo = inspected(str(SAMPLES / "latlon_site.ifc")).model.georeference
    assert geo.approximate and geo.source.startswith("IfcSite")
    assert geo.latitude == pytest.approx(exp["lat"], abs=1e-9)
    assert geo.longitude == pytest.approx(exp["lon"], abs=1e-9)
    assert geo.orthogonal_height == pytest.approx(exp["elevation"])
    back = Transformer.from_crs(geo.crs, "EPSG:4326", always_xy=True)
    (e0, n0), (e1, n1) = geo.to_map(np.array([[0.0, 0.0], [0.0, 100.0]]))
    lon0, lat0 = back.transform(e0, n0)
    lon1, lat1 = back.transform(e1, n1)
    assert (lat0, lon0) == pytest.approx((exp["lat"], exp["lon"]), abs=1e-8)
    azimuth, _, dist = Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)
    # The sample's TrueNorth puts true north 15° counter-clockwise of model +Y, so model +Y
    # points 15° east of north: a geodesic azimuth (clockwise from north) of +15°.
    assert azimuth == pytest.approx(exp["true_north_deg"], abs=0.01)
    assert dist == pytest.approx(100.0, rel=0.002)  # UTM scale factor is within 0.1 %


def test_rooftop_storey_listed_not_counted():
    f = inspected(str(SAMPLES / "rooftop.ifc")).facts.whole
    roof = [s for s in f.storeys if s.name == "Roof"][0]
    assert not roof.counted and roof.gross_area_m2 == 0
    assert f.highest_element.ifc_class == "IfcSlab"


def test_basement_wider_than_building_is_not_footprint():
    f = inspected(str(SAMPLES / "lshape_basement.ifc")).facts.whole
    basement = [s for s in f.storeys if not s.above_ground]
    assert len(basement) == 1 and basement[0].counted
    assert basement[0].gross_area_m2 == pytest.approx(34 * 30, rel=0.005)
    assert f.footprint.geom_type == "Polygon" and len(f.footprint.exterior.coords) == 7  # the L, closed


def test_courtyard_is_a_hole():
    f = inspected(str(SAMPLES / "courtyard.ifc")).facts.whole
    assert f.footprint.geom_type == "Polygon"
    assert len(f.footprint.interiors) == 1
    assert math.isclose(f.footprint.area, 800, rel_tol=0.005)


def test_ground_level_override_moves_height():
    f = inspected(str(SAMPLES / "box_m.ifc"), ground_level_m=-1.5).facts.whole
    assert f.ground_elevation_m == -1.5
    assert f.height_m == pytest.approx(9.3 + 1.5, abs=0.01)
