"""Storeys and floor area of a massing model, from horizontal sections at the floor levels given.

A massing (a mesh or a CityJSON building) has no storeys: its floor levels come from the command
line, every `--storey-height H` from ground level (as far down as the massing reaches and up to its
top), or as a list `--levels Z1,Z2,...` (model z, metres), the list continued every H above its last
level when both are given. At each level the building's closed solid (facts.mesh: open parts by
their convex hull) is cut:

- its plate is the section `ABOVE_M` above the level, with the holes in it that the section
  `BELOW_M` under the level fills: a solid block's section is its plate, and in a hollow model (walls
  and slabs, as an IFC export gives) the walls' section encloses the rooms, whose floor is the slab
  cut just under the level, while a courtyard, which no slab covers, stays a hole. A slab reaching
  beyond the walls above it (a balcony, a terrace over the storey below) is not floor area;
- only the part of the plate over which the massing still stands `HEADROOM_M` higher counts (its
  section there, holes filled): a roof slab or a parapet ending within it is no floor, nor is the
  low edge of an attic under a pitched roof; a level is a storey when what counts covers
  `MIN_FLOOR_M2`;
- above ground level (within `GROUND_TOLERANCE`) the plate is clipped to the footprint, and the floor
  area is the sum of the plates of the storeys at or above ground, as for an IFC model.

Every figure is marked uncertain (`Facts.uncertain`): a rule on storeys or floor area gives REVIEW
at best on a massing, never PASS, whatever the margin. Without levels there are no storeys, and such
rules are UNKNOWN.

Ground level is z = 0 of a mesh that reaches it (the IFC convention: project zero), else the
mesh's lowest point; a CityJSON building's lowest point (its heights are the city model's, above
the vertical datum); `--ground-level` sets it.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.levels import MIN_FLOOR_M2, MIN_STOREY_HEIGHT
from permitcheck.facts.storeys import GROUND_TOLERANCE
from permitcheck.facts.types import StoreyFacts
from permitcheck.model.types import ElementMesh, Massing

ABOVE_M = 0.05  # the section that is the floor plate: just above the floor
BELOW_M = 0.025  # the section that finds a hollow model's floor slab: just under its top face
HEADROOM_M = MIN_STOREY_HEIGHT  # a level the massing does not stand this high over is a roof, no storey
REACHES_ZERO_M = 0.01


def ground_of(massing: Massing, meshes: list[ElementMesh], override: float | None) -> tuple[float, str]:
    """The ground elevation (model z, metres) of a massing and how it was chosen."""
    if override is not None:
        return float(override), "given with --ground-level"
    lo = min(float(m.vertices[:, 2].min()) for m in meshes)
    hi = max(float(m.vertices[:, 2].max()) for m in meshes)
    if massing.format.startswith("CityJSON"):
        return lo, f"the building's lowest point in the city model, {lo:.3f} m"
    if lo <= REACHES_ZERO_M and hi > 0:
        return 0.0, "z = 0 of the massing (project zero, which the massing reaches)"
    return lo, f"the massing's lowest point, {lo:.3f} m (it does not reach z = 0)"


def floor_levels(massing: Massing, ground: float, low: float, top: float) -> tuple[float, ...]:
    """The floor levels to cut at (model z), lowest first: the listed ones, then every storey height."""
    h = massing.storey_height_m
    if massing.levels_m:
        out = list(massing.levels_m)
        if h:
            z = out[-1] + h
            while z < top - HEADROOM_M + 1e-9:
                out.append(z)
                z += h
        return tuple(out)
    if not h:
        return ()
    first = int(np.ceil((low - REACHES_ZERO_M - ground) / h))
    last = int(np.floor((top - ground) / h))
    return tuple(ground + k * h for k in range(first, last + 1))


def describe(massing: Massing) -> str:
    """How the levels were given, for the derivation and the uncertainty."""
    h = massing.storey_height_m
    if massing.levels_m and h:
        return (f"at {', '.join(f'{z:g}' for z in massing.levels_m)} m, then every {h:g} m "
                f"(--levels, --storey-height {h:g})")
    if massing.levels_m:
        return f"at {', '.join(f'{z:g}' for z in massing.levels_m)} m (--levels)"
    if h:
        return f"every {h:g} m from ground level (--storey-height {h:g})"
    return "none given (no --storey-height nor --levels)"


class Sections:
    """Horizontal sections of the building's closed solid, in model coordinates."""

    def __init__(self, meshes: list[ElementMesh]):
        from permitcheck.facts.mesh import building_solid

        self.solid, self.offset, self.hulled, self.dropped = building_solid(meshes)
        self._done: dict[float, BaseGeometry] = {}

    def at(self, z: float) -> BaseGeometry:
        """The section at model z: outer contours filled, holes open (even-odd over the contours)."""
        if z not in self._done:
            self._done[z] = self._cut(z)
        return self._done[z]

    def _cut(self, z: float) -> BaseGeometry:
        if self.solid is None:
            return shapely.Polygon()
        contours = self.solid.slice(float(z - self.offset[2])).to_polygons()
        polys = [shapely.make_valid(shapely.Polygon(np.asarray(c, dtype=np.float64) + self.offset[:2]))
                 for c in contours if len(c) >= 3]
        out = shapely.Polygon()
        for p in polys:
            out = shapely.symmetric_difference(out, p, grid_size=1e-6)
        return _polygonal(out)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > 1e-9]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def filled(geom: BaseGeometry) -> BaseGeometry:
    """The geometry with its holes filled."""
    parts = [shapely.Polygon(p.exterior) for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def sliced_storeys(massing: Massing, meshes: list[ElementMesh], ground: float,
                   footprint: BaseGeometry) -> tuple[StoreyFacts, ...]:
    """Per floor level: above ground, a storey or not, its plate's area (see the module docstring)."""
    if not meshes:
        return ()
    low = min(float(m.vertices[:, 2].min()) for m in meshes)
    top = max(float(m.vertices[:, 2].max()) for m in meshes)
    levels = floor_levels(massing, ground, low, top)
    if not levels:
        return ()
    cut = Sections(meshes)
    out = []
    for i, z in enumerate(levels):
        above = cut.at(z + ABOVE_M)
        plate = above.union(filled(above).intersection(cut.at(z - BELOW_M))) if not above.is_empty else above
        standing = filled(cut.at(z + HEADROOM_M))
        section_area = float(plate.area)
        plate = _polygonal(plate.intersection(standing)) if not plate.is_empty else plate
        at_ground = z >= ground - GROUND_TOLERANCE
        if at_ground and not plate.is_empty:
            plate = _polygonal(plate.intersection(footprint))
        area = float(plate.area)
        name = f"level {i + 1} ({z - ground:+.2f} m)"
        if section_area < MIN_FLOOR_M2:
            note = f"section {section_area:.1f} m²: nothing to stand on, not counted"
            out.append(StoreyFacts(f"level-{i + 1}", name, z, at_ground, False, 0.0, note))
        elif area < MIN_FLOOR_M2:
            note = f"the massing stands less than {HEADROOM_M:g} m over it (a roof): not counted"
            out.append(StoreyFacts(f"level-{i + 1}", name, z, at_ground, False, 0.0, note))
        else:
            out.append(StoreyFacts(f"level-{i + 1}", name, z, at_ground, True, area,
                                   f"section of the massing {ABOVE_M * 100:g} cm above the level"))
    return tuple(out)


def massing_plans(meshes: list[ElementMesh], ground: float) -> tuple[BaseGeometry, dict[str, BaseGeometry]]:
    """The footprint and each part's plan above ground level (facts.footprint's, for a massing).

    A closed part is projected as the solid it is (manifold3d: its part above the level, its shadow
    on the plan), which a mesh of many fine faces (a twisted tower of 100,000 triangles) needs: merging
    its faces' plans one by one takes minutes. An open part is measured as on the IFC path."""
    from permitcheck.facts.footprint import ABOVE_TOLERANCE
    from permitcheck.facts.mesh import _solid, closed_mesh
    from permitcheck.facts.projection import plans_above, union

    level = ground + ABOVE_TOLERANCE
    plans: dict[str, BaseGeometry] = {}
    rest = []
    for m in meshes:
        if float(m.vertices[:, 2].max()) <= level:
            continue
        offset = np.floor(m.vertices.min(axis=0))
        v, f, is_open = closed_mesh(m, offset)
        solid = None if is_open else _solid(v, f)
        if solid is None:
            rest.append(m)
            continue
        above = solid.trim_by_plane([0.0, 0.0, 1.0], float(level - offset[2]))
        if above.is_empty():
            continue
        polys = [shapely.Polygon(np.asarray(c, dtype=np.float64) + offset[:2])
                 for c in above.project().to_polygons() if len(c) >= 3]
        shadow = shapely.Polygon()
        for p in polys:
            shadow = shapely.symmetric_difference(shadow, shapely.make_valid(p), grid_size=1e-6)
        shadow = _polygonal(shadow)
        if not shadow.is_empty:
            plans[m.global_id] = shadow
    for m, p in zip(rest, plans_above([(m.vertices, m.faces) for m in rest], level)):
        if p is not None:
            plans[m.global_id] = p
    return union(list(plans.values())), {m.global_id: plans[m.global_id] for m in meshes if m.global_id in plans}
