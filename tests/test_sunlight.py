"""sunlight_hours: a wall point between two blocks keeps the sun it sees between them, known by the
sun's azimuth; a check takes its context from the site and says which walls the building darkens."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import trimesh

from conftest import ROOT
from permitcheck.checking import check_model
from permitcheck.sun.position import sun_at, sun_path
from permitcheck.sun.sunlight import Receptor, hours, lit

TOKYO = 35.68


def _block(x0, y0, x1, y1, top):
    b = trimesh.creation.box(extents=(x1 - x0, y1 - y0, top))
    b.apply_translation(((x0 + x1) / 2, (y0 + y1) / 2, top / 2))
    return np.asarray(b.vertices), np.asarray(b.faces)


def _hour_at_azimuth(az: float) -> float:
    lo, hi = 6.0, 18.0  # the azimuth grows through the day
    for _ in range(60):
        mid = (lo + hi) / 2
        if sun_at(TOKYO, mid).azimuth_deg < az:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def test_a_wall_between_two_tall_blocks_sees_the_sun_only_between_them():
    """Blocks 1 km tall south-east and south-west of a south wall leave it the sun whose azimuth
    lies between their nearer corners: 174.29° to 185.71° (atan 5/50 either side of south)."""
    east, west = _block(5, -50, 50, -5, 1000), _block(-50, -50, -5, -5, 1000)
    r = Receptor("wall", (0.0, 0.0, 1.5), (0.0, -1.0))
    path = sun_path(TOKYO, 8.0, 16.0, 1.0)
    steps = lit([r], [east, west], path, (0.0, 1.0))
    cont, total = hours(steps, path, (9.0, 15.0), 1 / 60)
    half = math.degrees(math.atan2(5, 50))
    want = _hour_at_azimuth(180 + half) - _hour_at_azimuth(180 - half)
    assert 0.5 < want < 1.5
    assert abs(cont[0] - want) * 60 <= 1.0 and abs(total[0] - want) * 60 <= 1.0, (cont, total, want)
    # with the east block gone the morning sun reaches it too, as the azimuth says
    steps = lit([r], [west], path, (0.0, 1.0))
    cont, total = hours(steps, path, (9.0, 15.0), 1 / 60)
    want = _hour_at_azimuth(180 + half) - 9.0
    assert abs(cont[0] - want) * 60 <= 1.0 and abs(total[0] - want) * 60 <= 1.0


def test_a_wall_facing_away_from_the_sun_never_sees_it():
    r = Receptor("north wall", (0.0, 0.0, 1.5), (0.0, 1.0))
    path = sun_path(TOKYO, 8.0, 16.0, 5.0)
    assert not lit([r], [], path, (0.0, 1.0)).any()


def test_continuous_and_total_hours_count_runs_and_steps():
    path = sun_path(TOKYO, 8.0, 16.0, 60.0)  # 9 steps, 8:00 ... 16:00
    steps = np.array([[1, 1, 0, 1, 1, 1, 0, 0, 1]], dtype=bool)
    cont, total = hours(steps, path, (8.0, 16.0), 1.0)
    assert cont[0] == 2.0  # 11:00-14:00 is a run of three marks: two hours
    assert total[0] == pytest.approx(6 - 0.5 - 0.5)  # six marks, the window's two ends half each


def _site(tmp_path, context):
    d = json.loads((ROOT / "samples/sites/podium_north.geojson").read_text())
    for x0, y0, x1, y1, h in context:
        d["features"].append({"type": "Feature", "properties": {"role": "building", "id": f"n{x0:.0f}", "height": h},
                              "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1],
                                                                              [x0, y1], [x0, y0]]]}})
    p = tmp_path / "site.geojson"
    p.write_text(json.dumps(d))
    return p


def _book(tmp_path):
    p = tmp_path / "sun.yaml"
    p.write_text("""rulebook: sun
title: sun
jurisdiction: KR
version: "1"
effective_from: 2024-01-01
sources:
  courts: {law: "대법원 판례", article: "2008다23729", grade: S}
