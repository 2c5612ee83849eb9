"""Where a building may not be, as convex regions: measured on triangles and on the closed mesh.

Inclined planes, clearance strips, setback bands and height caps each forbid a region that is
convex within the strip of parcel it governs: an intersection of half-spaces (the *domain*) and
one more half-space where a linear *depth* is positive (metres above a plane, metres into a
strip). Depth, the worst point and the elements involved come from clipping the element
triangles to the domain: a linear depth over a clipped polygon peaks at one of its vertices, so
this is exact on open meshes as exported, with no volume boolean. The volume inside the regions
comes from a manifold3d boolean with the closed building mesh (`permitcheck.facts.mesh`), where
open elements stand as convex hulls: that volume errs large, never small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from permitcheck.facts.projection import clip_halfspace, merge_triangles, parallel_map, plan_polygons, union
from permitcheck.model.types import ElementMesh

# A half-space {x : n . x > c}, n in (x, y, z).
HalfSpace = tuple[tuple[float, float, float], float]


@dataclass(frozen=True)
class Region:
    """Forbidden where every domain half-space holds and depth = g . x + h > 0."""

    label: str  # plane, clear, band, cap
    domain: tuple[HalfSpace, ...]
    g: tuple[float, float, float]
    h: float
    direction: str  # what depth measures: "vertical" (m above) or "horizontal" (m into)
    edge: int | None = None
    rule: str | None = None
    run: float = 1.0  # horizontal metres per metre of depth: 1 / slope for a plane, so depths compare

    def depth(self, pts: np.ndarray) -> np.ndarray:
        return pts[..., :3] @ np.asarray(self.g) + self.h

    def halfspaces(self) -> tuple[HalfSpace, ...]:
        return self.domain + ((self.g, -self.h),)  # depth > 0  <=>  g.x > -h


@dataclass(frozen=True)
class Hit:
    """The deepest point of the building in a region (negative depth: the smallest clearance)."""

    region: Region
    depth: float
    point: tuple[float, float, float]
    element_depths: dict[str, float]  # GlobalId -> deepest point of that element in the region

    @property
    def run(self) -> float:
        """The depth as a horizontal distance: how much further from the line the point had to be."""
        return self.depth * self.region.run


def clip(tri: np.ndarray, halfspaces) -> np.ndarray:
    """Triangles (k, 3, d) clipped to the intersection of half-spaces; extra columns ride along."""
    for n, c in halfspaces:
        normal = np.zeros(tri.shape[2])
        normal[:3] = n
        parts = clip_halfspace(tri, normal, c)
        if not parts:
            return np.empty((0, 3, tri.shape[2]))
        tri = np.concatenate(parts)
    return tri


def soup(meshes: tuple[ElementMesh, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    """All element triangles, (k, 3, 4): x, y, z and the element's index as a fourth column."""
    blocks = []
    for i, m in enumerate(meshes):
        if len(m.faces) == 0:
            continue
        tri = m.vertices[m.faces]
        tri = tri[np.isfinite(tri).all(axis=(1, 2))]  # a NaN vertex would make every comparison false
        blocks.append(np.concatenate([tri, np.full(tri.shape[:2] + (1,), float(i))], axis=2))
    if not blocks:
        return np.empty((0, 3, 4)), ()
    return np.concatenate(blocks), tuple(m.global_id for m in meshes)


def deepest(region: Region, tri: np.ndarray, ids: tuple[str, ...]) -> Hit | None:
    """The building's deepest vertex in the region's domain; None when nothing stands there."""
    inside = clip(tri, region.domain)
    if len(inside) == 0:
        return None
    pts = inside.reshape(-1, 4)
    d = region.depth(pts)
    k = int(np.argmax(d))
    return Hit(region, float(d[k]), tuple(float(v) for v in pts[k, :3]), per_element(pts, d, ids))


def per_element(pts: np.ndarray, depth: np.ndarray, ids: tuple[str, ...]) -> dict[str, float]:
    """GlobalId -> the deepest of its points (the fourth column of `pts` is the element index)."""
    per = np.full(len(ids), -np.inf)
    np.maximum.at(per, pts[:, 3].astype(int), depth)
    return {ids[i]: float(per[i]) for i in np.flatnonzero(np.isfinite(per))}


def plan_inside(regions: list[Region], tri: np.ndarray, meshes: tuple[ElementMesh, ...] = ()):
    """Plan of the parts of the building inside the regions (model coordinates): what a report
    draws where a building breaks a plane or an envelope.

    From the elements' parts (`facts.projection.outline_inside`): a part cut by a region that keeps
    what is above or beside its planes is its hull when it fills it (a baluster, a tube, a box), and
    a part hidden behind those hulls is not merged. A region keeping what is below a plane (its cut
    face turned up) is merged from `tri`, the triangles element by element, as is every region when
    the meshes are not given (one union of every triangle at once takes minutes on a large model:
    Tekla carwash 144 s).
    """
    from permitcheck.facts.projection import outline_inside

    polys = []
    by_triangles = []
    for r in regions:
        if not meshes or any(float(n[2]) < 0 for n, _ in r.halfspaces()):
            by_triangles.append(r)
            continue
        inside = clip(tri, r.halfspaces())  # which elements reach into it
        owners = [meshes[i] for i in np.unique(inside[:, 0, 3].astype(int))] if len(inside) else []
        polys += outline_inside([(m.vertices, m.faces[np.isfinite(m.vertices[m.faces]).all(axis=(1, 2))])
                                 for m in owners], r.halfspaces())
    polys += _merged_inside(by_triangles, tri)
    return union(polys) if polys else None


