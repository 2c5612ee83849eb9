"""Serialised geometry: rounded, and never a shape a GeoJSON reader trips on."""

from shapely.geometry import GeometryCollection, LineString, Polygon, box

from permitcheck.geojson import geojson


def test_polygon_is_rounded_to_a_tenth_of_a_millimetre():
    g = geojson(Polygon([(0, 0), (1.234567, 0), (1.234567, 1), (0, 1)]))
    assert g["type"] == "Polygon" and g["coordinates"][0][1][0] == 1.2346


def test_mixed_collection_keeps_its_area():
    g = geojson(GeometryCollection([box(0, 0, 1, 1), LineString([(1, 0), (2, 0)])]))
    assert g["type"] == "Polygon"
