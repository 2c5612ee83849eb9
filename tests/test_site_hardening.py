"""Sites as GIS tools and careless hands write them: every bad one is one line, none gives a verdict it should not."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time

import pytest
import yaml

from conftest import ROOT, SAMPLES, inspected
from permitcheck.checking import check_inspection
from permitcheck.rulebook import load_rulebook
from permitcheck.site import SiteError, load_site

SITES = ROOT / "samples" / "sites"
ANCHOR = (220000.0, 560000.0)
CASES = yaml.safe_load((ROOT / "samples" / "cases.yaml").read_text())["cases"]


def _reverse_rings(fc: dict) -> dict:
    """Every ring drawn the other way round: clockwise shells, as shapefiles store them."""
    out = json.loads(json.dumps(fc))
    for feat in out["features"]:
        g = feat["geometry"]
        if g["type"] == "Polygon":
            g["coordinates"] = [ring[::-1] for ring in g["coordinates"]]
        elif g["type"] == "MultiPolygon":
            g["coordinates"] = [[ring[::-1] for ring in poly] for poly in g["coordinates"]]
    return out


def _check(case: dict, site_path):
    anchor = tuple(float(x) for x in case["anchor"].split(",")) if case.get("anchor") else None
    return check_inspection(inspected(str(ROOT / case["model"])), site_path, load_rulebook(ROOT / case["rules"]),
                            zone=case.get("zone"), anchor=anchor, rotation_deg=case.get("rotation", 0.0)).to_dict()


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_sample_site_gives_the_same_result_with_its_rings_reversed(name, tmp_path):
    case = CASES[name]
    reversed_site = tmp_path / "reversed.geojson"
    reversed_site.write_text(json.dumps(_reverse_rings(json.loads((ROOT / case["site"]).read_text()))))
    want, got = _check(case, ROOT / case["site"]), _check(case, reversed_site)
    assert got["verdict"] == want["verdict"] == case["expect"]["verdict"]
    assert [e["labels"] for e in got["site"]["edges"]] == [e["labels"] for e in want["site"]["edges"]]
    for a, b in zip(want["findings"], got["findings"]):
        assert (b["rule"], b["status"]) == (a["rule"], a["status"])
        if a["measured"] is not None:
            assert b["measured"] == pytest.approx(a["measured"], abs=1e-6), a["rule"]


def test_a_clockwise_parcel_keeps_its_south_edge_the_front(tmp_path):
    p = tmp_path / "cw.geojson"
    p.write_text(json.dumps(_reverse_rings(json.loads((SITES / "box_ok.geojson").read_text()))))
    site = load_site(p, None, anchor=ANCHOR)
    by_label = {lab: e for e in site.edges for lab in e.labels}
    assert by_label["front"].outward == pytest.approx((0.0, -1.0))
    assert by_label["north"].outward == pytest.approx((0.0, 1.0))


def _box(**change) -> dict:
    fc = json.loads((SITES / "box_ok.geojson").read_text())
    fc.update(change)
    return fc


def _with_feature(feature: dict) -> dict:
    fc = _box()
    fc["features"].append(feature)
    return fc


ROAD = {"type": "Feature", "properties": {"role": "road"}}
NEIGHBOUR = {"type": "Feature", "properties": {"role": "neighbour", "zone": "KR-R2G"}}
E, N = ANCHOR


@pytest.mark.parametrize("doc,needle", [
    (_box(features={"a": 1}), "'features' must be an array"),
    (_box(features="parcel"), "'features' must be an array"),
    (_box(features=7), "'features' must be an array"),
    (_with_feature([1, 2]), "a feature is an object"),
    (_with_feature({"type": "Feature", "properties": [1], "geometry": None}), "properties: expected an object"),
    (_with_feature({"type": "Feature", "properties": "road", "geometry": None}), "properties: expected an object"),
    (_box(crs={"type": "name", "properties": {"name": 5186}}), "crs: expected"),
    (_box(crs="EPSG:5186"), "crs: expected"),
    (_with_feature({**ROAD, "geometry": {"type": "LineString", "coordinates": []}}), "empty coordinates"),
    (_with_feature({**ROAD, "geometry": {"type": "LineString", "coordinates": [[E, N], [E, None]]}}),
     "a position is"),
    (_with_feature({**NEIGHBOUR, "geometry": {"type": "Polygon", "coordinates": [[]]}}), "empty coordinates"),
    (_with_feature({**NEIGHBOUR, "geometry": {"type": "Polygon", "coordinates": [[[E, N], [E, 1e300], [E + 1, N],
                                                                                   [E, N]]]}}),
     "not a finite map coordinate"),
    (_with_feature({**NEIGHBOUR, "geometry": {"type": "Point", "coordinates": [E, N]}}), "Polygon or MultiPolygon"),
    (_with_feature({"type": "Feature", "properties": {"role": "zone", "zone": None},
                    "geometry": {"type": "Polygon", "coordinates": [[[E, N], [E + 1, N], [E, N + 1], [E, N]]]}}),
     "zone feature needs its zone code"),
    (_with_feature({**NEIGHBOUR, "properties": {"role": "neighbour", "zone": None},
                    "geometry": {"type": "Polygon", "coordinates": [[[E, N], [E + 1, N], [E, N + 1], [E, N]]]}}),
     "leave the key out"),
])
def test_documents_of_the_wrong_shape_are_one_line(tmp_path, doc, needle):
    p = tmp_path / "site.geojson"
    p.write_text(json.dumps(doc))
    with pytest.raises(SiteError, match=needle):
        load_site(p, None, anchor=ANCHOR, site_crs="EPSG:5186")


def _write(tmp_path, text: str | bytes):
    p = tmp_path / "site.geojson"
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def test_nan_and_infinity_are_not_json(tmp_path):
    text = (SITES / "box_ok.geojson").read_text().replace("220025.0", "NaN", 1)
    with pytest.raises(SiteError, match="not valid JSON"):
        load_site(_write(tmp_path, text), None, anchor=ANCHOR)


def test_json_nested_thousands_deep_is_refused(tmp_path):
    text = '{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(SiteError, match="nested too deeply"):
        load_site(_write(tmp_path, text), None, anchor=ANCHOR)


def test_a_site_that_is_not_utf8_says_so(tmp_path):
    text = (SITES / "box_ok.geojson").read_text().encode("utf-16")
    with pytest.raises(SiteError, match="not UTF-8"):
        load_site(_write(tmp_path, text), None, anchor=ANCHOR)


@pytest.mark.parametrize("crs,needle", [
    ("EPSG:999999", "unknown CRS 'EPSG:999999'"),
    ("not a crs", "unknown CRS"),
    ("EPSG:4978", "not a map CRS"),  # geocentric: gave a PASS
    ("EPSG:5703", "not a map CRS"),  # a vertical CRS
])
def test_crs_that_cannot_draw_a_site_is_refused_with_anchor(tmp_path, crs, needle):
    p = _write(tmp_path, json.dumps(_box(crs={"type": "name", "properties": {"name": crs}})))
    with pytest.raises(SiteError, match=needle):
        load_site(p, None, anchor=ANCHOR)


@pytest.mark.parametrize("ring", [
    [[E, N], [E, N], [E, N], [E, N]],  # one point
    [[E, N], [E + 10, N], [E + 20, N], [E, N]],  # collinear
])
def test_a_parcel_without_area_is_refused(tmp_path, ring):
    fc = _box()
    fc["features"][0]["geometry"]["coordinates"] = [ring]
    with pytest.raises(SiteError, match="parcel"):
        load_site(_write(tmp_path, json.dumps(fc)), None, anchor=ANCHOR)


def test_a_million_vertex_parcel_is_refused_at_once(tmp_path):
    n = 1_000_000
    ring = [[E + 12 + 40 * math.cos(2 * math.pi * i / n), N + 3 + 40 * math.sin(2 * math.pi * i / n)] for i in range(n)]
    fc = _box()
    fc["features"][0]["geometry"]["coordinates"] = [ring + [ring[0]]]
    p = _write(tmp_path, json.dumps(fc))
    t0 = time.perf_counter()
    with pytest.raises(SiteError, match="vertices"):
        load_site(p, None, anchor=ANCHOR)
    assert time.perf_counter() - t0 < 20


def test_a_site_in_feet_lands_where_its_metre_twin_does(tmp_path):
    """A projected CRS in US survey feet (New York's state plane): coordinates and --anchor in feet."""
    from pyproj import CRS, Transformer

    metres = "+proj=tmerc +lat_0=38 +lon_0=127 +k=1 +x_0=200000 +y_0=600000 +ellps=GRS80 +units=m +no_defs"
    feet = metres.replace("+units=m", "+units=us-ft")
    to_ft = Transformer.from_crs(CRS(metres), CRS(feet), always_xy=True)
    fc = json.loads((SITES / "box_ok.geojson").read_text())
    fc_ft = json.loads(json.dumps(fc))
    for feat in fc_ft["features"]:
        feat["geometry"]["coordinates"] = [[list(to_ft.transform(*pt)) for pt in ring]
                                           for ring in feat["geometry"]["coordinates"]]
    a = load_site(_write(tmp_path, json.dumps(fc)), None, anchor=ANCHOR, site_crs=metres)
    p_ft = tmp_path / "ft.geojson"
    p_ft.write_text(json.dumps(fc_ft))
    b = load_site(p_ft, None, anchor=to_ft.transform(*ANCHOR), site_crs=feet)
    assert b.parcel.area == pytest.approx(a.parcel.area, rel=1e-6)
    assert b.parcel.bounds == pytest.approx(a.parcel.bounds, abs=1e-4)


def test_library_warnings_never_reach_the_terminal(tmp_path):
    """A self-intersecting neighbour (a bow tie) is repaired with a warning in the result, not a Python warning."""
    bowtie = [[E - 20, N + 20], [E + 30, N + 40], [E + 30, N + 20], [E - 20, N + 40], [E - 20, N + 20]]
    p = _write(tmp_path, json.dumps(_with_feature({**NEIGHBOUR, "geometry": {"type": "Polygon",
                                                                              "coordinates": [bowtie]}})))
    proc = subprocess.run([sys.executable, "-m", "permitcheck", "check", str(SAMPLES / "box_m.ifc"), "--site", str(p),
                           "--rules", str(ROOT / "rules" / "kr" / "national.yaml"), "--anchor", "220000,560000",
                           "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Warning" not in proc.stderr and proc.stderr == ""
    assert any("not a valid geometry: repaired" in w for w in json.loads(proc.stdout)["warnings"])


@pytest.mark.parametrize("geometry,needle", [
    ({"type": "Polygon", "coordinates": [[[E, N], [E + 1, N], [E, N]]]}, "ring 0 has 3 positions"),
    ({"type": "Polygon", "coordinates": [[[E, N], [E + 1, N], [E, N + 1], [E, N + 2]]]}, "closed"),
    ({"type": "LineString", "coordinates": [[E, N]]}, "at least 2 positions"),
    ({"type": "MultiLineString", "coordinates": [[[E, N], [E + 1, N]], [[E, N]]]}, "part 1 has 1"),
])
def test_rings_and_lines_too_short_to_be_drawn_are_one_line(tmp_path, geometry, needle):
    p = _write(tmp_path, json.dumps(_with_feature({**ROAD, "geometry": geometry})))
    with pytest.raises(SiteError, match=needle):
        load_site(p, None, anchor=ANCHOR)


def test_tens_of_thousands_of_features_are_refused_at_once(tmp_path):
    square = {"type": "Polygon", "coordinates": [[[E, N], [E + 1, N], [E + 1, N + 1], [E, N + 1], [E, N]]]}
    fc = _box()
    fc["features"] += [{"type": "Feature", "properties": {"role": "building"}, "geometry": square}] * 60_000
    t0 = time.perf_counter()
    with pytest.raises(SiteError, match="features; permitcheck reads at most"):
        load_site(_write(tmp_path, json.dumps(fc)), None, anchor=ANCHOR)
    assert time.perf_counter() - t0 < 10
