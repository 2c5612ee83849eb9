"""Every case in samples/cases.yaml: verdict, status per rule and measured values known by construction."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ROOT
from permitcheck.checking import check_model
from permitcheck.cli import app
from permitcheck.reports.alternatives import walk

CASES = yaml.safe_load((ROOT / "samples" / "cases.yaml").read_text())["cases"]


def _run(case: dict):
    anchor = tuple(float(x) for x in case["anchor"].split(",")) if case.get("anchor") else None
    return check_model(ROOT / case["model"], ROOT / case["site"], ROOT / case["rules"], zone=case.get("zone"),
                       anchor=anchor, rotation_deg=case.get("rotation", 0.0), declared=case.get("declare"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name):
    case = CASES[name]
    result = _run(case).to_dict()
    assert result["verdict"] == case["expect"]["verdict"]
    got = {name: f for f, _depth, name in walk(result["findings"])}  # 'any_of/alternative/rule' inside one
    if "north-daylight" in got and "north-daylight-3d" in got:  # one law, two methods: one verdict
        assert got["north-daylight"]["status"] == got["north-daylight-3d"]["status"]
    for fact, want in (case["expect"].get("legal") or {}).items():  # as the rulebook's profile measures
        assert result["facts"]["legal"][fact] == pytest.approx(want, rel=0.005, abs=0.01), fact
    for rule, exp in case["expect"]["rules"].items():
        f = got[rule]
        assert f["status"] == exp["status"], (rule, f)
        assert f["citation"]["source"] and f["citation"]["article"]
        if "measured" not in exp:  # NOT_APPLICABLE: nothing measured
            continue
        tol = 0.005 * abs(exp["measured"]) + 0.01
        assert f["measured"] == pytest.approx(exp["measured"], abs=tol), rule
        assert f["limit"] == pytest.approx(exp["limit"], rel=1e-6), rule
        assert f["citation"]["source"] and f["citation"]["article"]


def test_failing_setback_reports_where_and_which_elements():
    result = _run(CASES["podium-kr-north-fail"]).to_dict()
    f = {x["rule"]: x for x in result["findings"]}["north-daylight"]
    assert f["reason"] == "inside_setback"
    assert f["details"]["height_of_worst_part_m"] == pytest.approx(33.3, abs=0.01)
    assert f["margin"] == pytest.approx(10.0 - 16.65, abs=0.01)
    assert f["global_ids"] and f["where"]["type"] in ("Polygon", "MultiPolygon")
    assert f["where"]["coordinates"][0][0][0] > 200000  # map coordinates


def test_cli_check_exit_codes_and_json():
    runner = CliRunner()
    for name, code in (("box-kr-pass", 0), ("box-kr-fail", 1)):
        case = CASES[name]
        r = runner.invoke(app, ["check", str(ROOT / case["model"]), "--site", str(ROOT / case["site"]),
                                "--rules", str(ROOT / case["rules"]), "--anchor", case["anchor"], "--json"])
        assert r.exit_code == code, r.output
        d = json.loads(r.stdout)
        assert {"model", "facts", "warnings", "verdict", "findings", "site", "rulebook"} <= set(d)
        assert set(d["findings"][0]) >= {"rule", "status", "measured", "limit", "unit", "margin", "reason", "citation"}
    r = runner.invoke(app, ["check", str(ROOT / CASES["box-kr-fail"]["model"]), "--site",
                            str(ROOT / CASES["box-kr-fail"]["site"]), "--rules", str(ROOT / "rules/kr/national.yaml"),
                            "--anchor", CASES["box-kr-fail"]["anchor"]], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert r.exit_code == 1 and "FAIL" in r.stdout


def test_volume_over_a_plane_is_the_massing_known_by_hand():
    # the podium's 15 x 15 m tower (top 33.3 m) stands 10 m from the north edge
    kr = {f["rule"]: f for f in _run(CASES["podium-kr-north-fail"]).to_dict()["findings"]}["north-daylight-3d"]
    # h = 2 d: over it for d in [10, 16.65]: 15 x 13.3^2 / (2 x 2)
    assert kr["details"]["volume_outside_m3"] == pytest.approx(15 * 13.3 ** 2 / 4, rel=0.01)
    assert kr["details"]["solid_volume_outside_m3"] < kr["details"]["volume_outside_m3"] / 3  # walls, slabs only
    jp = {f["rule"]: f for f in _run(CASES["podium-jp-north-fail"]).to_dict()["findings"]}
    # h = 10 + 1.25 d: over it for d in [10, 18.64]: 15 x (33.3 - 22.5)^2 / (2 x 1.25)
    assert jp["north-slant"]["details"]["volume_outside_m3"] == pytest.approx(15 * 10.8 ** 2 / 2.5, rel=0.01)
    assert jp["envelope"]["measured"] == pytest.approx(15 * 10.8 ** 2 / 2.5, rel=0.01)  # the only breach
