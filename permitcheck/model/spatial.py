"""The spatial structure: buildings, storeys and which storey and building holds each element."""

from __future__ import annotations

import math

import ifcopenshell
import ifcopenshell.util.element
import ifcopenshell.util.placement

from permitcheck.errors import ModelUnreadable
from permitcheck.model import relations
from permitcheck.model.geometry import MAX_COORDINATE_M
from permitcheck.model.relations import aggregate
from permitcheck.model.types import Building, Storey


def buildings_of(f: ifcopenshell.file) -> list[Building]:
    out = []
    for b in f.by_type("IfcBuilding"):
        parent = aggregate(b)
        parent_building = _building_above(parent) if parent is not None else None
        out.append(Building(b.GlobalId, b.Name or b.LongName or "", parent_building, _uses(b)))
    return out


def _uses(b) -> tuple[str, ...]:
    """The building's use as the model writes it (any language): its ObjectType and the
    OccupancyType of Pset_BuildingCommon; short single-line texts only."""
    words = [getattr(b, "ObjectType", None)]
    try:
        words.append((ifcopenshell.util.element.get_pset(b, "Pset_BuildingCommon") or {}).get("OccupancyType"))
    except (RuntimeError, AttributeError, TypeError, ValueError):
        pass
    out = []
    for w in words:
        if isinstance(w, str) and w.strip() and len(w) <= 200 and "\n" not in w and w.strip() not in out:
            out.append(w.strip())
    return tuple(out)


def _building_above(spatial) -> str | None:
    node = spatial
    while node is not None:
        if node.is_a("IfcBuilding"):
            # A building that is part of another building (Allplan) reports its own id.
            return node.GlobalId
        node = aggregate(node)
    return None


def _plausible(z) -> float | None:
    try:
        z = float(z)
    except (TypeError, ValueError):  # a corrupt file can hold a string where a number belongs
        return None
    return z if math.isfinite(z) and abs(z) <= MAX_COORDINATE_M else None


def storeys_of(f: ifcopenshell.file, unit_m: float) -> list[Storey]:
    """Storeys sorted by elevation; elevation from the placement chain, not the attribute."""
    out = []
    for s in f.by_type("IfcBuildingStorey"):
        z = None
        if s.ObjectPlacement is not None:
            z = _plausible(float(ifcopenshell.util.placement.get_local_placement(s.ObjectPlacement)[2][3]) * unit_m)
        attr = _plausible(s.Elevation)
        attr = attr * unit_m if attr is not None else None
        if z is None and attr is None and (s.ObjectPlacement is not None or s.Elevation is not None):
            raise ModelUnreadable(f"storey #{s.id()} '{s.Name or ''}' stands at a non-finite or absurd elevation "
                                  "— fix the storey's placement and Elevation in the model")
        elevation = z if z is not None else (attr if attr is not None else 0.0)
        out.append(Storey(s.GlobalId, s.Name or s.LongName or "", elevation, attr, _building_above(s)))
    return sorted(out, key=lambda s: s.elevation_m)


def element_locations(f: ifcopenshell.file) -> dict[int, tuple[str | None, str | None]]:
    """Map element id -> (storey GlobalId, building GlobalId), following aggregates upwards."""
    cache: dict[int, tuple[str | None, str | None]] = {}
    ifc2x3 = f.schema == "IFC2X3"
    spatial = "IfcSpatialStructureElement" if ifc2x3 else "IfcSpatialElement"

    def locate(el) -> tuple[str | None, str | None]:
        key = el.id()
        if key in cache:
            return cache[key]
        cache[key] = (None, None)  # guards against cyclic decomposition in hostile files
        container = relations.container(el, ifc2x3)
        if container is None:
            parent = aggregate(el)
            if parent is not None and not parent.is_a(spatial):
                result = locate(parent)
            elif parent is not None:
                container = parent
                result = (None, None)
            else:
                result = (None, None)
        if container is not None:
            storey = container if container.is_a("IfcBuildingStorey") else None
            node = container
            while node is not None and not node.is_a("IfcBuildingStorey") and not node.is_a("IfcBuilding"):
                node = aggregate(node)
            if storey is None and node is not None and node.is_a("IfcBuildingStorey"):
                storey = node
            result = (storey.GlobalId if storey else None, _building_above(container))
        cache[key] = result
        return result

    for el in f.by_type("IfcElement"):
        locate(el)
    return cache
