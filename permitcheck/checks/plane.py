"""plane: no part of the building above an inclined plane rising inward from a base line.

Daylight, slant-line and sky-exposure rules limit the building by a plane: it starts at a base
line at a height, rises inward at a slope (vertical : horizontal) and may stop at a reach. A
clearance strip can go with it: nothing above a height within a distance of the line.

    - id: north-daylight-3d                    # Korea, 건축법 시행령 제86조 제1항
      kind: plane
      from: north                              # parcel edges by label; a list is allowed
      measure: grid_north                      # distance along grid north (정북방향), or perpendicular
      slope: 2                                 # h <= 2 d, i.e. d >= h / 2 ...
      above: 10 m                              # ... for the parts higher than 10 m
      clear: {distance: 1.5 m}                 # and every part at least 1.5 m from the line
    - id: sky-exposure                         # NYC, R6 on a narrow street
      kind: plane
      from: front
      start_height: 60 ft
      slope: 2.7
      clear: {distance: 20 ft, above: 60 ft}   # the initial setback distance
    - id: road-slant                           # Japan, 建築基準法 第56条 第1項 第1号
      kind: plane
      from: front
      base: far_side_of_road                   # the opposite boundary of the front road
      setback_relief: true                     # moved out by the building's setback (第56条 第2項)
      slope: 1.25
      reach: 20 m

``from`` may also name the ``kind`` of a ``boundary`` LineString in the site file that runs along no
parcel edge (a build line, a street line across the lot); such lines are numbered after the parcel edges.
``measure``: ``perpendicular`` to the base line, or along ``grid_north`` / ``true_north`` (Japan's
真北; the site's CRS gives the meridian convergence). The plane governs the strip its base line
sweeps along that direction; it does not wrap around the line's ends. ``base``: the parcel edge,
or the far side of the road in front of it (the road feature's ``width``, else the road polygon's
depth across the edge). Heights are above the model's ground level.

Measured is the distance of the worst part from the base line against the distance the plane (or
the clearance strip) needs there, so the finding reads like the per-part setback it generalises;
the margin is minus the depth past the envelope as a horizontal distance (depth / slope), so a
building touching the plane is REVIEW, never FAIL. The details give the depth (m above the plane,
or m into the strip), the height allowed there, the volume over the plane (m3) and where.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString

from permitcheck.checks.context import CheckContext, FactMissing
from permitcheck.checks.regions import (Region, Strip, above, clip, deepest, plan_inside, region_solid, union_of,
                                         volume_inside)
from permitcheck.checks.streets import far_side, fronting, not_fronting
from permitcheck.geojson import geojson
from permitcheck.results import Measurement, Status, judge
from permitcheck.rulebook.schema import Plane
from permitcheck.site.types import Edge, Site

UNIT = "m"  # what a finding of this kind measures in

FACING = 0.05  # an edge faces the measuring direction when cos(angle) exceeds this


def selected_edges(site: Site, labels, facing: np.ndarray | None = None) -> list[Edge]:
    """Parcel edges with a label, then lines of that kind drawn in the site file (a build line, say).

    A north rule measured due north (`facing`) takes every edge that faces north at all: a north ray
    may leave the parcel through an edge turned more than 45° from north, which the `north` label
    leaves out.
    """
    labels = [labels] if isinstance(labels, str) else list(labels)
    seen: dict[int, Edge] = {}
    for label in labels:
        for e in site.edges_labelled(label):
            seen[e.index] = e
        if label == "north" and facing is not None:
            for e in site.edges:
                if float(np.dot(e.outward, facing)) > FACING:
                    seen[e.index] = e
    return [seen[i] for i in sorted(seen)] + site_lines(site, labels)


def site_lines(site: Site, labels: list[str]) -> list[Edge]:
    """`boundary` LineStrings whose kind is asked for, less the parts that run along parcel edges.

    Those parts relabel the edges (permitcheck.site.boundaries) and are selected as edges already.
    The plane rises away from a line towards the parcel's centroid. Numbered after the parcel edges.
    """
    out = []
    centre = np.asarray(site.parcel.centroid.coords[0])
    along_edges = shapely.union_all([e.line.buffer(0.5) for e in site.edges])
    for f in site.features:
        if f.role != "boundary" or str(f.properties.get("kind")) not in labels:
            continue
        for line in shapely.get_parts(f.geometry):
            if line.geom_type != "LineString":
                continue
            coords = np.asarray(line.coords)[:, :2]
            for a, b in zip(coords[:-1], coords[1:]):
                seg = LineString([a, b])
                if seg.length < 1e-6 or seg.difference(along_edges).length < 0.5 * seg.length:
                    continue  # mostly along parcel edges: it relabelled them
                t = (b - a) / seg.length
                n = np.array([t[1], -t[0]])
                if float((centre - a) @ n) > 0:
                    n = -n
                out.append(Edge(len(site.edges) + len(out), seg, frozenset({str(f.properties["kind"])}),
                                (float(n[0]), float(n[1])), "site line"))
    return out


def direction(rule: Plane, site: Site, edge: Edge | None = None) -> np.ndarray | None:
    """The measuring direction: the edge's outward normal, or grid / true north (None: per edge)."""
    if rule.measure == "perpendicular":
        return None if edge is None else np.asarray(edge.outward)
    if rule.measure == "grid_north":
        return np.asarray(site.north)
    if site.true_north is None:
        raise FactMissing("no_true_north")
    return np.asarray(site.true_north)


