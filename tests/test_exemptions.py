"""Exemptions (건축법 시행령 제86조 제2항 제3호): a rule out of force when the land across is zoned otherwise."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import LineString, box

from conftest import ROOT
from permitcheck.checking import check_model
from permitcheck.checks.exemptions import land_across
from permitcheck.site.types import Edge, Feature
from test_rulebook_errors import HEAD, book, problems

ANCHOR = (220000.0, 560000.0)
PODIUM = ROOT / "samples/buildings/podium_tower.ifc"
SITES = ROOT / "samples/sites"
NAMES = {"R": "R", "residential": "R", "C": "C"}


class _Site:
    def __init__(self, *features):
        self.features = features


def f(role, geom, **props):
    return Feature(role, geom, props)


EDGE = Edge(0, LineString([(0, 0), (10, 0)]), frozenset({"north"}), (0.0, 1.0))  # land across: y in (0, 1]


@pytest.mark.parametrize("features, expect", [
    ([f("neighbour", box(-5, 0, 15, 10), zone="C"), f("zone", box(-50, -50, 50, 50), zone="R")], {"C"}),
    ([f("neighbour", box(-5, 0, 15, 10)), f("zone", box(-50, -50, 50, 50), zone="residential")],
     {"neighbour (no id) without a 'zone'"}),
    ([f("neighbour", box(-5, 0, 5, 10), zone="C"), f("neighbour", box(5, 0, 15, 10), zone="R")], {"C", "R"}),
    ([f("road", box(-5, 0, 15, 10)), f("zone", box(-50, -50, 50, 50), zone="C")], {"a road"}),
    ([f("road", LineString([(-5, 4), (15, 4)])), f("zone", box(-50, -50, 50, 50), zone="C")], {"a road"}),
    ([f("zone", box(-50, -50, 50, 50), zone="Q")], {"zone 'Q', unknown to the rulebook"}),
    ([f("zone", box(-50, -50, 9.5, 50), zone="C")], {"C", "land the site file does not describe"}),
])
def test_what_lies_across_an_edge(features, expect):
    """Neighbours' own zones first, then roads (a centre line too), then zone polygons; the rest is unknown."""
    assert set(land_across(_Site(*features), EDGE, NAMES)) == expect


def _check(site, rules=ROOT / "rules/kr/national.yaml"):
    return {x["rule"]: x for x in check_model(PODIUM, SITES / site, rules, anchor=ANCHOR).to_dict()["findings"]}


def test_commercial_land_north_exempts_both_north_rules():
    got = _check("podium_north_commercial.geojson")
    for rule in ("north-daylight", "north-daylight-3d"):
        assert got[rule]["status"] == "NOT_APPLICABLE" and got[rule]["reason"] == "exempt"
        ex = got[rule]["details"]["exemption"]
        assert ex["exempt"] is True and ex["land_across"] == {"KR-CG": [2]}  # named 일반상업지역 in the file
        assert ex["citation"]["article"] == "제86조 제2항 제3호"


def test_land_north_partly_residential_keeps_the_rule_and_says_why():
    got = _check("podium_north_straddle.geojson")
    for rule in ("north-daylight", "north-daylight-3d"):
        assert got[rule]["status"] == "FAIL"
        ex = got[rule]["details"]["exemption"]
        assert ex["exempt"] is False and ex["why_not"] == "across edge 2 lies KR-R2G"


def test_site_plan_names_the_neighbour_lots_and_their_zones():
    from permitcheck.reports import html

    result = check_model(PODIUM, SITES / "podium_north_straddle.geojson", ROOT / "rules/kr/national.yaml",
                         anchor=ANCHOR).to_dict()
    page = html.render(result)
    assert ">N-1 KR-CG</text>" in page and ">N-2 KR-R2G</text>" in page
    assert "no exemption under 제86조 제2항 제3호: across edge 2 lies KR-R2G" in page


def test_residential_zone_across_keeps_the_rule():
    got = _check("podium_north.geojson")  # one KR-R2G zone polygon reaching past the north edge
    assert got["north-daylight"]["status"] == "FAIL"
    assert got["north-daylight"]["details"]["exemption"]["land_across"] == {"KR-R2G": [2]}


