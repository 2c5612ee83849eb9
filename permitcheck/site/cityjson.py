"""CityJSON in and out: the city's buildings as the site's context, and the checked building as
an object the city can put into its own twin.

Read as the plain JSON it is (CityJSON 1.1 and 2.0; `cjio` is not needed): the `transform`
(scale, translate) turns the integer vertices into coordinates, `metadata.referenceSystem` names
the CRS (a compound CRS such as EPSG:7415 gives its horizontal part), and each Building or
BuildingPart with an LoD1 or LoD2 geometry (Solid, MultiSolid, CompositeSolid, MultiSurface,
CompositeSurface) becomes a site `building` feature: its footprint the union of its surfaces seen
from above, its ground and top the lowest and highest of its vertices, its height the difference.
The highest LoD up to 2 is taken. A file in another CRS than the site is reprojected with pyproj.

Written: the checked building as an LoD1 Solid (its footprint extruded from its ground to its
top) in the site's CRS, with its attributes (height, storeys, verdict when a rulebook judged it).
An LoD2 form from the model's massing is not written yet.

A CityJSON comes from anyone: it is read bounded (size, objects, vertices, surfaces), every index
is checked against the vertex list, and a wrong one is one clear line.
"""

from __future__ import annotations

import math
import os

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

from permitcheck.errors import InputError
from permitcheck.model.cityjson import (BUILDING_TYPES, MAX_OBJECTS, CityJSONError, crs_of, load, lod,
                                         surfaces, vertices)

__all__ = ["CityJSONError", "building_object", "crs_of", "read_buildings"]


def _footprint(faces: list, v: np.ndarray, where: str) -> tuple[Polygon | MultiPolygon, float, float]:
    polys, used = [], []
    for surface in faces:
        if not isinstance(surface, list) or not surface:
            continue
        rings = []
        for ring in surface:
            if not isinstance(ring, list) or not all(isinstance(i, int) and 0 <= i < len(v) for i in ring):
                raise CityJSONError(f"{where}: a ring names a vertex that is not in the file — fix the file")
            rings.append(ring)
            used += ring
        if len(rings[0]) >= 3:
            p = shapely.make_valid(Polygon(v[rings[0], :2], [v[r, :2] for r in rings[1:] if len(r) >= 3]))
            if p.area > 1e-6:
                polys.append(p)
    if not used:
        return Polygon(), math.nan, math.nan
    z = v[used, 2]
    fp = shapely.union_all(polys, grid_size=1e-4) if polys else Polygon()
    fp = shapely.union_all([g for g in shapely.get_parts(fp) if isinstance(g, Polygon)]) if not fp.is_empty else fp
    return fp, float(z.min()), float(z.max())


def read_buildings(path: str | os.PathLike, to_crs: str | None = None,
                   window=None) -> tuple[list[dict], list[str], str | None]:
    """The file's buildings as site `building` features (GeoJSON dicts) in `to_crs` (the file's own CRS
    when None), those meeting `window` (a shapely geometry in `to_crs`) only; the warnings; its CRS."""
    path = os.fspath(path)
    data = load(path)
    v = vertices(data, path)
    objects = data.get("CityObjects")
    if not isinstance(objects, dict) or len(objects) > MAX_OBJECTS:
        raise CityJSONError(f"{path}: 'CityObjects' must be an object of at most {MAX_OBJECTS:,} city objects")
    crs, warnings = crs_of(data), []
    if crs is None:
        warnings.append(f"{os.path.basename(path)}: no referenceSystem — taken to be in the site's CRS")
    v = _reproject(v, crs, to_crs, path)
    out, skipped = [], 0
    for oid, obj in objects.items():
        if not isinstance(obj, dict) or obj.get("type") not in BUILDING_TYPES:
            continue
        geoms = [g for g in obj.get("geometry") or () if isinstance(g, dict) and 0 <= lod(g) < 3]
        if not geoms:
            skipped += 1
            continue
        best = max(geoms, key=lod)
        fp, ground, top = _footprint(surfaces(best), v, f"{path}: CityObjects[{str(oid)[:60]!r}]")
        if fp.is_empty or not (top > ground):
            skipped += 1
            continue
        if window is not None and not fp.intersects(window):
            continue
        out.append({"type": "Feature", "geometry": mapping(fp),
                    "properties": {"role": "building", "id": str(oid)[:200], "height": round(top - ground, 3),
                                   "ground_elevation": round(ground, 3), "top_elevation": round(top, 3),
                                   "lod": str(best.get("lod"))[:8], "source": "CityJSON"}})
    if skipped:
        warnings.append(f"{os.path.basename(path)}: {skipped} building(s) with no LoD1 or LoD2 volume left out")
    return out, warnings, crs


def _horizontal(crs_name: str):
    import pyproj

    crs = pyproj.CRS.from_user_input(crs_name)
    if crs.is_compound:
        crs = next((c for c in crs.sub_crs_list if c.is_projected or c.is_geographic), crs.sub_crs_list[0])
    return crs


