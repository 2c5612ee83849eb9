"""The shadow a building casts on a horizontal plane, and how long it stays at each point.

A solid's shadow on the plane z = h, cast by a sun in direction s (towards the sun), is its part
above h sheared by (x, y, z) -> (x - (z-h) s_x/s_z, y - (z-h) s_y/s_z) and seen from above: a
shear keeps a closed part closed and a convex part convex, so the plans of facts.projection —
parts, hulls, merged faces, on open meshes as exported — give each element's shadow with no
volume boolean. The shadow hours at a point are the hours of the steps whose shadow covers it.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.projection import convex_hulls, union
from permitcheck.sun.position import SunPosition

CONVEX_SHARE = 0.002  # a closed part within this share of its convex hull's volume is convex
MAX_POINTS = 400_000  # grid points a shadow-hour map may take (a 316 m square at 0.5 m)


def model_direction(sun: SunPosition, true_north: tuple[float, float]) -> tuple[float, float, float]:
    """The sun's unit vector in model coordinates, given true north there (a unit vector)."""
    tx, ty = true_north
    east, north, up = sun.vector
    return (east * ty + north * tx, -east * tx + north * ty, up)




def _shear(v: np.ndarray, plane_z: float, direction: tuple[float, float, float]) -> np.ndarray:
    dx, dy, up = direction
    if up <= 0:
        raise ValueError("the sun is below the horizon")
    lift = v[:, 2] - plane_z
    return np.column_stack([v[:, 0] - lift * dx / up, v[:, 1] - lift * dy / up, v[:, 2]])


def decompose(meshes, directions=None) -> list[tuple]:
    """Each element's pieces, whatever the plane: (element, "piece", corners, faces) for a convex part
    or a triangular prism of a closed prism, (element, "triangles", the sun-facing triangles, their
    lowest z) for the rest (see Casters)."""
    out = []
    for i, verts, faces, convex in _parts(meshes):
        pieces = [(verts, faces)] if convex else _prism_pieces(verts, faces)
        if pieces is None:
            out.append((i, "triangles", verts[_sunward(verts, faces, directions)], float(verts[:, 2].min())))
        else:
            out += [(i, "piece", pv, pf) for pv, pf in pieces]
    return out


