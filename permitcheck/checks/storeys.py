"""max_storeys: the number of storeys above ground may not exceed a limit.

Counts the storeys that hold a floor slab at or above ground level (see permitcheck.facts.storeys).
A model without storeys gives UNKNOWN, never PASS.

    - id: storeys
      kind: max_storeys
      limit: 4
      citation: {source: code, article: "3"}
"""

from __future__ import annotations

from permitcheck.checks.context import CheckContext
from permitcheck.checks.limits import at_most
from permitcheck.results import Measurement
from permitcheck.rulebook.schema import MaxStoreys


def check(rule: MaxStoreys, ctx: CheckContext) -> Measurement:
    f = ctx.facts
    counted = f.storeys_above_ground if f.storeys else None
    return at_most(None if counted is None else float(counted), float(rule.limit), "storeys", 0.0, "no_storeys",
                   uncertain="storeys" in f.uncertain)
