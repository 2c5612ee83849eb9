"""The rulebook schema: what a city may write in a YAML rulebook.

A rulebook names its legal sources, its zones (each with its own rules) and rules that apply in
every zone. Each rule has an ``id``, a ``kind`` (one module in ``permitcheck.checks`` per kind), a
``citation`` to one of the sources, and a ``severity``. ``extends:`` names a parent rulebook whose
rules this one narrows: a rule with the same id replaces the parent's, and may only tighten it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from permitcheck.rulebook.conditions import Condition, LengthRange, limit_expression
from permitcheck.rulebook.quantities import (Area, Fraction, Length, SignedLength, parse_area, parse_fraction,
                                             parse_length, parse_ratio)


def _non_negative(parse):
    def read(value):
        x = parse(value)
        if x < 0:
            raise ValueError(f"must not be negative, got {x:g} — distances, heights, areas and ratios are zero or more")
        return x
    return read


def _count(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number of storeys (0 or more), got {value!r}")
    return value


# A limit is a quantity, or an expression of the lot's context (permitcheck.rulebook.conditions).
LengthLimit = Annotated[Any, BeforeValidator(limit_expression(_non_negative(parse_length), "length"))]
FractionLimit = Annotated[Any, BeforeValidator(limit_expression(parse_fraction, "fraction"))]
RatioLimit = Annotated[Any, BeforeValidator(limit_expression(_non_negative(parse_ratio), "ratio"))]
AreaLimit = Annotated[Any, BeforeValidator(limit_expression(_non_negative(parse_area), "area"))]
CountLimit = Annotated[Any, BeforeValidator(limit_expression(_count, "count"))]


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
    when: Condition | None = Field(default=None, description="the rule is in force only when this holds")
    note: str | None = None


class MaxHeight(RuleBase):
    kind: Literal["max_height"]
    limit: LengthLimit
    rooftop_free: Length | None = Field(default=None, description="rooftop structures within the profile's share "
                                        "count only above this, not the profile's own allowance (Japan, 法55: 5 m)")


class MaxStoreys(RuleBase):
    kind: Literal["max_storeys"]
    limit: CountLimit


class MaxCoverage(RuleBase):
    kind: Literal["max_coverage"]
    limit: FractionLimit


class MaxFar(RuleBase):
    kind: Literal["max_far"]
    limit: RatioLimit


class MaxFootprintArea(RuleBase):
    kind: Literal["max_footprint_area"]
    limit: AreaLimit


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


class DistanceRange(Strict):
    """A distance the law sets within a range and leaves to a local ordinance (Korea, 건축법 §58: the
    건축조례 fixes it within 별표 2's range): short of the lowest fails, the highest passes, between is
    UNKNOWN until a rulebook that extends this one writes the ordinance's figure."""

    at_least: Length
    at_most: Length

    @model_validator(mode="after")
    def _ordered(self):
        if self.at_most < self.at_least:
            raise ValueError("at_most must not be below at_least")
        return self


class StreetWidth(LengthRange):
    """Only the edges fronting a street this wide (NYC ZR 12-10: a wide street is 75 ft or more)."""

    def describe(self) -> str:
        return super().describe() + " wide"


class ExemptIf(Strict):
    """The rule does not apply when all the land across its boundaries lies in zones outside this list."""

    land_across_not_in: list[str] = Field(min_length=1, description="zone codes that keep the rule")
    citation: Citation


class MinSetback(RuleBase):
    kind: Literal["min_setback"]
    from_: str = Field(alias="from", description="boundary kind: front, side, rear, road, north, any, or a site name")
    distance: Union[Length, LinearDistance, Bands, DistanceRange]
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


class WindowSetback(RuleBase):
    """Window walls keep a distance from the lot lines that front no road: each part's height at most
    `ratio` times it (Korea, 건축법 시행령 §86③1: 2, 4 in 근린상업지역 and 준주거지역)."""

    kind: Literal["window_setback"]
    ratio: float = Field(gt=0, le=100, allow_inf_nan=False, description="height at most ratio x distance")


class BlockSeparation(RuleBase):
    """Blocks on one lot that face each other (or parts of one block) keep their distance (Korea,
    건축법 시행령 §86③2 가, 나, 라, 마목)."""

    kind: Literal["block_separation"]
    ratio: float = Field(gt=0, le=100, allow_inf_nan=False,
                         description="가목: from a window wall, at least ratio x the height of its part")
    south_minimum: Length | None = Field(None, description="나목: where the higher block's main openings face a lower "
                                         "block south of it, at least this and ratio x the lower part's height")
    blind_to_side: Length = Field(description="라목: a wall with no daylight window facing a side wall, at least")
    side_to_side: Length = Field(description="마목: two side walls facing, at least")
    facility_ratio: float | None = Field(None, gt=0, le=100, allow_inf_nan=False,
                                         description="다목: facing a 부대시설 or 복리시설 (a block with no window), at "
                                         "least ratio x its height")
    reach: Length = Field(200.0, gt=0, description="a part farther than this out from a wall does not face it")

    @model_validator(mode="after")
    def _sane(self):
        if self.side_to_side > self.blind_to_side:
            raise ValueError("side_to_side is for side walls facing each other, at most blind_to_side")
        return self


class ParkingRate(Strict):
    """Spaces a floor area A needs: none up to `none_up_to`; else `first` spaces for the area up to
    `first_up_to` and one more per `per` beyond it (Korea, 주차장법 시행령 별표 1: 업무시설 `150 m2`;
    단독주택 none up to 50 m², 1 up to 150 m², one per 100 m² beyond). `set_by` instead names the
    regulation that sets the rate (공동주택: 주택건설기준 등에 관한 규정 제27조), for the officer."""

    per: Area | None = Field(default=None, description="floor area per space beyond first_up_to")
    none_up_to: Area = 0.0
    first: int = Field(default=0, ge=0, le=1000)
    first_up_to: Area = 0.0
    set_by: str | None = Field(default=None, min_length=1, max_length=500)

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value):
        return {"per": value} if isinstance(value, (str, int, float)) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _one_way(self):
        if (self.per is None) == (self.set_by is None):
            raise ValueError("a parking rate needs exactly one of 'per' (an area per space) or 'set_by'")
        if self.per is not None and self.per <= 0:
            raise ValueError("'per' must be an area above zero")
        return self

    def spaces(self, area: float) -> float | None:
        if self.per is None:
            return None
        if area <= self.none_up_to + 1e-9:
            return 0.0
        return self.first + max(0.0, area - self.first_up_to) / self.per


