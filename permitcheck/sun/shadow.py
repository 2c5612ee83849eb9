"""The shadow a building casts on a horizontal plane, and how long it stays at each point.

A solid's shadow on the plane z = h, cast by a sun in direction s (towards the sun), is its part
above h sheared by (x, y, z) -> (x - (z-h) s_x/s_z, y - (z-h) s_y/s_z) and seen from above: a
shear keeps a closed part closed and a convex part convex, so the plans of facts.projection —
parts, hulls, merged faces, on open meshes as exported — give each element's shadow with no
volume boolean. The shadow hours at a point are the hours of the steps whose shadow covers it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.projection import union
from permitcheck.sun.position import SunPosition

MAX_POINTS = 400_000  # grid points a shadow-hour map may take (a 316 m square at 0.5 m)


def model_direction(sun: SunPosition, true_north: tuple[float, float]) -> tuple[float, float, float]:
    """The sun's unit vector in model coordinates, given true north there (a unit vector)."""
    tx, ty = true_north
    east, north, up = sun.vector
    return (east * ty + north * tx, -east * tx + north * ty, up)


CONVEX_SHARE = 0.002  # a closed part within this share of its convex hull's volume is convex


def _shear(v: np.ndarray, plane_z: float, direction: tuple[float, float, float]) -> np.ndarray:
    dx, dy, up = direction
    if up <= 0:
        raise ValueError("the sun is below the horizon")
    lift = v[:, 2] - plane_z
    return np.column_stack([v[:, 0] - lift * dx / up, v[:, 1] - lift * dy / up, v[:, 2]])


class Casters:
    """The meshes that cast shadow on one plane, prepared once for every sun position of a day.

    Each element is split into its parts (vertex-connected, welded). A closed part whose volume is
    its convex hull's (a wall, a slab, a box) keeps only its corners above the plane, and its shadow
    at each step is the 2D hull of those corners sheared — exact, since a shear keeps a convex part
    convex. A closed prism (an I-beam, a wall with openings, an L-shaped slab) is cut into the
    triangular prisms of its cap, each convex. Any other part (open, curved) casts its triangles
    above the plane, each sheared: together they are its shadow. Nothing is merged: a point's
    shade is a query of the pieces, so a day costs array passes, not a union per element per step."""

    def __init__(self, meshes, plane_z: float):
        from permitcheck.facts.projection import clip_above

        self.plane_z = plane_z
        points, owners, rest, rest_owner = [], [], [], []
        for i, (v, f) in enumerate(meshes):
            v, f = np.asarray(v, dtype=np.float64).reshape(-1, 3), np.asarray(f, dtype=np.int64).reshape(-1, 3)
            if not len(f) or v[:, 2].max() <= plane_z:
                continue
            for verts, faces, convex in _parts(v, f):
                pieces = [(verts, faces)] if convex else _prism_pieces(verts, faces)
                if pieces is None:  # its triangles, each convex: together they cast its shadow
                    tri = verts[faces]
                    for cut in ([tri] if verts[:, 2].min() >= plane_z else clip_above(tri, plane_z)):
                        rest.append(cut)
                        rest_owner.append(np.full(len(cut), i))
                    continue
                for pv, pf in pieces:
                    if pv[:, 2].max() <= plane_z:
                        continue
                    tri = pv[pf]
                    above = tri if pv[:, 2].min() >= plane_z else np.concatenate(
                        [p.reshape(-1, 3) for p in clip_above(tri, plane_z)] or [np.zeros((0, 3))])
                    pts = above.reshape(-1, 3)
                    if len(pts) >= 3:
                        points.append(np.unique(np.round(pts, 6), axis=0))
                        owners.append(i)
        self.points = np.concatenate(points) if points else np.zeros((0, 3))
        self.point_part = np.repeat(np.arange(len(points)), [len(p) for p in points]) if points else \
            np.zeros(0, dtype=np.int64)
        self.part_owner = np.asarray(owners, dtype=np.int64)
        self.rest = [(r, o) for r, o in zip(rest, rest_owner) if len(r)]  # (triangles or quads, their elements)

    def shadows(self, direction: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
        """(shadow polygons, the element each belongs to) at one sun position."""
        geoms, owners = [], []
        if len(self.points):
            xy = _shear(self.points, self.plane_z, direction)[:, :2]
            hulls = shapely.convex_hull(shapely.multipoints(xy, indices=self.point_part))
            ok = shapely.get_type_id(hulls) == 3  # flat parts seen edge-on give lines: no area
            geoms.append(hulls[ok])
            owners.append(self.part_owner[ok])
        for polys, owner in self.rest:
            flat = _shear(polys.reshape(-1, 3), self.plane_z, direction)[:, :2].reshape(polys.shape[0], -1, 2)
            shapes = shapely.polygons(flat)
            keep = shapely.area(shapes) > 1e-9  # faces seen edge-on cast no area
            geoms.append(shapes[keep])
            owners.append(owner[keep])
        if not geoms:
            return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
        return np.concatenate(geoms), np.concatenate(owners)


def _parts(v: np.ndarray, f: np.ndarray):
    """(vertices, faces, convex) of each part of one element's mesh."""
    from permitcheck.facts.mesh import WELD_M
    from permitcheck.facts.projection import face_components, weld

    first, inverse = weld(np.round(v / WELD_M).astype(np.int64))
    v, f = v[first], inverse[f]
    f = f[(f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 2] != f[:, 0])]
    if not len(f):
        return
    labels = face_components(f, len(v))
    for lab in np.unique(labels):
        faces = f[labels == lab]
        used, local = np.unique(faces, return_inverse=True)
        yield v[used], local.reshape(-1, 3), _convex(v[used], local.reshape(-1, 3))


