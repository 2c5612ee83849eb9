"""Horizontal projection of triangle meshes: the plan shape of elements.

A solid's plan projection is the union of its non-vertical faces' projections, so vertical faces
(walls' sides: most triangles of a building) are dropped before any polygon is built. Faces are
clipped at a level first when only what stands above it counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

# Below this |n_z| (unit normal) a face is vertical and projects to a line.
_VERTICAL = 1e-6
# Triangles smaller than this in plan add nothing measurable and slow the union (m²).
_MIN_AREA = 1e-8
# Snap to 0.1 mm: makes the union robust to exporters' near-coincident edges.
GRID = 1e-4


def _plan_triangles(tri: np.ndarray) -> np.ndarray:
    """Keep the triangles (k, 3, 3) whose plan projection has area."""
    if len(tri) == 0:
        return tri
    a = tri[:, 1, :2] - tri[:, 0, :2]
    b = tri[:, 2, :2] - tri[:, 0, :2]
    area2 = np.abs(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0])
    return tri[area2 > 2 * _MIN_AREA]


def clip_above(tri: np.ndarray, z: float) -> list[np.ndarray]:
    """Parts of triangles (k, 3, 3) at or above level z, as arrays of triangles and quads."""
    return clip_halfspace(tri, np.array([0.0, 0.0, 1.0]), z)


def clip_halfspace(tri: np.ndarray, normal: np.ndarray, offset: float) -> list[np.ndarray]:
    """Parts of triangles (k, 3, 3) where ``normal . x > offset``, as arrays of triangles."""
    return clip_indexed(tri, normal, offset)[0]


def clip_indexed(tri: np.ndarray, normal: np.ndarray, offset: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """`clip_halfspace`, and for each array of parts the index of the triangle each part came from."""
    if len(tri) == 0:
        return [], []
    s = tri @ np.asarray(normal, dtype=float) - offset
    above = s > 0
    n_above = above.sum(axis=1)
    parts = [tri[n_above == 3]]
    source = [np.flatnonzero(n_above == 3)]
    for count in (1, 2):
        pick = n_above == count
        sel = tri[pick]
        if len(sel) == 0:
            continue
        flags, sv = above[pick], s[pick]
        # Roll each triangle so that vertex 0 is the odd one out (the lone vertex above or below).
        odd = np.argmax(flags if count == 1 else ~flags, axis=1)
        idx = (odd[:, None] + np.arange(3)[None, :]) % 3
        r = np.take_along_axis(sel, idx[:, :, None], axis=1)
        rs = np.take_along_axis(sv, idx, axis=1)
        p0, p1, p2 = r[:, 0], r[:, 1], r[:, 2]

        def cut(p, q, sp, sq):
            t = (sp / (sp - sq))[:, None]
            return p + t * (q - p)

        c1, c2 = cut(p0, p1, rs[:, 0], rs[:, 1]), cut(p0, p2, rs[:, 0], rs[:, 2])
        if count == 1:  # only p0 above: a triangle
            parts.append(np.stack([p0, c1, c2], axis=1))
            source.append(np.flatnonzero(pick))
        else:  # p0 below: the quad c1, p1, p2, c2 as two triangles
            parts.append(np.stack([c1, p1, p2], axis=1))
            parts.append(np.stack([c1, p2, c2], axis=1))
            source += [np.flatnonzero(pick)] * 2
    keep = [i for i, p in enumerate(parts) if len(p)]
    return [parts[i] for i in keep], [source[i] for i in keep]


def triangles_of(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    return vertices[faces]


def plan_polygons(tri: np.ndarray) -> np.ndarray:
    """Shapely polygons (vectorised) of the plan projection of each non-vertical triangle."""
    tri = _plan_triangles(tri)
    if len(tri) == 0:
        return np.empty(0, dtype=object)
    xy = tri[:, :, :2].copy()
    a, b = xy[:, 1] - xy[:, 0], xy[:, 2] - xy[:, 0]
    cw = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0] < 0
    xy[cw] = xy[cw][:, ::-1]  # counter-clockwise rings, as GEOS expects of shells
    ring = np.concatenate([xy, xy[:, :1]], axis=1)  # (k, 4, 2) closed rings
    return shapely.polygons(ring)


def merge_triangles(polys: np.ndarray) -> BaseGeometry:
    """Union of one element's plan triangles.

    ``buffer(0)`` of the MultiPolygon dissolves overlapping triangles three times faster than
    ``union_all`` (Tekla carwash: 2.1 s against 6.2 s, same area to 0.001 m²) and releases the
    GIL, so elements can be merged on threads.
    """
    return shapely.buffer(shapely.multipolygons(polys), 0)


def face_components(faces: np.ndarray, n_vertices: int) -> np.ndarray:
    """A label per face: faces sharing a vertex (through others) share it. Label propagation with
    pointer jumping, so a component's diameter costs its logarithm in passes."""
    label = np.arange(n_vertices)
    if len(faces) == 0:
        return np.zeros(0, dtype=np.int64)
    while True:
        low = np.minimum(np.minimum(label[faces[:, 0]], label[faces[:, 1]]), label[faces[:, 2]])
        new = label.copy()
        for k in range(3):
            np.minimum.at(new, faces[:, k], low)
        new = new[new]
        if np.array_equal(new, label):
            return label[faces[:, 0]]
        label = new


