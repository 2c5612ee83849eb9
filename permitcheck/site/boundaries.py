"""Labelling parcel edges: front (faces a road), rear (opposite the front), side, and north.

An edge is *front* when a road lies within ``ROAD_REACH`` of its midpoint on the outer side; *rear*
when its outward normal points within 45° of the opposite of the front's; *side* otherwise. It is
*north* when its outward normal points within 45° of grid north — the edges a north daylight rule
measures from. A `boundary` feature in the site file relabels the edges it runs along.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon

from permitcheck.site.types import Edge

ROAD_REACH = 3.0  # metres beyond the parcel edge in which a road counts as fronting
_BOUNDARY_SNAP = 0.5


def _segments(parcel: Polygon) -> list[LineString]:
    ring = shapely.simplify(parcel, 0.001).exterior
    coords = np.asarray(ring.coords)
    if not bool(shapely.is_ccw(ring)):  # outward normals assume a counter-clockwise ring
        coords = coords[::-1]
    segs = []
    for a, b in zip(coords[:-1], coords[1:]):
        if np.hypot(*(b - a)) < 1e-6:
            continue
        segs.append(LineString([a, b]))
    return segs


def _outward(seg: LineString) -> np.ndarray:
    (x0, y0), (x1, y1) = seg.coords
    d = np.array([x1 - x0, y1 - y0]) / seg.length
    return np.array([d[1], -d[0]])  # right of a counter-clockwise ring is outside


def label_edges(parcel: Polygon, features, north: np.ndarray) -> tuple[Edge, ...]:
    roads = [f.geometry for f in features if f.role == "road"]
    segs = _segments(parcel)
    normals = [_outward(s) for s in segs]
    labels: list[set[str]] = [set() for _ in segs]
    for i, (s, n) in enumerate(zip(segs, normals)):
        mid = np.asarray(s.interpolate(0.5, normalized=True).coords[0])
        probe = LineString([mid + n * 0.01, mid + n * ROAD_REACH])
        if any(r.intersects(probe) for r in roads):
            labels[i] |= {"front", "road"}
        if float(np.dot(n, north)) > np.cos(np.radians(45)):
            labels[i].add("north")
    fronts = [n for n, lab in zip(normals, labels) if "front" in lab]
    if fronts:
        f = np.mean(fronts, axis=0)
        f = f / (np.linalg.norm(f) or 1)
        for i, n in enumerate(normals):
            if "front" not in labels[i]:
                labels[i].add("rear" if float(np.dot(n, -f)) > np.cos(np.radians(45)) else "side")
    else:
        for lab in labels:
            lab.add("side")
    sources = ["automatic"] * len(segs)
    for feat in features:
        if feat.role != "boundary" or not feat.properties.get("kind"):
            continue
        kind = str(feat.properties["kind"])
        along = feat.geometry.buffer(_BOUNDARY_SNAP)
        for i, s in enumerate(segs):
            if along.contains(s):  # the boundary line runs along the whole edge
                keep = {"north"} & labels[i] if kind != "north" else set()
                labels[i] = {kind} | keep
                sources[i] = "boundary feature"
    return tuple(Edge(i, s, frozenset(lab), tuple(float(x) for x in n), src)
                 for i, (s, n, lab, src) in enumerate(zip(segs, normals, labels, sources)))