zones:
  KR-R2G:
    names: [제2종일반주거지역]
    rules:
      - id: sunlight-neighbours
        kind: sunlight_hours
        receptors: context
        continuous: 2 h
        total: 4 h
        citation: {source: courts, article: "2008다23729"}
""", encoding="utf-8")
    return p


def test_the_tower_darkens_the_house_north_of_it_and_the_check_says_by_how_much(tmp_path):
    """podium_north's parcel ends 10 m north of the tower (33.3 m): a 6 m house 3 m beyond the line
    loses its winter sun to it; a house 120 m east is out of reach."""
    house = (220005.0, 560036.0, 220035.0, 560044.0, 6.0)
    far = (220150.0, 560000.0, 220160.0, 560010.0, 6.0)
    result = check_model(ROOT / "samples/buildings/podium_tower.ifc", _site(tmp_path, [house, far]), _book(tmp_path),
                         anchor=(220000.0, 560000.0), sections=False)
    f = next(x for x in result.findings if x.rule == "sunlight-neighbours")
    d = f.m.details
    assert f.status.value == "FAIL" and f.m.reason == "sunlight_taken"
    assert d["context_buildings"] == 2 and d["receptors"] >= 5 and d["caused"] >= 1
    assert d["worst"].startswith("n220005: wall")  # the far house is beyond reach
    worst = d["listed"][0]
    assert worst["continuous_h"] < 2.0 and worst["total_h"] < 4.0
    assert worst["continuous_without_h"] == pytest.approx(6.0) and worst["total_without_h"] == pytest.approx(8.0)
    from permitcheck.reports.text import explain

    said = explain(next(x for x in result.to_dict()["findings"] if x["rule"] == "sunlight-neighbours"))
    assert "because of the building" in said and "without the building" in said


def test_no_context_no_receptor(tmp_path):
    result = check_model(ROOT / "samples/buildings/podium_tower.ifc", _site(tmp_path, []), _book(tmp_path),
                         anchor=(220000.0, 560000.0), sections=False)
    f = next(x for x in result.findings if x.rule == "sunlight-neighbours")
    assert f.status.value == "NOT_APPLICABLE" and f.m.reason == "no_context"


def test_lit_casts_only_the_pieces_near_its_receptors_and_answers_as_every_piece_would():
    """`lit` keeps, per receptor height, the pieces whose shadow comes near a receptor some time in the
    day, and the sun-facing faces of closed parts: the same answer as every piece at every step."""
    import shapely

    from permitcheck.sun.shadow import Casters, model_direction
    from permitcheck.sun.sunlight import OFFSET_M
    from test_facing_blocks import blocks

    model = blocks(8.0, south=3)
    casters = [(m.vertices, m.faces) for m in model.elements]
    sheet = trimesh.creation.box(bounds=[[2, -6, 0], [12, -5.9, 7]])  # an open sheet: its triangles cast
    casters.append((np.asarray(sheet.vertices), np.asarray(sheet.faces)[:6]))
    receptors = [Receptor(w.global_id, (w.point[0], w.point[1], w.point[2] + 0.7),
                          (0.0, -1.0) if w.global_id[2] == "S" else (0.0, 1.0)) for w in model.windows]
    north = (0.0, 1.0)
    path = sun_path(37.5, 8, 16, 5.0)
    got = lit(receptors, casters, path, north)
    want = np.zeros_like(got)
    pts = np.array([[r.point[0] + r.normal[0] * OFFSET_M, r.point[1] + r.normal[1] * OFFSET_M, r.point[2]]
                    for r in receptors])
    planes = {z: Casters(casters, z) for z in {round(float(z), 1) for z in pts[:, 2]}}
    for j, sun in enumerate(path):
        d = np.array(model_direction(sun, north))
        for i, r in enumerate(receptors):
            if d[2] <= 0 or np.dot(r.normal, d[:2]) <= 1e-9:
                continue
            geoms, _ = planes[round(float(pts[i, 2]), 1)].shadows(tuple(d))
            want[i, j] = not shapely.STRtree(geoms).query(shapely.Point(pts[i, :2]), predicate="intersects").size
    assert got.sum() > 100 and (~got).sum() > 100 and np.array_equal(got, want)
