"""Evaluating a rule's `when:` and a limit that is an expression, on the lot, the building and what
the applicant declares (schema: permitcheck.rulebook.conditions).

A condition is true, false or unknown (None: a fact it needs is missing, or only part of the lot
lies near the street). A limit is evaluated as an interval: a missing fact widens it (a road's
width unknown: 0 to infinity), so a building can still be judged when every value the limit could
take gives the same verdict, and is UNKNOWN, naming what to add, when not.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from permitcheck.checks.context import CheckContext
from permitcheck.rulebook.conditions import Combine, Condition, Of, SiteValue, When
from permitcheck.site.roads import road_width

INF = math.inf


def truth(cond: Condition, ctx: CheckContext, read: dict) -> bool | None:
    """Whether `cond` holds; `read` collects each fact consulted, with its value and basis."""
    k = cond.key()
    v = getattr(cond, k)
    if k == "all":
        vals = [truth(c, ctx, read) for c in v]
        return False if False in vals else (None if None in vals else True)
    if k == "any":
        vals = [truth(c, ctx, read) for c in v]
        return True if True in vals else (None if None in vals else False)
    if k == "not_":
        t = truth(v, ctx, read)
        return None if t is None else not t
    if k == "flag":
        stated = _stated(ctx, v)[0] if v not in ctx.lot.flags else ctx.lot.flags[v]
        if stated is not None and not isinstance(stated, bool):
            read[f"flag {v}"] = {"value": None, "basis": f"stated as {stated!r}: write true or false"}
            return None
        read[f"flag {v}"] = {"value": bool(stated), "basis": "site file" if stated is not None else
                             "not stated on the parcel: taken as false"}
        return bool(stated)
    if k == "declared":
        (name, wanted), = v.items()
        given = dict(ctx.declared).get(name)
        read[f"declared {name}"] = {"value": given, "basis": "declared" if given is not None else
                                    f"not declared: pass --declare {name}=VALUE"}
        if given is None:
            return None
        options = wanted if isinstance(wanted, list) else [wanted]
        known = dict(ctx.declared_values).get(name)
        if known is not None and not any(_same(given, o) for o in known):
            read[f"declared {name}"] = {"value": None, "basis": f"{given!r} is none of the rulebook's values: declare "
                                        f"{name} as one of {', '.join(known)}"}
            return None  # a typo or a word the rulebook does not know must not switch a rule off
        return any(_same(given, o) for o in options)
    if k == "use":
        return _use(v, ctx, read)
    if k == "storeys_above_ground":
        n = ctx.storeys_above_ground
        read["storeys above ground"] = {"value": n, "basis": "measured"}
        return None if n is None else v.admits(n)
    if k == "near_street":
        return _near_street(v, ctx, read)
    value = ctx.lot.get(k)
    read[k] = {"value": round(value, 3) if isinstance(value, float) else value, "basis": ctx.lot.basis.get(k)}
    if value is None:
        return None
    return value == v if k == "corner_lot" else v.admits(value)


def _same(a, b) -> bool:
    """A declared value and a rulebook's: the same words, or the same number ("2.0" and 2)."""
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return _norm(str(a)) == _norm(str(b))


def _norm(word: str) -> str:
    return " ".join(str(word).split()).casefold()


def _use(wanted: list[str], ctx: CheckContext, read: dict) -> bool | None:
    """The building's use among `wanted`: True when every category its words name is wanted, False
    when none is, None when it is not said, names no category of the rulebook, or names several
    of which only some are wanted (공동주택: 아파트, 연립주택 or 다세대주택)."""
    cats = use_categories(ctx, read)
    if cats is None:
        return None
    hit = cats & set(wanted)
    return True if hit == cats else (False if not hit else None)


