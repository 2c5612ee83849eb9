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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.model.types import Georeference
from permitcheck.site.load import reproject
from permitcheck.site.types import Site

OFF_SHARE = 0.5  # less of the footprint than this on the parcel: the placement is in question
FIT_SHARE = 0.9  # a correction that puts this much on the parcel names the cause
EDGE_M = 1.0  # the parcel is taken this much larger: a wall on the lot line stays on it
# Korea's projected CRSs on the Bessel datum and their GRS80 twins (same belt, other datum)
_TWINS = {"EPSG:5174": "EPSG:5186", "EPSG:5186": "EPSG:5174", "EPSG:2097": "EPSG:5186", "EPSG:5173": "EPSG:5185",
          "EPSG:5185": "EPSG:5173", "EPSG:5175": "EPSG:5187", "EPSG:5187": "EPSG:5175", "EPSG:5176": "EPSG:5188",
          "EPSG:5188": "EPSG:5176"}


@dataclass(frozen=True)
class Diagnosis:
    cause: str
    fix: str
    share_as_placed: float  # of the footprint on the parcel, as the model places itself
    share_corrected: float  # once the cause is undone
    # the correction as an edit of the file's IfcMapConversion / IfcProjectedCRS (`permitcheck georef
    # --write`): ("offsets", factor), ("swap", 0), ("turn", 0), ("identity", 0), ("crs", name)
    edit: tuple = ()


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


def diagnose(site: Site, footprint: BaseGeometry) -> Diagnosis | None:
    """The likely georeferencing error when the model, placed by its own georeference, is mostly off
    its parcel; None when it stands on it, when --anchor placed it, or when no usual error explains it."""
    geo = site.georeference
    if geo is None or footprint.is_empty or site.placement.startswith("--anchor"):
        return None
    parcel_map = shapely.transform(site.parcel, geo.to_map)
    as_placed = _share(_placed(footprint, geo), parcel_map)
    if as_placed >= OFF_SHARE:
        return None
    best: Diagnosis | None = None
    for cause, fix, other, edit in _candidates(geo):
        share = _share(_placed(footprint, other), parcel_map)
        if share >= FIT_SHARE and (best is None or share > best.share_corrected):
            best = Diagnosis(cause, fix, as_placed, share, edit)
    twin = _TWINS.get((geo.crs or "").upper())
    if twin is not None:
        share = _share(reproject(_placed(footprint, geo), twin, geo.crs), parcel_map)
        if share >= FIT_SHARE and (best is None or share > best.share_corrected):
            best = Diagnosis(f"the map conversion's coordinates are in {twin} but the model names {geo.crs} (Korea's "
                             "Bessel and GRS80 datums: hundreds of metres apart)",
                             f"name {twin} in IfcProjectedCRS, or convert the Eastings and Northings to {geo.crs}",
                             as_placed, share, ("crs", twin))
    return best
