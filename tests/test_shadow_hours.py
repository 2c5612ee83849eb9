"""shadow_hours (建築基準法 §56-2, 別表第四) as the Japanese rulebook carries it: which buildings it
binds, the ordinance's choices the parcel states (or the verdict under all of them), the road
relief of 施行令 §135-12③1, and the rule's own refusals."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from ifcbuild import Builder, rect
from permitcheck.checking import check_model
from permitcheck.rulebook import RulebookError, load_rulebook

JP = ROOT / "rules/jp/bsa56.yaml"
PODIUM = ROOT / "samples/buildings/podium_tower.ifc"
ANCHOR = (220000.0, 560000.0)


def _site(tmp_path, src="samples/sites/podium_north.geojson", road_width=None, **props):
    d = json.loads((ROOT / src).read_text())
    for f in d["features"]:
        if f["properties"]["role"] == "parcel":
            f["properties"].update(props)
        if f["properties"]["role"] == "road" and road_width is not None:
            f["properties"]["width"] = road_width
    p = tmp_path / f"site_{len(list(tmp_path.iterdir()))}.geojson"
    p.write_text(json.dumps(d))
    return p


def _shadow(result):
    return next(f for f in result.findings if f.rule == "shadow")


def _check(model, site, zone):
    return check_model(model, site, JP, zone=zone, anchor=ANCHOR, sections=False)


def test_the_ordinances_choice_decides_and_without_it_the_verdict_must_hold_under_every_choice(tmp_path):
    unknown = _shadow(_check(PODIUM, _site(tmp_path, shadow_regulated=True), "JP-1MR-200"))
    choices = {(c["plane_height_m"], c["column"]): c["status"] for c in unknown.m.details["choices"]}
    assert len(choices) == 6 and "PASS" in choices.values() and "FAIL" in choices.values()
    assert unknown.status.value == "UNKNOWN" and unknown.m.reason == "shadow_choice_unknown"
    lenient = _shadow(_check(PODIUM, _site(tmp_path, shadow_regulated=True, shadow_column=3,
                                           shadow_plane_height="6.5 m"), "JP-1MR-200"))
    strict = _shadow(_check(PODIUM, _site(tmp_path, shadow_regulated=True, shadow_column=1,
                                          shadow_plane_height="4 m"), "JP-1MR-200"))
    assert lenient.status.value == choices[(6.5, 3)] == "PASS"
    assert strict.status.value == choices[(4.0, 1)] == "FAIL"
    assert strict.m.limit == 3.0 or strict.m.limit == 2.0  # (一): 3 h in 5-10 m, 2 h beyond
    assert strict.m.global_ids and strict.m.where is not None and not strict.m.where.is_empty
    bands = strict.m.details["bands"]
    assert bands["near"]["over_area_m2"] > 0 and bands["near"]["cast_by"]
    assert strict.m.details["column_basis"].startswith("shadow_column 1")


def test_an_area_the_ordinance_does_not_designate_is_not_regulated(tmp_path):
    f = _shadow(_check(PODIUM, _site(tmp_path), "JP-1MR-200"))
    assert f.status.value == "NOT_APPLICABLE" and f.m.reason == "condition_not_met"


def test_only_the_buildings_the_table_names_are_bound(tmp_path):
    box = ROOT / "samples/buildings/box_m.ifc"  # 9.3 m, three storeys
    site = _site(tmp_path, "samples/sites/box_ok_jp.geojson", shadow_regulated=True)
    mid = _shadow(_check(box, site, "JP-1MR-200"))  # 二の項: over 10 m only
    assert mid.status.value == "NOT_APPLICABLE" and mid.m.reason == "shadow_not_bound"
    low = _shadow(_check(box, site, "JP-1LR-200"))  # 一の項: three storeys bind it
    assert low.status.value in ("PASS", "FAIL") and low.m.details["plane_height_m"] == 1.5


def test_a_two_storey_house_over_7_m_is_unknown_when_its_shadow_is_too_long(tmp_path):
    """一の項 binds eaves over 7 m or three storeys: two storeys and 9 m could have eaves under 7 m."""
    b = Builder("house")
    b.block([("1F", 0.0), ("2F", 4.5)], rect(-30, 0, 30, 8), 9.0)
    model = b.write(tmp_path / "house.ifc")
    site = _site(tmp_path, "samples/sites/box_ok_jp.geojson", shadow_regulated=True, shadow_column=1)
    f = _shadow(_check(model, site, "JP-1LR-200"))
    assert f.m.details["read"]["storeys_above_ground"] == 2
    assert f.status.value == "UNKNOWN" and f.m.reason == "shadow_eaves_unknown", f.m.details["choices"]


def test_a_road_counts_half_its_width_out_and_a_wide_one_five_metres_short_of_its_far_side(tmp_path):
    eight = _shadow(_check(PODIUM, _site(tmp_path, road_width=8, shadow_regulated=True), "JP-1MR-200"))
    wide = _shadow(_check(PODIUM, _site(tmp_path, road_width=16, shadow_regulated=True), "JP-1MR-200"))
    front = [i for i, r in enumerate(eight.m.details["relief_m"]) if r > 0]
    assert len(front) == 1 and eight.m.details["relief_m"][front[0]] == 4.0
    assert wide.m.details["relief_m"][front[0]] == 11.0  # 16 m: 5 m short of the far side


@pytest.mark.parametrize("change, said", [
    ("limits: [[25 h, 2 h]]", "hours of a day"),
    ("limits: [[3 h]]", "limits"),
    ("limits: [[three, 2 h]]", "is not a time"),
    ("window: [16, 8]", "the first before the second"),
    ("bands: [10 m, 5 m]", "the nearer first"),
    ("plane_height: []", "plane_height"),
    ("step: 2 h", "at most 1 h"),
    ("applies_to: {}", "say which buildings"),
])
def test_a_bad_shadow_rule_is_refused_with_its_line(tmp_path, change, said):
    key = change.split(":")[0]
    base = {"plane_height": "plane_height: [1.5 m]", "limits": "limits: [[3 h, 2 h]]", "window": "",
            "bands": "", "step": "", "applies_to": ""}
    base[key] = change
    body = "\n".join(f"        {v}" for v in base.values() if v)
    p = tmp_path / "book.yaml"
    p.write_text(f"""rulebook: t
