"""The roads in front of a parcel's edges: which road lies across an edge, its width, its far side.

A road's width is its ``width`` property (metres, converted when the site was loaded), else the
depth of its polygon straight across the edge, the nearest piece only (a road network drawn as one
polygon is not one 84 m street).
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString

from permitcheck.site.boundaries import ROAD_REACH
from permitcheck.site.types import Edge, Site

ROAD_SEARCH_M = 100.0  # how far across a front edge a road polygon's far side is looked for


def across(site: Site, edge: Edge):
    """(road, near, far): the road straight across the edge's midpoint, and how far its near and far
    sides lie along the outward normal (a centre line: both at the line). None: no road there."""
    mid = np.asarray(edge.line.interpolate(0.5, normalized=True).coords[0])
    n = np.asarray(edge.outward)
    probe = LineString([mid + n * 0.01, mid + n * ROAD_REACH])
    ray = LineString([mid, mid + n * ROAD_SEARCH_M])
    for f in site.features:
        if f.role != "road" or not f.geometry.intersects(probe):
            continue
        spans = []
        for piece in shapely.get_parts(f.geometry.intersection(ray)):
            d = [float(np.hypot(*(np.asarray(p)[:2] - mid))) for p in piece.coords]
            spans.append((min(d), max(d)))
        if spans:
            near, far = min(spans)  # the piece nearest the edge: not a road further along the ray
            return f, near, far
    return None


def road_width(site: Site, edge: Edge) -> float | None:
    """Width of the road in front of an edge: its ``width`` property, else its polygon's depth across
    the edge (the nearest piece only); None for a centre line without a width, or no road."""
    hit = across(site, edge)
    if hit is None:
        return None
    f, near, far = hit
    if f.properties.get("width") is not None:  # metres, checked when the site was loaded
        return float(f.properties["width"])
    return far - near if far - near > 1e-6 else None


def far_side(site: Site, edge: Edge) -> float | None:
    """How far the road's far side lies beyond the edge: the near side plus the width, or for a
    centre line, the line plus half the width."""
    hit, width = across(site, edge), road_width(site, edge)
    if hit is None or width is None:
        return None
    f, near, _far = hit
    return near + (width / 2 if f.geometry.area == 0 else width)
