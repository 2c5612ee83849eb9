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

from permitcheck.facts.projection import plans_above, union
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

    Each element is split into its parts (vertex-connected, welded); a closed part whose volume is
    its convex hull's (a wall, a slab, a beam, a box) keeps only the corners of its part above the
    plane, and its shadow at each step is the 2D hull of those corners sheared — exact, since a
    shear keeps a convex part convex. The other parts (open, or not convex) are cast each step
    as `facts.projection` plans them. Most of a building is boxes, so most of a day costs a few
    array passes instead of a plan per element per step."""

    def __init__(self, meshes, plane_z: float):
        from permitcheck.facts.projection import clip_above

        self.plane_z = plane_z
        points, owners, rest, rest_owner = [], [], [], []
        for i, (v, f) in enumerate(meshes):
            v, f = np.asarray(v, dtype=np.float64).reshape(-1, 3), np.asarray(f, dtype=np.int64).reshape(-1, 3)
            if not len(f) or v[:, 2].max() <= plane_z:
                continue
            for verts, faces, convex in _parts(v, f):
                if convex:
                    tri = verts[faces]
                    above = tri if verts[:, 2].min() >= plane_z else np.concatenate(
                        [p.reshape(-1, 3) for p in clip_above(tri, plane_z)] or [np.zeros((0, 3))])
                    pts = above.reshape(-1, 3)
                    if len(pts) >= 3:
                        points.append(np.unique(np.round(pts, 6), axis=0))
                        owners.append(i)
                else:
                    rest.append((verts, faces))
                    rest_owner.append(i)
        self.points = np.concatenate(points) if points else np.zeros((0, 3))
        self.point_part = np.repeat(np.arange(len(points)), [len(p) for p in points]) if points else \
            np.zeros(0, dtype=np.int64)
        self.part_owner = np.asarray(owners, dtype=np.int64)
        self.rest, self.rest_owner = rest, np.asarray(rest_owner, dtype=np.int64)

    def shadows(self, direction: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
        """(shadow polygons, the element each belongs to) at one sun position."""
        geoms, owners = [], []
        if len(self.points):
            xy = _shear(self.points, self.plane_z, direction)[:, :2]
            hulls = shapely.convex_hull(shapely.multipoints(xy, indices=self.point_part))
            ok = shapely.get_type_id(hulls) == 3  # flat parts seen edge-on give lines: no area
            geoms.append(hulls[ok])
            owners.append(self.part_owner[ok])
        if self.rest:
            plans = plans_above([(_shear(v, self.plane_z, direction), f) for v, f in self.rest], self.plane_z)
            keep = [k for k, p in enumerate(plans) if p is not None and not p.is_empty]
            geoms.append(np.array([plans[k] for k in keep], dtype=object))
            owners.append(self.rest_owner[keep] if keep else np.zeros(0, dtype=np.int64))
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
    """The shadows of one day: per step, the whole shadow, its weight in hours, and per element."""

    hours: tuple[float, ...]  # true solar hour of each step
    weights: tuple[float, ...]  # hours each step stands for
    shadows: tuple[BaseGeometry, ...]  # the union at each step
    parts: tuple[tuple[np.ndarray, np.ndarray], ...]  # per step: (part shadows, the element of each)

    def hours_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Shadow hours at each point (x, y)."""
        total = np.zeros(len(x))
        for shadow, w in zip(self.shadows, self.weights):
            if shadow is not None and not shadow.is_empty:
                shapely.prepare(shadow)
                total += w * shapely.contains_xy(shadow, x, y)
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
        """Everywhere the shadow falls at some time of the day."""
        return union([s for s in self.shadows if s is not None and not s.is_empty])


def shadow_day(meshes, plane_z: float, path: list[SunPosition], weights: list[float],
               true_north: tuple[float, float]) -> ShadowDay:
    casters = Casters(meshes, plane_z)
    shadows, parts = [], []
    for sun in path:
        geoms, owners = casters.shadows(model_direction(sun, true_north))
        parts.append((geoms, owners))
        shadows.append(union(list(geoms)) if len(geoms) else shapely.Polygon())
    return ShadowDay(tuple(p.hour for p in path), tuple(weights), tuple(shadows), tuple(parts))


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
