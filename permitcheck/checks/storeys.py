"""max_storeys: the number of storeys above ground may not exceed a limit.

Counts the storeys that hold a floor slab at or above ground level (see permitcheck.facts.storeys),
or the storeys of the rulebook's measurement profile (basements by the law's depth test, rooftop
structures within 1/8 of the building area not counted; Germany: Vollgeschosse).
A model without storeys gives UNKNOWN, never PASS.

    - id: storeys
      kind: max_storeys
      limit: 4
      citation: {source: code, article: "3"}
"""

from __future__ import annotations

from permitcheck.checks.context import CheckContext
from permitcheck.checks.legal import figure
from permitcheck.checks.limits import at_most, limit_of
from permitcheck.results import Measurement
from permitcheck.rulebook.schema import MaxStoreys

UNIT = "storeys"  # what a finding of this kind measures in
LEGAL = True  # it reads the legal facts: the engine measures it after the kinds that do not


def check(rule: MaxStoreys, ctx: CheckContext) -> Measurement:
    f = ctx.facts
    fig = figure(ctx, "storeys_above_ground")
    return at_most(fig.value, limit_of(rule, ctx), "storeys", 0.0, "no_storeys",
                   uncertain="storeys" in f.uncertain or fig.uncertain, spread=fig.spread, details=fig.details)
