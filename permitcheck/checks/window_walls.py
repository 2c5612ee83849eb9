"""Each window on the outer wall it is in, at its own height: where a facing distance or a window's
sun is measured from.

The wall is the outline of the building's footprint where the window is within `WALL_REACH_M` of
it (a face standing from the ground up), else the outline of its plan above the window's sill
(`CheckContext.plan_above`), so a window of a tower over a podium sits on the tower's face, not the
podium's. The nearest point of that outline is the window's place on it, and the side with no
building 0.3 m out is outside (`windows.facing_wall`). What the window faces is looked for in the
same plan: from a face standing from the ground up, a lower block counts too. A window that is not within reach of that outline (deep
under an overhang, an inner window) or on a wall open on both sides is left unplaced, by name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point

from permitcheck.checks.context import CheckContext
from permitcheck.checks.windows import WALL_REACH_M, facing_wall
from permitcheck.facts.projection import hairline
from permitcheck.model.types import Window

DAYLIGHT_M2 = 0.5  # 채광창: "창넓이가 0.5제곱미터 이상인 창" (건축법 시행령 §86③2라)


@dataclass(frozen=True)
class WindowWall:
    window: Window
    point: np.ndarray  # on the wall's outline (plan, model metres)
    tangent: np.ndarray
    normal: np.ndarray  # outward, unit
    level: float  # the sill (model z)
    plan: object  # the plan its wall is on: the footprint, or the plan above its sill (shapely)

    @property
    def daylight(self) -> bool:
        """A window for daylight: 0.5 m² or more, or of a size the model does not give."""
        w, h = self.window.width_m, self.window.height_m
        return w is None or h is None or w * h >= DAYLIGHT_M2


def window_walls(ctx: CheckContext, ground_up: bool = True) -> tuple[list[WindowWall], list[str]]:
    """(the windows placed on an outer wall, the GlobalIds of those that could not be); windows below
    ground level are left out when `ground_up` (an area well's window faces no neighbour). Measured
    once a run (`CheckContext.shared`)."""
    key = ("window_walls", ground_up)
    if key not in ctx.shared:
        ctx.shared[key] = _window_walls(ctx, ground_up)
    return ctx.shared[key]


def _window_walls(ctx: CheckContext, ground_up: bool) -> tuple[list[WindowWall], list[str]]:
    ground = ctx.facts.ground_elevation_m
    placed, unplaced = [], []
    footprint = ctx.facts.footprint
    for w in ctx.windows:
        x, y, z = w.point
        if ground_up and z + (w.height_m or 0.0) < ground:
            continue
        p = Point(x, y)
        wall = _on(footprint, p)  # on the outline of the whole plan: a face from the ground up
        plan = footprint
        if wall is None:  # over a podium, a lower wing or a setback: the plan above its sill
            plan = ctx.plan_above(z)
            wall = _on(plan, p)
        if wall is None:
            unplaced.append(w.global_id)
            continue
        q, t, n = wall
        placed.append(WindowWall(w, q, t, n, float(z), plan))
    return placed, unplaced


def _on(plan, p: Point):
    rings = [r for g in shapely.get_parts(plan) if g.geom_type == "Polygon" and not g.is_empty
             for r in [g.exterior, *(h for h in g.interiors if not hairline(h))]]  # a courtyard's walls too
    if not rings:
        return None
    outline = shapely.MultiLineString(rings)
    return facing_wall(outline, plan, p) if outline.distance(p) <= WALL_REACH_M else None
