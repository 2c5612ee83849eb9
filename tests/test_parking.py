"""min_parking (Korea, 주차장법 시행령 §6, 별표 1): known answers on boxes whose floor area is set by
construction (W x D = 240 m² a storey), against the shipped national rulebook and a city that writes
its ordinance's rates."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

from conftest import ROOT, copy_rulebook
from permitcheck.checks import CheckContext
from permitcheck.engine import evaluate
from permitcheck.errors import InputError
from permitcheck.facts import derive_facts
from permitcheck.model.types import SpaceMesh
from permitcheck.results import Status
from permitcheck.rulebook import RulebookError, building_uses, load_rulebook
from test_context_rules import house
from test_shipped_rules import parcel_site

KR = load_rulebook(ROOT / "rules/kr/national.yaml")


def _stall(gid: str, x: float, y: float, w: float = 2.5, d: float = 5.0, name: str = "주차구획", storey="S0",
           predefined: str = "PARKING"):
    t = trimesh.creation.box(bounds=[[x, y, 0.0], [x + w, y + d, 2.4]])
    return SpaceMesh(gid, (name, predefined), storey, "B", np.asarray(t.vertices, float), np.asarray(t.faces))


def _parking(book, model, site, declared=(), spaces=(), zone="KR-R2G"):
    ctx = CheckContext(derive_facts(model).whole, site, tuple(model.elements), book.book.measurement_profile,
                       declared=tuple(declared), spaces=tuple(spaces),
                       building_uses=tuple(building_uses(book).items()))
    return {f.rule: f for f in evaluate(ctx, book, zone)}["parking"].m


@pytest.fixture
def site(tmp_path):
    return parcel_site(tmp_path, west=8, south=8, east=8, north=8)


@pytest.mark.parametrize("provided, status, reason", [
    (12, Status.PASS, "parking_enough"),     # 1200 / 150 = 8, strengthened by half: 12
    (3, Status.FAIL, "parking_short"),       # relaxed by half: 4
    (8, Status.UNKNOWN, "parking_range"),    # the national rate: the city's ordinance decides
])
def test_an_office_needs_one_space_per_150_m2_within_the_ordinance_s_half(site, provided, status, reason):
    m = _parking(KR, house(5, 3.0), site, declared=[("use", "업무시설"), ("parking_spaces", str(provided))])
    assert m.details["floor_area_m2"] == pytest.approx(1200.0)
    assert m.details["required_range"] == [4.0, 12.0]
    assert (m.status, m.reason, m.measured) == (status, reason, provided)


def _city(tmp_path, rates: str, extra: str = "") -> object:
    """A city rulebook whose parking rule writes `rates` over the national table, with local_share 0."""
    import yaml

    from permitcheck.rulebook.resolve import find_rule

    national = find_rule(KR, "KR-R2G", "parking")
    table = {use: {k: f"{v} m2" if isinstance(v, float) else v for k, v in r.model_dump(exclude_defaults=True).items()}
             for use, r in national.rates.items()}
    table.update(yaml.safe_load(rates))
    rates = json.dumps(table, ensure_ascii=False)
    copy_rulebook(ROOT / "rules/kr/national.yaml", tmp_path / "national.yaml")
    p = tmp_path / "city.yaml"
    p.write_text(f"""rulebook: city
