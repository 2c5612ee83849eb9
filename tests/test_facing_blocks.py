"""Blocks on one lot facing each other (건축법 시행령 §86③2) and its sunlight alternative (단서).

Two slab blocks 20 m long and 10 m deep on one lot, the south one 3 storeys (9.3 m), the north one
5 (15.3 m), `gap` metres apart; every unit has a living room on the south and a bedroom on the
north, each with a window, grouped into a unit by an IfcZone. Answers by construction:
- the south block's bedroom windows face the north block: 가목, 0.5 x 9.3 = 4.65 m;
- the north block's living-room windows face the lower south block south of it: 나목, at least 10 m
  and 0.5 x 9.3 m (가목 would ask 0.5 x 15.3 = 7.65 m).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

from conftest import ROOT
from permitcheck.checks import CheckContext
from permitcheck.engine import evaluate
from permitcheck.facts import derive_facts
from permitcheck.model.types import Building, ElementMesh, Model, SpaceMesh, Storey, Window
from permitcheck.results import Status
from permitcheck.rulebook import building_uses, load_rulebook
from permitcheck.site import load_site

KR = load_rulebook(ROOT / "rules/kr/national.yaml")
ANCHOR = (300000.0, 500000.0)
LEN, DEPTH, STOREY = 20.0, 10.0, 3.0


def _box(gid, cls, x0, y0, z0, x1, y1, z1, storey, ptype=None):
    t = trimesh.creation.box(bounds=[[x0, y0, z0], [x1, y1, z1]])
    return ElementMesh(gid, cls, gid, ptype, storey, "B", None, np.asarray(t.vertices, float), np.asarray(t.faces))


def _room(gid, name, x0, y0, z0, x1, y1, z1, storey, unit):
    t = trimesh.creation.box(bounds=[[x0, y0, z0], [x1, y1, z1]])
    return SpaceMesh(gid, (name,), storey, "B", np.asarray(t.vertices, float), np.asarray(t.faces), unit)


def blocks(gap: float, south: int = 3, north: int = 5, named: bool = True, zones: bool = True,
           north_windows: bool = True, y_north: float | None = None) -> Model:
    """Two blocks: south at y 0..10, north at y (10 + gap)..(20 + gap), two units a storey each."""
    meshes, levels, spaces, windows = [], [], [], []
    y1 = DEPTH + gap if y_north is None else y_north
    for name, y0, storeys in (("S", 0.0, south), ("N", y1, north)):
        for i in range(storeys):
            z, sid = i * STOREY, f"{name}{i}"
            levels.append(Storey(sid, f"{name} {i}", z, z, "B"))
            meshes.append(_box(f"{name}slab{i}", "IfcSlab", 0, y0, z - 0.2, LEN, y0 + DEPTH, z, sid, "FLOOR"))
            meshes.append(_box(f"{name}wall{i}", "IfcWall", 0, y0, z, LEN, y0 + DEPTH, z + STOREY, sid))
            for k, x0 in enumerate((0.0, 10.0)):
                unit = f"{name}-unit-{i}-{k}" if zones else None
                living, bed = ("거실", "침실") if named else ("Room A", "Room B")
                spaces.append(_room(f"{name}L{i}{k}", living, x0 + 0.2, y0 + 0.2, z, x0 + 9.8, y0 + 5, z + 2.8, sid, unit))
                spaces.append(_room(f"{name}B{i}{k}", bed, x0 + 0.2, y0 + 5, z, x0 + 9.8, y0 + 9.8, z + 2.8, sid, unit))
                windows.append(Window(f"{name}wS{i}{k}", f"{name} living {i}{k}", (x0 + 4, y0, z + 0.9), 2.0, 1.4))
                if north_windows:
                    windows.append(Window(f"{name}wN{i}{k}", f"{name} bedroom {i}{k}", (x0 + 4, y0 + DEPTH, z + 0.9),
                                          1.5, 1.2))
        top = storeys * STOREY
        meshes.append(_box(f"{name}roof", "IfcSlab", 0, y0, top, LEN, y0 + DEPTH, top + 0.3, f"{name}{storeys - 1}",
                           "ROOF"))
    model = Model("synthetic", "", "IFC4", None, 1.0, None, [Building("B", "B")], levels, meshes)
    model.windows, model.spaces = windows, spaces
    return model


def site(tmp_path, model: Model):
    x0, y0, x1, y1 = derive_facts(model).whole.footprint.bounds
    e, n = ANCHOR
    ring = [[x0 - 12, y0 - 30], [x1 + 12, y0 - 30], [x1 + 12, y1 + 30], [x0 - 12, y1 + 30], [x0 - 12, y0 - 30]]
    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}}, "features": [
        {"type": "Feature", "properties": {"role": "parcel", "id": "P"},
         "geometry": {"type": "Polygon", "coordinates": [[[e + x, n + y] for x, y in ring]]}}]}
    path = tmp_path / "site.geojson"
    path.write_text(json.dumps(fc))
    return load_site(path, None, anchor=ANCHOR)


def findings(tmp_path, model: Model, use="아파트"):
    ctx = CheckContext(derive_facts(model).whole, site(tmp_path, model), tuple(model.elements),
                       KR.book.measurement_profile, declared=(("use", use),), windows=tuple(model.windows),
                       spaces=tuple(model.spaces), building_uses=tuple(building_uses(KR).items()))
    return {f.rule: f for f in evaluate(ctx, KR, "KR-R2G")}


def inner(finding, alternative: str) -> dict:
    (alt,) = [a for a in finding.m.details["alternatives"] if a.id == alternative]
    return {f.rule: f for f in alt.findings}


def separation(tmp_path, model):
    got = findings(tmp_path, model)["facing-blocks"]
    return got, inner(got, "separation")["block-separation"].m, inner(got, "unit-sunlight")["unit-sunlight"].m


def test_the_higher_block_s_living_rooms_facing_the_lower_block_south_need_10_m(tmp_path):
    _, m, _ = separation(tmp_path, blocks(12.0))
    assert m.status == Status.PASS and m.reason == "blocks_apart"
    by = {(e["block"], e["clause"]): e for e in m.details["listed"]}
    assert m.details["blocks"] == 2 and sorted(m.details["block_heights_m"]) == pytest.approx([9.3, 15.3])
    south_first = m.details["block_heights_m"][0] == pytest.approx(9.3)
    s, nb = (1, 2) if south_first else (2, 1)
    assert by[(nb, "나목")]["need_m"] == pytest.approx([10.0, 10.0])  # max(10, 0.5 x 9.3)
    assert by[(nb, "나목")]["distance_m"] == pytest.approx(12.0, abs=0.01)
    assert by[(s, "가목")]["need_m"] == pytest.approx([4.65, 4.65])


def test_8_m_fails_under_나목_though_가목_would_pass(tmp_path):
    _, m, _ = separation(tmp_path, blocks(8.0))
    assert m.status == Status.FAIL and m.reason == "blocks_too_close" and m.details["clause"] == "나목"
    assert m.measured == pytest.approx(8.0, abs=0.01) and m.limit == pytest.approx(10.0)


def test_without_room_names_나목_or_가목_is_the_officer_s_question(tmp_path):
    _, m, _ = separation(tmp_path, blocks(8.0, named=False))
    assert m.status == Status.REVIEW and m.reason == "facing_clause_open"
    assert m.details["clause"] == "가목 or 나목" and m.limit == pytest.approx(10.0)
    _, m, _ = separation(tmp_path, blocks(6.0, named=False))  # short of both 7.65 and 10
    assert m.status == Status.FAIL and m.limit == pytest.approx(7.65)
    _, m, _ = separation(tmp_path, blocks(11.0, named=False))
    assert m.status == Status.PASS


def test_the_lower_block_s_window_wall_takes_half_its_own_height(tmp_path):
    # the north block 2 storeys, lower than the south one: its south windows face a higher block (가목,
    # 0.5 x 6.3 = 3.15 m), the south block's north bedrooms face a lower block north of it (가목: 4.65 m)
    _, m, _ = separation(tmp_path, blocks(4.0, south=3, north=2))
    assert m.status == Status.FAIL and m.details["clause"] == "가목" and m.limit == pytest.approx(4.65)
    _, m, _ = separation(tmp_path, blocks(5.0, south=3, north=2))
    assert m.status == Status.PASS and m.limit == pytest.approx(4.65)


@pytest.mark.parametrize("gap, status", [(9.0, Status.PASS), (6.0, Status.REVIEW), (3.0, Status.FAIL)])
def test_walls_without_windows_8_m_passes_under_4_m_fails_and_between_asks_which_is_the_side_wall(
        tmp_path, gap, status):
    model = blocks(gap, north_windows=False)
    # side by side instead: the north block moved east of the south one, facing by their end walls
    moved = []
    for m in model.elements:
        if m.global_id.startswith("N"):
            v = m.vertices.copy()
            v[:, 0] += LEN + gap
            v[:, 1] -= DEPTH + gap
            m = ElementMesh(m.global_id, m.ifc_class, m.name, m.predefined_type, m.storey_id, m.building_id,
                            m.parent_class, v, m.faces)
        moved.append(m)
    model.elements = moved
    model.windows = [w if w.global_id.startswith("S") else
                     Window(w.global_id, w.name, (w.point[0] + LEN + gap, w.point[1] - DEPTH - gap, w.point[2]),
                            w.width_m, w.height_m) for w in model.windows]  # on the long walls, not the ends
    model.spaces = []
    _, m, _ = separation(tmp_path, model)
    assert m.status == status and m.details["clause"] == "라, 마목"
    assert m.measured == pytest.approx(gap, abs=0.01)
    model.windows = [w for w in model.windows if w.global_id.startswith("S")]  # a block with no window: a shed
    _, m, _ = separation(tmp_path, model)
    assert m.status == Status.NOT_APPLICABLE


def test_a_recess_in_one_block_is_review_not_fail(tmp_path):
    model = blocks(30.0, north=1, south=3)
    # a 2 m wide, 3 m deep notch in the south block's south face, a window in its side wall
    meshes = [m for m in model.elements if not m.global_id.startswith("Swall")]
    for i in range(3):
        z = i * STOREY
        meshes.append(_box(f"SwallA{i}", "IfcWall", 0, 0, z, 9, DEPTH, z + STOREY, f"S{i}"))
        meshes.append(_box(f"SwallB{i}", "IfcWall", 11, 0, z, LEN, DEPTH, z + STOREY, f"S{i}"))
        meshes.append(_box(f"SwallC{i}", "IfcWall", 9, 3, z, 11, DEPTH, z + STOREY, f"S{i}"))
    slabs = []
    for m in meshes:  # slabs and the roof follow the notch too
        if m.global_id.startswith("Sslab") or m.global_id == "Sroof":
            z0, z1 = float(m.vertices[:, 2].min()), float(m.vertices[:, 2].max())
            slabs += [_box(m.global_id + "a", "IfcSlab", 0, 0, z0, 9, DEPTH, z1, m.storey_id),
                      _box(m.global_id + "b", "IfcSlab", 11, 0, z0, LEN, DEPTH, z1, m.storey_id),
                      _box(m.global_id + "c", "IfcSlab", 9, 3, z0, 11, DEPTH, z1, m.storey_id)]
        else:
            slabs.append(m)
    model.elements = slabs
    model.windows = [Window("notch", "notch window", (9.0, 1.5, 0.9), 0.8, 1.0)]  # 0.8 m²: a daylight window
    model.spaces = []
    _, m, _ = separation(tmp_path, model)
    assert m.status == Status.REVIEW and m.reason == "facing_within_block"
    assert m.measured == pytest.approx(2.0, abs=0.01)


def test_far_apart_blocks_face_nothing_within_reach_and_an_office_is_not_asked(tmp_path):
    got = findings(tmp_path, blocks(12.0), use="업무시설")["facing-blocks"]
    assert got.m.status == Status.NOT_APPLICABLE
    one = blocks(12.0)
    one.elements = [m for m in one.elements if m.global_id.startswith("S")]
    one.windows = [w for w in one.windows if w.global_id.startswith("S")]
    _, m, _ = separation(tmp_path, one)
    assert m.status == Status.NOT_APPLICABLE and m.reason == "no_facing_parts"


# --- the alternative: every unit 2 h of sun in a row (단서) ---------------------------------------

def test_units_with_living_rooms_on_the_south_keep_their_sun_and_the_alternative_holds(tmp_path):
    # 8 m apart the north block fails 나목, and its living rooms look south over the 9.3 m block at
    # latitude 37.1: at true noon the sun stands 29.4 degrees up, so a window is lit only above
    # 9.3 - 8 x tan(29.4) = 4.8 m: the living rooms of the first two storeys (centres 1.6 and 4.6 m)
    # never see it (at 9 and 15 the sun is lower still, and clears the block's end for minutes)
    got, sep, sun = separation(tmp_path, blocks(8.0))
    assert sep.status == Status.FAIL
    assert sun.status == Status.FAIL and sun.reason == "units_dark"
    assert sun.details["units"] == 16
    dark = {u["unit"] for u in sun.details["listed_units"] if u["status"] == "FAIL"}
    assert dark and all(u.startswith("N-unit-0") or u.startswith("N-unit-1") for u in dark)
    assert got.m.status == Status.FAIL
    # 30 m apart every north living room sees the sun over the south block: both alternatives hold
    got, sep, sun = separation(tmp_path, blocks(30.0))
    assert sun.status == Status.PASS and sun.reason == "units_sunlit" and got.m.status == Status.PASS


def test_without_zones_each_living_room_is_a_unit_and_without_names_it_is_review(tmp_path):
    _, _, sun = separation(tmp_path, blocks(30.0, zones=False))
    # each living room is its unit; the bedrooms are in none, and (dark, facing north) are judged with it
    assert sun.status == Status.PASS and sun.details["units"] == 16
    _, _, sun = separation(tmp_path, blocks(30.0, named=False, zones=False))
    assert sun.status == Status.REVIEW and sun.reason == "units_unclear"


def test_short_of_나목_but_every_unit_sunlit_complies_through_the_alternative(tmp_path):
    # a one-storey block (3.3 m) 8 m south: 나목 still asks 10 m, but its shadow never reaches a window
    got, sep, sun = separation(tmp_path, blocks(8.0, south=1))
    assert sep.status == Status.FAIL and sep.limit == pytest.approx(10.0)
    assert sun.status == Status.PASS and sun.measured >= 2.0
    assert got.m.status == Status.PASS and got.m.details["holds"] == "unit-sunlight"


def test_an_ifc_model_s_zones_group_its_rooms_into_units_and_its_windows_are_placed():
    from permitcheck.checks.units import rooms_of_windows, units_of
    from permitcheck.inspection import inspect_model

    model = inspect_model(ROOT / "samples/buildings/blocks_close.ifc").model
    rooms_ = [s for s in model.spaces if s.unit]  # and the parking stalls every sample has, in no unit
    assert len(model.windows) == 32 and len(rooms_) == 32
    units = {s.unit for s in rooms_}
    assert len(units) == 16 and all(u.startswith(("South block", "North block")) and u.endswith(")") for u in units)
    rooms = rooms_of_windows(model.windows, model.spaces)
    assert len(rooms) == 32  # every window beside its room
    grouped, loose = units_of(list(model.windows), rooms)
    assert len(grouped) == 16 and not loose and all(len(v) == 2 for v in grouped.values())
    assert {rooms[w.global_id].kind for w in model.windows} == {"living", "bedroom"}


# --- cases a review found (each a wrong verdict before) -------------------------------------------

def _shift(model: Model, prefix: str, dx: float, dy: float) -> Model:
    """Move the elements, windows and rooms whose ids start with `prefix`."""
    def moved(v):
        v = v.copy()
        v[:, 0] += dx
        v[:, 1] += dy
        return v
    model.elements = [ElementMesh(m.global_id, m.ifc_class, m.name, m.predefined_type, m.storey_id, m.building_id,
                                  m.parent_class, moved(m.vertices), m.faces) if m.global_id.startswith(prefix) else m
                      for m in model.elements]
    model.windows = [Window(w.global_id, w.name, (w.point[0] + dx, w.point[1] + dy, w.point[2]), w.width_m, w.height_m)
                     if w.global_id.startswith(prefix) else w for w in model.windows]
    model.spaces = [SpaceMesh(s.global_id, s.names, s.storey_id, s.building_id, moved(s.vertices), s.faces, s.unit)
                    if s.global_id.startswith(prefix) else s for s in model.spaces]
    return model


def test_the_whole_window_wall_is_measured_not_only_straight_out_from_its_windows(tmp_path):
    # the south block's north windows stand at x = 4 only; the north block, 1 m off, spans x 14..34:
    # no window looks straight at it, but the wall they are in does
    model = _shift(blocks(1.0, south=3, north=3), "N", 14.0, 0.0)
    model.windows = [w for w in model.windows if not w.global_id.startswith("NwS")
                     and not (w.global_id.startswith("SwN") and w.global_id.endswith("1"))]
    _, m, _ = separation(tmp_path, model)
    assert m.status == Status.FAIL and m.details["clause"] == "가목" and m.limit == pytest.approx(4.65)


@pytest.mark.parametrize("keep", [("SwS", "NwN"), ("SwN", "NwS")])
def test_end_walls_1_m_apart_fail_whichever_long_walls_hold_the_windows(tmp_path, keep):
    model = _shift(blocks(1.0), "N", LEN + 1.0, -(DEPTH + 1.0))
    model.windows = [w for w in model.windows if w.global_id.startswith(keep)]
    model.spaces = []
    _, m, _ = separation(tmp_path, model)
    assert m.status == Status.FAIL and m.details["clause"] == "라, 마목" and m.limit == pytest.approx(4.0)


def test_blocks_of_one_height_leave_가목_or_나목_open(tmp_path):
    _, m, _ = separation(tmp_path, blocks(8.0, south=5, north=5))  # 가목 7.65 m, 나목 10 m: "the higher" is not told
    assert m.status == Status.REVIEW and m.details["clause"] == "가목 or 나목"


def test_living_rooms_facing_away_from_the_lower_block_take_가목(tmp_path):
    import dataclasses

    model = blocks(8.0, south=5, north=3)  # true north turned: the south block is the north one, its
    place = site(tmp_path, model)          # living rooms look north over nothing, its bedrooms at the lower block
    ctx = CheckContext(derive_facts(model).whole, dataclasses.replace(place, true_north=np.array([0.0, -1.0])),
                       tuple(model.elements), KR.book.measurement_profile, declared=(("use", "아파트"),),
                       windows=tuple(model.windows), spaces=tuple(model.spaces),
                       building_uses=tuple(building_uses(KR).items()))
    got = {f.rule: f for f in evaluate(ctx, KR, "KR-R2G")}["facing-blocks"]
    m = inner(got, "separation")["block-separation"].m
    assert m.status == Status.PASS and m.details["clause"] == "가목" and m.limit == pytest.approx(7.65)


def test_a_block_with_no_window_may_be_a_부대시설_so_다목_is_asked_too(tmp_path):
    model = blocks(4.0, south=1, north=10)  # the 30.3 m block's living rooms 4 m from a 3.3 m windowless block
    model.windows = [w for w in model.windows if w.global_id.startswith("N")]
    _, m, _ = separation(tmp_path, model)
    assert m.status == Status.REVIEW and m.details["clause"] == "나목 or 다목"  # 10 m, or 1 x 3.3 m
    model = blocks(3.0, south=1, north=10)
    model.windows = [w for w in model.windows if w.global_id.startswith("N")]
    _, m, _ = separation(tmp_path, model)
    assert m.status == Status.FAIL  # short of both


def test_a_zone_of_several_living_rooms_is_no_unit_and_a_unit_with_no_window_is_review(tmp_path):
    model = blocks(8.0)
    model.spaces = [SpaceMesh(s.global_id, s.names, s.storey_id, s.building_id, s.vertices, s.faces, "Heating zone")
                    for s in model.spaces]
    _, _, sun = separation(tmp_path, model)
    assert sun.status == Status.FAIL and sun.details["failing_units"] == 4  # each living room its own unit
    model = blocks(30.0)
    model.windows = [w for w in model.windows if w.global_id not in ("NwS40", "NwN40")]
    _, _, sun = separation(tmp_path, model)
    assert sun.status == Status.REVIEW and sun.details["units"] == 16
    assert {"unit": "N-unit-4-0", "by": "no window"}.items() <= \
        [u for u in sun.details["listed_units"] if u["unit"] == "N-unit-4-0"][0].items()


def test_a_window_that_cannot_be_put_on_a_wall_leaves_the_windows_check_unknown(tmp_path):
    from permitcheck.checks import CHECKS
    from permitcheck.rulebook.schema import SunlightHours

    model = blocks(30.0)
    model.windows = [*model.windows, Window("inner", "inner", (10.0, 5.0, 0.9), 1.0, 1.0)]  # deep inside a block
    ctx = CheckContext(derive_facts(model).whole, site(tmp_path, model), tuple(model.elements),
                       KR.book.measurement_profile, windows=tuple(model.windows))
    rule = SunlightHours(id="w", kind="sunlight_hours", receptors="windows", continuous="2 h",
                         citation={"source": "x", "article": "y"})
    m = CHECKS["sunlight_hours"](rule, ctx)
    assert m.status != Status.PASS and m.details["windows_not_placed"] == ["inner"]
