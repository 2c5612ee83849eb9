"""The shadow a building casts on a horizontal plane, and how long it stays at each point.

A solid's shadow on the plane z = h, cast by a sun in direction s (towards the sun), is its part
above h sheared by (x, y, z) -> (x - (z-h) s_x/s_z, y - (z-h) s_y/s_z) and seen from above: a
shear keeps a closed part closed and a convex part convex, so the plans of facts.projection —
parts, hulls, merged faces, on open meshes as exported — give each element's shadow with no
volume boolean. The shadow hours at a point are the hours of the steps whose shadow covers it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.projection import plans_above, union
from permitcheck.sun.position import SunPosition

MAX_POINTS = 400_000  # grid points a shadow-hour map may take (a 316 m square at 0.5 m)


def model_direction(sun: SunPosition, true_north: tuple[float, float]) -> tuple[float, float, float]:
    """The sun's unit vector in model coordinates, given true north there (a unit vector)."""
    tx, ty = true_north
    east, north, up = sun.vector
    return (east * ty + north * tx, -east * tx + north * ty, up)


def element_shadows(meshes, plane_z: float, direction: tuple[float, float, float]) -> list[BaseGeometry | None]:
    """Each element's shadow on the plane z = plane_z (None: it casts none there)."""
    dx, dy, up = direction
    if up <= 0:
        raise ValueError("the sun is below the horizon")
    ax, ay = dx / up, dy / up
    sheared = []
    for v, f in meshes:
        v = np.asarray(v, dtype=np.float64)
        lift = v[:, 2] - plane_z
        sheared.append((np.column_stack([v[:, 0] - lift * ax, v[:, 1] - lift * ay, v[:, 2]]), f))
    return plans_above(sheared, plane_z)


@dataclass(frozen=True)
class ShadowDay:
    """The shadows of one day: per step, the whole shadow, its weight in hours, and per element."""

    hours: tuple[float, ...]  # true solar hour of each step
    weights: tuple[float, ...]  # hours each step stands for
    shadows: tuple[BaseGeometry, ...]  # the union at each step
    by_element: tuple[tuple[BaseGeometry | None, ...], ...]  # per step, per element

    def hours_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Shadow hours at each point (x, y)."""
        total = np.zeros(len(x))
        for shadow, w in zip(self.shadows, self.weights):
            if shadow is not None and not shadow.is_empty:
                shapely.prepare(shadow)
                total += w * shapely.contains_xy(shadow, x, y)
        return total

    def casters(self, x: float, y: float) -> list[tuple[int, float]]:
        """(element index, hours its own shadow covers the point), most first."""
        hours: dict[int, float] = {}
        for per, w in zip(self.by_element, self.weights):
            for i, s in enumerate(per):
                if s is not None and s.covers(shapely.Point(x, y)):
                    hours[i] = hours.get(i, 0.0) + w
        return sorted(hours.items(), key=lambda kv: -kv[1])

    @property
    def reach(self) -> BaseGeometry:
        """Everywhere the shadow falls at some time of the day."""
        return union([s for s in self.shadows if s is not None and not s.is_empty])


def shadow_day(meshes, plane_z: float, path: list[SunPosition], weights: list[float],
               true_north: tuple[float, float]) -> ShadowDay:
    shadows, by_element = [], []
    for sun in path:
        per = element_shadows(meshes, plane_z, model_direction(sun, true_north))
        by_element.append(tuple(per))
        shadows.append(union([s for s in per if s is not None and not s.is_empty]))
    return ShadowDay(tuple(p.hour for p in path), tuple(weights), tuple(shadows), tuple(by_element))


def grid(region: BaseGeometry, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every `spacing` metres (cell centres) inside a region; ValueError past MAX_POINTS."""
    if region.is_empty:
        return np.zeros(0), np.zeros(0)
    x0, y0, x1, y1 = region.bounds
    nx, ny = math.ceil((x1 - x0) / spacing), math.ceil((y1 - y0) / spacing)
    if nx * ny > MAX_POINTS:
        raise ValueError(f"{nx * ny} grid points at {spacing:g} m — a coarser grid is needed")
    xs, ys = np.meshgrid(x0 + (np.arange(nx) + 0.5) * spacing, y0 + (np.arange(ny) + 0.5) * spacing)
    xs, ys = xs.ravel(), ys.ravel()
    shapely.prepare(region)
    inside = shapely.contains_xy(region, xs, ys)
    return xs[inside], ys[inside]
