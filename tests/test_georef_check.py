"""Each usual georeferencing error, made in a copy of a georeferenced sample, is named with its fix;
undoing it, the copy checks like the original."""

from __future__ import annotations

import pytest

from conftest import ROOT
from permitcheck.checking import check_model
from permitcheck.errors import InputError

MODEL = ROOT / "samples/buildings/geo_rotated_m.ifc"  # EPSG:5186, E 210000 N 550000, rotated 30°
SITE = ROOT / "samples/sites/geo_ok_5186.geojson"
RULES = ROOT / "rules/kr/national.yaml"


def _broken(tmp_path, name, **change):
    import math

    import ifcopenshell

    f = ifcopenshell.open(str(MODEL))
    mc = f.by_type("IfcMapConversion")[0]
    if change.pop("origin_away", False):
        # the building 60 m along model X from the project origin (a survey point), the conversion
        # moved to match: it still lands where the original does
        loc = f.by_type("IfcSite")[0].ObjectPlacement.RelativePlacement.Location
        loc.Coordinates = (60.0, 0.0, 0.0)
        a = math.atan2(mc.XAxisOrdinate, mc.XAxisAbscissa)
        mc.Eastings, mc.Northings = mc.Eastings - 60 * math.cos(a), mc.Northings - 60 * math.sin(a)
    for key, value in change.items():
        if key == "crs":
            f.by_type("IfcProjectedCRS")[0].Name = value
        else:
            setattr(mc, key, value)
    path = tmp_path / f"{name}.ifc"
    f.write(str(path))
    return path


@pytest.mark.parametrize("name, change, cause", [
    ("mm", {"Eastings": 210000000.0, "Northings": 550000000.0}, "in millimetres but read as metres"),
    ("feet", {"Eastings": 210000 / 0.3048, "Northings": 550000 / 0.3048}, "in feet but read as metres"),
    ("swapped", {"Eastings": 550000.0, "Northings": 210000.0}, "easting and northing are swapped"),
    ("clockwise", {"origin_away": True, "XAxisOrdinate": -0.49999999999999994}, "rotation is turned the wrong way"),
    ("datum", {"crs": "EPSG:5174"}, "are in EPSG:5186 but the model names EPSG:5174"),
])
def test_each_georeferencing_error_is_named_with_its_fix(tmp_path, name, change, cause):
    with pytest.raises(InputError, match="does not stand on its parcel") as e:
        check_model(_broken(tmp_path, name, **change), SITE, RULES, sections=False)
    assert cause in str(e.value) and "\n" not in str(e.value)
    assert "once corrected (0.0 m² of the footprint left outside)" in str(e.value)


def test_the_original_stands_on_its_parcel_and_is_not_diagnosed(tmp_path):
    assert check_model(MODEL, SITE, RULES, sections=False).verdict.value == "PASS"
    moved = check_model(_broken(tmp_path, "moved", origin_away=True), SITE, RULES, sections=False)
    assert moved.verdict.value == "PASS"  # the same building, its origin elsewhere: the same place


def test_the_map_conversion_applied_twice_is_named(tmp_path):
    """A model whose coordinates are already map coordinates (the building moved to E/N in its own
    placement) and which still carries the conversion."""
    import ifcopenshell
    import ifcopenshell.util.placement

    f = ifcopenshell.open(str(MODEL))
    mc = f.by_type("IfcMapConversion")[0]
    site = f.by_type("IfcSite")[0]
    loc = site.ObjectPlacement.RelativePlacement
    ax = loc.RefDirection
    loc.Location.Coordinates = (mc.Eastings, mc.Northings, 0.0)
    loc.RefDirection = f.createIfcDirection((mc.XAxisAbscissa, mc.XAxisOrdinate, 0.0))
    del ax
    path = tmp_path / "twice.ifc"
    f.write(str(path))
    with pytest.raises(InputError, match="already map coordinates"):
        check_model(path, SITE, RULES, sections=False)
    from typer.testing import CliRunner

    from permitcheck.cli import app

    fixed = tmp_path / "twice_fixed.ifc"
    r = CliRunner().invoke(app, ["georef", str(path), "--site", str(SITE), "--write", str(fixed)])
    assert r.exit_code == 1 and "wrote" in r.output and "IfcMapConversion.Eastings" in r.output, r.output
    _checks_like_the_original(fixed)


