"""max_far: above-ground gross floor area / parcel area (용적률, GFZ, FAR) may not exceed a ratio.

Gross floor area is the sum over counted storeys at or above ground (see permitcheck.facts.storeys),
or the FAR floor area of the rulebook's measurement profile (Korea: 연면적 without basements,
accessory parking and refuge floors, inside the centre lines; see permitcheck.profiles).

    - id: far
      kind: max_far
      limit: 250 %           # or 2.5
      citation: {source: decree, article: "85"}
"""

from __future__ import annotations

from permitcheck.checks.context import CheckContext
from permitcheck.checks.legal import figure
from permitcheck.checks.limits import at_most, limit_of
from permitcheck.results import Measurement
from permitcheck.rulebook.schema import MaxFar

UNIT = "ratio"  # what a finding of this kind measures in
LEGAL = True  # it reads the legal facts: the engine measures it after the kinds that do not


def check(rule: MaxFar, ctx: CheckContext) -> Measurement:
    fig = figure(ctx, "floor_area_m2")
    gfa = fig.value or 0.0
    ratio = gfa / ctx.parcel_area_m2 if ctx.facts.storeys_above_ground else None
    details = {"gross_floor_area_m2": round(gfa, 3), "parcel_area_m2": round(ctx.parcel_area_m2, 3),
               **ctx.site_area_details(), **fig.details}
    if "gross_floor_area_m2" in ctx.facts.uncertain:
        details["uncertain_physical"] = ctx.facts.uncertain["gross_floor_area_m2"]
    spread = tuple(x / ctx.parcel_area_m2 for x in fig.spread) if fig.spread else None
    return at_most(ratio, limit_of(rule, ctx, _pct), "ratio", lambda x: ctx.profile.relative_tolerance * x, "no_floor_area",
                   uncertain="gross_floor_area_m2" in ctx.facts.uncertain or fig.uncertain, spread=spread,
                   details=details)


def _pct(x: float) -> str:
    return f"{x * 100:g} %"
