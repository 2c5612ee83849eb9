"""min_setback: every part of the building keeps a distance from the parcel boundaries of a kind.

The distance may be fixed, grow with the height of the part, or follow bands by height:

    distance: 3 m                                    # fixed
    distance: {ratio: 0.4, min: 3 m}                 # >= max(3 m, 0.4 x h)   (MBO § 6 Abstandsfläche)
    distance:                                        # Korean north daylight rule (건축법 시행령 86①)
      bands:
        - {up_to: 10 m, distance: 1.5 m}             # parts up to 10 m: 1.5 m
        - {above: 10 m, ratio: 0.5}                  # parts above 10 m: half their height

``from`` selects parcel edges by label: front, rear, side, road, north (see permitcheck.site),
a name given by a boundary feature, or any. ``h`` is the height of the part above ground level.

Method: the building's triangles (every element at once) are clipped to each height band, and
every vertex is measured to the nearest selected edge (a tree of the edges: n log m; a vertex
outside the lot is signed against each edge, negative past it). Where the distance grows with h
the worst vertex decides — exact for planar faces within the edge's perpendicular strip, where
the requirement is an inclined plane. Where it is fixed, the distance from each edge to the
nearest triangle's plan is exact (a tree of the triangles), unless a vertex is already past the
edge. Measured is the distance at the worst point, limit the distance required there. The part
drawn is each failing element's plan within the strip it breaks.
Parts below ground level are not subject to setbacks. When the model is placed from IfcSite
latitude/longitude the tolerance grows by 5 m: a margin inside it is REVIEW.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import shapely
import shapely.ops

from permitcheck.checks.context import CheckContext, FactMissing
from permitcheck.checks.streets import fronting, not_fronting
from permitcheck.geojson import geojson as _geojson
from permitcheck.checks.regions import clip
from permitcheck.facts.projection import union
from permitcheck.results import Measurement, Status, judge
from permitcheck.rulebook.schema import Bands, DistanceRange, LinearDistance, MinSetback

UNIT = "m"  # what a finding of this kind measures in

INF = math.inf
FEW_EDGES = 32  # up to this many edges, each is measured in turn over all points; beyond, a tree


def pieces(distance) -> list[tuple[float, float, float, float]]:
    """(h_lo, h_hi, a, b): in heights [h_lo, h_hi) the required distance is a*h + b (a range: its
    lowest figure, what the law asks at least; the rule's own finding judges the range)."""
    if isinstance(distance, DistanceRange):
        return [(0.0, INF, 0.0, distance.at_least)]
    if isinstance(distance, (int, float)):
        return [(0.0, INF, 0.0, float(distance))]
    if isinstance(distance, LinearDistance):
        if distance.ratio == 0:
            return [(0.0, INF, 0.0, max(distance.min, distance.plus))]
        h_star = max(0.0, (distance.min - distance.plus) / distance.ratio)
        out = [(0.0, h_star, 0.0, distance.min)] if h_star > 0 else []
        return out + [(h_star, INF, distance.ratio, distance.plus)]
    assert isinstance(distance, Bands)
    out = []
    for band in distance.bands:
        lo, hi = (0.0, band.up_to) if band.up_to is not None else (band.above, INF)
        if band.distance is not None:
            out.append((lo, hi, 0.0, band.distance))
        else:
            out.append((lo, hi, band.ratio, band.plus))
    return out


def signed_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray, outward: np.ndarray) -> np.ndarray:
    """Plan distance of points to the edge a-b; negative for points beyond it (outside the parcel)."""
    d = b - a
    t_raw = ((p - a) @ d) / (d @ d)
    t = np.clip(t_raw, 0.0, 1.0)
    dist = np.hypot(*(p - (a + t[:, None] * d)).T)
    beyond = ((p - a) @ outward > 0) & (t_raw > 0) & (t_raw < 1)
    return np.where(beyond, -dist, dist)


