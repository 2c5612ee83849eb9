"""Every rule of every shipped rulebook, in every zone it is in force: one passing, one failing case.

The building is synthetic (boxes as element meshes, storeys of 3 m) so it can be sized to each
rule's own figures; the facts are derived from it the normal way and the parcel is drawn around it.
A rule inside an alternative of an `any_of` is tested as its own case; a rule with a `when` in the
first context (declarations, what the parcel states, a compact or a spacious lot) where it is in
force; a limit that depends on the lot at the value it takes there.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import trimesh

from conftest import ROOT
from permitcheck.checks import CHECKS, CheckContext
from permitcheck.checks.conditions import truth
from permitcheck.checks.limits import limit_of
from permitcheck.rulebook.conditions import is_expression
from permitcheck.rulebook.schema import AnyOf, DistanceRange
from permitcheck.checks.setback import pieces
from permitcheck.facts import derive_facts
from permitcheck.model.types import Building, ElementMesh, Model, Storey, Window
from permitcheck.results import Status
from permitcheck.rulebook import building_uses, load_rulebook, rules_for_zone, zone_codes
from permitcheck.site import load_site

W, D, STOREY = 20.0, 12.0, 3.0
SIDES = {"north": ["north"], "rear": ["north"], "front": ["south"], "road": ["south"],
         "side": ["west", "east"], "any": ["west", "south", "east", "north"]}
ANCHOR = (300000.0, 500000.0)


def _box(gid, cls, x0, y0, z0, x1, y1, z1, storey, ptype=None):
    t = trimesh.creation.box(bounds=[[x0, y0, z0], [x1, y1, z1]])
    return ElementMesh(gid, cls, gid, ptype, storey, "B", None, np.asarray(t.vertices, float), np.asarray(t.faces))


def building(storeys: int) -> Model:
    meshes, levels = [], []
    for i in range(storeys):
        z = i * STOREY
        sid = f"S{i}"
        levels.append(Storey(sid, f"Level {i}", z, z, "B"))
        meshes.append(_box(f"slab{i}", "IfcSlab", 0, 0, z - 0.2, W, D, z, sid, "FLOOR"))
        meshes.append(_box(f"wall{i}", "IfcWall", 0, 0, z, W, D, z + STOREY, sid))
    top = storeys * STOREY
    meshes.append(_box("roof", "IfcSlab", 0, 0, top, W, D, top + 0.3, f"S{storeys - 1}", "ROOF"))
    return Model("synthetic", "", "IFC4", None, 1.0, None, [Building("B", "B")], levels, meshes)


def height_of(storeys: int) -> float:
    return storeys * STOREY + 0.3


def parcel_site(tmp_path, west, south, east, north, road_width=8.0, props=None, west_road=None, context=()):
    e, n = ANCHOR
    ring = [[-west, -south], [W + east, -south], [W + east, D + north], [-west, D + north], [-west, -south]]
    road = [[-west - 5, -south - 8], [W + east + 5, -south - 8], [W + east + 5, -south], [-west - 5, -south],
            [-west - 5, -south - 8]]
    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}}, "features": [
        {"type": "Feature", "properties": {"role": "parcel", "id": "P", **(props or {})},
         "geometry": {"type": "Polygon", "coordinates": [[[e + x, n + y] for x, y in ring]]}},
        {"type": "Feature", "properties": {"role": "road", "width": road_width},
         "geometry": {"type": "Polygon", "coordinates": [[[e + x, n + y] for x, y in road]]}}]}
    if west_road:  # a second street along the west edge: a corner lot
        ring_w = [[-west - west_road, -south - 8], [-west, -south - 8], [-west, D + north + 5],
                  [-west - west_road, D + north + 5], [-west - west_road, -south - 8]]
        fc["features"].append({"type": "Feature", "properties": {"role": "road", "width": west_road},
                               "geometry": {"type": "Polygon", "coordinates": [[[e + x, n + y] for x, y in ring_w]]}})
    for x0, y0, x1, y1, h in context:  # context buildings (model metres) with their heights
        ring_c = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        fc["features"].append({"type": "Feature", "properties": {"role": "building", "height": h},
                               "geometry": {"type": "Polygon", "coordinates": [[[e + x, n + y] for x, y in ring_c]]}})
    tag = abs(hash(json.dumps([props, west_road, list(context)], sort_keys=True))) % 10**8 \
        if props or west_road or context else 0
    p = tmp_path / f"site_{west}_{south}_{east}_{north}_{road_width}_{tag}.geojson".replace("-", "m")
    p.write_text(json.dumps(fc))
    return load_site(p, None, anchor=ANCHOR)


def margin_for_area(area: float) -> float:
    """Equal margin m around the building so that (W + 2m)(D + 2m) = area (negative: smaller)."""
    return (-(W + D) + math.sqrt((W + D) ** 2 - 4 * (W * D - area))) / 4


def scenario(rule, tmp_path, passing: bool, context: dict | None = None):
    """(model, site) sized to the rule's own figure: room to spare, or clearly over."""
    context = context or {}
    far_margin = context.get("margin", 30.0)
    storeys = 3
    street = getattr(rule, "street", None)  # a wide- or narrow-street rule gets a street of its kind
    road_w = 8.0 if street is None else (street.at_least + 1.0 if street.at_least is not None else street.below - 1.0)
    road_w = context.get("road_width", road_w)
    sides = dict(west=far_margin, south=far_margin, east=far_margin, north=far_margin)
    if rule.kind == "max_height":
        storeys = max(1, math.floor((rule.limit - 0.3 - 0.5) / STOREY)) if passing else \
            math.ceil(rule.limit / STOREY) + 1
    elif rule.kind == "max_storeys":
        storeys = rule.limit if passing else rule.limit + 1
    elif rule.kind in ("max_coverage", "max_far"):
        basis = W * D * (storeys if rule.kind == "max_far" else 1)
        area = basis / rule.limit * (1.25 if passing else 0.8)
        m = margin_for_area(area)
        sides = dict(west=m, south=m, east=m, north=m)
    elif rule.kind == "max_footprint_area":
        pytest.skip("no shipped rule of this kind")  # pragma: no cover
    elif rule.kind == "min_setback":
        thresholds = [lo for lo, hi, a, b in pieces(rule.distance)] + \
                     [hi for lo, hi, a, b in pieces(rule.distance) if hi != math.inf]
        storeys = max(3, math.ceil((max(thresholds) + 6) / STOREY))
        h = height_of(storeys)
        need = max(a * min(max(hi, 0), h) + b if a else b
                   for lo, hi, a, b in pieces(rule.distance) if lo < h)
        if isinstance(rule.distance, DistanceRange):  # clear of the highest figure, or short of the lowest
            need = rule.distance.at_most if passing else rule.distance.at_least
        gap = need + 1.0 if passing else need - 0.5
        assert gap >= 0, "a failing case needs a positive gap"
        which = SIDES[rule.from_]
        for k in which:
            sides[k] = gap
    elif rule.kind == "plane":
        labels = [rule.from_] if isinstance(rule.from_, str) else rule.from_
        which = [k for lab in labels for k in SIDES[lab]]
        road = road_w if rule.base == "far_side_of_road" else 0.0
        factor = 2.0 if rule.setback_relief else 1.0  # relief moves the line out by the building's gap
        lowest = max(rule.start_height, rule.above or 0.0, rule.clear.above if rule.clear else 0.0)
        if passing:
            storeys = max(3, math.ceil((lowest + 3) / STOREY))
            h = height_of(storeys)
            need = max((h - rule.start_height) / rule.slope if h > (rule.above or 0) else 0.0,
                       rule.clear.distance if rule.clear and h > rule.clear.above else 0.0)
            gap = max(0.5, (need + 1.0 - road) / factor)
        else:
            gap = 0.5
            d = gap * factor + road
            storeys = math.ceil((max(lowest, rule.start_height + rule.slope * (d + 2.0)) + 1) / STOREY)
        for k in which:
            sides[k] = gap
    elif rule.kind == "window_setback":  # a window in the north wall, the north lot line sized to its rule
        need = height_of(storeys) / rule.ratio
        sides["north"] = need + 1.0 if passing else need - 0.5
        model = building(storeys)
        model.windows = [Window("win", "north window", (W / 2, D, 1.0), 1.5, 1.5)]
        return model, parcel_site(tmp_path, **sides, road_width=road_w, props=context.get("props"),
                                  west_road=context.get("west_road"))
    elif rule.kind == "shadow_hours":  # bound in every row (over 10 m, four storeys); lot lines far off, or near
        storeys = max(storeys, 4)
        if passing:
            sides = {k: 60.0 for k in sides}  # its shadow reaches 5 m beyond them only in the first minutes
        else:
            sides["north"] = 0.5
    elif rule.kind in ("block_separation", "sunlight_hours") and getattr(rule, "receptors", "units") == "units":
        from test_facing_blocks import blocks, site  # two apartment blocks, 5 storeys behind 3: 12 m or 8 m apart
        model = blocks(30.0 if passing else 8.0)
        return model, site(tmp_path, model)
    elif rule.kind == "sunlight_hours":  # a 6 m house 3 m north of the lot: a one-storey building, or ten near it
        storeys, sides["north"] = (1, 30.0) if passing else (10, 2.0)
        house = (0.0, D + sides["north"] + 3.0, W, D + sides["north"] + 11.0, 6.0)
        return building(storeys), parcel_site(tmp_path, **sides, road_width=road_w, props=context.get("props"),
                                              west_road=context.get("west_road"), context=[house])
    elif rule.kind == "envelope":
        if not passing:
            sides["west"] = -5.0
    elif rule.kind == "within":
        if not passing:
            sides["west"] = -5.0
    return building(storeys), parcel_site(tmp_path, **sides, road_width=road_w, props=context.get("props"),
                                          west_road=context.get("west_road"))


