"""Facts + site + rulebook → findings. The engine gives each measurement its rule's identity."""

from __future__ import annotations

import dataclasses

from permitcheck.checks import CHECKS, CheckContext
from permitcheck.results import Finding, Measurement, Status
from permitcheck.rulebook import LoadedRulebook, rules_for_zone


UNITS = {"max_height": "m", "max_storeys": "storeys", "max_coverage": "ratio", "max_far": "ratio",
         "max_footprint_area": "m2", "min_setback": "m", "within": "m2",
         "plane": "m", "envelope": "m3"}


def evaluate(ctx: CheckContext, rulebook: LoadedRulebook, zone: str) -> list[Finding]:
    findings = []
    rules = rules_for_zone(rulebook, zone)
    ctx = dataclasses.replace(ctx, rules=tuple(rules))
    for rule in rules:
        check = CHECKS[rule.kind]  # the schema admits no kind without a check
        try:
            m = check(rule, ctx)
        except Exception as e:  # noqa: BLE001 - one broken check must not hide the others
            m = Measurement(Status.ERROR, "check_failed", unit=UNITS[rule.kind],
                            details={"error": f"{type(e).__name__}: {e}"})
        findings.append(Finding(
            rule=rule.id, title=rule.title or rule.id, kind=rule.kind, severity=rule.severity,
            citation=rule.citation.model_dump(exclude_none=True), m=m,
        ))
    return findings
