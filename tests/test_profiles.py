"""Legal measurement profiles against buildings whose legal figures are known by construction.

Each building is built with ifcopenshell.api (tests/ifcbuild.py) from a handful of numbers; the
expected figure is computed from the same numbers as the article words it, and the adjustment that
makes the difference must name its clause. Areas within 0.5 %, heights within 1 cm.
"""

from __future__ import annotations

import pytest

from ifcbuild import Builder, rect
from permitcheck import inspect_model
from permitcheck.profiles import measure

W, D, T = 20.0, 12.0, 0.3  # outer faces of the walls on a 20 x 12 m outline, walls 0.3 m thick
H = 3.0  # storey height
CW, CD = W - T, D - T  # the box between the walls' centre lines
KR, JP, DE, NYC = "kr-building-act-119", "jp-bsa-enforcement-2", "de-baunvo-19-20", "nyc-zr-12-10"


def _box(b: Builder, storeys: int = 3, roof_ring=None, base: int = 0, ring=None) -> float:
    """`storeys` storeys on the outline, the roof slab's underside on the top walls; returns its top."""
    ring = ring or rect(0, 0, W, D)
    names = [(f"L{i}", (i - base) * H) for i in range(storeys)]
    for name, z in names:
        b.storey(name, z)
    top = (storeys - base) * H
    b.block(names, ring, top, wall=T, roof_ring=roof_ring)
    return top + 0.3


def _legal(tmp_path, b: Builder, profile: str, ground_level_m=None, **params):
    ins = inspect_model(b.write(tmp_path / "m.ifc"), ground_level_m=ground_level_m)
    return ins, measure(profile, ins.model, ins.facts, params=params)


def _clauses(legal, fact: str) -> set[str]:
    return {a.clause.article for a in legal.adjustments if a.fact == fact}


def _explained(ins, legal):
    """The legal figure is the physical one plus the adjustments on it, and nothing else."""
    f = ins.facts.whole
    for fact, physical, got in (("building_area_m2", f.footprint_area_m2, legal.building_area_m2),
                                ("floor_area_m2", f.gross_floor_area_m2, legal.floor_area_m2),
                                ("height_m", f.height_m, legal.height_m),
                                ("storeys_above_ground", f.storeys_above_ground, legal.storeys_above_ground)):
        deltas = sum(a.delta for a in legal.adjustments if a.fact == fact)
        assert got == pytest.approx(physical + deltas, abs=1e-6), fact


def test_walls_to_their_centre_lines(tmp_path):
    b = Builder()
    _box(b)
    ins, kr = _legal(tmp_path, b, KR)
    assert ins.facts.whole.footprint_area_m2 == pytest.approx(W * D, rel=0.005)
    assert kr.building_area_m2 == pytest.approx(CW * CD, rel=0.005)
    assert kr.floor_area_m2 == pytest.approx(3 * CW * CD, rel=0.005)
    assert "제119조제1항제2호" in _clauses(kr, "building_area_m2")
    assert "제119조제1항제3호" in _clauses(kr, "floor_area_m2")
    _explained(ins, kr)
    _, jp = _legal(tmp_path, b, JP)
    assert jp.building_area_m2 == pytest.approx(CW * CD, rel=0.005)
    for outer in (DE, NYC):  # outer dimensions
        _, lf = _legal(tmp_path, b, outer)
        assert lf.building_area_m2 == pytest.approx(W * D, rel=0.005)
        assert lf.floor_area_m2 == pytest.approx(3 * W * D, rel=0.005)


@pytest.mark.parametrize("eave,counted", [
    (1.5, 1.5 + T / 2 - 1.0),  # 1.65 m from the centre line: counts up to 1 m back from its tip (0.5 m past the wall)
    (0.8, 0.0),  # 0.95 m from the centre line: under 1 m, nothing beyond the centre line counts
])
def test_eaves_count_only_back_from_their_tip(tmp_path, eave, counted):
    b = Builder()
    _box(b, roof_ring=rect(-eave, -eave, W + eave, D + eave))
    ins, kr = _legal(tmp_path, b, KR)
    assert ins.facts.whole.footprint_area_m2 == pytest.approx((W + 2 * eave) * (D + 2 * eave), rel=0.005)
    assert kr.building_area_m2 == pytest.approx((CW + 2 * counted) * (CD + 2 * counted), rel=0.005)
    assert "제119조제1항제2호가목7)" in _clauses(kr, "building_area_m2")
    _explained(ins, kr)
    _, jp = _legal(tmp_path, b, JP)
    assert jp.building_area_m2 == pytest.approx((CW + 2 * counted) * (CD + 2 * counted), rel=0.005)


