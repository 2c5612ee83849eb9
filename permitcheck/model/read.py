"""`read_model`: one IFC file (or a massing model: a mesh or a CityJSON building) to a `Model`."""

from __future__ import annotations

import os

from permitcheck.errors import ModelHasNoBuilding, ModelHasNoGeometry, ModelUnreadable, UsageError
from permitcheck.model.georef import georeference_of
from permitcheck.model.geometry import raised_proxies, select_elements, spaces_of, terrain_of, triangulate
from permitcheck.model.ids import audit, skipped_audit
from permitcheck.model.ifcfile import application_of, open_ifc, project_global_id_of, sha256_of
from permitcheck.model.massing import MassingOptions, is_massing, read_massing
from permitcheck.model.openings import windows_of
from permitcheck.model.spatial import buildings_of, element_locations, storeys_of
from permitcheck.model.types import Model
from permitcheck.model.units import length_unit_m


def read_model(path: str | os.PathLike, workers: int | None = None, include_proxies: bool = False,
               ids: tuple[str, ...] = (), massing: MassingOptions | None = None) -> Model:
    """Read an IFC file into plain data; raises an InputError for a file that cannot be checked.

    `workers` processes triangulate the geometry (default: all cores; 1 inside a batch worker).
    `ids`: IDS files (a rulebook's readiness) run on the file while it is open (model.ids).
    A .glb/.gltf/.obj/.stl/.3mf/.ply mesh or a CityJSON building is read as a massing model
    (model.massing), with `massing` saying how (unit, up axis, storey levels, which object); those
    options given with an IFC file are refused.
    """
    path = os.fspath(path)
    if is_massing(path):
        model = read_massing(path, massing)
        model.readiness = tuple(skipped_audit(p, "a massing model has no IFC data for an IDS to check") for p in ids)
        return model
    if massing is not None and massing.given():
        raise UsageError(f"{', '.join(massing.given())}: for a massing model (.glb, .gltf, .obj, .stl, .3mf, .ply, "
                         f"CityJSON), not an IFC file — {path} is read with its own units, axes and storeys")
    f = open_ifc(path)
    try:
        return _read(f, path, workers, include_proxies, tuple(ids))
    except (AttributeError, TypeError, ValueError, IndexError, KeyError, RecursionError) as e:
        # the integrity checks catch the corruptions seen; what they do not is still a corrupt file
        raise ModelUnreadable(f"{path}: the model's structure is not valid IFC where permitcheck reads it "
                              f"({type(e).__name__}: {e}) — validate the file and export it again") from e


def _read(f, path: str, workers: int | None, include_proxies: bool, ids: tuple[str, ...]) -> Model:
    warnings: list[str] = []
    unit_m, unit_warning = length_unit_m(f, path)
    if unit_warning:
        warnings.append(unit_warning)
    buildings = buildings_of(f)
    if not buildings:
        raise ModelHasNoBuilding(
            f"{path}: the model has no IfcBuilding — export it with the building's spatial structure "
            "(IfcProject > IfcSite > IfcBuilding > IfcBuildingStorey)"
        )
    georeference = georeference_of(f, unit_m, warnings)
    storeys = storeys_of(f, unit_m)
    for s in storeys:
        if s.elevation_attr_m is not None and abs(s.elevation_attr_m - s.elevation_m) > 0.01:
            warnings.append(
                f"storey '{s.name}': Elevation attribute {s.elevation_attr_m:.3f} m differs from its "
                f"placement {s.elevation_m:.3f} m; the placement is used"
            )
    chosen, excluded = select_elements(f, include_proxies=include_proxies)
    locations = element_locations(f)
    meshes, failures = triangulate(f, chosen, locations, workers=workers, unit_m=unit_m)
    proxies = []
    if not include_proxies:
        ground_z = min((s.elevation_m for s in storeys), key=abs, default=0.0)
        raised = raised_proxies(f, ground_z, unit_m)
        proxies, _ = triangulate(f, raised, locations, workers=1, unit_m=unit_m) if raised else ([], [])
    if not meshes:
        raise ModelHasNoGeometry(
            f"{path}: no building element has geometry ({len(chosen)} candidates, {len(failures)} failed) "
            "— export with 3D body representations"
        )
    sha = sha256_of(path)
    return Model(
        path=path, sha256=sha, schema=f.schema_identifier if hasattr(f, "schema_identifier") else f.schema,
        application=application_of(f), project_global_id=project_global_id_of(f), length_unit_m=unit_m, georeference=georeference,
        buildings=buildings, storeys=storeys, elements=meshes, failures=failures,
        excluded=excluded, warnings=warnings, unmeasured_proxies=proxies,
        spaces=spaces_of(f, locations), terrain=terrain_of(f), windows=windows_of(f, unit_m),
        readiness=tuple(audit(f, p, sha) for p in ids),
    )