def setback_of(rule: Plane, ctx: CheckContext, edge: Edge) -> float:
    """Least plan distance to the edge from the parts higher than the plane's start (0: none stand there).

    Japan's relief: the road slant line moves out by the building's setback from the road (第56条
    第2項: every part above ground); the adjacent-land line by the setback of the parts above 20 m
    or 31 m (第56条 第1項 第2号), its start height.
    """
    tri, _ = ctx.triangles
    pts = clip(tri, (above(ctx.facts.ground_elevation_m + max(rule.start_height, 0.0) + 0.01),)).reshape(-1, 4)
    (ax, ay), (bx, by) = edge.line.coords
    perpendicular = Strip.of(edge.index, (ax, ay), (bx, by), edge.outward, edge.outward)
    inside = clip(pts.reshape(-1, 1, 4).repeat(3, axis=1), perpendicular.sides) if len(pts) else pts
    if len(inside) == 0:
        return 0.0
    # signed: a part standing past the line earns no relief
    return max(0.0, float(perpendicular.distance(inside.reshape(-1, 4)).min()))


def strips(rule: Plane, ctx: CheckContext) -> list[tuple[Strip, float, Edge]]:
    """Each base line's strip, how far the line was moved out (road width, setback relief), its edge."""
    out = []
    for e in fronting(ctx.site, selected_edges(ctx.site, rule.from_, direction(rule, ctx.site)), rule.street):
        shift = 0.0
        if rule.base == "far_side_of_road":
            across = far_side(ctx.site, e)
            if across is None:
                raise FactMissing("no_road_width", edge=e.index)
            shift += across
        if rule.setback_relief:
            shift += setback_of(rule, ctx, e)
        (ax, ay), (bx, by) = e.line.coords
        s = Strip.of(e.index, (ax, ay), (bx, by), e.outward, direction(rule, ctx.site, e), shift)
        if s is not None:
            out.append((s, shift, e))
    return out


def resolved(rule: Plane, ctx: CheckContext) -> Plane:
    """The rule as it stands on this building: the clearance's `above_storeys` lowers its `above` to
    the top of that many storeys above ground when that is lower (NYC 23-736(a): the front wall within
    the initial setback may rise "60 feet or six stories, whichever is less"; the plane itself still
    starts at 60 ft). The top of storey N is the floor of storey N + 1; a building with no more than
    N storeys keeps the height."""
    clear = rule.clear
    if clear is None or clear.above_storeys is None:
        return rule
    floors = sorted(s.elevation_m for s in ctx.facts.storeys if s.above_ground and s.counted)
    if len(floors) <= clear.above_storeys:
        return rule
    top = floors[clear.above_storeys] - ctx.facts.ground_elevation_m
    if top >= clear.above:
        return rule
    return rule.model_copy(update={"clear": clear.model_copy(update={"above": top})})


