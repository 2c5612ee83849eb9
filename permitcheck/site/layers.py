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

Context for the twin (`buildings=`, `roads=`): the footprints within `buildings_radius_m` of the
parcel become `building` features with a `height` (the layer's height field, else its storeys times
the rulebook's `storey_height_m`), and a roads layer's polygons, or its centre lines buffered by half
their width field, become `road` features. A layer's numbers are data from elsewhere: text that is
no number, a negative or infinite height, a storey count of 2.5 leave that feature out, and the
site document's `warnings` count what was left out and why (load_site shows them with the result).
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from permitcheck.site import document
from permitcheck.site.document import SiteError
from permitcheck.site.load import reproject
from permitcheck.rulebook.schema import SiteLayers

NEAR_M = 30.0  # the window read round the parcel, metres: its neighbours and the zones over it
TOUCH_M = 0.05  # a parcel this close to the lot touches it (cadastres leave slivers between lots)
MAX_FEATURES = 10_000  # read in the window; the site document takes no more
_ID = re.compile(r"^[0-9A-Za-z._-]{1,64}$")
_NUMBER = re.compile(r"\+?([0-9]{1,9}(\.[0-9]{0,9})?|\.[0-9]{1,9})")  # a layer's number written as text
MAX_HEIGHT_M = 1000.0  # above any building (the tallest stands 828 m): a unit or a typo, not a height
MAX_STOREYS = 200
MAX_ROAD_WIDTH_M = 300.0


@dataclass(frozen=True)
class Layer:
    crs: str  # "EPSG:n"
    features: list[tuple[BaseGeometry, dict]]
    fields: tuple[str, ...] = ()


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
    return Layer(crs, out, tuple(names))


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
                     zoning: str | os.PathLike | None = None, encoding: str | None = None,
                     buildings: str | os.PathLike | None = None, roads: str | os.PathLike | None = None) -> dict:
    """The site document (GeoJSON, roles, the cadastre's CRS) of one parcel of a cadastre layer, with
    the zones over it and the context buildings and roads round it when those layers are given."""
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
    warnings: list[str] = []
    for path, read in ((roads, _roads), (buildings, _buildings)):
        if path is not None:
            found, notes = read(path, lot, crs, layers, encoding)
            features += found
            warnings += notes
    if len(features) > document.MAX_FEATURES:
        raise SiteError(f"{len(features)} features round parcel {parcel_id}; a site holds at most "
                        f"{document.MAX_FEATURES} — clip the layers")
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": crs}}, "features": features}
    return {**doc, "warnings": warnings} if warnings else doc


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


def _window(path, area: BaseGeometry, crs: str) -> tuple[float, float, float, float]:
    """The box round `area` (in the site's CRS) in the layer's own CRS, for reading only what is near."""
    return reproject(shapely.box(*area.bounds), crs, _crs_of(path)).bounds


def _field(layer: Layer, name: str | None) -> str | None:
    """The layer's spelling of a field: as named, else the one field differing only in case (a
    Shapefile's HEIGHT is a GeoPackage's height)."""
    if not name:
        return None
    if name in layer.fields:
        return name
    same = [f for f in layer.fields if f.casefold() == name.casefold()]
    return same[0] if len(same) == 1 else None


def _shown(names) -> str:
    """A layer's field names for a message: printable, short, a few (the file chose them)."""
    names = [n[:32] for n in names if n.isprintable()]
    return ", ".join(names[:20]) + (", ..." if len(names) > 20 else "") or "none"


_ABSENT, _BAD = "absent", "bad"


