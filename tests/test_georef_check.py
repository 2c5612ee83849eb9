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
    assert "once corrected" in str(e.value)


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


def _findings(result):
    return {f["rule"]: (f["status"], f.get("measured")) for f in result.to_dict()["findings"]}


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
    again = CliRunner().invoke(app, ["georef", str(fixed), "--site", str(SITE)])
    assert again.exit_code == 0, again.output
    want = _findings(check_model(MODEL, SITE, RULES, sections=False))
    got = _findings(check_model(fixed, SITE, RULES, sections=False))
    assert {k: v[0] for k, v in got.items()} == {k: v[0] for k, v in want.items()}
    for k, (_, measured) in want.items():
        if isinstance(measured, float):
            assert got[k][1] == pytest.approx(measured, abs=1e-3), k


def test_a_scale_that_keeps_a_millimetre_model_in_millimetres_is_corrected_on_reading(tmp_path):
    """Not a refusal: the reader applies the unit conversion and warns (model/georef.py)."""
    import ifcopenshell

    f = ifcopenshell.open(str(ROOT / "samples/buildings/geo_rotated_mm.ifc"))
    f.by_type("IfcMapConversion")[0].Scale = 1.0
    path = tmp_path / "scale.ifc"
    f.write(str(path))
    result = check_model(path, SITE, RULES, sections=False)
    assert result.verdict.value == "PASS" and any("Scale" in w for w in result.to_dict()["warnings"])
