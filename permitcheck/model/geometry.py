"""Triangulated geometry of the elements that shape the building, in world coordinates.

Which elements count
--------------------
Included: building elements (IfcBuildingElement in IFC2X3/IFC4, IfcBuiltElement in IFC4X3):
walls, slabs, roofs, columns, beams, members, plates, curtain walls, stairs, ramps, railings,
coverings, chimneys, shading devices, footings and piles.

Left out, and counted in ``Model.excluded`` so reports can say so:
- IfcSite (terrain), IfcSpace, IfcOpeningElement, IfcVirtualElement, IfcAnnotation, IfcGrid —
  not building matter;
- IfcFurnishingElement, IfcDistributionElement (MEP), IfcTransportElement, IfcElementComponent
  (bolts, reinforcement), IfcGeographicElement, IfcCivilElement — inside or outside the
  building envelope, never what a zoning rule measures;
- IfcDoor, IfcWindow in walls and curtain walls, or with no host recorded (a door stands in a
  wall) — they stay within the wall that holds them, and their detailed frames are most of the
  geometry time (Janesville: 14 curtain-wall doors of 2,198 triangles, 0.23 s each). Doors and
  windows filling openings in roofs and slabs (skylights, hatches) are measured: the Duplex
  skylights stand 2.6 cm above its roof and set its height;
- IfcBuildingElementProxy — in real exports proxies are as often planting, people and site
  furniture (Janesville) or coordination markers (PCERT) as building parts. Excluded by default;
  ``include_proxies=True`` brings them in.

Openings are not subtracted: an opening never raises the top of an element nor widens its plan
projection, and skipping the booleans is the main saving on large models.
"""

from __future__ import annotations

import multiprocessing

import ifcopenshell
import ifcopenshell.geom
import ifcopenshell.util.element
import numpy as np

from permitcheck.model.types import ElementFailure, ElementMesh

_EXCLUDED_BUILDING_SUBTYPES = ("IfcBuildingElementProxy", "IfcBuildingElementComponent", "IfcReinforcingElement")
_NOT_BUILDING = (
    "IfcFurnishingElement", "IfcDistributionElement", "IfcTransportElement", "IfcElementComponent",
    "IfcGeographicElement", "IfcCivilElement", "IfcVirtualElement", "IfcOpeningElement",
    "IfcFeatureElement", "IfcElementAssembly",
)


def _root_class(f: ifcopenshell.file) -> str:
    return "IfcBuiltElement" if f.schema.startswith("IFC4X3") else "IfcBuildingElement"


def _in_roof_or_slab(el) -> bool:
    """A door or window that fills an opening in a roof or slab (a skylight, a hatch)."""
    for fills in getattr(el, "FillsVoids", None) or ():
        opening = fills.RelatingOpeningElement
        for voids in getattr(opening, "VoidsElements", None) or ():
            host = voids.RelatingBuildingElement
            if not (host.is_a("IfcWall") or host.is_a("IfcCurtainWall")):
                return True
    return False


def select_elements(f: ifcopenshell.file, include_proxies: bool = False):
    """The elements to triangulate, and counts of what was left out by class."""
    root = _root_class(f)
    chosen, excluded = [], {}
    for el in f.by_type("IfcElement"):
        if el.Representation is None:
            continue
        keep = el.is_a(root) and not any(el.is_a(c) for c in _EXCLUDED_BUILDING_SUBTYPES)
        if include_proxies and el.is_a("IfcBuildingElementProxy"):
            keep = True
        if keep and (el.is_a("IfcDoor") or el.is_a("IfcWindow")) and not _in_roof_or_slab(el):
            keep = False
        if keep:
            chosen.append(el)
        elif not el.is_a("IfcOpeningElement"):
            cls = el.is_a()
            excluded[cls] = excluded.get(cls, 0) + 1
    return chosen, excluded


def _settings() -> ifcopenshell.geom.settings:
    s = ifcopenshell.geom.settings()
    s.set("use-world-coords", True)
    s.set("disable-opening-subtractions", True)
    s.set("weld-vertices", False)
    return s


def _mesh_chunk(f: ifcopenshell.file, elements: list) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(element id, vertices, faces) for every element the kernel could triangulate."""
    out = []
    it = ifcopenshell.geom.iterator(_settings(), f, 1, include=elements)
    if it.initialize():
        while True:
            shape = it.get()
            geo = shape.geometry
            out.append((
                shape.id,
                np.asarray(geo.verts, dtype=np.float64).reshape(-1, 3),
                np.asarray(geo.faces, dtype=np.int64).reshape(-1, 3),
            ))
            if not it.next():
                break
    return out


# The file a forked worker reads: set just before the pool forks, so children share the parsed
# model copy-on-write instead of parsing it again.
_FORKED: tuple[ifcopenshell.file, list] | None = None


def _forked_chunk(index: int, count: int):
    f, elements = _FORKED
    return _mesh_chunk(f, elements[index::count])


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def _mesh_all(f: ifcopenshell.file, elements: list, workers: int):
    """Triangulate in `workers` forked processes.

    ifcopenshell's own multi-threaded iterator gains nothing here (measured: the same wall time
    with 1 and 2 threads on the Tekla and Janesville models), so the elements are dealt out
    round-robin to forked processes that each run a single-threaded iterator.
    """
    global _FORKED
    if workers <= 1 or len(elements) < 2 * MIN_ELEMENTS_PER_WORKER or not _can_fork():
        return _mesh_chunk(f, elements)
    from concurrent.futures import ProcessPoolExecutor

    workers = min(workers, len(elements) // MIN_ELEMENTS_PER_WORKER)
    _FORKED = (f, elements)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            chunks = list(pool.map(_forked_chunk, range(workers), [workers] * workers))
    finally:
        _FORKED = None
    return [item for chunk in chunks for item in chunk]


MIN_ELEMENTS_PER_WORKER = 100


def triangulate(
    f: ifcopenshell.file,
    elements: list,
    locations: dict[int, tuple[str | None, str | None]],
    workers: int | None = None,
) -> tuple[list[ElementMesh], list[ElementFailure]]:
    """Mesh every element; an element that fails is recorded with its reason and skipped."""
    if not elements:
        return [], []
    by_id = {el.id(): el for el in elements}
    meshes: list[ElementMesh] = []
    done: set[int] = set()
    for eid, verts, faces in _mesh_all(f, elements, workers or multiprocessing.cpu_count()):
        el = by_id.get(eid)
        if el is None:
            continue
        if not len(faces):
            continue  # recorded below as a failure: a body with no triangles measures nothing
        done.add(eid)
        storey, building = locations.get(eid, (None, None))
        parent = ifcopenshell.util.element.get_aggregate(el)
        meshes.append(ElementMesh(
            global_id=el.GlobalId, ifc_class=el.is_a(), name=el.Name or "",
            predefined_type=ifcopenshell.util.element.get_predefined_type(el),
            storey_id=storey, building_id=building,
            parent_class=parent.is_a() if parent is not None else None,
            vertices=verts, faces=faces,
        ))
    failures = [
        ElementFailure(el.GlobalId, el.is_a(), "geometry could not be built (ifcopenshell.geom gave no triangles)")
        for eid, el in by_id.items() if eid not in done
    ]
    meshes.sort(key=lambda m: m.global_id)  # worker order is not deterministic
    return meshes, failures
