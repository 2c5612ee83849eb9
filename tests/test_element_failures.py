"""A broken element is recorded with its GlobalId and reason; the rest of the model is measured."""

from __future__ import annotations

import shutil

import ifcopenshell

from conftest import SAMPLES
from permitcheck import inspect_model


def test_broken_element_is_recorded_and_the_run_goes_on(tmp_path):
    path = tmp_path / "broken.ifc"
    shutil.copy(SAMPLES / "box_m.ifc", path)
    f = ifcopenshell.open(str(path))
    wall = [w for w in f.by_type("IfcWall")][0]
    for rep in wall.Representation.Representations:
        for item in rep.Items:
            if item.is_a("IfcExtrudedAreaSolid"):
                item.Depth = 0.0  # a body with no volume: no triangles
    f.write(str(path))
    ins = inspect_model(path)
    assert [x.global_id for x in ins.model.failures] == [wall.GlobalId]
    assert "no triangles" in ins.model.failures[0].reason
    d = ins.to_dict()
    assert d["model"]["element_failures"][0]["global_id"] == wall.GlobalId
    assert any("had no geometry" in w for w in d["warnings"])
    assert ins.facts.whole.footprint_area_m2 > 200  # the other walls and slabs still count
