"""CityJSON in and out: the city's buildings join the site as context, and the checked building is
written for the city's twin; a written building reads back with the same height and footprint."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import box, shape
from typer.testing import CliRunner

from conftest import ROOT
from permitcheck.cli import app
from permitcheck.errors import InputError
from permitcheck.exporting import export_cityjson
from permitcheck.site.cityjson import CityJSONError, building_object, crs_of, read_buildings

ANCHOR = (220000.0, 560000.0)
SITE = ROOT / "samples/sites/podium_north.geojson"


@pytest.mark.parametrize("model, site", [
    ("podium_tower.ifc", "podium_north.geojson"),
    ("courtyard.ifc", "courtyard_ok.geojson"),
    ("box_m.ifc", "box_ok_jp.geojson"),
])
def test_an_exported_building_reads_back_with_its_height_and_footprint(tmp_path, model, site):
    from conftest import inspected

    facts = inspected(str(ROOT / "samples/buildings" / model)).facts.whole
    out = tmp_path / "b.city.json"
    attrs = export_cityjson(ROOT / "samples/buildings" / model, ROOT / "samples/sites" / site, out, anchor=ANCHOR)
    doc = json.loads(out.read_text())
    assert doc["type"] == "CityJSON" and doc["version"] == "2.0" and crs_of(doc) == "EPSG:5186"
    (feature,), warnings, _ = read_buildings(out, "EPSG:5186")
    assert warnings == []
    p = feature["properties"]
    assert p["height"] == pytest.approx(facts.height_m, abs=0.01) == pytest.approx(attrs["height"], abs=0.01)
    fp = shape(feature["geometry"])
    assert fp.area == pytest.approx(facts.footprint.area, rel=0.005)
    placed = shapely.affinity.translate(facts.footprint, *ANCHOR)  # the anchor, no rotation
    assert fp.symmetric_difference(placed).area <= 0.005 * fp.area
    if "ground_elevation" in json.loads((ROOT / "samples/sites" / site).read_text())["features"][0]["properties"]:
        assert p["ground_elevation"] == pytest.approx(35.0)  # the parcel's ground, as --anchor leaves it


def test_the_export_carries_the_verdict_when_a_rulebook_judged_it(tmp_path):
    out = tmp_path / "b.city.json"
    r = CliRunner().invoke(app, ["export", str(ROOT / "samples/buildings/podium_tower.ifc"), "--site", str(SITE),
                                 "--anchor", "220000,560000", "--rules", str(ROOT / "rules/kr/cheonan.yaml"),
                                 "--cityjson", str(out)])
    assert r.exit_code == 0 and "33.30 m" in r.output and "FAIL" in r.output, r.output
    (obj,) = json.loads(out.read_text())["CityObjects"].values()
    assert obj["attributes"]["permitcheck:verdict"] == "FAIL" and obj["attributes"]["storeysAboveGround"] == 10


def _city(tmp_path, blocks, crs="EPSG:5186", version="2.0", name="city.city.json"):
    """CityJSON with LoD1 blocks (x0, y0, x1, y1, ground, top) in `crs`, as one file."""
    objects, verts = {}, []
    for i, (x0, y0, x1, y1, z0, z1) in enumerate(blocks):
        one = building_object(box(x0, y0, x1, y1), z0, z1, crs, {"n": i}, object_id=f"b{i}")
        t = one["transform"]
        offset = len(verts)
        verts += [[round((v[k] * t["scale"][k] + t["translate"][k]) * 1000) for k in range(3)] for v in one["vertices"]]
        geom = one["CityObjects"][f"b{i}"]["geometry"][0]

        def shift(b):
            return [shift(x) for x in b] if isinstance(b, list) else b + offset

        geom["boundaries"] = shift(geom["boundaries"])
        objects[f"b{i}"] = {"type": "Building", "geometry": [geom]}
    doc = {"type": "CityJSON", "version": version, "transform": {"scale": [0.001] * 3, "translate": [0, 0, 0]},
           "metadata": {"referenceSystem": f"https://www.opengis.net/def/crs/EPSG/0/{crs.split(':')[1]}"},
           "CityObjects": objects, "vertices": verts}
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_context_buildings_join_the_site_within_100_m_reprojected(tmp_path):
    from pyproj import Transformer

    near = (220000.0, 560060.0, 220020.0, 560075.0, 35.0, 50.0)  # 18 m north of podium_north's parcel
    far = (220000.0, 560400.0, 220020.0, 560420.0, 35.0, 80.0)
    city5186 = _city(tmp_path, [near, far])
    # the same two blocks written in EPSG:5174 (Korea's Bessel datum: hundreds of metres apart)
    t = Transformer.from_crs("EPSG:5186", "EPSG:5174", always_xy=True)
    moved = []
    for x0, y0, x1, y1, z0, z1 in (near, far):
        (a, b), (c, d) = t.transform(x0, y0), t.transform(x1, y1)
        moved.append((a, b, c, d, z0, z1))
    city5174 = _city(tmp_path, moved, crs="EPSG:5174", name="city5174.city.json")
    written = tmp_path / "site_with_context.geojson"
    r = CliRunner().invoke(app, ["check", str(ROOT / "samples/buildings/podium_tower.ifc"), "--site", str(SITE),
                                 "--rules", str(ROOT / "rules/kr/cheonan.yaml"), "--anchor", "220000,560000",
                                 "--context", str(city5186), "--write-site", str(written), "--json"])
    assert r.exit_code == 1, r.output
    doc = json.loads(written.read_text())
    buildings = [f for f in doc["features"] if f["properties"]["role"] == "building"]
    assert len(buildings) == 1 and buildings[0]["properties"]["height"] == pytest.approx(15.0)
    assert shape(buildings[0]["geometry"]).symmetric_difference(box(*near[:4])).area < 1e-6
    result = json.loads(r.output)
    assert [f["properties"]["height"] for f in result["site"]["features_model"] if f["role"] == "building"] == [15.0]
    from permitcheck.checking import site_with_context

    again = site_with_context(SITE, city5174)
    (b,) = [f for f in again["features"] if f["properties"]["role"] == "building"]
    assert shape(b["geometry"]).symmetric_difference(box(*near[:4])).area < 0.5  # the boxes' edges bend a little


@pytest.mark.parametrize("text, said", [
    ("not json", "not a JSON file"),
    ('{"type": "FeatureCollection"}', "not CityJSON"),
    ('{"type": "CityJSON", "version": "1.0", "CityObjects": {}, "vertices": []}', "CityJSON 1.0"),
    ('{"type": "CityJSON", "version": "2.0", "transform": {"scale": [1, 1, 1], "translate": [0, 0, 0]}, '
     '"CityObjects": {"a": {"type": "Building", "geometry": [{"type": "Solid", "lod": "1", '
     '"boundaries": [[[[0, 1, 99]]]]}]}}, "vertices": [[0, 0, 0], [1, 0, 0]]}', "not in the file"),
    ('{"type": "CityJSON", "version": "2.0", "CityObjects": {}, "vertices": [[0, 0, NaN]]}', "not a number"),
    ('{"type": "CityJSON", "version": "2.0", "CityObjects": [], "vertices": []}', "'CityObjects' must be"),
])
def test_a_bad_cityjson_is_one_line(tmp_path, text, said):
    p = tmp_path / "bad.city.json"
    p.write_text(text)
    with pytest.raises(CityJSONError) as e:
        read_buildings(p, "EPSG:5186")
    assert said in str(e.value) and "\n" not in str(e.value) and isinstance(e.value, InputError)


def test_a_compound_crs_reads_its_horizontal_part_and_lod2_wins(tmp_path):
    """EPSG:7415 (Amersfoort / RD New + NAP height), as 3D BAG writes it; an object with LoD1 and
    LoD2 geometries is read from its LoD2."""
    lod1 = building_object(box(85000, 446000, 85010, 446010), 0.0, 9.0, "EPSG:7415", {})
    geom1 = lod1["CityObjects"]["building"]["geometry"][0]
    geom2 = json.loads(json.dumps(geom1))
    geom2["lod"] = "2.2"
    lod1["vertices"] = [[x, y, z if z == 0 else 12000] for x, y, z in lod1["vertices"]]  # LoD2 is taller...
    geom1_v = building_object(box(85000, 446000, 85010, 446010), 0.0, 9.0, "EPSG:7415", {})["vertices"]
    n = len(geom1_v)

    def shift(b):
        return [shift(x) for x in b] if isinstance(b, list) else b + n

    geom1["boundaries"] = shift(geom1["boundaries"])
    lod1["vertices"] = lod1["vertices"] + geom1_v  # ...LoD1 the 9 m block
    lod1["CityObjects"]["building"]["geometry"] = [geom1, geom2]
    p = tmp_path / "nl.city.json"
    p.write_text(json.dumps(lod1))
    assert crs_of(lod1) == "EPSG:7415"
    (f,), _, _ = read_buildings(p, "EPSG:28992")
    assert f["properties"]["lod"] == "2.2" and f["properties"]["height"] == pytest.approx(12.0)
    assert shape(f["geometry"]).area == pytest.approx(100.0)


def test_the_3d_view_draws_the_context_round_the_parcel(tmp_path):
    from permitcheck.checking import check_model
    from permitcheck.reports.view3d import render

    site = ROOT / "samples/sites/podium_north_house.geojson"  # a 6 m house 3 m north of the lot
    result = check_model(ROOT / "samples/buildings/podium_tower.ifc", site, ROOT / "rules/jp/bsa56.yaml",
                         zone="JP-1MR-200", anchor=ANCHOR, sections=True)
    envelope = next(f for f in result.findings if f.kind == "envelope")
    context = envelope.m.details["view3d"]["context"]
    assert len(context) >= 12  # a box: two triangles a face
    zs = [p[2] for tri in context for p in tri]
    assert min(zs) == pytest.approx(result.inspection.facts.whole.ground_elevation_m, abs=1e-3)
    assert max(zs) - min(zs) == pytest.approx(6.0, abs=1e-3)
    assert 'class="v-context"' in render(envelope.m.details["view3d"])


def test_a_batch_case_takes_a_context_and_reruns_when_it_changes(tmp_path):
    import sqlite3

    from permitcheck.batch import run_batch
    from test_batch import make_case

    near = (220000.0, 560060.0, 220020.0, 560075.0, 35.0, 50.0)
    city = _city(tmp_path, [near])
    make_case(tmp_path / "cases", "ctx", context=str(city))
    out = tmp_path / "out"
    first = run_batch(tmp_path / "cases", out, workers=1)
    assert sum(first.counts.values()) == 1 and "ERROR" not in first.counts
    rows = [json.loads(r) for (r,) in sqlite3.connect(out / "permitcheck.sqlite").execute(
        "SELECT result_json FROM results")]
    assert [f["properties"]["height"] for f in rows[0]["site"]["features_model"] if f["role"] == "building"] == [15.0]
    assert run_batch(tmp_path / "cases", out, workers=1).skipped == 1
    _city(tmp_path, [near[:5] + (60.0,)])  # the same file, the block now 25 m tall
    again = run_batch(tmp_path / "cases", out, workers=1)
    assert again.skipped == 0


def _lod2(doc):
    (obj,) = doc["CityObjects"].values()
    (g,) = [g for g in obj["geometry"] if g["lod"] == "2"]
    if g["type"] == "Solid":
        shells, values = [g["boundaries"][0]], [g["semantics"]["values"][0]]
    else:
        shells, values = [s[0] for s in g["boundaries"]], [v[0] for v in g["semantics"]["values"]]
    kinds = [s["type"] for s in g["semantics"]["surfaces"]]
    v = np.asarray(doc["vertices"], dtype=float) * doc["transform"]["scale"] + doc["transform"]["translate"]
    faces = [(kinds[k], v[surface[0]]) for shell, vals in zip(shells, values) for surface, k in zip(shell, vals)]
    return faces


@pytest.mark.parametrize("model, site", [("podium_tower.ifc", "podium_north.geojson"),
                                         ("courtyard.ifc", "courtyard_ok.geojson")])
def test_the_export_carries_the_massing_as_lod2_with_roofs_walls_and_ground(tmp_path, model, site):
    """The roofs seen from above cover the footprint once, so does the ground; the LoD2 reads back
    (the highest LoD is read) with the same height and footprint."""
    from conftest import inspected

    facts = inspected(str(ROOT / "samples/buildings" / model)).facts.whole
    out = tmp_path / "b.city.json"
    attrs = export_cityjson(ROOT / "samples/buildings" / model, ROOT / "samples/sites" / site, out, anchor=ANCHOR)
    assert "from the massing" in attrs["permitcheck:lod2"]
    faces = _lod2(json.loads(out.read_text()))

    def plan_area(kind):
        return sum(abs((t[1, 0] - t[0, 0]) * (t[2, 1] - t[0, 1]) - (t[1, 1] - t[0, 1]) * (t[2, 0] - t[0, 0])) / 2
                   for k, t in faces if k == kind)

    assert plan_area("RoofSurface") == pytest.approx(facts.footprint.area, rel=0.005)
    assert plan_area("GroundSurface") == pytest.approx(facts.footprint.area, rel=0.005)
    assert {k for k, _ in faces} >= {"RoofSurface", "WallSurface", "GroundSurface"}
    (feature,), _, _ = read_buildings(out, "EPSG:5186")
    assert feature["properties"]["lod"] == "2"
    assert feature["properties"]["height"] == pytest.approx(facts.height_m, abs=0.01)
    assert shape(feature["geometry"]).area == pytest.approx(facts.footprint.area, rel=0.005)


@pytest.mark.real
def test_a_pitched_roof_is_written_as_it_is(tmp_path):
    """FZK-Haus: a gable roof. Its LoD2 roof faces slope, and the top is the model's."""
    from conftest import SHARED_IFC, inspected

    path = SHARED_IFC / "01_AC20-FZK-Haus.ifc"
    if not path.exists():
        pytest.skip("../shared/ifc is not here")
    facts = inspected(str(path)).facts.whole
    x0, y0, x1, y1 = facts.footprint.bounds
    ring = [[ANCHOR[0] + x, ANCHOR[1] + y] for x, y in ((x0 - 5, y0 - 5), (x1 + 5, y0 - 5), (x1 + 5, y1 + 5),
                                                        (x0 - 5, y1 + 5), (x0 - 5, y0 - 5))]
    site = tmp_path / "site.geojson"
    site.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
                                "features": [{"type": "Feature", "properties": {"role": "parcel", "id": "P"},
                                              "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    out = tmp_path / "b.city.json"
    export_cityjson(path, site, out, anchor=ANCHOR)
    faces = _lod2(json.loads(out.read_text()))
    roofs = [t for k, t in faces if k == "RoofSurface"]
    slopes = [abs(np.cross(t[1] - t[0], t[2] - t[0])) for t in roofs]
    assert any(0.2 < n[2] / np.linalg.norm(n) < 0.95 for n in slopes)  # pitched, neither flat nor a wall
    top = max(t[:, 2].max() for _, t in faces)
    (feature,), _, _ = read_buildings(out, "EPSG:5186")
    assert feature["properties"]["height"] == pytest.approx(facts.height_m, abs=0.02)
    assert top == pytest.approx(feature["properties"]["top_elevation"], abs=0.01)
