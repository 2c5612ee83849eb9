"""One closed triangle mesh of the building, for the 3D envelope checks.

Element meshes are merged with manifold3d's batch union, which needs closed (manifold) input.
Real exports are not always closed: an element whose mesh is open is replaced by its convex
hull — a closed superset, so an envelope check errs on the side of reporting a breach — and
listed in ``hulled`` so a report can name it. Flat elements (no volume even as a hull) are
left out and listed in ``dropped``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from permitcheck.model.types import ElementMesh


@dataclass(frozen=True)
class TriangleMesh:
    """Vertices and faces, with the few measures a report states: no mesh library to import
    (trimesh and the scipy it pulls in cost 1.5 s, more than a small model's whole check)."""

    vertices: np.ndarray
    faces: np.ndarray

    @property
    def bounds(self) -> np.ndarray:
        return np.array([self.vertices.min(axis=0), self.vertices.max(axis=0)]) if len(self.vertices) \
            else np.zeros((2, 3))

    @property
    def is_watertight(self) -> bool:
        """Every edge shared by two faces that run it in opposite directions."""
        return len(self.faces) > 0 and watertight(np.asarray(self.faces, dtype=np.int64), len(self.vertices))

    @property
    def volume(self) -> float:
        tri = self.vertices[self.faces]
        return float(np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum() / 6.0) if len(tri) else 0.0


@dataclass(frozen=True)
class BuildingMesh:
    mesh: TriangleMesh
    hulled: tuple[str, ...]  # GlobalIds of open elements replaced by their convex hull
    dropped: tuple[str, ...] = ()  # flat elements with no volume even as a hull

    def summary(self) -> dict:
        return {
            "triangles": int(len(self.mesh.faces)),
            "watertight": bool(self.mesh.is_watertight),
            "volume_m3": round(float(self.mesh.volume), 3) if self.mesh.is_watertight else None,
            "elements_hulled": len(self.hulled),
            "elements_flat": len(self.dropped),
        }


WELD_M = 1e-6  # vertices this close are one: exporters repeat a vertex per face


def watertight(f: np.ndarray, n: int) -> bool:
    """Every edge run once each way by the faces: closed and consistently wound (integer edge keys)."""
    a = np.concatenate([f[:, 0], f[:, 1], f[:, 2]])
    b = np.concatenate([f[:, 1], f[:, 2], f[:, 0]])
    directed = np.sort(a * n + b)  # sorted keys, not np.unique/np.isin: they hash, slower on large meshes
    if np.any(directed[1:] == directed[:-1]):
        return False
    reverse = b * n + a
    at = np.minimum(np.searchsorted(directed, reverse), len(directed) - 1)
    return bool(np.all(directed[at] == reverse))


def closed_mesh(m: ElementMesh, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """(vertices, faces, open) of the element moved by -offset: welded, and outward when closed."""
    return closed_arrays(np.asarray(m.vertices, dtype=np.float64) - offset, m.faces)


def closed_arrays(v: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """(vertices, faces, open): welded, and outward when closed.

    Closed means every edge is shared by exactly two faces that run it in opposite directions
    (watertight and consistently wound): a test on integer edge keys, for every element of a
    large model, with no mesh library in the loop."""
    v = np.asarray(v, dtype=np.float64)
    f = np.asarray(faces, dtype=np.int64)
    if len(f) == 0 or len(v) == 0:
        return v, f[:0], True
    from permitcheck.facts.projection import weld  # np.unique(axis=0)'s rows, by a hash: 8x faster on 300k

    first, inverse = weld(np.round(v / WELD_M).astype(np.int64))
    v, f = v[first], inverse.reshape(-1)[f]
    f = f[(f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 2] != f[:, 0])]
    if len(f) < 4:
        return v, f, True
    if not watertight(f, len(v)):
        return v, f, True
    tri = v[f]
    if float(np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum()) < 0:
        f = f[:, ::-1]  # inward: turn it outward
    return v, f, False


def _solid(v: np.ndarray, f: np.ndarray, hull: bool = False):
    """A manifold3d solid, or None when it has no volume. Hulls come from manifold3d (qhull-free)."""
    import manifold3d

    if len(v) == 0 or (not hull and len(f) == 0):
        return None
    if hull:
        solid = manifold3d.Manifold.hull_points(np.asarray(v, dtype=np.float64))
    else:
        solid = manifold3d.Manifold(manifold3d.Mesh(vert_properties=np.asarray(v, dtype=np.float32),
                                                    tri_verts=np.asarray(f, dtype=np.uint32)))
    ok = solid.status() == manifold3d.Error.NoError and not solid.is_empty() and solid.volume() > 0
    return solid if ok else None


def building_solid(meshes: list[ElementMesh]):
    """(manifold, offset, hulled, dropped): the union of the elements' solids as one manifold3d
    Manifold (None when nothing has volume), in coordinates relative to `offset`.

    Elements that share a `body` (a CityJSON Solid's roof, wall and ground surfaces) are closed
    together, as one solid; every other element is its own."""
    import manifold3d

    parts, hulled, dropped = [], [], []
    # manifold3d works in float32: move to a local origin so models placed far from the
    # project origin (UTM coordinates) keep millimetre precision, and move back afterwards.
    offset = np.floor(np.min([m.vertices.min(axis=0) for m in meshes], axis=0)) if meshes else np.zeros(3)
    for group in _bodies(meshes):
        m = group[0]
        if len(group) == 1:
            v, f, was_hulled = closed_mesh(m, offset)
        else:
            starts = np.cumsum([0] + [len(g.vertices) for g in group[:-1]])
            v, f, was_hulled = closed_arrays(np.concatenate([g.vertices for g in group]) - offset,
                                             np.concatenate([g.faces + k for g, k in zip(group, starts)]))
        solid = _solid(v, f, hull=was_hulled)
        if solid is None and not was_hulled:  # manifold3d rejected it: fall back to the hull
            solid, was_hulled = _solid(v, f, hull=True), True
        if was_hulled:
            hulled += [g.global_id for g in group]
        if solid is None:  # flat: no volume even as a hull
            dropped += [g.global_id for g in group]
        else:
            parts.append(solid)
    if not parts:
        return None, offset, tuple(hulled), tuple(dropped)
    return manifold3d.Manifold.batch_boolean(parts, manifold3d.OpType.Add), offset, tuple(hulled), tuple(dropped)


def _bodies(meshes: list[ElementMesh]) -> list[list[ElementMesh]]:
    """The elements grouped by the solid they bound, in their order."""
    groups: dict[object, list[ElementMesh]] = {}
    for i, m in enumerate(meshes):
        groups.setdefault(("body", m.body) if m.body is not None else i, []).append(m)
    return list(groups.values())


def building_mesh(meshes: list[ElementMesh]) -> BuildingMesh:
    solid, offset, hulled, dropped = building_solid(meshes)
    if solid is None:
        return BuildingMesh(TriangleMesh(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64)), hulled, dropped)
    out = solid.to_mesh()
    verts = np.asarray(out.vert_properties, dtype=np.float64)[:, :3] + offset
    # Keep manifold3d's indexing: merging coincident vertices would join touching solids at a pinch.
    result = TriangleMesh(verts, np.asarray(out.tri_verts, dtype=np.int64))
    return BuildingMesh(result, hulled, dropped)


GROUND_SLICES_M = (0.3, 1.2, 2.1)  # where the building's foot is cut to find the plan it encloses
CLOSE_GAPS_M = 1.5  # doors and gates up to twice this wide do not open the enclosed plan
SOFFIT_ABOVE_GROUND_M = 0.1  # a downward face lower than this is a foundation's or a basement's


def massing(solid, ground_z: float, keep=None, tolerance: float = 0.05):
    """The building's massing: what lies under its top surface and is enclosed, as a manifold.

    In every vertical line the massing runs from the top surface down to the lowest soffit of the
    solid in that line above the ground, or down to the ground inside the plan the building
    encloses at its foot (basements and slabs on grade do not pull a line down to the ground). So
    rooms count (a line through a room meets a floor below it, or stands inside the walls), a hall
    with no floor slab counts, and the air under an overhang or between pilotis does not (a line
    there meets the solid only above, outside the walls). Envelope volumes are measured on it,
    because the element solids alone leave out the air a permit officer counts as building.

    It is the intersection of the downward sweep of the (simplified) solid (the union of the prisms
    under every upward-facing triangle, to the ground) with the union of the upward sweep (the
    prisms over every downward-facing triangle) and the prism over the enclosed foot plan (slices
    just above the ground, gaps up to 3 m closed, holes filled). Only what stands above `ground_z`
    counts. Coordinates are the solid's own; `ground_z` in them. `keep(triangles) -> mask` picks
    the upward-facing triangles whose prisms are needed (all by default): to measure the massing
    inside a region closed upwards, the prisms of the triangles that reach into it are enough,
    with the downward-facing triangles in the same columns. `tolerance`: how far the solid may be
    simplified first (5 cm for the checks; an export keeps the roofs to the millimetre).
    """
    import manifold3d

    mesh = solid.simplify(tolerance).to_mesh()
    v = np.asarray(mesh.vert_properties, dtype=np.float64)[:, :3]
    tri = v[np.asarray(mesh.tri_verts, dtype=np.int64)]
    if len(tri) == 0:
        return manifold3d.Manifold()
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    up = tri[(n[:, 2] > 1e-9) & (tri[:, :, 2].max(axis=1) > ground_z + 1e-3)]
    if keep is not None and len(up):
        up = up[keep(up)]
    if len(up) == 0:
        return manifold3d.Manifold()
    top_z = float(v[:, 2].max()) + 1.0
    # soffits above the ground only: the underside of a basement or of a slab on grade would make
    # every line through it reach the ground, the air under a cantilever or between pilotis too
    down = tri[(n[:, 2] < -1e-9) & (tri[:, :, 2].mean(axis=1) > ground_z + SOFFIT_ABOVE_GROUND_M)]
    foot = _foot_prism(solid, ground_z, top_z)
    # a prism inside the others' union changes nothing: a floor under the roof, a ceiling over the
    # one below it or inside the foot plan. Leaving them out keeps a tower's cost linear in storeys.
    up = up[~_inside_others(up, from_top=True)]
    down = down[~_inside_others(down, from_top=False, covered=_plan_of(foot))]
    down = down[_same_columns(down, up)]
    below = _prisms(up, lambda t: np.maximum(t[:, 2], ground_z), ground_z)
    above = [_prisms(down, lambda t: t[:, 2], top_z), foot]
    above = manifold3d.Manifold.batch_boolean([m for m in above if not m.is_empty()], manifold3d.OpType.Add) \
        if any(not m.is_empty() for m in above) else manifold3d.Manifold()
    if below.is_empty() or above.is_empty():
        return manifold3d.Manifold()
    return below ^ above


LEVEL_M = 1e-3  # a triangle this flat is level; levels this close are one
COVER_M = 1e-4  # plan noise (float32, simplification) a covering plan may be off by


def _inside_others(tri: np.ndarray, from_top: bool, covered=None) -> np.ndarray:
    """Mask of level triangles whose prism the other triangles' prisms already hold.

    Upward faces (`from_top`) sweep down to the ground: a level face is inside the prisms of the
    faces that stand wholly above it and cover its plan. Downward faces sweep up: a level face is
    inside those wholly below it, or inside `covered` (the foot plan, swept from the ground).
    Levels are visited once, each adding its plans to one union: cost grows with the number of
    levels times the plan, not with the square of the faces."""
    out = np.zeros(len(tri), dtype=bool)
    if len(tri) == 0:
        return out
    z = tri[:, :, 2]
    flat = (z.max(axis=1) - z.min(axis=1)) < LEVEL_M
    if not flat.any():
        return out
    polys = shapely.polygons(tri[:, :, :2])
    sign = -1.0 if from_top else 1.0  # visit levels in order of sign * z ascending
    test_at = sign * (z.max(axis=1) if from_top else z.min(axis=1))  # the face's far end along the sweep
    cover_at = sign * (z.min(axis=1) if from_top else z.max(axis=1))  # its near end: what it holds beyond
    adders = np.argsort(cover_at, kind="stable")
    flats = np.nonzero(flat)[0]
    levels = np.round(test_at[flats] / LEVEL_M).astype(np.int64)
    order = np.argsort(levels, kind="stable")
    flats, levels = flats[order], levels[order]
    covered = covered if covered is not None else shapely.Polygon()
    grown, k = None, 0
    for group in np.split(flats, np.nonzero(np.diff(levels))[0] + 1):
        at = test_at[group[0]]
        start = k  # faces wholly beyond this level (by more than LEVEL_M): never the group itself
        while k < len(adders) and cover_at[adders[k]] < at - LEVEL_M:
            k += 1
        new = [p for p in polys[adders[start:k]] if shapely.area(p) > 0]
        if new:
            covered, grown = shapely.union_all([covered, *new]), None
        if covered.is_empty:
            continue
        if grown is None:
            grown = covered.buffer(COVER_M)
            shapely.prepare(grown)
        out[group] = shapely.covers(grown, polys[group])
    return out


def _plan_of(prism):
    """The plan of a vertical prism (the foot prism), or None."""
    if prism.is_empty():
        return None
    polys = [shapely.Polygon(c) for c in prism.slice(float(prism.bounding_box()[2]) + 1e-3).to_polygons() if len(c) >= 3]
    return shapely.union_all(polys).buffer(0) if polys else None


def _foot_prism(solid, ground_z: float, top_z: float):
    """The plan the building encloses at its foot, extruded from the ground to `top_z`."""
    import manifold3d

    outers = []
    for dz in GROUND_SLICES_M:
        for c in solid.slice(ground_z + dz).to_polygons():
            c = np.asarray(c, dtype=np.float64)
            x, y = c[:, 0], c[:, 1]
            if len(c) >= 3 and float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) > 0:
                outers.append(shapely.Polygon(c))  # outer contours run counter-clockwise; holes are dropped
    if not outers:
        return manifold3d.Manifold()
    closed = shapely.union_all(outers).buffer(CLOSE_GAPS_M, join_style="mitre").buffer(-CLOSE_GAPS_M,
                                                                                      join_style="mitre")
    parts = [p for p in shapely.get_parts(closed) if p.geom_type == "Polygon" and p.area > 1e-6]
    if not parts:
        return manifold3d.Manifold()
    rings = [np.asarray(shapely.geometry.polygon.orient(shapely.Polygon(p.exterior), 1.0).exterior.coords)[:-1]
             for p in parts]
    return manifold3d.Manifold.extrude(manifold3d.CrossSection([r.tolist() for r in rings]),
                                       float(top_z - ground_z)).translate([0.0, 0.0, float(ground_z)])


