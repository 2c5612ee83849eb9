"""The JSON result format: every sample case and some inspect results validate against the shipped
JSON Schemas, the schemas are not vacuous, and `json_report.write` keeps text and key order."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from conftest import ROOT, SAMPLES, inspected
from permitcheck.checking import check_model
from permitcheck.preflight import KINDS
from permitcheck.reports import json_report
from permitcheck.reports.reasons import TEMPLATES
from permitcheck.results import Status
from permitcheck.rulebook.schema import RULE_KINDS

jsonschema = pytest.importorskip("jsonschema")

CASES = yaml.safe_load((ROOT / "samples" / "cases.yaml").read_text())["cases"]
INSPECTED = ("box_m.ifc", "geo_ifc2x3_pset.ifc", "latlon_site.ifc", "lshape_basement.ifc")


def _run(case: dict):
    anchor = tuple(float(x) for x in case["anchor"].split(",")) if case.get("anchor") else None
    return check_model(ROOT / case["model"], ROOT / case["site"], ROOT / case["rules"], zone=case.get("zone"),
                       anchor=anchor, rotation_deg=case.get("rotation", 0.0))


@pytest.fixture(scope="module")
def case_results(tmp_path_factory) -> dict[str, dict]:
    """Every case checked once, written with `json_report.write` and read back: what a file holds."""
    out = tmp_path_factory.mktemp("json")
    results = {}
    for name, case in CASES.items():
        path = json_report.write(_run(case).to_dict(), out / f"{name}.json")
        results[name] = json.loads(path.read_text(encoding="utf-8"))
    return results


@pytest.fixture(scope="module")
def check_validator():
    return json_report.validator("check")


@pytest.fixture(scope="module")
def inspect_validator():
    return json_report.validator("inspect")


def _errors(validator, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def test_schemas_ship_and_are_valid_draft_2020_12():
    for kind in ("check", "inspect"):
        path = json_report.schema_path(kind)
        assert path.is_file() and path.parent.name == "schema"
        schema = json_report.load_schema(kind)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(schema)
    assert json_report.schema_path() == json_report.schema_path("check")
    with pytest.raises(ValueError, match="inspect"):
        json_report.schema_path("html")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_case_validates(name, case_results, check_validator):
    assert _errors(check_validator, case_results[name]) == []


def test_the_inspect_part_of_a_check_result_is_an_inspect_result(case_results, inspect_validator):
    result = case_results["podium-kr-north-fail"]
    part = {k: result[k] for k in ("schema_version", "tool", "model", "facts", "warnings")}
    assert _errors(inspect_validator, part) == []


@pytest.mark.parametrize("name", INSPECTED)
def test_inspect_results_validate(name, inspect_validator):
    result = json.loads(json.dumps(inspected(str(SAMPLES / name)).to_dict()))
    assert _errors(inspect_validator, result) == []


def test_inspect_result_with_mesh_validates(inspect_validator):
    result = json.loads(json.dumps(inspected(str(SAMPLES / "two_buildings.ifc")).to_dict(with_mesh=True)))
    assert "mesh" in result["facts"] and len(result["facts"]["buildings"]) == 2
    assert _errors(inspect_validator, result) == []


def test_statuses_the_cases_never_reach_validate(tmp_path, monkeypatch, check_validator):
    """NOT_APPLICABLE, UNKNOWN and ERROR findings (null numbers, empty unit) are in the format too."""
    from permitcheck.checks import CHECKS

    def boom(rule, ctx):
        raise RuntimeError("broken on purpose")

    monkeypatch.setitem(CHECKS, "max_height", boom)
    rules = tmp_path / "statuses.yaml"
    rules.write_text(
        "rulebook: test-statuses\ntitle: statuses\njurisdiction: XX\nversion: '1'\neffective_from: 2024-01-01\n"
        "sources: {s: {law: Test law, grade: M}}\nzones: {Z: {rules: []}}\nrules:\n"
        "  - {id: na, kind: min_setback, from: nowhere, distance: 3 m, citation: {source: s, article: '1'}}\n"
        "  - {id: unknown, kind: within, line: nope, citation: {source: s, article: '2'}}\n"
        "  - {id: boom, kind: max_height, limit: 12 m, severity: warning, citation: {source: s, article: '3'}}\n",
        encoding="utf-8")
    case = CASES["box-kr-pass"]
    result = check_model(ROOT / case["model"], ROOT / case["site"], rules, zone="Z",
                         anchor=(220000.0, 560000.0)).to_dict()
    assert [f["status"] for f in result["findings"]] == ["NOT_APPLICABLE", "UNKNOWN", "ERROR"]
    assert result["verdict"] == "UNKNOWN"
    assert _errors(check_validator, json.loads(json.dumps(result))) == []


def _mutated(result: dict, change) -> dict:
    r = copy.deepcopy(result)
    change(r)
    return r


def _set_status(r):
    r["findings"][0]["status"] = "MAYBE"


def _drop_verdict(r):
    del r["verdict"]


def _string_measured(r):
    r["findings"][0]["measured"] = str(r["findings"][0]["measured"])


def _pass_without_number(r):
    f = next(f for f in r["findings"] if f["status"] == "PASS")
    f["measured"] = None


def _unknown_top_level_key(r):
    r["verdicts"] = r["verdict"]


def _unknown_fact(r):
    r["facts"]["buildings"][0]["height_ft"] = 30.0


def _open_ring(r):
    r["facts"]["footprint_model"]["coordinates"] = [[[0.0, 0.0], [1.0, 0.0]]]


@pytest.mark.parametrize("change", [_set_status, _drop_verdict, _string_measured, _pass_without_number,
                                    _unknown_top_level_key, _unknown_fact, _open_ring])
def test_schema_is_not_vacuous(change, case_results, check_validator):
    result = case_results["podium-kr-north-fail"]
    assert _errors(check_validator, result) == []
    assert _errors(check_validator, _mutated(result, change)), change.__name__


def test_free_form_parts_stay_open(case_results, check_validator):
    def add(r):
        r["findings"][0]["details"]["anything"] = {"new": [1, 2]}
        r["facts"]["derivation"]["new_fact"] = "measured somehow"
        next(iter(r["rulebook"]["sources"].values()))["new_field"] = "x"

    assert _errors(check_validator, _mutated(case_results["podium-kr-north-fail"], add)) == []


def _properties(node, where=""):
    """Every (path, schema) under a `properties` keyword, anywhere in a schema."""
    if isinstance(node, dict):
        for key, sub in node.items():
            if key == "properties" and isinstance(sub, dict):  # a name -> schema map, not a schema
                for name, prop in sub.items():
                    yield f"{where}/properties/{name}", prop
                    yield from _properties(prop, f"{where}/properties/{name}")
            else:
                yield from _properties(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, f"{where}/{i}")


@pytest.mark.parametrize("kind", ["check", "inspect"])
def test_every_property_is_described(kind):
    schema = json_report.load_schema(kind)
    undescribed = [path for path, sub in _properties(schema)
                   if "/then/" not in path and "/if/" not in path and not sub.get("description")]
    assert undescribed == []


def test_schema_enums_match_the_code():
    defs = json_report.load_schema("check")["$defs"]
    assert defs["status"]["enum"] == [s.value for s in Status]
    assert set(defs["verdict"]["enum"]) == {s.value for s in Status} - {"NOT_APPLICABLE"}
    assert defs["finding"]["properties"]["kind"]["enum"] == list(RULE_KINDS) + list(KINDS)  # the pre-flight's
    reasons = defs["finding"]["properties"]["reason"]["description"]
    assert [code for code in TEMPLATES if code not in reasons] == []


def test_write_keeps_unicode_order_and_indent(tmp_path):
    result = {"zeta": "천안시 — Cheonan", "alpha": {"b": 1, "a": [1.5, None]}}
    path = json_report.write(result, tmp_path / "out.json")
    raw = path.read_bytes()
    assert "천안시 — Cheonan".encode("utf-8") in raw
    text = raw.decode("utf-8")
    assert text.index('"zeta"') < text.index('"alpha"') and text.index('"b"') < text.index('"a"')
    assert text.startswith('{\n  "zeta"')
    assert json.loads(text) == result
    with pytest.raises(ValueError):
        json_report.write({"x": float("nan")}, tmp_path / "nan.json")