CONVEX_SHARE = 0.002  # a projection whose faces fill its hull to this share is the hull
EXACT_SHARE = 1e-9  # ... to this share: the hull, but for rounding (what was merged exactly stays exact)


def element_plan(vertices: np.ndarray, faces: np.ndarray) -> BaseGeometry | None:
    """An element's whole plan (`element_plans` of one)."""
    return element_plans([(vertices, faces)])[0]


def element_plans(meshes, above: float | None = None, axis: int = 2) -> list[BaseGeometry | None]:
    """The plan of each of many elements, given as (vertices, faces): of all of it, or of what
    stands above the level `above` on coordinate `axis` (z; the height in a section's coordinates).

    An element is taken by its parts (vertex-connected components). A closed part (every edge run
    once each way: watertight and consistently wound) is turned outward, and its faces turned up
    cover its plan — cut at a level too, the cut's cap facing down or, in a section, edge-on; when
    they fill the convex hull of the part to 0.2 % the part is that hull (a box, a tube, a
    baluster: no merging), else those faces are merged. The faces of open parts are all merged.
    Welding, the closed test, orientation, parts and hulls are whole-array operations over every
    element at once, so 2,000 small beams cost a few array passes, not 2,000 rounds of Python.
    """
    out: list[BaseGeometry | None] = [None] * len(meshes)
    t = _parts(meshes, _level(above, axis))
    if t is None:
        return out
    parts: dict[int, list] = {}
    for c in np.flatnonzero(t.is_hull & t.shown):
        parts.setdefault(int(t.cel[c]), []).append(t.hulls[c])
    for i, merged in _merged(t, t.rest):
        parts.setdefault(i, []).append(merged)
    for i, geoms in parts.items():
        merged = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
        out[i] = None if merged.is_empty else merged
    return out


def outline_above(meshes, level: float, axis: int = 2) -> list[BaseGeometry]:
    """Polygons whose union is the union of `plans_above(meshes, level, axis)`, for when only that
    union counts (a section's silhouette; `outline`)."""
    whole, cut = _split_at(meshes, level, axis)
    return outline([_parts([meshes[i] for i in whole]), _parts([meshes[i] for i in cut], _level(level, axis))])


def outline_over(whole, cut, level: float, plans=()) -> list[BaseGeometry]:
    """Polygons whose union is the plan above a level of the meshes `whole` (wholly above it) and
    `cut` (across it), with the plans `plans` (known already) beside them (`outline`)."""
    return outline([_parts(whole), _parts(cut, _level(level, 2))], plans)


def outline_inside(meshes, halfspaces) -> list[BaseGeometry]:
    """Polygons whose union is the plan of what of the meshes lies where every half-space
    {x : n . x > c} holds (`outline`). A closed part cut by them is taken by its faces turned up, so
    every half-space must keep the side above it or beside it (n_z >= 0: the cut's cap faces down or
    is edge-on); raises ValueError otherwise. A part is its hull only when its faces fill it exactly
    (EXACT_SHARE), as the triangles merged would give: a notch is kept, and faces overlapping in plan
    (a Z-shaped bracket, whose flanges' tops sum to nearly its hull) are merged."""
    if any(float(n[2]) < 0 for n, _ in halfspaces):
        raise ValueError("a half-space keeping what is below it leaves a cap facing up")
    return outline([_parts(meshes, tuple(halfspaces), share=EXACT_SHARE)])


