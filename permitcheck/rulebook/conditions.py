"""Conditions and context-dependent limits: what a rule's force or its figure depends on, as data.

A rule may hold only `when:` a condition holds, and a limit may be an expression instead of a
number. Both read the lot (front road width, corner lot, lot width and depth, flags the parcel
states: see permitcheck.site.lot), the building (storeys above ground) and what the applicant
declares (`--declare building_class=2`). Written as data, never as code per jurisdiction:

    when: {corner_lot: true}                       # or {flag: corner_lot_designated}
    when: {front_road_width: {below: 12 m}}
    when: {near_street: {within: 100 ft, street: {at_least: 75 ft}}}
    when: {all: [{use: [Wohngebäude]}, {storeys_above_ground: {at_most: 3}}]}

    limit: {when: {corner_lot: true}, then: 100 %, else: 80 %}
    limit: {min: [200 %, {of: front_road_width, times: 0.4}]}   # the road's width in metres x 0.4

`{site: NAME}` is a figure the site file states on the parcel (a designation per area, such as
Japan's 指定容積率: `designated_far: "200 %"`). `{of: FACT, times: F}` is the number of metres of a lot fact times F: 建築基準法 §52② reads the
front road's width "のメートルの数値に十分の四を乗じたもの", a ratio. `min`, `max` and `sum`
combine terms; `when`/`then`/`else` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from permitcheck.rulebook.quantities import Length

LOT_LENGTHS = ("front_road_width", "lot_width", "lot_depth")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LengthRange(_Strict):
    """A length at least, and/or below, a bound (the bounds of a street's or a lot's width)."""

    at_least: Length | None = None
    below: Length | None = None

    @model_validator(mode="after")
    def _one_bound(self):
        if self.at_least is None and self.below is None:
            raise ValueError("a range needs 'at_least' or 'below' (or both), e.g. {at_least: 75 ft}")
        return self

    def admits(self, value: float) -> bool:
        # the same tolerance on both bounds: {at_least: 75 ft} and {below: 75 ft} never both admit a value
        return (self.at_least is None or value >= self.at_least - 1e-9) and \
            (self.below is None or value < self.below - 1e-9)

    def describe(self) -> str:
        parts = ([f"at least {self.at_least:g} m"] if self.at_least is not None else []) + \
                ([f"below {self.below:g} m"] if self.below is not None else [])
        return " and ".join(parts)


class CountRange(_Strict):
    at_most: int | None = Field(default=None, ge=0)
    at_least: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_bound(self):
        if self.at_most is None and self.at_least is None:
            raise ValueError("a count range needs 'at_most' or 'at_least', e.g. {at_most: 3}")
        return self

    def admits(self, n: float) -> bool:
        return (self.at_most is None or n <= self.at_most) and (self.at_least is None or n >= self.at_least)

    def describe(self) -> str:
        return " and ".join(([f"at most {self.at_most}"] if self.at_most is not None else []) +
                            ([f"at least {self.at_least}"] if self.at_least is not None else []))


class NearStreet(_Strict):
    """The whole lot lies within `within` of a front edge on a street of the width `street` asks."""

    within: Length
    street: LengthRange


Scalar = str | int | float | bool


class Condition(_Strict):
    """Exactly one test; `all`, `any` and `not` combine them."""

    corner_lot: bool | None = None
    flag: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]*$",
                             description="a boolean property of the parcel that must be true")
    front_road_width: LengthRange | None = None
    lot_width: LengthRange | None = None
    lot_depth: LengthRange | None = None
    near_street: NearStreet | None = None
    storeys_above_ground: CountRange | None = None
    use: list[str] | None = Field(default=None, min_length=1, description="the building's use is one of these "
                                  "categories of the rulebook's `building_uses`")
    declared: dict[str, Scalar | list[Scalar]] | None = Field(
        default=None, description="what the applicant declares (--declare KEY=VALUE): each key one of the values")
    all: list["Condition"] | None = Field(default=None, min_length=1)
    any: list["Condition"] | None = Field(default=None, min_length=1)
    not_: "Condition | None" = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _exactly_one(self):
        set_ = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(set_) != 1:
            raise ValueError("a condition tests exactly one thing (combine with all/any/not), got "
                             + (", ".join(set_) if set_ else "nothing"))
        if self.declared is not None and len(self.declared) != 1:
            raise ValueError("'declared' names one key, e.g. {declared: {building_class: [1, 2]}}")
        return self

    def key(self) -> str:
        return next(k for k in type(self).model_fields if getattr(self, k) is not None)

    def describe(self) -> str:
        k = self.key()
        v = getattr(self, k)
        if k in ("all", "any"):
            return "(" + f" {'and' if k == 'all' else 'or'} ".join(c.describe() for c in v) + ")"
        if k == "not_":
            return f"not {v.describe()}"
        if k == "corner_lot":
            return "a corner lot" if v else "not a corner lot"
        if k == "flag":
            return f"the parcel is '{v}'"
        if k == "near_street":
            return f"the whole lot within {v.within:g} m of a street {v.street.describe()} wide"
        if k == "use":
            return "the building is used as " + " or ".join(v)
        if k == "declared":
            (name, vals), = v.items()
            return f"declared {name} is " + (" or ".join(map(str, vals)) if isinstance(vals, list) else str(vals))
        return f"{k.replace('_', ' ')} {v.describe()}"


# --- limits that are expressions -----------------------------------------------------------------

@dataclass(frozen=True)
class Of:
    """The number of metres of a lot fact, times a factor."""

    fact: str
    times: float


@dataclass(frozen=True)
class SiteValue:
    """A figure the site file states on the parcel (or on the zone feature over it): a designation
    the city's plan makes per area (Japan's 指定建蔽率 and 指定容積率), read with the limit's own unit."""

    name: str
    parse: Callable[[Any], float] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Combine:
    op: str  # min, max, sum
    terms: tuple


