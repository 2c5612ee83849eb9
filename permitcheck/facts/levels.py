"""Storey levels decided from what the storeys hold, not only from where they are placed.

Authoring tools export storeys whose placement, `Elevation` and contents disagree: a basement
placed at z = 0 whose floor slab lies 3.5 m below ground, every storey placed at 0, a floor slab
assigned to the storey below it (ArchiCAD's slabs on the story under them), a roof or ceiling
level that holds a small slab. A storey's floor is taken from its floor slabs' top faces:

- a floor slab belongs to the storey it is assigned to when its top lies within `LEVEL_TOLERANCE`
  of that storey's level; else to another storey of the same building at its level, if one is;
- a storey whose floor slabs all lie away from its placement stands where the largest of them
  does, and a warning says so;
- a storey is a floor only when its floor slabs cover at least `MIN_FLOOR_SHARE` of the largest
  floor of its building (and `MIN_FLOOR_M2`): a stair landing or a ceiling panel does not make a level
  a storey.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from permitcheck.model.types import ElementMesh, Storey

LEVEL_TOLERANCE = 0.5  # metres between a storey's level and its floor slab's top
MAX_SLAB_DEPTH = 1.5  # a thicker "slab" (a massing block, a raft) says nothing about a level
MIN_FLOOR_M2 = 4.0
MIN_FLOOR_SHARE = 0.05
_NOT_FLOOR_SLABS = {"ROOF", "LANDING"}


def is_floor_slab(m: ElementMesh) -> bool:
    return (m.ifc_class.startswith("IfcSlab") and (m.predefined_type or "") not in _NOT_FLOOR_SLABS
            and m.parent_class != "IfcRoof")


def top_face(m: ElementMesh) -> tuple[float, float]:
    """(plan area, area-weighted level) of an element's upward faces: a slab's floor and its level."""
    tri = m.vertices[m.faces]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    length = np.linalg.norm(n, axis=1)
    up = n[:, 2] > 0.7 * np.maximum(length, 1e-30)
    area = 0.5 * n[up, 2]
    total = float(area.sum())
    if total <= 0:
        return 0.0, float(m.vertices[:, 2].max())
    return total, float((area * tri[up][:, :, 2].mean(axis=1)).sum() / total)


@dataclass(frozen=True)
class Levels:
    storeys: tuple[Storey, ...]  # elevation_m corrected where the floor slabs say otherwise
    floors: dict[str, tuple[ElementMesh, ...]]  # storey GlobalId -> its floor slabs (after re-homing)
    floor_area: dict[str, float]  # storey GlobalId -> top area of its floor slabs
    counted: frozenset[str]  # storeys that are floors
    any_slab: dict[str | None, bool]  # building -> has floor slabs at all
    warnings: tuple[str, ...]


def storey_levels(storeys: list[Storey], meshes: list[ElementMesh]) -> Levels:
    by_id = {s.global_id: s for s in storeys}
    slabs = [(m, *top_face(m)) for m in meshes if is_floor_slab(m) and m.storey_id in by_id]
    home: dict[str, list] = {s.global_id: [] for s in storeys}
    # (slab, top area, level it speaks for)
    for m, area, z in slabs:
        own = by_id[m.storey_id]
        if float(np.ptp(m.vertices[:, 2])) > MAX_SLAB_DEPTH:
            z = own.elevation_m  # stays with its storey and moves no level
        elif abs(z - own.elevation_m) > LEVEL_TOLERANCE:
            near = [s for s in storeys if s.building_id == own.building_id
                    and abs(z - s.elevation_m) <= LEVEL_TOLERANCE]
            if near:
                own = min(near, key=lambda s: abs(z - s.elevation_m))
        home[own.global_id].append((m, area, z))
    warnings, fixed = [], []
    for s in storeys:
        mine = home[s.global_id]
        if mine and all(abs(z - s.elevation_m) > LEVEL_TOLERANCE for _, _, z in mine):
            m, _, z = max(mine, key=lambda t: t[1])
            warnings.append(f"storey '{s.name}' is placed at {s.elevation_m:.3f} m but its floor slab "
                            f"'{m.name}' lies at {z:.3f} m: the storey is measured at {z:.3f} m")
            s = replace(s, elevation_m=z)
        fixed.append(s)
    area = {gid: float(sum(a for _, a, _ in v)) for gid, v in home.items()}
    largest: dict[str | None, float] = {}
    for s in storeys:
        largest[s.building_id] = max(largest.get(s.building_id, 0.0), area[s.global_id])
    counted = frozenset(s.global_id for s in storeys
                        if area[s.global_id] >= max(MIN_FLOOR_M2, MIN_FLOOR_SHARE * largest[s.building_id]))
    return Levels(
        storeys=tuple(sorted(fixed, key=lambda s: s.elevation_m)),
        floors={gid: tuple(m for m, _, _ in v) for gid, v in home.items()},
        floor_area=area, counted=counted,
        any_slab={b: v > 0 for b, v in largest.items()},
        warnings=tuple(warnings),
    )