class Casters:
    """The meshes that cast shadow on one plane, prepared once for every sun position of a day.

    Each element is split into its parts (vertex-connected, welded). A closed part whose volume is
    its convex hull's (a wall, a slab, a box) keeps only its corners above the plane, and its shadow
    at each step is the 2D hull of those corners sheared — exact, since a shear keeps a convex part
    convex. A closed prism (an I-beam, a wall with openings, an L-shaped slab) is cut into the
    triangular prisms of its cap, each convex. Any other part (open, curved) casts its triangles
    above the plane, each sheared: together they are its shadow. Nothing is merged: a point's
    shade is a query of the pieces, so a day costs array passes, not a union per element per step."""

    def __init__(self, meshes, plane_z: float, directions=None, parts=None):
        """`directions`: the sun's of the day, when known; a closed part that is cast by its
        triangles then keeps only those that face the sun at some step (every ray through a closed
        part leaves it through one of them), about half. `parts`: `decompose(meshes, directions)`,
        when several planes share it (it does not depend on the plane)."""
        from permitcheck.facts.projection import clip_above, clip_indexed

        self.plane_z = plane_z
        points, owners, rest, rest_owner = [], [], [], []
        across, across_owner = [], []
        for i, kind, a, b in (decompose(meshes, directions) if parts is None else parts):
            if kind == "triangles":  # its triangles, each convex: together they cast its shadow
                tri, low = a, b
                if not len(tri) or tri[:, :, 2].max() <= plane_z:
                    continue
                for cut in ([tri] if low >= plane_z else clip_above(tri, plane_z)):
                    rest.append(cut)
                    rest_owner.append(np.full(len(cut), i))
                continue
            pv, pf = a, b
            z = pv[:, 2]
            if z.max() <= plane_z:
                continue
            if z.min() >= plane_z:  # whole: its corners
                points.append(pv)
                owners.append(i)
                continue
            across.append(pv[pf])
            across_owner.append(i)
        if across:  # the pieces across the plane: their corners above it, all cut in one pass
            sizes = np.array([len(t) for t in across])
            source_piece = np.repeat(np.arange(len(across)), sizes)
            cut, source = clip_indexed(np.concatenate(across), np.array([0.0, 0.0, 1.0]), plane_z)
            if cut:
                corners = np.concatenate([c.reshape(-1, 3) for c in cut])
                piece = np.repeat(np.concatenate([source_piece[s] for s in source]), 3)
                order = np.argsort(piece, kind="stable")
                found, starts, counts = np.unique(piece[order], return_index=True, return_counts=True)
                for k, start, count in zip(found, starts, counts):
                    if count >= 3:
                        points.append(corners[order[start:start + count]])
                        owners.append(across_owner[k])
        self.points = np.concatenate(points) if points else np.zeros((0, 3))
        self.point_part = np.repeat(np.arange(len(points)), [len(p) for p in points]) if points else \
            np.zeros(0, dtype=np.int64)
        self.part_owner = np.asarray(owners, dtype=np.int64)
        self.rest = [(r, o) for r, o in zip(rest, rest_owner) if len(r)]  # (triangles, their elements)
        # pieces: the convex parts first (0 .. parts-1), then each polygon of `rest` in order
        self.n_parts = len(self.part_owner)
        self.rest_start = np.cumsum([self.n_parts] + [len(r) for r, _ in self.rest])
        self.owner = np.concatenate([self.part_owner] + [o for _, o in self.rest]).astype(np.int64)
        lift = np.zeros(len(self.owner))  # each piece's height over the plane: how far its shadow moves
        if len(self.points):
            np.maximum.at(lift, self.point_part, self.points[:, 2] - plane_z)
        for (r, _), a in zip(self.rest, self.rest_start[:-1]):
            lift[a:a + len(r)] = r[:, :, 2].max(axis=1) - plane_z
        self.lift = np.maximum(lift, 0.0)

    def __len__(self) -> int:
        return len(self.owner)

    def pieces(self, direction: tuple[float, float, float], which: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """The shadow of each piece (`which`: sorted piece numbers; all by default) at one sun
        position, in that order, and whether it has an area: a piece seen edge-on casts a line, no
        shade (yet it is where the shade will be a moment later)."""
        which = np.arange(len(self)) if which is None else np.asarray(which, dtype=np.int64)
        out = np.empty(len(which), dtype=object)
        parts = which[which < self.n_parts]
        if len(parts):
            take = np.isin(self.point_part, parts)
            xy = _shear(self.points[take], self.plane_z, direction)[:, :2]
            out[:len(parts)] = convex_hulls(xy, np.searchsorted(parts, self.point_part[take]))
        rows = self._rest_rows()[which[which >= self.n_parts] - self.n_parts]
        if len(rows):
            flat = _shear(rows.reshape(-1, 3), self.plane_z, direction)[:, :2].reshape(rows.shape[0], -1, 2)
            out[len(parts):] = shapely.polygons(flat)
        area = shapely.area(out) if len(out) else np.zeros(0)
        return out, (shapely.get_type_id(out) == 3) & (area > 1e-9)

    def shadows(self, direction: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
        """(shadow polygons, the element each belongs to) at one sun position."""
        geoms, ok = self.pieces(direction)
        return geoms[ok], self.owner[ok]

    def swept_boxes(self, shear: np.ndarray) -> np.ndarray:
        """(xmin, ymin, xmax, ymax) of each piece's shadows under every shear in `shear` (rows of
        (dx, dy) per metre of height): a corner at height z moves by -z * shear, linear in it, so
        the extremes are at the shears' own."""
        lo_s, hi_s = shear.min(axis=0), shear.max(axis=0)
        out = np.empty((len(self), 4))
        if self.n_parts:
            z = self.points[:, 2:3] - self.plane_z
            starts = np.flatnonzero(np.r_[True, self.point_part[1:] != self.point_part[:-1]])
            out[:self.n_parts, :2] = np.minimum.reduceat(self.points[:, :2] - z * hi_s, starts, axis=0)
            out[:self.n_parts, 2:] = np.maximum.reduceat(self.points[:, :2] - z * lo_s, starts, axis=0)
        r = self._rest_rows()
        if len(r):
            z = r[:, :, 2:3] - self.plane_z
            out[self.n_parts:, :2] = (r[:, :, :2] - z * hi_s).min(axis=1)
            out[self.n_parts:, 2:] = (r[:, :, :2] - z * lo_s).max(axis=1)
        return out

    def _rest_rows(self) -> np.ndarray:
        """The triangles of `rest`, every group in one array (each step reads them at once)."""
        if getattr(self, "_rows", None) is None:
            self._rows = np.concatenate([r for r, _ in self.rest]) if self.rest else np.zeros((0, 3, 3))
        return self._rows

    def subset(self, which: np.ndarray) -> "Casters":
        """These pieces only (sorted piece numbers), renumbered from 0 in that order."""
        out = object.__new__(Casters)
        out.plane_z = self.plane_z
        parts = which[which < self.n_parts]
        take = np.isin(self.point_part, parts)
        out.points, out.point_part = self.points[take], np.searchsorted(parts, self.point_part[take])
        out.part_owner = self.part_owner[parts]
        out.rest = []
        for (r, o), a, b in zip(self.rest, self.rest_start[:-1], self.rest_start[1:]):
            rows = which[(which >= a) & (which < b)] - a
            if len(rows):
                out.rest.append((r[rows], o[rows]))
        out.n_parts = len(parts)
        out.rest_start = np.cumsum([out.n_parts] + [len(r) for r, _ in out.rest])
        out.owner, out.lift = self.owner[which], self.lift[which]
        return out

    def hull_points(self) -> np.ndarray:
        """The corners of the convex hull of every piece: what the day's reach is the shadow of
        (manifold3d's hull; all the corners when they are flat)."""
        import manifold3d

        pts = np.concatenate([self.points] + [r.reshape(-1, 3) for r, _ in self.rest]) if len(self) else \
            np.zeros((0, 3))
        if len(pts) < 4:
            return pts
        mid = pts.mean(axis=0)  # manifold3d hands its vertices back in single precision: round the middle
        corners = np.asarray(manifold3d.Manifold.hull_points(pts - mid).to_mesh().vert_properties, dtype=float)[:, :3]
        return corners + mid if len(corners) >= 4 else pts


def _parts(meshes):
    """(element, vertices, faces, convex) of each part (vertex-connected, welded) of every element.

    Welding, parts, the closed test and convexity are whole-array passes over every element at once
    (element by element, Janesville's 1,000 elements took 0.5 s). A part is taken as convex when it
    is closed, every edge folds outward (the far corner of the face across each edge lies behind or
    on the plane of the face before it) and it is one sphere (V - E + F = 2) — which most parts fail
    at once — and then `_convex` confirms it on the whole part."""
    from permitcheck.facts.mesh import WELD_M
    from permitcheck.facts.projection import _groups, face_components, weld

    meshes = [(np.asarray(v, dtype=np.float64).reshape(-1, 3), np.asarray(f, dtype=np.int64).reshape(-1, 3))
              for v, f in meshes]
    nv = np.array([len(v) for v, _ in meshes], dtype=np.int64)
    nf = np.array([len(f) for _, f in meshes], dtype=np.int64)
    live = np.flatnonzero((nv > 0) & (nf > 0))
    if not len(live):
        return
    offsets = np.concatenate([[0], np.cumsum(nv[live])[:-1]])
    V = np.concatenate([meshes[i][0] for i in live])
    F = np.concatenate([meshes[i][1] + o for i, o in zip(live, offsets)])
    fel = np.repeat(live, nf[live])
    first, inverse = weld(np.column_stack([np.repeat(live, nv[live]), np.round(V / WELD_M).astype(np.int64)]))
    V, F = V[first], inverse[F]
    keep = (F[:, 0] != F[:, 1]) & (F[:, 1] != F[:, 2]) & (F[:, 2] != F[:, 0])
    F, fel = F[keep], fel[keep]
    if not len(F):
        return
    n = len(V)
    _, cid = np.unique(face_components(F, n), return_inverse=True)
    cid = cid.reshape(-1)
    parts = int(cid.max()) + 1
    # closed: every directed edge once, and its reverse present
    a, b = F.T.reshape(-1), F[:, [1, 2, 0]].T.reshape(-1)
    opposite = F[:, [2, 0, 1]].T.reshape(-1)  # the corner of each edge's face not on it
    face = np.tile(np.arange(len(F)), 3)
    directed = a * n + b
    order = np.argsort(directed)
    ranked = directed[order]
    closed = np.ones(parts, dtype=bool)
    closed[np.bincount(cid, minlength=parts) < 4] = False
    closed[cid[face[order[np.flatnonzero(ranked[1:] == ranked[:-1])]]]] = False
    at = np.minimum(np.searchsorted(ranked, b * n + a), len(ranked) - 1)
    matched = ranked[at] == b * n + a
    closed[cid[face[~matched]]] = False
    # outward: by the sign of each part's volume; convex: every edge folds outward
    tri = V[F]
    normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    volume6 = np.bincount(cid, weights=np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])),
                          minlength=parts)
    lo = np.full((parts, 3), np.inf)
    hi = np.full((parts, 3), -np.inf)
    np.minimum.at(lo, cid, tri.min(axis=1))
    np.maximum.at(hi, cid, tri.max(axis=1))
    size = 1.0 + (hi - lo).max(axis=1)
    e = np.flatnonzero(matched)
    across = opposite[order[at[e]]]  # the far corner of the face across each edge
    f = face[e]
    ahead = np.einsum("ij,ij->i", normal[f], V[across] - V[a[e]]) * np.sign(volume6[cid[f]])
    tol = 1e-6 * np.linalg.norm(normal[f], axis=1) * size[cid[f]]
    # ... and is one sphere: two boxes meeting at a corner are convex at every edge, yet no solid is
    # (V - E + F = 2: the pinched corner counts once for two)
    corner_part = np.zeros(n, dtype=np.int64)
    corner_part[F.reshape(-1)] = np.repeat(cid, 3)
    corners = np.bincount(corner_part[np.unique(F)], minlength=parts)
    faces = np.bincount(cid, minlength=parts)
    convex = closed & (np.abs(volume6) / 6.0 > 1e-12) & (corners - faces * 3 // 2 + faces == 2)
    convex[cid[f[ahead > tol]]] = False
    pel = np.zeros(parts, dtype=np.int64)
    pel[cid] = fel
    # convex at every edge is necessary, not enough (a surface through itself, an edge split by a
    # sliver): confirmed by every corner behind every face, as a convex solid's are — for all the
    # parts at once, and by `_convex` (its hull's volume) for a part that is not so confirmed
    sure = _behind_every_face(V, F, cid, normal, size, corners, faces, convex)
    for c, group in _groups(cid):
        used, local = np.unique(F[group], return_inverse=True)
        v, f = V[used], local.reshape(-1, 3)
        yield int(pel[c]), v, f, bool(convex[c]) and (bool(sure[c]) or _convex(v, f))


SMALL_PAIRS = 4096  # faces x corners of a part confirmed convex with the others at once


def _behind_every_face(V, F, cid, normal, size, corners, faces, candidate) -> np.ndarray:
    """For each part (`cid` of each face) among `candidate`: every corner of it behind (or on)
    the plane of every face of it, or every one in front (wound inward), within the tolerance of
    `_convex` — the same test, as one array of face x corner pairs, for the small parts (a box, a
    slab, a post: the many); a large one is tested by itself, where the pairs broadcast faster."""
    sure = np.zeros(len(candidate), dtype=bool)
    todo = np.flatnonzero(candidate & (corners * faces <= SMALL_PAIRS) & (corners >= 4))
    if not len(todo):
        return sure
    pick = np.isin(cid, todo)
    fpart, fidx = cid[pick], np.flatnonzero(pick)
    order = np.argsort(fpart, kind="stable")
    fpart, fidx = fpart[order], fidx[order]  # the candidates' faces, part by part
    pairs = np.unique(np.column_stack([np.repeat(cid[pick], 3), F[pick].reshape(-1)]), axis=0)
    vpart, vidx = pairs[:, 0], pairs[:, 1]  # their corners, part by part
    a = np.bincount(fpart, minlength=len(candidate))[todo]
    b = np.bincount(vpart, minlength=len(candidate))[todo]
    fstart, vstart = np.cumsum(a) - a, np.cumsum(b) - b
    count = a * b
    k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    which = np.repeat(np.arange(len(todo)), count)
    face = fidx[np.repeat(fstart, count) + k // b[which]]
    corner = vidx[np.repeat(vstart, count) + k % b[which]]
    ahead = np.einsum("ij,ij->i", normal[face], V[corner] - V[F[face, 0]])
    tol = 1e-6 * np.linalg.norm(normal[face], axis=1) * size[todo[which]]
    front = np.bincount(which, weights=ahead > tol, minlength=len(todo)) > 0
    back = np.bincount(which, weights=ahead < -tol, minlength=len(todo)) > 0
    sure[todo] = ~front | ~back
    return sure


def _convex(v: np.ndarray, f: np.ndarray) -> bool:
    """Closed (each edge run once each way) and as big as its convex hull."""
    if len(v) < 4 or not _closed(v, f):
        return False
    t = v[f]
    volume = abs(np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2])).sum()) / 6.0
    if volume <= 1e-12:
        return False  # flat: no solid
    if len(f) * len(v) <= 1_000_000:  # no corner in front of any face (or, wound inward, behind): convex
        normal = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
        ahead = np.einsum("fk,fvk->fv", normal, v[None, :, :] - t[:, None, 0, :])
        tol = 1e-6 * np.linalg.norm(normal, axis=1)[:, None] * (1.0 + np.ptp(v, axis=0).max())
        if np.all(ahead <= tol) or np.all(ahead >= -tol):
            return True
    import manifold3d

    hull = manifold3d.Manifold.hull_points(v - v.mean(axis=0)).volume()
    return hull > 0 and volume >= (1.0 - CONVEX_SHARE) * hull


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
    # the caps' direction: the face directions holding the most faces (a curved wall's or a holed
    # wall's caps), then those of the most area (a beam's), six at most
    _, first, group, count = np.unique(np.round(np.abs(nrm), 4), axis=0, return_index=True, return_inverse=True,
                                       return_counts=True)
    weight = np.bincount(group.reshape(-1), weights=area)
    order = list(dict.fromkeys([int(np.argmax(count))] + list(np.argsort(-weight)[:6])))
    for c in nrm[first[order]]:
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