@dataclass(frozen=True)
class When:
    condition: Condition
    then: Any
    else_: Any


def limit_expression(parse: Callable[[Any], float], unit: str = "") -> Callable[[Any], Any]:
    """A validator: a plain quantity as `parse` reads it, or an expression whose leaves it reads.
    `unit` (length, ratio, ...) tells how a figure the site states is read (see site_figure)."""

    def build(raw, path="limit"):
        if not isinstance(raw, dict):
            return parse(raw)
        keys = set(raw)
        if keys in ({"min"}, {"max"}, {"sum"}):
            (op, terms), = raw.items()
            if not isinstance(terms, list) or len(terms) < 2:
                raise ValueError(f"{path}.{op}: a list of two or more terms")
            return Combine(op, tuple(build(t, f"{path}.{op}[{i}]") for i, t in enumerate(terms)))
        if keys == {"of", "times"}:
            if raw["of"] not in LOT_LENGTHS:
                raise ValueError(f"{path}.of: one of {', '.join(LOT_LENGTHS)}, got {raw['of']!r}")
            t = raw["times"]
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t < 1e6:
                raise ValueError(f"{path}.times: a plain non-negative number, got {t!r}")
            return Of(raw["of"], float(t))
        if keys == {"site"}:
            if not isinstance(raw["site"], str) or not raw["site"].isidentifier():
                raise ValueError(f"{path}.site: the name of a parcel property, e.g. designated_far")
            return SiteValue(raw["site"], site_figure(parse, unit))
        if keys == {"when", "then", "else"}:
            return When(Condition.model_validate(raw["when"]), build(raw["then"], f"{path}.then"),
                        build(raw["else"], f"{path}.else"))
        raise ValueError(f"{path}: a quantity, or one of {{min: [...]}}, {{max: [...]}}, {{sum: [...]}}, "
                         "{of: FACT, times: N}, {site: NAME}, {when: ..., then: ..., else: ...}; got keys "
                         + ", ".join(sorted(map(str, keys))))

    return build


MAX_PLAIN_RATIO = 20.0  # a plain number above this in a site file is a percentage written without %


def site_figure(parse: Callable[[Any], float], unit: str) -> Callable[[Any], float]:
    """How a figure stated in the site file is read: a plain number is metres for a length (as the
    site's other lengths), and a ratio above MAX_PLAIN_RATIO is refused ('200' meant '200 %')."""

    def read(raw):
        number = isinstance(raw, (int, float)) and not isinstance(raw, bool)
        if number and unit == "length":
            return parse(f"{raw} m")
        if number and unit in ("ratio", "fraction") and raw > MAX_PLAIN_RATIO:
            raise ValueError(f"{raw} as a ratio is {raw:g} times the lot — write it with its unit ('{raw:g} %')")
        return parse(raw)

    return read


def describe_limit(expr, fmt: Callable[[float], str]) -> str:
    if isinstance(expr, (int, float)):
        return fmt(expr)
    if isinstance(expr, Of):
        return f"{expr.fact.replace('_', ' ')} (m) x {expr.times:g}"
    if isinstance(expr, SiteValue):
        return f"the site's {expr.name}"
    if isinstance(expr, Combine):
        return f"{expr.op}(" + ", ".join(describe_limit(t, fmt) for t in expr.terms) + ")"
    return f"{describe_limit(expr.then, fmt)} if {expr.condition.describe()}, else {describe_limit(expr.else_, fmt)}"


def is_expression(limit) -> bool:
    return isinstance(limit, (Of, SiteValue, Combine, When))
