"""A site read from a cadastre and a zoning layer (Shapefile, GeoPackage) checks like the same site
drawn by hand as GeoJSON; Korean shapefiles without a .cpg come out in CP949, not mojibake."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from conftest import ROOT

pyogrio = pytest.importorskip("pyogrio")  # the `gis` extra; CI installs it with `test`

MODEL = ROOT / "samples/buildings/podium_tower.ifc"
RULES = ROOT / "rules/kr/national.yaml"
ANCHOR = (220000.0, 560000.0)
LOT = "4413110100100010000"
R2G = "제2종일반주거지역"


def _parcels():
    """(PNU, JIBUN, box) in EPSG:5186: the podium's lot, a road along its south side, and a ring of
    lots, of which five touch it and the rest (and a second road) do not."""
    x0, y0, x1, y1 = 219990.0, 559985.0, 220050.0, 560033.0
    rows = [(LOT, "1대", (x0, y0, x1, y1)), ("4413110100100020000", "2도", (x0 - 60, y0 - 8, x1 + 60, y0))]
    k = 3
    for dx in (-1, 0, 1):
        for dy in (0, 1):
            if dx == 0 and dy == 0:
                continue
            box = (x0 + 60 * dx, y0 + 48 * dy, x1 + 60 * dx, y1 + 48 * dy)
            rows.append((f"44131101001{k:04d}0000", f"{k}대", box))
            k += 1
    for dx in (-2, 2):  # a ring further out: not neighbours
        rows.append((f"44131101001{k:04d}0000", f"{k}전", (x0 + 60 * dx, y0, x1 + 60 * dx, y1)))
        k += 1
    rows.append((f"44131101001{k:04d}0000", f"{k}도", (x0 - 60, y1 + 48, x1 + 60, y1 + 56)))
    rows.append((f"44131101001{k + 1:04d}0000", f"{k + 1}답", (x0, y0 - 70, x1, y0 - 22)))
    return rows


def _zones():
    return [(R2G, (219800.0, 559900.0, 220200.0, 560200.0)), ("일반상업지역", (220300.0, 559900.0, 220400.0, 560000.0))]


def _to(geoms, crs):
    if crs == "EPSG:5186":
        return geoms
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:5186", crs, always_xy=True)
    return [shapely.transform(g, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))) for g in geoms]


def _write(path, crs, fields: dict, boxes, encoding=None, korean_shapefile=False):
    geoms = _to([shapely.box(*b) for b in boxes], crs)
    kwargs = {"encoding": encoding} if encoding else {}
    pyogrio.raw.write(path, shapely.to_wkb(np.array(geoms, dtype=object)), [np.array(v, dtype=object) for v in fields.values()],
                      fields=list(fields), geometry_type="Polygon", crs=crs, **kwargs)
    if korean_shapefile:  # as the office's files come: no .cpg, no code page in the .dbf
        path.with_suffix(".cpg").unlink(missing_ok=True)
        dbf = path.with_suffix(".dbf")
        data = bytearray(dbf.read_bytes())
        data[29] = 0
        dbf.write_bytes(bytes(data))
    return path


def _hand_made(path):
    """The same site drawn by hand: the lot, what touches it (the road by its 지목), the zone over it."""
    feats = []
    for pnu, jibun, box in _parcels():
        g = shapely.box(*box)
        lot = shapely.box(*_parcels()[0][2])
        if pnu == LOT:
            role = "parcel"
        elif g.intersects(lot.buffer(0.05)):
            role = "road" if jibun.endswith("도") else "neighbour"
        else:
            continue
        feats.append({"type": "Feature", "properties": {"role": role, "id": pnu}, "geometry": shapely.geometry.mapping(g)})
    feats.append({"type": "Feature", "properties": {"role": "zone", "zone": R2G},
                  "geometry": shapely.geometry.mapping(shapely.box(*_zones()[0][1]))})
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
                                "features": feats}, ensure_ascii=False))
    return path


def _layers(tmp_path, kind):
    rows, zones = _parcels(), _zones()
    if kind == "gpkg":
        cad = _write(tmp_path / "cadastre.gpkg", "EPSG:5186", {"PNU": [r[0] for r in rows], "JIBUN": [r[1] for r in rows]},
                     [r[2] for r in rows])
        zon = _write(tmp_path / "zoning.gpkg", "EPSG:5186", {"ZONE_NM": [z[0] for z in zones]}, [z[1] for z in zones])
    else:
        cad = _write(tmp_path / "LSMD_CONT_LDREG.shp", "EPSG:5174", {"PNU": [r[0] for r in rows], "JIBUN": [r[1] for r in rows]},
                     [r[2] for r in rows], encoding="cp949", korean_shapefile=True)
        zon = _write(tmp_path / "UQ111.shp", "EPSG:5174", {"ZONE_NM": [z[0] for z in zones]}, [z[1] for z in zones],
                     encoding="cp949", korean_shapefile=True)
    return cad, zon


def _findings(result):
    return {f["rule"]: (f["status"], f.get("measured"), f.get("limit")) for f in result.to_dict()["findings"]}


def test_a_korean_shapefile_without_cpg_reads_as_cp949(tmp_path):
    from permitcheck.site.layers import read_layer

    _, zon = _layers(tmp_path, "shp")
    assert not zon.with_suffix(".cpg").exists() and "\uFFFD" not in zon.with_suffix(".dbf").read_bytes().decode("cp949")
    names = [p["ZONE_NM"] for _, p in read_layer(zon, fallback="cp949").features]
    assert names == [R2G, "일반상업지역"]
    garbled = [p["ZONE_NM"] for _, p in read_layer(zon).features]  # no fallback: the bytes, not the text
    assert R2G not in garbled


@pytest.mark.parametrize("kind", ["gpkg", "shp"])
def test_a_site_from_layers_checks_like_the_hand_made_one(tmp_path, kind):
    from permitcheck.checking import check_model, site_from_layers

    cad, zon = _layers(tmp_path, kind)
    doc = site_from_layers(RULES, cad, LOT, zoning=zon, zoning_field="ZONE_NM")
    roles = sorted(f["properties"]["role"] for f in doc["features"])
    assert roles == ["neighbour"] * 5 + ["parcel", "road", "zone"]
    assert [f["properties"]["zone"] for f in doc["features"] if f["properties"]["role"] == "zone"] == [R2G]
    site = tmp_path / "site.geojson"
    site.write_text(json.dumps(doc, ensure_ascii=False))
    anchor = ANCHOR
    if kind == "shp":
        from pyproj import Transformer

        anchor = Transformer.from_crs("EPSG:5186", "EPSG:5174", always_xy=True).transform(*ANCHOR)
    got = check_model(MODEL, site, RULES, anchor=anchor, sections=False)
    want = check_model(MODEL, _hand_made(tmp_path / "hand.geojson"), RULES, anchor=ANCHOR, sections=False)
    assert got.zone == want.zone == "KR-R2G"
    a, b = _findings(got), _findings(want)
    assert a.keys() == b.keys() and {k: v[0] for k, v in a.items()} == {k: v[0] for k, v in b.items()}
    for k in a:
        if isinstance(a[k][1], (int, float)) and isinstance(b[k][1], (int, float)):
            assert a[k][1] == pytest.approx(b[k][1], abs=0.01), k


def test_the_cli_reads_layers_and_writes_the_site(tmp_path):
    from typer.testing import CliRunner

    from permitcheck.cli import app

    cad, zon = _layers(tmp_path, "gpkg")
    out = tmp_path / "written.geojson"
    r = CliRunner().invoke(app, ["check", str(MODEL), "--cadastre", str(cad), "--parcel-id", LOT, "--zoning", str(zon),
                                 "--zoning-field", "ZONE_NM", "--rules", str(RULES), "--anchor", "220000,560000",
                                 "--write-site", str(out)])
    assert r.exit_code in (0, 1), r.output
    assert json.loads(out.read_text())["features"][0]["properties"] == {"role": "parcel", "id": LOT}
    again = CliRunner().invoke(app, ["check", str(MODEL), "--site", str(out), "--rules", str(RULES),
                                     "--anchor", "220000,560000"])
    assert again.exit_code == r.exit_code


@pytest.mark.parametrize("args, why", [
    (["--parcel-id", "x' OR '1'='1"], "an id is 1-64 letters"),
    (["--parcel-id", "9999"], "no parcel with PNU = 9999"),
    ([], "--cadastre needs --parcel-id"),
])
def test_bad_layer_input_is_one_line(tmp_path, args, why):
    from typer.testing import CliRunner

    from permitcheck.cli import app

    cad, _ = _layers(tmp_path, "gpkg")
    r = CliRunner().invoke(app, ["check", str(MODEL), "--cadastre", str(cad), "--rules", str(RULES), *args])
    assert r.exit_code == 2 and why in r.output and "Traceback" not in r.output


def test_an_extending_rulebook_reads_layers_as_its_parent_does():
    from permitcheck.rulebook import load_rulebook
    from permitcheck.rulebook.resolve import site_layers

    cheonan = site_layers(load_rulebook(ROOT / "rules/kr/cheonan.yaml"))
    assert (cheonan.parcel_id_field, cheonan.road_field, cheonan.road_values, cheonan.encoding) == \
        ("PNU", "JIBUN", ["도"], "cp949")
    assert site_layers(load_rulebook(ROOT / "rules/jp/bsa56.yaml")).parcel_id_field == "id"


def test_a_batch_case_reads_its_site_from_layers_and_keys_on_them(tmp_path):
    import shutil
    import sqlite3

    import yaml

    from permitcheck.batch import run_batch
    from permitcheck.checking import check_model

    case = tmp_path / "cases" / "lot"
    case.mkdir(parents=True)
    cad, zon = _layers(case, "shp")
    shutil.copy(MODEL, case / "model.ifc")
    from pyproj import Transformer

    e, n = Transformer.from_crs("EPSG:5186", "EPSG:5174", always_xy=True).transform(*ANCHOR)
    (case / "case.yaml").write_text(yaml.safe_dump({
        "rules": str(RULES), "cadastre": cad.name, "parcel_id": LOT, "zoning": zon.name, "zoning_field": "ZONE_NM",
        "anchor": [e, n]}, allow_unicode=True))
    out = tmp_path / "out"
    first = run_batch(tmp_path / "cases", out, workers=1)
    want = check_model(MODEL, _hand_made(tmp_path / "hand.geojson"), RULES, anchor=ANCHOR, sections=False)
    assert first.counts == {want.verdict.value: 1}
    (result,) = [json.loads(r) for (r,) in sqlite3.connect(out / "permitcheck.sqlite").execute(
        "SELECT result_json FROM results")]
    assert result["zone"] == "KR-R2G"
    assert run_batch(tmp_path / "cases", out, workers=1).skipped == 1  # the same layers: nothing to do
    data = bytearray(zon.with_suffix(".dbf").read_bytes())
    zon.with_suffix(".dbf").write_bytes(bytes(data) + b"\x1a")  # a sidecar changed: checked again
    assert run_batch(tmp_path / "cases", out, workers=1).skipped == 0


def test_a_batch_case_with_a_site_and_a_cadastre_is_refused(tmp_path):
    from permitcheck.batch.cases import _case

    assert "a site and a cadastre" in _case("x", tmp_path, {"rules": "r.yaml", "site": "s.geojson",
                                                             "cadastre": "c.shp", "parcel_id": "1"}).error
    assert "without 'parcel_id'" in _case("x", tmp_path, {"rules": "r.yaml", "cadastre": "c.shp"}).error


# Context buildings and roads (issue 12): footprints round the lot, by construction in EPSG:5186.
_X0, _Y0, _X1, _Y1 = 219990.0, 559985.0, 220050.0, 560033.0
_BUILDINGS = [  # (name, HEIGHT, GRND_FLR, box); F_FAC_BUILDING writes 0 for "not known"
    ("행복아파트", 12.5, 4, (_X1 + 5, _Y0 + 5, _X1 + 15, _Y0 + 20)),  # the height field wins over the storeys
    ("북쪽상가", 0.0, 5, (_X0 + 10, _Y1 + 5, _X0 + 25, _Y1 + 15)),  # 5 storeys x 4 m (the KR rulebook's)
    ("경계주택", 7.5, 0, (_X1 + 45, _Y0, _X1 + 55, _Y0 + 10)),  # 45 m off: inside the 50 m radius
    ("서쪽주택", -3.0, 2, (_X0 - 15, _Y0 + 5, _X0 - 5, _Y0 + 15)),  # a negative height: left out
    ("빈집", 0.0, 0, (_X0 - 15, _Y1 - 15, _X0 - 5, _Y1 - 5)),  # neither: left out
    ("기존건물", 9.0, 3, (_X0 + 5, _Y0 + 5, _X0 + 20, _Y0 + 20)),  # on the lot: the model replaces it
    ("먼건물", 30.0, 10, (_X1 + 100, _Y0, _X1 + 110, _Y0 + 10)),  # 100 m off: not read
]
_NEAR = {(12.5, "height"), (20.0, "storeys"), (7.5, "height")}


def _buildings_layer(folder, kind):
    fields = {"BLD_NM": [b[0] for b in _BUILDINGS], "HEIGHT": np.array([b[1] for b in _BUILDINGS]),
              "GRND_FLR": np.array([b[2] for b in _BUILDINGS], dtype=np.int32)}
    boxes = [b[3] for b in _BUILDINGS]
    if kind == "gpkg":
        return _write(folder / "buildings.gpkg", "EPSG:5186", fields, boxes)
    return _write(folder / "F_FAC_BUILDING_44_202601.shp", "EPSG:5174", fields, boxes, encoding="cp949",
                  korean_shapefile=True)


def _roads_layer(folder):
    """A 10 m street's centre line 5 m north of the lot, a real-width road polygon on its west side, a
    centre line without a width (left out) and a street 200 m off (not read)."""
    geoms = [shapely.LineString([(_X0 - 20, _Y1 + 5), (_X1 + 20, _Y1 + 5)]),
             shapely.box(_X0 - 8, _Y0 - 10, _X0, _Y1 + 10),
             shapely.LineString([(_X1 + 2, _Y0 - 20), (_X1 + 2, _Y1 + 20)]),
             shapely.LineString([(_X0, _Y1 + 200), (_X1, _Y1 + 200)])]
    path = folder / "TL_SPRD_MANAGE.gpkg"
    pyogrio.raw.write(path, shapely.to_wkb(np.array(geoms, dtype=object)), [np.array([10.0, 0.0, 0.0, 8.0])],
                      fields=["ROAD_BT"], geometry_type="Unknown", crs="EPSG:5186")
    return path


def _buildings_of(doc):
    return [f for f in doc["features"] if f["properties"]["role"] == "building"]


@pytest.mark.parametrize("cadastre_kind, buildings_kind", [("gpkg", "shp"), ("shp", "gpkg")])
def test_the_buildings_near_the_parcel_become_context_buildings_with_their_heights(tmp_path, cadastre_kind,
                                                                                  buildings_kind):
    """A CP949 Shapefile in EPSG:5174 without a .cpg, or a GeoPackage in EPSG:5186, read into the
    cadastre's CRS: exactly the near footprints, each with its height or storeys x 4 m, and the ones
    left out counted; the document loads."""
    from permitcheck.checking import site_from_layers
    from permitcheck.site import load_site

    cad, _ = _layers(tmp_path, cadastre_kind)
    doc = site_from_layers(RULES, cad, LOT, buildings=_buildings_layer(tmp_path, buildings_kind))
    got = _buildings_of(doc)
    assert {(f["properties"]["height"], f["properties"]["height_from"]) for f in got} == _NEAR
    assert [f["properties"].get("storeys") for f in got if f["properties"]["height_from"] == "storeys"] == [5]
    site_crs = doc["crs"]["properties"]["name"]
    want = {b[1] or b[2] * 4.0: shapely.box(*b[3]).centroid for b in _BUILDINGS}
    for f in got:
        centre = _to([want[f["properties"]["height"]]], site_crs)[0]
        assert shapely.geometry.shape(f["geometry"]).centroid.distance(centre) < 0.01
    (note,) = doc["warnings"]
    assert note.startswith(f"{_buildings_layer(tmp_path, buildings_kind).name}: 3 buildings left out")
    assert "1 with a height that is not a length" in note and "1 with neither" in note and "1 standing on the parcel" in note
    site = tmp_path / "site.geojson"
    site.write_text(json.dumps(doc, ensure_ascii=False))
    anchor = _to([shapely.Point(ANCHOR)], site_crs)[0]
    loaded = load_site(site, None, anchor=(anchor.x, anchor.y))
    assert sorted(f.properties["height"] for f in loaded.features if f.role == "building") == [7.5, 12.5, 20.0]
    assert note in loaded.warnings


def test_a_roads_layer_gives_road_features_and_a_centre_line_fronts_the_lot(tmp_path):
    """Polygons as drawn; a centre line buffered by half its ROAD_BT, so the 10 m street 5 m off makes
    the lot's north edge a front with that width; a line without a width is left out and said so."""
    from permitcheck.checking import site_from_layers
    from permitcheck.site import load_site
    from permitcheck.site.roads import road_width

    cad, _ = _layers(tmp_path, "gpkg")
    doc = site_from_layers(RULES, cad, LOT, roads=_roads_layer(tmp_path))
    roads = [f for f in doc["features"] if f["properties"]["role"] == "road"]
    assert len(roads) == 3  # the cadastre's 지목 도 parcel, the buffered line, the polygon
    assert sorted(str(f["properties"].get("width")) for f in roads) == ["10.0", "None", "None"]
    street = shapely.geometry.shape(next(f["geometry"] for f in roads if f["properties"].get("width")))
    assert street.bounds == pytest.approx((_X0 - 20, _Y1, _X1 + 20, _Y1 + 10))
    assert doc["warnings"] == ["TL_SPRD_MANAGE.gpkg: 1 road left out — 1 drawn as a centre line without a width"]
    site = tmp_path / "site.geojson"
    site.write_text(json.dumps(doc))
    loaded = load_site(site, None, anchor=ANCHOR)
    north = [e for e in loaded.edges if "north" in e.labels]
    assert north and all("front" in e.labels for e in north)
    assert road_width(loaded, north[0]) == pytest.approx(10.0)
    west = [e for e in loaded.edges if e.outward[0] < -0.9]
    assert west and "front" in west[0].labels