def regions(rule: Plane, ctx: CheckContext, ss: list[tuple[Strip, float, Edge]] | None = None,
            floor: bool = True) -> list[Region]:
    """The regions the rule forbids: over the plane, and inside the clearance strip.

    `floor`: the plane's region starts at its start height (nothing lower can be over a plane that
    rises from there); without it, parts lower down are measured too, which only a building standing
    wholly below the start needs, to be judged at all."""
    rule = resolved(rule, ctx)
    ground = ctx.facts.ground_elevation_m
    out = []
    for s, _shift, _edge in strips(rule, ctx) if ss is None else ss:
        domain = s.sides + (s.within(0.0, inside=False), above(ground))
        plane_domain = domain + ((s.within(rule.reach),) if rule.reach is not None else ())
        # the plane rises from its start height, so nothing lower can be over it: leaving those parts
        # out changes no depth past the plane, and keeps a low podium from being the "worst" part
        lowest = max(rule.start_height, rule.above or 0.0) if floor else (rule.above or 0.0)
        if lowest > 0:
            plane_domain += (above(ground + lowest),)
        g, h = s.rising(ground + rule.start_height, rule.slope)
        out.append(Region("plane", plane_domain, g, h, "vertical", s.edge, rule.id, 1.0 / rule.slope))
        if rule.clear is not None:
            g, h = s.inward(rule.clear.distance)
            out.append(Region("clear", domain + (above(ground + rule.clear.above),), g, h, "horizontal",
                              s.edge, rule.id))
    return out


def allowed_height(rule: Plane, d: float) -> float:
    """Height the rule allows at distance d from the base line (inf: no limit)."""
    z = rule.start_height + rule.slope * d
    if rule.above is not None:
        z = max(z, rule.above)
    if rule.reach is not None and d > rule.reach:
        z = np.inf
    if rule.clear is not None and d < rule.clear.distance:
        z = min(z, rule.clear.above)
    return float(z)


def profile(rule: Plane, far: float, top: float) -> list[list[float]]:
    """The no-build region in a section across the base line: (distance, height) ring."""
    eps = 1e-3
    ds = {0.0, far}
    if rule.clear is not None:
        ds |= {rule.clear.distance - eps, rule.clear.distance}
    if rule.above is not None:
        ds.add((rule.above - rule.start_height) / rule.slope)
    if rule.reach is not None:
        ds |= {rule.reach, rule.reach + eps}
    ds.add((top - rule.start_height) / rule.slope)
    pts = [(d, min(top, allowed_height(rule, d))) for d in sorted(x for x in ds if 0 <= x <= far)]
    return [[0.0, top]] + [[round(d, 4), round(h, 4)] for d, h in pts] + [[round(far, 4), top]]


def zone_plan(rule: Plane, strips_: list[tuple[Strip, float, Edge]], ctx: CheckContext):
    """Plan of the strips where the envelope is lower than the building's top: the site plan shades it."""
    top = ctx.facts.height_m or 0.0
    depth = (top - rule.start_height) / rule.slope if top > rule.start_height else 0.0
    if rule.clear is not None:
        depth = max(depth, rule.clear.distance)
    if rule.reach is not None:
        depth = min(depth, rule.reach)
    if depth <= 0 or not strips_:
        return None
    return shapely.union_all([s.band(depth) for s, _, _ in strips_]).intersection(ctx.site.parcel)


def volume_over(rs: list[Region], hits, ctx: CheckContext, view: bool = False) -> tuple[float, float, dict | None]:
    """(massing, element solids) volume over the plane, m3, and with `view` the triangles of a small 3D
    view of the building in the plane's envelope (the BCF snapshot and the HTML report draw it)."""
    solid = ctx.building_solid
    if solid is None:
        return 0.0, 0.0, None
    building, origin, lo, hi = solid
    deep = [h.region for h in hits if h.depth > 0]
    forbidden = union_of([region_solid(r, lo, hi, origin) for r in deep])
    mass = ctx.massing_reaching(deep)
    drawing = None
    if view:
        from permitcheck.checks.envelope import view3d  # envelope builds on this module

        drawing = view3d(rs, forbidden, mass, ctx)
    return volume_inside(mass, forbidden), volume_inside(building, forbidden), drawing


