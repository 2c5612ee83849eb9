"""Site files: a GeoJSON FeatureCollection whose features carry a `role`, brought into the model.

Roles: parcel (Polygon, `id`, optional `ground_elevation`), road (Polygon or LineString, optional
`width`: a number in metres, or a string with a unit such as "100 ft"), zone (Polygon, `zone`),
neighbour (Polygon, optional `zone`), building (optional `height`), boundary (LineString, `kind`:
overrides the automatic label of the parcel edges it lies on). A top-level `warnings` list of texts
(what reading the layers left out) is carried into the result. CRS: a legacy `crs` member naming an
EPSG code, or `--site-crs`; none means RFC 7946 longitude/latitude. The document's shape is
checked first (`site.document`); coordinates then go through pyproj into the model's projected CRS
(its unit converted to metres), then through the model's map conversion into model coordinates,
where the facts are. Every polygon is oriented (outer rings counter-clockwise) there, whatever
way the file draws it: shapefiles and many GIS tools write clockwise rings.
"""

from __future__ import annotations

import hashlib
import math
import os

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.polygon import orient

from permitcheck.model.types import Georeference
from permitcheck.rulebook.quantities import parse_length
from permitcheck.site import document
from permitcheck.site.boundaries import label_edges
from permitcheck.site.document import ROLES, SiteError
from permitcheck.site.lot import parse_declared
from permitcheck.site.types import Feature, Site

__all__ = ["ROLES", "SiteError", "check_plausible_placement", "load_site"]

# Beyond this the parcel cannot be the model's: a CRS is wrong, not the design.
MAX_PLAUSIBLE_GAP_M = 1000.0
MIN_PARCEL_AREA_M2 = 1.0


def _read(path: str) -> tuple[dict, str]:
    if not os.path.isfile(path):
        raise SiteError(f"{path}: no such site file — check the path given with --site")
    with open(path, "rb") as fh:
        raw = fh.read(document.MAX_FILE_BYTES + 1)
    return document.parse(raw, path), hashlib.sha256(raw).hexdigest()


def _crs_name(data: dict, override: str | None, path: str) -> str:
    name = document.crs_name(data, path)  # checked even when overridden: the document must be well formed
    if override is not None:
        return override
    if name is None:
        return "EPSG:4326"
    if "CRS84" in name:
        return "EPSG:4326"
    if "EPSG::" in name:
        return "EPSG:" + name.rsplit("::", 1)[1]
    return name


