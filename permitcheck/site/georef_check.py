"""Is the model where its georeference says? The usual export errors, named with their fix.

Most wrong verdicts on real submissions start with a model that is not on its parcel. When less
than half of the footprint, placed by the model's own georeference, lies on the parcel, each
usual error is undone in turn and the footprint placed again: offsets in millimetres read as
metres (or the reverse), in feet, easting and northing swapped, the rotation turned the other way,
the map conversion applied to coordinates that were already map coordinates, and Korea's two
datums confused (EPSG:5174 Bessel against 5186 GRS80: hundreds of metres apart). The correction
that puts at least 90 % of the footprint on the parcel is named, with what to change in the
model. Nothing is moved: `check` refuses the placement and says why (a diagnosis never silently
changes a verdict). A Scale that does not convert the model's unit is corrected on reading, with
a warning (model.georef), so it is not among them.

When no usual error explains a model that stands wholly elsewhere, `fit` says where its footprint
fits the parcel (a move and a turn, found by scipy) and how much area is left outside; when one
does, the area left outside once corrected is reported too. A model on its parcel may still be
turned by the grid convergence (a rotation given from true north): `rotation_review` compares the
directions of the footprint's and the parcel's edges and names it for a person to judge (REVIEW),
never as a refusal.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.model.types import Georeference
from permitcheck.site.load import MAX_PLAUSIBLE_GAP_M, reproject
from permitcheck.site.types import Site

OFF_SHARE = 0.5  # less of the footprint than this on the parcel: the placement is in question
FIT_SHARE = 0.9  # a correction that puts this much on the parcel names the cause
EDGE_M = 1.0  # the parcel is taken this much larger: a wall on the lot line stays on it
UNPLACED_SHARE = 0.1  # less than this on the parcel and no usual error: the model stands elsewhere, refused
# Between UNPLACED_SHARE and OFF_SHARE with no usual error the building may straddle its lot line by
# design: the rules measure it (a setback FAILs), `permitcheck georef` still says where it would fit.
MISALIGNED_DEG = 0.25  # footprint and parcel edges further apart than this, as placed, are not aligned
ALIGNED_DEG = 0.1  # ... and this close once the convergence is undone are: digitising noise is ~0.05°
DOMINANT_SHARE = 0.5  # of the footprint's outline along one direction (mod 90°): it has a direction
PARCEL_EDGE_SHARE = 0.1  # of the parcel's perimeter: an edge a building may be set along
FIT_EVALUATIONS = 200  # per local search; two searches and a sweep of 36 turns: about 450 in all
# Korea's projected CRSs on the Bessel datum and their GRS80 twins (same belt, other datum)
_TWINS = {"EPSG:5174": "EPSG:5186", "EPSG:5186": "EPSG:5174", "EPSG:2097": "EPSG:5186", "EPSG:5173": "EPSG:5185",
          "EPSG:5185": "EPSG:5173", "EPSG:5175": "EPSG:5187", "EPSG:5187": "EPSG:5175", "EPSG:5176": "EPSG:5188",
          "EPSG:5188": "EPSG:5176"}


@dataclass(frozen=True)
class Fit:
    """Where the footprint, as placed, fits the parcel: turned about its centre, then moved."""

    dx: float  # metres east in the map (negative: west)
    dy: float  # metres north (negative: south)
    rotation_deg: float  # counter-clockwise, about `centre`
    centre: tuple[float, float]  # the footprint's centroid as placed, map metres
    outside_m2: float  # of the footprint left outside the parcel after the move
    outside_share: float
    outside_start_m2: float  # ... before it (at the placement the fit started from)
    evaluations: int
    seconds: float

    def georeference(self, start: Georeference) -> Georeference:
        """`start` with the fit applied: the map conversion that places the footprint where it fits."""
        a = math.radians(self.rotation_deg)
        c, s = math.cos(a), math.sin(a)
        e, n = start.eastings - self.centre[0], start.northings - self.centre[1]
        return replace(start, eastings=self.centre[0] + c * e - s * n + self.dx,
                       northings=self.centre[1] + s * e + c * n + self.dy,
                       rotation_deg=start.rotation_deg + self.rotation_deg)

    def describe(self) -> str:
        """"moved 12.3 m east, 4.1 m south and turned 3.2° counter-clockwise" """
        ew = f"{abs(self.dx):.1f} m {'east' if self.dx >= 0 else 'west'}"
        ns = f"{abs(self.dy):.1f} m {'north' if self.dy >= 0 else 'south'}"
        turn = f"{abs(self.rotation_deg):.1f}°" + ("" if round(self.rotation_deg, 1) == 0 else
                                                   " counter-clockwise" if self.rotation_deg > 0 else " clockwise")
        return f"moved {ew}, {ns} and turned {turn}"


@dataclass(frozen=True)
class Diagnosis:
    cause: str
    fix: str
    share_as_placed: float  # of the footprint on the parcel, as the model places itself
    share_corrected: float  # once the cause is undone (where the fit puts it, when no cause is found)
    # the correction as an edit of the file's IfcMapConversion / IfcProjectedCRS (`permitcheck georef
    # --write`): ("offsets", factor), ("swap", 0), ("turn", 0), ("identity", 0), ("crs", name),
    # ("rotate", degrees counter-clockwise); () when no usual error explains the placement
    edit: tuple = ()
    status: str = "ERROR"  # the check refuses the placement; REVIEW: a person judges (rotation_review)
    # the fit from the corrected placement (its outside_start_m2: the area left outside once
    # corrected), or from the placement as it is when no usual error explains it
    fit: Fit | None = None
    convergence_deg: float | None = None  # grid north to true north, counter-clockwise (rotation_review)
    misaligned_deg: tuple[float, float] | None = None  # footprint to parcel edges: as placed, corrected


def _share(footprint_map: BaseGeometry, parcel_map: BaseGeometry) -> float:
    area = footprint_map.area
    if area <= 0 or not math.isfinite(area):
        return 0.0
    return float(footprint_map.intersection(parcel_map.buffer(EDGE_M)).area / area)


def _placed(footprint: BaseGeometry, geo: Georeference) -> BaseGeometry:
    return shapely.transform(footprint, geo.to_map)


def _candidates(geo: Georeference):
    """(cause, fix, the georeference with the cause undone, the edit of the file) for each usual error."""
    e, n = geo.eastings, geo.northings
    for factor, cause, fix in (
        (1e-3, "the map conversion's Eastings and Northings are in millimetres but read as metres",
         "write them in the map's unit (metres), or give IfcProjectedCRS its MapUnit (millimetre)"),
        (1e3, "the map conversion's Eastings and Northings are in metres but read as millimetres",
         "give IfcProjectedCRS the map's unit (metre), not the model's"),
        (0.3048, "the map conversion's Eastings and Northings are in feet but read as metres",
         "give IfcProjectedCRS its MapUnit (foot), or write them in metres"),
        (1 / 0.3048, "the map conversion's Eastings and Northings are in metres but read as feet",
         "give IfcProjectedCRS the map's unit (metre)"),
    ):
        yield cause, fix, replace(geo, eastings=e * factor, northings=n * factor), ("offsets", factor)
    yield ("easting and northing are swapped in the map conversion",
           "exchange IfcMapConversion.Eastings and Northings", replace(geo, eastings=n, northings=e), ("swap", 0))
    if abs(geo.rotation_deg) > 0.01:
        yield ("the rotation is turned the wrong way (clockwise written for counter-clockwise, or the angle of "
               "grid north from the model's Y axis written for that of the model's X axis from east)",
               f"set XAxisAbscissa/XAxisOrdinate to the angle {-geo.rotation_deg:.4f}° (model X from grid east, "
               "counter-clockwise)", replace(geo, rotation_deg=-geo.rotation_deg), ("turn", 0))
    yield ("the model's coordinates are already map coordinates, and the map conversion moves them again",
           "remove the IfcMapConversion offsets (or move the model back to its project origin)",
           replace(geo, eastings=0.0, northings=0.0, rotation_deg=0.0, grid_scale=1.0, origin_model=(0.0, 0.0, 0.0)),
           ("identity", 0))


def on_parcel(site: Site, footprint: BaseGeometry) -> float:
    """The share of the footprint on the parcel (taken EDGE_M larger) as the site's placement puts it."""
    geo = site.georeference
    if geo is None:
        return _share(footprint, site.parcel)
    return _share(_placed(footprint, geo), shapely.transform(site.parcel, geo.to_map))


