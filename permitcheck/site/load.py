"""Site files: a GeoJSON FeatureCollection whose features carry a `role`, brought into the model.

Roles: parcel (Polygon, `id`, optional `ground_elevation`), road (Polygon or LineString, optional
`width`: a number in metres, or a string with a unit such as "100 ft"), zone (Polygon, `zone`),
neighbour (Polygon, optional `zone`), building (optional `height`), boundary (LineString, `kind`:
overrides the automatic label of the parcel edges it lies on). CRS: a legacy `crs` member naming an
EPSG code, or `--site-crs`; none means RFC 7946 longitude/latitude. Coordinates go through pyproj
into the model's projected CRS, then through the model's map conversion into model coordinates,
where the facts are.
"""

from __future__ import annotations

import hashlib
import json
import math
import os

import numpy as np
import shapely
from shapely.geometry import shape

from permitcheck.errors import InputError
from permitcheck.model.types import Georeference
from permitcheck.rulebook.quantities import parse_length
from permitcheck.site.boundaries import label_edges
from permitcheck.site.types import Feature, Site

ROLES = ("parcel", "road", "zone", "neighbour", "building", "boundary")
# Beyond this the parcel cannot be the model's: a CRS is wrong, not the design.
MAX_PLAUSIBLE_GAP_M = 1000.0


class SiteError(InputError):
    pass


def _crs_of(data: dict, override: str | None) -> str:
    if override:
        return override
    crs = data.get("crs")
    if crs is None:
        return "EPSG:4326"
    name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
    if not name:
        raise SiteError("site 'crs' member has no properties.name — write {\"type\": \"name\", "
                        "\"properties\": {\"name\": \"EPSG:5186\"}} or pass --site-crs")
    if "CRS84" in name:
        return "EPSG:4326"
    if "EPSG::" in name:
        return "EPSG:" + name.rsplit("::", 1)[1]
    return name


def _read(path: str) -> tuple[dict, str]:
    if not os.path.isfile(path):
        raise SiteError(f"{path}: no such site file — check the path given with --site")
    raw = open(path, "rb").read()
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SiteError(f"{path}: not valid JSON ({e}) — a site is a GeoJSON FeatureCollection") from e
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise SiteError(f"{path}: not a GeoJSON FeatureCollection — wrap the parcel and roads in one")
    return data, hashlib.sha256(raw).hexdigest()


def _transformer(site_crs: str, geo: Georeference, path: str):
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        src = CRS.from_user_input(site_crs)
    except CRSError as e:
        raise SiteError(f"{path}: unknown CRS '{site_crs}' — name an EPSG code such as EPSG:5186") from e
    if geo.crs is None:
        return None, src
    try:
        dst = CRS.from_user_input(geo.crs)
    except CRSError as e:
        raise SiteError(f"the model's CRS '{geo.crs}' is unknown to PROJ — pass --anchor/--rotation in the "
                        "site's CRS instead") from e
    if src == dst:
        return None, src
    return Transformer.from_crs(src, dst, always_xy=True), src


def placement_from_anchor(anchor: tuple[float, float], rotation_deg: float, site_crs: str) -> Georeference:
    return Georeference(crs=site_crs, eastings=anchor[0], northings=anchor[1], orthogonal_height=0.0,
                        rotation_deg=rotation_deg, scale=1.0, source="--anchor/--rotation")


