"""Sun on a facade: the hours a point on a wall sees the sun, with and without the building.

A receptor is a point on a wall and the wall's outward normal. At each step it is in the sun when
the sun stands in front of its wall (above the horizon, on the wall's side) and no caster's
shadow on the horizontal plane through the point covers it: the same sheared plans that give the
shadow on the ground (sun.shadow), cast on the receptor's own height. The receptor sits 5 cm in
front of its wall so its own building's edge does not shade it. Counted: the longest run of steps
in the sun (continuous hours) in one window and all the steps in the sun (total hours) in another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from permitcheck.sun.position import SunPosition
from permitcheck.sun.shadow import Casters, decompose, model_direction

OFFSET_M = 0.05


@dataclass(frozen=True)
class Receptor:
    key: str  # what it is: a window's GlobalId, a context building's id and its wall
    point: tuple[float, float, float]  # model coordinates, on the wall
    normal: tuple[float, float]  # the wall's outward normal, unit, model plan
    exclude: int | None = None  # the caster it stands on (its own building), which never shades it


def lit(receptors: list[Receptor], casters, path: list[SunPosition], true_north: tuple[float, float]) -> np.ndarray:
    """(receptors, steps) booleans: in the sun at each step. `casters` are (vertices, faces) meshes.

    Per receptor height, only the casters' pieces whose shadow comes near one of its receptors at
    some step of the day are kept, and at each step only those whose shadow's box holds one of the
    receptors looked at are cast (sun.shadow's boxes: never a false no); closed parts keep only the
    faces that turn to the sun at some step: the answer is that of every piece."""
    from permitcheck.sun.shadow import any_inside

    out = np.zeros((len(receptors), len(path)), dtype=bool)
    if not receptors:
        return out
    pts = np.array([[r.point[0] + r.normal[0] * OFFSET_M, r.point[1] + r.normal[1] * OFFSET_M, r.point[2]]
                    for r in receptors])
    normals = np.array([r.normal for r in receptors])
    levels = np.round(pts[:, 2], 1)  # one plane per receptor height (10 cm)
    own = np.array([-1 if r.exclude is None else r.exclude for r in receptors])
    directions = [np.array(model_direction(sun, true_north)) for sun in path]
    up = [j for j, d in enumerate(directions) if d[2] > 0]
    if not up:
        return out
    shear = np.array([directions[j][:2] / directions[j][2] for j in up])
    planes = {}
    days = [tuple(directions[j]) for j in up]
    parts = decompose(casters, days) if casters else []
    for z in np.unique(levels):
        if not casters:
            break
        c = Casters(casters, float(z), days, parts)
        xy = pts[levels == z, :2]
        planes[float(z)] = c.subset(np.flatnonzero(any_inside(c.swept_boxes(shear), xy, cells=max(64, 4 * len(xy)))))
    for k, j in enumerate(up):
        d = directions[j]
        facing = normals @ d[:2] > 1e-9
        for z in np.unique(levels[facing]):
            at = np.flatnonzero(facing & (levels == z))
            shaded = np.zeros(len(at), dtype=bool)
            c = planes.get(float(z))
            if c is not None and len(c):
                # this step's pieces whose shadow's box holds one of these receptors: the others shade none
                which = np.flatnonzero(any_inside(c.swept_boxes(shear[k:k + 1]), pts[at, :2], cells=max(64, 4 * len(at))))
                geoms, ok = c.pieces(tuple(d), which)
                geoms, owners = geoms[ok], c.owner[which][ok]
                tree = shapely.STRtree(geoms)
                hits = tree.query(shapely.points(pts[at, :2]), predicate="intersects")  # (receptor, shadow) pairs
                keep = owners[hits[1]] != own[at][hits[0]]  # its own building never shades it
                shaded[np.unique(hits[0][keep])] = True
            out[at, j] = ~shaded
    return out


def hours(lit_steps: np.ndarray, path: list[SunPosition], window: tuple[float, float],
          step_h: float) -> tuple[np.ndarray, np.ndarray]:
    """(continuous, total) hours of sun of each receptor within `window` (true solar hours): a run of
    n steps in the sun counts n - 1 steps (its first and last mark its ends); total counts each step
    as the time round it."""
    hrs = np.array([p.hour for p in path])
    inside = (hrs >= window[0] - 1e-9) & (hrs <= window[1] + 1e-9)
    sub = lit_steps[:, inside]
    total = sub.sum(axis=1) * step_h
    if sub.shape[1]:  # the window's two ends stand for half a step each
        total -= (sub[:, 0].astype(float) + sub[:, -1].astype(float)) * step_h / 2
    best = np.zeros(len(sub))
    run = np.zeros(len(sub))
    for k in range(sub.shape[1]):
        run = np.where(sub[:, k], run + 1, 0)
        best = np.maximum(best, run)
    continuous = np.maximum(best - 1, 0) * step_h
    return continuous, np.maximum(total, 0.0)