def _reproject(v: np.ndarray, source: str | None, target: str | None, path: str) -> np.ndarray:
    if source is None or target is None or not len(v):
        return v
    import pyproj
    from pyproj.exceptions import CRSError, ProjError

    try:
        src, dst = _horizontal(source), _horizontal(target)
        if src == dst:
            return v
        e, n = pyproj.Transformer.from_crs(src, dst, always_xy=True).transform(v[:, 0], v[:, 1])
    except (CRSError, ProjError) as e:
        raise CityJSONError(f"{path}: cannot transform {source} to {target} ({e}) — give the file in the site's CRS")
    out = np.column_stack([e, n, v[:, 2]])
    if not np.all(np.isfinite(out)):
        raise CityJSONError(f"{path}: its buildings fall outside {target} — check the file's referenceSystem")
    return out


def building_object(footprint, ground: float, top: float, crs: str | None, attributes: dict,
                    object_id: str = "building", lod2=None) -> dict:
    """A CityJSON 2.0 document of one Building: `footprint` (map coordinates) extruded from `ground`
    to `top` as an LoD1 Solid (a MultiSolid when the footprint has several parts); and, given `lod2`
    (closed triangle meshes, (vertices, faces) in map coordinates), an LoD2 one whose faces carry
    their semantics: roof (turned up), wall, ground (turned down at the ground) or outer ceiling
    (turned down above it: the underside of an overhang)."""
    parts = [p for p in shapely.get_parts(footprint) if isinstance(p, Polygon) and p.area > 0]
    if not parts or not (top > ground):
        raise InputError("the building has no footprint or no height to write as CityJSON")
    verts: list[tuple[float, float, float]] = []

    def idx(x, y, z) -> int:
        verts.append((x, y, z))
        return len(verts) - 1

    solids = []
    for p in parts:
        p = shapely.geometry.polygon.orient(p, 1.0)  # exterior counter-clockwise seen from above
        rings = [[c[:2] for c in ring.coords[:-1]] for ring in (p.exterior, *p.interiors)]
        lo = [[idx(x, y, ground) for x, y in ring] for ring in rings]
        hi = [[idx(x, y, top) for x, y in ring] for ring in rings]
        shell = [[list(reversed(r)) for r in lo], [list(r) for r in hi]]  # bottom faces down, top up
        for rl, rh in zip(lo, hi):
            for i in range(len(rl)):
                j = (i + 1) % len(rl)
                shell.append([[rl[i], rl[j], rh[j], rh[i]]])  # walls outward (holes' rings run the other way)
        solids.append([shell])
    geometries = [{"type": "Solid", "lod": "1", "boundaries": solids[0]} if len(solids) == 1 else
                  {"type": "MultiSolid", "lod": "1", "boundaries": solids}]
    if lod2:
        geometries.append(_lod2(lod2, ground, idx))
    v = np.asarray(verts)
    translate = np.floor(v.min(axis=0))
    scale = 0.001
    ints = np.rint((v - translate) / scale).astype(np.int64).tolist()
    doc = {"type": "CityJSON", "version": "2.0",
           "transform": {"scale": [scale, scale, scale], "translate": translate.tolist()},
           "CityObjects": {object_id: {"type": "Building", "attributes": attributes, "geometry": geometries}},
           "vertices": ints}
    code = (crs or "").upper().removeprefix("EPSG:")
    if code.isdigit():
        doc["metadata"] = {"referenceSystem": f"https://www.opengis.net/def/crs/EPSG/0/{code}"}
    return doc


LOD2_SURFACES = ("RoofSurface", "WallSurface", "GroundSurface", "OuterCeilingSurface")
LEVEL_SHARE = 0.1  # a face whose normal rises less than this (of its length) is a wall


def _lod2(parts, ground: float, idx) -> dict:
    """The LoD2 geometry of closed triangle meshes: each a shell of triangles, with semantics."""
    shells, values = [], []
    for v, f in parts:
        v, f = np.asarray(v, dtype=float), np.asarray(f, dtype=np.int64)
        at = [idx(*p) for p in v.tolist()]
        t = v[f]
        n = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
        rise = n[:, 2] / np.maximum(np.linalg.norm(n, axis=1), 1e-12)
        low = t[:, :, 2].max(axis=1) <= ground + 0.01
        kind = np.where(rise > LEVEL_SHARE, 0, np.where(rise < -LEVEL_SHARE, np.where(low, 2, 3), 1))
        shells.append([[[[at[a], at[b], at[c]]] for a, b, c in f.tolist()]])
        values.append([kind.tolist()])
    semantics = {"surfaces": [{"type": k} for k in LOD2_SURFACES]}
    if len(shells) == 1:
        return {"type": "Solid", "lod": "2", "boundaries": shells[0], "semantics": {**semantics, "values": values[0]}}
    return {"type": "MultiSolid", "lod": "2", "boundaries": shells, "semantics": {**semantics, "values": values}}
