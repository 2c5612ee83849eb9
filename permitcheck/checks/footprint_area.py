"""max_footprint_area: the building's footprint may not exceed an area.

    - id: footprint
      kind: max_footprint_area
      limit: 500 m2
      citation: {source: plan, article: "2"}
"""

from __future__ import annotations

from permitcheck.checks.context import CheckContext
from permitcheck.checks.limits import at_most, limit_of
from permitcheck.results import Measurement
from permitcheck.rulebook.schema import MaxFootprintArea

UNIT = "m2"  # what a finding of this kind measures in


def check(rule: MaxFootprintArea, ctx: CheckContext) -> Measurement:
    area = ctx.facts.footprint_area_m2
    return at_most(area if area > 0 else None, limit_of(rule, ctx, lambda x: f"{x:g} m2"), "m2",
                   lambda x: ctx.profile.relative_tolerance * x,
                   "no_footprint")
