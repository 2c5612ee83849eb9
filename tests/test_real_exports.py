"""Facts that hold on the way authoring tools export, not only on the models at hand.

Each model is built with ifcopenshell.api the way an exporter writes it: storeys placed where their
contents are not, slabs on the storey below, walls whose body is only in their parts, roof levels
holding a small slab, proxies on the roof, frames without floors.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ifcbuild import Builder, rect
from permitcheck import inspect_model

RING = rect(0, 0, 20, 12)  # 240 m²


def _facts(path, **kw):
    ins = inspect_model(path, **kw)
    return ins, ins.facts.whole


def test_a_basement_placed_at_ground_is_a_basement_by_its_floor_slab(tmp_path):
    b = Builder()
    b.storey("B1", -3.5, placed_at=0.0, attribute=0.0)  # the exporter placed the basement at ground
    b.storey("L0", 0.0)
    b.storey("L1", 3.0)
    b.slab("B1", RING, -3.5, predefined="BASESLAB")
    b.ring_walls("B1", RING, -3.5, 0.0)
    b.block([("L0", 0.0), ("L1", 3.0)], RING, 6.0)
    ins, f = _facts(b.write(tmp_path / "m.ifc"))
    assert f.storeys_below_ground == 1 and f.storeys_above_ground == 2
    assert f.ground_elevation_m == pytest.approx(0.0)
    assert f.gross_floor_area_m2 == pytest.approx(480.0, rel=0.005)  # the basement is not above-ground area
    assert any("'B1' is placed at 0.000 m but its floor slab" in w for w in ins.to_dict()["warnings"])


def test_a_floor_slab_on_the_storey_below_makes_its_own_level_a_floor(tmp_path):
    """ArchiCAD places a slab on the story under it, its top at the next story's level."""
    b = Builder()
    b.storey("L0", 0.0)
    b.storey("L1", 3.0)
    b.slab("L0", RING, 0.0, predefined="BASESLAB")
    b.slab("L0", RING, 3.0, name="L1 floor, homed on L0")
    b.ring_walls("L0", RING, 0.0, 3.0)
    b.ring_walls("L1", RING, 3.0, 6.0)
    b.slab("L1", RING, 6.3, 0.3, "ROOF")
    _, f = _facts(b.write(tmp_path / "m.ifc"))
    assert [s.counted for s in f.storeys] == [True, True]
    assert f.storeys_above_ground == 2
    assert f.gross_floor_area_m2 == pytest.approx(480.0, rel=0.005)


def test_a_wall_whose_body_is_only_in_its_parts_is_measured(tmp_path):
    b = Builder()
    b.storey("L0", 0.0)
    b.slab("L0", rect(0, 0, 10, 10), 0.0, predefined="BASESLAB")
    b.parts_only_wall("L0", (0.0, 0.0), (0.0, -10.0), 0.0, 7.5)  # stands outside the slab, taller than it
    ins, f = _facts(b.write(tmp_path / "m.ifc"))
    assert ins.model.failures == []
    (wall,) = [m for m in ins.model.elements if m.ifc_class == "IfcWall"]
    assert wall.name == "L0 parts wall"
    assert f.height_m == pytest.approx(7.5, abs=0.01)
    assert f.footprint_area_m2 == pytest.approx(10 * 0.3, rel=0.005)  # the slab lies at grade


def test_a_roof_level_with_a_small_slab_is_not_a_storey(tmp_path):
    b = Builder()
    b.storey("L0", 0.0)
    b.storey("L1", 3.0)
    b.storey("Roof", 6.3)
    b.storey("Ceiling", 2.7)
    b.block([("L0", 0.0), ("L1", 3.0)], RING, 6.0)
    b.slab("Roof", rect(2, 2, 4, 3), 6.3, name="roof hatch landing")  # 2 m², a FLOOR slab by class
    b.slab("Ceiling", rect(5, 5, 8, 6), 2.7, 0.02, name="ceiling panel")  # 3 m²
    _, f = _facts(b.write(tmp_path / "m.ifc"))
    counted = {s.name: s.counted for s in f.storeys}
    assert counted == {"L0": True, "Ceiling": False, "L1": True, "Roof": False}
    assert f.storeys_above_ground == 2
    assert f.gross_floor_area_m2 == pytest.approx(480.0, rel=0.005)


