"""The shape of a site document, checked whole before any geometry is built.

A site file comes from a GIS export or a hand edit, and anything in it may be of the wrong JSON
type, empty, non-finite or enormous. Every such problem is one `SiteError` naming the feature
and the key (``features[3].properties.zone``) and how to fix it; nothing reaches shapely or pyproj
unchecked, so no input ends in an internal error or a silent default.
"""

from __future__ import annotations

import json
import math

from permitcheck.errors import InputError

ROLES = ("parcel", "road", "zone", "neighbour", "building", "boundary")
# What each role may be drawn as.
GEOMETRY_TYPES = {
    "parcel": ("Polygon",),
    "road": ("Polygon", "MultiPolygon", "LineString", "MultiLineString"),
    "zone": ("Polygon", "MultiPolygon"),
    "neighbour": ("Polygon", "MultiPolygon"),
    "building": ("Polygon", "MultiPolygon"),
    "boundary": ("LineString", "MultiLineString"),
}
# Nesting depth of `coordinates` per geometry type (a position is depth 1).
_DEPTH = {"LineString": 2, "MultiLineString": 3, "Polygon": 3, "MultiPolygon": 4}
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_PARCEL_VERTICES = 100_000  # a cadastral parcel has tens to hundreds; a digitised curve some thousands
MAX_FEATURES = 10_000  # a parcel's neighbourhood has tens to hundreds
MAX_SITE_VERTICES = 2_000_000
# Beyond this a coordinate is in no CRS a site is written in (metres, feet or degrees).
MAX_COORDINATE = 1e8
MAX_WARNINGS, MAX_WARNING_CHARS = 50, 1000


class SiteError(InputError):
    pass


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def parse(raw: bytes, path: str) -> dict:
    """The JSON document, or one line saying why it is not one."""
    if len(raw) > MAX_FILE_BYTES:
        raise SiteError(f"{path}: the site file is {len(raw) / 2**20:.0f} MB; permitcheck reads at most "
                        f"{MAX_FILE_BYTES / 2**20:.0f} MB — clip the layers to the parcel's neighbourhood")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SiteError(f"{path}: not UTF-8 text (byte {e.start}: {raw[e.start:e.start + 1]!r}) — GeoJSON is "
                        "UTF-8 (RFC 7946); save the file as UTF-8") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise SiteError(f"{path}: the JSON is nested too deeply to be a site — check the file") from None
    except ValueError as e:
        raise SiteError(f"{path}: not valid JSON ({e}) — a site is a GeoJSON FeatureCollection") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise SiteError(f"{path}: not a GeoJSON FeatureCollection — wrap the parcel and roads in one")
    return data


def crs_name(data: dict, path: str) -> str | None:
    """The name in a legacy `crs` member, or None when there is none."""
    crs = data.get("crs")
    if crs is None:
        return None
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise SiteError(f"{path}: crs: expected {{\"type\": \"name\", \"properties\": {{\"name\": \"EPSG:5186\"}}}}, "
                        f"got {_short(crs)} — name the CRS as a string, or pass --site-crs")
    return name.strip()


def recorded_warnings(data: dict, path: str) -> tuple[str, ...]:
    """The `warnings` member a site read from layers carries (what the layers' reading left out, counted),
    so a site written with --write-site and checked again still says so."""
    notes = data.get("warnings", [])
    if not isinstance(notes, list) or len(notes) > MAX_WARNINGS or \
            not all(isinstance(n, str) and 0 < len(n) <= MAX_WARNING_CHARS for n in notes):
        raise SiteError(f"{path}: warnings: expected a list of at most {MAX_WARNINGS} texts, got {_short(notes)} — "
                        "fix the member or remove it")
    return tuple(notes)


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


def _positions(coords, depth: int, where: str, count: list[int]) -> None:
    """Check nesting, that every position is 2 or 3 finite numbers, and count them."""
    if not isinstance(coords, list):
        raise SiteError(f"{where}: expected an array of positions, got {_short(coords)}")
    if depth == 1:
        if len(coords) not in (2, 3) or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                for x in coords):
            raise SiteError(f"{where}: a position is [x, y] (numbers), got {_short(coords)}")
        if not all(math.isfinite(x) and abs(x) <= MAX_COORDINATE for x in coords):
            raise SiteError(f"{where}: coordinate {_short(coords)} is not a finite map coordinate")
        count[0] += 1
        return
    if not coords:
        raise SiteError(f"{where}: empty coordinates — remove the feature or draw it")
    for i, c in enumerate(coords):
        _positions(c, depth - 1, f"{where}[{i}]", count)


