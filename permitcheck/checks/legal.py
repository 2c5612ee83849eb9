"""The figure a rule measures: the legal one when the rulebook names a measurement profile.

Coverage, floor area ratio, height and storey rules read the profile's building area, floor area,
height and storeys (permitcheck.profiles); a finding then names the profile and carries the
physical figure beside the legal one, the adjustments between them and what is uncertain.
"""

from __future__ import annotations

from dataclasses import dataclass

from permitcheck.checks.context import CheckContext

_PHYSICAL = {
    "building_area_m2": lambda f: f.footprint_area_m2,
    "floor_area_m2": lambda f: f.gross_floor_area_m2,
    "height_m": lambda f: f.height_m,
    "storeys_above_ground": lambda f: float(f.storeys_above_ground) if f.storeys else None,
}


class LegalMeasurementFailed(Exception):
    """The profile could not measure the model: the rule that needs its figure is an ERROR."""


@dataclass(frozen=True)
class Figure:
    value: float | None
    details: dict  # profile, physical, legal, adjustments, uncertain
    uncertain: bool  # a definition lacked data: PASS becomes REVIEW
    spread: tuple[float, float] | None  # (low, high) offsets of the value the missing data allows


def figure(ctx: CheckContext, fact: str) -> Figure:
    """The value of `fact` a rule judges, with what a report shows beside it."""
    physical = _PHYSICAL[fact](ctx.facts)
    if ctx.legal_error is not None:
        raise LegalMeasurementFailed(ctx.legal_error)
    legal = ctx.legal
    if legal is None or legal.profile == "physical":
        return Figure(physical, {}, False, None)
    value = {"building_area_m2": legal.building_area_m2, "floor_area_m2": legal.floor_area_m2,
             "height_m": legal.height_m, "storeys_above_ground": float(legal.storeys_above_ground)}[fact]
    if fact == "storeys_above_ground" and not ctx.facts.storeys and not legal.adjustments:
        value = None
    doubts = legal.uncertain_about(fact)
    low = sum(u.low for u in doubts if u.low is not None)
    high = sum(u.high for u in doubts if u.high is not None)
    bounded = all(u.low is not None for u in doubts)
    details = {
        "profile": legal.profile, "physical": None if physical is None else round(physical, 6),
        "legal": None if value is None else round(value, 6),
        "adjustments": [a.to_dict() for a in legal.adjustments if a.fact == fact],
    }
    if doubts:
        details["uncertain"] = [u.to_dict() for u in doubts]
    return Figure(value, details, bool(doubts) and not bounded, (low, high) if doubts and bounded else None)
