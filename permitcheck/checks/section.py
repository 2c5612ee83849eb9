"""A building's silhouette across a parcel edge: the geometry a section drawing needs.

Every triangle above ground is projected on the vertical plane through the edge's normal:
horizontal = distance inward from the edge's line (metres), vertical = height above ground.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely

from permitcheck.facts.footprint import ABOVE_TOLERANCE
from permitcheck.facts.mesh import closed_mesh
from permitcheck.facts.projection import (clip_above, closed_outline, face_components, merge_triangles, parallel_map,
                                         plan_polygons, union)
from permitcheck.model.types import ElementMesh
from permitcheck.site.types import Edge

if TYPE_CHECKING:
    from permitcheck.checks.regions import Strip


def silhouette(meshes: tuple[ElementMesh, ...], ground: float, edge: Edge, strip: "Strip | None" = None):
    """Horizontal: distance from the edge's line, or from a strip's base line along its direction."""
    (ax, ay), _ = edge.line.coords
    inward = -np.asarray(edge.outward)

    def project(m: ElementMesh):
        v, f, is_open = closed_mesh(m, np.zeros(3))
        if len(f) == 0:
            return None
        low = float(v[:, 2].min()) if len(v) else 0.0
        if not is_open and low >= ground + ABOVE_TOLERANCE:  # whole and above ground: by components
            tri = v[f]
            d = strip.distance(tri) if strip is not None else (tri[:, :, :2] - np.array([ax, ay])) @ inward
            out = closed_outline(np.stack([d, tri[:, :, 2] - ground], axis=2), face_components(f, len(v)))
            return None if out.is_empty else out
        pieces = clip_above(v[f], ground + ABOVE_TOLERANCE)
        if not pieces:
            return None
        tri = np.concatenate(pieces)  # one merge per element, not per clipped piece
        d = strip.distance(tri) if strip is not None else (tri[:, :, :2] - np.array([ax, ay])) @ inward
        h = tri[:, :, 2] - ground
        flat = np.stack([d, h, np.zeros_like(h)], axis=2)
        if not is_open:  # a closed solid's faces turned one way cover its projection (the cut at the
            a, b = flat[:, 1, :2] - flat[:, 0, :2], flat[:, 2, :2] - flat[:, 0, :2]  # ground projects flat)
            flat = flat[a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0] > 0]
        polys = plan_polygons(flat)
        return merge_triangles(polys) if len(polys) else None

    parts = [p for p in parallel_map(project, list(meshes)) if p is not None]  # merging releases the GIL
    return shapely.simplify(union(parts), 0.01)
