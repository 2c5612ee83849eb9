"""Georeferencing: where the model sits on the map.

Read, in order of trust: IfcMapConversion + IfcProjectedCRS (IFC4, IFC4X3), the IFC2X3
``ePSet_MapConversion`` / ``ePSet_ProjectedCRS`` property sets on IfcProject, and as an approximate
fallback IfcSite RefLatitude/RefLongitude with the context's TrueNorth, projected to the UTM zone
of the site. All figures are returned in metres.
"""

from __future__ import annotations

import math

import ifcopenshell
import ifcopenshell.util.element
import ifcopenshell.util.geolocation as geolocation
import ifcopenshell.util.placement
import ifcopenshell.util.unit

from permitcheck.model.types import Georeference

# A real grid scale factor is within a few parts per thousand of 1; anything far off means the
# file's Scale does not carry the unit conversion it should (IFC4 vs IFC4.3 semantics differ).
_PLAUSIBLE_GRID_SCALE = (0.9, 1.1)

_UNIT_NAMES_M = {"METRE": 1.0, "METER": 1.0, "MILLIMETRE": 0.001, "MILLIMETER": 0.001,
                 "CENTIMETRE": 0.01, "CENTIMETER": 0.01, "FOOT": 0.3048, "US_SURVEY_FOOT": 1200 / 3937}


def _model_context(f: ifcopenshell.file):
    contexts = f.by_type("IfcGeometricRepresentationContext", include_subtypes=False)
    for c in contexts:
        if c.ContextType == "Model":
            return c
    return contexts[0] if contexts else None


def _wcs_origin(f: ifcopenshell.file, unit_m: float, warnings: list[str]) -> tuple[float, float, float]:
    ctx = _model_context(f)
    if ctx is None or ctx.WorldCoordinateSystem is None:
        return (0.0, 0.0, 0.0)
    m = ifcopenshell.util.placement.get_axis2placement(ctx.WorldCoordinateSystem)
    if abs(m[0][0] - 1) > 1e-9 or abs(m[1][0]) > 1e-9:
        warnings.append("the model context's WorldCoordinateSystem is rotated; the rotation is ignored")
    return (float(m[0][3]) * unit_m, float(m[1][3]) * unit_m, float(m[2][3]) * unit_m)


def _grid_scale(scale: float, map_unit_m: float, unit_m: float, warnings: list[str]) -> float:
    k = scale * map_unit_m / unit_m
    if not (_PLAUSIBLE_GRID_SCALE[0] <= k <= _PLAUSIBLE_GRID_SCALE[1]):
        warnings.append(
            f"georeferencing Scale {scale:g} does not convert the model unit ({unit_m:g} m) to the map "
            f"unit ({map_unit_m:g} m); applying the unit conversion instead (IFC4.3 reading)"
        )
        return 1.0
    return k


def _from_map_conversion(f: ifcopenshell.file, unit_m: float, warnings: list[str]) -> Georeference | None:
    params = geolocation.get_helmert_transformation_parameters(f)
    if params is None:
        return None
    crs_name = None
    map_unit_m = unit_m  # without a MapUnit the map uses the project length unit
    if f.schema == "IFC2X3":
        source = "ePSet_MapConversion"
        crs = ifcopenshell.util.element.get_pset(f.by_type("IfcProject")[0], "ePSet_ProjectedCRS") or {}
        crs_name = crs.get("Name")
        unit = crs.get("MapUnit")
        if isinstance(unit, str) and unit.upper().replace(" ", "_") in _UNIT_NAMES_M:
            map_unit_m = _UNIT_NAMES_M[unit.upper().replace(" ", "_")]
        elif isinstance(unit, ifcopenshell.entity_instance):
            map_unit_m = ifcopenshell.util.unit.get_unit_scale(unit)
    else:
        op = f.by_type("IfcCoordinateOperation")[0]
        source = op.is_a()
        target = getattr(op, "TargetCRS", None)
        if target is not None:
            crs_name = target.Name
            if getattr(target, "MapUnit", None) is not None:
                map_unit_m = ifcopenshell.util.unit.get_unit_scale(target.MapUnit)
    rotation = math.degrees(math.atan2(params.xao, params.xaa))
    origin = _wcs_origin(f, unit_m, warnings)
    return Georeference(
        crs=crs_name,
        eastings=float(params.e) * map_unit_m,
        northings=float(params.n) * map_unit_m,
        orthogonal_height=float(params.h) * map_unit_m,
        rotation_deg=rotation,
        scale=float(params.scale),
        source=source,
        map_unit_m=map_unit_m,
        grid_scale=_grid_scale(float(params.scale) * params.factor_x, map_unit_m, unit_m, warnings),
        origin_model=origin,
    )


