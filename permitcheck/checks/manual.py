"""manual: a question the law asks that the model cannot answer, put to the permit officer.

Never PASS or FAIL: the finding is REVIEW with the question, so a verdict that rests on it cannot
read as decided by the machine (NYC 23-732: the floor area of a sky exposure plane building by
its height factor and open space ratio).

    - id: height_factor
      kind: manual
      question: "Does the floor area ratio keep the height factor table of 23-732?"
      citation: {source: zr, article: "23-732"}
"""

from __future__ import annotations

from permitcheck.checks.context import CheckContext
from permitcheck.results import Measurement, Status
from permitcheck.rulebook.schema import Manual

UNIT = ""  # what a finding of this kind measures in


def check(rule: Manual, ctx: CheckContext) -> Measurement:
    return Measurement(Status.REVIEW, "decided_by_officer", unit=UNIT, details={"question": rule.question})
