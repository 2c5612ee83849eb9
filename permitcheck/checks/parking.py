"""min_parking: accessory parking (부설주차장) of at least the spaces the floor area needs at its use's rate.

Korea, 주차장법 §19③ and 시행령 §6①, 별표 1: spaces by 시설면적 (the sum of floor areas, common areas
included) per use; §6② lets the city's ordinance strengthen or relax each rate by up to one half,
so the national rulebook's requirement is a range (`local_share`) until a city's rulebook writes its
ordinance's rates.

    - id: parking
      kind: min_parking
      rates: {업무시설: 150 m2, 위락시설: 100 m2,
              단독주택: {none_up_to: 50 m2, first: 1, first_up_to: 150 m2, per: 100 m2},
              아파트: {set_by: "주택건설기준 등에 관한 규정 제27조제1항"}}
      otherwise: 300 m2          # 그 밖의 건축물
      local_share: 50 %
      citation: {source: parking-decree, article: "별표 1"}

The floor area is the profile's 연면적 (every storey, basements included; the physical sum without a
profile). Whether the parking's own floor area counts is `parking_area`; `unknown` judges both ways.
The use comes from `--declare use=` or the model's IfcBuilding; words that name several categories
(공동주택) bound the count by each category's rate over the whole area. The spaces provided are
`--declare parking_spaces=N`, else the model's stalls: IfcSpaces named for parking whose plan is the
size of one stall (`STALL_M2`). A parking hall not divided into stalls, or no parking in the model,
leaves the count open: UNKNOWN, naming what to add.
"""

from __future__ import annotations

import math

from permitcheck.checks.conditions import use_categories
from permitcheck.checks.context import CheckContext
from permitcheck.profiles.uses import space_plan, uses_of, words
from permitcheck.results import Measurement, Status
from permitcheck.rulebook.schema import MinParking

UNIT = "spaces"  # what a finding of this kind measures in
LEGAL = True  # it reads the legal facts: the engine measures it after the kinds that do not
# One stall's plan, m²: 주차장법 시행규칙 §3① from 경형 2.0 x 3.6 m (7.2) to 장애인전용 3.3 x 5.0 m (16.5), with a
# margin for walls drawn to the space's outline; a larger parking space is a hall whose stalls are not modelled.
STALL_M2 = (6.0, 20.0)


def check(rule: MinParking, ctx: CheckContext) -> Measurement:
    read: dict = {}
    cats = use_categories(ctx, read)
    area, parking_area, area_basis = _floor_area(ctx)
    details: dict = {"floor_area_m2": round(area, 3), "parking_floor_area_m2": round(parking_area, 3),
                     "floor_area_basis": area_basis, "parking_area": rule.parking_area,
                     "local_share": rule.local_share, "context": read}
    if cats is None:
        return Measurement(Status.UNKNOWN, "use_unknown", unit=UNIT, details={**details, "why": read["use"]["basis"]})
    rates = {c: rule.rates.get(c, rule.otherwise) for c in sorted(cats)}
    details["rates"] = {c: None if r is None else r.model_dump(exclude_defaults=True) for c, r in rates.items()}
    if any(r is None for r in rates.values()):
        missing = ", ".join(c for c, r in rates.items() if r is None)
        return Measurement(Status.UNKNOWN, "no_parking_rate", unit=UNIT, details={**details, "uses": missing})
    elsewhere = {c: r.set_by for c, r in rates.items() if r.set_by is not None}
    if elsewhere:
        by = "; ".join(f"{c}: {s}" for c, s in elsewhere.items())
        return Measurement(Status.REVIEW, "parking_rate_elsewhere", unit=UNIT, details={**details, "set_by": by})
    low_area = area - parking_area if rule.parking_area in ("excluded", "unknown") else area
    high_area = area if rule.parking_area in ("included", "unknown") else area - parking_area
    low = min(r.spaces(low_area) for r in rates.values()) * (1 - rule.local_share)
    high = max(r.spaces(high_area) for r in rates.values()) * (1 + rule.local_share)
    need = (_round(low, rule.rounding), _round(high, rule.rounding))
    details["required_range"] = [need[0], need[1]]
    details["why_range"] = _why_range(rule, cats, parking_area, need)
    have, have_basis, stalls = _provided(ctx)
    details.update(provided_basis=have_basis, stalls=stalls)
    if have[0] >= need[1] - 1e-9:
        return Measurement(Status.PASS, "parking_enough", have[0], need[1], UNIT, have[0] - need[1], details=details)
    if have[1] < need[0] - 1e-9:
        return Measurement(Status.FAIL, "parking_short", have[1], need[0], UNIT, have[1] - need[0], details=details)
    if math.isinf(have[1]):
        return Measurement(Status.UNKNOWN, "no_parking_count", have[0], None, UNIT, details=details)
    return Measurement(Status.UNKNOWN, "parking_range", have[0], None, UNIT, details=details)


