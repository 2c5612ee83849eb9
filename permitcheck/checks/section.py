"""A building's silhouette across a parcel edge: the geometry a section drawing needs.

Every triangle above ground is projected on the vertical plane through the edge's normal:
horizontal = distance inward from the edge's line (metres), vertical = height above ground.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely
import shapely.affinity

from permitcheck.facts.footprint import ABOVE_TOLERANCE
from permitcheck.facts.projection import outline_above, union
from permitcheck.model.types import ElementMesh
from permitcheck.site.types import Edge

if TYPE_CHECKING:
    from permitcheck.checks.regions import Strip


def direction(edge: Edge, strip: "Strip | None" = None) -> tuple[float, np.ndarray]:
    """(c, w) of the horizontal axis d = c + xy . w: distance inward from the edge's line, or from
    a strip's base line along its direction."""
    if strip is not None:  # d = k0 - xy . kv
        return float(strip.k0), -np.asarray(strip.kv, dtype=float)
    (ax, ay), _ = edge.line.coords
    inward = -np.asarray(edge.outward, dtype=float)
    return -float(np.dot([ax, ay], inward)), inward


def silhouette(meshes: tuple[ElementMesh, ...], ground: float, edge: Edge, strip: "Strip | None" = None):
    """Horizontal: distance from the edge's line, or from a strip's base line along its direction."""
    c, w = direction(edge, strip)
    return shapely.affinity.translate(along(meshes, ground, w), xoff=c)


def along(meshes: tuple[ElementMesh, ...], ground: float, w: np.ndarray):
    """The silhouette with horizontal axis xy . w: every section across parallel lines is this one
    moved sideways, so a check draws it once per direction."""
    across = np.array([-w[1], w[0]]) / (float(np.hypot(*w)) or 1.0)

    def section_coords(v: np.ndarray) -> np.ndarray:
        """(distance, height, position along the edge): an affine map, so a closed solid stays closed."""
        return np.column_stack([v[:, :2] @ w, v[:, 2] - ground, v[:, :2] @ across])

    # One batch, each element by its parts' hulls where they fill them, cut at the ground where it
    # stands below it; a part hidden behind those hulls is not merged (facts.projection.outline_above).
    parts = outline_above([(section_coords(np.asarray(m.vertices, dtype=float)), m.faces) for m in meshes],
                          ABOVE_TOLERANCE, axis=1)
    return shapely.simplify(union(parts), 0.01)