def _map_crs(name: str, what: str):
    """A CRS a site can be drawn in: projected (any length unit) or longitude/latitude."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(name)
    except CRSError:
        raise SiteError(f"{what}: unknown CRS '{name}' — name an EPSG code such as EPSG:5186") from None
    if not (crs.is_projected or crs.is_geographic) or crs.is_geocentric:
        raise SiteError(f"{what}: CRS '{name}' ({crs.name}) is not a map CRS — a site is drawn in a projected "
                        "CRS (e.g. EPSG:5186) or in longitude/latitude (EPSG:4326)")
    return crs


def _unit_m(crs) -> float:
    """Metres per unit of a projected CRS's axes (US survey feet in New York's state plane)."""
    if crs.is_geographic or not crs.axis_info:
        return 1.0
    factor = crs.axis_info[0].unit_conversion_factor
    return float(factor) if factor and math.isfinite(factor) and factor > 0 else 1.0


def _oriented(geom):
    """Outer rings counter-clockwise, holes clockwise: what edge labels and strips assume."""
    if geom.geom_type == "Polygon":
        return orient(geom, 1.0)
    if geom.geom_type == "MultiPolygon":
        return shapely.MultiPolygon([orient(p, 1.0) for p in geom.geoms])
    return geom


def placement_from_anchor(anchor: tuple[float, float], rotation_deg: float, site_crs: str,
                          unit_m: float = 1.0) -> Georeference:
    """The model origin at `anchor` (in the site CRS's unit), its X axis `rotation_deg` from east."""
    if not all(math.isfinite(v) and abs(v) < 1e9 for v in (*anchor, rotation_deg)):
        raise SiteError(f"--anchor {anchor[0]},{anchor[1]} --rotation {rotation_deg}: not finite map figures — "
                        "give E,N in the site's CRS and degrees")
    return Georeference(crs=site_crs, eastings=anchor[0] * unit_m, northings=anchor[1] * unit_m,
                        orthogonal_height=0.0, rotation_deg=rotation_deg, scale=1.0, source="--anchor/--rotation")


def load_site(path: str | os.PathLike, geo: Georeference | None, site_crs: str | None = None,
              anchor: tuple[float, float] | None = None, rotation_deg: float = 0.0) -> Site:
    """Read a site file and place it in the model's coordinates."""
    path = os.fspath(path)
    data, digest = _read(path)
    crs = _crs_name(data, site_crs, path)
    src = _map_crs(crs, f"{path}: the site's CRS")
    raw_features = document.features(data, path)
    warnings = list(document.recorded_warnings(data, path))
    if anchor is not None:
        if geo is not None:
            warnings.append(f"--anchor/--rotation override the model's own georeferencing ({geo.source})")
        if src.is_geographic:
            raise SiteError(f"{path}: --anchor needs a site in a projected CRS (metres); this one is {crs} — "
                            "write the site in a projected CRS such as EPSG:5186 or pass --site-crs")
        geo = placement_from_anchor(anchor, rotation_deg, crs, _unit_m(src))
    if geo is None:
        raise SiteError("the model is not georeferenced, so it cannot be placed on the site — pass "
                        "--anchor E,N (map position of the model origin, in the site's CRS) and --rotation DEG")
    if geo.approximate:
        warnings.append("the model is placed from IfcSite latitude/longitude (approximate to a few metres)")
    if geo.crs is None:
        if src.is_geographic:
            raise SiteError(f"{path}: the site is in longitude/latitude and the model's map conversion names no "
                            "CRS to project it into — write the site in the model's projected CRS (--site-crs)")
        warnings.append(f"the model's map conversion names no CRS: assuming the site's CRS {crs}")
        dst = src
        transformer = None
    else:
        dst = _map_crs(geo.crs, "the model's georeferencing")
        if dst.is_geographic:
            raise SiteError(f"the model's map conversion names {geo.crs}, a longitude/latitude CRS — a map "
                            "conversion targets a projected CRS; fix the model's IfcProjectedCRS or pass --anchor")
        transformer = None if src == dst else _proj(src, dst)
    unit_m = _unit_m(dst)

    def to_model(coords: np.ndarray) -> np.ndarray:
        xy = coords[:, :2]
        if transformer is not None:
            e, n = transformer.transform(xy[:, 0], xy[:, 1])
            xy = np.column_stack([e, n])
        if not np.all(np.isfinite(xy)):
            raise SiteError(f"{path}: coordinates fall outside the area of {geo.crs} — check the site's CRS")
        return geo.to_model(xy * unit_m)

    if src.is_geographic:
        _lonlat_in_range(raw_features, path, crs, site_crs is not None)
    else:
        _degrees_as_projected(raw_features, path, crs, src, site_crs is not None)
    features = []
    for i, (role, geometry, props) in enumerate(raw_features):
        geom = _oriented(shapely.transform(shape(geometry), to_model))
        if role != "parcel" and not geom.is_valid:
            geom = _oriented(shapely.make_valid(geom))
            warnings.append(f"features[{i}] ({role}) is not a valid geometry: repaired")
        for key in ("width", "required_width"):
            if role == "road" and props.get(key) is not None:
                props = {**props, key: _road_width(props[key], f"{path}: features[{i}] (road) {key}")}
        if role == "road" and "far_side_obstacle" in props and not isinstance(props["far_side_obstacle"], bool):
            raise SiteError(f"{path}: features[{i}] (road): far_side_obstacle must be true or false")
        features.append(Feature(role, geom, props))

    parcels = [f for f in features if f.role == "parcel"]
    if len(parcels) != 1:
        raise SiteError(f"{path}: needs exactly one feature with role 'parcel', found {len(parcels)}")
    parcel = parcels[0]
    parse_declared(parcel.properties, path)  # lot facts the site states: refused here, not mid-check
    if not parcel.geometry.is_valid:
        raise SiteError(f"{path}: the parcel must be one valid Polygon ({shapely.is_valid_reason(parcel.geometry)}) "
                        "— fix self-intersections or split the file")
    if parcel.geometry.area < MIN_PARCEL_AREA_M2:
        raise SiteError(f"{path}: the parcel's area is {parcel.geometry.area:.3g} m² — a parcel needs an area; "
                        "check its coordinates and the site's CRS")
    north = geo.to_model(np.array([[geo.eastings, geo.northings + 1.0]]))[0] - \
        geo.to_model(np.array([[geo.eastings, geo.northings]]))[0]
    north = north / np.linalg.norm(north)
    edges = label_edges(parcel.geometry, features, north)
    zones = sorted(((f.geometry.intersection(parcel.geometry).area, str(f.properties.get("zone")))
                    for f in features if f.role == "zone"), reverse=True)
    return Site(
        path=path, sha256=digest, crs=crs, parcel_id=str(parcel.properties.get("id", "parcel")),
        parcel=parcel.geometry,
        parcel_ground_elevation=_float_or_none(parcel.properties.get("ground_elevation")),
        edges=edges, north=north, features=tuple(features),
        zone_codes=tuple(code for area, code in zones if area > 0),
        zone_shares=tuple((code, area / parcel.geometry.area) for area, code in zones if area > 0),
        placement=f"{geo.source}" + (f" ({geo.crs})" if geo.crs else ""),
        georeference=geo,
        warnings=tuple(warnings),
        true_north=_true_north(geo, dst, unit_m, parcel.geometry),
        latitude_deg=_latitude(geo, dst, unit_m, parcel.geometry),
    )


def _lonlat_in_range(raw_features, path: str, crs: str, declared: bool) -> None:
    """Metres read as degrees are the commonest site mistake: say so instead of placing them."""
    for i, (role, geometry, _) in enumerate(raw_features):
        xy = np.asarray(shapely.get_coordinates(shape(geometry)))
        if len(xy) and (np.abs(xy[:, 0]).max() > 180 or np.abs(xy[:, 1]).max() > 90):
            how = "it was given with --site-crs" if declared else "the file has no 'crs' member, so it is read as"
            raise SiteError(f"{path}: features[{i}] ({role}) has coordinates such as {xy[0][0]:.6g}, {xy[0][1]:.6g}, "
                            f"not longitude/latitude ({how} {crs}) — declare the site's projected CRS with a "
                            "'crs' member or --site-crs")


def _degrees_as_projected(raw_features, path: str, crs: str, src, declared: bool) -> None:
    """Longitude/latitude in a file that names a projected CRS (a GIS export labelled with the
    project's CRS): read as metres, the parcel would be a speck at the CRS's false origin, far from
    the model, and refused for a reason that hides the cause. Checked before any projection."""
    for role, geometry, _ in raw_features:
        if role != "parcel":
            continue
        parcel = shape(geometry)
        xy = np.abs(shapely.get_coordinates(parcel))
        unit_m = _unit_m(src)
        if parcel.area * unit_m ** 2 >= MIN_PARCEL_AREA_M2 or not len(xy):
            return
        lon_first = xy[:, 0].max() <= 180 and xy[:, 1].max() <= 90
        lat_first = xy[:, 0].max() <= 90 and xy[:, 1].max() <= 180
        if not (lon_first or lat_first):
            return
        x, y = shapely.get_coordinates(parcel)[0]
        says = f"--site-crs says {crs}" if declared else f"its CRS says {crs}"
        unit = src.axis_info[0].unit_name if src.axis_info else "metre"
        unit = {"metre": "metres", "meter": "metres", "foot": "feet", "US survey foot": "US survey feet"}.get(unit, unit)
        if lon_first:
            raise SiteError(f"{path}: the site's coordinates look like longitude/latitude degrees ({x:.6f}, {y:.6f}) but "
                            f"{says}, a projected CRS in {unit} — declare EPSG:4326 (a 'crs' member, or --site-crs "
                            f"EPSG:4326), or reproject the site into {crs}")
        raise SiteError(f"{path}: the site's coordinates look like latitude/longitude degrees, latitude first "
                        f"({x:.6f}, {y:.6f}), but {says}, a projected CRS in {unit} — write longitude first (RFC "
                        f"7946) and declare EPSG:4326, or reproject the site into {crs}")


def _proj(src, dst):
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def reproject(geom, source, target):
    """A geometry from one CRS to another, x east and y north in both."""
    if source == target:
        return geom
    t = _proj(source, target)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def _true_north(geo: Georeference, crs, unit_m: float, parcel) -> np.ndarray | None:
    """True north at the parcel in model coordinates: grid north turned by the meridian convergence."""
    from pyproj.exceptions import CRSError, ProjError

    try:
        c = parcel.centroid
        e, n = geo.to_map(np.array([[c.x, c.y]]))[0] / unit_m
        if crs.is_geographic:
            e2, n2 = e, n + 1e-4
        else:
            lon, lat = _proj(crs, crs.geodetic_crs).transform(e, n)
            e2, n2 = _proj(crs.geodetic_crs, crs).transform(lon, lat + 1e-4)
        v = geo.to_model(np.array([[e2, n2]]) * unit_m)[0] - geo.to_model(np.array([[e, n]]) * unit_m)[0]
    except (CRSError, ProjError, ValueError):
        return None
    norm = float(np.linalg.norm(v))
    return v / norm if np.isfinite(norm) and norm > 0 else None


def _latitude(geo: Georeference, crs, unit_m: float, parcel) -> float | None:
    """The parcel's latitude (degrees north): where the sun stands at noon on the solstice."""
    from pyproj.exceptions import CRSError, ProjError

    try:
        c = parcel.centroid
        e, n = geo.to_map(np.array([[c.x, c.y]]))[0] / unit_m
        lat = n if crs.is_geographic else _proj(crs, crs.geodetic_crs).transform(e, n)[1]
    except (CRSError, ProjError, ValueError):
        return None
    return float(lat) if math.isfinite(lat) and abs(lat) <= 90 else None


def _road_width(value, where: str) -> float:
    """A road's width in metres: a plain number is metres; "100 ft" says its unit (NYC streets)."""
    fix = "write metres (20) or a unit ('75 ft')"
    try:
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        width = float(value) if number else parse_length(value)
    except (TypeError, ValueError) as e:
        raise SiteError(f"{where}: width {value!r} is not a length ({e}) — {fix}") from e
    if not math.isfinite(width) or width <= 0:
        raise SiteError(f"{where}: width {value!r} must be a positive length — {fix}")
    return width


def _float_or_none(v) -> float | None:
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None


def check_plausible_placement(site: Site, footprint, crs_note: str) -> None:
    """A parcel kilometres from the building means a CRS mix-up, not a design to check."""
    if footprint.is_empty:
        return
    gap = site.parcel.distance(footprint)
    if gap > MAX_PLAUSIBLE_GAP_M:
        raise SiteError(
            f"{site.path}: the parcel lies {gap / 1000:.1f} km from the building after placing it "
            f"({crs_note}) — the site's CRS or the model's georeferencing is wrong; declare the site's CRS "
            "with a 'crs' member or --site-crs"
        )


def bearing_deg(v: np.ndarray) -> float:
    return math.degrees(math.atan2(v[0], v[1]))