def _with_rooftop_proxy(tmp_path):
    b = Builder()
    b.storey("L0", 0.0)
    b.storey("L1", 3.0)
    b.block([("L0", 0.0), ("L1", 3.0)], RING, 6.0)
    b.prism("L1", "IfcBuildingElementProxy", "plant room", rect(8, 4, 12, 8), 6.3, 9.3)
    b.prism("L0", "IfcBuildingElementProxy", "tree", rect(30, 30, 31, 31), 0.0, 12.0)  # planting at grade
    return b.write(tmp_path / "m.ifc")


def test_a_proxy_on_the_roof_makes_height_review_and_counts_with_include_proxies(tmp_path):
    path = _with_rooftop_proxy(tmp_path)
    ins, f = _facts(path)
    assert f.height_m == pytest.approx(6.3, abs=0.01)
    assert "plant room" in f.uncertain["height_m"] and "--include-proxies" in f.uncertain["height_m"]
    assert [p.name for p in ins.model.unmeasured_proxies] == ["plant room"]  # the tree at grade is not read
    _, f2 = _facts(path, include_proxies=True)
    assert f2.height_m == pytest.approx(12.0, abs=0.01) and "height_m" not in f2.uncertain  # the tree counts too

    book = tmp_path / "height.yaml"
    book.write_text("rulebook: h\ntitle: height\njurisdiction: XX\nversion: '1'\neffective_from: 2024-01-01\n"
                    "sources: {law: {law: A law, grade: P}}\nzones:\n  KR-R2G:\n    rules:\n"
                    "      - {id: height, kind: max_height, limit: 20 m, citation: {source: law, article: '1'}}\n")
    site = tmp_path / "site.geojson"
    ring = [[-10 + 220000, -10 + 560000], [40 + 220000, -10 + 560000], [40 + 220000, 40 + 560000],
            [-10 + 220000, 40 + 560000]]
    site.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
                                "features": [{"type": "Feature", "properties": {"role": "parcel", "id": "P"},
                                              "geometry": {"type": "Polygon", "coordinates": [ring + [ring[0]]]}}]}))
    args = [sys.executable, "-m", "permitcheck", "check", str(path), "--site", str(site), "--rules", str(book),
            "--zone", "KR-R2G", "--anchor", "220000,560000", "--json"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    d = json.loads(proc.stdout)
    assert any("plant room" in w for w in d["warnings"])
    (height,) = d["findings"]
    assert height["status"] == "REVIEW" and "plant room" in height["details"]["uncertain_physical"]
    proc = subprocess.run(args + ["--include-proxies"], capture_output=True, text=True, timeout=300)
    d = json.loads(proc.stdout)
    assert d["facts"]["height_m"] == pytest.approx(12.0, abs=0.01) and d["findings"][0]["status"] == "PASS"


def test_a_frame_without_floor_slabs_makes_far_review(tmp_path):
    b = Builder()
    b.storey("L0", 0.0)
    b.storey("L1", 4.0)
    b.slab("L0", rect(0, 0, 6, 4), 0.0, predefined="BASESLAB")  # an office box in a 240 m² shed
    for x, y in ((0, 0), (19.6, 0), (19.6, 11.6), (0, 11.6)):
        b.prism("L0", "IfcColumn", "column", rect(x, y, x + 0.4, y + 0.4), 0.0, 8.0)
    b.slab("L1", RING, 8.3, 0.3, "ROOF")
    _, f = _facts(b.write(tmp_path / "m.ifc"))
    assert "gross_floor_area_m2" in f.uncertain and "floor slabs may be missing" in f.uncertain["gross_floor_area_m2"]


def test_a_flat_roof_typed_floor_does_not_lift_its_storey(tmp_path):
    """A pavilion: walls and a flat roof slab with no ROOF type, no slab on grade."""
    b = Builder()
    b.storey("EG", 0.0)
    ring = rect(0, 0, 10, 8)
    b.ring_walls("EG", ring, 0.0, 3.0)
    b.slab("EG", ring, 3.3, 0.3, predefined=None, name="flat roof")
    _, f = _facts(b.write(tmp_path / "m.ifc"))
    assert f.ground_elevation_m == pytest.approx(0.0)
    assert f.height_m == pytest.approx(3.3, abs=0.01)


def test_small_slabs_do_not_make_storeys_vanish(tmp_path):
    """Five storeys whose only slabs are 2.25 m² landings: counted by the fallback, and uncertain."""
    b = Builder()
    ring = rect(0, 0, 12, 10)
    for i in range(5):
        b.storey(f"L{i}", 3.0 * i)
        b.ring_walls(f"L{i}", ring, 3.0 * i, 3.0 * i + 3.0)
        b.slab(f"L{i}", rect(1, 1, 2.5, 2.5), 3.0 * i + 0.2, 0.2, name=f"L{i} landing")
    _, f = _facts(b.write(tmp_path / "m.ifc"))
    assert f.storeys_above_ground == 5 and "storeys" in f.uncertain


def test_plaza_paving_does_not_hide_a_penthouse(tmp_path):
    b = Builder()
    b.block([("L0", 0.0), ("L1", 3.0)], rect(0, 0, 30, 20), 6.0)
    b.slab("L0", rect(-30, -30, 60, 50), 0.0, 0.15, name="plaza paving")  # Revit hardscape as a floor
    b.storey("L2", 6.3)
    b.slab("L2", rect(0, 0, 20, 10), 6.3, 0.2)
    b.ring_walls("L2", rect(0, 0, 20, 10), 6.3, 9.3)
    _, f = _facts(b.write(tmp_path / "m.ifc"))
    assert f.storeys_above_ground == 3


def test_a_curtain_wall_measured_by_its_panels_is_no_failure(tmp_path):
    import ifcopenshell.api.aggregate
    import ifcopenshell.api.geometry

    b = Builder()
    b.block([("EG", 0.0)], rect(0, 0, 10, 8), 3.0)
    cw = b._element("EG", "IfcCurtainWall", "CW")
    b._place(cw, (0, -1, 0))
    ifcopenshell.api.geometry.assign_representation(
        b.f, product=cw, representation=b.sb.get_representation(b.axis_ctx, [b.sb.polyline([(0.0, 0.0), (10.0, 0.0)])]))
    panel = b.prism(None, "IfcPlate", "panel", rect(0, -1.05, 10, -1.0), 0, 3.0)
    ifcopenshell.api.aggregate.assign_object(b.f, products=[panel], relating_object=cw)
    ins, _ = _facts(b.write(tmp_path / "m.ifc"))
    assert ins.model.failures == []


def test_a_ceiling_level_holding_a_soffit_is_not_a_storey(tmp_path):
    """Revit's 'Ceiling-East': a level 0.2 m under the next floor, holding a full-size slab."""
    b = Builder()
    b.block([("L0", 0.0), ("L1", 3.0)], RING, 6.0)
    b.storey("Ceiling", 2.8)
    b.slab("Ceiling", RING, 2.8, 0.1, name="soffit")
    _, f = _facts(b.write(tmp_path / "m.ifc"))
    assert {s.name: s.counted for s in f.storeys} == {"L0": True, "Ceiling": False, "L1": True}
    assert f.gross_floor_area_m2 == pytest.approx(480.0, rel=0.005)


def test_janesville_ceiling_level_is_not_a_storey(real_model):
    from conftest import inspected

    f = inspected(str(real_model("05_Janesville_Restaurant_Revit2012_feet.ifc"))).facts.whole
    assert [s.name for s in f.storeys if s.counted] == ["Floor Plan_1st Floor", "Floor Plan_2nd Floor",
                                                        "Floor Plan_3rd Floor"]
    assert f.storeys_above_ground == 3
