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
