"""The site's context buildings as blocks: each footprint extruded from its ground to its top, in
the model's coordinates — what casts shadow beside the building (sunlight_hours) and what the 3D
view draws round it (envelope)."""

from __future__ import annotations

import numpy as np
from shapely.geometry import Polygon

from permitcheck.checks.context import CheckContext


def prism(poly: Polygon, z0: float, z1: float) -> tuple[np.ndarray, np.ndarray]:
    """(vertices, faces) of a footprint extruded from z0 to z1."""
    import trimesh

    m = trimesh.creation.extrude_polygon(poly, z1 - z0)
    return np.asarray(m.vertices) + [0.0, 0.0, z0], np.asarray(m.faces)


def context_blocks(ctx: CheckContext) -> list[tuple[str, Polygon, float, float]]:
    """(id, footprint part, ground z, top z) of each context building, in model coordinates: heights
    above the model's ground, or its elevations shifted by the parcel's ground when both are stated."""
    ground = ctx.facts.ground_elevation_m
    shift = None if ctx.site.parcel_ground_elevation is None else ground - ctx.site.parcel_ground_elevation
    out = []
    for i, f in enumerate(ctx.site.features):
        if f.role != "building":
            continue
        p = f.properties
        height, g, top = p.get("height"), p.get("ground_elevation"), p.get("top_elevation")
        if shift is not None and isinstance(g, (int, float)) and isinstance(top, (int, float)):
            z0, z1 = g + shift, top + shift
        elif isinstance(height, (int, float)) and height > 0:
            z0, z1 = ground, ground + height
        else:
            continue
        for k, part in enumerate(getattr(f.geometry, "geoms", [f.geometry])):
            if isinstance(part, Polygon) and part.area > 0 and z1 > z0:
                out.append((f"{p.get('id', f'building {i}')}" + (f"/{k}" if k else ""), part, z0, z1))
    return out
