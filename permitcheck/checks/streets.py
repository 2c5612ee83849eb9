"""Streets in front of parcel edges: their width, and rules that differ on wide and narrow streets.

A road's width is its ``width`` property, else the depth of its polygon straight across the edge.
NYC's Zoning Resolution (12-10) calls a street 75 ft or more wide a *wide street* and a narrower
one a *narrow street*; its setbacks and sky exposure planes differ between them. A rule with

    street: {at_least: 75 ft}      # or {below: 75 ft}

takes only the edges that front such a street. An edge with no road of known width in front makes
the rule UNKNOWN: which figures apply cannot be told.
"""

from __future__ import annotations

from permitcheck.checks.context import FactMissing
from permitcheck.results import Measurement, Status
from permitcheck.rulebook.schema import StreetWidth
from permitcheck.site.roads import far_side, road_width
from permitcheck.site.types import Edge, Site

__all__ = ["far_side", "fronting", "not_fronting", "road_width"]

def fronting(site: Site, edges: list[Edge], street: StreetWidth | None) -> list[Edge]:
    """The edges that front a street of the width `street` asks for (all of them when it is None)."""
    if street is None:
        return list(edges)
    out = []
    for e in edges:
        width = road_width(site, e)
        if width is None:
            raise FactMissing("no_road_width", edge=e.index)
        if street.admits(width):
            out.append(e)
    return out


def not_fronting(side: str, street: StreetWidth | None, labelled: bool) -> Measurement:
    """NOT_APPLICABLE: no edge of the kind, or none of them on a street of the width asked."""
    if street is None or not labelled:
        return Measurement(Status.NOT_APPLICABLE, "no_boundary_of_kind", unit="m", details={"from": side})
    return Measurement(Status.NOT_APPLICABLE, "no_street_of_width", unit="m",
                       details={"from": side, "street": street.describe()})