def outline(tables: list, plans=()) -> list[BaseGeometry]:
    """The polygons of parts tables (`_parts`) whose union is the union of their plans (and of
    `plans`, known already): a part that is no hull is merged only when its hull is not inside the
    union of the parts that are and the plans, and of those merged only the triangles outside it (a
    bolt, a plate or an I-beam behind a column or the cladding adds nothing to an outline)."""
    tables = [t for t in tables if t is not None]
    covering = [t.hulls[np.flatnonzero(t.is_hull & t.shown)] for t in tables] + [np.asarray(list(plans), dtype=object)]
    cover = np.concatenate(covering)
    # In floating point, then snapped (a third of the time of snap-rounding the union).
    cover = polygonal(shapely.set_precision(shapely.union_all(cover), GRID)) if len(cover) else shapely.Polygon()
    if not cover.is_empty:
        shapely.prepare(cover)
    out = [] if cover.is_empty else [cover]
    for t in tables:
        rest = t.rest
        if len(rest) and not cover.is_empty:
            candidates = np.unique(t.cid[rest])
            hulls = t.hulls[candidates]
            known = np.asarray([h is not None for h in hulls], dtype=bool)
            hidden = candidates[known][shapely.covers(cover, hulls[known])]
            rest = rest[~np.isin(t.cid[rest], hidden)]
            rest = rest[~_hidden(t.tri[rest], cover)]
        out += [m for _, m in _merged(t, rest) if not m.is_empty]
    return out


def _hidden(tri: np.ndarray, cover: BaseGeometry) -> np.ndarray:
    """Which triangles' plans lie inside `cover` (prepared): those with a corner outside are not;
    the others are tested whole."""
    xy = tri[:, :, :2]
    inside = shapely.contains_xy(cover, xy[..., 0].reshape(-1), xy[..., 1].reshape(-1)).reshape(-1, 3).all(axis=1)
    out = np.zeros(len(tri), dtype=bool)
    pick = np.flatnonzero(inside)
    if len(pick):
        ring = np.concatenate([xy[pick], xy[pick, :1]], axis=1)
        out[pick] = shapely.covers(cover, shapely.polygons(ring))
    return out


def _level(level: float | None, axis: int) -> tuple:
    """The half-space above a level on one coordinate (none for no level)."""
    if level is None:
        return ()
    normal = [0.0, 0.0, 0.0]
    normal[axis] = 1.0
    return ((tuple(normal), float(level)),)


@dataclass(frozen=True)
class _Parts:
    """Every element's parts at once (`element_plans`): their faces' plan triangles, which are their
    hulls, and which faces are still to be merged."""

    tri: np.ndarray  # (k, 3, 3) faces, turned outward where closed, cut to the half-spaces
    cid: np.ndarray  # each face's part
    fel: np.ndarray  # each face's element
    cel: np.ndarray  # each part's element
    front: np.ndarray  # each face turned up (its plan counter-clockwise)
    hulls: np.ndarray  # each part's convex hull in plan (None where cut away)
    is_hull: np.ndarray  # each part is its hull
    shown: np.ndarray  # each part has a face turned up
    rest: np.ndarray  # the faces to merge: of open parts, and those turned up of parts no hull