def load_site(path: str | os.PathLike, geo: Georeference | None, site_crs: str | None = None,
              anchor: tuple[float, float] | None = None, rotation_deg: float = 0.0) -> Site:
    """Read a site file and place it in the model's coordinates."""
    path = os.fspath(path)
    data, digest = _read(path)
    crs = _crs_of(data, site_crs)
    warnings = []
    if anchor is not None:
        if geo is not None:
            warnings.append(f"--anchor/--rotation override the model's own georeferencing ({geo.source})")
        from pyproj import CRS

        if CRS.from_user_input(crs).is_geographic:
            raise SiteError(f"{path}: --anchor needs a site in a projected CRS (metres); this one is {crs} — "
                            "write the site in a projected CRS such as EPSG:5186 or pass --site-crs")
        geo = placement_from_anchor(anchor, rotation_deg, crs)
    if geo is None:
        raise SiteError("the model is not georeferenced, so it cannot be placed on the site — pass "
                        "--anchor E,N (map position of the model origin, in the site's CRS) and --rotation DEG")
    if geo.approximate:
        warnings.append("the model is placed from IfcSite latitude/longitude (approximate to a few metres)")
    if geo.crs is None:
        warnings.append(f"the model's map conversion names no CRS: assuming the site's CRS {crs}")
    transformer, _src = _transformer(crs, geo, path)

    def to_model(coords: np.ndarray) -> np.ndarray:
        xy = coords[:, :2]
        if transformer is not None:
            e, n = transformer.transform(xy[:, 0], xy[:, 1])
            xy = np.column_stack([e, n])
        if not np.all(np.isfinite(xy)):
            raise SiteError(f"{path}: coordinates fall outside the area of {geo.crs} — check the site's CRS")
        return geo.to_model(xy)

    features = []
    for i, feat in enumerate(data.get("features") or []):
        props = (feat or {}).get("properties") or {}
        role = props.get("role")
        if role not in ROLES:
            raise SiteError(f"{path}: features[{i}] has role {role!r} — use one of {', '.join(ROLES)}")
        try:
            geom = shape(feat["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise SiteError(f"{path}: features[{i}] ({role}) has no valid geometry ({e})") from e
        if role == "road" and props.get("width") is not None:
            props = {**props, "width": _road_width(props["width"], f"{path}: features[{i}] (road)")}
        features.append(Feature(role, shapely.transform(geom, to_model), props))

    parcels = [f for f in features if f.role == "parcel"]
    if len(parcels) != 1:
        raise SiteError(f"{path}: needs exactly one feature with role 'parcel', found {len(parcels)}")
    parcel = parcels[0]
    if parcel.geometry.geom_type != "Polygon" or not parcel.geometry.is_valid:
        raise SiteError(f"{path}: the parcel must be one valid Polygon — fix self-intersections or split the file")
    north = geo.to_model(np.array([[geo.eastings, geo.northings + 1.0]]))[0] - \
        geo.to_model(np.array([[geo.eastings, geo.northings]]))[0]
    north = north / np.linalg.norm(north)
    edges = label_edges(parcel.geometry, features, north)
    zones = sorted(((f.geometry.intersection(parcel.geometry).area, str(f.properties.get("zone")))
                    for f in features if f.role == "zone" and f.properties.get("zone")), reverse=True)
    return Site(
        path=path, sha256=digest, crs=crs, parcel_id=str(parcel.properties.get("id", "parcel")),
        parcel=parcel.geometry,
        parcel_ground_elevation=_float_or_none(parcel.properties.get("ground_elevation")),
        edges=edges, north=north, features=tuple(features),
        zone_codes=tuple(code for area, code in zones if area > 0),
        placement=f"{geo.source}" + (f" ({geo.crs})" if geo.crs else ""),
        georeference=geo,
        warnings=tuple(warnings),
        true_north=_true_north(geo, crs, parcel.geometry),
    )


def _true_north(geo: Georeference, site_crs: str, parcel) -> np.ndarray | None:
    """True north at the parcel in model coordinates: grid north turned by the meridian convergence."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError, ProjError

    try:
        crs = CRS.from_user_input(geo.crs or site_crs)
        c = parcel.centroid
        e, n = geo.to_map(np.array([[c.x, c.y]]))[0]
        if crs.is_geographic:
            e2, n2 = e, n + 1e-4
        else:
            lon, lat = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True).transform(e, n)
            e2, n2 = Transformer.from_crs(crs.geodetic_crs, crs, always_xy=True).transform(lon, lat + 1e-4)
        v = geo.to_model(np.array([[e2, n2]]))[0] - geo.to_model(np.array([[e, n]]))[0]
    except (CRSError, ProjError, ValueError):
        return None
    norm = float(np.linalg.norm(v))
    return v / norm if np.isfinite(norm) and norm > 0 else None


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