def edge_distances(xy: np.ndarray, edges, parcel) -> tuple[np.ndarray, np.ndarray]:
    """(distance, edge position) of plan points to the nearest of `edges`: negative for a point
    beyond an edge (outside the parcel, in the edge's strip, on its outer side).

    The nearest edge of a few (a lot's sides, its north edges) is found edge by edge in arrays (n m,
    no point objects: a million vertices cost 0.5 s as shapely points); of many (a parcel of
    thousands of vertices), from a tree of the edges (n log m). Only the points outside the parcel
    are tested against each edge for the sign."""
    dist = np.full(len(xy), np.inf)
    which = np.zeros(len(xy), dtype=np.int64)
    if len(xy) == 0:
        return dist, which
    if len(edges) <= FEW_EDGES:
        for k, e in enumerate(edges):
            (ax, ay), (bx, by) = e.line.coords
            d = np.abs(signed_distance(xy, np.array([ax, ay]), np.array([bx, by]), np.zeros(2)))
            nearer = d < dist
            dist[nearer], which[nearer] = d[nearer], k
    else:
        tree = shapely.STRtree(np.array([e.line for e in edges], dtype=object))
        idx, d = tree.query_nearest(shapely.points(xy), return_distance=True, all_matches=False)
        dist[idx[0]], which[idx[0]] = d, idx[1]
    outside = np.flatnonzero(~shapely.intersects_xy(parcel, xy[:, 0], xy[:, 1]))
    if len(outside):
        for k, e in enumerate(edges):  # few points: those a building puts past its lot
            (ax, ay), (bx, by) = e.line.coords
            sd = signed_distance(xy[outside], np.array([ax, ay]), np.array([bx, by]), np.asarray(e.outward))
            better = sd < dist[outside]
            dist[outside[better]], which[outside[better]] = sd[better], k
    return dist, which


def may_come_within(tri: np.ndarray, corner_distance: np.ndarray, b: float) -> np.ndarray:
    """Which triangles (k, 3, >=2) may come nearer the edges than their nearest corner does, or
    within `b`: a triangle is no nearer than its nearest corner less its longest side (`corner_distance`:
    each corner's, row by row)."""
    xy = tri[:, :, :2]
    side = np.hypot(*(xy - np.roll(xy, 1, axis=1)).transpose(2, 0, 1)).max(axis=1)
    return corner_distance.reshape(-1, 3).min(axis=1) - side <= max(float(corner_distance.min()), b) + 1e-9


