"""max_far: above-ground gross floor area / parcel area (용적률, GFZ, FAR) may not exceed a ratio.

Gross floor area is the sum over counted storeys at or above ground (see permitcheck.facts.storeys).

    - id: far
      kind: max_far
      limit: 250 %           # or 2.5
      citation: {source: decree, article: "85"}
"""

from __future__ import annotations

from permitcheck.checks.context import CheckContext
from permitcheck.checks.limits import at_most
from permitcheck.results import Measurement
from permitcheck.rulebook.schema import MaxFar


def check(rule: MaxFar, ctx: CheckContext) -> Measurement:
    gfa = ctx.facts.gross_floor_area_m2
    ratio = gfa / ctx.parcel_area_m2 if ctx.facts.storeys_above_ground else None
    details = {"gross_floor_area_m2": round(gfa, 3), "parcel_area_m2": round(ctx.parcel_area_m2, 3)}
    if "gross_floor_area_m2" in ctx.facts.uncertain:
        details["uncertain"] = ctx.facts.uncertain["gross_floor_area_m2"]
    return at_most(ratio, rule.limit, "ratio", ctx.profile.relative_tolerance * rule.limit, "no_floor_area",
                   uncertain="gross_floor_area_m2" in ctx.facts.uncertain, details=details)