def _prisms(triangles: np.ndarray, face_z, other_z: float):
    """The union of the vertical prisms between each triangle (its z from `face_z`) and `other_z`."""
    import manifold3d

    prisms = []
    for t in triangles:
        face = t.copy()
        face[:, 2] = face_z(t)
        end = t.copy()
        end[:, 2] = other_z
        prism = manifold3d.Manifold.hull_points(np.concatenate([face, end]))
        if not prism.is_empty():
            prisms.append(prism)
    if not prisms:
        return manifold3d.Manifold()
    return manifold3d.Manifold.batch_boolean(prisms, manifold3d.OpType.Add)


def _same_columns(triangles: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Mask of `triangles` whose plan bounding box meets the plan bounding box of one of `others`."""
    if len(triangles) == 0:
        return np.zeros(0, dtype=bool)
    boxes = shapely.box(triangles[:, :, 0].min(1), triangles[:, :, 1].min(1),
                        triangles[:, :, 0].max(1), triangles[:, :, 1].max(1))
    tree = shapely.STRtree(shapely.box(others[:, :, 0].min(1), others[:, :, 1].min(1),
                                       others[:, :, 0].max(1), others[:, :, 1].max(1)))
    hit = np.zeros(len(triangles), dtype=bool)
    hit[np.unique(tree.query(boxes, predicate="intersects")[0])] = True
    return hit