def _degrees(compound) -> float | None:
    if not compound:
        return None
    parts = list(compound) + [0] * (4 - len(compound))
    return geolocation.dms2dd(*parts[:4])


def _true_north_deg(f: ifcopenshell.file) -> float:
    """Angle of the model X axis from true east, counter-clockwise (0 without TrueNorth)."""
    ctx = _model_context(f)
    if ctx is None or ctx.TrueNorth is None:
        return 0.0
    tx, ty = ctx.TrueNorth.DirectionRatios[:2]
    return math.degrees(math.atan2(tx, ty))


def _from_site_latlon(f: ifcopenshell.file, unit_m: float, warnings: list[str]) -> Georeference | None:
    sites = f.by_type("IfcSite")
    if not sites:
        return None
    site = sites[0]
    lat, lon = _degrees(site.RefLatitude), _degrees(site.RefLongitude)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None
    from pyproj import CRS, Transformer
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    if not infos:
        return None
    code = f"EPSG:{infos[0].code}"
    to_utm = Transformer.from_crs("EPSG:4326", CRS.from_user_input(code), always_xy=True)
    e0, n0 = to_utm.transform(lon, lat)
    e1, n1 = to_utm.transform(lon, lat + 1e-4)
    # Rotate by the meridian convergence: true north is not grid north away from the central meridian.
    convergence = math.degrees(math.atan2(n1 - n0, e1 - e0)) - 90.0
    origin = (0.0, 0.0, 0.0)
    if site.ObjectPlacement is not None:
        m = ifcopenshell.util.placement.get_local_placement(site.ObjectPlacement)
        origin = (float(m[0][3]) * unit_m, float(m[1][3]) * unit_m, float(m[2][3]) * unit_m)
    warnings.append(
        "georeferencing taken from IfcSite RefLatitude/RefLongitude and TrueNorth (approximate); "
        "add an IfcMapConversion for survey-grade placement"
    )
    return Georeference(
        crs=code,
        eastings=e0,
        northings=n0,
        orthogonal_height=float(site.RefElevation or 0.0) * unit_m,
        rotation_deg=_true_north_deg(f) + convergence,
        scale=1.0,
        source="IfcSite RefLatitude/RefLongitude + TrueNorth",
        origin_model=origin,
        approximate=True,
        latitude=lat,
        longitude=lon,
    )


def _finite(geo: Georeference | None, warnings: list[str]) -> Georeference | None:
    """A georeference with a non-finite or absurd figure places nothing: dropped, with a warning."""
    if geo is None:
        return None
    figures = (geo.eastings, geo.northings, geo.orthogonal_height, geo.rotation_deg, geo.grid_scale,
               *geo.origin_model)
    if all(math.isfinite(x) and abs(x) < 1e9 for x in figures) and geo.grid_scale > 0:
        return geo
    warnings.append(f"georeferencing from {geo.source} has non-finite or absurd figures; ignored "
                    "(pass --anchor/--rotation to place the model)")
    return None


def georeference_of(f: ifcopenshell.file, unit_m: float, warnings: list[str]) -> Georeference | None:
    try:
        found = _finite(_from_map_conversion(f, unit_m, warnings), warnings)
    except (AttributeError, IndexError, TypeError, ValueError, ZeroDivisionError) as e:
        warnings.append(f"map conversion present but unreadable ({e}); ignored")
        found = None
    if found is not None:
        return found
    try:
        return _finite(_from_site_latlon(f, unit_m, warnings), warnings)
    except (AttributeError, IndexError, TypeError, ValueError, ZeroDivisionError) as e:
        warnings.append(f"IfcSite latitude/longitude present but unreadable ({e}); ignored")
        return None
