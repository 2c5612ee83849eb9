"""envelope: the building fits the buildable envelope as a whole.

The envelope is the parcel's prism cut by every height cap, inclined plane and setback of the
zone: what is left where the law lets one build. One finding says whether the building fits,
how much of it does not (m3), how deep the worst part goes and past which rule.

    - id: envelope
      kind: envelope
      include: [north-daylight-3d, height]     # default: every plane, min_setback and max_height rule
      height: 12 m                             # optional: a cap of its own

Setbacks enter as regions in the strip their edge sweeps perpendicular to itself (their own
check measures to the nearest point of the edge, so the two can differ beyond an edge's ends);
the parcel enters as its outline (depth: how far a part stands outside it). Depth is vertical
for caps and planes, horizontal for setbacks, clearances and the parcel; each is judged with its
own tolerance, and the finding is as bad as its worst component.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.polygon import orient

from permitcheck.checks import plane as plane_check
from permitcheck.checks.context import CheckContext, FactMissing
from permitcheck.checks.limits import limit_of
from permitcheck.checks.regions import (Hit, Region, Strip, above, below, box, clip, deepest, per_element,
                                         plan_inside, region_solid, union_of, volume_inside)
from permitcheck.checks.setback import pieces
from permitcheck.checks.streets import fronting
from permitcheck.results import Measurement, Status, judge
from permitcheck.rulebook.schema import Envelope, MaxHeight, MinSetback, Plane

UNIT = "m3"  # what a finding of this kind measures in

KINDS = (Plane, MinSetback, MaxHeight)


def _included(rule: Envelope, ctx: CheckContext) -> list:
    """The rules the envelope is made of; one an exemption took out of force here is left out."""
    others = [r for r in ctx.rules if r.id != rule.id]
    if rule.include is None:
        return [r for r in others if isinstance(r, KINDS)]
    by_id = {r.id: r for r in others}
    missing = [i for i in rule.include if i not in ctx.exempt and (i not in by_id or not isinstance(by_id[i], KINDS))]
    if missing:
        raise LookupError(f"rules {missing} are not plane, min_setback or max_height rules of this zone")
    return [by_id[i] for i in rule.include if i in by_id]


def setback_regions(rule: MinSetback, ctx: CheckContext) -> list[Region]:
    ground = ctx.facts.ground_elevation_m
    out = []
    for e in fronting(ctx.site, ctx.site.edges_labelled(rule.from_), rule.street):
        (ax, ay), (bx, by) = e.line.coords
        s = Strip.of(e.index, (ax, ay), (bx, by), e.outward, e.outward)
        for h_lo, h_hi, a, b in pieces(rule.distance):
            domain = s.sides + (s.within(0.0, inside=False), above(ground + h_lo))
            if np.isfinite(h_hi):
                domain += (below(ground + h_hi),)
            g, h = s.inward(b, a, ground)
            out.append(Region("setback", domain, g, h, "horizontal", e.index, rule.id))
    return out


def cap(rule_id: str, height: float, ground: float) -> Region:
    return Region("height cap", (above(ground),), (0.0, 0.0, 1.0), -(ground + height), "vertical", None, rule_id)


def regions(rule: Envelope, ctx: CheckContext) -> list[Region]:
    ground = ctx.facts.ground_elevation_m
    out = []
    for r in _included(rule, ctx):
        if isinstance(r, Plane):
            out += plane_check.regions(r, ctx)
        elif isinstance(r, MinSetback):
            out += setback_regions(r, ctx)
        else:
            lim = limit_of(r, ctx)
            if not lim.known:
                raise FactMissing("limit_unknown", rule=r.id, **lim.details)
            out.append(cap(r.id, lim.low, ground))
    if rule.height is not None:
        out.append(cap(rule.id, rule.height, ground))
    return out


def outside_parcel(ctx: CheckContext) -> Hit | None:
    """The part of the building above ground that stands outside the parcel, as a horizontal depth."""
    tri, ids = ctx.triangles
    region = Region("parcel", (above(ctx.facts.ground_elevation_m),), (0.0, 0.0, 0.0), 0.0, "horizontal")
    pts = clip(tri, region.domain).reshape(-1, 4)
    if len(pts) == 0:
        return None
    parcel = ctx.site.parcel
    out = ~shapely.contains_xy(parcel, pts[:, 0], pts[:, 1])
    gap = shapely.distance(shapely.points(pts[:, :2]), parcel.boundary)
    depth = np.where(out, gap, -gap)  # inside: minus the clearance from the boundary
    outside_plan = ctx.facts.footprint.difference(parcel) if not ctx.facts.footprint.is_empty else None
    if outside_plan is not None and outside_plan.area > 1e-4 and depth.max() <= 0:
        # every vertex inside, yet the plan leaves the parcel: it spans a notch of a non-convex parcel
        probe = np.asarray(shapely.get_coordinates(shapely.segmentize(outside_plan, 0.1)))
        far = shapely.distance(shapely.points(probe), parcel)
        k = int(np.argmax(far))
        return Hit(region, float(far[k]), (float(probe[k, 0]), float(probe[k, 1]), ctx.facts.ground_elevation_m),
                   {})
    k = int(np.argmax(depth))
    return Hit(region, float(depth[k]), tuple(float(v) for v in pts[k, :3]), per_element(pts, depth, ids))


def parcel_prism(ctx: CheckContext, z0: float, z1: float, origin: np.ndarray):
    """The parcel extruded from z0 to z1, as a manifold relative to origin."""
    import manifold3d

    poly = orient(ctx.site.parcel, 1.0)
    rings = [(np.asarray(r.coords)[:-1, :2] - origin[:2]).tolist() for r in [poly.exterior, *poly.interiors]]
    return manifold3d.Manifold.extrude(manifold3d.CrossSection(rings), float(z1 - z0)) \
        .translate((0.0, 0.0, float(z0 - origin[2])))


def parcel_outside_solid(ctx: CheckContext, lo: np.ndarray, hi: np.ndarray, origin: np.ndarray):
    """The box [lo, hi] less the parcel's prism, as a manifold relative to origin."""
    return box(lo - origin, hi - origin) - parcel_prism(ctx, lo[2], hi[2], origin)