MAX_PIECES = 400  # cap triangles a prism is cut into; past this it is planned as it is


def _prism_pieces(v: np.ndarray, f: np.ndarray):
    """A closed part that is a prism — two parallel caps, every other face along the direction
    between them (an I-beam, a wall with its openings, an L-shaped slab) — as the triangular prisms
    of one cap's triangles, each convex: (vertices, faces) of each, or None when it is no prism."""
    t = v[f]
    nrm = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
    area = np.linalg.norm(nrm, axis=1)
    ok = area > 1e-12
    if not ok.all() or len(f) < 8:
        return None
    nrm = nrm / area[:, None]
    seen = set()
    for k in np.argsort(-area):
        c = nrm[k]
        key = tuple(np.round(np.abs(c), 4))
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > 6:
            return None
        dots = nrm @ c
        pos, neg, side = dots > 1 - 1e-6, dots < -(1 - 1e-6), np.abs(dots) < 1e-6
        if not (pos | neg | side).all() or not pos.any() or not neg.any() or pos.sum() > MAX_PIECES:
            continue
        off_pos, off_neg = t[pos].reshape(-1, 3) @ c, t[neg].reshape(-1, 3) @ c
        if np.ptp(off_pos) > 1e-6 or np.ptp(off_neg) > 1e-6:
            continue
        shift = (off_pos[0] - off_neg[0]) * c  # from the negative cap to the positive one
        known = {tuple(r) for r in np.round(v, 5)}
        cap = t[pos]
        other = cap - shift
        if not all(tuple(r) in known for r in np.round(other.reshape(-1, 3), 5)):
            continue
        faces = np.array([[0, 1, 2], [3, 5, 4], [0, 3, 4], [0, 4, 1], [1, 4, 5], [1, 5, 2], [2, 5, 3], [2, 3, 0]])
        return [(np.vstack([a, b]), faces) for a, b in zip(cap, other)]
    return None


