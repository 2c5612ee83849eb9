"""Facts + site + rulebook → findings. The engine gives each measurement its rule's identity."""

from __future__ import annotations

import dataclasses

from permitcheck.checks import CHECKS, CheckContext
from permitcheck.checks.exemptions import exemption
from permitcheck.results import Finding, Measurement, Status
from permitcheck.rulebook import LoadedRulebook, rules_for_zone, zone_codes


UNITS = {"max_height": "m", "max_storeys": "storeys", "max_coverage": "ratio", "max_far": "ratio",
         "max_footprint_area": "m2", "min_setback": "m", "within": "m2",
         "plane": "m", "envelope": "m3"}


def _exemption(rule, ctx: CheckContext, names: dict) -> dict | None:
    try:
        return exemption(rule, ctx, names)
    except Exception as e:  # noqa: BLE001 - a broken exemption keeps the rule, and says why
        return {"exempt": False, "land_across": {}, "citation": rule.exempt_if.citation.model_dump(exclude_none=True),
                "why_not": f"the exemption could not be evaluated: {type(e).__name__}: {e}"}


def evaluate(ctx: CheckContext, rulebook: LoadedRulebook, zone: str) -> list[Finding]:
    findings = []
    rules = rules_for_zone(rulebook, zone)
    names = zone_codes(rulebook)
    exempt = {r.id: _exemption(r, ctx, names) for r in rules}
    out = frozenset(i for i, ex in exempt.items() if ex and ex["exempt"])
    # an exempt rule is out of force: an envelope rule gathering the zone's planes leaves it out too
    ctx = dataclasses.replace(ctx, rules=tuple(r for r in rules if r.id not in out), exempt=out)
    for rule in rules:
        check = CHECKS[rule.kind]  # the schema admits no kind without a check
        ex = exempt[rule.id]
        try:
            if ex and ex["exempt"]:
                side = rule.from_ if isinstance(rule.from_, str) else "/".join(rule.from_)
                m = Measurement(Status.NOT_APPLICABLE, "exempt", unit=UNITS[rule.kind],
                                details={"from": side, "exemption": ex})
            else:
                m = check(rule, ctx)
                if ex:  # say why the exemption did not hold: the officer may know better than the site file
                    m = dataclasses.replace(m, details={**m.details, "exemption": ex})
        except Exception as e:  # noqa: BLE001 - one broken check must not hide the others
            m = Measurement(Status.ERROR, "check_failed", unit=UNITS[rule.kind],
                            details={"error": f"{type(e).__name__}: {e}"})
        if m.status == Status.PASS and ctx.unmeasured:
            # an element that could not be measured may be the one that breaks the rule
            m = dataclasses.replace(m, status=Status.REVIEW, reason="elements_not_measured",
                                    details={**m.details, "elements_not_measured": list(ctx.unmeasured)})
        findings.append(Finding(
            rule=rule.id, title=rule.title or rule.id, kind=rule.kind, severity=rule.severity,
            citation=rule.citation.model_dump(exclude_none=True), m=m,
        ))
    return findings
