"""A window's wall: the tangent and outward normal of the outline nearest to it, whatever ring of
the plan comes first and wherever an overlay starts each ring."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Point

from permitcheck.checks.windows import facing_wall

SQUARE = [(5.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]  # starts mid-edge


def _ring(points, start):
    pts = points[start:] + points[:start]
    return shapely.LinearRing(pts + pts[:1])


@pytest.mark.parametrize("p, normal", [((5.02, -0.5), (0, -1)), ((4.98, -0.5), (0, -1)), ((10.4, 3.0), (1, 0)),
                                       ((-0.6, 9.0), (-1, 0))])
def test_the_wall_a_window_faces_does_not_hang_on_where_the_ring_starts(p, normal):
    plan = shapely.Polygon(SQUARE)
    far = shapely.LinearRing([(50, 50), (51, 50), (51, 51), (50, 51)])  # another ring, listed first
    found = []
    for start in range(len(SQUARE)):
        for rings in ([_ring(SQUARE, start)], [far, _ring(SQUARE, start)]):
            got = facing_wall(shapely.MultiLineString(rings), plan, Point(*p))
            assert got is not None
            found.append(got)
            assert np.allclose(got[2], normal, atol=1e-9)
            assert abs(float(np.dot(got[1], got[2]))) < 1e-9
    assert all(np.allclose(q, found[0][0]) for q, _, _ in found)


def test_at_a_corner_the_wall_is_the_same_from_either_ring_start():
    """Nearest a corner the tangent runs across it, not along whichever wall the ring began with."""
    plan = shapely.Polygon(SQUARE)
    answers = {tuple(np.round(facing_wall(_ring(SQUARE, start), plan, Point(10.5, -0.5))[2], 9))
               for start in range(len(SQUARE))}
    assert len(answers) == 1
