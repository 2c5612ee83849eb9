"""The rulebook schema: what a city may write in a YAML rulebook.

A rulebook names its legal sources, its zones (each with its own rules) and rules that apply in
every zone. Each rule has an ``id``, a ``kind`` (one module in ``permitcheck.checks`` per kind), a
``citation`` to one of the sources, and a ``severity``. ``extends:`` names a parent rulebook whose
rules this one narrows: a rule with the same id replaces the parent's, and may only tighten it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from permitcheck.rulebook.quantities import Area, Fraction, Length, Ratio, SignedLength


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(Strict):
    law: str
    law_en: str | None = None
    article: str | None = None
    ordinance_no: str | None = None
    effective: dt.date | None = None
    url: str | None = None
    grade: Literal["P", "S", "M"] = Field(description="P official text read; S secondary; M unverified")
    checked: str | None = None


class Citation(Strict):
    source: str
    article: str
    note: str | None = None


class RuleBase(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str | None = None
    citation: Citation
    severity: Literal["error", "warning"] = "error"
    applies_in: list[str] | None = None
    note: str | None = None


class MaxHeight(RuleBase):
    kind: Literal["max_height"]
    limit: Length


class MaxStoreys(RuleBase):
    kind: Literal["max_storeys"]
    limit: int = Field(ge=0)


class MaxCoverage(RuleBase):
    kind: Literal["max_coverage"]
    limit: Fraction


class MaxFar(RuleBase):
    kind: Literal["max_far"]
    limit: Ratio = Field(ge=0)


class MaxFootprintArea(RuleBase):
    kind: Literal["max_footprint_area"]
    limit: Area


class LinearDistance(Strict):
    """distance >= max(min, ratio x height + plus), height of each part above ground."""

    ratio: float = Field(ge=0, allow_inf_nan=False)
    plus: SignedLength = 0.0
    min: Length = 0.0


class Band(Strict):
    """A requirement for the parts of the building up to, or above, a height."""

    up_to: Length | None = None
    above: Length | None = None
    distance: Length | None = None
    ratio: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    plus: SignedLength = 0.0

    @model_validator(mode="after")
    def _one_of_each(self):
        if (self.up_to is None) == (self.above is None):
            raise ValueError("a band needs exactly one of 'up_to' or 'above'")
        if (self.distance is None) == (self.ratio is None):
            raise ValueError("a band needs exactly one of 'distance' (a length) or 'ratio' (times the height)")
        return self


class Bands(Strict):
    bands: list[Band] = Field(min_length=1)


class StreetWidth(Strict):
    """Only the edges fronting a street this wide (NYC ZR 12-10: a wide street is 75 ft or more)."""

    at_least: Length | None = None
    below: Length | None = None

    @model_validator(mode="after")
    def _one_bound(self):
        if self.at_least is None and self.below is None:
            raise ValueError("a street width needs 'at_least' or 'below' (or both), e.g. {at_least: 75 ft}")
        return self

    def admits(self, width: float) -> bool:
        # the same tolerance on both bounds: {at_least: 75 ft} and {below: 75 ft} never both admit a width
        return (self.at_least is None or width >= self.at_least - 1e-9) and \
            (self.below is None or width < self.below - 1e-9)

    def describe(self) -> str:
        parts = ([f"at least {self.at_least:g} m"] if self.at_least is not None else []) + \
                ([f"below {self.below:g} m"] if self.below is not None else [])
        return " and ".join(parts) + " wide"


class ExemptIf(Strict):
    """The rule does not apply when all the land across its boundaries lies in zones outside this list."""

    land_across_not_in: list[str] = Field(min_length=1, description="zone codes that keep the rule")
    citation: Citation


class MinSetback(RuleBase):
    kind: Literal["min_setback"]
    from_: str = Field(alias="from", description="boundary kind: front, side, rear, road, north, any, or a site name")
    distance: Union[Length, LinearDistance, Bands]
    street: StreetWidth | None = Field(default=None, description="only edges fronting a street this wide")
    exempt_if: ExemptIf | None = None


class Clearance(Strict):
    """Nothing above `above` within `distance` of the base line (NYC initial setback; Korea's 1.5 m)."""

    distance: Length
    above: Length = 0.0
    above_storeys: int | None = Field(default=None, ge=1, description="'above' is at most the top of this many "
                                      "storeys above ground (NYC: 60 feet or six stories, whichever is less)")


class Plane(RuleBase):
    kind: Literal["plane"]
    from_: Union[str, list[str]] = Field(alias="from", description="boundary kinds the planes start from")
    base: Literal["boundary", "far_side_of_road"] = "boundary"
    measure: Literal["perpendicular", "grid_north", "true_north"] = "perpendicular"
    start_height: Length = 0.0
    slope: float = Field(gt=0, allow_inf_nan=False, description="vertical : horizontal")
    above: Length | None = Field(default=None, description="the plane limits only the parts higher than this")
    reach: Length | None = Field(default=None, gt=0, description="horizontal extent from the base line")
    clear: Clearance | None = None
    setback_relief: bool = False
    street: StreetWidth | None = Field(default=None, description="only edges fronting a street this wide")
    exempt_if: ExemptIf | None = None


class Envelope(RuleBase):
    kind: Literal["envelope"]
    include: list[str] | None = Field(default=None, description="rule ids; default: every plane, min_setback "
                                                                "and max_height rule of the zone")
    height: Length | None = Field(default=None, description="a height cap of its own")


class Within(RuleBase):
    kind: Literal["within"]
    line: str = "parcel"


Rule = Annotated[
    Union[MaxHeight, MaxStoreys, MaxCoverage, MaxFar, MaxFootprintArea, MinSetback, Within, Plane, Envelope],
    Field(discriminator="kind"),
]
RULE_KINDS = ("max_height", "max_storeys", "max_coverage", "max_far", "max_footprint_area", "min_setback", "within",
              "plane", "envelope")


class Zone(Strict):
    names: list[str] = Field(default_factory=list)
    title: str | None = None
    rules: list[Rule] = Field(default_factory=list)


class Vollgeschoss(Strict):
    """A German Land's Vollgeschoss, as `de-baunvo-19-20` reads it (BauNVO §20(1) leaves it to the Land)."""

    land: str
    deck_above_ground: Length = Field(description="the deck over it stands more than this above the mean ground")
    min_height: Length = Field(description="the height a Vollgeschoss has (over the share of its area)")


class MeasurementProfile(Strict):
    """How facts are measured: the law's definitions (`name`, see permitcheck.profiles), and the
    tolerance inside which a margin is REVIEW. An extending rulebook inherits what it does not set."""

    name: str | None = Field(default=None, description="physical (default), kr-building-act-119, "
                             "jp-bsa-enforcement-2, de-baunvo-19-20 or nyc-zr-12-10")
    length_tolerance: Length = 0.05
    relative_tolerance: float = Field(default=0.005, ge=0, le=0.1, allow_inf_nan=False)
    note: str | None = None
    building_use: str | None = Field(default=None, description="e.g. apartment: Korea's pilotis of an "
                                     "apartment building are no floor area whatever their use")
    parking_accessory: bool | None = Field(default=None, description="parking serves the building (excluded "
                                           "from the floor area ratio); false for a parking building")
    uses: dict[str, list[str]] | None = Field(default=None, description="more words that name a space's use, "
                                              "by use: parking, passage, pilotis, refuge, ...")
    vollgeschoss: Vollgeschoss | None = None

    @model_validator(mode="after")
    def _known_profile(self):
        from permitcheck.profiles.names import NAMES

        if self.name is not None and self.name not in NAMES:
            raise ValueError(f"unknown measurement profile '{self.name}' — use one of: {', '.join(NAMES)}")
        return self

    def parameters(self) -> dict:
        """What the profile reads beyond its own defaults."""
        out = {k: getattr(self, k) for k in ("building_use", "parking_accessory", "uses") if getattr(self, k) is not None}
        if self.vollgeschoss is not None:
            out["vollgeschoss"] = {"land": self.vollgeschoss.land,
                                   "deck_above_ground_m": self.vollgeschoss.deck_above_ground,
                                   "min_height_m": self.vollgeschoss.min_height}
        return out


class Rulebook(Strict):
    rulebook: str
    title: str
    jurisdiction: str
    version: str
    effective_from: dt.date
    extends: str | None = None
    sources: dict[str, Source] = Field(default_factory=dict)
    measurement_profile: MeasurementProfile = MeasurementProfile()
    zones: dict[str, Zone] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