VIEW_TRIANGLES = 4000  # a drawing, not a model: the largest triangles of the simplified building


def _triangles(solid, origin: np.ndarray, limit: int | None = None) -> list:
    mesh = solid.to_mesh()
    v = np.asarray(mesh.vert_properties, dtype=float)[:, :3] + origin
    tri = v[np.asarray(mesh.tri_verts, dtype=int)]
    if limit is not None and len(tri) > limit:
        area = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
        tri = tri[np.argsort(-area)[:limit]]
    return np.round(tri, 3).tolist()


def view3d(rs: list[Region], forbidden, mass, ctx: CheckContext) -> dict | None:
    """Triangles for a small 3D drawing: the envelope, the building, and the building outside it."""
    import manifold3d

    building, origin, lo, hi = ctx.building_solid
    ground = ctx.facts.ground_elevation_m
    x0, y0, x1, y1 = ctx.site.parcel.bounds
    top = max(hi[2], ground + 1.0) + 0.25 * max(hi[2] - ground, 1.0)
    box_lo, box_hi = np.array([x0, y0, ground]), np.array([x1, y1, top])
    envelope = parcel_prism(ctx, ground, top, origin)
    cut = [region_solid(r, box_lo, box_hi, origin) for r in rs]
    cut = [c for c in cut if not c.is_empty()]
    if cut:
        envelope = envelope - manifold3d.Manifold.batch_boolean(cut, manifold3d.OpType.Add)
    inside, out_part = building, None
    if forbidden is not None:  # split, so the red part and the grey part never share a face
        inside = building - forbidden
        out_part = (mass if mass is not None else building) ^ forbidden  # the massing outside, in red
    return {"envelope": _triangles(envelope, origin),
            "building": _triangles(inside.simplify(0.05), origin, VIEW_TRIANGLES),
            "outside": _triangles(out_part.simplify(0.05), origin, VIEW_TRIANGLES) if out_part is not None else [],
            "context": _context_triangles(ctx), "ground": round(ground, 3)}


CONTEXT_VIEW_M = 30.0  # context buildings this near the parcel join the 3D view


def _context_triangles(ctx: CheckContext) -> list:
    """The context blocks near the parcel, as triangles (rounded like the rest of the view)."""
    from permitcheck.checks.blocks import context_blocks, prism

    out = []
    for _, poly, z0, z1 in context_blocks(ctx):
        if poly.distance(ctx.site.parcel) <= CONTEXT_VIEW_M:
            v, f = prism(poly, z0, z1)
            out += np.round(v[f], 3).tolist()
    return out