def _findings(result):
    return {f["rule"]: (f["status"], f.get("measured")) for f in result.to_dict()["findings"]}


def _checks_like_the_original(fixed):
    want = _findings(check_model(MODEL, SITE, RULES, sections=False))
    got = _findings(check_model(fixed, SITE, RULES, sections=False))
    assert {k: v[0] for k, v in got.items()} == {k: v[0] for k, v in want.items()}
    for k, (_, measured) in want.items():
        if isinstance(measured, float):
            assert got[k][1] == pytest.approx(measured, abs=1e-3), k


@pytest.mark.parametrize("name, change", [
    ("mm", {"Eastings": 210000000.0, "Northings": 550000000.0}),
    ("feet", {"Eastings": 210000 / 0.3048, "Northings": 550000 / 0.3048}),
    ("swapped", {"Eastings": 550000.0, "Northings": 210000.0}),
    ("clockwise", {"origin_away": True, "XAxisOrdinate": -0.49999999999999994}),
    ("datum", {"crs": "EPSG:5174"}),
])
def test_the_written_fix_checks_like_the_original(tmp_path, name, change):
    from typer.testing import CliRunner

    from permitcheck.cli import app

    broken, fixed = _broken(tmp_path, name, **change), tmp_path / "fixed.ifc"
    r = CliRunner().invoke(app, ["georef", str(broken), "--site", str(SITE), "--write", str(fixed)])
    assert r.exit_code == 1 and "cause:" in r.output and "wrote" in r.output, r.output
    assert "once corrected, with 0.0 m² left outside" in r.output
    again = CliRunner().invoke(app, ["georef", str(fixed), "--site", str(SITE)])
    assert again.exit_code == 0, again.output
    _checks_like_the_original(fixed)


def test_a_scale_that_keeps_a_millimetre_model_in_millimetres_is_corrected_on_reading(tmp_path):
    """Not a refusal: the reader applies the unit conversion and warns (model/georef.py)."""
    import ifcopenshell

    f = ifcopenshell.open(str(ROOT / "samples/buildings/geo_rotated_mm.ifc"))
    f.by_type("IfcMapConversion")[0].Scale = 1.0
    path = tmp_path / "scale.ifc"
    f.write(str(path))
    result = check_model(path, SITE, RULES, sections=False)
    assert result.verdict.value == "PASS" and any("Scale" in w for w in result.to_dict()["warnings"])


# --- the grid convergence: a rotation given from true north -----------------------------------------

# EPSG:5179 (UTM-K, Korea's national grid, central meridian 127.5°E) at Busan, 129.07°E 35.18°N:
# grid and true north are 0.90° apart there (at the sample's own site in EPSG:5186 only 0.07°).
BUSAN = (1142950.0, 1688320.0)


def _busan_site(tmp_path, parcel_turn: float = 0.0):
    """The sample's site moved, in grid terms, to Busan in EPSG:5179; its parcel optionally turned."""
    import json

    import shapely
    from shapely import affinity

    fc = json.loads(SITE.read_text())
    fc["crs"]["properties"]["name"] = "EPSG:5179"
    for feature in fc["features"]:
        geom = affinity.translate(shapely.geometry.shape(feature["geometry"]), BUSAN[0] - 210000, BUSAN[1] - 550000)
        if feature["properties"]["role"] == "parcel":
            geom = affinity.rotate(geom, parcel_turn, origin="centroid")
        feature["geometry"] = shapely.geometry.mapping(geom)
    path = tmp_path / f"busan_{parcel_turn}.geojson"
    path.write_text(json.dumps(fc))
    return path


def _at_busan(turn: float = 0.0):
    """The sample's georeference at Busan, its rotation (30°, along its parcel) turned by `turn`."""
    from dataclasses import replace

    from conftest import inspected

    inspection = inspected(str(MODEL))
    geo = replace(inspection.model.georeference, crs="EPSG:5179", eastings=BUSAN[0], northings=BUSAN[1],
                  rotation_deg=30.0 + turn)
    return geo, inspection.facts.whole.footprint


