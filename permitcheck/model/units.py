"""Project length unit to metres."""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.util.unit


def length_unit_m(f: ifcopenshell.file) -> tuple[float, str | None]:
    """Metres per project length unit, and a warning when the file declares none."""
    projects = f.by_type("IfcProject")
    assignment = projects[0].UnitsInContext if projects else None
    declared = assignment and any(
        getattr(u, "UnitType", None) == "LENGTHUNIT" for u in assignment.Units
    )
    scale = ifcopenshell.util.unit.calculate_unit_scale(f)
    if not declared:
        return scale, "no length unit declared in the model; assuming metres"
    return scale, None
