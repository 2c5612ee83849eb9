"""Storey levels decided from what the storeys hold, not only from where they are placed.

Authoring tools export storeys whose placement, `Elevation` and contents disagree: a basement
placed at z = 0 whose floor slab lies 3.5 m below ground, every storey placed at 0, a floor slab
assigned to the storey below it (ArchiCAD's slabs on the story under them), a roof or ceiling
level that holds a small slab. A storey's floor is taken from its floor slabs' top faces:

- a floor slab belongs to the storey it is assigned to when its top lies within `LEVEL_TOLERANCE`
  of that storey's level; else to another storey of the same building at its level, if walls or
  columns stand on that level (a ceiling level holding nothing takes no slab);
- a slab whose top stands at the top of its storey's walls is that storey's ceiling or roof (a flat
  roof typed FLOOR): it moves no level and is no floor;
- a storey whose floor slabs all lie away from its placement stands where the largest of them
  does, and a warning says so;
- a storey is a floor when its floor slabs, at least 5 cm thick, cover `MIN_FLOOR_M2` in plan (a
  stair landing or a ceiling panel does not make a level a storey), and it lies at least
  `MIN_STOREY_HEIGHT` under the next floor (a ceiling level holding a soffit is no storey). A building with floor slabs
  none of which makes a storey a floor (a frame with small slabs) counts every storey that holds
  elements, and says the count is uncertain.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from permitcheck.model.types import ElementMesh, Storey

LEVEL_TOLERANCE = 0.5  # metres between a storey's level and its floor slab's top
MAX_SLAB_DEPTH = 1.5  # a thicker "slab" (a massing block, a raft) says nothing about a level
MIN_SLAB_DEPTH = 0.05  # a thinner one is a finish or a ceiling panel, no floor
MIN_FLOOR_M2 = 4.0
CEILING_BAND = 0.5  # a slab this close to the top of its storey's walls is its ceiling or roof
MIN_STOREY_HEIGHT = 1.5  # a "storey" this close under the next is a ceiling level (Revit's 'Ceiling-East')
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
    uncertain_buildings: frozenset = frozenset()  # buildings whose storeys are counted by the fallback


def _wall_tops(storeys: list[Storey], meshes: list[ElementMesh]) -> dict[str, float]:
    tops: dict[str, float] = {}
    for m in meshes:
        if m.storey_id and (m.ifc_class.startswith("IfcWall") or m.ifc_class.startswith("IfcColumn")):
            tops[m.storey_id] = max(tops.get(m.storey_id, -np.inf), float(m.vertices[:, 2].max()))
    return tops


def _plan_area(slabs: list[ElementMesh]) -> float:
    """Area of the union of the slabs' plans: stacked finish layers and a paving count once."""
    from permitcheck.facts.projection import merge_triangles, plan_polygons, union

    plans = [merge_triangles(p) for p in (plan_polygons(m.vertices[m.faces]) for m in slabs) if len(p)]
    return float(union(plans).area) if plans else 0.0


def _standing(storeys: list[Storey], meshes: list[ElementMesh]) -> set[str]:
    """Storeys with walls or columns standing on their level: a level a floor slab can be the floor of.
    A ceiling level (Revit's 'Ceiling-East') holds none and takes no slab from the storey below."""
    level = {s.global_id: s.elevation_m for s in storeys}
    out = set()
    for m in meshes:
        if m.storey_id in level and (m.ifc_class.startswith("IfcWall") or m.ifc_class.startswith("IfcColumn")):
            if abs(float(m.vertices[:, 2].min()) - level[m.storey_id]) <= LEVEL_TOLERANCE:
                out.add(m.storey_id)
    return out


def storey_levels(storeys: list[Storey], meshes: list[ElementMesh]) -> Levels:
    by_id = {s.global_id: s for s in storeys}
    tops = _wall_tops(storeys, meshes)
    standing = _standing(storeys, meshes)
    slabs = [(m, *top_face(m)) for m in meshes if is_floor_slab(m) and m.storey_id in by_id]
    home: dict[str, list] = {s.global_id: [] for s in storeys}
    # (slab, top area, level it speaks for)
    for m, area, z in slabs:
        own = by_id[m.storey_id]
        depth = float(np.ptp(m.vertices[:, 2]))
        if depth > MAX_SLAB_DEPTH:
            z = own.elevation_m  # stays with its storey and moves no level
        elif abs(z - own.elevation_m) > LEVEL_TOLERANCE:
            near = [s for s in storeys if s.building_id == own.building_id and s.global_id in standing
                    and abs(z - s.elevation_m) <= LEVEL_TOLERANCE]
            if near:
                own = min(near, key=lambda s: abs(z - s.elevation_m))
            elif own.global_id in tops and z >= tops[own.global_id] - CEILING_BAND:
                continue  # its storey's ceiling or roof: no floor of any storey
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
    area = {gid: _plan_area([m for m, _, _ in v if float(np.ptp(m.vertices[:, 2])) >= MIN_SLAB_DEPTH])
            for gid, v in home.items()}
    any_slab: dict[str | None, bool] = {}
    for s in storeys:
        any_slab[s.building_id] = any_slab.get(s.building_id, False) or bool(home[s.global_id])
    counted = {s.global_id for s in storeys if area[s.global_id] >= MIN_FLOOR_M2}
    level = {s.global_id: s.elevation_m for s in fixed}
    for b in {s.building_id for s in storeys}:
        floors = sorted((g for g in counted if by_id[g].building_id == b), key=lambda g: level[g])
        for lower, upper in zip(floors, floors[1:]):
            if level[upper] - level[lower] < MIN_STOREY_HEIGHT:
                counted.discard(lower)
                warnings.append(f"storey '{by_id[lower].name}' lies {level[upper] - level[lower]:.2f} m under storey "
                                f"'{by_id[upper].name}': a ceiling level, not counted")
    holding = {m.storey_id for m in meshes if m.storey_id}
    fallback = set()
    for b, has in any_slab.items():
        mine = [s for s in storeys if s.building_id == b]
        if has and not any(s.global_id in counted for s in mine):
            counted |= {s.global_id for s in mine if s.global_id in holding}
            fallback.add(b)
            warnings.append("no storey holds a floor slab of 4 m²: every storey with elements is counted, and the "
                            "count is uncertain")
    return Levels(
        storeys=tuple(sorted(fixed, key=lambda s: s.elevation_m)),
        floors={gid: tuple(m for m, _, _ in v) for gid, v in home.items()},
        floor_area=area, counted=frozenset(counted), any_slab=any_slab,
        warnings=tuple(warnings), uncertain_buildings=frozenset(fallback),
    )