def test_eaves_on_two_sides_only(tmp_path):
    b = Builder()
    _box(b, roof_ring=rect(0, -1.5, W, D + 1.5))  # eaves along the long sides
    _, kr = _legal(tmp_path, b, KR)
    assert kr.building_area_m2 == pytest.approx(CW * (CD + 2 * 0.65), rel=0.005)


def _tower(b: Builder, top: float, w: float, d: float, height: float = 3.0):
    """A stair tower standing on the roof slab: walls and its own roof, on a storey of its own."""
    b.storey("Roof", top)
    x0, y0 = 2.0, 2.0
    ring = rect(x0, y0, x0 + w, y0 + d)
    b.ring_walls("Roof", ring, top, top + height, T)
    b.slab("Roof", ring, top + height + 0.2, 0.2, "ROOF", name="tower roof")
    return (w - T) * (d - T), top + height + 0.2


@pytest.mark.parametrize("profile", [KR, JP])
@pytest.mark.parametrize("share,small", [(1 / 10, True), (1 / 6, False)])
def test_a_stair_tower_within_an_eighth_is_out_of_height_and_storeys(tmp_path, share, small, profile):
    b = Builder()
    roof_top = _box(b)
    side = (share * CW * CD) ** 0.5 + T  # a square tower whose centre-line area is `share` of the building area
    tower_area, tower_top = _tower(b, roof_top, side, side)
    ins, kr = _legal(tmp_path, b, profile)
    f = ins.facts.whole
    assert tower_area / kr.building_area_m2 == pytest.approx(share, rel=0.005)
    assert f.height_m == pytest.approx(tower_top, abs=0.01)
    height_clause, storey_clause = {KR: ("제119조제1항제5호다목", "제119조제1항제9호가목"),
                                    JP: ("第2条第1項第6号ロ", "第2条第1項第8号")}[profile]
    if small:
        assert kr.height_m == pytest.approx(roof_top, abs=0.01)  # 3.2 m over the roof, under 12 m
        assert kr.storeys_above_ground == 3
        assert height_clause in _clauses(kr, "height_m")
    else:
        assert kr.height_m == pytest.approx(tower_top, abs=0.01)
        assert kr.storeys_above_ground == 4
        assert storey_clause in _clauses(kr, "storeys_above_ground")
    if profile == KR:
        assert kr.floor_area_m2 == pytest.approx(3 * CW * CD, rel=0.005)  # towers are never floor area
    _explained(ins, kr)


def test_a_tall_tower_within_an_eighth_counts_above_12_m(tmp_path):
    b = Builder()
    roof_top = _box(b)
    side = (0.1 * CW * CD) ** 0.5 + T
    _, tower_top = _tower(b, roof_top, side, side, height=14.8)  # 15 m over the roof
    _, kr = _legal(tmp_path, b, KR)
    assert kr.height_m == pytest.approx(roof_top + (tower_top - roof_top - 12.0), abs=0.01)


def test_basement_and_above_ground_parking_are_out_of_the_floor_area_ratio(tmp_path):
    b = Builder()
    b.storey("B1", -H)
    b.slab("B1", rect(0, 0, W, D), -H, predefined="BASESLAB")
    b.ring_walls("B1", rect(0, 0, W, D), -H, 0.0, T)
    for i, z in enumerate((0.0, H, 2 * H)):
        b.storey(f"L{i}", z)
    b.block([("L0", 0.0), ("L1", H), ("L2", 2 * H)], rect(0, 0, W, D), 3 * H, wall=T)
    b.space("L0", rect(T, T, W - T, D - T), 0.0, H, "P01", long_name="주차장")  # parking on the ground storey
    ins, kr = _legal(tmp_path, b, KR)
    assert ins.facts.whole.gross_floor_area_m2 == pytest.approx(3 * W * D, rel=0.005)
    inner = (W - 2 * T) * (D - 2 * T)
    assert kr.gross_floor_area_m2 == pytest.approx(4 * CW * CD, rel=0.005)  # 연면적 has the basement
    assert kr.floor_area_m2 == pytest.approx(3 * CW * CD - inner, rel=0.005)
    assert {"제119조제1항제4호나목"} <= _clauses(kr, "floor_area_m2")
    assert kr.storeys_below_ground == 1 and kr.storeys_above_ground == 3
    _explained(ins, kr)
    _, kr2 = _legal(tmp_path, b, KR, parking_accessory=False)  # a parking building: its parking counts
    assert kr2.floor_area_m2 == pytest.approx(3 * CW * CD, rel=0.005)
    _, jp = _legal(tmp_path, b, JP)  # 容積率 counts basements; parking up to 1/5 of the total
    total = 4 * CW * CD
    assert jp.floor_area_m2 == pytest.approx(total - min(inner, total / 5), rel=0.005)