def _round(x: float, how: str) -> float:
    if how == "up":
        return float(math.ceil(x - 1e-9))
    if how == "half_up":
        return float(math.floor(x + 0.5 + 1e-9))
    return x


def _floor_area(ctx: CheckContext) -> tuple[float, float, str]:
    """(시설면적 with the parking in it, the parking's floor area, where the first came from)."""
    legal = ctx.legal
    if legal is not None and legal.profile != "physical":
        area, basis = legal.gross_floor_area_m2, f"the gross floor area of every storey ({legal.profile})"
    else:
        area = float(sum(s.gross_area_m2 for s in ctx.facts.storeys if s.counted))
        basis = "the gross floor area of every storey, basements included"
    vocab = words(ctx.profile.uses)
    parking = sum(float(space_plan(s).area) for s in ctx.spaces
                  if s.storey_id is not None and "parking" in uses_of(s, vocab))
    return area, min(parking, area), basis


def _provided(ctx: CheckContext) -> tuple[tuple[float, float], str, list[str]]:
    """(low, high) spaces provided, how that is known, and the stalls counted."""
    given = dict(ctx.declared).get("parking_spaces")
    if given is not None:
        n = int(str(given).strip())  # a whole number: checked where declarations come in (checking._declared)
        return (float(n), float(n)), "declared (parking_spaces)", []
    vocab = words(ctx.profile.uses)
    stalls, halls = [], []
    for s in ctx.spaces:
        if "parking" not in uses_of(s, vocab):
            continue
        a = float(space_plan(s).area)
        (stalls if STALL_M2[0] <= a <= STALL_M2[1] else halls).append(s.global_id)
    if halls:
        return (float(len(stalls)), math.inf), (
            f"{len(halls)} parking space(s) in the model are not one stall each ({STALL_M2[0]:g}–{STALL_M2[1]:g} m²) "
            f"and {len(stalls)} are: model the stalls as IfcSpaces or declare parking_spaces=N"), stalls
    if not stalls:
        return (0.0, math.inf), ("the model has no parking stalls (IfcSpace named for parking) and none were "
                                 "declared: model them or declare parking_spaces=N"), []
    return (float(len(stalls)), float(len(stalls))), (
        f"{len(stalls)} stall(s) modelled as IfcSpaces named for parking; declare parking_spaces=N if more are on "
        "the lot"), stalls


def _why_range(rule: MinParking, cats: set[str], parking_area: float, need: tuple[float, float]) -> str:
    if need[0] == need[1]:
        return ""
    why = []
    if rule.local_share:
        why.append(f"the local ordinance may move it by {rule.local_share * 100:g} % either way")
    if len(cats) > 1 and len({rule.rates.get(c, rule.otherwise) for c in cats}) > 1:
        why.append(f"the use names several categories ({', '.join(sorted(cats))}): declare use=one of them")
    if rule.parking_area == "unknown" and parking_area > 0:
        why.append(f"whether the parking's own {parking_area:.1f} m² counts is not settled")
    return "; ".join(why)
