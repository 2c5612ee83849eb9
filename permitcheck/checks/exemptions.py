"""Exemptions: a rule that does not apply when the land across its boundaries is zoned otherwise.

건축법 시행령 제86조 제2항 제3호: the north daylight rule does not apply when the lot to the north
lies in a zone other than exclusive or general residential. The land across each edge the rule
starts from is sampled 1 m outside the edge, every 2 m at most. A sample takes the `zone` of the
neighbour parcel it falls in, else the zone of the zone polygon it falls in. The rule is exempt only
when every sample lies in a known zone outside the rule's list. So a lot that is partly in a listed
zone keeps the rule (the Ministry of Government Legislation's reading of 86②3 for a lot that
straddles general residential and general commercial land), and so do a road, an unzoned neighbour,
or land the site file does not describe. The finding says which of these kept the rule.
"""

from __future__ import annotations

import math

import shapely
from shapely.geometry import Point

from permitcheck.site.types import Site

OFFSET_M = 1.0
STEP_M = 2.0


def _labels(from_) -> list[str]:
    return [from_] if isinstance(from_, str) else list(from_)


def _samples(site: Site, labels: list[str]):
    """(edge index, point 1 m outside the edge) along every edge carrying one of `labels`."""
    seen = set()
    for label in labels:
        for e in site.edges_labelled(label):
            if e.index in seen:
                continue
            seen.add(e.index)
            n = max(3, math.ceil(e.line.length / STEP_M))
            ox, oy = e.outward
            for i in range(n):
                p = e.line.interpolate((i + 0.5) / n, normalized=True)
                yield e.index, Point(p.x + ox * OFFSET_M, p.y + oy * OFFSET_M)


def _zone_at(site: Site, point: Point, names: dict[str, str]) -> tuple[str | None, str]:
    """(zone code or None, what lies there) at a point outside the parcel."""
    def zone_of(f):
        raw = str(f.properties["zone"])
        return names.get(raw), names.get(raw) or f"zone '{raw}', unknown to the rulebook"

    covering = [f for f in site.features if shapely.covers(f.geometry, point)]
    unzoned = None
    for f in covering:
        if f.role == "neighbour":
            if f.properties.get("zone") is not None:
                return zone_of(f)
            unzoned = f"neighbour {f.properties.get('id', '(no id)')} without a 'zone'"
    if any(f.role == "road" for f in covering):
        return None, "a road"
    for f in covering:
        if f.role == "zone" and f.properties.get("zone") is not None:
            return zone_of(f)
    return None, unzoned or "land the site file does not describe"


def exemption(rule, site: Site, names: dict[str, str]) -> dict | None:
    """Whether `rule` is exempt on this site, with the zones found across its edges; None if it names none."""
    ex = getattr(rule, "exempt_if", None)
    if ex is None:
        return None
    listed = set(ex.land_across_not_in)
    found, keeps = {}, []
    for index, point in _samples(site, _labels(rule.from_)):
        code, what = _zone_at(site, point, names)
        found.setdefault(what, set()).add(index)
        if code is None or code in listed:
            keeps.append((index, what))
    out = {"exempt": bool(found) and not keeps, "land_across": {w: sorted(i) for w, i in sorted(found.items())},
           "citation": ex.citation.model_dump(exclude_none=True)}
    if not found:
        out["why_not"] = "the parcel has no boundary of this kind"
    elif keeps:
        index, what = keeps[0]
        out["why_not"] = f"across edge {index} lies {what}"
    return out
