"""Facts + site + rulebook → findings. The engine gives each measurement its rule's identity.

Before a rule is measured, the engine decides whether it is in force here: an exemption
(`exempt_if`) or a condition (`when`) that does not hold takes it out (NOT_APPLICABLE, saying
why); a condition that cannot be told (a fact missing, a declaration not made) leaves it in, and
a FAIL from it becomes UNKNOWN with what would tell. An `any_of` is judged alternative by
alternative, each with the zone's other rules beside its own (an envelope inside gathers both).
"""

from __future__ import annotations

import dataclasses

from permitcheck.checks import CHECKS, READS_LEGAL, UNITS, CheckContext
from permitcheck.checks.alternatives import combine, outcome
from permitcheck.checks.conditions import truth
from permitcheck.checks.exemptions import exemption
from permitcheck.results import Finding, Measurement, Status
from permitcheck.rulebook import LoadedRulebook, rules_for_zone, zone_codes
from permitcheck.rulebook.schema import AnyOf


def _exemption(rule, ctx: CheckContext, names: dict) -> dict | None:
    try:
        return exemption(rule, ctx, names)
    except Exception as e:  # noqa: BLE001 - a broken exemption keeps the rule, and says why
        return {"exempt": False, "land_across": {}, "citation": rule.exempt_if.citation.model_dump(exclude_none=True),
                "why_not": f"the exemption could not be evaluated: {type(e).__name__}: {e}"}


def _condition(cond, ctx: CheckContext) -> tuple[bool | None, dict | None]:
    """(holds, what to show) of a `when`; None when there is none."""
    if cond is None:
        return True, None
    read: dict = {}
    try:
        t = truth(cond, ctx, read)
    except Exception as e:  # noqa: BLE001 - a broken condition cannot be told, and says why
        t, read = None, {"error": f"{type(e).__name__}: {e}"}
    return t, {"condition": cond.describe(), "holds": t, "read": read}


@dataclasses.dataclass
class _Scope:
    """Which rules are in force, out of force, or in doubt; what each exemption and condition said."""

    exempt: dict
    conditions: dict
    out: set
    doubtful: set
    failed_if_in_force: dict = dataclasses.field(default_factory=dict)  # id -> the FAIL it would be


def _scope(rules: list, ctx: CheckContext, names: dict) -> _Scope:
    exempt = {r.id: _exemption(r, ctx, names) for r in rules}
    conditions = {r.id: _condition(r.when, ctx) for r in rules}
    out = {i for i, ex in exempt.items() if ex and ex["exempt"]} | {i for i, (t, _) in conditions.items() if t is False}
    doubtful = {i for i, (t, _) in conditions.items() if t is None}
    return _Scope(exempt, conditions, out, doubtful)


def _measure(rule, ctx: CheckContext, scope: _Scope) -> Measurement:
    unit = UNITS[rule.kind]
    ex = scope.exempt[rule.id]
    holds, shown = scope.conditions[rule.id]
    if ex and ex["exempt"]:
        side = rule.from_ if isinstance(rule.from_, str) else "/".join(rule.from_)
        return Measurement(Status.NOT_APPLICABLE, "exempt", unit=unit, details={"from": side, "exemption": ex})
    if holds is False:
        return Measurement(Status.NOT_APPLICABLE, "condition_not_met", unit=unit, details={"when": shown})
    try:
        m = CHECKS[rule.kind](rule, ctx)  # the schema admits no kind without a check
    except Exception as e:  # noqa: BLE001 - one broken check must not hide the others
        return Measurement(Status.ERROR, "check_failed", unit=unit, details={"error": f"{type(e).__name__}: {e}"})
    if ex:  # say why the exemption did not hold: the officer may know better than the site file
        m = dataclasses.replace(m, details={**m.details, "exemption": ex})
    if shown is not None:
        m = dataclasses.replace(m, details={**m.details, "when": shown})
    failing_from = [c["rule"] for c in m.details.get("components", ()) if c.get("status") == "FAIL"]
    in_doubt = bool(failing_from) and all(r in scope.doubtful for r in failing_from)  # the parcel (None) is certain
    if m.status == Status.FAIL and (holds is None or in_doubt):
        # it fails only if it is in force, and whether it is cannot be told: say what would tell
        scope.failed_if_in_force[rule.id] = m
        m = dataclasses.replace(m, status=Status.UNKNOWN, reason="condition_unknown")
    if m.status in (Status.PASS, Status.FAIL) and ctx.zone_split:
        # checked under one zone; the law may hold each part of the parcel to its own zone
        return dataclasses.replace(m, status=Status.REVIEW, reason="zone_split",
                                   details={**m.details, "zone_split": [list(z) for z in ctx.zone_split],
                                            "status_in_zone": m.status.value})
    if m.status == Status.PASS and ctx.unmeasured:
        # an element that could not be measured may be the one that breaks the rule
        m = dataclasses.replace(m, status=Status.REVIEW, reason="elements_not_measured",
                                details={**m.details, "elements_not_measured": list(ctx.unmeasured)})
    return m