def shipped():
    for path in sorted((ROOT / "rules").rglob("*.yaml")):
        loaded = load_rulebook(path)
        for zone in sorted(set(zone_codes(loaded).values())):
            rules = rules_for_zone(loaded, zone)
            common = [r for r in rules if not isinstance(r, AnyOf)]
            for rule in rules:
                if not isinstance(rule, AnyOf):
                    yield pytest.param(loaded, zone, rule, common,
                                       id=f"{path.parent.name}/{path.stem}:{zone}:{rule.id}")
                    continue
                for alt in rule.alternatives:
                    for inner in alt.rules:
                        yield pytest.param(loaded, zone, inner, common + list(alt.rules),
                                           id=f"{path.parent.name}/{path.stem}:{zone}:{rule.id}/{alt.id}/{inner.id}")


# Where a rule is in force: what the applicant declares, what the parcel states, the lot's size.
STATED = {"designated_coverage": "50 %", "absolute_height": "12 m",
          "shadow_regulated": True, "shadow_column": 1, "shadow_plane_height": "4 m"}  # 日影規制, as an ordinance says
CONTEXTS = [
    {"props": STATED},
    {"props": STATED, "declared": {"use": "residential", "building_class": "2", "building_type": "detached"}},
    {"props": STATED, "margin": 3.0},  # a compact lot: within 100 ft of its street
    {"props": STATED, "margin": 3.0, "west_road": 30.0},  # a compact corner lot on a wide street
    {"props": {**STATED, "lot_width": "35 ft"}, "declared": {"building_type": "attached"}},
    {"props": STATED, "declared": {"use": "아파트"}},
    {"props": STATED, "declared": {"use": "연립주택"}},
]


