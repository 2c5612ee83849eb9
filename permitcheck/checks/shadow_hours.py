"""shadow_hours: how long the building's shadow stays beyond the lot line on the winter solstice.

Japan, 建築基準法 §56-2 and 別表第4: between 8:00 and 16:00 true solar time (9-15 in Hokkaido) the
shadow on the horizontal plane `plane_height` above the mean ground may stay at most `near` hours
between 5 and 10 m from the lot line and `far` hours beyond 10 m; which buildings it binds, the
plane and the hours are the local ordinance's choice among the table's, so they are data:

    - id: shadow                               # 第一種低層住居専用地域, 別表第4 一の項
      kind: shadow_hours
      plane_height: [1.5 m]
      limits: [[3 h, 2 h], [4 h, 2.5 h], [5 h, 3 h]]   # (一)(二)(三): the ordinance picks one
      applies_to: {eaves_over: 7 m, storeys_at_least: 3}
      when: {flag: shadow_regulated}         # the parcel lies in an area the ordinance designates
      citation: {source: bsa, article: "第56条の2, 別表第4"}

The parcel states the ordinance's choice (`shadow_column: 2`, `shadow_plane_height: 4 m`); without
it the building passes only if it passes under every choice, fails only if it fails under all.

The sun stands where the law puts it (permitcheck.sun: the solstice declination, the parcel's
latitude from its CRS, true north from the site); the shadow is the building's elements' own,
cast from their triangles (permitcheck.sun.shadow), every `step` (10 min) over the window, and
measured at points every `grid` metres (0.5 m) where it falls. A lot line on a road counts half the
road's width further out, or 5 m short of its far side when it is wider than 10 m (施行令
§135-12③1). Measured: the longest shadow time in the band whose margin is least, against its
limit; the details give both bands (the longest time, where, the area over the limit, the elements
that cast it). A result within one step of the limit is REVIEW.

The plane stands above the 平均地盤面 (別表第4, note: the mean height of the ground where the
building meets it, with no 3 m split): from the model's terrain by the rulebook's measurement
profile, weighted by the length of perimeter at each height; the model's ground level where the
model has no terrain or the rulebook no profile (the details say which).

A site 1 m or more below the land it shades counts its mean ground raised by half the difference
less 1 m (§135-12③2): the parcel states how much higher that land stands,
`shadow_neighbour_ground_rise: 3 m` (the least, where the neighbours differ).

Not encoded: a site across zones with other limits (§135-13).
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon

from permitcheck.checks.context import CheckContext
from permitcheck.results import Measurement, Status, judge
from permitcheck.rulebook.schema import ShadowHours

UNIT = "h"
LEGAL = True  # it reads the legal facts: the engine measures it after the kinds that do not
WIDE_ROAD_M = 10.0  # 施行令 §135-12③1: a wider road counts 5 m short of its far side


def _relief(ctx: CheckContext, edge) -> float:
    from permitcheck.site.roads import road_width

    w = road_width(ctx.site, edge)
    if not w:
        return 0.0
    return w - 5.0 if w > WIDE_ROAD_M else w / 2.0


def _within(ctx: CheckContext, d: float, relief: list[float]) -> Polygon:
    """Everything within `d` of the lot line (its road edges moved out), the lot included."""
    parts = [ctx.site.parcel] + [e.line.buffer(d + r) for e, r in zip(ctx.site.edges, relief)]
    return shapely.union_all(parts)


def _mean_ground(ctx: CheckContext) -> tuple[float, str]:
    """The 平均地盤面 (model z) and where it comes from."""
    legal = ctx.legal
    if legal is not None and legal.mean_ground_m is not None:
        if abs(legal.mean_ground_m - ctx.facts.ground_elevation_m) > 1e-4:
            return legal.mean_ground_m, "terrain"  # the measurement profile read it from the model's terrain
        return legal.mean_ground_m, "level"
    return ctx.facts.ground_elevation_m, "ground_level"  # no profile: the model's ground level


LEVEL_RELIEF_FROM_M = 1.0  # 施行令 §135-12③2: a site this much lower than the land it shades
MAX_RISE_M = 50.0


def _level_relief(ctx: CheckContext) -> tuple[float, dict]:
    """施行令 §135-12③2: where the site's 平均地盤面 lies 1 m or more below the ground of the land its
    shadow falls on, it counts as raised by half the difference less 1 m. The neighbours' ground is
    not in a site's geometry: the parcel (or its zone) states how much higher it stands,
    `shadow_neighbour_ground_rise` (the least, where the neighbours differ). A figure that is no
    length takes no relief, and says so."""
    from permitcheck.checks.conditions import _stated
    from permitcheck.rulebook.quantities import parse_length

    value, basis = _stated(ctx, "shadow_neighbour_ground_rise")
    if value is None:
        return 0.0, {}
    try:
        rise = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else parse_length(value)
    except (TypeError, ValueError):
        return 0.0, {"stated": str(value)[:40], "basis": basis, "raise_m": 0.0,
                     "note": "not a length: no relief taken"}
    if not 0.0 <= rise <= MAX_RISE_M:  # no site lies 50 m under its neighbour: a slip, not a relief
        return 0.0, {"stated": str(value)[:40], "basis": basis, "raise_m": 0.0,
                     "note": f"outside 0-{MAX_RISE_M:g} m: no relief taken"}
    lift = (rise - LEVEL_RELIEF_FROM_M) / 2.0 if rise >= LEVEL_RELIEF_FROM_M else 0.0
    return lift, {"neighbour_ground_rise_m": round(rise, 3), "basis": basis, "raise_m": round(lift, 3)}


def _bound(rule: ShadowHours, ctx: CheckContext) -> tuple[bool | None, dict]:
    """Whether the rule binds this building: True, False or None (its eaves cannot be told)."""
    a, height = rule.applies_to, ctx.facts.height_m
    if a is None:
        return True, {}
    read = {"height_m": height, "storeys_above_ground": ctx.storeys_above_ground}
    if a.height_over is not None:
        return (None if height is None else height > a.height_over), read
    if a.storeys_at_least is not None and (ctx.storeys_above_ground or 0) >= a.storeys_at_least:
        return True, read
    if a.eaves_over is not None and height is not None and height > a.eaves_over:
        return None, read  # the eaves lie somewhere under the top: not measured
    return False, read


def _choice(ctx: CheckContext, name: str, options: list, parse) -> tuple[list[int], str]:
    """The options the parcel's statement leaves (indices), and what was read."""
    from permitcheck.checks.conditions import _stated

    if len(options) == 1:
        return [0], "the rule's only one"
    value, basis = _stated(ctx, name)
    if value is None:
        return list(range(len(options))), f"not stated on the parcel ({name}): every choice"
    try:
        i = parse(value, options)
    except (TypeError, ValueError):
        i = None
    if i is None:
        return list(range(len(options))), f"{name} {value!r} is none of {options}: every choice"
    return [i], f"{name} {value} ({basis})"


