"""plane and envelope rules on solid boxes whose penetration depth and volume are known by hand.

Each building is made of solid box elements, so the volume of the building over a plane is the
volume of a prism worked out on paper. The parcel (from test_shipped_rules) is drawn around a
W x D building at (0, 0)-(W, D); its north edge runs along y = D + north gap.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import trimesh

from permitcheck.checks import CHECKS, CheckContext
from permitcheck.facts import derive_facts
from permitcheck.model.types import Building, ElementMesh, Model, Storey
from permitcheck.rulebook.schema import Envelope, MaxHeight, MeasurementProfile, MinSetback, Plane
from permitcheck.site import load_site
from test_shipped_rules import ANCHOR, D, W, parcel_site

CITE = {"source": "x", "article": "1"}


def block(gid, x0, y0, z0, x1, y1, z1, storey="S0", ptype="FLOOR", cls="IfcSlab") -> ElementMesh:
    t = trimesh.creation.box(bounds=[[x0, y0, z0], [x1, y1, z1]])
    return ElementMesh(gid, cls, gid, ptype, storey, "B", None, np.asarray(t.vertices, float), np.asarray(t.faces))


def model(*blocks: ElementMesh) -> Model:
    return Model("synthetic", "", "IFC4", None, 1.0, None, [Building("B", "B")],
                 [Storey("S0", "Level 0", 0.0, 0.0, "B")], list(blocks))


def box(height: float) -> Model:
    """A solid W x D block from the ground up to `height`."""
    return model(block("box", 0, 0, 0, W, D, height))


def ctx_for(m: Model, site, rules=()) -> CheckContext:
    return CheckContext(derive_facts(m).whole, site, tuple(m.elements), MeasurementProfile(), tuple(rules))


def plane(**kw) -> Plane:
    return Plane.model_validate({"id": kw.pop("id", "p"), "kind": "plane", "citation": CITE, **kw})


def run(rule, m, site, rules=()):
    return CHECKS[rule.kind](rule, ctx_for(m, site, rules))


def test_box_over_a_plane_depth_and_volume(tmp_path):
    # plane h = 2 d from the north edge; the box's north face stands 4 m from it, 20 m tall:
    # 12 m above the plane there; over the plane for d in [4, 10]: V = W * (20 - 8)^2 / (2 * 2)
    site = parcel_site(tmp_path, 10, 10, 10, 4)
    m = run(plane(**{"from": "north"}, slope=2), box(20.0), site)
    assert m.status.value == "FAIL" and m.reason == "over_plane"
    assert m.measured == pytest.approx(4.0, abs=1e-6) and m.limit == pytest.approx(10.0, abs=1e-6)
    assert m.margin == pytest.approx(-6.0, abs=1e-6)
    assert m.details["depth_m"] == pytest.approx(12.0, abs=1e-6)
    assert m.details["allowed_height_m"] == pytest.approx(8.0, abs=1e-6)
    assert m.details["volume_outside_m3"] == pytest.approx(W * 12.0 ** 2 / 4, rel=0.01)
    assert m.global_ids == ("box",)
    # the plan of the part over the plane: the strip of the box within 10 m of the edge
    assert m.where.area == pytest.approx(W * 6.0, rel=0.01)


def test_stepped_tower_only_the_tower_pokes_through(tmp_path):
    # podium 6 m high at 4 m from the north edge; tower 6..24 m set back 6 m (its face at d = 10).
    # Plane h = 2 d above 10 m: the tower is over it for d in [10, 12]: V = 10 * (24 - 20)^2 / 4 = 40.
    m_ = model(block("podium", 0, 0, 0, W, D, 6.0), block("tower", 5, 0, 6.0, 15, D - 6, 24.0, ptype="ROOF"))
    site = parcel_site(tmp_path, 10, 10, 10, 4)
    m = run(plane(**{"from": "north"}, slope=2, above="10 m", clear={"distance": "1.5 m"}), m_, site)
    assert m.status.value == "FAIL" and m.details["part"] == "plane"
    assert (m.measured, m.limit) == (pytest.approx(10.0, abs=1e-6), pytest.approx(12.0, abs=1e-6))
    assert m.details["depth_m"] == pytest.approx(4.0, abs=1e-6)
    assert m.details["volume_outside_m3"] == pytest.approx(40.0, rel=0.01)
    assert m.global_ids == ("tower",)


def test_touching_the_plane_is_review_never_fail(tmp_path):
    site = parcel_site(tmp_path, 10, 10, 10, 4)
    touching = run(plane(**{"from": "north"}, slope=2), box(8.0), site)  # top edge exactly on the plane
    assert touching.status.value in ("PASS", "REVIEW")
    assert touching.details["volume_outside_m3"] == pytest.approx(0.0, abs=1e-6)
    just_over = run(plane(**{"from": "north"}, slope=2), box(8.05), site)  # 2.5 cm horizontal: tolerance
    assert just_over.status.value == "REVIEW"
    clear = run(plane(**{"from": "north"}, slope=2), box(7.0), site)
    assert clear.status.value == "PASS" and clear.margin == pytest.approx(0.5, abs=1e-6)


def test_clearance_strip_is_a_horizontal_depth(tmp_path):
    site = parcel_site(tmp_path, 10, 10, 10, 1.0)
    m = run(plane(**{"from": "north"}, slope=2, above="10 m", clear={"distance": "1.5 m"}), box(6.0), site)
    assert m.status.value == "FAIL" and m.reason == "inside_clearance"
    assert (m.measured, m.limit) == (pytest.approx(1.0, abs=1e-6), pytest.approx(1.5, abs=1e-6))
    assert m.details["volume_outside_m3"] == pytest.approx(W * 0.5 * 6.0, rel=0.01)


def test_agrees_with_the_per_part_setback_rule(tmp_path):
    bands = {"bands": [{"up_to": "10 m", "distance": "1.5 m"}, {"above": "10 m", "ratio": 0.5}]}
    per_part = MinSetback.model_validate({"id": "s", "kind": "min_setback", "from": "north", "distance": bands,
                                          "citation": CITE})
    in_3d = plane(**{"from": "north"}, measure="grid_north", slope=2, above="10 m", clear={"distance": "1.5 m"})
    for gap, height in ((1.0, 6.0), (2.0, 6.0), (5.0, 15.0), (8.0, 15.0), (7.0, 14.0)):
        site = parcel_site(tmp_path, 10, 10, 10, gap)
        a, b = run(per_part, box(height), site), run(in_3d, box(height), site)
        assert a.status == b.status, (gap, height, a, b)
        assert (a.measured, a.limit) == (pytest.approx(b.measured, abs=1e-4), pytest.approx(b.limit, abs=1e-4))


def slanted_site(tmp_path, gap: float, angle_deg: float):
    """A parcel whose north edge rises eastward at `angle_deg`; at x = 0 it lies `gap` north of the box."""
    e, n = ANCHOR
    t = math.tan(math.radians(angle_deg))
    ring = [[-10, -10], [W + 10, -10], [W + 10, D + gap + t * (W + 10)], [-10, D + gap - t * 10], [-10, -10]]
    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
          "features": [{"type": "Feature", "properties": {"role": "parcel", "id": "P"},
                        "geometry": {"type": "Polygon", "coordinates": [[[e + x, n + y] for x, y in ring]]}}]}
    p = tmp_path / "slanted.geojson"
    p.write_text(json.dumps(fc))
    return load_site(p, None, anchor=ANCHOR)


def test_north_measured_due_north_or_perpendicular(tmp_path):
    site = slanted_site(tmp_path, 3.0, 20.0)
    due = run(plane(**{"from": "north"}, measure="grid_north", slope=2, clear={"distance": "4 m"}), box(6.0), site)
    perp = run(plane(**{"from": "north"}, slope=2, clear={"distance": "4 m"}), box(6.0), site)
    # due north from the box's north-west corner the edge is 3 m away; perpendicular, 3 cos 20°
    assert due.measured == pytest.approx(3.0, abs=1e-4)
    assert perp.measured == pytest.approx(3.0 * math.cos(math.radians(20.0)), abs=1e-4)
    true_north = run(plane(**{"from": "north"}, measure="true_north", slope=2, clear={"distance": "4 m"}),
                     box(6.0), site)
    # EPSG:5186 is a transverse Mercator on 127° E: true north turns from grid north by well under 2°
    assert true_north.measured == pytest.approx(3.0, abs=0.5) and true_north.measured != due.measured


def test_far_side_of_the_road_with_setback_relief(tmp_path):
    # road 8 m wide on the south (front) edge; the box stands 3 m back: the base line moves out by
    # 8 m (far side) + 3 m (relief), so the box's front face is 14 m from it: 1.25 x 14 = 17.5 m allowed
    site = parcel_site(tmp_path, 10, 3, 10, 10)
    rule = plane(**{"from": "front"}, base="far_side_of_road", setback_relief=True, slope=1.25, reach="20 m")
    ok, over = run(rule, box(17.0), site), run(rule, box(19.0), site)
    assert ok.status.value == "PASS" and ok.measured == pytest.approx(14.0, abs=1e-4)
    assert ok.details["base_shift_m"] == {"0": pytest.approx(11.0, abs=1e-4)}
    assert over.status.value == "FAIL" and over.limit == pytest.approx(19.0 / 1.25, abs=1e-4)
    # 1.5 m over along the face; over the plane for d in [14, 15.2]: V = W (19 - 17.5)^2 / (2 x 1.25)
    assert over.details["volume_outside_m3"] == pytest.approx(W * 1.5 ** 2 / 2.5, rel=0.01)
    beyond = run(plane(**{"from": "front"}, base="far_side_of_road", slope=1.25, reach="5 m"), box(30.0), site)
    assert beyond.status.value == "NOT_APPLICABLE"  # the building stands beyond the plane's reach


def test_no_road_width_is_unknown(tmp_path):
    site = slanted_site(tmp_path, 3.0, 0.0)  # no road at all
    m = run(plane(**{"from": "north"}, base="far_side_of_road", slope=1.25), box(6.0), site)
    assert m.status.value == "UNKNOWN" and m.reason == "no_road_width"


def test_envelope_volume_is_the_union_not_the_sum(tmp_path):
    # plane h = 2 d from the north edge (gap 4) and a 15 m cap on a 20 m box: over the envelope is
    # d in [4, 7.5]: 20 - 2d, and d in [7.5, 16]: 5  ->  W * (29.75 + 42.5) = 1445 m3
    site = parcel_site(tmp_path, 10, 10, 10, 4)
    p = plane(id="north", **{"from": "north"}, slope=2)
    cap = MaxHeight.model_validate({"id": "height", "kind": "max_height", "limit": "15 m", "citation": CITE})
    env = Envelope.model_validate({"id": "envelope", "kind": "envelope", "citation": CITE})
    m = run(env, box(20.0), site, rules=(p, cap, env))
    assert m.status.value == "FAIL" and m.reason == "outside_envelope"
    assert m.measured == pytest.approx(W * (29.75 + 42.5), rel=0.01) and m.unit == "m3"
    assert m.details["depth_m"] == pytest.approx(12.0, abs=1e-6) and m.details["component"].startswith("north")
    assert {c["rule"] for c in m.details["components"]} == {"north", "height", None}


def test_envelope_fits_and_catches_the_parcel(tmp_path):
    p = plane(id="north", **{"from": "north"}, slope=2)
    env = Envelope.model_validate({"id": "envelope", "kind": "envelope", "citation": CITE, "height": "12 m"})
    fits = run(env, box(10.0), parcel_site(tmp_path, 10, 10, 10, 6), rules=(p, env))
    assert fits.status.value == "PASS" and fits.measured == 0.0
    # 2 m over the west edge: 2 x D x 10 m of the box stands outside the parcel
    out = run(env, box(10.0), parcel_site(tmp_path, -2, 10, 10, 6), rules=(p, env))
    assert out.status.value == "FAIL" and out.measured == pytest.approx(2 * D * 10.0, rel=0.01)
    assert out.details["component"] == "parcel" and out.details["depth_m"] == pytest.approx(2.0, abs=1e-6)


def test_envelope_names_unknown_rules(tmp_path):
    env = Envelope.model_validate({"id": "envelope", "kind": "envelope", "citation": CITE, "include": ["nope"]})
    m = run(env, box(10.0), parcel_site(tmp_path, 10, 10, 10, 6), rules=(env,))
    assert m.status.value == "ERROR" and "nope" in m.details["error"]


def test_open_meshes_are_measured_by_clipping(tmp_path):
    # a single open surface (a roof plane with no volume): depth and elements from the triangles
    t = trimesh.creation.box(bounds=[[0, 0, 0], [W, D, 20.0]])
    top = t.faces[t.triangles_center[:, 2] > 19.9]
    roof = ElementMesh("roof", "IfcRoof", "roof", None, "S0", "B", None, np.asarray(t.vertices, float), top)
    m_ = model(block("base", 0, 0, 0, W, D, 3.0), roof)
    m = run(plane(**{"from": "north"}, slope=2), m_, parcel_site(tmp_path, 10, 10, 10, 4))
    assert m.status.value == "FAIL" and m.details["depth_m"] == pytest.approx(12.0, abs=1e-6)
    assert "roof" in m.global_ids


def test_a_line_drawn_in_the_site_file_is_a_base_line(tmp_path):
    # a "skyline" line 2 m north of the box, inside the parcel: the plane h = 2 d rises south from it
    e, n = ANCHOR
    site_path = tmp_path / "line.geojson"
    ring = [[-10, -10], [W + 10, -10], [W + 10, D + 10], [-10, D + 10], [-10, -10]]
    line = [[-10, D + 2], [W + 10, D + 2]]
    site_path.write_text(json.dumps({
        "type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
        "features": [
            {"type": "Feature", "properties": {"role": "parcel", "id": "P"},
             "geometry": {"type": "Polygon", "coordinates": [[[e + x, n + y] for x, y in ring]]}},
            {"type": "Feature", "properties": {"role": "boundary", "kind": "skyline"},
             "geometry": {"type": "LineString", "coordinates": [[e + x, n + y] for x, y in line]}}]}))
    site = load_site(site_path, None, anchor=ANCHOR)
    m = run(plane(**{"from": "skyline"}, slope=2), box(10.0), site)
    assert m.status.value == "FAIL" and m.details["edge"] == len(site.edges)  # numbered after the edges
    assert (m.measured, m.limit) == (pytest.approx(2.0, abs=1e-6), pytest.approx(5.0, abs=1e-6))
    assert m.details["volume_outside_m3"] == pytest.approx(W * 6.0 ** 2 / 4, rel=0.01)  # d in [2, 5]


def _site_of(tmp_path, ring, name="custom"):
    e, n = ANCHOR
    p = tmp_path / f"{name}.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
                             "features": [{"type": "Feature", "properties": {"role": "parcel", "id": "P"},
                                           "geometry": {"type": "Polygon",
                                                        "coordinates": [[[e + x, n + y] for x, y in ring]]}}]}))
    return load_site(p, None, anchor=ANCHOR)


def test_due_north_takes_every_edge_facing_north(tmp_path):
    # an edge whose normal points 60° east of north (so not labelled 'north') passes 1 m from the box's
    # north-east corner; due north of that corner it is 2 m away. The north-labelled edge is 4 m away.
    n = np.array([math.sin(math.radians(60)), math.cos(math.radians(60))])
    t = np.array([-n[1], n[0]])
    q = np.array([W, D]) + n * 1.0
    a = q - t * ((W + 10 - q[0]) / -t[0])
    b = q + t * ((D + 4 - q[1]) / t[1])
    ring = [[-10, -10], [W + 10, -10], a.tolist(), b.tolist(), [-10, D + 4], [-10, -10]]
    site = _site_of(tmp_path, ring, "northeast")
    labelled = [e.index for e in site.edges if "north" in e.labels]
    rule = plane(**{"from": "north"}, measure="grid_north", slope=2, clear={"distance": "3 m"})
    m = run(rule, box(6.0), site)
    assert m.status.value == "FAIL" and m.details["edge"] not in labelled  # the slanted edge decides
    assert m.measured == pytest.approx(2.0, abs=1e-4) and m.limit == pytest.approx(3.0)


def test_an_edge_does_not_judge_what_lies_beyond_it(tmp_path):
    # U-shaped parcel: the box stands in the west arm; the east arm's inner edge faces north-ish
    # (its outward normal points into the notch) - parts beyond that line are not under its plane
    ring = [[-10, -10], [W + 40, -10], [W + 40, D + 10], [W + 25, D + 10], [W + 25, 0], [W + 10, 0],
            [W + 10, D + 10], [-10, D + 10], [-10, -10]]
    site = _site_of(tmp_path, ring, "u")
    m = run(plane(**{"from": "any"}, slope=2), box(8.0), site)
    assert m.status.value in ("PASS", "REVIEW"), m  # 10 m from every edge it faces: h = 8 <= 2 x 10 everywhere


def test_envelope_sees_a_building_spanning_a_notch(tmp_path):
    # the parcel has a 2 m notch cut from its north side across the box's middle: every vertex of the
    # box is inside the parcel, but the box's plan crosses the notch
    ring = [[-10, -10], [W + 10, -10], [W + 10, D + 10], [12, D + 10], [12, 6], [10, 6], [10, D + 10],
            [-10, D + 10], [-10, -10]]
    site = _site_of(tmp_path, ring, "notch")
    env = Envelope.model_validate({"id": "envelope", "kind": "envelope", "citation": CITE})
    m = run(env, box(6.0), site, rules=(env,))
    assert m.status.value == "FAIL" and m.details["component"] == "parcel"
    assert m.details["depth_m"] == pytest.approx(1.0, abs=0.06)  # the notch's middle is 1 m from the parcel
    assert m.measured == pytest.approx(2 * (D - 6) * 6.0, rel=0.01)  # the box's part inside the notch


def test_massing_leaves_out_the_air_under_an_overhang(tmp_path):
    # a 20 m block with a 3 m cantilever at its top (z 18..20) over the north side, and a 15 m cap:
    # over the cap are the block's top 5 m (W x D x 5) and the cantilever's 2 m (W x 3 x 2), not the
    # air under the cantilever (that would add W x 3 x 3)
    site = parcel_site(tmp_path, 10, 10, 10, 6)
    m = model(block("main", 0, 0, 0, W, D, 20), block("cantilever", 0, D, 18, W, D + 3, 20))
    env = Envelope.model_validate({"id": "envelope", "kind": "envelope", "height": "15 m", "citation": CITE})
    got = run(env, m, site, rules=(env,))
    assert got.status.value == "FAIL"
    assert got.measured == pytest.approx(W * D * 5 + W * 3 * 2, rel=0.01)
    # a courtyard stays open too: a ring of 4 m deep blocks round a W-8 x D-8 void, all 20 m tall
    ring = model(block("s", 0, 0, 0, W, 4, 20), block("n", 0, D - 4, 0, W, D, 20),
                 block("w", 0, 4, 0, 4, D - 4, 20), block("e", W - 4, 4, 0, W, D - 4, 20))
    got = run(env, ring, site, rules=(env,))
    assert got.measured == pytest.approx((W * D - (W - 8) * (D - 8)) * 5, rel=0.01)


def test_massing_fills_a_hall_without_a_floor_but_not_the_air_between_pilotis(tmp_path):
    site = parcel_site(tmp_path, 10, 10, 10, 6)
    env = Envelope.model_validate({"id": "envelope", "kind": "envelope", "height": "15 m", "citation": CITE})
    # walls 0.3 m thick round the lot with a 2 m door in the south wall, a roof, no floor slab
    hall = model(block("s1", 0, 0, 0, 9, 0.3, 20), block("s2", 11, 0, 0, W, 0.3, 20),
                 block("n", 0, D - 0.3, 0, W, D, 20), block("w", 0, 0.3, 0, 0.3, D - 0.3, 20),
                 block("e", W - 0.3, 0.3, 0, W, D - 0.3, 20), block("roof", 0, 0, 19.7, W, D, 20))
    got = run(env, hall, site, rules=(env,))
    assert got.measured == pytest.approx(W * D * 5, rel=0.01)  # the hall's air above 15 m counts
    # a block on four 0.5 m pilotis 6 m tall, capped at 3 m: only the block (6 to 20 m) is massing
    cap3 = Envelope.model_validate({"id": "envelope", "kind": "envelope", "height": "3 m", "citation": CITE})
    legs = [block(f"leg{i}", x, y, 0, x + 0.5, y + 0.5, 6) for i, (x, y) in
            enumerate([(0, 0), (W - 0.5, 0), (0, D - 0.5), (W - 0.5, D - 0.5)])]
    raised = model(*legs, block("body", 0, 0, 6, W, D, 20))
    got = run(cap3, raised, site, rules=(cap3,))
    assert got.measured == pytest.approx(W * D * 14 + 4 * 0.25 * 3, rel=0.01)
    # a basement under it all (or a slab on grade) does not pull the air between the legs in
    basement = block("basement", -1, -1, -4, W + 1, D + 1, 0)
    got = run(cap3, model(*legs, block("body", 0, 0, 6, W, D, 20), basement), site, rules=(cap3,))
    assert got.measured == pytest.approx(W * D * 14 + 4 * 0.25 * 3, rel=0.01)
    overhang = model(block("main", 0, 0, 0, W, D, 20), block("cantilever", 0, D, 18, W, D + 3, 20),
                     block("basement", 0, 0, -4, W, D + 3, 0))
    env = Envelope.model_validate({"id": "envelope", "kind": "envelope", "height": "15 m", "citation": CITE})
    got = run(env, overhang, site, rules=(env,))
    assert got.measured == pytest.approx(W * D * 5 + W * 3 * 2, rel=0.01)