class MinParking(RuleBase):
    """Accessory parking: at least the spaces the building's floor area needs at its use's rate."""

    kind: Literal["min_parking"]
    rates: dict[str, ParkingRate] = Field(min_length=1, description="by the rulebook's building use category")
    otherwise: ParkingRate | None = Field(default=None, description="a use with no rate of its own (그 밖의 건축물)")
    local_share: Fraction = Field(default=0.0, description="a local ordinance may strengthen or relax the count "
                                  "by this share (주차장법 시행령 §6②: one half); the count is a range until a "
                                  "rulebook that extends this one writes the ordinance's rates with 0 here")
    rounding: Literal["half_up", "up", "none"] = "half_up"
    parking_area: Literal["excluded", "included", "unknown"] = Field(
        default="unknown", description="whether the floor area of the parking itself counts: unknown computes both")


def _hours(value) -> float:
    """Hours: a number, or '2.5 h', '150 min', '3 時間', '2 시간'."""
    import re

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        x = float(value)
    else:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(h|hours?|min|minutes?|時間|시간|분)?\s*", str(value))
        if not m:
            raise ValueError(f"{value!r} is not a time — write hours: 3 h, 2.5 h or 150 min")
        x = float(m.group(1)) / (60.0 if (m.group(2) or "h") in ("min", "minute", "minutes", "분") else 1.0)
    if not (0 < x <= 24):
        raise ValueError(f"{value!r}: hours of a day, more than 0 and at most 24")
    return x


Hours = Annotated[float, BeforeValidator(_hours)]


class ShadowApplies(Strict):
    """Which buildings the shadow rule binds (建築基準法 別表第4 (ろ)): over a height, or with eaves
    over a height or at least a number of storeys above ground."""

    height_over: Length | None = None
    eaves_over: Length | None = None
    storeys_at_least: int | None = Field(default=None, ge=1, le=200)

    @model_validator(mode="after")
    def _some(self):
        if self.height_over is None and self.eaves_over is None and self.storeys_at_least is None:
            raise ValueError("say which buildings: height_over, or eaves_over and/or storeys_at_least")
        return self


