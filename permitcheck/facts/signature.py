"""An element's geometry signature: what an exporter keeps when it regenerates the GlobalIds.

Some exporters write new GlobalIds on every export, so a resubmission that changed nothing looks
as if every element were replaced. The signature is the element's IFC class and name, its bounding
box in world metres and its surface area: a renumbered element keeps all four, a moved or reshaped
one does not. `permitcheck diff` matches elements by GlobalId first and by signature for the rest.
"""

from __future__ import annotations

import numpy as np

DECIMALS = 3  # millimetres: coordinates as exported survive a re-export unchanged at this precision


def element_signature(ifc_class: str, name: str, vertices: np.ndarray, faces: np.ndarray) -> dict:
    """{ifc_class, name, bbox_model: [minx, miny, minz, maxx, maxy, maxz], area_m2} of one element."""
    v = np.asarray(vertices, dtype=float).reshape(-1, 3)
    f = np.asarray(faces, dtype=int).reshape(-1, 3)
    if len(v) == 0:
        bbox, area = None, 0.0
    else:
        bbox = [round(float(x), DECIMALS) for x in (*v.min(axis=0), *v.max(axis=0))]
        area = 0.0
        if len(f):
            tri = v[f]
            area = float(np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1).sum() / 2)
    return {"ifc_class": ifc_class, "name": name, "bbox_model": bbox, "area_m2": round(area, 2)}
