"""The lot as the laws classify it: its front road's width, corner lot or not, its width and depth.

Limits that depend on the site (Japan's floor area ratio by the front road's width, NYC's lot
coverage on corner lots, its 30 ft rear yard on lots under 40 ft wide) read these. Each is derived
from the parcel and the roads in front of it, and the site file may state it instead on the
parcel feature (`front_road_width`, `corner_lot`, `lot_width`, `lot_depth`: a plain number is
metres, or a string with its unit): the city's record beats the geometry. Any other boolean
property of the parcel is a *flag* a rulebook may test (Japan's corner-lot designation by the
特定行政庁, `corner_lot_designated`: a designation cannot be derived from geometry at all).

- front road width: the widest road across an edge labelled front (建築基準法 §52②: "前面道路が
  二以上あるときは、その幅員の最大のもの");
- corner lot: two edges fronting roads meet, directly or across a corner cut of at most
  `CORNER_CUT_M`, turning by at least 45° (NYC ZR 12-10: street lines intersecting at an angle of
  135 degrees or less);
- lot depth: the parcel's extent perpendicular to its longest front edge; lot width: area / depth,
  the mean width (ZR 12-10: "the mean horizontal distance between the side lot lines").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from permitcheck.rulebook.quantities import parse_length
from permitcheck.site.document import SiteError
from permitcheck.site.roads import road_width
from permitcheck.site.types import Site

CORNER_CUT_M = 10.0  # a chamfer at a street corner (Korea's 가각전제: 2-4 m) is no third street
MIN_STREET_EDGE_M = 2.0  # shorter edges are jogs of the line, not a street frontage of their own
CORNER_TURN_DEG = 45.0  # street lines meeting at an interior angle of 135° or less
LENGTHS = ("front_road_width", "lot_width", "lot_depth")
BOOLEANS = ("corner_lot",)


@dataclass(frozen=True)
class Lot:
    """The lot's context facts: value (None: cannot be told) and where each came from."""

    values: dict = field(default_factory=dict)  # name -> float | bool | None
    basis: dict = field(default_factory=dict)  # name -> "site file" | "derived: ..." | why unknown
    flags: dict = field(default_factory=dict)  # other boolean parcel properties

    def get(self, name: str):
        return self.values.get(name)

    def to_dict(self) -> dict:
        out = {k: {"value": (round(v, 3) if isinstance(v, float) else v), "basis": self.basis.get(k)}
               for k, v in self.values.items()}
        out.update({k: {"value": v, "basis": "site file"} for k, v in self.flags.items()})
        return out


def parse_declared(props: dict, where: str) -> dict:
    """The lot facts the parcel feature states, checked: lengths in metres, booleans as booleans."""
    out = {}
    for k in LENGTHS:
        v = props.get(k)
        if v is None:
            continue
        try:
            number = isinstance(v, (int, float)) and not isinstance(v, bool)
            x = float(v) if number else parse_length(v)
        except (TypeError, ValueError) as e:
            raise SiteError(f"{where}: parcel '{k}' {v!r} is not a length ({e}) — write metres (12.5) or a unit "
                            "('40 ft')") from None
        if not math.isfinite(x) or x <= 0:
            raise SiteError(f"{where}: parcel '{k}' {v!r} must be a positive length")
        out[k] = x
    for k in BOOLEANS:
        if k in props and props[k] is not None:
            if not isinstance(props[k], bool):
                raise SiteError(f"{where}: parcel '{k}' must be true or false, got {props[k]!r}")
            out[k] = props[k]
    return out


def lot_of(site: Site) -> Lot:
    parcel = next((f for f in site.features if f.role == "parcel"), None)
    props = parcel.properties if parcel is not None else {}
    declared = parse_declared(props, site.path)
    flags = {k: v for k, v in props.items() if isinstance(v, bool) and k not in BOOLEANS}
    values, basis = {}, {}
    derived = _derive(site)
    for k in LENGTHS + BOOLEANS:
        if k in declared:
            values[k], basis[k] = declared[k], "site file"
        else:
            values[k], basis[k] = derived[k]
    return Lot(values, basis, flags)


def _derive(site: Site) -> dict:
    roads = any(f.role == "road" for f in site.features)
    fronts = site.edges_labelled("front")
    widths = [w for w in (road_width(site, e) for e in fronts) if w is not None]
    out = {}
    if widths:
        out["front_road_width"] = (max(widths), f"derived: the widest of {len(widths)} road(s) in front")
    else:
        out["front_road_width"] = (None, "no road of known width in front of the parcel: state "
                                         "'front_road_width' on the parcel")
    if not roads:
        out["corner_lot"] = (None, "the site has no roads: state 'corner_lot' on the parcel")
    else:
        corner = _corner(site)
        out["corner_lot"] = (corner is not None,
                             f"derived: edges {corner[0]} and {corner[1]} front roads and turn by {corner[2]:.0f}°"
                             if corner else "derived: no two road frontages meet at 135° or less")
    if fronts:
        e = max(fronts, key=lambda e: e.line.length)
        inward = -np.asarray(e.outward)
        xy = np.asarray(site.parcel.exterior.coords)[:, :2]
        depth = float((xy @ inward).max() - (xy @ inward).min())
        out["lot_depth"] = (depth, f"derived: perpendicular to front edge {e.index}")
        out["lot_width"] = (float(site.parcel.area) / depth if depth > 0 else None,
                            "derived: parcel area / lot depth (the mean width)")
    else:
        out["lot_depth"] = out["lot_width"] = (None, "no front edge: state 'lot_width' and 'lot_depth' on the parcel")
    return out


def _corner(site: Site) -> tuple[int, int, float] | None:
    """Two road frontages meeting at a street corner: (edge, edge, turn in degrees), the sharpest
    turn found, or None. A corner cut between them (at most CORNER_CUT_M of boundary) is walked over."""
    edges = list(site.edges)
    n = len(edges)
    street = [road_width(site, e) is not None or "road" in e.labels or "front" in e.labels for e in edges]
    best = None
    for i in range(n):
        if not street[i] or edges[i].line.length < MIN_STREET_EDGE_M:
            continue
        between = 0.0
        for step in range(1, n):
            j = (i + step) % n
            if street[j] and edges[j].line.length >= MIN_STREET_EDGE_M:
                turn = _turn(edges[i], edges[j])
                if turn >= CORNER_TURN_DEG and (best is None or turn > best[2] + 1e-9):
                    best = (edges[i].index, edges[j].index, turn)
            between += edges[j].line.length
            if between > CORNER_CUT_M:
                break
    return best


def _turn(a, b) -> float:
    """How far the boundary turns left from edge a to edge b (a convex corner of the ring), degrees."""
    (ax0, ay0), (ax1, ay1) = a.line.coords
    (bx0, by0), (bx1, by1) = b.line.coords
    da, db = np.array([ax1 - ax0, ay1 - ay0]), np.array([bx1 - bx0, by1 - by0])
    cross = da[0] * db[1] - da[1] * db[0]
    ang = math.degrees(math.atan2(cross, float(da @ db)))
    return ang if ang > 0 else 0.0