class ShadowHours(RuleBase):
    """shadow_hours: the time the building's shadow stays on a horizontal plane beyond the lot line,
    on the winter solstice (Japan, 建築基準法 §56-2 and 別表第4): at most the first hours between
    `bands[0]` and `bands[1]` from the lot line, at most the second beyond `bands[1]`. Where the law
    leaves the plane or the hours to a local ordinance, list the choices: the parcel states its
    `shadow_plane_height` and `shadow_column` (1 for the first pair of hours), and without them the
    rule passes only under every choice, fails only under none, and is UNKNOWN between."""

    kind: Literal["shadow_hours"]
    plane_height: list[Length] = Field(min_length=1, max_length=4, description="above the mean ground: "
                                       "[1.5 m], or [4 m, 6.5 m] for the ordinance to choose")
    limits: list[tuple[Hours, Hours]] = Field(min_length=1, max_length=4, description="[near, far] hours: one "
                                              "pair, or the table's columns (一)(二)(三) for the ordinance")
    bands: tuple[Length, Length] = (5.0, 10.0)
    window: tuple[float, float] = Field((8.0, 16.0), description="true solar hours (9-15 in Hokkaido)")
    step: Hours = Field(10 / 60, description="the time step (10 min by default)")
    grid: Length = Field(0.5, gt=0, description="the spacing of the points measured on the plane")
    applies_to: ShadowApplies | None = None
    road_relief: bool = Field(True, description="a lot line on a road (or water) counts half the road's width out; "
                              "5 m short of its far side when it is over 10 m wide (施行令 §135-12③1)")

    @model_validator(mode="after")
    def _sane(self):
        if not (0 <= self.window[0] < self.window[1] <= 24):
            raise ValueError(f"window {self.window}: two true solar hours, the first before the second")
        if not (self.bands[0] < self.bands[1]):
            raise ValueError(f"bands {self.bands}: two distances from the lot line, the nearer first")
        if self.step > 1.0:
            raise ValueError("step: at most 1 h")
        return self


class SunlightHours(RuleBase):
    """sunlight_hours: the sun walls keep on the winter solstice with the building built: at least
    `continuous` hours in a row within `window`, or (when `total` is given) `total` hours in all
    within `total_window` — the walls of the context buildings facing the site, or the building's
    own window walls."""

    kind: Literal["sunlight_hours"]
    receptors: Literal["context", "windows", "units"] = Field(
        "context", description="context: the walls of the site's context buildings facing the parcel; windows: the "
        "model's windows, each on its own; units: the model's dwelling units (세대), by the windows of their rooms")
    continuous: Hours = Field(description="hours of sun in a row, at least")
    window: tuple[float, float] = Field((9.0, 15.0), description="true solar hours the run is counted in")
    total: Hours | None = Field(None, description="or hours of sun in all, at least")
    total_window: tuple[float, float] = (8.0, 16.0)
    receptor_height: Length = Field(1.5, description="above its building's ground (context walls)")
    spacing: Length = Field(2.0, gt=0, description="receptors along a wall, this far apart")
    reach: Length = Field(100.0, description="context walls this near the parcel")
    step: Hours = Field(5 / 60, description="the time step (5 min by default)")

    @model_validator(mode="after")
    def _sane(self):
        for name in ("window", "total_window"):
            w = getattr(self, name)
            if not (0 <= w[0] < w[1] <= 24):
                raise ValueError(f"{name} {w}: two true solar hours, the first before the second")
        if self.step > 1.0:
            raise ValueError("step: at most 1 h")
        return self


class Manual(RuleBase):
    """A question the law asks that the model cannot answer: always REVIEW, for the officer to decide."""

    kind: Literal["manual"]
    question: str = Field(min_length=1, max_length=2000)


SimpleRule = Annotated[
    Union[MaxHeight, MaxStoreys, MaxCoverage, MaxFar, MaxFootprintArea, MinSetback, Within, Plane, Envelope,
          WindowSetback, BlockSeparation, MinParking, ShadowHours, SunlightHours, Manual],
    Field(discriminator="kind"),
]