def _either_way(rules: list, measured: dict, scope: _Scope) -> dict:
    """Two rules in doubt whose conditions are each other's negation: one of them is in force. When
    both would fail, the building fails either way (MBO §6(5): 0.4 H, or 3 m for a declared dwelling)."""
    out = dict(measured)
    by_id = {r.id: r for r in rules}
    for a in scope.failed_if_in_force:
        for b in scope.failed_if_in_force:
            ca, cb = by_id[a].when, by_id[b].when
            if a != b and ca is not None and cb is not None and (ca.not_ == cb or cb.not_ == ca):
                fail = scope.failed_if_in_force[a]
                out[a] = dataclasses.replace(fail, details={**fail.details, "fails_either_way": b})
    return out


def _finding(rule, m: Measurement) -> Finding:
    return Finding(rule=rule.id, title=rule.title or rule.id, kind=rule.kind, severity=rule.severity,
                   citation=rule.citation.model_dump(exclude_none=True), m=m)


def _with_rules(ctx: CheckContext, rules: tuple, exempt: frozenset) -> CheckContext:
    """The context with other rules in force, keeping what it has already measured (the building's
    triangles and solid, the lot): an alternative is judged on the same building."""
    out = dataclasses.replace(ctx, rules=rules, exempt=exempt)
    for name in ("triangles", "building_solid", "lot", "building_line", "_element_plans"):
        if name in ctx.__dict__:
            out.__dict__[name] = ctx.__dict__[name]
    for name in ("shared", "_plans_above", "_silhouettes"):  # stores filled as they are asked: one for all
        out.__dict__[name] = getattr(ctx, name)
    return out


def _any_of(rule: AnyOf, ctx: CheckContext, scope: _Scope, common: list, names: dict) -> Measurement:
    outcomes = []
    for alt in rule.alternatives:
        open_, shown = _condition(alt.when, ctx)
        inner = _scope(alt.rules, ctx, names)
        inner.doubtful |= scope.doubtful
        in_force = tuple(r for r in common + list(alt.rules) if r.id not in scope.out | inner.out)
        actx = _with_rules(ctx, in_force, frozenset(scope.out | inner.out))
        measured = _either_way(alt.rules, {r.id: _measure(r, actx, inner) for r in alt.rules}, inner)
        findings = [_finding(r, measured[r.id]) for r in alt.rules]
        outcomes.append(outcome(alt, findings, open_, shown))
    return combine(outcomes)


def _reads_legal(rule) -> bool:
    if isinstance(rule, AnyOf):
        return any(_reads_legal(r) for alt in rule.alternatives for r in alt.rules)
    return rule.kind in READS_LEGAL


def evaluate(ctx: CheckContext, rulebook: LoadedRulebook, zone: str) -> list[Finding]:
    rules = rules_for_zone(rulebook, zone)
    names = zone_codes(rulebook)
    scope = _scope(rules, ctx, names)
    common = [r for r in rules if not isinstance(r, AnyOf)]
    # a rule out of force is out of every envelope too, even one that names it in `include`
    ctx = dataclasses.replace(ctx, rules=tuple(r for r in common if r.id not in scope.out),
                              exempt=frozenset(scope.out))
    measured = {}
    # the rules that read the legal facts last: measured aside (`CheckContext.legal_measured`), they
    # come while the others are measured (the findings keep the rulebook's order)
    for rule in sorted(rules, key=_reads_legal):
        if isinstance(rule, AnyOf):
            holds, shown = scope.conditions[rule.id]
            if holds is False:
                m = Measurement(Status.NOT_APPLICABLE, "condition_not_met", unit="", details={"when": shown})
            else:
                m = _any_of(rule, ctx, scope, common, names)
                if shown is not None:
                    m = dataclasses.replace(m, details={**m.details, "when": shown})
                if holds is None and m.status == Status.FAIL:  # fails only if it is in force at all
                    m = dataclasses.replace(m, status=Status.UNKNOWN, reason="condition_unknown")
        else:
            m = _measure(rule, ctx, scope)
        measured[rule.id] = m
    measured = _either_way(rules, measured, scope)
    return [_finding(rule, measured[rule.id]) for rule in rules]