def test_a_shallow_basement_is_a_storey_above_ground_in_korea(tmp_path):
    """Korea: a basement is a storey whose floor lies below ground by half its height or more."""
    b = Builder()
    b.storey("S", -1.0)  # 1 m down, 3 m high: 1/3 of its height below ground
    b.storey("L1", 2.0)
    b.block([("S", -1.0), ("L1", 2.0)], rect(0, 0, W, D), 5.0, wall=T)
    ins, kr = _legal(tmp_path, b, KR, ground_level_m=0.0)
    assert ins.facts.whole.storeys_above_ground == 1
    assert kr.storeys_above_ground == 2 and kr.storeys_below_ground == 0
    assert "제2조제1항제5호" in _clauses(kr, "storeys_above_ground")
    assert kr.floor_area_m2 == pytest.approx(2 * CW * CD, rel=0.005)
    _explained(ins, kr)
    _, jp = _legal(tmp_path, b, JP, ground_level_m=0.0)  # Japan: 1 m of 2.8 m ceiling height is over 1/3: a 地階
    assert jp.storeys_above_ground == 1 and jp.storeys_below_ground == 1


def test_a_two_metre_balcony(tmp_path):
    b = Builder()
    _box(b)
    depth, length, x0 = 2.0, 6.0, 7.0
    b.slab("L1", rect(x0, -depth, x0 + length, 0.0), H, name="balcony")
    ins, kr = _legal(tmp_path, b, KR)
    from_centre = (depth + T / 2) * length
    counted = max(0.0, from_centre - 1.5 * length)
    assert ins.facts.whole.gross_floor_area_m2 == pytest.approx(3 * W * D + depth * length, rel=0.005)
    assert kr.floor_area_m2 == pytest.approx(3 * CW * CD + counted, rel=0.005)
    assert "제119조제1항제3호나목" in _clauses(kr, "floor_area_m2")
    # the balcony stands 2.15 m out of the centre line: in the building area up to 1 m back from its tip
    assert kr.building_area_m2 == pytest.approx(CW * CD + length * (depth + T / 2 - 1.0), rel=0.005)
    _explained(ins, kr)
    _, jp = _legal(tmp_path, b, JP)  # Japan (S): within 2 m of the centre line an open balcony is no floor area
    assert jp.floor_area_m2 == pytest.approx(3 * CW * CD + (depth + T / 2 - 2.0) * length, rel=0.005)
    _, de = _legal(tmp_path, b, DE)  # Germany §20(4): balconies are no Geschossfläche
    assert de.floor_area_m2 == pytest.approx(3 * W * D, rel=0.005)


def _pilotis(b: Builder, use: str | None):
    b.storey("L0", 0.0)
    b.storey("L1", H)
    b.storey("L2", 2 * H)
    b.slab("L0", rect(0, 0, W, D), 0.0, predefined="BASESLAB")
    for x, y in ((0, 0), (W - 0.5, 0), (W - 0.5, D - 0.5), (0, D - 0.5), (9.75, 0), (9.75, D - 0.5)):
        b.prism("L0", "IfcColumn", "column", rect(x, y, x + 0.5, y + 0.5), 0.0, H)
    b.block([("L1", H), ("L2", 2 * H)], rect(0, 0, W, D), 3 * H, wall=T)
    if use:
        b.space("L0", rect(0.5, 0.5, W - 0.5, D - 0.5), 0.0, H, "G01", long_name=use)


def test_pilotis_for_parking_are_not_floor_area(tmp_path):
    b = Builder()
    _pilotis(b, "필로티 주차장")
    ins, kr = _legal(tmp_path, b, KR)
    ground = ins.facts.whole.storeys[0].gross_area_m2
    assert ground == pytest.approx(W * D, rel=0.005)
    assert kr.floor_area_m2 == pytest.approx(2 * CW * CD, rel=0.005)
    assert "제119조제1항제3호다목" in _clauses(kr, "floor_area_m2")
    _explained(ins, kr)


def test_pilotis_of_unstated_use_are_uncertain(tmp_path):
    b = Builder()
    _pilotis(b, None)
    _, kr = _legal(tmp_path, b, KR)
    (u,) = kr.uncertain_about("floor_area_m2")
    assert "pilotis" in u.reason and u.low == pytest.approx(-W * D, rel=0.005) and u.high == 0.0


