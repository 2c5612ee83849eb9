"""A small 3D drawing in inline SVG: the building inside its envelope, seen from above the south-west.

No script and no network: triangles are projected once (axonometric, from the model's south-west at
30° above the horizon), back faces of the solids are dropped, and the rest are painted far to near.
The envelope is a translucent amber skin; the building is shaded grey-blue, its part outside the
envelope red; the context buildings round the parcel light grey.
"""

from __future__ import annotations

import numpy as np

ELEVATION_DEG = 30.0
_LIGHT = np.array([-0.35, -0.55, 0.76])


def _camera() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    el = np.radians(ELEVATION_DEG)
    toward = np.array([-np.cos(el) / np.sqrt(2), -np.cos(el) / np.sqrt(2), np.sin(el)])  # scene -> camera
    right = np.array([1.0, -1.0, 0.0]) / np.sqrt(2)
    up = np.cross(right, -toward)
    return toward, right, up


def _layer(tris, name: str, toward: np.ndarray, cull: bool, longest: float):
    t = np.asarray(tris, dtype=float).reshape(-1, 3, 3)
    if len(t) == 0:
        return []
    n = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
    norm = np.linalg.norm(n, axis=1)
    keep = norm > 1e-9
    t, n = t[keep], n[keep] / norm[keep, None]
    if cull:
        facing = n @ toward > 1e-6
        t, n = t[facing], n[facing]
    if name == "envelope":  # translucent and drawn without edges: no need to split it
        return [(name, tri, nn) for tri, nn in zip(t, n)]
    out = []
    for tri, nn in zip(t, n):
        out += [(name, piece, nn) for piece in _subdivide(tri[None], longest, 64)]
    return out


def _creases(tris) -> np.ndarray:
    """Edges where the envelope's faces meet at an angle: its outline, without the triangulation."""
    t = np.asarray(tris, dtype=float).reshape(-1, 3, 3)
    if len(t) == 0:
        return np.empty((0, 2, 3))
    n = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
    n = n / np.maximum(np.linalg.norm(n, axis=1), 1e-12)[:, None]
    faces_of: dict[tuple, list[int]] = {}
    for i, tri in enumerate(np.round(t, 4)):
        for a, b in ((0, 1), (1, 2), (2, 0)):
            key = tuple(sorted((tuple(tri[a]), tuple(tri[b]))))
            faces_of.setdefault(key, []).append(i)
    edges = [k for k, fs in faces_of.items() if len(fs) != 2 or float(n[fs[0]] @ n[fs[1]]) < 0.999]
    return np.array(edges, dtype=float).reshape(-1, 2, 3)


def _subdivide(t: np.ndarray, longest: float, budget: int) -> np.ndarray:
    """Split big triangles in four until none is longer than `longest`: painting by depth needs small ones."""
    while len(t) < budget:
        edge = np.max(np.linalg.norm(t - np.roll(t, 1, axis=1), axis=2), axis=1)
        big = edge > longest
        if not big.any() or len(t) + 3 * int(big.sum()) > budget:
            break
        a, b, c = t[big, 0], t[big, 1], t[big, 2]
        ab, bc, ca = (a + b) / 2, (b + c) / 2, (c + a) / 2
        split = np.concatenate([np.stack(x, axis=1) for x in ((a, ab, ca), (ab, b, bc), (ca, bc, c), (ab, bc, ca))])
        t = np.concatenate([t[~big], split])
    return t


def _shade(base: tuple[int, int, int], normal: np.ndarray) -> str:
    k = 0.55 + 0.45 * abs(float(normal @ (_LIGHT / np.linalg.norm(_LIGHT))))
    return "#%02x%02x%02x" % tuple(int(min(255, c * k)) for c in base)


STYLE = {
    "context": lambda n: f'fill="{_shade((214, 218, 223), n)}" stroke="#9aa3ad" stroke-width="0.4"',
    "envelope": lambda n: 'fill="#f2b84b" fill-opacity="0.14"',
    "building": lambda n: f'fill="{_shade((150, 170, 192), n)}" stroke="{_shade((150, 170, 192), n)}" stroke-width="0.4"',
    "outside": lambda n: f'fill="{_shade((214, 48, 39), n)}" stroke="{_shade((214, 48, 39), n)}" stroke-width="0.4"',
}


def render(view: dict, width: float = 900, max_height: float = 560, pad: float = 20) -> str:
    """Inline SVG of the view3d triangles a finding carries ('' when there is nothing to draw)."""
    toward, right, up = _camera()
    every = [np.asarray(view.get(k) or [], dtype=float).reshape(-1, 3)
             for k in ("envelope", "building", "outside", "context")]
    every = np.concatenate(every)
    if len(every) == 0:
        return ""
    longest = float(np.linalg.norm(every.max(axis=0) - every.min(axis=0))) / 12
    items = (_layer(view.get("context", []), "context", toward, True, longest)
             + _layer(view.get("envelope", []), "envelope", toward, False, longest)
             + _layer(view.get("building", []), "building", toward, True, longest)
             + _layer(view.get("outside", []), "outside", toward, True, longest))
    if not items:
        return ""
    pts = np.array([tri for _, tri, _ in items])  # (k, 3, 3)
    sx, sy = pts @ right, pts @ up
    minx, maxx, miny, maxy = sx.min(), sx.max(), sy.min(), sy.max()
    scale = min((width - 2 * pad) / max(maxx - minx, 1e-6), (max_height - 2 * pad) / max(maxy - miny, 1e-6))
    height = (maxy - miny) * scale + 2 * pad
    depth = pts.mean(axis=1) @ toward  # larger: nearer the camera
    # outside parts are drawn after the building where they coincide, so they stay visible
    rank = np.array([{"context": 0, "envelope": 1, "building": 2, "outside": 3}[name] for name, _, _ in items])
    order = np.lexsort((rank, np.round(depth, 3)))
    polys = []
    for k in order:
        name, _, n = items[k]
        xs = pad + (sx[k] - minx) * scale
        ys = pad + (maxy - sy[k]) * scale
        p = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
        polys.append(f'<polygon class="v-{name}" points="{p}" {STYLE[name](n)}/>')
    for a, b in _creases(view.get("envelope", [])):
        (xa, xb), (ya, yb) = (np.array([a, b]) @ right - minx) * scale + pad, (maxy - np.array([a, b]) @ up) * scale + pad
        polys.append(f'<line x1="{xa:.1f}" y1="{ya:.1f}" x2="{xb:.1f}" y2="{yb:.1f}" stroke="#a86f00" '
                     'stroke-opacity="0.7" stroke-width="1"/>')
    return (f'<svg viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="3D view of the building in its '
            f'envelope">{"".join(polys)}</svg>')