def diagnose(site: Site, footprint: BaseGeometry) -> Diagnosis | None:
    """The likely georeferencing error when the model, placed by its own georeference, is mostly off
    its parcel, with the area left outside once corrected; when none explains a model that stands
    wholly elsewhere (within MAX_PLAUSIBLE_GAP_M), where its footprint fits. None when it stands on
    its parcel, when --anchor placed it, when it is partly on it in no usual way (a building across
    its lot line is the rules' to measure), or kilometres off (check_plausible_placement's)."""
    geo = site.georeference
    if geo is None or footprint.is_empty or site.placement.startswith("--anchor"):
        return None
    parcel_map = shapely.transform(site.parcel, geo.to_map)
    placed = _placed(footprint, geo)
    as_placed = _share(placed, parcel_map)
    if as_placed >= OFF_SHARE:
        return None
    best: Diagnosis | None = None
    best_map = placed
    for cause, fix, other, edit in _candidates(geo):
        moved = _placed(footprint, other)
        share = _share(moved, parcel_map)
        if share >= FIT_SHARE and (best is None or share > best.share_corrected):
            best, best_map = Diagnosis(cause, fix, as_placed, share, edit), moved
    twin = _TWINS.get((geo.crs or "").upper())
    if twin is not None:
        moved = reproject(placed, twin, geo.crs)
        share = _share(moved, parcel_map)
        if share >= FIT_SHARE and (best is None or share > best.share_corrected):
            best, best_map = Diagnosis(
                f"the map conversion's coordinates are in {twin} but the model names {geo.crs} (Korea's "
                "Bessel and GRS80 datums: hundreds of metres apart)",
                f"name {twin} in IfcProjectedCRS, or convert the Eastings and Northings to {geo.crs}",
                as_placed, share, ("crs", twin)), moved
    if best is not None:
        return replace(best, fit=_fit_map(best_map, parcel_map, sweep=False))
    if as_placed >= UNPLACED_SHARE or not placed.distance(parcel_map) <= MAX_PLAUSIBLE_GAP_M:
        return None  # across its lot line; or kilometres off (or not finite): a CRS mix-up, said on its own
    found = _fit_map(placed, parcel_map, sweep=True)
    there = found.georeference(geo)
    return Diagnosis(
        f"no usual georeferencing error explains it; the footprint fits the parcel {found.describe()}, with "
        f"{found.outside_m2:.1f} m² left outside",
        f"check that the site is the model's parcel; if it is, the map conversion that puts the footprint there "
        f"has Eastings {there.eastings:.3f} m, Northings {there.northings:.3f} m and the angle "
        f"{there.rotation_deg:.4f}° — correct it in the authoring tool",
        as_placed, _share(_moved(placed, found), parcel_map), fit=found)