def _meridian_convergence(site):
    """pyproj's meridian convergence at the parcel's centre."""
    import numpy as np
    import pyproj

    c = site.parcel.centroid
    e, n = site.georeference.to_map(np.array([[c.x, c.y]]))[0]
    lon, lat = pyproj.Transformer.from_crs("EPSG:5179", "EPSG:4326", always_xy=True).transform(e, n)
    return pyproj.Proj("EPSG:5179").get_factors(lon, lat).meridian_convergence, lon


def test_the_convergence_is_pyprojs_and_true_north_lies_west_of_grid_north_east_of_the_meridian(tmp_path):
    """The sign checked three ways: pyproj's factor, the grid bearing of a meridian, and the site's
    true north; a rotation of the model turns both norths alike and leaves the angle."""
    import math

    import pyproj

    from permitcheck.site import load_site
    from permitcheck.site.georef_check import convergence_deg

    geo, _ = _at_busan()
    site = load_site(_busan_site(tmp_path), geo)
    gamma, lon = _meridian_convergence(site)
    t = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:5179", always_xy=True)
    (e0, e1), (n0, n1) = t.transform([lon, lon], [35.18, 35.181])
    bearing = math.degrees(math.atan2(e1 - e0, n1 - n0))  # of true north, clockwise from grid north
    assert lon > 127.5 and gamma == pytest.approx(0.905, abs=0.01) and bearing == pytest.approx(-gamma, abs=0.002)
    assert convergence_deg(site) == pytest.approx(gamma, abs=0.002)
    turned = load_site(_busan_site(tmp_path), _at_busan(20.0)[0])
    assert convergence_deg(turned) == pytest.approx(gamma, abs=0.002)


@pytest.mark.parametrize("sign, cause", [
    (-1, "the rotation was given from true north instead of grid north"),
    (+1, "turned from true north to grid north although it was already from grid north"),
])
def test_a_rotation_off_by_the_convergence_is_named_for_review(tmp_path, sign, cause):
    """The sample, set along its parcel, with its map rotation off by the convergence (either way):
    it still stands wholly on its parcel, so only the edges' directions tell."""
    from permitcheck.site import load_site
    from permitcheck.site.georef_check import diagnose, rotation_review

    gamma = _meridian_convergence(load_site(_busan_site(tmp_path), _at_busan()[0]))[0]
    geo, footprint = _at_busan(sign * gamma)
    site = load_site(_busan_site(tmp_path), geo)
    assert diagnose(site, footprint) is None  # on its parcel: no error
    found = rotation_review(site, footprint)
    assert found is not None and found.status == "REVIEW" and cause in found.cause
    assert found.edit == ("rotate", pytest.approx(-sign * gamma, abs=1e-3))
    assert found.convergence_deg == pytest.approx(gamma, abs=0.002)
    assert found.misaligned_deg[0] == pytest.approx(gamma, abs=0.01) and found.misaligned_deg[1] < 0.01
    assert "30.0000°" in found.fix and f"{gamma:+.3f}°" in found.cause
    assert found.share_as_placed == found.share_corrected == 1.0


@pytest.mark.parametrize("turn, parcel_turn", [(0.0, 0.0), (0.0, 20.0), (0.5, 0.0), (-2.0, 0.0)])
def test_a_building_along_its_parcel_or_askew_by_design_is_not_flagged(tmp_path, turn, parcel_turn):
    """Aligned; set at 20° to its parcel; 0.5° and 2° off (not the convergence, 0.9°): none is it."""
    from permitcheck.site import load_site
    from permitcheck.site.georef_check import on_parcel, rotation_review

    geo, footprint = _at_busan(turn)
    site = load_site(_busan_site(tmp_path, parcel_turn), geo)
    assert on_parcel(site, footprint) > 0.9  # on its parcel: the review is the only test that could fire
    assert rotation_review(site, footprint) is None