def use_categories(ctx: CheckContext, read: dict) -> set[str] | None:
    """The rulebook's use categories the declaration (or else the model's IfcBuilding) names; None,
    with why in `read["use"]`, when neither says or no word is the rulebook's."""
    given = dict(ctx.declared).get("use")
    words, source = ((given,), "declared") if given is not None else (ctx.model_uses, "the model's IfcBuilding")
    mapping = dict(ctx.building_uses)
    if not words:
        read["use"] = {"value": None, "basis": "not declared (--declare use=...) and not in the model (IfcBuilding "
                       "ObjectType, Pset_BuildingCommon.OccupancyType)"}
        return None
    cats = {cat for cat, names in mapping.items() for w in words
            if _norm(w) == _norm(cat) or _norm(w) in {_norm(n) for n in names}}
    if not cats:
        read["use"] = {"value": None, "basis": f"{source} says {', '.join(map(repr, words))}, none of the rulebook's "
                       f"uses: declare one of {', '.join(mapping) or 'none'} (--declare use=...)"}
        return None
    read["use"] = {"value": sorted(cats), "basis": source}
    return cats


def _near_street(v, ctx: CheckContext, read: dict) -> bool | None:
    """True: the whole lot within the distance of a front edge on such a street; False: no such
    edge; None: a width unknown, or only a portion of the lot within it."""
    fronts = ctx.site.edges_labelled("front")
    widths = [road_width(ctx.site, e) for e in fronts]
    near = [e for e, w in zip(fronts, widths) if w is not None and v.street.admits(w)]
    key = f"lot within {v.within:g} m of a street {v.street.describe()} wide"
    if not near:
        unknown = any(w is None for w in widths)
        read[key] = {"value": None if unknown else False,
                     "basis": "a front road's width is unknown" if unknown else "no front edge on such a street"}
        return None if unknown else False
    xy = np.asarray(ctx.site.parcel.exterior.coords)[:, :2]
    reach = shapely.union_all([e.line for e in near])
    far = float(shapely.distance(shapely.points(xy), reach).max())
    whole = far <= v.within + 1e-6
    read[key] = {"value": True if whole else None,
                 "basis": f"the farthest corner of the lot lies {far:.2f} m from it" +
                          ("" if whole else ": only a portion of the lot is within — decide the portions by hand")}
    return True if whole else None


def _stated(ctx: CheckContext, name: str):
    """A property stated on the parcel, else on the zone feature that covers most of it."""
    parcel = next((f for f in ctx.site.features if f.role == "parcel"), None)
    if parcel is not None and parcel.properties.get(name) is not None:
        return parcel.properties[name], "site file, parcel"
    zones = sorted((f for f in ctx.site.features if f.role == "zone" and f.properties.get(name) is not None),
                   key=lambda f: -f.geometry.intersection(ctx.site.parcel).area)
    if zones and zones[0].geometry.intersection(ctx.site.parcel).area > 0:
        return zones[0].properties[name], f"site file, zone {zones[0].properties.get('zone')}"
    return None, None


def limit_range(expr, ctx: CheckContext, read: dict) -> tuple[float, float]:
    """(low, high) of a limit: equal when every fact it reads is known."""
    if isinstance(expr, (int, float)):
        return float(expr), float(expr)
    if isinstance(expr, Of):
        value = ctx.lot.get(expr.fact)
        read[expr.fact] = {"value": None if value is None else round(value, 3), "basis": ctx.lot.basis.get(expr.fact)}
        return (0.0, INF) if value is None else (value * expr.times, value * expr.times)
    if isinstance(expr, SiteValue):
        raw, where = _stated(ctx, expr.name)
        if raw is None:
            read[expr.name] = {"value": None, "basis": f"not stated: add '{expr.name}' to the parcel in the site file"}
            return 0.0, INF
        try:
            value = expr.parse(raw)
        except ValueError as e:
            raise ValueError(f"the site's {expr.name} {raw!r} ({where}): {e}") from None
        read[expr.name] = {"value": raw, "basis": where}
        return value, value
    if isinstance(expr, Combine):
        parts = [limit_range(t, ctx, read) for t in expr.terms]
        los, his = [p[0] for p in parts], [p[1] for p in parts]
        if expr.op == "min":
            return min(los), min(his)
        if expr.op == "max":
            return max(los), max(his)
        return sum(los), sum(his)
    assert isinstance(expr, When)
    t = truth(expr.condition, ctx, read)
    if t is True:
        return limit_range(expr.then, ctx, read)
    if t is False:
        return limit_range(expr.else_, ctx, read)
    a, b = limit_range(expr.then, ctx, read), limit_range(expr.else_, ctx, read)
    return min(a[0], b[0]), max(a[1], b[1])
