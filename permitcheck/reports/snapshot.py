"""A PNG snapshot of a finding's 3D view, drawn in software: no display, no GPU, no network.

BCF viewers list a topic with its snapshot before the model is even loaded, so each topic carries
a picture of what fails as its viewpoint's camera sees it. The triangles are the ones a finding's
`details.view3d` carries (the envelope, the building inside it, the part outside it in red, the
context blocks); a finding without them is drawn from the result's plan data: the footprint and the
failing part raised to their heights in the parcel's prism. A z-buffer rasteriser in numpy draws the
opaque triangles, the envelope is blended over them translucent, and the image is written as an
8-bit RGB PNG with the standard library's zlib.
"""

from __future__ import annotations

import math
import struct
import zlib

import numpy as np

WIDTH, HEIGHT = 640, 480
BACKGROUND = (238, 241, 245)
COLOUR = {"context": (214, 218, 223), "building": (150, 170, 192), "outside": (214, 48, 39),
          "envelope": (242, 184, 75)}
ENVELOPE_ALPHA = 0.22
_LIGHT = np.array([-0.35, -0.55, 0.76]) / np.linalg.norm([-0.35, -0.55, 0.76])
_NEAR = 0.1  # metres in front of the camera: triangles reaching behind it are left out


def png(rgb: np.ndarray) -> bytes:
    """An (h, w, 3) uint8 image as PNG bytes (colour type 2, no interlace, filter 0 on every row)."""
    h, w, _ = rgb.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def _project(points: np.ndarray, position, target, fov_deg: float, width: int, height: int):
    """Screen x, y (pixels) and depth along the view (metres) of each point, for a perspective camera."""
    eye, look = np.asarray(position, float), np.asarray(target, float)
    forward = look - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    if np.linalg.norm(right) < 1e-9:  # looking straight down: any right will do
        right = np.array([1.0, 0.0, 0.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    d = points - eye
    z = d @ forward
    focal = (height / 2) / math.tan(math.radians(fov_deg) / 2)
    safe = np.where(z > _NEAR, z, _NEAR)
    return width / 2 + (d @ right) / safe * focal, height / 2 - (d @ up) / safe * focal, z


def _shade(base, normals: np.ndarray) -> np.ndarray:
    k = 0.55 + 0.45 * np.abs(normals @ _LIGHT)
    return np.clip(np.asarray(base, float)[None, :] * k[:, None], 0, 255)


def _triangles(view: dict, name: str) -> np.ndarray:
    t = np.asarray(view.get(name) or [], dtype=float).reshape(-1, 3, 3)
    return t[np.isfinite(t).all(axis=(1, 2))]


def render(view: dict, position, target, fov_deg: float = 60.0, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """The (height, width, 3) uint8 picture of `view`'s triangles seen from `position` towards `target`."""
    image = np.empty((height, width, 3), float)
    image[:] = BACKGROUND
    inv_depth = np.zeros((height, width))  # 1 / depth of what is drawn: 0 is infinitely far
    layers = [(name, _triangles(view, name)) for name in ("context", "building", "outside", "envelope")]
    for name, tris in layers:
        if len(tris) == 0:
            continue
        n = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
        norm = np.linalg.norm(n, axis=1)
        keep = norm > 1e-12
        tris, n = tris[keep], n[keep] / norm[keep, None]
        colours = _shade(COLOUR[name], n)
        sx, sy, z = _project(tris.reshape(-1, 3), position, target, fov_deg, width, height)
        sx, sy, z = sx.reshape(-1, 3), sy.reshape(-1, 3), z.reshape(-1, 3)
        front = (z > _NEAR).all(axis=1)
        box = (np.ptp(sx, axis=1) + 2) * (np.ptp(sy, axis=1) + 2)
        small = front & (box <= SMALL_PX) if name != "envelope" else np.zeros(len(z), dtype=bool)
        if small.any():  # the many small ones in one pass (a steel frame's 4,000: 0.2 s one by one)
            _fill_many(image, inv_depth, sx[small], sy[small], 1.0 / z[small], colours[small])
        for i in np.flatnonzero(front & ~small):
            _fill(image, inv_depth, sx[i], sy[i], 1.0 / z[i], colours[i], translucent=name == "envelope")
    return np.clip(image, 0, 255).astype(np.uint8)


SMALL_PX = 400  # a triangle whose box on the screen holds at most this many pixels is drawn with the others


def _fill_many(image, inv_depth, xs, ys, iz, colours) -> None:
    """Opaque triangles into the image at once: at each pixel the nearest of them (the last of equal
    depth), where it is in front of what is drawn. Drawn in turn, a later one within 1e-6 of the
    depth would win instead: a pixel may differ where two faces nearly coincide."""
    h, w = inv_depth.shape
    x0, x1 = np.floor(xs.min(axis=1)).astype(np.int64), np.ceil(xs.max(axis=1)).astype(np.int64)
    y0, y1 = np.floor(ys.min(axis=1)).astype(np.int64), np.ceil(ys.max(axis=1)).astype(np.int64)
    area = (xs[:, 1] - xs[:, 0]) * (ys[:, 2] - ys[:, 0]) - (xs[:, 2] - xs[:, 0]) * (ys[:, 1] - ys[:, 0])
    keep = np.abs(area) >= 1e-9
    count = (x1 - x0 + 1) * (y1 - y0 + 1) * keep
    tri = np.repeat(np.arange(len(xs)), count)  # each triangle's box, pixel by pixel
    k = np.arange(len(tri)) - np.repeat(np.cumsum(count) - count, count)
    span = (x1 - x0 + 1)[tri]
    px, py = x0[tri] + k % span, y0[tri] + k // span
    on = (px >= 0) & (px < w) & (py >= 0) & (py < h)
    tri, px, py = tri[on], px[on], py[on]
    X, Y, a = px + 0.5, py + 0.5, area[tri]
    w0 = ((xs[tri, 1] - X) * (ys[tri, 2] - Y) - (xs[tri, 2] - X) * (ys[tri, 1] - Y)) / a
    w1 = ((xs[tri, 2] - X) * (ys[tri, 0] - Y) - (xs[tri, 0] - X) * (ys[tri, 2] - Y)) / a
    w2 = 1.0 - w0 - w1
    inside = (w0 >= -1e-9) & (w1 >= -1e-9) & (w2 >= -1e-9)
    depth = (w0 * iz[tri, 0] + w1 * iz[tri, 1] + w2 * iz[tri, 2])[inside]
    tri, pixel = tri[inside], (py * w + px)[inside]
    if len(pixel) == 0:  # all off the screen, or between pixel centres
        return
    order = np.lexsort((tri, depth, pixel))
    last = order[np.r_[pixel[order][1:] != pixel[order][:-1], True]]  # per pixel: the deepest 1/z, the last of it
    flat_depth, flat_image = inv_depth.reshape(-1), image.reshape(-1, 3)
    ahead = last[depth[last] >= flat_depth[pixel[last]] * (1 - 1e-6)]
    flat_depth[pixel[ahead]] = depth[ahead]
    flat_image[pixel[ahead]] = colours[tri[ahead]]


def _fill(image, inv_depth, xs, ys, iz, colour, translucent: bool) -> None:
    """One triangle into the image: opaque with a depth test and write, or blended where it is in front."""
    h, w = inv_depth.shape
    x0, x1 = max(int(math.floor(xs.min())), 0), min(int(math.ceil(xs.max())), w - 1)
    y0, y1 = max(int(math.floor(ys.min())), 0), min(int(math.ceil(ys.max())), h - 1)
    if x0 > x1 or y0 > y1:
        return
    area = (xs[1] - xs[0]) * (ys[2] - ys[0]) - (xs[2] - xs[0]) * (ys[1] - ys[0])
    if abs(area) < 1e-9:
        return
    px = (np.arange(x0, x1 + 1) + 0.5)[None, :]  # a row and a column, broadcast: the same sums as a grid, fewer
    py = (np.arange(y0, y1 + 1) + 0.5)[:, None]
    w0 = ((xs[1] - px) * (ys[2] - py) - (xs[2] - px) * (ys[1] - py)) / area
    w1 = ((xs[2] - px) * (ys[0] - py) - (xs[0] - px) * (ys[2] - py)) / area
    w2 = 1.0 - w0 - w1
    inside = (w0 >= -1e-9) & (w1 >= -1e-9) & (w2 >= -1e-9)
    if not inside.any():
        return
    depth = w0 * iz[0] + w1 * iz[1] + w2 * iz[2]  # 1/z is linear on the screen
    region = inv_depth[y0:y1 + 1, x0:x1 + 1]
    front = inside & (depth >= region * (1 - 1e-6))
    target = image[y0:y1 + 1, x0:x1 + 1]
    if translucent:
        target[front] = target[front] * (1 - ENVELOPE_ALPHA) + colour * ENVELOPE_ALPHA
    else:
        target[front] = colour
        region[front] = depth[front]


def _rings(geom: dict | None) -> list[list]:
    """The polygons of a GeoJSON Polygon or MultiPolygon (each a list of rings)."""
    if not geom:
        return []
    if geom.get("type") == "Polygon":
        return [geom["coordinates"]]
    if geom.get("type") == "MultiPolygon":
        return list(geom["coordinates"])
    if geom.get("type") == "GeometryCollection":
        return [p for g in geom.get("geometries") or () for p in _rings(g)]
    return []


def prism(geom: dict | None, z0: float, z1: float) -> list:
    """Triangles of a plan polygon raised from z0 to z1: its walls, floor and top."""
    import shapely
    from shapely.geometry import shape

    out: list = []
    if z1 <= z0:
        return out
    for rings in _rings(geom):
        for ring in rings:
            for (ax, ay, *_), (bx, by, *_) in zip(ring, ring[1:]):
                out += [[[ax, ay, z0], [bx, by, z0], [bx, by, z1]], [[ax, ay, z0], [bx, by, z1], [ax, ay, z1]]]
        poly = shape({"type": "Polygon", "coordinates": rings})
        if poly.is_empty or not poly.is_valid:
            continue
        for tri in shapely.get_parts(shapely.constrained_delaunay_triangles(poly)):
            (ax, ay), (bx, by), (cx, cy) = list(tri.exterior.coords)[:3]
            out += [[[ax, ay, z], [bx, by, z], [cx, cy, z]] for z in (z0, z1)]
    return out


def plan_view(result: dict, finding: dict) -> dict:
    """A 3D view from plan data, for a finding that carries none: the parcel's prism as the envelope, the
    footprint raised to the building's height, and the failing part raised to the height of its worst part."""
    facts, site = result.get("facts") or {}, result.get("site") or {}
    d = finding.get("details") or {}
    ground = float(facts.get("ground_elevation_m") or 0.0)
    height = float(facts.get("height_m") or 0.0)
    part = float(d.get("height_of_worst_part_m") or height)
    return {"envelope": prism(site.get("parcel_model"), ground, ground + max(height, 1.0) * 1.25),
            "building": prism(facts.get("footprint_model"), ground, ground + height),
            "outside": prism(finding.get("where_model"), ground, ground + part), "ground": ground}


def snapshot_png(view: dict, position, target, fov_deg: float = 60.0) -> bytes:
    return png(render(view, position, target, fov_deg))