class Alternative(Strict):
    """One way to comply: every rule in it holds (and its `when`, if any)."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str | None = None
    when: Condition | None = Field(default=None, description="the alternative is open only when this holds")
    rules: list[SimpleRule] = Field(min_length=1)


class AnyOf(RuleBase):
    """Alternatives the applicant may elect (NYC 23-43 or the 23-736 sky exposure plane): the building
    complies when any one of them holds."""

    kind: Literal["any_of"]
    alternatives: list[Alternative] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique(self):
        ids = [a.id for a in self.alternatives]
        if len(set(ids)) != len(ids):
            raise ValueError(f"alternative ids must differ, got {ids}")
        return self


Rule = Annotated[Union[SimpleRule, AnyOf], Field(discriminator="kind")]
RULE_CLASSES = {c.model_fields["kind"].annotation.__args__[0]: c for c in (
    MaxHeight, MaxStoreys, MaxCoverage, MaxFar, MaxFootprintArea, MinSetback, Within, Plane, Envelope, WindowSetback,
    BlockSeparation, MinParking, ShadowHours, SunlightHours, Manual, AnyOf)}
RULE_KINDS = tuple(RULE_CLASSES)


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
    required_road_width: Length | None = Field(
        default=None, description="a road narrower than this sets the building line back to half of it from its "
        "centre line, and the strip is left out of the site area (건축법 §46①, 시행령 §119①1가; 建築基準法 §42②)")

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


class SiteLayers(Strict):
    """How a city's published layers read as a site (`check --cadastre ... --zoning ...`): which
    field names a parcel, which land category makes a parcel a road, which field holds the zone.
    An extending rulebook inherits what it does not set."""

    parcel_id_field: str = Field("id", description="the cadastre's parcel id (Korea: PNU; NYC: BBL)")
    road_field: str | None = Field(None, description="the cadastre field whose value makes a parcel a road")
    road_values: list[str] = Field(default_factory=list, description="values of `road_field` that are roads")
    road_match: Literal["equals", "suffix"] = Field(
        "equals", description="`suffix`: the value ends with one of `road_values` (Korea's JIBUN '123-4도')")
    zone_field: str | None = Field(None, description="the zoning layer's field holding the zone's code or name")
    zone_codes: dict[str, str] = Field(default_factory=dict,
                                       description="a layer's zone value -> this rulebook's zone code")
    encoding: str | None = Field(None, description="a Shapefile's text encoding when it has no .cpg and is not "
                                 "UTF-8 (Korea: cp949)")
    # Context buildings and roads (`check --buildings ... --roads ...`): a layer's field names differ by
    # publisher, so each is a rulebook key that `--site-layer KEY=VALUE` overrides for one run.
    building_height_field: str | None = Field(
        None, description="the buildings layer's height above ground, metres (Korea: HEIGHT of GIS건물통합정보 "
        "F_FAC_BUILDING, where 0 means not known; AL_D010 calls it A16); a name differing only in case matches")
    building_storeys_field: str | None = Field(
        None, description="the buildings layer's storeys above ground, for a building without a height (Korea: "
        "GRND_FLR; AL_D010: A26)")
    storey_height_m: float | None = Field(
        None, gt=0, le=10, allow_inf_nan=False,
        description="metres per storey when a building's height comes from its storey count; none: such a building "
        "is left out")
    buildings_radius_m: float = Field(50.0, gt=0, le=500, allow_inf_nan=False,
                                      description="buildings within this distance of the parcel are read, metres")
    road_width_field: str | None = Field(
        None, description="the roads layer's width in metres: a centre line is buffered by half of it (Korea: "
        "ROAD_BT of the 도로명주소 도로구간 layer TL_SPRD_MANAGE)")


class Readiness(Strict):
    """An IDS file (buildingSMART Information Delivery Specification) of what the rules need from the
    model, run before any rule (`permitcheck[ids]`): each specification the model breaks is an
    UNKNOWN finding naming the elements and what to add. An extending rulebook runs its parents' too."""

    ids: str = Field(description="the .ids file, beside the rulebook or in a folder below it")
    severity: Literal["error", "warning"] = Field(
        "error", description="error: a model that breaks it is UNKNOWN, not PASS; warning: advice that does not "
        "hold the verdict")
    citation: Citation | None = Field(None, description="the article that makes the data needed")


class Rulebook(Strict):
    rulebook: str
    title: str
    jurisdiction: str
    version: str
    effective_from: dt.date
    extends: str | None = None
    sources: dict[str, Source] = Field(default_factory=dict)
    measurement_profile: MeasurementProfile = MeasurementProfile()
    site_layers: SiteLayers = SiteLayers()
    readiness: list[Readiness] = Field(default_factory=list, max_length=20)
    building_uses: dict[str, list[str]] = Field(
        default_factory=dict, description="the uses a condition `use:` names, each with the words (any language) "
        "that a declaration or the model's IfcBuilding may use for it; an extending rulebook adds to them")
    zones: dict[str, Zone] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