def test_the_sample_site_near_its_central_meridian_has_too_little_convergence_to_tell(tmp_path):
    """At the sample's own site in EPSG:5186 true and grid north are 0.07° apart: within parcel
    digitising noise, never named."""
    from dataclasses import replace

    from conftest import inspected
    from permitcheck.site import load_site
    from permitcheck.site.georef_check import convergence_deg, rotation_review

    inspection = inspected(str(MODEL))
    geo = inspection.model.georeference
    site = load_site(SITE, geo)
    assert abs(convergence_deg(site)) == pytest.approx(0.069, abs=0.002)
    turned = load_site(SITE, replace(geo, rotation_deg=geo.rotation_deg - convergence_deg(site)))
    assert rotation_review(turned, inspection.facts.whole.footprint) is None


def test_georef_writes_the_rotation_from_grid_north_and_the_copy_is_not_flagged(tmp_path):
    import math

    import ifcopenshell
    from typer.testing import CliRunner

    from permitcheck.cli import app
    from permitcheck.site import load_site

    site = _busan_site(tmp_path)
    gamma = _meridian_convergence(load_site(site, _at_busan()[0]))[0]
    a = math.radians(30.0 - gamma)  # what a model whose 30° was measured from true north says
    broken = _broken(tmp_path, "true_north", crs="EPSG:5179", Eastings=BUSAN[0], Northings=BUSAN[1],
                     XAxisAbscissa=math.cos(a), XAxisOrdinate=math.sin(a))
    fixed = tmp_path / "fixed.ifc"
    r = CliRunner().invoke(app, ["georef", str(broken), "--site", str(site), "--write", str(fixed)])
    assert r.exit_code == 1 and "perhaps turned (review)" in r.output and "from true north" in r.output, r.output
    assert "XAxisOrdinate" in r.output and "wrote" in r.output
    mc = ifcopenshell.open(str(fixed)).by_type("IfcMapConversion")[0]
    assert math.degrees(math.atan2(mc.XAxisOrdinate, mc.XAxisAbscissa)) == pytest.approx(30.0, abs=1e-3)
    assert math.hypot(mc.XAxisAbscissa, mc.XAxisOrdinate) == pytest.approx(1.0)
    again = CliRunner().invoke(app, ["georef", str(fixed), "--site", str(site)])
    assert again.exit_code == 0 and "on its parcel" in again.output, again.output


# --- a site in longitude/latitude labelled as projected ------------------------------------------------

def _lonlat_site(tmp_path, crs: str | None, lat_first: bool = False):
    import json

    fc = json.loads((ROOT / "samples/sites/crs_mismatch.geojson").read_text())  # lon/lat, labelled EPSG:5186
    if crs is None:
        del fc["crs"]
    else:
        fc["crs"]["properties"]["name"] = crs
    if lat_first:
        for feature in fc["features"]:
            feature["geometry"]["coordinates"] = [[[y, x] for x, y in ring] for ring in feature["geometry"]["coordinates"]]
    path = tmp_path / "lonlat.geojson"
    path.write_text(json.dumps(fc))
    return path


@pytest.mark.parametrize("crs, site_crs, lat_first, needle", [
    ("EPSG:5186", None, False, "look like longitude/latitude degrees (127.113172, 37.549363) but its CRS says "
                               "EPSG:5186, a projected CRS in metres — declare EPSG:4326"),
    (None, "EPSG:5186", False, "but --site-crs says EPSG:5186, a projected CRS in metres — declare EPSG:4326"),
    ("EPSG:2263", None, False, "but its CRS says EPSG:2263, a projected CRS in US survey feet"),
    ("EPSG:5179", None, False, "or reproject the site into EPSG:5179"),  # not the model's CRS: no projection first
    ("EPSG:5186", None, True, "look like latitude/longitude degrees, latitude first (37.549363, 127.113172)"),
])
def test_a_site_in_longitude_latitude_labelled_as_projected_is_one_clear_line(tmp_path, crs, site_crs, lat_first,
                                                                             needle):
    from conftest import inspected
    from permitcheck.site import load_site
    from permitcheck.site.load import SiteError

    geo = inspected(str(MODEL)).model.georeference
    with pytest.raises(SiteError) as e:
        load_site(_lonlat_site(tmp_path, crs, lat_first), geo, site_crs=site_crs)
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_a_projected_site_near_its_false_origin_is_not_taken_for_degrees(tmp_path):
    """A real parcel within 180 m of a CRS's origin is not a speck: the check is on the area."""
    import json

    from permitcheck.site import load_site

    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}}, "features": [
        {"type": "Feature", "properties": {"role": "parcel", "id": "P"},
         "geometry": {"type": "Polygon", "coordinates": [[[10, 10], [40, 10], [40, 37], [10, 37], [10, 10]]]}}]}
    path = tmp_path / "origin.geojson"
    path.write_text(json.dumps(fc))
    assert load_site(path, None, anchor=(0.0, 0.0)).parcel.area == pytest.approx(810.0)


