"""Windows from their placements, without triangulating them (see permitcheck.model.geometry).

A daylight rule (Korea, 건축법 시행령 §86③1) measures from the walls that hold windows. An
IfcWindow's ObjectPlacement and its OverallWidth and OverallHeight place it well enough: the
wall is found later as the building outline nearest to it. Exporters put the placement at a
corner (ArchiCAD) or the middle (Revit) of the window's bottom edge, so the point may be off along
the wall by up to the window's width: the rule searches that far around it.
"""

from __future__ import annotations

import math

import ifcopenshell
import ifcopenshell.util.placement
import numpy as np

from permitcheck.model.types import Window

MAX_WINDOWS = 20000  # more than any building has: a file with more is measured on the first ones


def _size(value, unit_m: float) -> float | None:
    try:
        x = float(value) * unit_m
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) and 0 < x < 100 else None


def windows_of(f: ifcopenshell.file, unit_m: float) -> list[Window]:
    out = []
    for el in f.by_type("IfcWindow")[:MAX_WINDOWS]:
        if el.ObjectPlacement is None:
            continue
        try:
            m = np.asarray(ifcopenshell.util.placement.get_local_placement(el.ObjectPlacement), dtype=float)
        except (RuntimeError, ValueError, TypeError, AttributeError, IndexError):
            continue
        if m.shape != (4, 4) or not np.all(np.isfinite(m)):
            continue
        origin = m[:3, 3] * unit_m
        width = _size(getattr(el, "OverallWidth", None), unit_m)
        height = _size(getattr(el, "OverallHeight", None), unit_m)
        point = origin
        if not np.all(np.isfinite(point)) or np.abs(point).max() > 1e7:
            continue
        out.append(Window(el.GlobalId, el.Name or "", tuple(float(v) for v in point), width, height))
    return out

