"""Project length unit to metres."""

from __future__ import annotations

import math

import ifcopenshell
import ifcopenshell.util.unit

from permitcheck.errors import ModelUnreadable


# A project length unit outside these is not one a building is drawn in (a micrometre, a kilometre).
PLAUSIBLE_UNIT_M = (1e-4, 1e3)


def length_unit_m(f: ifcopenshell.file, path: str = "the model") -> tuple[float, str | None]:
    """Metres per project length unit, and a warning when the file declares none.

    A unit that is not a length (an IfcSIUnit named SECOND), a conversion factor of zero, or a unit
    no building is drawn in is refused: every figure would be read wrongly.
    """
    projects = f.by_type("IfcProject")
    assignment = projects[0].UnitsInContext if projects else None
    units = [u for u in (getattr(assignment, "Units", None) or ()) if getattr(u, "UnitType", None) == "LENGTHUNIT"]
    for u in units:
        if u.is_a("IfcSIUnit") and u.Name not in ("METRE", "METER"):
            raise ModelUnreadable(f"{path}: the project's length unit is an IfcSIUnit named {u.Name}, not METRE — "
                                  "export the model with a length unit (metre, millimetre, foot)")
    try:
        scale = float(ifcopenshell.util.unit.calculate_unit_scale(f))
    except (AttributeError, TypeError, ValueError, ZeroDivisionError, KeyError) as e:
        raise ModelUnreadable(f"{path}: the project's length unit cannot be read ({type(e).__name__}) — export the "
                              "model with a length unit (metre, millimetre, foot)") from None
    if not (math.isfinite(scale) and PLAUSIBLE_UNIT_M[0] <= scale <= PLAUSIBLE_UNIT_M[1]):
        raise ModelUnreadable(f"{path}: the project's length unit is {scale:g} m — no building is drawn in that "
                              "unit; fix the unit's conversion factor or prefix")
    if not units:
        return scale, "no length unit declared in the model; assuming metres"
    return scale, None