@pytest.mark.parametrize("value, want", [
    (12.5, 12.5), (7, 7.0), (" 3.25 ", 3.25), ("+4", 4.0), (0, "absent"), ("0.0", "absent"), ("", "absent"),
    (None, "absent"), (-3, "bad"), ("-3", "bad"), (float("nan"), "bad"), (float("inf"), "bad"), ("NaN", "bad"),
    ("1e309", "bad"), ("inf", "bad"), ("12m", "bad"), ("５", "bad"), ("5층", "bad"), (True, "bad"), (b"12", "bad"),
    ("9" * 30, "bad"),
])
def test_a_layers_numbers_are_never_trusted(value, want):
    from permitcheck.site.layers import _number

    assert _number(value) == want


@pytest.mark.parametrize("props, want", [
    ({"H": 2000.0, "S": 3}, "bad_height"),  # over 1000 m: a unit or a typo; not replaced by the storeys
    ({"H": "높이", "S": 3}, "bad_height"),
    ({"H": 0, "S": 2.5}, "bad_storeys"),
    ({"H": 0, "S": 500}, "bad_storeys"),
    ({"H": None, "S": 3}, (12.0, {"height_from": "storeys", "storeys": 3})),
    ({}, "no_height"),
])
def test_a_building_without_a_trustworthy_height_is_left_out(props, want):
    from permitcheck.site.layers import _height

    assert _height(props, "H", "S", 4.0) == want
    assert _height({"S": 3}, "H", "S", None) == "no_storey_height"


