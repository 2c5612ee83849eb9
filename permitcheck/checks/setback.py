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

Method: the building's triangles are clipped to each height band; in a band with a fixed
distance the plan of the band's part is measured against the edge exactly (shapely distance);
in a band whose distance grows with h, every vertex of the clipped triangles is tested —
exact for planar faces within the edge's perpendicular strip, where the requirement is an
inclined plane. Measured is the distance at the worst point, limit the distance required there.
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
from permitcheck.checks.section import silhouette
from permitcheck.checks.streets import fronting, not_fronting
from permitcheck.geojson import geojson as _geojson
from permitcheck.facts.projection import clip_above, merge_triangles, plan_polygons, union
from permitcheck.results import Measurement, Status, judge
from permitcheck.rulebook.schema import Bands, DistanceRange, LinearDistance, MinSetback

UNIT = "m"  # what a finding of this kind measures in

INF = math.inf


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


def _clip_band(tri: np.ndarray, z_lo: float, z_hi: float) -> np.ndarray:
    parts = clip_above(tri, z_lo)
    if not parts:
        return np.empty((0, 3, 3))
    kept = np.concatenate(parts)
    if z_hi == INF:
        return kept
    flipped = kept.copy()
    flipped[:, :, 2] = -flipped[:, :, 2]
    below = clip_above(flipped, -z_hi)
    if not below:
        return np.empty((0, 3, 3))
    out = np.concatenate(below)
    out[:, :, 2] = -out[:, :, 2]
    return out


def signed_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray, outward: np.ndarray) -> np.ndarray:
    """Plan distance of points to the edge a-b; negative for points beyond it (outside the parcel)."""
    d = b - a
    t_raw = ((p - a) @ d) / (d @ d)
    t = np.clip(t_raw, 0.0, 1.0)
    dist = np.hypot(*(p - (a + t[:, None] * d)).T)
    beyond = ((p - a) @ outward > 0) & (t_raw > 0) & (t_raw < 1)
    return np.where(beyond, -dist, dist)


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
    worst = None  # (slack, measured, required, height, edge index, global ids)
    where, ids = [], set()
    top = ctx.facts.height_m or 0.0
    for h_lo, h_hi, a, b in pieces(rule.distance):
        if h_lo >= top:
            continue
        for m in ctx.meshes:
            tri = _clip_band(m.vertices[m.faces], ground + h_lo, ground + h_hi)
            if len(tri) == 0:
                continue
            plan = None
            for e in edges:
                (ax, ay), (bx, by) = e.line.coords
                seg_a, seg_b = np.array([ax, ay]), np.array([bx, by])
                outward = np.asarray(e.outward)
                pts = tri.reshape(-1, 3)
                dist_v = signed_distance(pts[:, :2], seg_a, seg_b, outward)
                if a == 0:  # fixed distance in this band: exact plan distance unless it crosses the edge
                    plan = plan if plan is not None else merge_triangles(plan_polygons(tri))
                    if plan.is_empty:
                        continue
                    crossing = float(dist_v.min())
                    if crossing < 0:
                        k = int(np.argmin(dist_v))
                        dist, p_at = crossing, pts[k, :2]
                    else:
                        near, _ = shapely.ops.nearest_points(plan, e.line)
                        dist, p_at = float(plan.distance(e.line)), np.array(near.coords[0])
                    slack, req, h_at = dist - b, b, min(h_hi, top)  # the band stands at that distance
                    zone = e.line.buffer(b)
                else:
                    h_v = pts[:, 2] - ground
                    req_v = a * h_v + b
                    k = int(np.argmin(dist_v - req_v))
                    dist, req, h_at = float(dist_v[k]), float(req_v[k]), float(h_v[k])
                    p_at = pts[k, :2]
                    slack = dist - req
                    zone = e.line.buffer(a * min(h_hi, top) + b)
                if worst is None or slack < worst[0]:
                    worst = (slack, dist, req, h_at, e.index, p_at)
                if slack < -ctx.plan_tolerance_m:
                    ids.add(m.global_id)
                    plan = plan if plan is not None else merge_triangles(plan_polygons(tri))
                    where.append(plan.intersection(zone).intersection(ctx.site.parcel.buffer(0.0)))
    if worst is None:
        return Measurement(Status.NOT_APPLICABLE, "no_part_in_band", unit="m", details={"from": rule.from_})
    slack, dist, req, h_at, edge, p_at = worst
    status = judge(slack, ctx.plan_tolerance_m)
    reason = {Status.PASS: "clear_of_setback", Status.FAIL: "inside_setback", Status.REVIEW: "within_tolerance"}[status]
    geometry = union([w for w in where if not w.is_empty]) if where else None
    worst_edge = next(e for e in edges if e.index == edge)
    zone = union([e.line.buffer(max(req, 0.0)) for e in edges]).intersection(ctx.site.parcel)
    return Measurement(
        status, reason, round(dist, 4), round(req, 4), "m", round(slack, 4),
        where=None if geometry is None or geometry.is_empty else geometry,
        global_ids=tuple(sorted(ids)),
        details={"from": rule.from_, "edge": edge, "height_of_worst_part_m": round(h_at, 3),
                 "edges": [e.index for e in edges],
                 "pieces": [[lo, None if hi == INF else hi, a, b] for lo, hi, a, b in pieces(rule.distance)],
                 "zone_model": _geojson(zone),
                 "worst_point_model": [round(float(p_at[0]), 4), round(float(p_at[1]), 4)],
                 "edge_point_model": [round(float(c), 4) for c in
                                      shapely.ops.nearest_points(worst_edge.line, shapely.Point(p_at))[0].coords[0]],
                 "section": {"edge": edge, "silhouette": _geojson(silhouette(ctx.meshes, ground, worst_edge))}},
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

