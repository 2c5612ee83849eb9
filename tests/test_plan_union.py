"""Plan unions by Clipper2 (permitcheck.facts.plan_union) against GEOS's overlay of the same input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from permitcheck.facts.plan_union import union_polygons, union_triangles

ROOT = Path(__file__).resolve().parent.parent


def _same(a, b, tol=1e-6):
    """The same region: valid, and a symmetric difference under `tol` of the area (1e-9 m² at least)."""
    assert a.is_valid and b.is_valid
    assert shapely.area(shapely.symmetric_difference(a, b)) <= tol * max(b.area, 1.0)


def test_overlapping_triangles_of_either_winding_are_geos_union():
    rng = np.random.default_rng(3)
    tri = rng.uniform(0, 10, size=(400, 3, 2))
    geos = shapely.union_all(shapely.polygons(np.concatenate([tri, tri[:, :1]], axis=1)))
    _same(union_triangles(tri), geos)


def test_a_hole_another_polygon_covers_is_filled_and_an_island_in_a_hole_stays():
    ring = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (8, 2), (8, 8), (2, 8)]])
    patch = shapely.box(1, 1, 5, 5)  # covers part of the hole
    island = shapely.box(4, 6, 6, 7)  # inside what is left of it
    got = union_polygons([ring, patch, island])
    _same(got, shapely.union_all([ring, patch, island]))
    assert got.area == pytest.approx(100 - 36 + 9 + 2)
    # shells given clockwise and holes counter-clockwise are the same polygons
    flipped = shapely.Polygon(ring.exterior.coords[::-1], [ring.interiors[0].coords[::-1]])
    _same(union_polygons([flipped, patch, island]), got)


def test_what_is_not_a_polygon_adds_no_area_and_nothing_is_an_empty_polygon():
    box = shapely.box(0, 0, 1, 1)
    mixed = shapely.GeometryCollection([box, shapely.LineString([(5, 5), (6, 6)]), shapely.Point(9, 9)])
    _same(union_polygons([mixed, None, shapely.Polygon()]), box)
    assert union_polygons([]).is_empty and union_polygons([shapely.Point(0, 0)]).is_empty
    assert union_triangles(np.array([[[0, 0], [1, 1], [2, 2]]], float)).is_empty  # no area


def test_loops_touching_at_a_vertex_come_back_valid():
    # two squares meeting at one corner, and a square with a notch closed to a point
    got = union_polygons([shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2),
                          shapely.Polygon([(3, 0), (5, 0), (5, 2), (4, 1), (3, 2)])])
    assert got.is_valid and got.area == pytest.approx(1 + 1 + 3)


@pytest.mark.parametrize("model", ["samples/buildings/podium_tower.ifc", "../shared/ifc/01_AC20-FZK-Haus.ifc",
                                   "../shared/ifc/03_Duplex_A_20110907.ifc"])
def test_every_elements_faces_and_the_footprint_are_geos_unions(model):
    from permitcheck.facts.projection import element_plans, plan_polygons
    from permitcheck.model import read_model

    path = ROOT / model
    if not path.exists():
        pytest.skip("../shared/ifc not beside the project")
    elements = read_model(path, workers=1).elements
    for m in elements:
        polys = plan_polygons(m.vertices[m.faces])
        if len(polys):  # every face, as an open mesh is merged; GEOS as the merge was before Clipper
            _same(union_triangles(m.vertices[m.faces]), shapely.buffer(shapely.multipolygons(polys), 0))
    plans = [p for p in element_plans([(m.vertices, m.faces) for m in elements]) if p is not None]
    _same(union_polygons(plans), shapely.union_all(plans))


def test_coordinates_beyond_clippers_range_are_united_by_geos():
    far = 1e15  # Clipper2 refuses past about 4e10 of a unit
    tri = np.array([[[far, 0], [far + 2, 0], [far, 2]], [[far + 1, 0], [far + 3, 0], [far + 1, 2]]], float)
    got = union_triangles(tri)
    assert got.is_valid and got.area > 0
    boxes = [shapely.box(far, 0, far + 2, 2), shapely.box(far + 1, 0, far + 3, 2)]
    assert union_polygons(boxes).equals(shapely.union_all(boxes))