def check(rule: Plane, ctx: CheckContext) -> Measurement:
    ground = ctx.facts.ground_elevation_m
    rule = resolved(rule, ctx)
    try:
        ss = strips(rule, ctx)
        rs = regions(rule, ctx, ss)
    except FactMissing as e:
        return Measurement(Status.UNKNOWN, e.reason, unit="m", details={"from": _label(rule.from_), **e.details})
    if not ss:
        return not_fronting(_label(rule.from_), rule.street,
                            bool(selected_edges(ctx.site, rule.from_, direction(rule, ctx.site))))
    tol = ctx.plan_tolerance_m  # depths are judged as horizontal distances, like the per-part setback
    tri, ids_all = ctx.triangles
    hits = [h for h in (deepest(r, tri, ids_all) for r in rs) if h is not None]
    if not hits and rule.start_height > (rule.above or 0.0):  # all of it below the start: judge it there
        rs = regions(rule, ctx, ss, floor=False)
        hits = [h for h in (deepest(r, tri, ids_all) for r in rs) if h is not None]
    if not hits:
        return Measurement(Status.NOT_APPLICABLE, "no_part_under_plane", unit="m", details={"from": _label(rule.from_)})
    worst = max(hits, key=lambda h: h.run)
    status = judge(-worst.run, tol)
    ids = sorted({g for h in hits for g, d in h.element_depths.items()
                  if d * h.region.run > (tol if status == Status.FAIL else -tol)}) if status != Status.PASS else []
    volume, solid_volume, view = volume_over(rs, hits, ctx, view=ctx.sections and status != Status.PASS) \
        if worst.depth > 0 else (0.0, 0.0, None)
    x, y, z = worst.point
    strip, _, edge = next(x for x in ss if x[0].edge == worst.region.edge)
    d_at = float(strip.distance(np.array([x, y])))
    where = plan_inside([h.region for h in hits if h.depth > 0], tri, ctx.meshes) if worst.depth > 0 else None
    top = max(ctx.facts.height_m or 0.0, rule.start_height) * 1.15 + 1
    sil = ctx.silhouette(edge, strip)
    section = {}
    if sil is not None:
        far = max([sil.bounds[2] if not sil.is_empty else 0.0, rule.clear.distance if rule.clear else 0.0]) + 2
        section = {"section": {"edge": edge.index, "silhouette": geojson(sil), "nobuild": profile(rule, far, top)}}
    reason = {Status.PASS: "under_plane", Status.FAIL: "over_plane" if worst.region.label == "plane" else
              "inside_clearance", Status.REVIEW: "within_tolerance"}[status]
    zone = zone_plan(rule, ss, ctx)
    return Measurement(
        status, reason, round(d_at, 4), round(d_at + worst.run, 4), "m", round(-worst.run, 4),
        where=where if where is not None and not where.is_empty else None,
        global_ids=tuple(ids),
        details={"from": _label(rule.from_), "measure": rule.measure, "base": rule.base, "edge": edge.index,
                 **({"clear_above_m": round(rule.clear.above, 4)} if rule.clear is not None else {}),
                 "edges": [s.edge for s, _, _ in ss], "base_shift_m": {str(s.edge): round(sh, 4) for s, sh, _ in ss},
                 "part": worst.region.label, "depth_m": round(worst.depth, 4),
                 "allowed_height_m": round(z - ground - worst.depth, 4) if worst.region.label == "plane" else None,
                 "depth_direction": worst.region.direction, "volume_outside_m3": round(volume, 4),
                 "solid_volume_outside_m3": round(solid_volume, 4),
                 "distance_at_worst_m": round(d_at, 4), "height_of_worst_part_m": round(z - ground, 3),
                 "worst_point_model": [round(x, 4), round(y, 4)], "worst_z": round(z, 4),
                 "edge_point_model": [round(x + strip.u[0] * d_at, 4), round(y + strip.u[1] * d_at, 4)],
                 **section,
                 **({"zone_model": geojson(zone)} if zone is not None and not zone.is_empty else {}),
                 **({"view3d": view} if view else {})},
    )


def _label(from_) -> str:
    return from_ if isinstance(from_, str) else "/".join(from_)
