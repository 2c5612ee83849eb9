"""Height above ground to the highest point, and the element that sets it."""

from __future__ import annotations

from permitcheck.facts.types import ElementRef
from permitcheck.model.types import ElementMesh


def highest_point(meshes: list[ElementMesh]) -> tuple[float | None, ElementRef | None]:
    best, top = None, None
    for m in meshes:
        z = float(m.vertices[:, 2].max())
        if best is None or z > best:
            best, top = z, ElementRef(m.global_id, m.ifc_class, m.name)
    return best, top
