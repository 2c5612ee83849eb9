"""Measurement profiles: the facts as each law defines them, beside the physical facts.

A rulebook names its profile (`measurement_profile: {name: kr-building-act-119}`); `inspect
--profile NAME` shows the same without a rulebook. `physical` is the measured facts unchanged.
Each profile is data (its clauses with article, effective date and grade, and its figures) in a
module of its own, measured by one engine (`profiles.measure`), so a difference between two laws
is a difference in data where the geometry allows.
"""

from __future__ import annotations

from permitcheck.errors import UsageError
from permitcheck.facts.derive import FactSet
from permitcheck.facts.types import Facts
from permitcheck.model.types import Model
import dataclasses

from permitcheck.profiles import de, jp, kr, nyc
from permitcheck.profiles.measure import Profile, legal_facts
from permitcheck.profiles.names import NAMES, PHYSICAL
from permitcheck.profiles.types import Adjustment, Clause, LegalFacts, Uncertain

PROFILES: dict[str, Profile] = {p.name: p for p in (kr.PROFILE, jp.PROFILE, de.PROFILE, nyc.PROFILE)}
assert set(NAMES) == {PHYSICAL, *PROFILES}, "profiles/names.py and the registry disagree"


def physical(facts: Facts) -> LegalFacts:
    """The measured facts as they are: what every rule used before profiles existed."""
    return LegalFacts(PHYSICAL, "physical measurement (outer faces, highest point, every storey with a floor)",
                      facts.footprint_area_m2, facts.gross_floor_area_m2, facts.gross_floor_area_m2, facts.height_m,
                      facts.storeys_above_ground, facts.storeys_below_ground, facts.ground_elevation_m,
                      outline=facts.footprint)


def measure(name: str, model: Model, factset: FactSet, facts: Facts | None = None,
            params: dict | None = None) -> LegalFacts:
    """The legal facts under the profile `name` (raises UsageError for an unknown name)."""
    if name == PHYSICAL:
        return physical(facts or factset.whole)
    if name not in PROFILES:
        raise UsageError(f"unknown measurement profile '{name}' — use one of: {', '.join(NAMES)}")
    profile = PROFILES[name]
    if params and params.get("vollgeschoss") and profile.vollgeschoss is not None:
        profile = dataclasses.replace(profile, vollgeschoss={**profile.vollgeschoss, **params["vollgeschoss"]})
    return legal_facts(profile, model, factset, facts, params)


__all__ = ["NAMES", "PHYSICAL", "PROFILES", "Adjustment", "Clause", "LegalFacts", "Profile", "Uncertain", "measure",
           "physical"]
