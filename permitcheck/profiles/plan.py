"""Plans the laws measure: the outline at the outer walls, at their centre lines, and what projects beyond.

Korea (건축법 시행령 §119①2, 3) and Japan (令§2①2, 3) measure building and floor areas inside the
centre lines of the outer walls (or outer columns); Germany and New York to the outer faces. Every
profile starts from the same decomposition of a plan:

- `faces`: the enclosure at the outer wall faces — the walls' and columns' plans, gaps up to 3 m
  closed (a garage door), holes filled, kept only where the building covers it (rooms under a roof
  count, a courtyard open to the sky does not);
- `centre`: `faces` without the outer half of every outer wall (a wall's thickness from its material
  layers when the model has them, else 2 x plan area / plan perimeter);
- `beyond`: what the plan holds outside `faces` — eaves, canopies, balconies, cantilevers.

Without any wall, the outer columns' centres bound the building (their hull); without columns
either, the outer faces are all there is, and the profile says the centre line is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.footprint import element_plan_above
from permitcheck.facts.projection import element_plan
from permitcheck.facts.projection import union as _union
from permitcheck.model.types import ElementMesh

CLOSE_GAPS_M = 1.5  # openings up to twice this wide do not open the enclosure
WALL_CLASSES = ("IfcWall", "IfcWallStandardCase", "IfcWallElementedCase", "IfcCurtainWall")
COLUMN_CLASSES = ("IfcColumn", "IfcColumnStandardCase")
_TOUCH = 0.01
MAX_WALL_M = 1.0  # a projection starts at an outer face no farther than this from the centre line


def union(geoms) -> BaseGeometry:
    """The union of plans, snapped to 0.1 mm as the facts' are (so a legal area and a physical one
    differ by what the law changes, not by how slivers between elements fell); input GEOS finds
    invalid (a slab's plan touching itself) is repaired first."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return shapely.Polygon()
    try:
        return _union(geoms)
    except shapely.errors.GEOSException:
        return _union([shapely.make_valid(g) for g in geoms])


def is_wall(m: ElementMesh) -> bool:
    return m.ifc_class in WALL_CLASSES or m.parent_class == "IfcCurtainWall"


def is_column(m: ElementMesh) -> bool:
    return m.ifc_class in COLUMN_CLASSES


def plan_of(m: ElementMesh, level: float | None = None) -> BaseGeometry | None:
    """An element's plan, whole or only what stands above `level`."""
    if level is not None:
        return element_plan_above(m, level)
    return element_plan(m.vertices, m.faces)


def thickness(m: ElementMesh, plan: BaseGeometry) -> float:
    """A wall's thickness: its material layers, else the short side of the rectangle of its plan's
    area and perimeter (exact for a straight wall; twice the area over the perimeter when the plan is
    no rectangle)."""
    if m.layer_thickness_m:
        return float(m.layer_thickness_m)
    area, half = plan.area, plan.length / 2.0
    disc = half * half - 4.0 * area
    if half <= 0:
        return 0.0
    return (half - disc ** 0.5) / 2.0 if disc >= 0 else area / half


def fill_holes(geom: BaseGeometry) -> BaseGeometry:
    return union([Polygon(p.exterior) for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty])


@dataclass(frozen=True)
class Outline:
    """One plan decomposed as the laws measure it (model coordinates, metres)."""

    covered: BaseGeometry  # everything the plan holds
    faces: BaseGeometry  # the enclosure at the outer wall faces
    centre: BaseGeometry  # the enclosure at the outer walls' centre lines
    beyond: BaseGeometry  # covered outside the faces: eaves, canopies, balconies, cantilevers
    outer_walls: tuple[str, ...]  # GlobalIds of the walls whose outer half was taken off
    basis: str  # "walls", "columns" or "faces" (no walls or columns: the centre line is unknown)


def outline(covered: BaseGeometry, members: list[tuple[ElementMesh, BaseGeometry]]) -> Outline:
    """Decompose `covered` given the walls and columns standing in it, each with its plan."""
    walls = [(m, p) for m, p in members if is_wall(m) and p is not None and not p.is_empty]
    columns = [(m, p) for m, p in members if is_column(m) and p is not None and not p.is_empty]
    if not walls and not columns:
        return Outline(covered, covered, covered, shapely.Polygon(), (), "faces")
    if not walls:
        hull = shapely.MultiPoint([p.centroid for _, p in columns]).convex_hull
        faces = _polygonal(shapely.convex_hull(union([p for _, p in columns])).intersection(covered))
        centre = _polygonal(hull.intersection(covered)) if hull.area > 0 else faces
        return Outline(covered, faces, centre, _polygonal(covered.difference(faces)), (), "columns")
    body = union([p for _, p in walls + columns])
    closed = body.buffer(CLOSE_GAPS_M, join_style="mitre").buffer(-CLOSE_GAPS_M, join_style="mitre")
    faces = union([fill_holes(union([closed, body])).intersection(covered), body])
    edge = faces.boundary
    shapely.prepare(edge)
    bands: dict[float, BaseGeometry] = {}  # the edge's band by half-thickness: one buffer per wall type
    halves, outer = [], []
    for m, p in walls:
        if p.distance(edge) > _TOUCH:
            continue
        key = round(thickness(m, p) / 2.0, 3)
        if key not in bands:
            bands[key] = edge.buffer(key, join_style="mitre")
        half = p.intersection(bands[key])
        if not half.is_empty:
            halves.append(half)
            outer.append(m.global_id)
    centre = faces.difference(union(halves)) if halves else faces
    return Outline(covered, faces, _polygonal(centre), _polygonal(covered.difference(faces)),
                   tuple(sorted(set(outer))), "walls")


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygons of a result (a union or a difference can leave slivers, lines and points)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area > 1e-6]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts) if geom.geom_type == "MultiPolygon" \
        else shapely.union_all(parts)