def _closed(v: np.ndarray, f: np.ndarray) -> bool:
    """Each edge run once each way: watertight and consistently wound."""
    edges = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
    forward = edges[:, 0] * len(v) + edges[:, 1]
    backward = edges[:, 1] * len(v) + edges[:, 0]
    return len(np.unique(forward)) == len(forward) and np.array_equal(np.sort(forward), np.sort(backward))


def _sunward(v: np.ndarray, f: np.ndarray, directions) -> np.ndarray:
    """The faces of a closed part that face the sun at one of `directions` or more; every face of
    an open part, or when the directions are not known."""
    if directions is None or not len(directions) or not _closed(v, f):
        return f
    t = v[f]
    normal = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
    if np.einsum("ij,ij->i", t[:, 0], normal).sum() < 0:  # wound inward
        normal = -normal
    return f[(normal @ np.asarray(directions, dtype=float).T).max(axis=1) > 0]


def element_shadows(meshes, plane_z: float, direction: tuple[float, float, float]) -> list[BaseGeometry | None]:
    """Each element's shadow on the plane z = plane_z (None: it casts none there)."""
    geoms, owners = Casters(meshes, plane_z).shadows(direction)
    out: list[BaseGeometry | None] = [None] * len(meshes)
    for i in np.unique(owners):
        out[int(i)] = union(list(geoms[owners == i]))
    return out


