"""Storeys and gross floor area.

A storey counts as a floor when its own elements include a floor slab (IfcSlab other than ROOF
or LANDING, not part of an IfcRoof): Revit's "Roof", "T/FDN" and ceiling levels hold no floor
and are listed but not counted. When no storey of the building holds a floor slab at all
(IfcOpenHouse), every storey with elements counts, and a warning says so.

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

from permitcheck.facts.projection import merge_triangles, plan_polygons, union
from permitcheck.facts.types import StoreyFacts
from permitcheck.model.types import ElementMesh, Storey

# A storey within this distance below the ground level is still "at ground" (exporters offset
# the ground floor by a finish thickness: Janesville's first floor is at +0.05 m).
GROUND_TOLERANCE = 0.05
_NOT_FLOOR_SLABS = {"ROOF", "LANDING"}
_PLATE_CLASSES = ("IfcWall", "IfcWallStandardCase", "IfcWallElementedCase", "IfcColumn",
                  "IfcColumnStandardCase", "IfcCurtainWall")


def is_floor_slab(m: ElementMesh) -> bool:
    return (m.ifc_class.startswith("IfcSlab") and (m.predefined_type or "") not in _NOT_FLOOR_SLABS
            and m.parent_class != "IfcRoof")


def _in_floor_plate(m: ElementMesh) -> bool:
    return is_floor_slab(m) or m.ifc_class in _PLATE_CLASSES or m.parent_class == "IfcCurtainWall"


def _plate(own: list[ElementMesh], fill_holes: bool) -> BaseGeometry:
    parts = []
    for m in own:
        if _in_floor_plate(m):
            polys = plan_polygons(m.vertices[m.faces])
            if len(polys):
                parts.append(merge_triangles(polys))
    plate = union(parts)
    if fill_holes:
        plate = union([shapely.Polygon(p.exterior) for p in shapely.get_parts(plate) if not p.is_empty])
    return plate


def storey_facts(storeys: list[Storey], meshes: list[ElementMesh], ground: float,
                 footprint: BaseGeometry) -> tuple[StoreyFacts, ...]:
    by_storey: dict[str, list[ElementMesh]] = {}
    for m in meshes:
        if m.storey_id:
            by_storey.setdefault(m.storey_id, []).append(m)
    any_slab = any(is_floor_slab(m) for own in by_storey.values() for m in own)
    out = []
    for s in storeys:
        own = by_storey.get(s.global_id, [])
        above = s.elevation_m >= ground - GROUND_TOLERANCE
        slabs = sum(1 for m in own if is_floor_slab(m))
        if not own or (any_slab and not slabs):
            note = "no floor slab: listed, not counted" if own else "no elements: listed, not counted"
            out.append(StoreyFacts(s.global_id, s.name, s.elevation_m, above, False, 0.0, note))
            continue
        plate = _plate(own, fill_holes=not any_slab)
        if above:
            plate = plate.intersection(footprint)
        note = f"{slabs} floor slab(s)" if any_slab else "no floor slabs in the building: plate of walls, holes filled"
        out.append(StoreyFacts(s.global_id, s.name, s.elevation_m, above, True, float(plate.area), note))
    return tuple(out)
