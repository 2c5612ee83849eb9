"""What stands on the roof with its own projection: stair and lift towers, penthouses, parapets, chimneys.

Korea (§119①5다, 9가) and Japan (令§2①6ロ, 8) leave rooftop structures out of height (up to 12 m)
and out of the storey count when their projections total at most 1/8 of the building area; Korea
also leaves stair and lift towers out of floor area (§119①3라). Parapets count in height unless
half open (§119①5라2); roof ornaments and chimneys do not (§119①5라1, 令§2①6ハ).

The main roof is the roof over the top counted storey: its roof slabs (IfcSlab ROOF, parts of an
IfcRoof), else the level of the storey above it, else the top of its walls. What stands on it —
elements whose underside is at or above the roof's underside — is grouped by plan into structures.
A group that runs along the building's edge is a parapet; railings on the roof are open parapets;
chimneys are roof projections; every other group is a rooftop structure with the projection of its
filled plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.projection import union
from permitcheck.facts.types import Facts
from permitcheck.model.types import ElementMesh
from permitcheck.profiles.plan import fill_holes, plan_of

ROOF_TOLERANCE_M = 0.05
RISING_M = 0.3  # an element below the roof whose top stands this far above it rises through it
GROUP_GAP_M = 0.5  # elements closer than this in plan stand together
EDGE_BAND_M = 0.6  # a group this close to the building's edge along most of it is a parapet
OPEN_CLASSES = ("IfcRailing",)
ORNAMENT_CLASSES = ("IfcChimney",)


def is_roof(m: ElementMesh) -> bool:
    return (m.ifc_class.startswith("IfcSlab") and (m.predefined_type or "") == "ROOF") or \
        m.ifc_class == "IfcRoof" or m.parent_class == "IfcRoof" or \
        (m.ifc_class == "IfcCovering" and (m.predefined_type or "") == "ROOFING")


@dataclass(frozen=True)
class RooftopGroup:
    kind: str  # structure, parapet, open (railings), ornament
    elements: tuple[ElementMesh, ...]
    projection: BaseGeometry  # the filled plan
    top_m: float  # model z

    @property
    def global_ids(self) -> tuple[str, ...]:
        return tuple(m.global_id for m in self.elements)

    @property
    def area_m2(self) -> float:
        return float(self.projection.area)

    def describe(self) -> str:
        names = sorted({m.name or m.ifc_class for m in self.elements})
        return ", ".join(names[:3]) + (" …" if len(names) > 3 else "")


@dataclass(frozen=True)
class Rooftop:
    roof_bottom_m: float  # model z of the main roof's underside
    roof_top_m: float  # model z of the main roof's top, where structures stand
    groups: tuple[RooftopGroup, ...]
    below: tuple[ElementMesh, ...]  # everything else: the building up to its roof
    body_top_m: float  # the highest point of `below`, an element rising through the roof cut at its top

    def of_kind(self, kind: str) -> list[RooftopGroup]:
        return [g for g in self.groups if g.kind == kind]


def _roof_levels(facts: Facts, meshes: list[ElementMesh]) -> tuple[float, float] | None:
    counted = [s for s in facts.storeys if s.counted and s.above_ground]
    if not counted:
        return None
    top = max(counted, key=lambda s: s.elevation_m)
    higher = [s.elevation_m for s in facts.storeys if s.elevation_m > top.elevation_m + 0.5]
    # roofs over the top storey: any roof element whose underside is above its floor
    roofs = [m for m in meshes if is_roof(m) and float(m.vertices[:, 2].min()) > top.elevation_m + 0.5]
    if roofs:
        lowest = min(roofs, key=lambda m: float(m.vertices[:, 2].min()))
        bottom = float(lowest.vertices[:, 2].min())
        near = [m for m in roofs if float(m.vertices[:, 2].min()) <= bottom + 1.0]
        return bottom, float(max(np.percentile(m.vertices[:, 2], 100) for m in near))
    if higher:
        return min(higher), min(higher)
    walls = [float(m.vertices[:, 2].max()) for m in meshes if m.storey_id == top.global_id]
    return (max(walls), max(walls)) if walls else None


def rooftop(facts: Facts, meshes: list[ElementMesh], body_outline: BaseGeometry) -> Rooftop | None:
    """The rooftop groups over the building whose outline (outer faces) is `body_outline`."""
    levels = _roof_levels(facts, meshes)
    if levels is None:
        return None
    bottom, top = levels
    items, below, body_top = [], [], None
    for m in meshes:
        zmin, zmax = float(m.vertices[:, 2].min()), float(m.vertices[:, 2].max())
        if (zmin >= bottom - ROOF_TOLERANCE_M and not is_roof(m)) or (is_roof(m) and zmin > top + 0.5):
            items.append((m, plan_of(m)))  # stands on the roof (a structure's own roof slab too)
            continue
        below.append(m)
        if zmax > top + RISING_M and not is_roof(m):  # rises through the roof: its part above is on it
            items.append((m, plan_of(m, top)))
            zmax = top
        body_top = zmax if body_top is None else max(body_top, zmax)
    items = [(m, p) for m, p in items if p is not None and not p.is_empty]
    body_top = top if body_top is None else body_top
    if not items:
        return Rooftop(bottom, top, (), tuple(below), body_top)
    grown = shapely.union_all([p.buffer(GROUP_GAP_M / 2) for _, p in items])
    groups = []
    edge = body_outline.boundary if body_outline.geom_type in ("Polygon", "MultiPolygon") \
        else shapely.LineString()
    for blob in shapely.get_parts(grown):
        members = [(m, p) for m, p in items if p.intersects(blob)]
        if not members:
            continue
        elements = tuple(m for m, _ in members)
        plan = union([p for _, p in members])
        filled = fill_holes(plan)
        top_m = max(float(m.vertices[:, 2].max()) for m in elements)
        if all(m.ifc_class in OPEN_CLASSES for m in elements):
            kind = "open"
        elif all(m.ifc_class in ORNAMENT_CLASSES for m in elements):
            kind = "ornament"
        elif not edge.is_empty and plan.intersection(edge.buffer(EDGE_BAND_M)).area >= 0.8 * plan.area:
            kind = "parapet"
        else:
            kind = "structure"
        groups.append(RooftopGroup(kind, elements, filled if kind == "structure" else plan, top_m))
    return Rooftop(bottom, top, tuple(groups), tuple(below), body_top)
