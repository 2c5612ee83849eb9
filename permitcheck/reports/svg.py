"""Small SVG drawing helpers: a world-to-page transform and GeoJSON geometry as SVG paths."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Frame:
    """Maps world (x right, y up, metres) to page pixels (y down) with a uniform scale."""

    minx: float
    miny: float
    maxx: float
    maxy: float
    width: float
    height: float
    pad: float = 40.0

    @classmethod
    def fit(cls, bounds, width: float, max_height: float, pad: float = 40.0) -> "Frame":
        minx, miny, maxx, maxy = bounds
        w, h = max(maxx - minx, 1e-6), max(maxy - miny, 1e-6)
        s = min((width - 2 * pad) / w, (max_height - 2 * pad) / h)
        return cls(minx, miny, maxx, maxy, width, h * s + 2 * pad, pad)

    @property
    def scale(self) -> float:
        return (self.width - 2 * self.pad) / max(self.maxx - self.minx, 1e-6) if \
            (self.width - 2 * self.pad) / max(self.maxx - self.minx, 1e-6) * (self.maxy - self.miny) <= \
            self.height - 2 * self.pad + 1e-6 else (self.height - 2 * self.pad) / max(self.maxy - self.miny, 1e-6)

    def xy(self, x: float, y: float) -> tuple[float, float]:
        s = self.scale
        return self.pad + (x - self.minx) * s, self.pad + (self.maxy - y) * s


def _rings(geom: dict):
    t, c = geom["type"], geom["coordinates"]
    if t == "Polygon":
        yield from c
    elif t == "MultiPolygon":
        for poly in c:
            yield from poly
    elif t == "LineString":
        yield c
    elif t == "MultiLineString":
        yield from c


def path(geom: dict | None, frame: Frame, cls: str, closed: bool = True) -> str:
    if not geom:
        return ""
    d = []
    for ring in _rings(geom):
        pts = [frame.xy(x, y) for x, y in ring]
        if pts:
            d.append("M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in pts) + (" Z" if closed else ""))
    if not d:
        return ""
    return f'<path class="{escape(cls)}" fill-rule="evenodd" d="{" ".join(d)}"/>'


def text(x: float, y: float, s: str, cls: str = "label", anchor: str = "middle", halo: bool = False) -> str:
    """A label; `halo` lays a white outline copy under it (paint-order is not honoured everywhere)."""
    def one(classes: str, extra: str = "") -> str:
        return f'<text class="{classes}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(s)}</text>'

    return (one(f"{cls} halo", ' aria-hidden="true"') if halo else "") + one(cls)


def nice_length(target: float) -> float:
    """1, 2 or 5 times a power of ten, near `target`."""
    if target <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(target))
    return min((m * p for m in (1, 2, 5, 10)), key=lambda v: abs(v - target))


def bounds_of(geoms) -> tuple[float, float, float, float] | None:
    xs, ys = [], []
    for g in geoms:
        if not g:
            continue
        for ring in _rings(g):
            for x, y in ring:
                xs.append(x)
                ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None