def _convex(v: np.ndarray, f: np.ndarray) -> bool:
    """Closed (each edge run once each way) and as big as its convex hull."""
    from scipy.spatial import ConvexHull, QhullError

    if len(v) < 4:
        return False
    edges = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
    forward = edges[:, 0] * len(v) + edges[:, 1]
    backward = edges[:, 1] * len(v) + edges[:, 0]
    if len(np.unique(forward)) != len(forward) or not np.array_equal(np.sort(forward), np.sort(backward)):
        return False
    t = v[f]
    volume = abs(np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2])).sum()) / 6.0
    try:
        hull = ConvexHull(v).volume
    except (QhullError, ValueError):
        return False
    return hull > 0 and volume >= (1.0 - CONVEX_SHARE) * hull


def element_shadows(meshes, plane_z: float, direction: tuple[float, float, float]) -> list[BaseGeometry | None]:
    """Each element's shadow on the plane z = plane_z (None: it casts none there)."""
    geoms, owners = Casters(meshes, plane_z).shadows(direction)
    out: list[BaseGeometry | None] = [None] * len(meshes)
    for i in np.unique(owners):
        out[int(i)] = union(list(geoms[owners == i]))
    return out


@dataclass(frozen=True)
class ShadowDay:
    """The shadows of one day: per step, the part shadows with the element each belongs to, and the
    hours each step stands for. No union per step: a point's shade is a query of the step's parts."""

    hours: tuple[float, ...]  # true solar hour of each step
    weights: tuple[float, ...]  # hours each step stands for
    parts: tuple[tuple[np.ndarray, np.ndarray], ...]  # per step: (part shadows, the element of each)

    def _shaded(self, step: int, pts: np.ndarray) -> np.ndarray:
        geoms = self.parts[step][0]
        hit = np.zeros(len(pts), dtype=bool)
        if len(geoms) and len(pts):
            hit[shapely.STRtree(geoms).query(pts, predicate="intersects")[0]] = True
        return hit

    def hours_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Shadow hours at each point (x, y)."""
        pts = shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        total = np.zeros(len(pts))
        for k, w in enumerate(self.weights):
            total += w * self._shaded(k, pts)
        return total

    def casters(self, x: float, y: float) -> list[tuple[int, float]]:
        """(element index, hours its own shadow covers the point), most first."""
        hours: dict[int, float] = {}
        for (geoms, owners), w in zip(self.parts, self.weights):
            hit = shapely.covers(geoms, shapely.Point(x, y)) if len(geoms) else np.zeros(0, dtype=bool)
            for i in np.unique(owners[hit]):
                hours[int(i)] = hours.get(int(i), 0.0) + w
        return sorted(hours.items(), key=lambda kv: -kv[1])

    @property
    def reach(self) -> BaseGeometry:
        """A region holding every shadow of the day: the union of each step's convex hull."""
        hulls = [shapely.convex_hull(shapely.multipoints(shapely.get_coordinates(geoms)))
                 for geoms, _ in self.parts if len(geoms)]
        return union([h for h in hulls if not h.is_empty]) if hulls else shapely.Polygon()


def shadow_day(meshes, plane_z: float, path: list[SunPosition], weights: list[float],
               true_north: tuple[float, float]) -> ShadowDay:
    casters = Casters(meshes, plane_z)
    parts = tuple(casters.shadows(model_direction(sun, true_north)) for sun in path)
    return ShadowDay(tuple(p.hour for p in path), tuple(weights), parts)


def grid(region: BaseGeometry, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every `spacing` metres (cell centres) inside a region; ValueError past MAX_POINTS."""
    if region.is_empty:
        return np.zeros(0), np.zeros(0)
    x0, y0, x1, y1 = region.bounds
    nx, ny = math.ceil((x1 - x0) / spacing), math.ceil((y1 - y0) / spacing)
    if nx * ny > MAX_POINTS:
        raise ValueError(f"{nx * ny} grid points at {spacing:g} m — a coarser grid is needed")
    xs, ys = np.meshgrid(x0 + (np.arange(nx) + 0.5) * spacing, y0 + (np.arange(ny) + 0.5) * spacing)
    xs, ys = xs.ravel(), ys.ravel()
    shapely.prepare(region)
    inside = shapely.contains_xy(region, xs, ys)
    return xs[inside], ys[inside]
