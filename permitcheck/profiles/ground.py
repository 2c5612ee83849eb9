"""The ground a law measures height from, on sloping sites.

Korea (건축법 시행령 §119②) and Japan (令§2②, 法§52④) take the horizontal plane at the mean height
of the ground where the building meets it, weighted by the length of perimeter at each height; when
that ground differs by more than 3 m, a datum is fixed for each part of the building whose ground
lies within a 3 m band. The ground comes from the model's terrain (IfcSite body, IfcGeographicElement
TERRAIN) where it has one; without terrain the ground is level at the facts' ground level, and the
datum is that level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.projection import clip_halfspace, plan_polygons, union

SAMPLE_M = 0.25  # spacing of the points read along the perimeter


@dataclass(frozen=True)
class Datum:
    level_m: float  # model z of the datum plane
    plan: BaseGeometry  # the part of the building measured from it
    low_m: float  # the band of ground it covers
    high_m: float


class Terrain:
    """Ground height at plan points, from terrain triangles (the highest surface above a point)."""

    def __init__(self, triangles: np.ndarray):
        n = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
        keep = np.abs(n[:, 2]) > 1e-9  # vertical faces carry no ground height
        self.tri = triangles[keep]
        polys = plan_polygons(self.tri)
        self._tree = shapely.STRtree(polys) if len(polys) == len(self.tri) else None
        self._polys = polys

    def heights(self, xy: np.ndarray) -> np.ndarray:
        """z of the terrain at each point (NaN where it has none)."""
        out = np.full(len(xy), np.nan)
        if self._tree is None or len(self.tri) == 0:
            return out
        pts = shapely.points(xy)
        hit_pt, hit_tri = self._tree.query(pts, predicate="intersects")
        if len(hit_pt) == 0:
            return out
        t = self.tri[hit_tri]
        p = xy[hit_pt]
        a, b, c = t[:, 0], t[:, 1], t[:, 2]
        v0, v1, v2 = b[:, :2] - a[:, :2], c[:, :2] - a[:, :2], p - a[:, :2]
        den = v0[:, 0] * v1[:, 1] - v1[:, 0] * v0[:, 1]
        w1 = (v2[:, 0] * v1[:, 1] - v1[:, 0] * v2[:, 1]) / den
        w2 = (v0[:, 0] * v2[:, 1] - v2[:, 0] * v0[:, 1]) / den
        z = a[:, 2] + w1 * (b[:, 2] - a[:, 2]) + w2 * (c[:, 2] - a[:, 2])
        for i, zi in zip(hit_pt, z):  # the top surface where triangles overlap (a terrain with a cut)
            out[i] = zi if np.isnan(out[i]) else max(out[i], zi)
        return out

    def band_plan(self, low: float, high: float) -> BaseGeometry:
        """The plan where the terrain lies between two heights."""
        parts = clip_halfspace(self.tri, np.array([0.0, 0.0, 1.0]), low)
        if not parts:
            return shapely.Polygon()
        above = np.concatenate(parts)
        parts = clip_halfspace(above, np.array([0.0, 0.0, -1.0]), -high)
        polys = [plan_polygons(p) for p in parts]
        polys = np.concatenate(polys) if polys else np.empty(0, dtype=object)
        return union(list(polys)) if len(polys) else shapely.Polygon()


def _perimeter_points(plan: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Points along every ring of `plan`, and the length of perimeter each stands for."""
    pts, weights = [], []
    for poly in shapely.get_parts(plan):
        if poly.geom_type != "Polygon":
            continue
        for ring in [poly.exterior, *poly.interiors]:
            n = max(int(np.ceil(ring.length / SAMPLE_M)), 4)
            d = (np.arange(n) + 0.5) * ring.length / n
            pts.append(shapely.get_coordinates(shapely.line_interpolate_point(ring, d))[:, :2])
            weights.append(np.full(n, ring.length / n))
    if not pts:
        return np.empty((0, 2)), np.empty(0)
    return np.concatenate(pts), np.concatenate(weights)


def mean_ground(terrain: Terrain, plan: BaseGeometry) -> tuple[float, float, float] | None:
    """(perimeter-weighted mean, lowest, highest) ground along `plan`'s perimeter, or None."""
    xy, w = _perimeter_points(plan)
    z = terrain.heights(xy)
    ok = np.isfinite(z)
    if not ok.any():
        return None
    return float(np.sum(z[ok] * w[ok]) / np.sum(w[ok])), float(z[ok].min()), float(z[ok].max())


def datums(terrain: Terrain | None, foot: BaseGeometry, flat_level: float, band_m: float = 3.0) -> list[Datum]:
    """One datum per part of the building whose perimeter ground lies within `band_m`.

    A part's perimeter is its share of the building's own perimeter plus the lines where it is cut
    from its neighbour part (there the ground lies at the band's boundary height), as the article
    describes the ground "where the building meets it" part by part.
    """
    if terrain is None or foot.is_empty:
        return [Datum(flat_level, foot, flat_level, flat_level)]
    whole = mean_ground(terrain, foot)
    if whole is None:
        return [Datum(flat_level, foot, flat_level, flat_level)]
    mean, low, high = whole
    if high - low <= band_m + 1e-9:
        return [Datum(mean, foot, low, high)]
    out = []
    k = int(np.ceil((high - low) / band_m - 1e-9))
    for i in range(k):
        lo, hi = low + i * band_m, min(low + (i + 1) * band_m, high)
        part = foot.intersection(terrain.band_plan(lo - (1e-6 if i == 0 else 0.0), hi + (1e-6 if i == k - 1 else 0.0)))
        part = union([p for p in shapely.get_parts(part) if p.geom_type == "Polygon" and p.area > 1e-4])
        if part.is_empty:
            continue
        m = mean_ground(terrain, part)
        out.append(Datum(m[0] if m else (lo + hi) / 2, part, lo, hi))
    return out or [Datum(mean, foot, low, high)]
