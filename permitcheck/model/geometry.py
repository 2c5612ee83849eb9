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

from permitcheck.model import relations
from permitcheck.model.types import ElementFailure, ElementMesh, SpaceMesh

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


def parts_of(el) -> list:
    """The IfcBuildingElementParts an element is decomposed into that have a shape of their own."""
    out = []
    for rel in getattr(el, "IsDecomposedBy", None) or ():
        out += [p for p in rel.RelatedObjects if p.is_a("IfcBuildingElementPart") and p.Representation is not None]
    return out


def select_elements(f: ifcopenshell.file, include_proxies: bool = False):
    """The elements to triangulate, and counts of what was left out by class.

    An element with no shape of its own but with parts (ArchiCAD exports a wall's layers as
    IfcBuildingElementParts and gives the wall no body) is chosen too: its parts are measured for it.
    """
    root = _root_class(f)
    chosen, excluded = [], {}
    for el in f.by_type("IfcElement"):
        if el.Representation is None and not (el.is_a(root) and parts_of(el)):
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


RAISED_PROXY_M = 2.0  # a proxy placed this far above the ground storey may stand on the roof


def raised_proxies(f: ifcopenshell.file, ground_z: float, unit_m: float) -> list:
    """Proxies left out of the measurement whose placement is well above the ground storey.

    Planting, people and markers stand at grade; a proxy placed on a roof may be a plant room or
    an antenna that sets the height. Only these few are triangulated (all of Janesville's 191
    proxies take 73 s), so facts can say when one rises above what was measured.
    """
    import ifcopenshell.util.placement

    out = []
    for el in f.by_type("IfcBuildingElementProxy"):
        if el.Representation is None or el.ObjectPlacement is None:
            continue
        z = float(ifcopenshell.util.placement.get_local_placement(el.ObjectPlacement)[2][3]) * unit_m
        if np.isfinite(z) and z >= ground_z + RAISED_PROXY_M:
            out.append(el)
    return out


# CGAL's simple kernel first, Open CASCADE where it cannot build a shape (swept disks, some
# booleans). Measured on the nine real models in ../shared/ifc: the same elements, every element's
# bounding box within 5 mm and every fact within 0.1 % of Open CASCADE alone, in 0.3-0.6 of the
# time (FZK-Haus 4.6 s -> 1.6 s, Tekla 32 s -> 17 s); tests/test_geometry_kernel.py holds it.
GEOMETRY_LIBRARY = "hybrid-cgal-simple-opencascade"


def _settings() -> ifcopenshell.geom.settings:
    s = ifcopenshell.geom.settings()
    s.set("use-world-coords", True)
    s.set("disable-opening-subtractions", True)
    s.set("weld-vertices", False)
    return s