NEAR_M = 1.0  # pieces farther than this from the points looked at are left out of a step


class ShadowDay:
    """The shadows of one day on one plane, at every step of the sun's path, and the hours each
    step stands for.

    Each step's shadow is the pieces of `Casters`, never merged: a point's shade is a query of them.
    A day at 1-minute steps is not a query of every point at each of 481 steps: a piece's corners
    move by their height over the plane times the change of the shear, which is known for every
    step in advance. A point lit at a distance d from every piece stays lit until the highest piece
    has moved d; a point at a depth d inside a piece (convex: its moved corners still surround the
    point) stays shaded until that piece has moved d. Each point is looked at again only then, and
    at each step only the pieces near the points looked at are built. The hours are those of testing
    every point at every step (tests/test_sun.py compares them)."""

    def __init__(self, casters: Casters, directions: list[tuple[float, float, float]], hours: tuple[float, ...],
                 weights: tuple[float, ...]):
        self.casters_ = casters
        self.directions = directions
        self.hours = hours
        self.weights = weights
        self._steps: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        up = np.array([d[2] for d in directions])
        self.shear = np.column_stack([[d[0] for d in directions], [d[1] for d in directions]]) / up[:, None] \
            if directions else np.zeros((0, 2))

    def step(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(piece shadows, the element of each) at step k."""
        if k not in self._steps:
            self._steps[k] = self.casters_.shadows(self.directions[k])
        return self._steps[k]

    def _near(self, xy: np.ndarray) -> Casters:
        """The pieces whose shadow comes near one of the points at some step of the day."""
        c = self.casters_
        return c.subset(np.flatnonzero(any_inside(c.swept_boxes(self.shear), xy)))

    def hours_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Shadow hours at each point (x, y). Many points are taken in strips, one a core, on
        threads (shapely works without the interpreter's lock): each strip with the pieces near it."""
        import os
        from concurrent.futures import ThreadPoolExecutor

        xy = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
        workers = min(os.cpu_count() or 1, 8)
        if workers == 1 or len(xy) < 2000:
            return self._hours(xy)
        order = np.argsort(xy[:, 0], kind="stable")
        strips = np.array_split(order, workers)
        total = np.zeros(len(xy))
        with ThreadPoolExecutor(workers) as pool:
            for idx, hours in zip(strips, pool.map(lambda idx: self._hours(xy[idx]), strips)):
                total[idx] = hours
        return total

    def _hours(self, xy: np.ndarray) -> np.ndarray:
        total = np.zeros(len(xy))
        c = self._near(xy)
        n = len(self.directions)
        if not len(c) or not len(xy) or not n:
            return total
        pts = shapely.points(xy)
        top = float(c.lift.max())
        summed = np.r_[0.0, np.cumsum(self.weights)]
        due = np.zeros(len(xy), dtype=np.int64)  # the step each point is looked at next
        for k in range(n):
            now = np.flatnonzero(due == k)
            if not len(now):
                continue
            # the pieces near these points now (a box round each, NEAR_M wider)
            box = c.swept_boxes(self.shear[k:k + 1])
            box[:, :2] -= NEAR_M
            box[:, 2:] += NEAR_M
            near = np.flatnonzero(any_inside(box, xy[now], cells=max(64, 4 * len(now))))
            budget = np.full(len(now), NEAR_M / top if top > 0 else np.inf)  # in shear: metres a metre of height
            if len(near):
                geoms, ok = c.pieces(self.directions[k], near)
                tree = shapely.STRtree(geoms)
                pi, gj = tree.query(pts[now], predicate="intersects")
                pi, gj = pi[ok[gj]], gj[ok[gj]]
                shaded = np.zeros(len(now), dtype=bool)
                shaded[pi] = True
                if len(pi):  # how long each shaded point stays shaded: its depth in its deepest piece
                    depth = shapely.distance(pts[now[pi]], shapely.boundary(geoms)[gj])
                    lift = c.lift[near[gj]]
                    room = np.divide(depth, lift, out=np.full(len(depth), np.inf), where=lift > 0)
                    deepest = np.zeros(len(now))
                    np.maximum.at(deepest, pi, room)
                    budget[shaded] = deepest[shaded]
                lit = np.flatnonzero(~shaded)
                if len(lit) and top > 0:
                    (li, _), dist = tree.query_nearest(pts[now[lit]], max_distance=NEAR_M, return_distance=True,
                                                       all_matches=False)
                    budget[lit[li]] = dist / top
            else:
                shaded = np.zeros(len(now), dtype=bool)
            moved = np.maximum.accumulate(np.hypot(*(self.shear[k + 1:] - self.shear[k]).T)) if k + 1 < n else \
                np.zeros(0)
            nxt = k + 1 + np.searchsorted(moved, budget - 1e-12, side="left")
            due[now] = nxt
            total[now[shaded]] += summed[nxt[shaded]] - summed[k]
        return total

    def casters(self, x: float, y: float) -> list[tuple[int, float]]:
        """(element index, hours its own shadow covers the point), most first: every step, tested
        against the pieces whose shadow comes near the point at all."""
        c = self._near(np.array([[x, y]], dtype=float))
        point = shapely.Point(x, y)
        hours: dict[int, float] = {}
        for k, w in enumerate(self.weights):
            if not len(c):
                break
            geoms, ok = c.pieces(self.directions[k])
            hit = ok & shapely.intersects(geoms, point)
            for i in np.unique(c.owner[hit]):
                hours[int(i)] = hours.get(int(i), 0.0) + w
        return sorted(hours.items(), key=lambda kv: -kv[1])

    @property
    def reach(self) -> BaseGeometry:
        """A region holding every shadow of the day: the union of each step's convex hull of the
        pieces (the shadow of the casters' hull)."""
        corners = self.casters_.hull_points()
        if not len(corners) or not self.directions:
            return shapely.Polygon()
        lift = corners[:, 2] - self.casters_.plane_z
        xy = corners[None, :, :2] - lift[None, :, None] * self.shear[:, None, :]
        hulls = shapely.convex_hull(shapely.multipoints(xy.reshape(-1, 2),
                                                        indices=np.repeat(np.arange(len(xy)), len(corners))))
        hulls = hulls[shapely.get_type_id(hulls) == 3]
        return union(list(shapely.buffer(hulls, 0.001, join_style="mitre"))) if len(hulls) else shapely.Polygon()


def any_inside(boxes: np.ndarray, xy: np.ndarray, cells: int = 1 << 20) -> np.ndarray:
    """Whether each box (xmin, ymin, xmax, ymax) may hold one of the points: a count of the points
    on a grid of about `cells` cells, summed, read at each box's cells (those it touches in part
    too, so never a false no)."""
    if not len(xy) or not len(boxes):
        return np.zeros(len(boxes), dtype=bool)
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    size = max(math.sqrt(max((x1 - x0) * (y1 - y0), 1e-12) / cells), (max(x1 - x0, y1 - y0) + 1e-9) / 4096, 1e-6)
    nx, ny = int((x1 - x0) / size) + 1, int((y1 - y0) / size) + 1
    count = np.zeros((ny + 1, nx + 1), dtype=np.int64)
    np.add.at(count, (((xy[:, 1] - y0) / size).astype(np.int64) + 1, ((xy[:, 0] - x0) / size).astype(np.int64) + 1),
              1)
    table = count.cumsum(axis=0).cumsum(axis=1)
    with np.errstate(invalid="ignore"):
        ix0 = np.clip(np.floor((boxes[:, 0] - x0) / size), 0, nx).astype(np.int64)
        iy0 = np.clip(np.floor((boxes[:, 1] - y0) / size), 0, ny).astype(np.int64)
        ix1 = np.clip(np.floor((boxes[:, 2] - x0) / size), -1, nx - 1).astype(np.int64) + 1
        iy1 = np.clip(np.floor((boxes[:, 3] - y0) / size), -1, ny - 1).astype(np.int64) + 1
    ok = (ix1 > ix0) & (iy1 > iy0)
    inside = table[iy1, ix1] - table[iy0, ix1] - table[iy1, ix0] + table[iy0, ix0]
    return ok & (inside > 0)


def shadow_day(meshes, plane_z: float, path: list[SunPosition], weights: list[float],
               true_north: tuple[float, float]) -> ShadowDay:
    directions = [model_direction(sun, true_north) for sun in path]
    return ShadowDay(Casters(meshes, plane_z, directions), directions, tuple(p.hour for p in path), tuple(weights))


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