def test_an_exempt_plane_leaves_the_envelope_too(tmp_path):
    head = HEAD.replace("names: [zone one]", "names: [zone one, KR-R2G]")
    rules = book(tmp_path, """\
        - id: north-plane
          kind: plane
          from: north
          slope: 2
          above: 10 m
          clear: {distance: 1.5 m}
          exempt_if:
            land_across_not_in: [Z1]
            citation: {source: law, article: "86-2-3"}
          citation: {source: law, article: "86"}
        - id: envelope
          kind: envelope
          citation: {source: law, article: "86"}
        """, head=head)
    rules.write_text(rules.read_text() + "  Z2:\n    names: [일반상업지역]\n    rules: []\n")
    exempt = _check("podium_north_commercial.geojson", rules)
    assert exempt["north-plane"]["status"] == "NOT_APPLICABLE"
    # the envelope is the parcel alone now: the building stands inside it
    env = exempt["envelope"]
    assert env["status"] == "PASS" and env["details"]["exempt_rules"] == ["north-plane"]
    assert "north-plane" not in env["details"]["rules"]
    # an envelope that names the exempt rule leaves it out too, rather than failing to find it
    named = rules.read_text().replace("kind: envelope\n", "kind: envelope\n        include: [north-plane]\n")
    rules.write_text(named)
    assert _check("podium_north_commercial.geojson", rules)["envelope"]["status"] == "PASS"
    kept = _check("podium_north.geojson", rules)
    assert kept["north-plane"]["status"] == "FAIL" and kept["envelope"]["status"] == "FAIL"
    assert kept["envelope"]["measured"] == pytest.approx(663.3, rel=0.01)  # as tests/test_check_cases


def test_exemption_zones_and_sources_are_checked(tmp_path):
    p = book(tmp_path, """\
        - id: n
          kind: min_setback
          from: north
          distance: 3 m
          exempt_if:
            land_across_not_in: [Z9]
            citation: {source: lawx, article: "1"}
          citation: {source: law, article: "1"}
        """)
    got = problems(p)
    assert any("exempt_if.land_across_not_in: unknown zone 'Z9'" in g and ":" in g.split(" ")[0] for g in got)
    assert any("exempt_if.citation.source: unknown source 'lawx'" in g for g in got)


def test_shipped_site_names_the_zone_as_the_law_does():
    fc = json.loads((SITES / "podium_north_commercial.geojson").read_text())
    assert any(x["properties"].get("zone") == "일반상업지역" for x in fc["features"]
               if x["properties"]["role"] == "neighbour")


def _site_file(tmp_path, features) -> str:
    ax, ay = ANCHOR

    def feat(role, ring, **props):
        ring = [[ax + x, ay + y] for x, y in ring] + [[ax + ring[0][0], ay + ring[0][1]]]
        return {"type": "Feature", "properties": {"role": role, **props},
                "geometry": {"type": "Polygon", "coordinates": [ring]}}

    path = tmp_path / "site.geojson"
    crs = {"type": "name", "properties": {"name": "EPSG:5186"}}
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": crs,
                                "features": [feat(*f[:2], **f[2]) for f in features]}))
    return path.name


def test_the_3d_rule_looks_across_every_edge_it_measures_from(tmp_path):
    """A chamfered corner faces north at 60°: labelled side, yet the due-north plane measures from it.
    Residential land across that edge keeps the 3D rule, though the per-part rule (north edges only,
    commercial land across both) is exempt."""
    def rect(x0, y0, x1, y1):
        return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]

    name = _site_file(tmp_path, [
        ("parcel", [[-10, -15], [50, -15], [50, 31], [27, 31], [12, 57], [-10, 57]], {"id": "P-1"}),
        ("road", rect(-20, -23, 60, -15), {"width": 8}),
        ("zone", rect(-60, -65, 100, 31), {"zone": "KR-R2G"}),
        ("neighbour", rect(27, 31, 50, 51), {"id": "N-E", "zone": "일반상업지역"}),
        ("neighbour", rect(-10, 57, 12, 77), {"id": "N-N", "zone": "일반상업지역"}),
        ("neighbour", [[27, 31], [27, 57], [12, 57]], {"id": "N-R", "zone": "KR-R2G"})])
    got = {x["rule"]: x for x in check_model(PODIUM, tmp_path / name, ROOT / "rules/kr/national.yaml",
                                              anchor=ANCHOR).to_dict()["findings"]}
    assert got["north-daylight"]["status"] == "NOT_APPLICABLE"
    three_d = got["north-daylight-3d"]
    assert three_d["status"] == "FAIL" and three_d["details"]["exemption"]["why_not"].endswith("KR-R2G")
