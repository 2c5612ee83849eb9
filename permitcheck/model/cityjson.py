"""Reading CityJSON (1.1 and 2.0) as the plain JSON it is: the one reader both the site's context
buildings (permitcheck.site.cityjson) and a CityJSON building checked as a massing
(permitcheck.model.massing) use. `cjio` is not needed.

The `transform` (scale, translate) turns the integer vertices into coordinates,
`metadata.referenceSystem` names the CRS. A CityJSON comes from anyone: it is read bounded (size,
objects, vertices), every index is checked against the vertex list where it is used, and a wrong one
is one clear line.
"""

from __future__ import annotations

import json
import re

import numpy as np

from permitcheck.errors import InputError
from permitcheck.readfile import read_limited

MAX_BYTES = 200 * 1024 * 1024
MAX_OBJECTS = 100_000
MAX_VERTICES = 5_000_000
SUPPORTED = ("1.1", "2.0")
BUILDING_TYPES = ("Building", "BuildingPart")
_EPSG = re.compile(r"(?:EPSG/\d+/|EPSG::?|EPSG:)(\d{4,6})\s*$", re.IGNORECASE)


class CityJSONError(InputError):
    pass


def crs_of(data: dict) -> str | None:
    """'EPSG:7415' from `metadata.referenceSystem` (an OGC URL or URN), or None."""
    ref = (data.get("metadata") or {}).get("referenceSystem") if isinstance(data.get("metadata"), dict) else None
    m = _EPSG.search(ref) if isinstance(ref, str) else None
    return f"EPSG:{m.group(1)}" if m else None


def load(path: str) -> dict:
    raw = read_limited(path, MAX_BYTES, CityJSONError, "cannot read the CityJSON file ({why}) — check the path",
                       f"larger than {MAX_BYTES // 1024 // 1024} MB — cut the city model to the neighbourhood "
                       "(cjio subset --bbox)")
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CityJSONError(f"{path}: not a JSON file ({str(e)[:120]}) — give a CityJSON (.city.json)") from None
    if not isinstance(data, dict) or data.get("type") != "CityJSON":
        raise CityJSONError(f"{path}: not CityJSON (its 'type' is not \"CityJSON\") — give a .city.json file")
    version = str(data.get("version"))
    if version not in SUPPORTED:
        raise CityJSONError(f"{path}: CityJSON {version[:20]} — read are {', '.join(SUPPORTED)} (cjio upgrade "
                            "converts older files)")
    return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def vertices(data: dict, path: str) -> np.ndarray:
    verts = data.get("vertices")
    if not isinstance(verts, list) or len(verts) > MAX_VERTICES:
        raise CityJSONError(f"{path}: 'vertices' must be a list of at most {MAX_VERTICES:,} [x, y, z]")
    try:
        v = np.asarray(verts, dtype=np.float64).reshape(-1, 3) if verts else np.zeros((0, 3))
    except (TypeError, ValueError):
        raise CityJSONError(f"{path}: 'vertices' must be [x, y, z] numbers — fix the file") from None
    t = data.get("transform")
    if t is not None:
        try:
            scale, translate = np.asarray(t["scale"], dtype=float), np.asarray(t["translate"], dtype=float)
            assert scale.shape == (3,) and translate.shape == (3,)
        except (KeyError, TypeError, ValueError, AssertionError):
            raise CityJSONError(f"{path}: 'transform' needs scale and translate, three numbers each") from None
        v = v * scale + translate
    if not np.all(np.isfinite(v)):
        raise CityJSONError(f"{path}: a vertex is not finite — fix the file")
    return v


def surfaces(geometry: dict) -> list:
    """The surfaces (each a list of rings of vertex indices) of a geometry, whatever its type."""
    kind, b = geometry.get("type"), geometry.get("boundaries")
    if not isinstance(b, list):
        return []
    if kind in ("MultiSurface", "CompositeSurface"):
        return b
    if kind == "Solid":
        return [s for shell in b if isinstance(shell, list) for s in shell]
    if kind in ("MultiSolid", "CompositeSolid"):
        return [s for solid in b if isinstance(solid, list) for shell in solid if isinstance(shell, list)
                for s in shell]
    return []


def lod(geometry: dict) -> float:
    try:
        return float(str(geometry.get("lod")))
    except ValueError:
        return -1.0


def semantic_surfaces(geometry: dict) -> list[tuple[list, str | None, int]]:
    """(surface, its semantic type or None, the solid it bounds) for every surface of a geometry: the
    roof, wall and ground surfaces a massing names; a solid's surfaces share its index (a
    MultiSurface's all 0)."""
    kind, b = geometry.get("type"), geometry.get("boundaries")
    if not isinstance(b, list):
        return []
    sem = geometry.get("semantics") if isinstance(geometry.get("semantics"), dict) else {}
    types = [s.get("type") if isinstance(s, dict) and isinstance(s.get("type"), str) else None
             for s in (sem.get("surfaces") if isinstance(sem.get("surfaces"), list) else [])]
    values = sem.get("values")

    def typed(value) -> str | None:
        return types[value] if isinstance(value, int) and 0 <= value < len(types) else None

    def at(tree, *path):
        for i in path:
            if not isinstance(tree, list) or i >= len(tree):
                return None
            tree = tree[i]
        return tree

    out = []
    if kind in ("MultiSurface", "CompositeSurface"):
        out += [(s, typed(at(values, i)), 0) for i, s in enumerate(b)]
    elif kind == "Solid":
        out += [(s, typed(at(values, i, j)), 0) for i, shell in enumerate(b) if isinstance(shell, list)
                for j, s in enumerate(shell)]
    elif kind in ("MultiSolid", "CompositeSolid"):
        out += [(s, typed(at(values, k, i, j)), k) for k, solid in enumerate(b) if isinstance(solid, list)
                for i, shell in enumerate(solid) if isinstance(shell, list) for j, s in enumerate(shell)]
    return out