def _column(value, options) -> int | None:
    i = int(value) - 1
    return i if 0 <= i < len(options) and float(value) == int(value) else None


def _plane(value, options) -> int | None:
    from permitcheck.rulebook.quantities import parse_length

    x = float(value) if isinstance(value, (int, float)) else parse_length(value)
    return next((i for i, o in enumerate(options) if abs(o - x) < 1e-6), None)


def check(rule: ShadowHours, ctx: CheckContext) -> Measurement:
    from permitcheck.sun.position import sun_path, step_weights
    from permitcheck.sun.shadow import grid, shadow_day

    bound, read = _bound(rule, ctx)
    if bound is False:
        return Measurement(Status.NOT_APPLICABLE, "shadow_not_bound", unit=UNIT, details={"read": read})
    site = ctx.site
    if site.latitude_deg is None or site.true_north is None:
        return Measurement(Status.UNKNOWN, "no_true_north", unit=UNIT)
    planes, plane_basis = _choice(ctx, "shadow_plane_height", rule.plane_height, _plane)
    columns, column_basis = _choice(ctx, "shadow_column", rule.limits, _column)
    start, end = rule.window
    path = sun_path(site.latitude_deg, start, end, rule.step * 60.0)
    weights = step_weights(path, start, end)
    relief = [_relief(ctx, e) if rule.road_relief else 0.0 for e in site.edges]
    near_zone, far_zone = _within(ctx, rule.bands[0], relief), _within(ctx, rule.bands[1], relief)
    shapely.prepare(far_zone)
    meshes = [(m.vertices, m.faces) for m in ctx.meshes]
    datum, datum_basis = _mean_ground(ctx)
    lift, lift_read = _level_relief(ctx)
    outcomes = []  # (margin, plane index, column index, bands)
    maps = {}  # plane index -> (day, xs, ys, hours): what the drawing of the governing choice needs
    for p in planes:
        plane_z = datum + lift + rule.plane_height[p]
        day = shadow_day(meshes, plane_z, path, weights, tuple(site.true_north))
        try:
            xs, ys = grid(day.reach.difference(near_zone), rule.grid)
        except ValueError as e:
            return Measurement(Status.ERROR, "check_failed", unit=UNIT, details={"error": str(e)})
        hours = day.hours_at(xs, ys)
        maps[p] = (day, xs, ys, hours)
        in_near = shapely.contains_xy(far_zone, xs, ys)
        for c in columns:
            near, far = rule.limits[c]
            bands = {"near": _band(day, xs[in_near], ys[in_near], hours[in_near], near, rule.grid, ctx),
                     "far": _band(day, xs[~in_near], ys[~in_near], hours[~in_near], far, rule.grid, ctx)}
            outcomes.append((min(b["margin_h"] for b in bands.values()), p, c, bands, len(xs)))
    passing = [o for o in outcomes if judge(o[0], rule.step) == Status.PASS]
    failing = [o for o in outcomes if judge(o[0], rule.step) == Status.FAIL]
    # under every choice: the strictest shows how near it comes; under none: the most lenient
    margin, p, c, bands, points = min(outcomes, key=lambda o: o[0]) if len(passing) == len(outcomes) or \
        not failing else max(outcomes, key=lambda o: o[0])
    name, worst = min(bands.items(), key=lambda kv: kv[1]["margin_h"])
    status = judge(margin, rule.step)
    if passing and failing:
        status = Status.UNKNOWN
    elif bound is None and status != Status.PASS:
        status = Status.UNKNOWN  # binds only if the eaves are over the height: a person measures them
    over = [b["over_model"] for b in bands.values() if b["over_model"] is not None]
    details = {"bands": {k: {kk: vv for kk, vv in b.items() if kk != "over_model"} for k, b in bands.items()},
               "governing_band": name, "plane_height_m": rule.plane_height[p], "column": c + 1,
               "choices": [{"plane_height_m": rule.plane_height[o[1]], "column": o[2] + 1,
                            "status": judge(o[0], rule.step).value, "margin_h": o[0]} for o in outcomes],
               "plane_basis": plane_basis, "column_basis": column_basis,
               "mean_ground_m": round(datum, 4), "mean_ground_basis": datum_basis, "level_relief": lift_read,
               "latitude_deg": round(site.latitude_deg, 4), "window": list(rule.window),
               "step_min": round(rule.step * 60, 3), "grid_m": rule.grid, "points": int(points),
               "relief_m": [round(r, 3) for r in relief], "read": read,
               "from_m": rule.bands[0] if name == "near" else rule.bands[1]}
    if ctx.sections:  # a report will draw it: the hour lines, the 5 m and 10 m lines, the shadow each hour
        details["drawing"] = _drawing(*maps[p], rule, near_zone, far_zone)
    reason = "shadow_within" if status == Status.PASS else "shadow_over" if status in (Status.FAIL, Status.REVIEW) \
        else "shadow_choice_unknown" if passing and failing else "shadow_eaves_unknown"
    return Measurement(status, reason, measured=worst["max_h"], limit=worst["limit_h"], unit=UNIT,
                       margin=worst["margin_h"], where=shapely.union_all(over) if over else None,
                       global_ids=tuple(worst["cast_by"]), details=details)