# --- projections counted only back from their tip: 건축면적 §119①2가, 建築面積 令§2①2 -----------------

@dataclass(frozen=True)
class Projection:
    edge: LineString  # the centre-line edge it stands out from
    depth_m: float  # from the centre line to its tip
    counted_m: float  # how far from the centre line it counts


def _rings(geom: BaseGeometry):
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        poly = shapely.geometry.polygon.orient(shapely.simplify(poly, 0.005), 1.0)
        for ring in [poly.exterior, *poly.interiors]:
            yield np.asarray(ring.coords)[:, :2]


def _strip(a: np.ndarray, b: np.ndarray, n: np.ndarray, depth: float) -> Polygon:
    return Polygon([a, b, b + n * depth, a + n * depth])


def counted_projections(o: Outline, trigger_m: float, setback_m: float,
                        reach_m: float = 50.0) -> tuple[BaseGeometry, list[Projection]]:
    """The part of what projects beyond the centre lines that a law counts.

    In front of every centre-line edge, each projection beyond the outer faces (an eave, a canopy,
    a balcony) has a depth from the centre line to its tip and a stretch along the edge. When the
    depth reaches `trigger_m`, the band from the centre line to `depth - setback_m` counts over that
    stretch (the line `setback_m` back from the tip; the wall's outer half under it counts with
    it); a shallower projection adds nothing. Where the bands of two edges meet at a convex corner,
    the corner between their lines counts too (eaves all round a house count as a mitred band).
    """
    beyond = o.covered.difference(o.faces) if o.basis == "walls" else o.covered.difference(o.centre)
    if beyond.is_empty or o.centre.is_empty:
        return shapely.Polygon(), []
    pieces, found = [], []
    for ring in _rings(o.centre):
        pts = ring[:-1]
        k = len(pts)
        if k < 3:
            continue
        ends = [(0.0, 0.0)] * k  # counted depth at each edge's start and end
        normals = []
        for i in range(k):
            a, b = pts[i], pts[(i + 1) % k]
            d = b - a
            length = float(np.hypot(*d))
            if length < 1e-6:
                normals.append(np.zeros(2))
                continue
            u = d / length
            n = np.array([u[1], -u[0]])  # right of a counter-clockwise ring is outside
            normals.append(n)
            edge = LineString([a, b])
            front = beyond.intersection(_strip(a, b, n, reach_m))
            start = end = 0.0
            for part in shapely.get_parts(front):
                if part.geom_type != "Polygon" or part.area < 1e-4 or part.distance(edge) > MAX_WALL_M:
                    continue
                c = np.asarray(part.exterior.coords)[:, :2] - a
                depth = float(np.max(c @ n))
                if depth < trigger_m - 1e-9:
                    continue
                s0, s1 = max(float(np.min(c @ u)), 0.0), min(float(np.max(c @ u)), length)
                counted = depth - setback_m
                if counted <= 0 or s1 - s0 < 1e-6:
                    continue
                p0, p1 = a + u * s0, a + u * s1
                pieces.append(Polygon([p0, p1, p1 + n * counted, p0 + n * counted]))
                found.append(Projection(LineString([p0, p1]), depth, counted))
                if s0 <= _TOUCH:
                    start = max(start, counted)
                if s1 >= length - _TOUCH:
                    end = max(end, counted)
            ends[i] = (start, end)
        for i in range(k):  # convex corners between two counted bands
            j = (i + 1) % k  # edge i ends where edge j starts, at pts[j]
            o1, o2 = ends[i][1], ends[j][0]
            n1, n2 = normals[i], normals[j]
            if o1 <= 0 or o2 <= 0 or float(n1[0] * n2[1] - n1[1] * n2[0]) <= 0:
                continue  # not both counted, or not a convex (left) turn
            v = pts[j]
            u1, u2 = np.array([-n1[1], n1[0]]), np.array([-n2[1], n2[0]])  # edge directions
            p1, p2 = v + n1 * o1, v + n2 * o2
            m = np.array([u1, -u2]).T
            if abs(np.linalg.det(m)) < 1e-9:
                continue
            t = np.linalg.solve(m, p2 - p1)[0]
            pieces.append(Polygon([v, p1, p1 + u1 * t, p2]))
    if not pieces:
        return shapely.Polygon(), []
    counted = union(pieces).intersection(o.covered).difference(o.centre)
    return _polygonal(counted), found