title: city
jurisdiction: KR
version: "1"
effective_from: 2024-01-01
extends: national.yaml
rules:
  - id: parking
    kind: min_parking
    rates: {rates}
    otherwise: 300 m2
    local_share: 0
{extra}    citation: {{source: parking-decree, article: "별표 1"}}
""", encoding="utf-8")
    return load_rulebook(p)


def test_a_city_s_ordinance_rate_gives_one_count(tmp_path, site):
    city = _city(tmp_path, "{업무시설: 100 m2, 단독주택: {none_up_to: 50 m2, first: 1, first_up_to: 150 m2, per: 100 m2}}")
    office = [("use", "office")]
    assert _parking(city, house(5, 3.0), site, office + [("parking_spaces", "12")]).status == Status.PASS
    m = _parking(city, house(5, 3.0), site, office + [("parking_spaces", "11")])
    assert (m.status, m.limit, m.margin) == (Status.FAIL, 12.0, -1.0)
    # 단독주택 240 m²: one space up to 150 m², one per 100 m² beyond: 1.9, rounded half up: 2
    m = _parking(city, house(1, 3.0), site, [("use", "단독주택"), ("parking_spaces", "1")])
    assert (m.status, m.limit) == (Status.FAIL, 2.0)
    # a use without a rate of its own takes 그 밖의 건축물 (300 m²): 1200 / 300 = 4
    m = _parking(city, house(5, 3.0), site, [("use", "교육연구시설"), ("parking_spaces", "4")])
    assert (m.status, m.limit) == (Status.PASS, 4.0)


@pytest.mark.parametrize("rate, ok", [("100 m2", True), ("300 m2", True), ("90 m2", False), ("320 m2", False)])
def test_a_city_s_rate_must_lie_within_half_of_the_national_one(tmp_path, rate, ok):
    """150 m² a space, strengthened by half (100 m²) or relaxed by half (300 m²), no further."""
    if ok:
        _city(tmp_path, f"{{업무시설: {rate}}}")
    else:
        with pytest.raises(RulebookError, match="loosens"):
            _city(tmp_path, f"{{업무시설: {rate}}}")


def test_rates_are_read_as_areas_and_name_known_uses(tmp_path):
    with pytest.raises(RulebookError, match="1,000 m2"):
        _city(tmp_path, "{업무시설: '1,000 m2'}")
    with pytest.raises(RulebookError, match="not under 'building_uses:'"):
        _city(tmp_path, "{업무시설: 100 m2, 우주정거장: 100 m2}")
    with pytest.raises(RulebookError, match="exactly one of 'per'"):
        _city(tmp_path, "{업무시설: {none_up_to: 50 m2}}")


def test_housing_is_set_by_another_regulation_and_an_unknown_use_is_unknown(site):
    m = _parking(KR, house(5, 3.0), site, [("use", "아파트"), ("parking_spaces", "0")])
    assert (m.status, m.reason) == (Status.REVIEW, "parking_rate_elsewhere")
    assert "주택건설기준" in m.details["set_by"]
    m = _parking(KR, house(5, 3.0), site, [("use", "공동주택"), ("parking_spaces", "0")])  # three categories
    assert m.status == Status.REVIEW
    m = _parking(KR, house(5, 3.0), site, [("parking_spaces", "100")])
    assert (m.status, m.reason) == (Status.UNKNOWN, "use_unknown")
    m = _parking(KR, house(5, 3.0), site, [("use", "우주정거장"), ("parking_spaces", "100")])
    assert (m.status, m.reason) == (Status.UNKNOWN, "use_unknown")


def test_stalls_are_counted_from_the_model_and_a_hall_leaves_the_count_open(site):
    office = [("use", "업무시설")]
    stalls = [_stall(f"p{i}", 2.5 * i, 0.0) for i in range(12)]
    m = _parking(KR, house(5, 3.0), site, office, spaces=stalls)
    assert (m.status, m.measured) == (Status.PASS, 12.0) and len(m.details["stalls"]) == 12
    m = _parking(KR, house(5, 3.0), site, office, spaces=stalls[:3])
    assert (m.status, m.measured, m.limit) == (Status.FAIL, 3.0, 4.0)
    hall = _stall("hall", 0.0, 0.0, 20.0, 12.0, name="Garage", predefined="SPACE")  # 240 m²: stalls not drawn
    m = _parking(KR, house(5, 3.0), site, office, spaces=[hall, *stalls[:3]])
    assert (m.status, m.reason) == (Status.UNKNOWN, "no_parking_count")
    assert "not one stall each" in m.details["provided_basis"]
    m = _parking(KR, house(5, 3.0), site, office)  # nothing in the model, nothing declared
    assert (m.status, m.reason) == (Status.UNKNOWN, "no_parking_count")
    office_room = _stall("o1", 0.0, 0.0, name="Office", predefined="SPACE")  # stall-sized, but no parking
    assert _parking(KR, house(5, 3.0), site, office, spaces=[office_room]).reason == "no_parking_count"
    # the declaration is what the applicant says is on the lot: it wins over the model
    assert _parking(KR, house(5, 3.0), site, office + [("parking_spaces", "12")], spaces=stalls[:3]).status == \
        Status.PASS


def test_the_parking_s_own_floor_area_is_judged_both_ways_until_the_rulebook_says(tmp_path, site):
    """A 240 m² parking hall on the ground storey of a 1200 m² office: 960 or 1200 m²."""
    hall = _stall("hall", 0.0, 0.0, 20.0, 12.0, name="Parking")
    m = _parking(KR, house(5, 3.0), site, [("use", "업무시설"), ("parking_spaces", "7")], spaces=[hall])
    assert m.details["parking_floor_area_m2"] == pytest.approx(240.0)
    assert m.details["required_range"] == [3.0, 12.0]  # 960/150 x 0.5 = 3.2; 1200/150 x 1.5 = 12
    assert "240.0 m²" in m.details["why_range"] and m.status == Status.UNKNOWN
    city = _city(tmp_path, "{업무시설: 150 m2}", extra="    parking_area: excluded\n")
    m = _parking(city, house(5, 3.0), site, [("use", "업무시설"), ("parking_spaces", "6")], spaces=[hall])
    assert (m.status, m.limit) == (Status.PASS, 6.0)  # 960 / 150 = 6.4 → 6
    m = _parking(city, house(5, 3.0), site, [("use", "업무시설"), ("parking_spaces", "5")], spaces=[hall])
    assert m.status == Status.FAIL


def test_a_declared_count_must_be_a_whole_number():
    from permitcheck.checking import _declared

    assert _declared({"parking_spaces": " 12 "}) == (("parking_spaces", "12"),)
    for bad in ("12.5", "-1", "twelve", "1e3", "1,200"):
        with pytest.raises(InputError, match="whole number"):
            _declared({"parking_spaces": bad})


def test_a_small_house_needs_no_space(tmp_path, site):
    """단독주택 of 50 m² or less: none (별표 1 제4호)."""
    from permitcheck.model.types import Building, Model, Storey
    from test_shipped_rules import _box

    small = Model("s", "", "IFC4", None, 1.0, None, [Building("B", "B")], [Storey("S0", "L0", 0, 0, "B")],
                  [_box("slab", "IfcSlab", 0, 0, -0.2, 7, 7, 0, "S0", "FLOOR"),
                   _box("wall", "IfcWall", 0, 0, 0, 7, 7, 3, "S0")])
    m = _parking(KR, small, site, [("use", "단독주택")])
    assert (m.status, m.reason, m.limit) == (Status.PASS, "parking_enough", 0.0)


@pytest.mark.parametrize("model", ["box_m.ifc", "box_ft.ifc", "podium_tower.ifc"])
def test_stalls_are_read_from_the_sample_ifc(model):
    """The samples hold their stalls as IfcSpaces on the IfcSite: PredefinedType PARKING (IFC4) or
    only the name (IFC2X3, box_ft); every one is counted, none is floor area."""
    import json as _json

    from permitcheck.checking import check_model

    expected = _json.loads((ROOT / "samples/buildings/expected.json").read_text())[model]
    site = "podium_north.geojson" if model.startswith("podium") else "box_ok.geojson"
    r = check_model(ROOT / "samples/buildings" / model, ROOT / "samples/sites" / site, ROOT / "rules/kr/national.yaml",
                    anchor=(220000.0, 560000.0))
    (f,) = [f for f in r.findings if f.rule == "parking"]
    assert f.m.measured == expected["parking_stalls"] and len(f.m.details["stalls"]) == expected["parking_stalls"]
    assert f.m.details["parking_floor_area_m2"] == 0.0  # on the site, under no storey
    assert f.m.status == Status.PASS and f.m.details["context"]["use"]["value"] == ["업무시설"]