def _merged_inside(regions: list[Region], tri: np.ndarray) -> list:
    """The triangles inside the regions, merged element by element."""
    blocks = [inside for inside in (clip(tri, r.halfspaces()) for r in regions) if len(inside)]
    if not blocks:
        return []
    inside = np.concatenate(blocks)
    owner = inside[:, 0, 3].astype(int)
    order = np.argsort(owner, kind="stable")
    inside, owner = inside[order], owner[order]
    cuts = np.flatnonzero(np.diff(owner)) + 1
    groups = np.split(inside[:, :, :3], cuts)

    def plan(t):
        polys = plan_polygons(t)
        return merge_triangles(polys) if len(polys) else None

    return [g for g in parallel_map(plan, groups) if g is not None]


def box(lo: np.ndarray, hi: np.ndarray):
    import manifold3d

    return manifold3d.Manifold.cube(tuple(float(v) for v in hi - lo)).translate(tuple(float(v) for v in lo))


def region_solid(region: Region, lo: np.ndarray, hi: np.ndarray, origin: np.ndarray):
    """The region inside the box [lo, hi], as a manifold in coordinates relative to `origin`."""
    solid = box(lo - origin, hi - origin)
    for n, c in region.halfspaces():
        n = np.asarray(n, dtype=float)
        norm = float(np.linalg.norm(n))
        if norm == 0:
            continue
        # {n.x > c} in local coordinates x' = x - origin: n.x' > c - n.origin; manifold keeps the side n points to
        solid = solid.trim_by_plane(tuple(n / norm), float((c - n @ origin) / norm))
        if solid.is_empty():
            break
    return solid


def reaching(regions: list[Region], origin: np.ndarray):
    """A mask function: which triangles (relative to origin) reach into any region, upper bounds dropped."""

    def keep(tri: np.ndarray) -> np.ndarray:
        world = np.concatenate([tri + origin, np.arange(len(tri), dtype=float)[:, None, None].repeat(3, axis=1)],
                               axis=2)
        mask = np.zeros(len(tri), dtype=bool)
        for r in regions:
            upward = [(n, c) for n, c in r.halfspaces() if not (n[0] == 0 and n[1] == 0 and n[2] < 0)]
            inside = clip(world, upward)
            mask[inside[:, 0, 3].astype(int)] = True
        return mask

    return keep


def union_of(solids: list):
    """One manifold of the region solids (None when there are none)."""
    import manifold3d

    solids = [s for s in solids if not s.is_empty()]
    return manifold3d.Manifold.batch_boolean(solids, manifold3d.OpType.Add) if solids else None


def volume_inside(body, forbidden) -> float:
    """Volume (m3) of a closed body (massing or element solids) inside the forbidden union."""
    if body is None or forbidden is None:
        return 0.0
    return float((body ^ forbidden).volume())


@dataclass(frozen=True)
class Strip:
    """The part of the plan governed by a base line, and the distance to it along a direction.

    ``d(p) = k0 - kv . p`` is the horizontal distance from p to the base line measured along the
    unit direction u (towards the line); the strip is what the base segment sweeps along -u.
    """

    edge: int
    k0: float
    kv: tuple[float, float]
    sides: tuple[HalfSpace, HalfSpace]
    a: tuple[float, float]  # the base segment, moved out by the shift
    b: tuple[float, float]
    u: tuple[float, float]

    @classmethod
    def of(cls, index: int, a, b, outward, u, shift: float = 0.0) -> "Strip | None":
        a, b, n, u = (np.asarray(v, dtype=float) for v in (a, b, outward, u))
        cos = float(u @ n)
        if cos < 0.05:  # the line does not face the direction: no distance is measured to it
            return None
        a, b = a + n * shift, b + n * shift
        w = np.array([-u[1], u[0]])
        lo, hi = sorted((float(a @ w), float(b @ w)))
        kv = n / cos
        return cls(index, float(a @ n) / cos, (float(kv[0]), float(kv[1])),
                   (((w[0], w[1], 0.0), lo), ((-w[0], -w[1], 0.0), -hi)),
                   (float(a[0]), float(a[1])), (float(b[0]), float(b[1])), (float(u[0]), float(u[1])))

    def band(self, depth: float):
        """Plan polygon of the strip's points at most `depth` from the base line."""
        from shapely.geometry import Polygon

        a, b, u = (np.asarray(v) for v in (self.a, self.b, self.u))
        return Polygon([a, b, b - u * depth, a - u * depth]).buffer(0)

    def distance(self, xy: np.ndarray) -> np.ndarray:
        return self.k0 - xy[..., :2] @ np.asarray(self.kv)

    def within(self, reach: float, inside: bool = True) -> HalfSpace:
        """d < reach; or, with inside False, d > reach (0: on the parcel's side of the line)."""
        if inside:
            return (self.kv[0], self.kv[1], 0.0), self.k0 - reach
        return (-self.kv[0], -self.kv[1], 0.0), reach - self.k0

    def rising(self, z0: float, slope: float) -> tuple[tuple[float, float, float], float]:
        """(g, h) of the depth z - (z0 + slope * d): metres above a plane rising inward from the line."""
        return (slope * self.kv[0], slope * self.kv[1], 1.0), -z0 - slope * self.k0

    def inward(self, distance: float, ratio: float = 0.0, ground: float = 0.0) -> tuple[tuple[float, float, float], float]:
        """(g, h) of the depth (distance + ratio * (z - ground)) - d: metres short of a required distance."""
        return (self.kv[0], self.kv[1], ratio), distance - ratio * ground - self.k0


def above(z: float) -> HalfSpace:
    return (0.0, 0.0, 1.0), z


def below(z: float) -> HalfSpace:
    return (0.0, 0.0, -1.0), -z
