"""within: the footprint must lie inside the parcel, or inside a build-within area of the site.

``line: parcel`` (default) checks the parcel; ``line: building_line`` the lot behind the building
line a road too narrow sets (건축법 §46①, §47①: see permitcheck.site.building_line); any other
value names a site feature (its ``id``, ``name`` or boundary ``kind``) whose Polygon is the area to
build within (Baugrenze, 건축한계선).
Measured: the footprint area outside, in m². REVIEW when that area is no more than a sliver of
the length tolerance along the footprint's perimeter.

    - id: on-parcel
      kind: within
      line: parcel
      citation: {source: code, article: "1"}
"""

from __future__ import annotations

from permitcheck.checks.context import CheckContext
from permitcheck.results import Measurement, Status, judge
from permitcheck.rulebook.schema import Within

UNIT = "m2"  # what a finding of this kind measures in


def _area(rule: Within, ctx: CheckContext):
    if rule.line == "parcel":
        return ctx.site.parcel
    if rule.line == "building_line":
        return ctx.building_line[1]
    for f in ctx.site.features:
        names = {str(f.properties.get(k)) for k in ("id", "name", "kind") if f.properties.get(k) is not None}
        if rule.line in names and f.geometry.geom_type in ("Polygon", "MultiPolygon"):
            return f.geometry
    return None


def check(rule: Within, ctx: CheckContext) -> Measurement:
    area = _area(rule, ctx)
    fp = ctx.facts.footprint
    if area is None:
        return Measurement(Status.UNKNOWN, "no_such_area", unit="m2", details={"line": rule.line})
    if fp.is_empty:
        return Measurement(Status.UNKNOWN, "no_footprint", unit="m2")
    outside = fp.difference(area)
    tol = ctx.plan_tolerance_m * fp.length
    status = judge(-outside.area, tol) if outside.area > 0 else Status.PASS
    reason = {Status.PASS: "inside", Status.FAIL: "outside_area", Status.REVIEW: "within_tolerance"}[status]
    return Measurement(status, reason, round(outside.area, 3), 0.0, "m2", -outside.area,
                       where=None if outside.is_empty else outside,
                       details={"line": rule.line, **(ctx.site_area_details() if rule.line == "building_line" else {})})