# --- the fit: where the footprint fits the parcel, and what is left outside -----------------------------

def _parcel_site(tmp_path, parcel_map, name="fit"):
    import json

    import shapely

    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}}, "features": [
        {"type": "Feature", "properties": {"role": "parcel", "id": "P"}, "geometry": shapely.geometry.mapping(parcel_map)},
        {"type": "Feature", "properties": {"role": "zone", "zone": "KR-R2G"},
         "geometry": shapely.geometry.mapping(parcel_map.buffer(50))}]}
    path = tmp_path / f"{name}.geojson"
    path.write_text(json.dumps(fc))
    return path


@pytest.mark.parametrize("de, dn, turn", [(12.3, -4.1, 3.2), (40.0, 25.0, -20.0), (0.4, 0.2, 0.3)])
def test_the_fit_recovers_a_known_move_and_turn(tmp_path, de, dn, turn):
    """The parcel drawn exactly as the footprint: one placement fits, and the fit finds it."""
    from dataclasses import replace

    import shapely

    from conftest import inspected
    from permitcheck.site import load_site
    from permitcheck.site.georef_check import fit

    inspection = inspected(str(MODEL))
    geo, footprint = inspection.model.georeference, inspection.facts.whole.footprint
    site = load_site(_parcel_site(tmp_path, shapely.transform(footprint, geo.to_map)), geo)
    off = replace(geo, eastings=geo.eastings + de, northings=geo.northings + dn, rotation_deg=geo.rotation_deg + turn)
    found = fit(site, footprint, start=off)
    back = found.georeference(off)
    assert back.eastings == pytest.approx(geo.eastings, abs=0.1) and back.northings == pytest.approx(geo.northings, abs=0.1)
    assert back.rotation_deg == pytest.approx(geo.rotation_deg, abs=0.1) and found.rotation_deg == pytest.approx(-turn, abs=0.1)
    assert found.outside_m2 < 0.5 and found.outside_start_m2 > found.outside_m2
    assert found.evaluations <= 500


def test_a_footprint_bigger_than_its_parcel_is_left_partly_outside(tmp_path):
    """The parcel the footprint shrunk to 80 %: at best 36 % of the footprint (86.4 m²) is outside."""
    from dataclasses import replace

    import shapely
    from shapely import affinity

    from conftest import inspected
    from permitcheck.site import load_site
    from permitcheck.site.georef_check import fit

    inspection = inspected(str(MODEL))
    geo, footprint = inspection.model.georeference, inspection.facts.whole.footprint
    small = affinity.scale(shapely.transform(footprint, geo.to_map), 0.8, 0.8)
    site = load_site(_parcel_site(tmp_path, small), geo)
    found = fit(site, footprint, start=replace(geo, eastings=geo.eastings + 30.0, rotation_deg=geo.rotation_deg + 10))
    assert found.outside_m2 == pytest.approx(86.4, abs=0.5) and found.outside_share == pytest.approx(0.36, abs=0.003)


def test_a_model_elsewhere_that_no_usual_error_explains_is_refused_with_where_it_fits(tmp_path):
    from typer.testing import CliRunner

    from permitcheck.cli import app

    moved = _broken(tmp_path, "moved40", Eastings=210040.0, Northings=550025.0)  # 40 m east, 25 m north
    with pytest.raises(InputError, match="does not stand on its parcel") as e:
        check_model(moved, SITE, RULES, sections=False)
    message = str(e.value)
    assert "no usual georeferencing error explains it; the footprint fits the parcel moved" in message
    assert "m west" in message and "m south" in message and "with 0.0 m² left outside" in message
    assert "Eastings" in message and "once corrected" not in message and "\n" not in message
    r = CliRunner().invoke(app, ["georef", str(moved), "--site", str(SITE), "--write", str(tmp_path / "f.ifc")])
    assert r.exit_code == 1 and "no usual georeferencing error" in r.output and "nothing written" in r.output, r.output


