"""max_coverage: building area / parcel area (건폐율, GRZ, lot coverage) may not exceed a ratio.

Building area is the footprint fact (the plan of everything above ground level), or the building
area of the rulebook's measurement profile (Korea and Japan: inside the outer walls' centre lines,
eaves counted back from their tip).

    - id: coverage
      kind: max_coverage
      limit: 60 %            # or 0.6
      citation: {source: decree, article: "84"}
"""

from __future__ import annotations

from permitcheck.checks.context import CheckContext
from permitcheck.checks.legal import figure
from permitcheck.checks.limits import at_most, limit_of
from permitcheck.results import Measurement
from permitcheck.rulebook.schema import MaxCoverage

UNIT = "ratio"  # what a finding of this kind measures in
LEGAL = True  # it reads the legal facts: the engine measures it after the kinds that do not


def check(rule: MaxCoverage, ctx: CheckContext) -> Measurement:
    fig = figure(ctx, "building_area_m2")
    area = fig.value or 0.0
    ratio = area / ctx.parcel_area_m2 if area > 0 else None
    spread = tuple(x / ctx.parcel_area_m2 for x in fig.spread) if fig.spread else None
    return at_most(ratio, limit_of(rule, ctx, _pct), "ratio", lambda x: ctx.profile.relative_tolerance * x, "no_footprint",
                   uncertain=fig.uncertain, spread=spread,
                   details={"building_area_m2": round(area, 3), "parcel_area_m2": round(ctx.parcel_area_m2, 3),
                            **ctx.site_area_details(),
                            **fig.details})


def _pct(x: float) -> str:
    return f"{x * 100:g} %"
