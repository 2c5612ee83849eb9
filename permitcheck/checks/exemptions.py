"""Exemptions: a rule that does not apply when the land across its boundaries is zoned otherwise.

건축법 시행령 제86조 제2항 제3호: the north daylight rule does not apply when the lot to the north
lies in a zone other than exclusive or general residential. The land across is the strip 1 m deep
outside every edge the rule measures from (for a plane measured due north, every edge facing north,
as the plane takes them). That strip is cut exactly by the site's features: first by the neighbour
parcels (their own `zone`), then by roads (a road keeps the rule, and so does a road drawn as a
centre line within reach of the edge), then by the zone polygons. The rule is exempt only when all
of the strip lies in known zones outside the rule's list. So a lot that is partly in a listed zone
keeps the rule (the Ministry of Government Legislation's reading of 86②3 for a lot that straddles
general residential and general commercial land), and so do an unzoned neighbour, a zone name the
rulebook does not know, or land the site file does not describe. The finding says which of these
kept the rule.
"""

from __future__ import annotations

import shapely
from shapely.geometry import Polygon

from permitcheck.checks.context import CheckContext, FactMissing
from permitcheck.rulebook.schema import Plane
from permitcheck.site.boundaries import ROAD_REACH
from permitcheck.site.types import Edge, Site

DEPTH_M = 1.0
MIN_AREA_M2 = 0.01  # slivers below this (a drawing's rounding) decide nothing


def _edges(rule, ctx: CheckContext) -> list[Edge]:
    """The edges the rule measures from, as its check selects them."""
    if isinstance(rule, Plane):
        from permitcheck.checks.plane import direction, selected_edges

        try:
            return selected_edges(ctx.site, rule.from_, direction(rule, ctx.site))
        except FactMissing:  # no true north: the labelled edges (the check itself will say UNKNOWN)
            return selected_edges(ctx.site, rule.from_)
    return ctx.site.edges_labelled(rule.from_)


def _strip(edge: Edge) -> Polygon:
    (ax, ay), (bx, by) = edge.line.coords[:2]
    ox, oy = edge.outward
    near, far = 0.01, DEPTH_M
    return Polygon([(ax + ox * near, ay + oy * near), (bx + ox * near, by + oy * near),
                    (bx + ox * far, by + oy * far), (ax + ox * far, ay + oy * far)])


def land_across(site: Site, edge: Edge, names: dict[str, str]) -> dict[str, float]:
    """What lies across an edge (a zone code, or why none can be named) -> its area in the strip."""
    rest = _strip(edge)
    found: dict[str, float] = {}

    def take(what: str, geom) -> None:
        nonlocal rest
        part = rest.intersection(geom)
        if part.area > MIN_AREA_M2:
            found[what] = found.get(what, 0.0) + part.area
        rest = rest.difference(geom)

    def zone_of(f) -> str:
        raw = str(f.properties["zone"])
        return names.get(raw) or f"zone '{raw}', unknown to the rulebook"

    for f in site.features:
        if f.role == "neighbour" and f.geometry.area > 0:
            take(zone_of(f) if f.properties.get("zone") is not None else
                 f"neighbour {f.properties.get('id', '(no id)')} without a 'zone'", f.geometry)
    for f in site.features:
        if f.role == "road":
            near_line = f.geometry.area == 0 and shapely.distance(f.geometry, edge.line) <= ROAD_REACH + DEPTH_M
            take("a road", f.geometry.buffer(ROAD_REACH + DEPTH_M) if near_line else f.geometry)
    for f in site.features:
        if f.role == "zone" and f.properties.get("zone") is not None:
            take(zone_of(f), f.geometry)
    if rest.area > MIN_AREA_M2:
        found["land the site file does not describe"] = rest.area
    return found


def exemption(rule, ctx: CheckContext, names: dict[str, str]) -> dict | None:
    """Whether `rule` is exempt on this site, with what lies across its edges; None if it names none."""
    ex = getattr(rule, "exempt_if", None)
    if ex is None:
        return None
    listed = set(ex.land_across_not_in)
    across: dict[str, set[int]] = {}
    keeps = []
    for e in _edges(rule, ctx):
        for what in land_across(ctx.site, e, names):
            across.setdefault(what, set()).add(e.index)
            if what not in names.values() or what in listed:  # not a zone code, or a zone that keeps it
                keeps.append((e.index, what))
    out = {"exempt": bool(across) and not keeps, "land_across": {w: sorted(i) for w, i in sorted(across.items())},
           "citation": ex.citation.model_dump(exclude_none=True)}
    if not across:
        out["why_not"] = "the parcel has no boundary of this kind"
    elif keeps:
        index, what = keeps[0]
        out["why_not"] = f"across edge {index} lies {what}"
    return out
