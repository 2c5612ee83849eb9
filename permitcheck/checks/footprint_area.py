"""max_footprint_area: the building's footprint may not exceed an area.

    - id: footprint
      kind: max_footprint_area
      limit: 500 m2
      citation: {source: plan, article: "2"}
"""

from __future__ import annotations

from permitcheck.checks.context import CheckContext
from permitcheck.checks.limits import at_most
from permitcheck.results import Measurement
from permitcheck.rulebook.schema import MaxFootprintArea


def check(rule: MaxFootprintArea, ctx: CheckContext) -> Measurement:
    area = ctx.facts.footprint_area_m2
    return at_most(area if area > 0 else None, rule.limit, "m2", ctx.profile.relative_tolerance * rule.limit,
                   "no_footprint")
