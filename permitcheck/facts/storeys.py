"""Storeys and gross floor area.

A storey counts as a floor when its floor slabs (IfcSlab other than ROOF or LANDING, not part of an
IfcRoof, taken by level as `facts.levels` decides) cover at least 4 m² in plan: Revit's "Roof",
"T/FDN" and ceiling levels, and a level holding only a landing, are listed but not counted. When no storey of the building holds a floor slab at all (IfcOpenHouse), every
storey with elements counts, and a warning says so.

Gross floor area of a counted storey = area of the union of the plan projections of the storey's
floor slabs, walls, columns and curtain walls — the floor plate to the outer face of the walls,
with voids in the slab (courtyards, atria) left out. Above ground it is clipped to the footprint,
so slabs at grade outside the building (Janesville's 4,190 m² paving, modelled as a floor) are
not floor area. Without floor slabs, the plate's holes are filled instead (rooms have no slab to
cover them). Above-ground GFA is the sum over counted storeys at or above ground level.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.levels import Levels, is_floor_slab
from permitcheck.facts.projection import element_plans, union
from permitcheck.facts.types import StoreyFacts
from permitcheck.model.types import ElementMesh, Storey

# A storey within this distance below the ground level is still "at ground" (exporters offset
# the ground floor by a finish thickness: Janesville's first floor is at +0.05 m).
GROUND_TOLERANCE = 0.05
_PLATE_CLASSES = ("IfcWall", "IfcWallStandardCase", "IfcWallElementedCase", "IfcColumn",
                  "IfcColumnStandardCase", "IfcCurtainWall")

__all__ = ["GROUND_TOLERANCE", "is_floor_slab", "plate_of", "storey_facts"]


def _in_plate(m: ElementMesh) -> bool:
    return m.ifc_class in _PLATE_CLASSES or m.parent_class == "IfcCurtainWall"


def whole_plans(parts: list[ElementMesh], plans: dict) -> dict:
    """`plans` (by GlobalId) completed with the whole plan of every part it lacks, in one batch."""
    todo = [m for m in parts if m.global_id not in plans]
    plans.update(zip((m.global_id for m in todo), element_plans([(m.vertices, m.faces) for m in todo])))
    return plans


def plate_of(parts: list[ElementMesh], fill_holes: bool, plans: dict | None = None) -> BaseGeometry:
    """The union of the plan projections of a storey's floor slabs, walls and columns (`plans`:
    whole plans already found, by GlobalId)."""
    plans = whole_plans(parts, plans if plans is not None else {})
    plate = union([plans[m.global_id] for m in parts if plans[m.global_id] is not None])
    if fill_holes:
        plate = union([shapely.Polygon(p.exterior) for p in shapely.get_parts(plate) if not p.is_empty])
    return plate


def storey_facts(storeys: list[Storey], meshes: list[ElementMesh], ground: float,
                 footprint: BaseGeometry, levels: Levels) -> tuple[StoreyFacts, ...]:
    """Per storey: above ground, counted as a floor, and its gross area (see the module docstring).

    `storeys` carry the levels decided in `levels` (facts.levels); floor slabs are those `levels`
    gave each storey, walls, columns and curtain walls those the model assigns to it.
    """
    ids = {m.global_id for m in meshes}
    walls: dict[str, list[ElementMesh]] = {}
    for m in meshes:
        if m.storey_id and _in_plate(m):
            walls.setdefault(m.storey_id, []).append(m)
    has_elements = {m.storey_id for m in meshes if m.storey_id}
    any_slab = any(levels.any_slab.get(s.building_id, False) for s in storeys)
    rows = []
    for s in storeys:
        floors = [m for m in levels.floors.get(s.global_id, ()) if m.global_id in ids]
        owns = s.global_id in has_elements or bool(floors)
        rows.append((s, floors, owns, s.global_id in levels.counted if any_slab else owns))
    plans = whole_plans([m for s, floors, _, counted in rows if counted
                         for m in floors + walls.get(s.global_id, [])], {})
    out = []
    for s, floors, owns, counted in rows:
        above = s.elevation_m >= ground - GROUND_TOLERANCE
        if not counted:
            if not owns:
                note = "no elements: listed, not counted"
            elif floors:
                note = (f"floor slabs of {levels.floor_area.get(s.global_id, 0.0):.1f} m² only (a landing, a "
                        "ceiling or a roof level): listed, not counted")
            else:
                note = "no floor slab: listed, not counted"
            out.append(StoreyFacts(s.global_id, s.name, s.elevation_m, above, False, 0.0, note))
            continue
        plate = plate_of(floors + walls.get(s.global_id, []), fill_holes=not any_slab, plans=plans)
        if above:
            plate = plate.intersection(footprint)
        note = f"{len(floors)} floor slab(s)" if any_slab else "no floor slabs in the building: plate of walls, holes filled"
        out.append(StoreyFacts(s.global_id, s.name, s.elevation_m, above, True, float(plate.area), note))
    return tuple(out)
