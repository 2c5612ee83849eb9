"""The building line where a road is narrower than the law requires, and the strip it takes.

Korea, 건축법 §46①: the building line is the boundary of the lot and the road; but where the road
is narrower than its required width (소요 너비: 4 m, §2①11; dead ends 2, 3 or 6 m, 시행령 §3-3), it
lies half the required width from the road's centre line — or, where a slope, river or railway
lies on the far side, the required width from that side's road boundary. Japan, 建築基準法 §42②:
a road under 4 m the 特定行政庁 designates has its boundary deemed 2 m from its centre line. In
both, the strip between the line and the road is no part of the site's area (시행령 §119①1가;
施行令 §2①1), and nothing above ground may cross the line (§47①).

A road feature may state `required_width` (a dead end) and `far_side_obstacle: true`; the rulebook's
measurement profile names the required width (`required_road_width: 4 m`). Corner cut-offs at road
corners (시행령 §31①) are not drawn: state a separate building line in the site file.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.site.roads import across, road_width
from permitcheck.site.types import Site


@dataclass(frozen=True)
class Strip:
    edge: int
    road_width_m: float
    required_m: float
    depth_m: float  # how far the building line lies inside the lot boundary
    area: BaseGeometry  # the strip of the lot between the line and the road (model coordinates)

    def to_dict(self) -> dict:
        return {"edge": self.edge, "road_width_m": round(self.road_width_m, 3), "required_width_m": self.required_m,
                "depth_m": round(self.depth_m, 3), "area_m2": round(self.area.area, 3)}


def strips(site: Site, required: float) -> list[Strip]:
    """The strips the building line cuts off the lot, one per front edge on a road too narrow."""
    out = []
    for e in site.edges_labelled("front"):
        hit = across(site, e)
        width = road_width(site, e)
        if hit is None or width is None:
            continue
        f, near, _far = hit
        need = float(f.properties.get("required_width") or required)
        if width >= need - 1e-9:
            continue
        centre_line = f.geometry.area == 0  # a road drawn as its centre line: the line is at `near`
        if f.properties.get("far_side_obstacle"):
            far_side = near + (width / 2 if centre_line else width)
            depth = need - far_side
        else:
            depth = need / 2 - (near if centre_line else near + width / 2)
        if depth <= 1e-6:
            continue
        band = e.line.buffer(depth, single_sided=True, cap_style="flat")  # left of a ccw edge: inside the lot
        area = band.intersection(site.parcel)
        if area.area > 1e-6:
            out.append(Strip(e.index, width, need, depth, area))
    return out


def buildable(site: Site, cut: list[Strip]) -> BaseGeometry:
    """The lot behind the building line."""
    if not cut:
        return site.parcel
    return site.parcel.difference(shapely.union_all([s.area for s in cut]))