def test_a_model_kilometres_off_is_a_crs_mix_up_not_a_fit(tmp_path):
    from typer.testing import CliRunner

    from permitcheck.cli import app

    far = _broken(tmp_path, "far", Eastings=215000.0)
    with pytest.raises(InputError, match="km from the building"):
        check_model(far, SITE, RULES, sections=False)
    r = CliRunner().invoke(app, ["georef", str(far), "--site", str(SITE)])
    assert r.exit_code == 1 and "in no usual way and far from it" in r.output, r.output


def test_a_model_partly_off_in_no_usual_way_is_checked_and_georef_says_where_it_fits(tmp_path):
    """Across its lot line (moved 18 m along its length: 40 % of it on the parcel): a design the rules
    measure, not a refusal."""
    import math

    from typer.testing import CliRunner

    from permitcheck.cli import app

    across = _broken(tmp_path, "across", Eastings=210000.0 + 18 * math.cos(math.radians(30)),
                     Northings=550000.0 + 18 * math.sin(math.radians(30)))
    assert check_model(across, SITE, RULES, sections=False).verdict.value == "FAIL"
    r = CliRunner().invoke(app, ["georef", str(across), "--site", str(SITE)])
    assert r.exit_code == 1 and "partly off its parcel: 40% of the footprint" in r.output, r.output
    assert "0.0 m² left outside" in r.output and "m west" in r.output and "m south" in r.output


def test_check_puts_the_rotation_review_first_and_never_moves_the_model(tmp_path):
    """The pre-flight's placement finding: REVIEW with the angle to write for the copy turned by the
    convergence, PASS for the fixed one; the rules measure the model where it says it is."""
    import math

    from permitcheck.site import load_site

    site = _busan_site(tmp_path)
    gamma = _meridian_convergence(load_site(site, _at_busan()[0]))[0]
    a = math.radians(30.0 - gamma)
    broken = _broken(tmp_path, "true_north_check", crs="EPSG:5179", Eastings=BUSAN[0], Northings=BUSAN[1],
                     XAxisAbscissa=math.cos(a), XAxisOrdinate=math.sin(a))
    result = check_model(broken, site, RULES, sections=False)
    first = result.findings[0]
    assert (first.rule, first.kind, first.status.value) == ("georeference.placement", "georeference", "REVIEW")
    assert first.m.details["turn_deg"] == pytest.approx(gamma, abs=0.002)
    assert "from true north instead of grid north" in first.m.details["cause"]
    assert result.verdict.value != "PASS"  # a person judges the rotation before the verdict stands
    fixed = _broken(tmp_path, "grid_north_check", crs="EPSG:5179", Eastings=BUSAN[0], Northings=BUSAN[1])
    again = check_model(fixed, site, RULES, sections=False)
    assert (again.findings[0].status.value, again.findings[0].m.reason) == ("PASS", "placed_on_parcel")
    assert again.findings[0].m.details["share_on_parcel"] == pytest.approx(1.0)
    # measured where the model says it is: the rules' figures barely move (0.9° about the centre)
    same = {f.rule: f.m.measured for f in again.findings if f.kind not in ("georeference", "readiness")}
    got = {f.rule: f.m.measured for f in result.findings if f.kind not in ("georeference", "readiness")}
    assert same.keys() == got.keys()
    from permitcheck.reports.text import explain
    said = explain(result.to_dict()["findings"][0])
    assert said.startswith("the model stands on its parcel, but the rotation was given from true north")


def test_an_anchored_model_has_no_placement_finding():
    result = check_model(ROOT / "samples/buildings/box_m.ifc", ROOT / "samples/sites/box_ok.geojson", RULES,
                         anchor=(220000.0, 560000.0), sections=False)
    assert not [f for f in result.findings if f.kind == "georeference"]
