"""JUnit reporter: the XML parses, counts match the statuses, model strings round-trip."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
from permitcheck.reports import junit

ANCHOR = (220000, 560000)
NASTY = "<script>&\"' ]]> x"


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    from permitcheck.checking import check_model

    def run(model: str, site: str, rules: str) -> dict:
        return check_model(ROOT / "samples" / "buildings" / model, ROOT / "samples" / "sites" / site,
                           ROOT / "rules" / "kr" / rules, anchor=ANCHOR).to_dict()

    return {"fail": run("podium_tower.ifc", "podium_north.geojson", "cheonan.yaml"),
            "pass": run("box_m.ifc", "box_ok.geojson", "national.yaml")}


def _write(result: dict, tmp_path) -> ET.Element:
    path = junit.write(result, tmp_path / "junit.xml")
    assert path == tmp_path / "junit.xml"
    return ET.parse(path).getroot()


def _expected(result: dict) -> dict[str, int]:
    statuses = [f["status"] for f in result["findings"]]
    return {"tests": len(statuses),
            "failures": sum(s in ("FAIL", "REVIEW", "UNKNOWN") for s in statuses),
            "errors": statuses.count("ERROR"), "skipped": statuses.count("NOT_APPLICABLE")}


@pytest.mark.parametrize("case", ["fail", "pass"])
def test_counts_match_the_statuses(results, tmp_path, case):
    result = results[case]
    root = _write(result, tmp_path)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == result["model"]["path"]
    want = _expected(result)
    for node in (root, suite):
        assert {k: int(node.get(k)) for k in want} == want
    cases = suite.findall("testcase")
    assert len(cases) == want["tests"]
    assert len(suite.findall("testcase/failure")) == want["failures"]
    assert len(suite.findall("testcase/error")) == want["errors"]
    assert len(suite.findall("testcase/skipped")) == want["skipped"]
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["verdict"] == result["verdict"]
    assert props["zone"] == result["zone"]
    assert props["rulebook.id"] == result["rulebook"]["id"]
    assert props["rulebook.version"] == result["rulebook"]["version"]
    assert props["model.sha256"] == result["model"]["sha256"]
    classname = f"{result['rulebook']['id']}.{result['zone']}"
    assert {c.get("classname") for c in cases} == {classname}


def test_a_fail_carries_reason_numbers_and_citation(results, tmp_path):
    result = results["fail"]
    assert result["verdict"] == "FAIL"
    root = _write(result, tmp_path)
    failed = [f for f in result["findings"] if f["status"] == "FAIL"]
    assert failed
    for f in failed:
        case = root.find(f"testsuite/testcase[@name='{f['rule']}: {f['title']}']")
        failure = case.find("failure")
        assert failure.get("type") == f["reason"]
        assert failure.get("message").startswith("FAIL: ")
        body = failure.text
        for line in (f"measured: {f['measured']}", f"limit: {f['limit']}", f"unit: {f['unit']}",
                     f"margin: {f['margin']}", f["citation"]["article"], f["citation"]["source"]):
            assert line in body


@pytest.mark.parametrize("status,tag,kind", [("REVIEW", "failure", "REVIEW"), ("UNKNOWN", "failure", "UNKNOWN"),
                                             ("ERROR", "error", None), ("NOT_APPLICABLE", "skipped", None)])
def test_other_statuses_never_count_as_a_pass(results, tmp_path, status, tag, kind):
    result = copy.deepcopy(results["pass"])
    result["findings"][0]["status"] = status
    case = _write(result, tmp_path).find("testsuite/testcase")
    node = case.find(tag)
    assert node is not None
    if kind:
        assert node.get("type") == kind


def test_model_strings_round_trip(results, tmp_path):
    result = copy.deepcopy(results["fail"])
    for f in result["findings"]:
        f["title"] = NASTY
        f["citation"]["article"] = NASTY
    result["model"]["path"] = f"models/{NASTY}.ifc"
    root = _write(result, tmp_path)
    suite = root.find("testsuite")
    assert suite.get("name") == f"models/{NASTY}.ifc"
    names = [c.get("name") for c in suite.findall("testcase")]
    assert names == [f"{f['rule']}: {NASTY}" for f in result["findings"]]
    assert NASTY in suite.find("testcase/failure").text


def test_control_characters_do_not_break_the_xml(results, tmp_path):
    result = copy.deepcopy(results["pass"])
    result["findings"][0]["title"] = "bad\x00\x07title"
    root = _write(result, tmp_path)
    assert root.find("testsuite/testcase").get("name").endswith("bad\ufffd\ufffdtitle")