@dataclass(frozen=True)
class Balcony:
    """A floor part beyond the outer walls (노대등) and the outer wall it adjoins."""

    plan: BaseGeometry
    area_from_centre_m2: float  # from the wall's centre line to the tip (§119①3나)
    wall_length_m: float  # the length it adjoins along the longest outer wall it touches
    depth_m: float = 0.0  # how far it stands out of the outer faces


def balconies(o: Outline, min_area_m2: float = 0.5) -> list[Balcony]:
    """The floor parts standing out of the enclosure, with the area from the centre line and contact length."""
    out = []
    ring = o.faces.boundary
    for part in shapely.get_parts(o.beyond):
        if part.geom_type != "Polygon" or part.area < min_area_m2:
            continue
        contact = part.boundary.intersection(ring.buffer(_TOUCH))
        length = _longest_straight(contact)
        if length <= 0:
            continue
        wall_half = o.faces.difference(o.centre).intersection(part.buffer(_TOUCH + 1.0, join_style="mitre"))
        inner = wall_half.intersection(
            shapely.buffer(contact, 1.0, cap_style="flat")) if not wall_half.is_empty else shapely.Polygon()
        depth = float(np.max(shapely.distance(shapely.points(np.asarray(part.exterior.coords)[:, :2]), o.faces)))
        out.append(Balcony(part, float(part.area + inner.area), length, depth))
    return out


def _longest_straight(lines: BaseGeometry) -> float:
    """Length of the longest run of collinear segments: the wall a balcony adjoins."""
    runs: dict[tuple, float] = {}
    for part in shapely.get_parts(shapely.line_merge(shapely.union_all(shapely.get_parts(lines)))
                                  if not lines.is_empty else lines):
        if part.geom_type != "LineString":
            continue
        c = np.asarray(part.coords)[:, :2]
        for a, b in zip(c[:-1], c[1:]):
            d = b - a
            length = float(np.hypot(*d))
            if length < 1e-6:
                continue
            ang = round(float(np.degrees(np.arctan2(d[1], d[0]))) % 180.0, 0)
            offset = round(float((a[0] * d[1] - a[1] * d[0]) / length), 1)  # distance of the line from the origin
            runs[(ang, offset)] = runs.get((ang, offset), 0.0) + length
    return max(runs.values(), default=0.0)


def covered_above(meshes: list[ElementMesh], level: float, plans: dict | None = None) -> tuple[BaseGeometry, list]:
    """The plan of everything standing above `level`, and each element with its plan above it.

    `plans` caches whole plans by GlobalId: an element entirely above the level is its whole plan,
    so only those crossing it are cut (most of a building stands well above 1 m); the whole plans
    missing and the cut ones are each found in one batch.
    """
    from permitcheck.facts.projection import element_plans

    plans = plans if plans is not None else {}
    whole, cut = [], []
    for m in meshes:
        lo, hi = float(m.vertices[:, 2].min()), float(m.vertices[:, 2].max())
        if hi <= level:
            continue
        if lo >= level or (is_wall(m) and m.global_id in plans):  # an upright wall: the same plan
            whole.append(m)
        else:
            cut.append(m)
    todo = [m for m in whole if m.global_id not in plans]
    plans.update(zip((m.global_id for m in todo), element_plans([(m.vertices, m.faces) for m in todo])))
    found = {id(m): plans[m.global_id] for m in whole}
    found.update(zip(map(id, cut), element_plans([(m.vertices, m.faces) for m in cut], above=level)))
    members = [(m, found[id(m)]) for m in meshes if found.get(id(m)) is not None and not found[id(m)].is_empty]
    return union([p for _, p in members]), members