def check(rule: MinSetback, ctx: CheckContext) -> Measurement:
    if isinstance(rule.distance, DistanceRange):
        return _range(rule, ctx)
    labelled = ctx.site.edges_labelled(rule.from_)
    try:
        edges = fronting(ctx.site, labelled, rule.street)
    except FactMissing as e:
        return Measurement(Status.UNKNOWN, e.reason, unit="m", details={"from": rule.from_, **e.details})
    if not edges:
        return not_fronting(rule.from_, rule.street, bool(labelled))
    ground = ctx.facts.ground_elevation_m
    worst = None  # (slack, measured, required, height, edge position, point)
    failing: dict[int, float] = {}  # element index -> the largest requirement it breaks
    top = ctx.facts.height_m or 0.0
    soup, gids = ctx.triangles
    tol = ctx.plan_tolerance_m
    lines = np.array([e.line for e in edges], dtype=object)
    for h_lo, h_hi, a, b in pieces(rule.distance):
        if h_lo >= top:
            continue
        cut = [((0.0, 0.0, 1.0), ground + h_lo)] + ([] if h_hi == INF else [((0.0, 0.0, -1.0), -(ground + h_hi))])
        tri = clip(soup, cut)
        if len(tri) == 0:
            continue
        pts = tri.reshape(-1, 4)
        dist_v, at_v = edge_distances(pts[:, :2], edges, ctx.site.parcel)
        h_v = pts[:, 2] - ground
        req_v = a * h_v + b
        slack_v = dist_v - req_v
        k = int(np.argmin(slack_v))
        cand = (float(slack_v[k]), float(dist_v[k]), float(req_v[k]), float(h_v[k]) if a else min(h_hi, top),
                int(at_v[k]), pts[k, :2])
        bad = slack_v < -tol
        if bad.any():
            need = np.full(len(gids), -INF)
            np.maximum.at(need, pts[bad, 3].astype(int), req_v[bad])
            for i in np.flatnonzero(np.isfinite(need)):
                failing[int(i)] = max(failing.get(int(i), 0.0), float(need[i]))
        if a == 0 and float(dist_v.min()) >= 0:
            # a fixed distance is measured exactly: from each edge to the nearest triangle's plan
            # (a part of a face may come nearer than its corners), unless a corner is past the edge;
            # of the triangles that may come that near
            tri = tri[may_come_within(tri, dist_v, b)]
            polys = shapely.polygons(tri[:, :, :2])
            tree = shapely.STRtree(polys)
            (ei, ti), d = tree.query_nearest(lines, return_distance=True, all_matches=False)
            j = int(np.argmin(d))
            if d[j] - b < cand[0]:
                near, _ = shapely.ops.nearest_points(polys[ti[j]], lines[ei[j]])
                cand = (float(d[j]) - b, float(d[j]), b, min(h_hi, top), int(ei[j]), np.array(near.coords[0]))
            if b - tol > 0:
                for i in np.unique(tri[tree.query(lines, predicate="dwithin", distance=b - tol)[1], 0, 3].astype(int)):
                    failing[int(i)] = max(failing.get(int(i), 0.0), b)
        if worst is None or cand[0] < worst[0]:
            worst = cand
    if worst is None:
        return Measurement(Status.NOT_APPLICABLE, "no_part_in_band", unit="m", details={"from": rule.from_})
    slack, dist, req, h_at, at, p_at = worst
    edge = edges[at].index
    status = judge(slack, tol)
    reason = {Status.PASS: "clear_of_setback", Status.FAIL: "inside_setback", Status.REVIEW: "within_tolerance"}[status]
    where = []
    for i, need in failing.items():  # each failing element's plan inside the strip it breaks
        plan = ctx.facts.element_plans.get(gids[i])
        if plan is not None and not plan.is_empty:
            where.append(plan.intersection(union([e.line.buffer(need) for e in edges])).intersection(ctx.site.parcel))
    geometry = union([w for w in where if not w.is_empty]) if where else None
    worst_edge = edges[at]
    zone = union([e.line.buffer(max(req, 0.0)) for e in edges]).intersection(ctx.site.parcel)
    sil = ctx.silhouette(worst_edge)
    return Measurement(
        status, reason, round(dist, 4), round(req, 4), "m", round(slack, 4),
        where=None if geometry is None or geometry.is_empty else geometry,
        global_ids=tuple(sorted(gids[i] for i in failing)),
        details={"from": rule.from_, "edge": edge, "height_of_worst_part_m": round(h_at, 3),
                 "edges": [e.index for e in edges],
                 "pieces": [[lo, None if hi == INF else hi, a, b] for lo, hi, a, b in pieces(rule.distance)],
                 "zone_model": _geojson(zone),
                 "worst_point_model": [round(float(p_at[0]), 4), round(float(p_at[1]), 4)],
                 "edge_point_model": [round(float(c), 4) for c in
                                      shapely.ops.nearest_points(worst_edge.line, shapely.Point(p_at))[0].coords[0]],
                 **({"section": {"edge": edge, "silhouette": _geojson(sil)}} if sil is not None else {})},
    )


def _range(rule: MinSetback, ctx: CheckContext) -> Measurement:
    """Judged against both ends: short of the lowest figure FAILs, clear of the highest PASSes."""
    r = rule.distance
    low = check(rule.model_copy(update={"distance": r.at_least}), ctx)
    high = check(rule.model_copy(update={"distance": r.at_most}), ctx)
    extra = {"limit_range": [r.at_least, r.at_most],
             "limit_from": f"a figure a local ordinance sets between {r.at_least:g} and {r.at_most:g} m",
             "context": {"ordinance figure": {"value": None, "basis": "not in this rulebook: a rulebook that extends "
                                              "it writes the ordinance's figure as the distance"}}}
    if low.status in (Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN, Status.ERROR):
        return dataclasses.replace(low, details={**low.details, **extra})
    if high.status == Status.PASS:
        return dataclasses.replace(high, details={**high.details, **extra})
    return dataclasses.replace(low, status=Status.UNKNOWN, reason="limit_unknown", limit=None,
                               details={**low.details, **extra})