def _component(h: Hit) -> str:
    r = h.region
    name = r.label if r.rule is None else f"{r.rule} ({r.label}{'' if r.edge is None else f', edge {r.edge}'})"
    return name


def check(rule: Envelope, ctx: CheckContext) -> Measurement:
    try:
        rs = regions(rule, ctx)
    except LookupError as e:
        return Measurement(Status.ERROR, "no_envelope_rules", unit="m3", details={"error": str(e)})
    except FactMissing as e:
        return Measurement(Status.UNKNOWN, e.reason, unit="m3", details=e.details)
    tri, ids = ctx.triangles
    hits = [h for h in (deepest(r, tri, ids) for r in rs) if h is not None]
    parcel_hit = outside_parcel(ctx)
    if parcel_hit is not None:
        hits.append(parcel_hit)
    if not hits:
        return Measurement(Status.NOT_APPLICABLE, "no_footprint", unit="m3")

    def tol_of(h: Hit) -> float:  # caps are vertical; the rest are plan distances, placement included
        return ctx.profile.length_tolerance if h.region.label == "height cap" else ctx.plan_tolerance_m

    judged = [(judge(-h.run, tol_of(h)), h) for h in hits]
    order = {Status.FAIL: 0, Status.REVIEW: 1, Status.PASS: 2}
    status, worst = min(judged, key=lambda sh: (order[sh[0]], -sh[1].run))
    over = [h for _, h in judged if h.depth > 0]
    volume, solid_volume, view = 0.0, 0.0, None
    solid = ctx.building_solid
    if solid is not None:
        building, origin, lo, hi = solid
        solids = [region_solid(h.region, lo, hi, origin) for h in over if h.region.label != "parcel"]
        if any(h.region.label == "parcel" for h in over):
            solids.append(parcel_outside_solid(ctx, lo, hi, origin))
        forbidden = union_of(solids)
        parcel_breach = any(h.region.label == "parcel" for h in over)
        # outside the parcel the forbidden region is every column beyond the outline: closed upwards too
        reach = [h.region for h in over if h.region.label != "parcel"] + \
            ([Region("parcel", (), (0.0, 0.0, 0.0), 1.0, "horizontal")] if parcel_breach else [])
        mass = ctx.massing_reaching(reach)
        volume, solid_volume = volume_inside(mass, forbidden), volume_inside(building, forbidden)
        view = view3d(rs, forbidden, mass, ctx)
    ids_out = sorted({g for s, h in judged if s != Status.PASS for g, d in h.element_depths.items()
                      if d * h.region.run > -tol_of(h)})
    where = plan_inside([h.region for h in over if h.region.label != "parcel"], tri, ctx.meshes) if over else None
    if parcel_hit is not None and parcel_hit.depth > 0 and not ctx.facts.footprint.is_empty:
        outside = ctx.facts.footprint.difference(ctx.site.parcel)
        if not outside.is_empty:
            where = outside if where is None else where.union(outside)
    x, y, z = worst.point
    ground = ctx.facts.ground_elevation_m
    reason = {Status.PASS: "inside_envelope", Status.REVIEW: "within_tolerance", Status.FAIL: "outside_envelope"}[status]
    components = [{"rule": h.region.rule, "part": h.region.label, "edge": h.region.edge,
                   "depth_m": round(h.depth, 4), "depth_direction": h.region.direction, "status": s.value}
                  for s, h in sorted(judged, key=lambda sh: -sh[1].run)]
    return Measurement(
        status, reason, round(volume, 4), 0.0, "m3", round(-volume, 4),
        where=where if where is not None and not where.is_empty else None,
        global_ids=tuple(ids_out),
        details={"component": _component(worst), "depth_m": round(worst.depth, 4),
                 "depth_direction": worst.region.direction, "volume_outside_m3": round(volume, 4),
                 "solid_volume_outside_m3": round(solid_volume, 4),
                 "worst_point_model": [round(x, 4), round(y, 4)], "worst_z": round(z, 4),
                 "height_of_worst_part_m": round(z - ground, 3),
                 "rules": sorted({r.rule for r in rs if r.rule}), "components": components,
                 **({"exempt_rules": sorted(ctx.exempt)} if ctx.exempt else {}),
                 **({"view3d": view} if view else {})},
    )