def test_a_buildings_layer_without_the_fields_and_bad_overrides_are_refused(tmp_path):
    from permitcheck.checking import site_from_layers
    from permitcheck.errors import InputError
    from permitcheck.site import SiteError

    cad, _ = _layers(tmp_path, "gpkg")
    b = _buildings_layer(tmp_path, "gpkg")
    with pytest.raises(SiteError, match="no field A16 or A26 .*BLD_NM, HEIGHT, GRND_FLR"):
        site_from_layers(RULES, cad, LOT, buildings=b,
                         site_layers={"building_height_field": "A16", "building_storeys_field": "A26"})
    for bad, why in [({"storey_height_m": "nan"}, "storey_height_m"), ({"storey_height_m": "-1"}, "greater than 0"),
                     ({"buildings_radius_m": "1e9"}, "buildings_radius_m"), ({"height": "HEIGHT"}, "not a site_layers key")]:
        with pytest.raises(InputError, match=why):
            site_from_layers(RULES, cad, LOT, buildings=b, site_layers=bad)
    doc = site_from_layers(RULES, cad, LOT, buildings=b, site_layers={"storey_height_m": "3", "building_height_field": "height"})
    assert {(f["properties"]["height"], f["properties"]["height_from"]) for f in _buildings_of(doc)} == \
        {(12.5, "height"), (15.0, "storeys"), (7.5, "height")}  # HEIGHT matched in any case; 5 x 3 m


