"""window_setback: walls with windows keep their distance from the lot lines beside them.

Korea, 건축법 시행령 §86③1: in an apartment building (공동주택), "건축물(기숙사는 제외한다)의 각
부분의 높이는 그 부분으로부터 채광을 위한 창문 등이 있는 벽면에서 직각 방향으로 인접 대지경계선까지의
수평거리의 2배(근린상업지역 또는 준주거지역의 건축물은 4배) 이하로 할 것".

    - id: daylight-windows
      kind: window_setback
      ratio: 2                               # height <= 2 x distance
      when: {declared: {use: [apartment]}}   # 공동주택 only
      citation: {source: decree, article: "제86조 제3항 제1호"}

Each IfcWindow within `WALL_REACH_M` of the building's outline lights the wall there; from that
wall, straight out (perpendicular to the outline), the first lot line crossed is the one it faces.
Across a road the line is the middle of the road (시행령 §86⑥: for 공동주택 "인접 대지경계선과 그
반대편 대지경계선의 중심선"); a road of unknown width leaves that window UNKNOWN. The part's
height is the highest point of the building over the wall within the window's width and
`AROUND_M` either side of it, above the ground level. A model with no windows is UNKNOWN: the
window walls cannot be told; so is one whose windows cannot all be put on an outer wall facing a
lot line (a window over `WALL_REACH_M` from the outline, or on a wall open on both sides): a
window not measured may be the one that fails.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString, Point

from permitcheck.checks.context import CheckContext
from permitcheck.checks.regions import clip
from permitcheck.results import Measurement, Status, judge
from permitcheck.rulebook.schema import WindowSetback
from permitcheck.site.roads import far_side

UNIT = "m"  # what a finding of this kind measures in
WALL_REACH_M = 1.0  # a window this near the outline is in an outer wall (walls are under 1 m thick)
AROUND_M = 1.0  # along the wall either side of the window, and into the building: the part it lights
RAY_M = 1000.0
BATCH = 256  # triangles cut to a window's box at a time, the highest first


def _outline(ctx: CheckContext):
    fp = ctx.facts.footprint
    rings = [p.exterior for p in shapely.get_parts(fp) if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiLineString(rings) if rings else None


def facing_wall(outline, fp, p: Point):
    """(point on the wall, unit tangent, unit outward normal) for the outline nearest to p. The
    tangent is taken 5 cm either side along the nearest ring, round its closing vertex if need be:
    where a ring happens to start (an overlay's choice) changes nothing."""
    rings = list(outline.geoms) if hasattr(outline, "geoms") else [outline]
    ring = rings[int(np.argmin(shapely.distance(rings, p)))]
    s, length = ring.project(p), ring.length
    q = ring.interpolate(s)
    if ring.is_closed and length > 0.1:
        a, b = ring.interpolate((s - 0.05) % length), ring.interpolate((s + 0.05) % length)
    else:
        a, b = ring.interpolate(max(s - 0.05, 0.0)), ring.interpolate(min(s + 0.05, length))
    t = np.array([b.x - a.x, b.y - a.y])
    norm = float(np.hypot(*t))
    if norm < 1e-9:
        return None
    t /= norm
    n = np.array([t[1], -t[0]])
    qa = np.array([q.x, q.y])
    out = [sign for sign in (1.0, -1.0) if not fp.covers(Point(*(qa + sign * 0.3 * n)))]
    if len(out) != 1:
        return None  # both sides open (a free-standing wall) or closed (an inner wall)
    return qa, t, n * out[0]


def _lot_line(ctx: CheckContext, q: np.ndarray, n: np.ndarray):
    """(distance, edge) of the first lot line straight out from the wall."""
    ray = LineString([q, q + n * RAY_M])
    best = None
    for e in ctx.site.edges:
        hit = ray.intersection(e.line)
        if hit.is_empty:
            continue
        d = float(shapely.distance(Point(*q), hit))
        if best is None or d < best[0]:
            best = (d, e)
    return best


def _boxes(ctx: CheckContext) -> shapely.STRtree:
    """A tree of each triangle's plan box: the same for every window and every check of the run, so
    built once (`CheckContext.shared`); a window's neighbourhood is a query, not a pass over every
    triangle (Janesville: 150,000 of them, 0.7 ms a window)."""
    if "triangle_boxes" not in ctx.shared:
        tri = ctx.triangles[0]
        lo, hi = tri[:, :, :2].min(axis=1), tri[:, :, :2].max(axis=1)
        ctx.shared["triangle_boxes"] = shapely.STRtree(shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]))
    return ctx.shared["triangle_boxes"]


