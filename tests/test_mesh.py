"""The closed building mesh for 3D checks: watertight, with the volume known by construction."""

from __future__ import annotations

import pytest

from conftest import SAMPLES, inspected
from permitcheck.facts.mesh import building_mesh

# box 20 x 12: ground slab 240 x 0.2, wall ring (240 - 19.6 x 11.6) x 9.0, two upper slabs
# inside the ring 227.36 x 0.2, roof 240 x 0.3.
BOX_VOLUME = 240 * 0.2 + (240 - 19.6 * 11.6) * 9.0 + 2 * 19.6 * 11.6 * 0.2 + 240 * 0.3


@pytest.mark.parametrize("name", ["box_m.ifc", "box_mm.ifc", "far_origin.ifc", "geo_rotated_mm.ifc", "ifc4x3_box.ifc"])
def test_box_mesh_is_closed_with_known_volume(name):
    bm = building_mesh(inspected(str(SAMPLES / name)).model.elements)
    assert bm.mesh.is_watertight
    assert bm.mesh.volume == pytest.approx(BOX_VOLUME, rel=1e-4)
    assert bm.hulled == () and bm.dropped == ()


def test_far_origin_mesh_stays_in_place():
    bm = building_mesh(inspected(str(SAMPLES / "far_origin.ifc")).model.elements)
    assert bm.mesh.bounds[0][0] == pytest.approx(612345.0, abs=0.001)
    assert bm.mesh.bounds[1][2] == pytest.approx(9.3, abs=0.001)


@pytest.mark.parametrize("name", ["podium_tower.ifc", "courtyard.ifc", "rooftop.ifc", "two_buildings.ifc"])
def test_touching_parts_union_to_a_closed_mesh(name):
    assert building_mesh(inspected(str(SAMPLES / name)).model.elements).mesh.is_watertight