def _parts(meshes, halfspaces: tuple = (), share: float = CONVEX_SHARE) -> "_Parts | None":
    """`element_plans`'s table of every part of the meshes, cut to the half-spaces {x : n . x > c};
    a part whose faces turned up fill its hull to `share` is that hull."""
    from permitcheck.facts.mesh import WELD_M

    nv = np.array([len(v) for v, _ in meshes], dtype=np.int64)
    nf = np.array([len(f) for _, f in meshes], dtype=np.int64)
    live = np.flatnonzero((nv > 0) & (nf > 0))
    if len(live) == 0:
        return None
    vo = np.concatenate([[0], np.cumsum(nv[live])[:-1]])
    V = np.concatenate([np.asarray(meshes[i][0], dtype=np.float64).reshape(-1, 3) for i in live])
    F = np.concatenate([np.asarray(meshes[i][1], dtype=np.int64).reshape(-1, 3) + o for i, o in zip(live, vo)])
    fel = np.repeat(live, nf[live])  # each face's element
    # Weld each element's vertices (never two elements' together).
    first, inverse = weld(np.column_stack([np.repeat(live, nv[live]), np.round(V / WELD_M).astype(np.int64)]))
    V, F = V[first], inverse[F]
    keep = (F[:, 0] != F[:, 1]) & (F[:, 1] != F[:, 2]) & (F[:, 2] != F[:, 0])
    F, fel = F[keep], fel[keep]
    if len(F) == 0:
        return None
    n = len(V)
    comps, cid = np.unique(face_components(F, n), return_inverse=True)  # each face's part
    cel = np.zeros(len(comps), dtype=np.int64)
    cel[cid] = fel
    # Closed: at least 4 faces, every directed edge once, and its reverse present.
    open_ = np.bincount(cid, minlength=len(comps)) < 4
    a = np.concatenate([F[:, 0], F[:, 1], F[:, 2]])
    b = np.concatenate([F[:, 1], F[:, 2], F[:, 0]])
    ecid = np.concatenate([cid, cid, cid])
    directed = a * n + b
    order = np.argsort(directed)
    ranked = directed[order]
    open_[ecid[order[np.flatnonzero(ranked[1:] == ranked[:-1])]]] = True
    reverse = b * n + a
    at = np.minimum(np.searchsorted(ranked, reverse), len(ranked) - 1)
    open_[ecid[ranked[at] != reverse]] = True
    # Outward: a closed part whose signed volume is negative is turned over.
    tri = V[F]
    vol = np.bincount(cid, weights=np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])),
                      minlength=len(comps))
    flip = ((vol < 0) & ~open_)[cid]
    tri[flip] = tri[flip][:, ::-1]
    if halfspaces:  # what stands inside them (above a level), each piece with its part and element
        src = np.arange(len(tri))
        for normal, offset in halfspaces:
            pieces, source = clip_indexed(tri, np.asarray(normal, dtype=float), float(offset))
            if not pieces:
                return None
            tri, src = np.concatenate(pieces), src[np.concatenate(source)]
        cid, fel = cid[src], fel[src]
    a2, b2 = tri[:, 1, :2] - tri[:, 0, :2], tri[:, 2, :2] - tri[:, 0, :2]
    cross = a2[:, 0] * b2[:, 1] - a2[:, 1] * b2[:, 0]
    front = cross > 0
    filled = np.bincount(cid, weights=np.where(front, cross, 0.0), minlength=len(comps)) / 2.0
    # Each part's hull: from its vertices, each once; cut, from its pieces' corners.
    if not halfspaces:
        used, at = np.unique(F.reshape(-1), return_index=True)
        points, vcid = V[used, :2], cid[at // 3]
    else:
        points, vcid = tri[:, :, :2].reshape(-1, 2), np.repeat(cid, 3)
    order = np.argsort(vcid, kind="stable")
    hulls = np.full(len(comps), None, dtype=object)
    present = np.unique(vcid)
    hulls[present] = convex_hulls(points[order], np.searchsorted(present, vcid[order]))
    area = np.zeros(len(comps))
    area[present] = shapely.area(hulls[present])
    is_hull = ~open_ & (shapely.get_type_id(hulls) == 3) & (np.abs(filled - area) <= share * area + 1e-9)
    is_hull[np.setdiff1d(np.arange(len(comps)), present)] = False  # cut away whole
    # Within `share` but not exactly: faces turned up that overlap in plan (a bracket's flanges) may
    # make up for a notch; those few parts are merged, and their plan says whether they are the hull.
    loose = np.flatnonzero(is_hull & (np.abs(filled - area) > 1e-9 * area + 1e-12))
    if len(loose):
        pick = np.flatnonzero(np.isin(cid, loose) & front)
        groups = [(c, tri[pick[g]]) for c, g in _groups(cid[pick])]
        plans = parallel_map(lambda cg: merge_triangles(plan_polygons(cg[1])), groups)
        for (c, _), plan in zip(groups, plans):
            if abs(plan.area - area[c]) > share * area[c] + 1e-9:
                is_hull[c] = False
    # The rest, merged per element: the faces turned up of its closed parts that are no hull, and
    # every face of its open parts.
    rest = np.flatnonzero(open_[cid] | (~is_hull[cid] & front))
    shown = np.bincount(cid, weights=front, minlength=len(comps)) > 0
    return _Parts(tri=tri, cid=cid, fel=fel, cel=cel, front=front, hulls=hulls, is_hull=is_hull, shown=shown,
                  rest=rest)


def _merged(t: _Parts, rest: np.ndarray) -> list[tuple[int, BaseGeometry]]:
    """(element, merged plan) of the faces `rest`, element by element — those turned up apart from
    those turned down, since a surface's two sides coincide in plan and GEOS merges coincident edges
    slowly (a spiral stair's open handrail: 0.18 s at once, 0.07 s in two)."""
    merges = [(i // 2, plan_polygons(t.tri[rest[group]])) for i, group in _groups(t.fel[rest] * 2 + t.front[rest])]
    merges = [(i, polys) for i, polys in merges if len(polys)]
    return [(i, merged) for (i, _), merged in zip(merges, parallel_map(lambda m: merge_triangles(m[1]), merges))]


def convex_hulls(points: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The convex hull of each group of plan points (`indices`: each point's group, 0.., sorted; three
    points a group at least): as the hull of a line through them, which builds no point objects
    (half the time of a multipoint's)."""
    return shapely.convex_hull(shapely.linestrings(points, indices=indices))


def _row_hash(keys: np.ndarray) -> np.ndarray:
    h = np.zeros(len(keys), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(keys.shape[1]):
            h = (h ^ keys[:, k].astype(np.uint64)) * np.uint64(0x100000001B3)
            h ^= h >> np.uint64(29)
    return h


def weld(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse) of the distinct rows of an integer array, as ``np.unique(axis=0)`` gives
    them: by a 64-bit hash of each row (a hashed 1-D unique is ten times a row sort), checked row
    by row, and by the row sort when two rows share a hash."""
    _, first, inverse = np.unique(_row_hash(keys), return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if np.array_equal(keys[first][inverse], keys):
        return first, inverse
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def _split_at(meshes, level: float, axis: int) -> tuple[list[int], list[int]]:
    """Indices of the meshes wholly at or above the level, and of the others."""
    low = [float(np.asarray(v)[:, axis].min()) if len(v) else level for v, _ in meshes]
    return [i for i, z in enumerate(low) if z >= level], [i for i, z in enumerate(low) if z < level]


def plans_above(meshes, level: float, axis: int = 2) -> list[BaseGeometry | None]:
    """`element_plans(meshes, above=level, axis)` in the meshes' order, those wholly above the level
    taken whole (their hulls from each vertex once, no clipping)."""
    whole, cut = _split_at(meshes, level, axis)
    out: list[BaseGeometry | None] = [None] * len(meshes)
    for idx, plans in ((whole, element_plans([meshes[i] for i in whole])),
                       (cut, element_plans([meshes[i] for i in cut], above=level, axis=axis))):
        for i, p in zip(idx, plans):
            out[i] = p
    return out


def _groups(keys: np.ndarray):
    """(key, indices) for each distinct key, indices in their original order: one sort, no scans."""
    order = np.argsort(keys, kind="stable")
    cuts = np.flatnonzero(np.diff(keys[order])) + 1
    for group in np.split(order, cuts) if len(order) else ():
        yield int(keys[group[0]]), group


def union(polys, grid_size: float = GRID) -> BaseGeometry:
    """Union of polygons, snapped to `grid_size`, reduced to polygonal parts."""
    polys = np.asarray(polys, dtype=object)
    if len(polys) == 0:
        return shapely.Polygon()
    merged = shapely.union_all(polys, grid_size=grid_size)
    # Drop the collinear vertices triangle edges leave along straight walls.
    return polygonal(shapely.simplify(merged, grid_size / 10))


HAIRLINE_M = 1e-3  # a hole narrower than this on average is a sliver between elements, not a court


def hairline(ring) -> bool:
    """A hole that is a hairline: twice its area over its length (its mean width) under HAIRLINE_M.
    An overlay leaves such slivers where two elements' edges meet within a grid cell of each other
    (a slanted roof edge under a slab: 0.07 mm x 1.8 m), snapped or not; a courtyard or a shaft is
    wider by orders of magnitude."""
    length = ring.length
    return length == 0 or 2.0 * shapely.area(shapely.polygons(ring)) / length < HAIRLINE_M


def without_hairlines(geom: BaseGeometry) -> BaseGeometry:
    """The polygons with their hairline holes (`hairline`) filled."""
    out, changed = [], False
    for p in shapely.get_parts(geom):
        holes = list(p.interiors) if p.geom_type == "Polygon" else []
        kept = [r for r in holes if not hairline(r)]
        changed |= len(kept) < len(holes)
        out.append(shapely.Polygon(p.exterior, kept) if len(kept) < len(holes) else p)
    if not changed:
        return geom
    return out[0] if len(out) == 1 else shapely.MultiPolygon(out)


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Drop stray points and lines a union can leave; keep a Polygon or MultiPolygon."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


def parallel_map(fn, items: list) -> list:
    """Map on threads: the shapely work inside releases the GIL (2 cores: 1.5x on Tekla)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    workers = min(os.cpu_count() or 1, 8)
    if workers == 1 or len(items) < 64:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))