def _band(day, xs, ys, hours, limit: float, spacing: float, ctx: CheckContext) -> dict:
    if len(hours) == 0:
        return {"max_h": 0.0, "limit_h": limit, "margin_h": limit, "at_model": None, "over_area_m2": 0.0,
                "cast_by": [], "over_model": None}
    i = int(np.argmax(hours))
    over = hours > limit + 1e-9
    cells = shapely.box(xs[over] - spacing / 2, ys[over] - spacing / 2, xs[over] + spacing / 2, ys[over] + spacing / 2)
    casters = day.casters(float(xs[i]), float(ys[i])) if hours[i] > 0 else []
    return {"max_h": round(float(hours[i]), 4), "limit_h": limit, "margin_h": round(limit - float(hours[i]), 4),
            "at_model": [round(float(xs[i]), 3), round(float(ys[i]), 3)],
            "over_area_m2": round(float(over.sum()) * spacing * spacing, 2),
            "cast_by": [ctx.meshes[k].global_id for k, _ in casters[:10]],
            "over_model": shapely.union_all(cells) if over.any() else None}


LINE_HOURS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0)  # the equal-time shadow lines a 日影図 draws


def _drawing(day, xs, ys, hours, rule: ShadowHours, near_zone, far_zone) -> dict:
    """GeoJSON (model coordinates) of what the site plan draws: the region each hour line encloses,
    the two band lines, and the building's shadow at each whole hour."""
    from permitcheck.geojson import geojson

    lines = []
    for h in LINE_HOURS:
        if len(hours) and hours.max() >= h:
            region = _cells(xs, ys, hours >= h - 1e-9, rule.grid).simplify(rule.grid)
            lines.append({"hours": h, "geometry": geojson(region)})
    hourly = []
    for k, hour in enumerate(day.hours):
        if abs(hour - round(hour)) < 1e-6 and len(day.step(k)[0]):
            shade = shapely.union_all(day.step(k)[0], grid_size=0.01).simplify(0.05)
            hourly.append({"hour": round(hour), "geometry": geojson(shade)})
    return {"lines_model": lines, "near_line_model": geojson(near_zone.boundary),
            "far_line_model": geojson(far_zone.boundary), "hourly_model": hourly, "bands_m": list(rule.bands)}


def _cells(xs, ys, mask, spacing: float):
    """The union of the grid cells where `mask` holds, built from each row's runs (few boxes)."""
    if not mask.any():
        return shapely.Polygon()
    x0, y0 = xs.min(), ys.min()
    i = np.rint((xs[mask] - x0) / spacing).astype(np.int64)
    j = np.rint((ys[mask] - y0) / spacing).astype(np.int64)
    order = np.lexsort((i, j))
    i, j = i[order], j[order]
    start = np.r_[True, (j[1:] != j[:-1]) | (i[1:] != i[:-1] + 1)]
    first = np.flatnonzero(start)
    last = np.r_[first[1:] - 1, len(i) - 1]
    half = spacing / 2
    boxes = shapely.box(x0 + i[first] * spacing - half, y0 + j[first] * spacing - half,
                        x0 + i[last] * spacing + half, y0 + j[last] * spacing + half)
    return shapely.union_all(boxes, grid_size=spacing / 100)
