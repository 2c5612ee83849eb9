"""GeoJSON geometry dicts from shapely, rounded to 0.1 mm, for every serialised result."""

from __future__ import annotations

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

DIGITS = 4


def geojson(geom: BaseGeometry) -> dict:
    """GeoJSON geometry; a mixed collection (a polygon touching a line) keeps its polygonal parts."""
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts) if parts else shapely.Polygon()
    geom = shapely.set_precision(geom, 10 ** -DIGITS) if not geom.is_empty else geom

    def lists(x):
        return [lists(i) for i in x] if isinstance(x, (list, tuple)) else round(float(x), DIGITS)

    m = mapping(geom)
    return {"type": m["type"], "coordinates": lists(m["coordinates"])}