def fit(site: Site, footprint: BaseGeometry, start: Georeference | None = None) -> Fit:
    """Where the footprint, placed by `start` (the site's georeference when None), fits the parcel: the
    turn about its centre and the move that leave least of it outside, the smallest when several do.

    A sweep of turns with the centres matched and a local search from the placement as it is and
    from the best of the sweep (scipy's Nelder-Mead): about 450 evaluations, vectorised where
    they can be. The residual is the footprint's area outside the parcel as drawn (no EDGE_M)."""
    geo = site.georeference
    start = start or geo
    if geo is None or start is None:
        raise ValueError("the site has no placement to fit from")
    return _fit_map(_placed(footprint, start), shapely.transform(site.parcel, geo.to_map), sweep=True)


_MOVE_WEIGHT = 1e-4  # m² of outside area per m² of move: among placements that fit, the nearest


def _fit_map(placed: BaseGeometry, parcel_map: BaseGeometry, sweep: bool) -> Fit:
    """The fit of a footprint already in map coordinates (the placement, or a corrected one)."""
    from scipy.optimize import minimize  # only a model off its parcel pays for importing scipy

    t0 = time.perf_counter()
    centre = placed.centroid
    c = np.array([centre.x, centre.y])
    shape = placed.simplify(0.01)  # a meshed footprint's centimetre kinks only cost time
    xy = shapely.get_coordinates(shape) - c
    wkb = shapely.to_wkb(shape)
    x0, y0, x1, y1 = placed.bounds
    radius = max(1.0, math.hypot(x1 - x0, y1 - y0) / 2)  # a turn of 1/radius moves the far corners 1 m
    area = shape.area
    shapely.prepare(parcel_map)
    count = [0]

    def outside(params: np.ndarray) -> np.ndarray:
        """Outside area (m²) for each (dx, dy, turn × radius) row, with the move's small weight."""
        params = np.atleast_2d(params)
        a = params[:, 2] / radius
        cos, sin = np.cos(a)[:, None], np.sin(a)[:, None]
        coords = np.stack([c[0] + cos * xy[:, 0] - sin * xy[:, 1] + params[:, :1],
                           c[1] + sin * xy[:, 0] + cos * xy[:, 1] + params[:, 1:2]], axis=-1)
        geoms = shapely.set_coordinates(shapely.from_wkb(np.full(len(params), wkb, dtype=object)),
                                        coords.reshape(-1, 2))
        count[0] += len(params)
        inside = shapely.area(shapely.intersection(geoms, parcel_map))
        return area - inside + _MOVE_WEIGHT * np.sum(params ** 2, axis=1)

    starts = [np.zeros(3)]
    if sweep:
        pc = parcel_map.centroid
        turns = np.radians(np.arange(0, 360, 10)) * radius
        grid = np.column_stack([np.full_like(turns, pc.x - c[0]), np.full_like(turns, pc.y - c[1]), turns])
        starts.append(grid[int(np.argmin(outside(grid)))])
    best = None
    for x in starts:
        simplex = x + np.vstack([np.zeros(3), np.eye(3) * 2.0])
        r = minimize(lambda p: float(outside(p)[0]), x, method="Nelder-Mead",
                     options={"initial_simplex": simplex, "xatol": 1e-4, "fatol": 1e-6, "maxfev": FIT_EVALUATIONS})
        if best is None or r.fun < best.fun:
            best = r
    dx, dy, u = (float(v) for v in best.x)
    turn = math.degrees(u / radius)
    turn = (turn + 180.0) % 360.0 - 180.0
    result = Fit(dx, dy, turn, (float(c[0]), float(c[1])), 0.0, 0.0, _outside(placed, parcel_map), count[0], 0.0)
    left = _outside(_moved(placed, result), parcel_map)
    return replace(result, outside_m2=left, outside_share=left / placed.area if placed.area > 0 else 0.0,
                   seconds=time.perf_counter() - t0)