def features(data: dict, path: str) -> list[tuple[str, dict, dict]]:
    """(role, geometry, properties) of every feature, after checking the document's shape."""
    feats = data.get("features")
    if not isinstance(feats, list):
        raise SiteError(f"{path}: 'features' must be an array of GeoJSON features, got {_short(feats)}")
    if len(feats) > MAX_FEATURES:
        raise SiteError(f"{path}: {len(feats)} features; permitcheck reads at most {MAX_FEATURES} — clip the layers "
                        "to the parcel's neighbourhood")
    out, total = [], 0
    for i, feat in enumerate(feats):
        where = f"{path}: features[{i}]"
        if not isinstance(feat, dict):
            raise SiteError(f"{where}: a feature is an object with 'geometry' and 'properties', got {_short(feat)}")
        props = feat.get("properties")
        if not isinstance(props, dict):
            raise SiteError(f"{where}.properties: expected an object with a 'role', got {_short(props)}")
        role = props.get("role")
        if role not in ROLES:
            shown = repr(role) if isinstance(role, str) else _short(role)
            raise SiteError(f"{where}: role {shown} — use one of {', '.join(ROLES)}")
        geom = feat.get("geometry")
        kinds = GEOMETRY_TYPES[role]
        if not isinstance(geom, dict) or geom.get("type") not in kinds:
            got = geom.get("type") if isinstance(geom, dict) else geom
            raise SiteError(f"{where} ({role}): geometry must be a {' or '.join(kinds)}, got {_short(got)}")
        count = [0]
        _positions(geom.get("coordinates"), _DEPTH[geom["type"]], f"{where}.geometry.coordinates", count)
        _enough_positions(geom, f"{where}.geometry.coordinates")
        if role == "parcel" and count[0] > MAX_PARCEL_VERTICES:
            raise SiteError(f"{where} (parcel): {count[0]} vertices; permitcheck accepts up to "
                            f"{MAX_PARCEL_VERTICES} — simplify the parcel to survey precision (1 cm)")
        total += count[0]
        if total > MAX_SITE_VERTICES:
            raise SiteError(f"{path}: more than {MAX_SITE_VERTICES} vertices — clip the layers to the parcel's "
                            "neighbourhood")
        _check_properties(role, props, where)
        out.append((role, geom, props))
    return out


def _enough_positions(geom: dict, where: str) -> None:
    """A line needs two positions, a ring four (RFC 7946: closed, its first position repeated last)."""
    kind, coords = geom["type"], geom["coordinates"]
    lines = {"LineString": [coords], "MultiLineString": coords}.get(kind, [])
    rings = {"Polygon": coords, "MultiPolygon": [r for poly in coords for r in poly]}.get(kind, [])
    for i, line in enumerate(lines):
        if len(line) < 2:
            raise SiteError(f"{where}: a line needs at least 2 positions, part {i} has {len(line)}")
    for i, ring in enumerate(rings):
        if len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
            raise SiteError(f"{where}: ring {i} has {len(ring)} positions; a ring is closed and has at least 4 "
                            "(RFC 7946: the first position repeated last)")


def _check_properties(role: str, props: dict, where: str) -> None:
    """Keys a role relies on: present with the right type, or absent."""
    if role == "zone" and not _code(props.get("zone")):
        raise SiteError(f"{where}.properties.zone: a zone feature needs its zone code, got "
                        f"{_short(props.get('zone'))} — write the code, e.g. \"KR-R2G\"")
    if role == "neighbour" and "zone" in props and not _code(props["zone"]):
        raise SiteError(f"{where}.properties.zone: got {_short(props['zone'])} — write the neighbour's zone code, "
                        "or leave the key out when it is not known")
    if role == "boundary" and not (isinstance(props.get("kind"), str) and props["kind"].strip()):
        raise SiteError(f"{where}.properties.kind: a boundary needs a kind (front, rear, side, north, or a "
                        f"name), got {_short(props.get('kind'))}")
    for key in ("ground_elevation", "height"):
        value = props.get(key)
        if value is not None and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                      and math.isfinite(value) and abs(value) < 1e5):
            raise SiteError(f"{where}.properties.{key}: expected a number of metres, got {_short(value)}")
    if "id" in props and not isinstance(props["id"], (str, int)):
        raise SiteError(f"{where}.properties.id: expected a string, got {_short(props['id'])}")


def _code(value) -> bool:
    return (isinstance(value, str) and bool(value.strip())) or (isinstance(value, int) and not isinstance(value, bool))