def _mesh_chunk(f: ifcopenshell.file, elements: list) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(element id, vertices, faces) for every element the kernel could triangulate."""
    out = []
    try:
        it = ifcopenshell.geom.iterator(_settings(), f, 1, include=elements, geometry_library=GEOMETRY_LIBRARY)
    except (ValueError, RuntimeError, TypeError):  # an ifcopenshell built without CGAL
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
    with 1 and 2 threads on the Tekla and Janesville models), so the elements are dealt out to
    forked processes that each run a single-threaded iterator: in CHUNKS_PER_WORKER interleaved
    chunks a worker takes as it becomes free, so one heavy run of elements (railings, a facade's
    mullions) does not stall one worker while the other waits. Shapes come back in the elements'
    order, whatever the number of workers.
    """
    global _FORKED
    if workers <= 1 or len(elements) < 2 * MIN_ELEMENTS_PER_WORKER or not _can_fork():
        return _mesh_chunk(f, elements)
    from concurrent.futures import ProcessPoolExecutor

    workers = min(workers, len(elements) // MIN_ELEMENTS_PER_WORKER)
    count = max(workers, min(workers * CHUNKS_PER_WORKER, len(elements) // (MIN_ELEMENTS_PER_WORKER // 4)))
    _FORKED = (f, elements)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            chunks = list(pool.map(_forked_chunk, range(count), [count] * count))
    finally:
        _FORKED = None
    order = {el.id(): i for i, el in enumerate(elements)}
    return sorted((item for chunk in chunks for item in chunk), key=lambda item: order.get(item[0], -1))


CHUNKS_PER_WORKER = 4
MIN_ELEMENTS_PER_WORKER = 100
# Beyond these a vertex is not a building's: projected CRSs stay within about 2e7 m of their
# origin, and no building element is 10 km long. Such an element is recorded as failed, never measured.
MAX_COORDINATE_M = 5e7
MAX_ELEMENT_EXTENT_M = 1e4


def implausible(verts: np.ndarray) -> str | None:
    """Why an element's vertices cannot be measured (non-finite, absurdly far or large), else None."""
    if not np.all(np.isfinite(verts)):
        return "non-finite coordinates (NaN or infinity) in its geometry"
    if float(np.abs(verts).max()) > MAX_COORDINATE_M:
        return f"coordinates beyond {MAX_COORDINATE_M:.0e} m from the project origin"
    extent = float((verts.max(axis=0) - verts.min(axis=0)).max())
    if extent > MAX_ELEMENT_EXTENT_M:
        return f"{extent / 1000:.3g} km across: not a building element's size"
    return None


def _space_names(space) -> tuple[str, ...]:
    """Every string a space is known by: its names, types and the values of its properties."""
    out = [space.Name, space.LongName, getattr(space, "ObjectType", None),
           ifcopenshell.util.element.get_predefined_type(space)]
    for props in (ifcopenshell.util.element.get_psets(space) or {}).values():
        out += [v for k, v in props.items() if k != "id" and isinstance(v, str)]
    return tuple(dict.fromkeys(str(x) for x in out if x))


def spaces_of(f: ifcopenshell.file, locations: dict) -> list[SpaceMesh]:
    """IfcSpaces with a shape: the rooms whose use the law's floor area rules ask about."""
    spaces = [s for s in f.by_type("IfcSpace") if s.Representation is not None]
    if not spaces:
        return []
    by_id = {s.id(): s for s in spaces}
    out = []
    for sid, verts, faces in _mesh_chunk(f, spaces):
        space = by_id.get(sid)
        if space is None or not len(faces) or implausible(verts) is not None:
            continue
        storey, building = _space_location(space, locations)
        out.append(SpaceMesh(space.GlobalId, _space_names(space), storey, building, verts, faces, _unit_of(space)))
    return sorted(out, key=lambda s: s.global_id)


def _unit_of(space) -> str | None:
    """The dwelling unit a room belongs to, as "name (GlobalId)": the IfcZone it is assigned to (how
    apartments are grouped for handover), else the IfcSpace it is part of (a unit modelled as a space
    of rooms), else None."""
    for rel in getattr(space, "HasAssignments", None) or ():
        group = getattr(rel, "RelatingGroup", None) if rel.is_a("IfcRelAssignsToGroup") else None
        if group is not None and group.is_a("IfcZone"):
            return _label(group)
    parent = ifcopenshell.util.element.get_aggregate(space)
    return _label(parent) if parent is not None and parent.is_a("IfcSpace") else None


def _label(entity) -> str:
    """Its name and GlobalId (the name for the officer, the GlobalId to keep two of one name apart)."""
    return f"{entity.Name} ({entity.GlobalId})" if entity.Name else entity.GlobalId


def _space_location(space, locations: dict) -> tuple[str | None, str | None]:
    parent = ifcopenshell.util.element.get_aggregate(space) or ifcopenshell.util.element.get_container(space)
    while parent is not None and not parent.is_a("IfcBuildingStorey"):
        parent = ifcopenshell.util.element.get_aggregate(parent)
    if parent is None:
        return None, None
    building = ifcopenshell.util.element.get_aggregate(parent)
    return parent.GlobalId, building.GlobalId if building is not None and building.is_a("IfcBuilding") else None


def terrain_of(f: ifcopenshell.file) -> np.ndarray | None:
    """The site's terrain as triangles (IfcSite body, IfcGeographicElement TERRAIN), or None."""
    items = [s for s in f.by_type("IfcSite") if s.Representation is not None]
    try:
        items += [g for g in f.by_type("IfcGeographicElement") if g.Representation is not None
                  and (ifcopenshell.util.element.get_predefined_type(g) or "") == "TERRAIN"]
    except RuntimeError:  # IFC2X3 has no IfcGeographicElement
        pass
    tris = [verts[faces] for _, verts, faces in (_mesh_chunk(f, items) if items else []) if len(faces)
            and implausible(verts) is None]
    return np.concatenate(tris) if tris else None


def _measured_through_parts(el, done: set[int]) -> bool:
    """A container (a curtain wall, a stair, a roof) with no body of its own whose parts were measured."""
    for rel in getattr(el, "IsDecomposedBy", None) or ():
        if any(p.id() in done for p in rel.RelatedObjects):
            return True
    return False


def _measured_by_parts(f: ifcopenshell.file, elements: list, measured: set[int]) -> list:
    """(element id, vertices, faces) of each element with no triangles of its own, from its parts."""
    owners = {}
    for el in elements:
        if el.id() not in measured:
            for part in parts_of(el):
                owners[part.id()] = el.id()
    if not owners:
        return []
    merged: dict[int, list] = {}
    for pid, verts, faces in _mesh_chunk(f, [f.by_id(i) for i in owners]):
        if len(faces):
            merged.setdefault(owners[pid], []).append((verts, faces))
    out = []
    for eid, pieces in merged.items():
        offsets = np.cumsum([0] + [len(v) for v, _ in pieces[:-1]])
        out.append((eid, np.concatenate([v for v, _ in pieces]),
                    np.concatenate([fc + o for (_, fc), o in zip(pieces, offsets)])))
    return out


def layer_thickness(el, unit_m: float) -> float | None:
    """The summed thickness of an element's material layer set (a wall's thickness as designed), metres."""
    usage = None
    for rel in getattr(el, "HasAssociations", None) or ():
        if rel.is_a("IfcRelAssociatesMaterial"):
            usage = rel.RelatingMaterial
    if usage is None or not usage.is_a("IfcMaterialLayerSetUsage") or usage.ForLayerSet is None:
        return None
    try:
        total = sum(float(layer.LayerThickness) for layer in usage.ForLayerSet.MaterialLayers) * unit_m
    except (TypeError, ValueError):
        return None
    return total if np.isfinite(total) and 0 < total < 10 else None


def triangulate(
    f: ifcopenshell.file,
    elements: list,
    locations: dict[int, tuple[str | None, str | None]],
    workers: int | None = None,
    unit_m: float = 1.0,
) -> tuple[list[ElementMesh], list[ElementFailure]]:
    """Mesh every element; an element that fails is recorded with its reason and skipped."""
    if not elements:
        return [], []
    by_id = {el.id(): el for el in elements}
    meshes: list[ElementMesh] = []
    done: set[int] = set()
    failures: list[ElementFailure] = []
    ifc2x3 = f.schema == "IFC2X3"
    shapes = _mesh_all(f, [el for el in elements if el.Representation is not None], workers or multiprocessing.cpu_count())
    shapes += _measured_by_parts(f, elements, {eid for eid, _, faces in shapes if len(faces)})
    for eid, verts, faces in shapes:
        el = by_id.get(eid)
        if el is None:
            continue
        if not len(faces):
            continue  # recorded below as a failure: a body with no triangles measures nothing
        done.add(eid)
        why = implausible(verts)
        if why is not None:
            failures.append(ElementFailure(el.GlobalId, el.is_a(), why))
            continue
        storey, building = locations.get(eid, (None, None))
        parent = relations.aggregate(el)
        meshes.append(ElementMesh(
            global_id=el.GlobalId, ifc_class=el.is_a(), name=el.Name or "",
            predefined_type=relations.predefined_type(el, ifc2x3),
            storey_id=storey, building_id=building,
            parent_class=parent.is_a() if parent is not None else None,
            vertices=verts, faces=faces, layer_thickness_m=layer_thickness(el, unit_m),
        ))
    failures += [
        ElementFailure(el.GlobalId, el.is_a(), "geometry could not be built (ifcopenshell.geom gave no triangles)")
        for eid, el in by_id.items() if eid not in done and not _measured_through_parts(el, done)
    ]
    meshes.sort(key=lambda m: m.global_id)  # worker order is not deterministic
    failures.sort(key=lambda x: x.global_id)
    return meshes, failures