def _number(value) -> float | str:
    """A layer's number, or why there is none: _ABSENT (empty, or the 0 Korea's building layers write
    for "not known") or _BAD (text that is no plain number, a negative or non-finite one, a date)."""
    if value is None:
        return _ABSENT
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return _ABSENT
        if len(text) > 24 or not _NUMBER.fullmatch(text):
            return _BAD
        value = float(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _BAD
    value = float(value)
    if not math.isfinite(value) or value < 0:
        return _BAD
    return _ABSENT if value == 0 else value


def _height(props: dict, height_field: str | None, storeys_field: str | None,
            storey_m: float | None) -> tuple[float, dict] | str:
    """A building's height and where it came from, or the reason it has none: a bad height is not
    replaced by the storeys (the layer contradicts itself), an absent one is."""
    height = _number(props.get(height_field)) if height_field else _ABSENT
    if height == _BAD or (isinstance(height, float) and height > MAX_HEIGHT_M):
        return "bad_height"
    if isinstance(height, float):
        return height, {"height_from": "height"}
    storeys = _number(props.get(storeys_field)) if storeys_field else _ABSENT
    if storeys == _BAD or (isinstance(storeys, float) and (storeys != int(storeys) or storeys > MAX_STOREYS)):
        return "bad_storeys"
    if isinstance(storeys, float):
        if storey_m is None:
            return "no_storey_height"
        return storeys * storey_m, {"height_from": "storeys", "storeys": int(storeys)}
    return "no_height"


_LEFT_OUT = {
    "bad_height": "{n} with a height that is not a length of metres (text, negative, infinite or over 1000 m)",
    "bad_storeys": "{n} with a storey count that is not a whole number from 1 to 200",
    "no_height": "{n} with neither a height nor a storey count",
    "no_storey_height": "{n} with only a storey count (the rulebook gives no site_layers.storey_height_m)",
    "no_footprint": "{n} with no footprint polygon",
    "on_parcel": "{n} standing on the parcel itself (the model is the building there)",
    "bad_width": "{n} with a width that is not a length of metres (text, negative, infinite or over 300 m)",
    "no_width": "{n} drawn as a centre line without a width",
    "no_road_geometry": "{n} neither a polygon nor a line",
}


def _left_out(path, what: str, counts: Counter) -> list[str]:
    """One warning per layer: how many features were left out, and why, by reason."""
    if not counts:
        return []
    total = sum(counts.values())
    return [f"{Path(path).name}: {total} {what}{'s' if total > 1 else ''} left out — "
            + "; ".join(_LEFT_OUT[k].format(n=n) for k, n in sorted(counts.items()))]


def _buildings(path, lot: BaseGeometry, crs: str, layers: SiteLayers,
               encoding: str | None) -> tuple[list[dict], list[str]]:
    """The footprints within the rulebook's radius of the parcel, each with its height."""
    if not (layers.building_height_field or layers.building_storeys_field):
        raise SiteError("the rulebook names no building height or storeys field (site_layers.building_height_field, "
                        "building_storeys_field) — add one, or pass --site-layer building_height_field=NAME")
    reach = lot.buffer(layers.buildings_radius_m)
    found = read_layer(path, bbox=_window(path, reach, crs), encoding=encoding, fallback=layers.encoding)
    height_field = _field(found, layers.building_height_field)
    storeys_field = _field(found, layers.building_storeys_field)
    if height_field is None and storeys_field is None:
        named = " or ".join(f for f in (layers.building_height_field, layers.building_storeys_field) if f)
        raise SiteError(f"{path}: no field {named} (the layer has {_shown(found.fields)}) — name its height field: "
                        "--site-layer building_height_field=NAME (or building_storeys_field)")
    out, skipped = [], Counter()
    for geom, props in found.features:
        geom = _polygons(reproject(geom, found.crs, crs))
        if geom.is_empty:
            skipped["no_footprint"] += 1
            continue
        if not geom.intersects(reach):
            continue
        if geom.intersection(lot).area > 0.5 * geom.area:
            skipped["on_parcel"] += 1
            continue
        got = _height(props, height_field, storeys_field, layers.storey_height_m)
        if isinstance(got, str):
            skipped[got] += 1
            continue
        height, source = got
        out.append(_feature(geom, {"role": "building", "height": round(height, 3), **source}))
    return out, _left_out(path, "building", skipped)


def _roads(path, lot: BaseGeometry, crs: str, layers: SiteLayers,
           encoding: str | None) -> tuple[list[dict], list[str]]:
    """The roads within the cadastre's window: polygons as drawn, centre lines buffered by half their
    width (a line 5 m off the parcel would front no edge), each with the width the layer gives."""
    window = lot.buffer(NEAR_M)
    found = read_layer(path, bbox=_window(path, window, crs), encoding=encoding, fallback=layers.encoding)
    width_field = _field(found, layers.road_width_field)
    out, skipped = [], Counter()
    for geom, props in found.features:
        geom = reproject(geom, found.crs, crs)
        if not geom.intersects(window):
            continue
        width = _number(props.get(width_field)) if width_field else _ABSENT
        if width == _BAD or (isinstance(width, float) and width > MAX_ROAD_WIDTH_M):
            skipped["bad_width"] += 1
            continue
        road = _polygons(geom)
        if road.is_empty:
            lines = [g for g in shapely.get_parts(geom) if g.geom_type == "LineString"]
            if not lines:
                skipped["no_road_geometry"] += 1
                continue
            if not isinstance(width, float):
                skipped["no_width"] += 1
                continue
            road = _polygons(shapely.MultiLineString(lines).buffer(width / 2, cap_style="flat"))
        out.append(_feature(road, {"role": "road", **({"width": width} if isinstance(width, float) else {})}))
    return out, _left_out(path, "road", skipped)


def _feature(geom: BaseGeometry, props: dict) -> dict:
    if geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
