"""A site from a city's published layers: the cadastre and the zoning as the office holds them.

`site_from_layers` reads the parcel by its id from a cadastre layer (Shapefile, GeoPackage,
FlatGeobuf, GML, GeoJSON: GDAL's drivers through pyogrio, the `gis` extra), the parcels that touch
it (a road where its land category says so, a neighbour otherwise) and the zones that cover it,
and writes them as today's site document (GeoJSON with `role` on every feature, in the cadastre's
CRS), which `load_site` then reads like any other: one way in, and a case that stays reproducible
(`check --write-site`). The rulebook's `site_layers` names the fields (rulebook/schema.SiteLayers).

A Shapefile without a .cpg is read as bytes and each text decoded as UTF-8, else in the
rulebook's encoding (Korea: CP949) or `encoding`, so 제2종일반주거지역 never comes out as mojibake.
Only what lies near the parcel is read (a window round it), so a city-wide layer costs a parcel's
neighbourhood.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from permitcheck.site.document import SiteError
from permitcheck.site.load import reproject
from permitcheck.rulebook.schema import SiteLayers

NEAR_M = 30.0  # the window read round the parcel, metres: its neighbours and the zones over it
TOUCH_M = 0.05  # a parcel this close to the lot touches it (cadastres leave slivers between lots)
MAX_FEATURES = 10_000  # read in the window; the site document takes no more
_ID = re.compile(r"^[0-9A-Za-z._-]{1,64}$")


@dataclass(frozen=True)
class Layer:
    crs: str  # "EPSG:n"
    features: list[tuple[BaseGeometry, dict]]


def _pyogrio():
    try:
        import pyogrio.raw
    except ImportError as e:
        raise SiteError("reading GIS layers needs pyogrio — pip install 'permitcheck[gis]'") from e
    return pyogrio.raw


def _needs_decoding(path: Path) -> bool:
    """A Shapefile that says nothing of its encoding: no .cpg beside it and no code page in its .dbf."""
    if path.suffix.lower() != ".shp":
        return False
    if any(path.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return False
    for s in (".dbf", ".DBF"):
        dbf = path.with_suffix(s)
        if dbf.exists():
            with open(dbf, "rb") as f:
                head = f.read(32)
            return len(head) < 30 or head[29] == 0  # language driver id: 0 = none
    return False


def _decoder(encoding: str | None):
    def decode(value):
        if not isinstance(value, str):
            return value
        raw = value.encode("latin-1")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            if encoding is None:
                return value
            try:
                return raw.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                return value
    return decode


def read_layer(path: str | os.PathLike, *, where: str | None = None, bbox=None, encoding: str | None = None,
               fallback: str | None = None) -> Layer:
    """The features of a layer (all, or those matching `where` / crossing `bbox`), with their CRS.

    `encoding` forces how texts are read; else a Shapefile that does not say is read as UTF-8 when
    it is, else as `fallback` (the rulebook's)."""
    raw = _pyogrio()
    path = Path(path)
    if not path.exists():
        raise SiteError(f"{path}: no such layer — check the path")
    decode = None
    kwargs = {}
    if encoding:
        kwargs["encoding"] = encoding
    elif _needs_decoding(path):
        kwargs["encoding"] = "ISO-8859-1"  # every byte kept (GDAL's name for it), decoded below
        decode = _decoder(fallback)
    try:
        meta, _, geometry, fields = raw.read(path, where=where, bbox=bbox, max_features=MAX_FEATURES + 1, **kwargs)
    except Exception as e:  # noqa: BLE001 - GDAL's errors are many; each is one bad layer
        raise SiteError(f"{path}: cannot be read as a GIS layer ({str(e).splitlines()[0][:200]}) — "
                        "check the file and its sidecar files (.shp needs .shx and .dbf)") from e
    if geometry is not None and len(geometry) > MAX_FEATURES:
        raise SiteError(f"{path}: more than {MAX_FEATURES} features near the parcel — clip the layer")
    crs = _epsg(meta.get("crs"), path)
    names = [str(n) for n in (meta.get("fields") if meta.get("fields") is not None else [])]
    out = []
    for i, wkb in enumerate(geometry if geometry is not None else []):
        if wkb is None:
            continue
        props = {}
        for name, column in zip(names, fields):
            value = column[i]
            value = value.item() if hasattr(value, "item") else value
            props[str(name)] = decode(value) if decode else value
        out.append((shapely.from_wkb(wkb), props))
    return Layer(crs, out)


def _crs_of(path) -> str:
    _pyogrio()
    import pyogrio

    try:
        return _epsg(pyogrio.read_info(path).get("crs"), Path(path))
    except SiteError:
        raise
    except Exception as e:  # noqa: BLE001
        raise SiteError(f"{path}: cannot be read as a GIS layer ({str(e).splitlines()[0][:200]}) — check the file") from e


def _epsg(crs, path: Path) -> str:
    if not crs:
        raise SiteError(f"{path}: the layer has no CRS (a Shapefile needs its .prj) — add it")
    if isinstance(crs, str) and re.fullmatch(r"EPSG:\d+", crs):
        return crs
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        code = CRS.from_user_input(crs).to_epsg(min_confidence=70)
    except CRSError as e:
        raise SiteError(f"{path}: its CRS cannot be read ({e}) — write the layer with an EPSG CRS") from e
    if code is None:
        raise SiteError(f"{path}: its CRS has no EPSG code — reproject the layer to an EPSG CRS (Korea: 5186)")
    return f"EPSG:{code}"


def _is_road(props: dict, layers: SiteLayers) -> bool:
    if not layers.road_field or not layers.road_values:
        return False
    value = props.get(layers.road_field)
    if not isinstance(value, str):
        return False
    value = value.strip()
    if layers.road_match == "suffix":
        return any(value.endswith(v) for v in layers.road_values)
    return value in layers.road_values


def _polygons(geom: BaseGeometry) -> BaseGeometry:
    geom = shapely.make_valid(geom)
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def site_from_layers(cadastre: str | os.PathLike, parcel_id: str, layers: SiteLayers, *,
                     zoning: str | os.PathLike | None = None, encoding: str | None = None) -> dict:
    """The site document (GeoJSON, roles, the cadastre's CRS) of one parcel of a cadastre layer."""
    if not _ID.match(parcel_id or ""):
        raise SiteError(f"--parcel-id {parcel_id!r}: an id is 1-64 letters, digits, '.', '_' or '-' — "
                        "give the parcel's id as the cadastre writes it")
    field = layers.parcel_id_field
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", field):
        raise SiteError(f"site_layers.parcel_id_field {field!r} is not a field name — fix the rulebook")
    found = read_layer(cadastre, where=f"\"{field}\" = '{parcel_id}'", encoding=encoding, fallback=layers.encoding)
    mine = [(g, p) for g, p in found.features if str(p.get(field)) == parcel_id]
    if not mine and parcel_id.isdigit():  # an id field stored as a number
        found = read_layer(cadastre, where=f"\"{field}\" = {parcel_id}", encoding=encoding, fallback=layers.encoding)
        mine = [(g, p) for g, p in found.features if str(p.get(field)) == parcel_id]
    if not mine:
        raise SiteError(f"{cadastre}: no parcel with {field} = {parcel_id} — check the id and the field "
                        "(the rulebook's site_layers.parcel_id_field)")
    if len(mine) > 1:
        raise SiteError(f"{cadastre}: {len(mine)} parcels have {field} = {parcel_id} — an id names one parcel")
    lot = _polygons(mine[0][0])
    if lot.is_empty:
        raise SiteError(f"{cadastre}: parcel {parcel_id} has no area — check its geometry")
    crs = found.crs
    window = lot.buffer(NEAR_M).bounds
    features = [_feature(lot, {"role": "parcel", "id": parcel_id})]
    near = read_layer(cadastre, bbox=window, encoding=encoding, fallback=layers.encoding)
    touch = lot.buffer(TOUCH_M)
    for geom, props in near.features:
        if str(props.get(field)) == parcel_id:
            continue
        geom = _polygons(geom)
        if geom.is_empty or not geom.intersects(touch):
            continue
        role = "road" if _is_road(props, layers) else "neighbour"
        features.append(_feature(geom, {"role": role, "id": str(props.get(field, ""))}))
    if zoning is not None:
        features += _zones(zoning, lot, crs, layers, encoding)
    return {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": crs}},
            "features": features}


def _zones(zoning, lot: BaseGeometry, crs: str, layers: SiteLayers, encoding: str | None) -> list[dict]:
    if not layers.zone_field:
        raise SiteError("the rulebook names no zoning field (site_layers.zone_field) — add it, or pass --zone")
    window = reproject(shapely.box(*lot.buffer(NEAR_M).bounds), crs, _crs_of(zoning)).bounds
    zones = read_layer(zoning, bbox=window, encoding=encoding, fallback=layers.encoding)
    out = []
    for geom, props in zones.features:
        value = props.get(layers.zone_field)
        if value is None:
            raise SiteError(f"{zoning}: a zone without '{layers.zone_field}' — fix the layer or site_layers.zone_field")
        geom = _polygons(reproject(geom, zones.crs, crs))
        if geom.is_empty or not geom.intersects(lot):
            continue
        value = str(value).strip()
        out.append(_feature(geom, {"role": "zone", "zone": layers.zone_codes.get(value, value)}))
    return out


def _feature(geom: BaseGeometry, props: dict) -> dict:
    if geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
