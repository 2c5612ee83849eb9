"""The HTML report: self-contained, complete, escaped, and readable in a real browser."""

from __future__ import annotations

import re
import shutil

import ifcopenshell
import pytest

from conftest import ROOT
from permitcheck.checking import check_model
from permitcheck.reports import html
from permitcheck.reports.screenshot import chromium, dom, screenshot

ANCHOR = (220000.0, 560000.0)
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    model = tmp / "hostile.ifc"
    shutil.copy(ROOT / "samples/buildings/podium_tower.ifc", model)
    f = ifcopenshell.open(str(model))
    for wall in f.by_type("IfcWall"):
        if wall.Name == "Level 9 wall 3":
            wall.Name = HOSTILE
    f.write(str(model))
    fail = check_model(model, ROOT / "samples/sites/podium_north.geojson", ROOT / "rules/kr/cheonan.yaml",
                       anchor=ANCHOR).to_dict()
    ok = check_model(ROOT / "samples/buildings/box_m.ifc", ROOT / "samples/sites/box_ok.geojson",
                     ROOT / "rules/kr/national.yaml", anchor=ANCHOR).to_dict()
    return {"fail": fail, "pass": ok, "tmp": tmp}


@pytest.mark.parametrize("which", ["fail", "pass"])
def test_report_is_self_contained_and_complete(results, which):
    page = html.render(results[which])
    assert page.startswith("<!doctype html>")
    assert not re.search(r"<script|<link|@import|url\((?!#)|<img|<iframe", page, re.I)  # url(#id) is in-page
    assert not re.search(r'src\s*=\s*["\']?https?:', page, re.I)
    for section in ("summary", "plan", "findings", "facts", "provenance"):
        assert f"id={section}" in page
    assert page.count("<svg") >= 2  # the plan and at least one section (height or setback)
    assert results[which]["provenance"]["model_sha256"] in page


def test_failing_rule_links_to_its_detail_with_drawing(results):
    page = html.render(results["fail"])
    assert '<a href="#rule-north-daylight">' in page and 'id="rule-north-daylight"' in page
    assert 'class="violation"' in page and "10.00 m &lt; 16.65 m" in page
    assert 'class="nobuild"' in page  # the setback envelope in the section


def test_hostile_element_name_is_text(results):
    page = html.render(results["fail"])
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.skipif(chromium() is None, reason="chromium not installed (apt-get install chromium)")
def test_chromium_renders_and_runs_nothing(results):
    out = html.write(results["fail"], results["tmp"] / "fail.html")
    png = screenshot(out, results["tmp"] / "fail.png", 1100, 1600)
    assert png.stat().st_size > 20_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    parsed = dom(out)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in parsed  # still a text node after parsing
    assert "<script" not in parsed.lower()


def test_envelope_is_drawn_in_3d_and_planes_in_section(results):
    jp = check_model(ROOT / "samples/buildings/podium_tower.ifc", ROOT / "samples/sites/podium_north.geojson",
                     ROOT / "rules/jp/bsa56.yaml", zone="JP-1MR-200", anchor=ANCHOR).to_dict()
    page = html.render(jp)
    assert 'aria-label="3D view of the building in its envelope"' in page
    view = {f["rule"]: f for f in jp["findings"]}["envelope"]["details"]["view3d"]
    assert view["envelope"] and view["building"] and view["outside"]  # the tower's top is outside
    assert 'class="v-outside"' in page and 'class="v-building"' in page  # red: the part outside
    article = page[page.index('id="rule-north-slant"'):page.index('id="rule-envelope"')]
    assert 'class="nobuild"' in article and 'class="limit"' in article  # the plane, over the silhouette
    assert "10.00 m &lt; 18.64 m" in page  # the dimension on the site plan
    assert not re.search(r"<script|<link|@import|<img|<iframe", page, re.I)


def test_braces_and_markup_in_site_names_are_drawn_as_text(results):
    import copy

    result = copy.deepcopy(results["fail"])
    (x0, y0, x1, y1) = (0.0, 40.0, 30.0, 60.0)
    result["site"]["features_model"].append({
        "role": "neighbour", "properties": {"role": "neighbour", "id": "Lot {12} {}", "zone": "<b>}{0}</b>"},
        "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}})
    page = html.render(result)
    assert "Lot {12} {} &lt;b&gt;}{0}&lt;/b&gt;</text>" in page and "<b>}" not in page