def part_height(ctx: CheckContext, q, t, n, half: float) -> tuple[float, str | None]:
    """The highest point over the wall around q (above ground), and the element it belongs to."""
    tri, ids = ctx.triangles
    if len(tri) == 0:
        return 0.0, None
    ex, ey = np.r_[t, 0.0], np.r_[n, 0.0]
    qq = np.r_[q, 0.0]
    box = ((tuple(ex), float(ex @ qq) - half), (tuple(-ex), -float(ex @ qq) - half),
           (tuple(ey), float(ey @ qq) - AROUND_M), (tuple(-ey), -float(ey @ qq) - 0.5))
    corners = np.array([q + s * half * np.asarray(t) + d * np.asarray(n) for s in (-1.0, 1.0) for d in (-AROUND_M, 0.5)])
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    near = np.sort(_boxes(ctx).query(shapely.box(x0, y0, x1, y1)))
    # the highest first: a batch of triangles is cut to the box only while its highest corner could
    # still stand above the best point found (a wall's top is found before the floors under it)
    cand = tri[near]
    top = cand[:, :, 2].max(axis=1)
    order = np.argsort(-top, kind="stable")
    best = None  # (height, element index): of equal heights the element first in the model
    for start in range(0, len(order), BATCH):
        if best is not None and top[order[start]] < best[0]:
            break
        inside = clip(cand[order[start:start + BATCH]], box)
        if len(inside):
            pts = inside.reshape(-1, 4)
            z = float(pts[:, 2].max())
            first = int(pts[pts[:, 2] == z, 3].min())
            if best is None or z > best[0] or (z == best[0] and first < best[1]):
                best = (z, first)
    if best is None:
        return 0.0, None
    return best[0] - ctx.facts.ground_elevation_m, ids[best[1]]


def check(rule: WindowSetback, ctx: CheckContext) -> Measurement:
    if not ctx.windows:
        return Measurement(Status.UNKNOWN, "no_windows", unit=UNIT)
    outline, fp = _outline(ctx), ctx.facts.footprint
    if outline is None:
        return Measurement(Status.UNKNOWN, "no_footprint", unit=UNIT)
    ground = ctx.facts.ground_elevation_m
    worst, counted, unknown, unplaced = None, 0, [], []
    for w in ctx.windows:
        x, y, z = w.point
        if z + (w.height_m or 0.0) < ground:
            continue  # below ground: a basement window lights an area well, not across the lot line
        p = Point(x, y)
        facing = facing_wall(outline, fp, p) if outline.distance(p) <= WALL_REACH_M else None
        line = _lot_line(ctx, facing[0], facing[2]) if facing is not None else None
        if line is None:
            unplaced.append(w.global_id)  # not near the outline, on no outer wall, or facing no lot line
            continue
        q, t, n = facing
        d, edge = line
        if edge.labels & {"front", "road"}:  # across a road: to its middle (§86⑥)
            beyond = far_side(ctx.site, edge)
            if beyond is None:
                unknown.append(w.global_id)
                continue
            d += beyond / 2.0
        half = (w.width_m or 0.0) + AROUND_M  # the placement may sit at a corner of the window
        h, top_id = part_height(ctx, q, t, n, half)
        if top_id is None:
            unplaced.append(w.global_id)  # no building over the wall it seems to be in
            continue
        need = max(h, 0.0) / rule.ratio
        counted += 1
        margin = d - need
        if worst is None or margin < worst[0]:
            worst = (margin, d, need, h, w, edge, top_id, q, t)
    if worst is None:
        if unplaced:
            return Measurement(Status.UNKNOWN, "windows_not_placed", unit=UNIT, global_ids=tuple(unplaced[:20]),
                               details={"windows_not_placed": unplaced, "windows": len(ctx.windows)})
        if unknown:
            return Measurement(Status.UNKNOWN, "no_road_width", unit=UNIT, global_ids=tuple(unknown),
                               details={"edge": "in front of the windows"})
        return Measurement(Status.NOT_APPLICABLE, "no_window_facing_lot_line", unit=UNIT,
                           details={"windows": len(ctx.windows)})
    margin, d, need, h, w, edge, top_id, q, t = worst
    status = judge(margin, ctx.plan_tolerance_m)
    if status == Status.PASS and (unknown or unplaced):
        status = Status.UNKNOWN  # a window not measured may be the one that fails
    reason = {Status.PASS: "windows_clear", Status.REVIEW: "within_tolerance", Status.FAIL: "window_too_close",
              Status.UNKNOWN: "windows_not_placed" if unplaced else "no_road_width"}[status]
    half = (w.width_m or 1.0) / 2.0
    where = LineString([q - t * half, q + t * half]).buffer(0.3) if status != Status.PASS else None
    return Measurement(status, reason, d, need, UNIT, margin, where=where,
                       global_ids=tuple(dict.fromkeys(g for g in (w.global_id, top_id) if g)),
                       details={"window": w.name or w.global_id, "edge": edge.index, "height_of_part_m": round(h, 3),
                                "ratio": rule.ratio, "windows_measured": counted, "windows": len(ctx.windows),
                                **({"windows_across_unknown_road": unknown} if unknown else {}),
                                **({"windows_not_placed": unplaced} if unplaced else {})})
