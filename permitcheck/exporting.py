"""`export_cityjson`: the checked building as a CityJSON object in the site's CRS, so the city can put
the submission into its own twin (site.cityjson writes it)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import shapely

from permitcheck.errors import InputError


def export_cityjson(model_path: str | os.PathLike, site_path: str | os.PathLike, out: str | os.PathLike,
                    rules_path: str | os.PathLike | None = None, zone: str | None = None,
                    site_crs: str | None = None, anchor: tuple[float, float] | None = None,
                    rotation_deg: float = 0.0, ground_level_m: float | None = None,
                    rules_folders: tuple[str | os.PathLike, ...] = (), massing=None) -> dict:
    """Place the model on its site (checked against the rulebook when one is given) and write it as an
    LoD1 Building: its footprint on the map, from its ground to its top, with its height, storeys and
    verdict; and as LoD2, its massing with roofs, walls and ground as they are, when it has one of at
    most MAX_LOD2_TRIANGLES triangles. Returns the attributes written. `massing`: how to read a massing model (MassingOptions)."""
    from permitcheck.checking import check_model, check_placement
    from permitcheck.inspection import inspect_model
    from permitcheck.site import load_site
    from permitcheck.site.cityjson import building_object

    if rules_path is not None:
        result = check_model(model_path, site_path, rules_path, zone=zone, site_crs=site_crs, anchor=anchor,
                             rotation_deg=rotation_deg, ground_level_m=ground_level_m, rules_folders=rules_folders,
                             sections=False, massing=massing)
        inspection, site = result.inspection, result.site
    else:
        result = None
        inspection = inspect_model(model_path, ground_level_m=ground_level_m, massing=massing)
        site = load_site(site_path, inspection.model.georeference, site_crs=site_crs, anchor=anchor,
                         rotation_deg=rotation_deg)
        check_placement(site, inspection.facts.whole.footprint)
    facts, geo = inspection.facts.whole, site.georeference
    if facts.footprint.is_empty or facts.height_m is None:
        raise InputError(f"{model_path}: the model has no footprint or height to export")
    crs = geo.crs or site.crs
    unit = _unit_m(crs)
    footprint = shapely.transform(facts.footprint, lambda xy: geo.to_map(xy) / unit)
    ground = facts.ground_elevation_m + geo.orthogonal_height - geo.origin_model[2]
    if site.placement.startswith("--anchor") and site.parcel_ground_elevation is not None:
        ground = site.parcel_ground_elevation  # --anchor places it in plan only: the parcel says its ground
    attributes = {
        "height": round(facts.height_m, 3), "storeysAboveGround": int(facts.storeys_above_ground),
        "storeysBelowGround": int(facts.storeys_below_ground), "footprintArea": round(facts.footprint.area, 3),
        "permitcheck:model": os.path.basename(os.fspath(model_path)),
        "permitcheck:model_sha256": inspection.model.sha256, "permitcheck:parcel": site.parcel_id,
        "permitcheck:placement": site.placement,
    }
    if inspection.model.massing is not None:
        attributes["permitcheck:massing"] = inspection.model.massing.format
    if result is not None:
        book = result.rulebook.book
        attributes.update({"permitcheck:verdict": result.verdict.value, "permitcheck:zone": result.zone,
                           "permitcheck:rulebook": f"{book.rulebook} {book.version}",
                           "permitcheck:checked_at": result.checked_at})
    lod2, said = _massing_on_map(inspection, geo, unit, ground)
    attributes["permitcheck:lod2"] = said
    doc = building_object(footprint, ground, ground + facts.height_m, crs, attributes,
                          object_id=f"permitcheck-{inspection.model.sha256[:12]}", lod2=lod2)
    try:
        Path(out).write_text(json.dumps(doc), encoding="utf-8")
    except OSError as e:
        raise InputError(f"{out}: cannot write the CityJSON ({e.strerror}) — choose a folder you can write") from None
    return attributes


MAX_LOD2_TRIANGLES = 50_000  # past this the LoD2 massing is left out (a city model's buildings have hundreds)


def _massing_on_map(inspection, geo, unit: float, ground: float):
    """The building's massing (facts.mesh.massing: what stands under its roofs and is enclosed) as
    closed meshes on the map, each part of it one, and what was written: the LoD2 of the export."""
    from permitcheck.facts.mesh import building_solid, massing

    facts = inspection.facts.whole
    solid, offset, _, _ = building_solid(list(inspection.model.elements))
    if solid is None:
        return None, "left out: no element has a volume"
    parts = [p for p in massing(solid, facts.ground_elevation_m - float(offset[2]), tolerance=0.001).decompose()
             if not p.is_empty()]
    meshes = [p.to_mesh() for p in parts]
    count = sum(len(m.tri_verts) for m in meshes)
    if not count:
        return None, "left out: no massing above the ground"
    if count > MAX_LOD2_TRIANGLES:
        return None, f"left out: {count:,} triangles, more than {MAX_LOD2_TRIANGLES:,}"
    out = []
    for m in meshes:
        v = np.asarray(m.vert_properties, dtype=np.float64)[:, :3] + offset
        xy = geo.to_map(v[:, :2]) / unit
        out.append((np.column_stack([xy, v[:, 2] - facts.ground_elevation_m + ground]),
                    np.asarray(m.tri_verts, dtype=np.int64)))
    return out, f"{count:,} triangles in {len(out)} solid(s), from the massing"


def _unit_m(crs: str) -> float:
    """Metres per unit of the CRS's first axis (a US-feet state plane writes feet)."""
    import pyproj

    try:
        axis = pyproj.CRS.from_user_input(crs).axis_info[0]
        return float(axis.unit_conversion_factor) if axis.unit_conversion_factor else 1.0
    except (pyproj.exceptions.CRSError, IndexError):
        return 1.0


__all__ = ["export_cityjson"]
