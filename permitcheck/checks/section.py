"""A building's silhouette across a parcel edge: the geometry a section drawing needs.

Every triangle above ground is projected on the vertical plane through the edge's normal:
horizontal = distance inward from the edge's line (metres), vertical = height above ground.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely

from permitcheck.facts.footprint import ABOVE_TOLERANCE
from permitcheck.facts.projection import clip_above, merge_triangles, plan_polygons, union
from permitcheck.model.types import ElementMesh
from permitcheck.site.types import Edge

if TYPE_CHECKING:
    from permitcheck.checks.regions import Strip


def silhouette(meshes: tuple[ElementMesh, ...], ground: float, edge: Edge, strip: "Strip | None" = None):
    """Horizontal: distance from the edge's line, or from a strip's base line along its direction."""
    (ax, ay), _ = edge.line.coords
    inward = -np.asarray(edge.outward)
    parts = []
    for m in meshes:
        for tri in clip_above(m.vertices[m.faces], ground + ABOVE_TOLERANCE):
            d = strip.distance(tri) if strip is not None else (tri[:, :, :2] - np.array([ax, ay])) @ inward
            h = tri[:, :, 2] - ground
            polys = plan_polygons(np.stack([d, h, np.zeros_like(h)], axis=2))
            if len(polys):
                parts.append(merge_triangles(polys))
    return shapely.simplify(union(parts), 0.01)