def test_a_buildings_layer_dense_beyond_the_bound_is_refused(tmp_path, monkeypatch):
    from permitcheck.checking import site_from_layers
    from permitcheck.site import SiteError
    from permitcheck.site import layers

    cad, _ = _layers(tmp_path, "gpkg")
    b = _buildings_layer(tmp_path, "gpkg")
    monkeypatch.setattr(layers, "MAX_FEATURES", 5)
    with pytest.raises(SiteError, match="more than 5 features near the parcel"):
        site_from_layers(RULES, cad, LOT, buildings=b)


def test_a_site_documents_warnings_member_is_checked(tmp_path):
    from permitcheck.site import SiteError, load_site

    doc = json.loads(_hand_made(tmp_path / "hand.geojson").read_text())
    for bad in ({"a": 1}, ["x"] * 51, [""], ["x" * 1001], [3]):
        (tmp_path / "bad.geojson").write_text(json.dumps({**doc, "warnings": bad}))
        with pytest.raises(SiteError, match="warnings: expected a list"):
            load_site(tmp_path / "bad.geojson", None, anchor=ANCHOR)


def test_the_cli_writes_the_context_buildings_and_roads_into_the_site(tmp_path):
    from typer.testing import CliRunner

    from permitcheck.cli import app

    cad, zon = _layers(tmp_path, "gpkg")
    out = tmp_path / "written.geojson"
    r = CliRunner().invoke(app, ["check", str(MODEL), "--cadastre", str(cad), "--parcel-id", LOT, "--zoning", str(zon),
                                 "--zoning-field", "ZONE_NM", "--buildings", str(_buildings_layer(tmp_path, "shp")),
                                 "--roads", str(_roads_layer(tmp_path)), "--site-layer", "storey_height_m=3",
                                 "--rules", str(RULES), "--anchor", "220000,560000", "--json", "--write-site", str(out)])
    assert r.exit_code in (0, 1), r.output
    doc = json.loads(out.read_text())
    assert {f["properties"]["height"] for f in _buildings_of(doc)} == {12.5, 15.0, 7.5}
    assert sum(f["properties"]["role"] == "road" for f in doc["features"]) == 3
    warnings = json.loads(r.stdout)["warnings"]
    assert any("3 buildings left out" in w for w in warnings) and any("1 road left out" in w for w in warnings)
    bad = CliRunner().invoke(app, ["check", str(MODEL), "--site", str(out), "--buildings", str(out), "--rules", str(RULES)])
    assert bad.exit_code == 2 and "go with --cadastre" in bad.output


