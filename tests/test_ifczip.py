"""Models submitted zipped (.ifczip) read as their .ifc; every way a zip can be unusable is one line."""

from __future__ import annotations

import zipfile

import pytest

from conftest import ROOT
from permitcheck.errors import ModelUnreadable
from permitcheck.inspection import inspect_model
from permitcheck.model import ifcfile

SAMPLES = sorted((ROOT / "samples" / "buildings").glob("*.ifc"))


def _zip(tmp_path, members: dict, name="model.ifczip", method=zipfile.ZIP_DEFLATED):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", method) as z:
        for member, data in members.items():
            z.writestr(member, data)
    return path


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_an_ifczip_gives_the_facts_of_its_ifc(sample, tmp_path):
    zipped = _zip(tmp_path, {"folder/" + sample.name: sample.read_bytes()}, name=sample.stem + ".IFCZIP")
    a, b = inspect_model(zipped).to_dict(), inspect_model(sample).to_dict()
    assert a["model"]["sha256"] != b["model"]["sha256"]  # the file as submitted
    for d in (a, b):
        d["model"].pop("sha256"), d["model"].pop("path", None)
    assert a == b


def test_a_batch_folder_takes_an_ifczip(tmp_path):
    from permitcheck.batch.cases import from_folder

    case = tmp_path / "cases" / "one"
    case.mkdir(parents=True)
    _zip(case, {"box.ifc": (ROOT / "samples/buildings/box_m.ifc").read_bytes()}, name="box.IfcZip")
    (case / "site.geojson").write_text("{}")
    (case / "case.yaml").write_text("rules: x.yaml\n")
    [found] = from_folder(tmp_path / "cases")
    assert found.error is None and str(found.model).endswith("box.IfcZip")


@pytest.mark.parametrize("members, why", [
    ({"readme.txt": b"hello"}, "holds no .ifc file"),
    ({"a.ifcxml": b"<ifcXML/>"}, "IfcXML"),
    ({"a.ifc": b"x", "b.IFC": b"y"}, "holds 2 .ifc files"),
    ({"a.ifc": b"not a step file"}, "not an IFC STEP file"),
])
def test_a_zip_without_one_readable_ifc_is_refused_in_one_line(tmp_path, members, why):
    with pytest.raises(ModelUnreadable, match=why) as e:
        ifcfile.open_ifc(str(_zip(tmp_path, members)))
    assert "\n" not in str(e.value) and "model.ifczip" in str(e.value)


def test_a_zip_bomb_stops_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(ifcfile, "MAX_UNZIPPED_BYTES", 1 << 20)
    bomb = _zip(tmp_path, {"big.ifc": b"ISO-10303-21;" + b" " * (8 << 20)})
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ModelUnreadable, match="unzips to more than"):
        ifcfile.open_ifc(str(bomb))


def test_a_damaged_zip_and_a_traversing_name_are_refused_or_harmless(tmp_path):
    good = _zip(tmp_path, {"../../escape.ifc": (ROOT / "samples/buildings/box_m.ifc").read_bytes()})
    assert ifcfile.open_ifc(str(good)).by_type("IfcBuilding")  # read under a name of ours
    assert not (tmp_path.parent / "escape.ifc").exists()
    broken = tmp_path / "broken.ifczip"
    broken.write_bytes(good.read_bytes()[:200])
    with pytest.raises(ModelUnreadable, match="damaged zip"):
        ifcfile.open_ifc(str(broken))


def test_ifcxml_is_refused_with_what_to_export(tmp_path):
    xml = tmp_path / "model.ifcXML"
    xml.write_text('<?xml version="1.0"?><ifcXML/>')
    with pytest.raises(ModelUnreadable, match="IfcXML file, which ifcopenshell does not read"):
        ifcfile.open_ifc(str(xml))
