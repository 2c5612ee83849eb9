"""Footprint: the plan shape of everything that stands above ground level.

Each element is clipped at ground level and the rest projected on the ground plane; the union
keeps holes (courtyards) and ignores basements that reach beyond the building, because their
parts below ground are cut away. Faces within ``ABOVE_TOLERANCE`` of the ground are treated as
on it: a ground-floor slab whose top is the ground level adds nothing.
"""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from permitcheck.facts.projection import element_plan, element_plans, plans_above, union
from permitcheck.model.types import ElementMesh

ABOVE_TOLERANCE = 0.01  # metres


def element_plan_above(mesh: ElementMesh, level: float) -> BaseGeometry | None:
    """Plan shape of the part of one element above `level` (None if nothing stands above)."""
    if mesh.vertices[:, 2].max() <= level:
        return None
    if mesh.vertices[:, 2].min() >= level:  # whole
        return element_plan(mesh.vertices, mesh.faces)
    return element_plans([(mesh.vertices, mesh.faces)], above=level)[0]


def footprint(meshes: list[ElementMesh], ground: float) -> BaseGeometry:
    return footprint_and_plans(meshes, ground)[0]


def footprint_and_plans(meshes: list[ElementMesh], ground: float) -> tuple[BaseGeometry, dict[str, BaseGeometry]]:
    """The footprint, and each element's plan above ground by GlobalId (the measurement profiles
    measure plans above other levels, and an element wholly above ground is its plan here)."""
    level = ground + ABOVE_TOLERANCE
    plans = plans_above([(m.vertices, m.faces) for m in meshes], level)
    by_id = {m.global_id: p for m, p in zip(meshes, plans) if p is not None}
    return union([p for p in plans if p is not None]), by_id