def _outside(footprint_map: BaseGeometry, parcel_map: BaseGeometry) -> float:
    return float(max(0.0, footprint_map.area - footprint_map.intersection(parcel_map).area))


def _moved(placed: BaseGeometry, fit_: Fit) -> BaseGeometry:
    a = math.radians(fit_.rotation_deg)
    cos, sin = math.cos(a), math.sin(a)
    cx, cy = fit_.centre

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0] - cx, xy[:, 1] - cy
        return np.column_stack([cx + cos * x - sin * y + fit_.dx, cy + sin * x + cos * y + fit_.dy])

    return shapely.transform(placed, move)


def convergence_deg(site: Site) -> float | None:
    """Grid north to true north at the parcel, counter-clockwise in degrees: pyproj's meridian
    convergence (positive east of a transverse Mercator's central meridian, where true north lies
    west of grid north). The site's two norths are in model coordinates; a map conversion turns
    both alike, so the angle between them is the map's."""
    if site.true_north is None:
        return None
    g, t = site.north, site.true_north
    return math.degrees(math.atan2(g[0] * t[1] - g[1] * t[0], g[0] * t[0] + g[1] * t[1]))


def _edge_directions(geom: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Direction (degrees, modulo 90: a wall and the wall across it are one direction) and length
    of every edge of a polygon's rings."""
    rings = shapely.get_rings(shapely.get_parts(geom))
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    d = np.diff(xy, axis=0)[same]
    lengths = np.hypot(d[:, 0], d[:, 1])
    keep = lengths > 1e-9
    return np.degrees(np.arctan2(d[keep, 1], d[keep, 0])) % 90.0, lengths[keep]


def _gap90(a) -> np.ndarray:
    """Signed difference of directions modulo 90°, in [-45, 45)."""
    return (np.asarray(a) + 45.0) % 90.0 - 45.0


def _dominant(angles: np.ndarray, lengths: np.ndarray, window: float = 0.5) -> tuple[float, float]:
    """The direction (mod 90°) most of an outline runs along, within ±window, and that share of it."""
    candidates = angles[np.argsort(lengths)[::-1][:256]]  # a meshed outline's long edges are enough
    near = np.abs(_gap90(angles[None, :] - candidates[:, None])) <= window
    weight = near @ lengths
    best = int(np.argmax(weight))
    gaps = _gap90(angles[near[best]] - candidates[best])
    heading = (candidates[best] + float(np.average(gaps, weights=lengths[near[best]]))) % 90.0
    return heading, float(weight[best] / lengths.sum())


def rotation_review(site: Site, footprint: BaseGeometry) -> Diagnosis | None:
    """A model on its parcel but turned by the grid convergence: its rotation given from true north
    instead of grid north (or converted from true north when it was already from grid north).

    The convergence is 0.5-2° away from a projection's central meridian, far too little to move a
    building off its parcel, so `diagnose` never sees it. Buildings are mostly set along an edge
    of their parcel: when the footprint's main direction is off every long parcel edge by more than
    MISALIGNED_DEG and undoing the convergence (either way) aligns it within ALIGNED_DEG, the cause
    is named with the angle to write. A building may stand askew by design: REVIEW, never a
    refusal. None when nothing points to it (or --anchor placed the model, or the placement is
    approximate, from IfcSite latitude/longitude)."""
    geo = site.georeference
    gamma = convergence_deg(site)
    if geo is None or gamma is None or footprint.is_empty or geo.approximate or \
            site.placement.startswith("--anchor"):
        return None
    parcel_map = shapely.transform(site.parcel, geo.to_map)
    as_placed = _share(_placed(footprint, geo), parcel_map)
    if as_placed < OFF_SHARE:
        return None  # diagnose's to name
    heading, share = _dominant(*_edge_directions(footprint))
    angles, lengths = _edge_directions(site.parcel)
    sides = angles[lengths >= PARCEL_EDGE_SHARE * lengths.sum()]
    if share < DOMINANT_SHARE or not len(sides):
        return None

    def off(turn: float) -> float:
        return float(np.abs(_gap90(heading + turn - sides)).min())

    before = off(0.0)
    after, turn = min((off(t), t) for t in (gamma, -gamma))
    if before <= MISALIGNED_DEG or after > ALIGNED_DEG:
        return None
    corrected = replace(geo, rotation_deg=geo.rotation_deg + turn)
    cause = ("the rotation was given from true north instead of grid north" if turn == gamma else
             "the rotation was turned from true north to grid north although it was already from grid north")
    return Diagnosis(
        f"{cause}: the grid convergence here is {gamma:+.3f}° (the footprint's edges are {before:.2f}° off the "
        f"parcel's as placed, {after:.2f}° once turned)",
        f"set XAxisAbscissa/XAxisOrdinate to the angle {corrected.rotation_deg:.4f}° (now {geo.rotation_deg:.4f}°; "
        "model X from grid east, counter-clockwise)",
        as_placed, _share(_placed(footprint, corrected), parcel_map), ("rotate", turn), status="REVIEW",
        convergence_deg=gamma, misaligned_deg=(before, after))