def test_a_site_sloping_4_m_has_two_datums(tmp_path):
    b = Builder()
    roof_top = _box(b)
    slope = 4.0 / D  # ground 0 m at the south face, 4 m at the north face
    b.terrain([(-20, -20, -20 * slope), (40, -20, -20 * slope), (40, 30, 30 * slope), (-20, 30, 30 * slope)],
              [(0, 1, 2), (0, 2, 3)])
    ins, kr = _legal(tmp_path, b, KR)
    cut = 3.0 / slope  # the 3 m contour crosses the building at y = 9
    # perimeter-weighted mean ground of each part: its own faces and the cut line (at 3 m)
    low = (W * 0 + 2 * cut * 1.5 + W * 3.0) / (W + 2 * cut + W)
    high = (W * 3.0 + 2 * (D - cut) * 3.5 + W * 4.0) / (W + 2 * (D - cut) + W)
    assert [round(d["level_m"], 2) for d in kr.datums] == [pytest.approx(low, abs=0.01), pytest.approx(high, abs=0.01)]
    assert kr.height_m == pytest.approx(roof_top - low, abs=0.01)
    assert "제119조제2항" in _clauses(kr, "height_m")
    _explained(ins, kr)


def test_a_site_sloping_2_m_has_one_datum(tmp_path):
    b = Builder()
    roof_top = _box(b)
    slope = 2.0 / D
    b.terrain([(-20, -20, -20 * slope), (40, -20, -20 * slope), (40, 30, 30 * slope), (-20, 30, 30 * slope)],
              [(0, 1, 2), (0, 2, 3)])
    _, kr = _legal(tmp_path, b, KR)
    assert kr.datums == ()
    assert kr.ground_elevation_m == pytest.approx(1.0, abs=0.01)  # the mean of 0 and 2 along a symmetric perimeter
    assert kr.height_m == pytest.approx(roof_top - 1.0, abs=0.01)


def test_parts_up_to_a_metre_above_ground_are_not_building_area(tmp_path):
    b = Builder()
    _box(b)
    b.storey("Site", 0.0)
    b.prism("L0", "IfcSlab", "terrace", rect(W, 0, W + 5, D), 0.0, 0.8, "FLOOR")  # 0.8 m high podium
    ins, kr = _legal(tmp_path, b, KR)
    assert ins.facts.whole.footprint_area_m2 == pytest.approx(W * D + 5 * D, rel=0.005)
    assert kr.building_area_m2 == pytest.approx(CW * CD, rel=0.005)
    assert "제119조제1항제2호다목1)" in _clauses(kr, "building_area_m2")


def test_every_profile_names_a_known_clause_for_each_adjustment(tmp_path):
    b = Builder()
    _box(b, roof_ring=rect(-1.5, -1.5, W + 1.5, D + 1.5))
    for name in (KR, JP, DE, NYC):
        ins, lf = _legal(tmp_path, b, name)
        for a in lf.adjustments:
            assert a.clause.article and a.clause.effective and a.clause.grade in ("P", "S"), (name, a)
        _explained(ins, lf)


def test_germany_counts_only_vollgeschosse(tmp_path):
    b = Builder()
    b.storey("EG", 0.0)
    b.storey("OG", 3.0)
    b.storey("DG", 6.0)  # 2.2 m to the roof slab: under Hamburg's 2.30 m, no Vollgeschoss
    b.block([("EG", 0.0), ("OG", 3.0), ("DG", 6.0)], rect(0, 0, W, D), 8.2, wall=T)
    ins, de = _legal(tmp_path, b, DE)
    assert ins.facts.whole.storeys_above_ground == 3
    assert de.storeys_above_ground == 2
    assert de.floor_area_m2 == pytest.approx(2 * W * D, rel=0.005)
    assert any("Vollgeschoss" in a.what for a in de.adjustments)
    _explained(ins, de)
    _, nrw = _legal(tmp_path, b, DE, vollgeschoss={"land": "NRW", "deck_above_ground_m": 1.6, "min_height_m": 2.2})
    assert nrw.storeys_above_ground == 3  # a Land whose Vollgeschoss needs 2.20 m


def test_new_york_leaves_cellars_out_of_floor_area(tmp_path):
    b = Builder()
    b.storey("C", -2.0)  # 3 m high, 2 m below the base plane: more than half below, a cellar
    b.storey("L1", 1.0)
    b.storey("L2", 4.0)
    b.block([("C", -2.0), ("L1", 1.0), ("L2", 4.0)], rect(0, 0, W, D), 7.0, wall=T)
    ins, nyc = _legal(tmp_path, b, NYC, ground_level_m=0.0)
    assert nyc.storeys_below_ground == 1 and nyc.storeys_above_ground == 2
    assert nyc.floor_area_m2 == pytest.approx(2 * W * D, rel=0.005)
    _explained(ins, nyc)