def test_a_batch_case_reads_context_buildings_and_keys_on_their_files(tmp_path):
    import shutil
    import sqlite3

    import yaml

    from permitcheck.batch import run_batch

    case = tmp_path / "cases" / "lot"
    case.mkdir(parents=True)
    cad, _ = _layers(case, "gpkg")
    b = _buildings_layer(case, "shp")
    shutil.copy(MODEL, case / "model.ifc")
    (case / "case.yaml").write_text(yaml.safe_dump({
        "rules": str(RULES), "cadastre": cad.name, "parcel_id": LOT, "zone": "KR-R2G", "buildings": b.name,
        "site_layers": {"storey_height_m": 3}, "anchor": list(ANCHOR)}, allow_unicode=True))
    out = tmp_path / "out"
    first = run_batch(tmp_path / "cases", out, workers=1)
    assert sum(first.counts.values()) == 1 and "ERROR" not in first.counts, first.counts
    (result,) = [json.loads(r) for (r,) in sqlite3.connect(out / "permitcheck.sqlite").execute(
        "SELECT result_json FROM results")]
    assert any(w.startswith(f"{b.name}: 3 buildings left out") for w in result["warnings"])
    data = bytearray(b.with_suffix(".dbf").read_bytes())
    b.with_suffix(".dbf").write_bytes(bytes(data) + b"\x1a")  # a sidecar of the buildings changed: checked again
    assert run_batch(tmp_path / "cases", out, workers=1).skipped == 0


def test_a_batch_case_with_buildings_but_no_cadastre_is_refused(tmp_path):
    from permitcheck.batch.cases import _case

    assert "go with a 'cadastre'" in _case("x", tmp_path, {"rules": "r.yaml", "site": "s.geojson",
                                                            "buildings": "b.shp"}).error
    c = _case("x", tmp_path, {"rules": "r.yaml", "cadastre": "c.shp", "parcel_id": "1", "roads": "r.gpkg",
                              "site_layers": "road_width_field=W;storey_height_m=3"})
    assert c.error is None and c.roads == str(tmp_path / "r.gpkg")
    assert c.site_layers == (("road_width_field", "W"), ("storey_height_m", "3"))
