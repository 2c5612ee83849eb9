"""max_height: the building's height above ground level may not exceed a limit.

Height is measured from the ground level (the storey at project zero, or --ground-level) to the
highest point of any building element, rooftop structures included; or as the rulebook's
measurement profile defines it (Korea and Japan: from the mean ground, rooftop structures within
1/8 of the building area only above 12 m).

    - id: height
      kind: max_height
      limit: 12 m            # or "40 ft"
      citation: {source: code, article: "55"}

Passes at 11.9 m against 12 m; fails at 12.5 m; REVIEW within the profile's length tolerance.
"""

from __future__ import annotations

from permitcheck.checks.context import CheckContext
from permitcheck.checks.legal import figure
from permitcheck.checks.limits import at_most, limit_of
from permitcheck.geojson import geojson
from permitcheck.results import Measurement
from permitcheck.rulebook.schema import MaxHeight

UNIT = "m"  # what a finding of this kind measures in
LEGAL = True  # it reads the legal facts: the engine measures it after the kinds that do not


def check(rule: MaxHeight, ctx: CheckContext) -> Measurement:
    f = ctx.facts
    ids = (f.highest_element.global_id,) if f.highest_element else ()
    edges = ctx.site.edges_labelled("front") or list(ctx.site.edges)
    details = {}
    sil = ctx.silhouette(edges[0]) if edges and f.height_m is not None else None
    if sil is not None:  # an elevation seen from the front (or the first) edge
        details["section"] = {"edge": edges[0].index, "silhouette": geojson(sil)}
    fig = figure(ctx, "height_m")
    details.update(fig.details)
    value = fig.value
    if rule.rooftop_free is not None and value is not None:
        # the profile left rooftop structures out up to its own allowance (12 m); this rule allows less
        left_out = -sum(a["delta"] for a in fig.details.get("adjustments", ()) if a.get("step") == "rooftop_height")
        if left_out > rule.rooftop_free:
            value += left_out - rule.rooftop_free
            details["rooftop_free_m"] = rule.rooftop_free
            details["legal"] = round(value, 6)
    if "height_m" in f.uncertain:
        details["uncertain_physical"] = f.uncertain["height_m"]
    return at_most(value, limit_of(rule, ctx, lambda x: f"{x:g} m"), "m", ctx.profile.length_tolerance, "no_height", global_ids=ids,
                   details=details, uncertain="height_m" in f.uncertain or fig.uncertain, spread=fig.spread)