def in_force(rule, loaded, tmp_path) -> tuple[dict, object]:
    """The first context where the rule's `when` holds and its limit is a single value; the rule with
    that value as its limit, so the scenario can size the building to it."""
    for context in CONTEXTS:
        for passing in (True, False):
            probe = rule if not is_expression(getattr(rule, "limit", None)) else \
                rule.model_copy(update={"limit": 1.0 if rule.kind in ("max_coverage",) else 10.0})
            model, site = scenario(probe, tmp_path, passing, context)
            ctx = CheckContext(derive_facts(model).whole, site, tuple(model.elements),
                               loaded.book.measurement_profile, declared=tuple(context.get("declared", {}).items()),
                               building_uses=tuple(building_uses(loaded).items()))
            if rule.when is not None and truth(rule.when, ctx, {}) is not True:
                break
            if is_expression(getattr(rule, "limit", None)):
                lim = limit_of(rule, ctx)
                if not lim.known:
                    break
                return context, rule.model_copy(update={"limit": lim.low})
            return context, rule
    pytest.fail(f"no context puts {rule.id} in force with a known limit")


@pytest.mark.parametrize("loaded,zone,rule,in_zone", list(shipped()))
def test_shipped_rule_passes_and_fails(loaded, zone, rule, in_zone, tmp_path):
    if rule.kind == "manual":  # a question for the officer: never decided by the machine
        model, site = scenario(rule, tmp_path, True)
        ctx = CheckContext(derive_facts(model).whole, site, tuple(model.elements), loaded.book.measurement_profile)
        m = CHECKS[rule.kind](rule, ctx)
        assert m.status == Status.REVIEW and m.details["question"]
        return
    if rule.kind == "min_parking":  # a 720 m² office: spaces declared beyond the widest count, or none
        for passing, expected in ((True, Status.PASS), (False, Status.FAIL)):
            model, site = scenario(rule, tmp_path, passing)
            declared = (("parking_spaces", "1000" if passing else "0"), ("use", "업무시설"))
            ctx = CheckContext(derive_facts(model).whole, site, tuple(model.elements), loaded.book.measurement_profile,
                               declared=declared, building_uses=tuple(building_uses(loaded).items()))
            m = CHECKS[rule.kind](rule, ctx)
            assert m.status == expected and m.details["floor_area_m2"] == pytest.approx(720.0), (passing, m)
        return
    context, sized = in_force(rule, loaded, tmp_path)
    for passing, expected in ((True, Status.PASS), (False, Status.FAIL)):
        model, site = scenario(sized, tmp_path, passing, context)
        facts = derive_facts(model).whole
        ctx = CheckContext(facts, site, tuple(model.elements), loaded.book.measurement_profile,
                           tuple(r for r in in_zone if r.when is None or r.when == rule.when),
                           declared=tuple(context.get("declared", {}).items()), windows=tuple(model.windows),
                           spaces=tuple(model.spaces), building_uses=tuple(building_uses(loaded).items()))
        if rule.when is not None:
            assert truth(rule.when, ctx, {}) is True, "the sized lot left the context the rule is in force in"
        m = CHECKS[rule.kind](rule, ctx)
        assert m.status == expected, (passing, context, m)