title: t
jurisdiction: JP
version: "1"
effective_from: 2024-01-01
sources:
  law: {{law: A law, grade: P}}
zones:
  Z:
    names: [z]
    rules:
      - id: shadow
        kind: shadow_hours
{body}
        citation: {{source: law, article: "1"}}
""", encoding="utf-8")
    with pytest.raises(RulebookError) as e:
        load_rulebook(p)
    assert said in str(e.value) and "book.yaml:" in str(e.value)


def test_a_grid_too_fine_for_the_shadow_is_an_error_not_a_hang(tmp_path):
    text = JP.read_text(encoding="utf-8").replace("limits: [[3 h, 2 h], [4 h, 2.5 h], [5 h, 3 h]]\n        "
                                                  "applies_to: {height_over: 10 m}",
                                                  "limits: [[3 h, 2 h], [4 h, 2.5 h], [5 h, 3 h]]\n        "
                                                  "applies_to: {height_over: 10 m}\n        grid: 0.01 m", 1)
    assert "grid: 0.01 m" in text
    book = tmp_path / "bsa56.yaml"
    book.write_text(text, encoding="utf-8")
    result = check_model(PODIUM, _site(tmp_path, shadow_regulated=True), book, zone="JP-1MR-200", anchor=ANCHOR,
                         sections=False)
    f = _shadow(result)
    assert f.status.value == "ERROR" and "coarser grid" in f.m.details["error"]


def test_the_report_says_it_in_words(tmp_path):
    from permitcheck.reports.text import explain

    d = _check(PODIUM, _site(tmp_path, shadow_regulated=True, shadow_column=1, shadow_plane_height="4 m"),
               "JP-1MR-200").to_dict()
    f = next(x for x in d["findings"] if x["rule"] == "shadow")
    said = explain(f)
    assert said.startswith("the shadow stays") and "m² over it" in said and "limit 3 h" in said


def test_the_report_draws_the_hour_lines_the_band_lines_and_the_shadow_each_hour(tmp_path):
    import numpy as np
    import shapely
    from shapely.geometry import Point, shape

    from permitcheck.checks.shadow_hours import _cells
    from permitcheck.reports.html import render

    site = _site(tmp_path, shadow_regulated=True, shadow_column=1, shadow_plane_height="4 m")
    result = check_model(PODIUM, site, JP, zone="JP-1MR-200", anchor=ANCHOR, sections=True)
    f = _shadow(result)
    d = f.m.details["drawing"]
    assert [line["hours"] for line in d["lines_model"]] == [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0]
    areas = [shape(line["geometry"]).area for line in d["lines_model"]]
    assert areas == sorted(areas, reverse=True)  # a longer time, a smaller region
    worst = Point(*f.m.details["bands"]["near"]["at_model"])
    assert shape(d["lines_model"][-1]["geometry"]).buffer(0.6).contains(worst)  # the 8 h point is inside the 5 h line
    assert [h["hour"] for h in d["hourly_model"]] == list(range(8, 17))
    assert shape(d["near_line_model"]).length > 0 and shape(d["far_line_model"]).length > shape(d["near_line_model"]).length
    page = render(result.to_dict())
    assert "Shadow through the day" in page and ">5 h<" in page and page.count('class="shade"') == 9
    # the cells' union: each cell once, runs merged
    xs, ys = np.meshgrid(np.arange(5) + 0.5, np.arange(3) + 0.5)
    mask = np.array([[1, 1, 0, 1, 1], [0, 1, 1, 1, 0], [0, 0, 0, 0, 1]], dtype=bool).ravel()
    region = _cells(xs.ravel(), ys.ravel(), mask, 1.0)
    assert region.area == pytest.approx(mask.sum()) and shapely.is_valid(region)


def test_no_drawing_when_no_report_draws_it(tmp_path):
    site = _site(tmp_path, shadow_regulated=True, shadow_column=1, shadow_plane_height="4 m")
    assert "drawing" not in _shadow(_check(PODIUM, site, "JP-1MR-200")).m.details  # sections=False


def _sloped_house(tmp_path, slope):
    """Three storeys, 13 m, 20 x 8 m, on ground rising `slope` a metre northwards from its south face."""
    b = Builder(f"slope{slope}")
    b.block([("1F", 0.0), ("2F", 4.0), ("3F", 8.0)], rect(-10, 0, 10, 8), 13.0)
    if slope:
        b.terrain([(-40, -20, -20 * slope), (40, -20, -20 * slope), (40, 30, 30 * slope), (-40, 30, 30 * slope)],
                  [(0, 1, 2), (0, 2, 3)])
    return b.write(tmp_path / f"slope{slope}.ifc")


def test_the_plane_stands_above_the_mean_ground_of_the_whole_building(tmp_path):
    """別表第四's 平均地盤面: the perimeter-weighted mean of the ground where the building meets it,
    with no 3 m split (令2② splits the height's datum, not this one): ground 0 m along the south face,
    4 m along the north, 2 m on average along the sides, so (20 x 0 + 20 x 4 + 16 x 2) / 56 = 2 m."""
    site = _site(tmp_path, "samples/sites/box_ok_jp.geojson", shadow_regulated=True, shadow_column=1,
                 shadow_plane_height="4 m")
    level = _shadow(_check(_sloped_house(tmp_path, 0.0), site, "JP-1MR-200"))
    sloped = _shadow(_check(_sloped_house(tmp_path, 0.5), site, "JP-1MR-200"))
    assert level.m.details["mean_ground_m"] == pytest.approx(0.0, abs=1e-6)
    assert level.m.details["mean_ground_basis"] == "level"
    assert sloped.m.details["mean_ground_m"] == pytest.approx(2.0, abs=0.02)
    assert sloped.m.details["mean_ground_basis"] == "terrain"
    # the plane 2 m higher: the shadow's hours on it are those of the level house 2 m shorter
    shorter = Builder("shorter")
    shorter.block([("1F", 0.0), ("2F", 4.0), ("3F", 8.0)], rect(-10, 0, 10, 8), 11.0)
    short = _shadow(_check(shorter.write(tmp_path / "shorter.ifc"), site, "JP-1MR-200"))
    for band in ("near", "far"):
        assert sloped.m.details["bands"][band]["max_h"] == pytest.approx(short.m.details["bands"][band]["max_h"],
                                                                         abs=1 / 6 + 1e-9)
    assert sloped.m.details["bands"]["near"]["max_h"] < level.m.details["bands"]["near"]["max_h"]


@pytest.mark.parametrize("rise, raised", [("0.8 m", 0.0), ("3 m", 1.0), (5, 2.0)])
def test_a_site_below_the_land_it_shades_counts_its_ground_raised(tmp_path, rise, raised):
    """施行令 §135-12③2: 1 m or more below: raised by half the difference less 1 m (3 m: 1 m)."""
    site = _site(tmp_path, "samples/sites/box_ok_jp.geojson", shadow_regulated=True, shadow_column=1,
                 shadow_plane_height="4 m", shadow_neighbour_ground_rise=rise)
    got = _shadow(_check(_sloped_house(tmp_path, 0.0), site, "JP-1MR-200"))
    assert got.m.details["level_relief"]["raise_m"] == pytest.approx(raised)
    shorter = Builder("shorter")
    shorter.block([("1F", 0.0), ("2F", 4.0), ("3F", 8.0)], rect(-10, 0, 10, 8), 13.0 - raised)
    plain = _site(tmp_path, "samples/sites/box_ok_jp.geojson", shadow_regulated=True, shadow_column=1,
                  shadow_plane_height="4 m")
    want = _shadow(_check(shorter.write(tmp_path / "shorter.ifc"), plain, "JP-1MR-200"))
    for band in ("near", "far"):
        assert got.m.details["bands"][band]["max_h"] == pytest.approx(want.m.details["bands"][band]["max_h"],
                                                                      abs=1 / 6 + 1e-9)


@pytest.mark.parametrize("rise", ["three metres", "400 m", "-2 m"])
def test_a_neighbours_rise_that_is_no_plausible_length_takes_no_relief_and_says_so(tmp_path, rise):
    site = _site(tmp_path, "samples/sites/box_ok_jp.geojson", shadow_regulated=True, shadow_column=1,
                 shadow_plane_height="4 m", shadow_neighbour_ground_rise=rise)
    got = _shadow(_check(_sloped_house(tmp_path, 0.0), site, "JP-1MR-200"))
    assert got.m.details["level_relief"]["raise_m"] == 0.0 and "no relief" in got.m.details["level_relief"]["note"]
