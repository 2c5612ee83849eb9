"""Each counted storey as the floor-area articles see it: its plate, outer walls, balconies and height."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.levels import Levels
from permitcheck.facts.types import Facts, StoreyFacts
from permitcheck.model.types import ElementMesh
from permitcheck.profiles.plan import Balcony, Outline, balconies, fill_holes, is_column, is_wall, outline, plan_of, union


@dataclass(frozen=True)
class StoreyView:
    facts: StoreyFacts
    height_m: float | None  # floor to the next storey's floor, or to the roof over it
    plate: BaseGeometry  # the physical floor plate: slabs, walls and columns (outer faces, balconies)
    outline: Outline  # the plate decomposed: faces, centre lines, beyond
    balconies: tuple[Balcony, ...]
    members: tuple[ElementMesh, ...]  # its walls and columns

    @property
    def level_m(self) -> float:
        return self.facts.elevation_m

    @property
    def global_id(self) -> str:
        return self.facts.global_id


def storey_views(facts: Facts, levels: Levels, meshes: list[ElementMesh], roof_bottom_m: float | None,
                 plans: dict | None = None) -> list[StoreyView]:
    """The counted storeys of one building (or of the whole model), lowest first.

    A storey's walls and columns are those standing in it, whichever storey they are assigned to
    (Revit assigns a wall rising through three floors to the lowest): a wall counts for a storey
    when it stands more than 0.1 m into the storey's height.
    """
    counted = sorted((s for s in facts.storeys if s.counted), key=lambda s: s.elevation_m)
    uprights = [m for m in meshes if is_wall(m) or is_column(m)]
    ids = {m.global_id for m in meshes}
    plans = plans if plans is not None else {}
    out = []
    standing = _standing(uprights, [(s.elevation_m, counted[i + 1].elevation_m if i + 1 < len(counted)
                                     else s.elevation_m + 3.0) for i, s in enumerate(counted)])
    for i, s in enumerate(counted):
        floors = [m for m in levels.floors.get(s.global_id, ()) if m.global_id in ids]
        members = next(standing)
        # a building without floor slabs: the plate is its walls' outline, holes filled (as facts.storeys)
        plate = union([_plan(m, plans) for m in floors + members])
        if not levels.any_slab.get(_building_of(s, meshes), False):
            plate = fill_holes(plate)
        if s.above_ground and not facts.footprint.is_empty:
            plate = plate.intersection(facts.footprint)
        o = outline(plate, [(m, _plan(m, plans)) for m in members])
        if i + 1 < len(counted):
            height = counted[i + 1].elevation_m - s.elevation_m
        else:
            ceiling = mean_ceiling(meshes, plate, s.elevation_m)
            if ceiling is None and roof_bottom_m is not None and roof_bottom_m > s.elevation_m:
                ceiling = roof_bottom_m
            tops = [float(m.vertices[:, 2].max()) for m in members]
            height = (ceiling - s.elevation_m) if ceiling is not None else \
                ((max(tops) - s.elevation_m) if tops else None)
        out.append(StoreyView(s, height, plate, o, tuple(balconies(o)), tuple(members)))
    return out


def _standing(uprights: list[ElementMesh], spans: list[tuple[float, float]]):
    """For each storey (elevation, the next one's; both rising), the uprights standing more than
    0.1 m into it, in the model's order: one sweep up the building (a tower's storeys each scanning
    every wall grew as the square of its height)."""
    import heapq

    lo = np.array([float(m.vertices[:, 2].min()) for m in uprights])
    hi = np.array([float(m.vertices[:, 2].max()) for m in uprights])
    by_low = np.argsort(lo, kind="stable")
    by_low = by_low[~np.isnan(hi[by_low]) & ~np.isnan(lo[by_low])]  # no height: in no storey, as compared
    started, active = 0, []  # (top, index): those started, the lowest top first
    for elevation, upper in spans:
        while started < len(by_low) and lo[by_low[started]] < upper - 0.1:
            j = int(by_low[started])
            heapq.heappush(active, (hi[j], j))
            started += 1
        while active and active[0][0] <= elevation + 0.1:
            heapq.heappop(active)
        yield [uprights[j] for j in sorted(j for _, j in active)]


def _plan(m: ElementMesh, plans: dict):
    if m.global_id not in plans:
        plans[m.global_id] = plan_of(m)
    return plans[m.global_id]


def mean_ceiling(meshes: list[ElementMesh], plate: BaseGeometry, level: float) -> float | None:
    """The roof's underside over a top storey, averaged over its plan (§119①8: a room of varying
    height has the area-weighted mean height): the downward faces of roof elements above it."""
    from permitcheck.profiles.rooftop import is_roof

    if plate.is_empty:
        return None
    total = weighted = 0.0
    for m in meshes:
        if not is_roof(m) or float(m.vertices[:, 2].max()) <= level + 0.5:
            continue
        tri = m.vertices[m.faces]
        n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        down = n[:, 2] < -0.3 * np.maximum(np.linalg.norm(n, axis=1), 1e-30)
        if not down.any():
            continue
        t = tri[down]
        c = t.mean(axis=1)
        inside = shapely.contains_xy(plate, c[:, 0], c[:, 1]) & (c[:, 2] > level + 0.5)
        area = -0.5 * n[down][:, 2]
        total += float(area[inside].sum())
        weighted += float((area[inside] * c[inside, 2]).sum())
    return weighted / total if total > 0 else None


def _building_of(storey: StoreyFacts, meshes: list[ElementMesh]) -> str | None:
    """The building a storey's elements belong to."""
    for m in meshes:
        if m.storey_id == storey.global_id:
            return m.building_id
    return None


def open_share(view: StoreyView, body: BaseGeometry, reach_m: float = 0.5, plans: dict | None = None) -> float:
    """The share of the building's perimeter that this storey leaves open (no wall within `reach_m`)."""
    ring = body.boundary
    if ring.is_empty or ring.length == 0:
        return 0.0
    walls = [p for p in (_plan(m, plans if plans is not None else {}) for m in view.members if is_wall(m))
             if p is not None]
    if not walls:
        return 1.0
    closed = ring.intersection(shapely.union_all(walls).buffer(reach_m))
    return max(0.0, 1.0 - closed.length / ring.length)
