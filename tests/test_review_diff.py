"""permitcheck diff and check --previous: what changed between two submissions, elements matched by
GlobalId or by geometry signature, and the decisions that still apply carried forward."""

from __future__ import annotations

import json

import ifcopenshell
import ifcopenshell.api.geometry
import ifcopenshell.guid
import ifcopenshell.util.element
import ifcopenshell.util.placement
import pytest
from typer.testing import CliRunner

from conftest import ROOT
from permitcheck.cli import app
from permitcheck.reports import diff_html, html
from permitcheck.reports.json_report import validate
from permitcheck.review import LoadedResult, record_decision, result_sha256
from permitcheck.review.diff import carry_forward, diff_results, match_elements
from permitcheck.review.store import DecisionStore

PODIUM = ROOT / "samples" / "buildings" / "podium_tower.ifc"
SITE = ROOT / "samples" / "sites" / "podium_north.geojson"
RULES = ROOT / "rules" / "kr" / "national.yaml"
NORTH_RULES = {"north-daylight", "north-daylight-3d"}
runner = CliRunner(env={"COLUMNS": "200"})


def _check(model) -> dict:
    from permitcheck.checking import check_model

    return check_model(model, SITE, RULES, anchor=(220000, 560000)).to_dict()


def _regenerated(out):
    """The podium sample as an exporter that writes new GlobalIds on every export would send it again."""
    f = ifcopenshell.open(str(PODIUM))
    for entity in f.by_type("IfcRoot"):
        entity.GlobalId = ifcopenshell.guid.new()
    f.write(str(out))
    return out


def _tower_moved_north(out, metres: float = 3.0):
    """The podium sample with its tower (the storeys above the podium, Level 2 to Level 9) moved north."""
    f = ifcopenshell.open(str(PODIUM))
    tower = [s for s in f.by_type("IfcBuildingStorey") if s.Name not in ("Level 0", "Level 1")]
    assert len(tower) == 8
    for storey in tower:
        for element in ifcopenshell.util.element.get_decomposition(storey):
            matrix = ifcopenshell.util.placement.get_local_placement(element.ObjectPlacement)
            matrix[1, 3] += metres  # model +y is north on this site (no rotation)
            ifcopenshell.api.geometry.edit_object_placement(f, product=element, matrix=matrix, is_si=True)
    f.write(str(out))
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory, north_fail) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("diff")
    return {"original": north_fail, "regenerated": _check(_regenerated(tmp / "regenerated.ifc")),
            "moved": _check(_tower_moved_north(tmp / "moved.ifc"))}


def _loaded(result: dict, tmp_path, name: str) -> LoadedResult:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(result))
    return LoadedResult(result, str(path), tmp_path / "permitcheck-decisions.sqlite")


def test_every_globalid_regenerated_shows_no_change(results, tmp_path):
    old, new = results["original"], results["regenerated"]
    assert not set(old["elements"]) & set(new["elements"])  # every id named is new
    assert old["model"]["sha256"] != new["model"]["sha256"]
    d = diff_results(_loaded(old, tmp_path, "old"), _loaded(new, tmp_path, "new"))
    assert d["changed"] is False
    assert [r["rule"] for r in d["rules"] if r["changes"]] == []
    assert d["elements"]["by_signature"] == len(old["elements"]) == 20 and d["elements"]["by_global_id"] == 0
    assert d["elements"]["changed"] == d["elements"]["added"] == d["elements"]["removed"] == []


def test_the_tower_moved_3_m_north_changes_exactly_the_north_rules(results, tmp_path):
    old, new = results["original"], results["moved"]
    d = diff_results(_loaded(old, tmp_path, "old"), _loaded(new, tmp_path, "new"))
    changed = {r["rule"]: r for r in d["rules"] if r["changes"]}
    assert set(changed) == NORTH_RULES
    for r in changed.values():
        assert r["old"]["measured"] == pytest.approx(10.0) and r["new"]["measured"] == pytest.approx(7.0)
        assert any("moved" in c for c in r["changes"])
    assert len(d["elements"]["changed"]) == 20 and d["elements"]["by_global_id"] == 20


def test_a_decision_carries_to_an_unchanged_rule_and_not_to_a_changed_one(results, tmp_path):
    old, moved = results["original"], results["moved"]
    store = tmp_path / "permitcheck-decisions.sqlite"
    record_decision(old, store, "north-daylight", "override", "the roof terrace rail is exempt", "J. Kim",
                    override="PASS")
    record_decision(old, store, "coverage", "accept", "footprint checked on the drawings", "J. Kim")
    prev = _loaded(old, tmp_path, "old")

    d = diff_results(prev, _loaded(moved, tmp_path, "new"))
    by_rule = {r["rule"]: r for r in d["rules"]}
    assert by_rule["coverage"]["decision_applies"] is True
    assert by_rule["north-daylight"]["decision_applies"] is False
    assert by_rule["far"]["decision"] is None

    out = carry_forward(prev, moved, label="moved.ifc")
    carried = out["review"]["carried"]
    assert carried["carried"] == ["coverage"]
    assert [x["rule"] for x in carried["look_again"]] == ["north-daylight"]
    assert "measured 10.0 → 7.0" in carried["look_again"][0]["why"]
    decisions = {x["rule"]: x for x in out["review"]["decisions"]}
    assert set(decisions) == {"coverage"} and decisions["coverage"]["source"] == "carried"
    with DecisionStore(store) as db:  # recorded for the new result, pointing at the decision it carries
        row = db.decisions(result_sha256(moved))[0]
    assert row.source == "carried" and row.carried_from == decisions["coverage"]["carried_from"] is not None
    validate(out)
    page = html.render(out)
    assert "carried forward from" in page and "to look at again: north-daylight" in page


def test_cli_diff_exit_codes_and_html(results, tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps(results["original"]))
    regen = tmp_path / "regen.json"
    regen.write_text(json.dumps(results["regenerated"]))
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(results["moved"]))
    r = runner.invoke(app, ["diff", str(old), str(regen)])
    assert r.exit_code == 0, r.output
    assert "0 rule(s) changed" in r.stdout and "20 by geometry signature" in r.stdout
    r = runner.invoke(app, ["diff", str(old), str(moved), "--html", str(tmp_path / "d.html")])
    assert r.exit_code == 1, r.output
    assert "2 rule(s) changed" in r.stdout and "north-daylight-3d" in r.stdout
    page = (tmp_path / "d.html").read_text()
    assert "north-daylight" in page and "moved or reshaped" in page
    r = runner.invoke(app, ["diff", str(old), str(tmp_path / "nope.json")])
    assert r.exit_code == 2 and "cannot read the result" in r.stderr


def test_diff_html_escapes_what_it_shows(results, tmp_path):
    old = results["original"]
    hostile = {**old, "findings": [{**f, "title": "<img src=x onerror=alert(1)>"} for f in old["findings"]]}
    d = diff_results(_loaded(old, tmp_path, "old"), _loaded(hostile, tmp_path, "<script>"))
    page = diff_html.render(d)
    assert "<img" not in page and "<script>" not in page


def test_signature_matching_refuses_to_guess():
    sig = {"ifc_class": "IfcWall", "name": "w", "bbox_model": [0, 0, 0, 1, 1, 1], "area_m2": 6.0}
    twins = match_elements({"a": sig}, {"b": sig, "c": sig})  # two equal candidates: neither is chosen
    assert twins.pairs == {}
    moved = {**sig, "bbox_model": [0, 0.5, 0, 1, 1.5, 1]}
    assert match_elements({"a": sig}, {"b": moved}).pairs == {}  # moved and renumbered: not the same element
    assert match_elements({"a": sig}, {"a": moved}).changed == {"a"}  # moved, same id: changed


def test_check_previous_carries_forward_and_says_so(results, tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps(results["original"]))
    record_decision(results["original"], tmp_path / "permitcheck-decisions.sqlite", "far", "accept",
                    "floor areas checked", "J. Kim")
    r = runner.invoke(app, ["check", str(PODIUM), "--site", str(SITE), "--rules", str(RULES), "--anchor",
                            "220000,560000", "--previous", str(old), "--report", str(tmp_path / "out")])
    assert r.exit_code == 1, r.output  # the north rules still fail
    assert "carried forward from" in r.stdout and ": far" in r.stdout
    written = json.loads((tmp_path / "out" / "permitcheck-result.json").read_text())
    assert written["review"]["carried"]["carried"] == ["far"]
    r = runner.invoke(app, ["check", str(PODIUM), "--site", str(SITE), "--rules", str(RULES), "--anchor",
                            "220000,560000", "--decisions", str(tmp_path / "x.sqlite")])
    assert r.exit_code == 2 and "--decisions goes with --previous" in r.stderr


def test_diff_terminal_shows_hostile_titles_escaped(results, tmp_path):
    from rich.console import Console

    from permitcheck.reports.diff_terminal import render

    old = results["original"]
    hostile = {**old, "findings": [{**f, "rule": "[red]x[/red]\x1b]0;pwned\x07" if f["rule"] == "far" else f["rule"]}
                                   for f in old["findings"]]}
    d = diff_results(_loaded(old, tmp_path, "old"), _loaded(hostile, tmp_path, "new\x1b[2J"))
    console = Console(record=True, width=200, force_terminal=True)
    render(d, console)
    out = console.export_text()
    assert "\x1b]0;" not in out and "\\x1b]0;pwned\\x07" in out and "[red]x[/red]" in out and "new\\x1b[2J" in out


def test_a_store_that_is_not_sqlite_is_refused(results, tmp_path):
    from permitcheck.errors import InputError

    bad = tmp_path / "not.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="cannot open the decisions store"):
        record_decision(results["original"], bad, "far", "accept", "ok", "J. Kim")


def test_a_result_written_with_its_decisions_finds_its_store_again(results, tmp_path):
    old = tmp_path / "v1" / "permitcheck-result.json"
    old.parent.mkdir()
    old.write_text(json.dumps(results["original"]))
    record_decision(results["original"], tmp_path / "v1" / "permitcheck-decisions.sqlite", "far", "accept",
                    "floor areas checked", "J. Kim")
    r = runner.invoke(app, ["check", str(PODIUM), "--site", str(SITE), "--rules", str(RULES), "--anchor",
                            "220000,560000", "--previous", str(old), "--report", str(tmp_path / "v2")])
    assert r.exit_code == 1, r.output
    # v2's result names the store its carried decisions are in: review and diff find them without --store
    r = runner.invoke(app, ["review", str(tmp_path / "v2" / "permitcheck-result.json"), "--json"])
    assert r.exit_code == 0, r.output
    shown = json.loads(r.stdout)["review"]
    assert [(d["rule"], d["source"]) for d in shown["decisions"]] == [("far", "carried")]
    assert shown["carried"]["carried"] == ["far"]  # what the re-check said is kept
    assert not (tmp_path / "v2" / "permitcheck-decisions.sqlite").exists()


@pytest.mark.parametrize("named", ["not-a-store.sqlite", "missing.sqlite"])
def test_a_store_named_by_a_result_is_followed_only_when_it_is_a_decisions_store(results, tmp_path, named):
    other = tmp_path / "not-a-store.sqlite"
    import sqlite3

    db = sqlite3.connect(other)
    db.execute("CREATE TABLE precious (x)")
    db.commit()
    db.close()
    result = {**results["original"], "review": {"store": str(tmp_path / named)}}
    path = tmp_path / "sub" / "r.json"
    path.parent.mkdir()
    path.write_text(json.dumps(result))
    r = runner.invoke(app, ["review", str(path), "--rule", "far", "--accept", "--reason", "ok", "--by", "J. Kim"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "sub" / "permitcheck-decisions.sqlite").is_file()  # the default, not the named file
    assert not (tmp_path / "missing.sqlite").exists()
    db = sqlite3.connect(other)
    assert [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["precious"]
    db.close()


def test_review_previous_carries_between_two_batches(results, tmp_path):
    from permitcheck.batch.store import Store

    for out, result in (("b1", results["original"]), ("b2", results["regenerated"])):
        case = tmp_path / out / "cases" / "podium"
        case.mkdir(parents=True)
        (case / "permitcheck-result.json").write_text(json.dumps(result))
        store = Store(tmp_path / out / "permitcheck.sqlite")
        store.record({"case_name": "podium", "inputs_key": out, "run_id": "r", "status": "done", "verdict": "FAIL",
                      "result_json": json.dumps(result), "created_at": "2026-12-03T00:00:00+00:00"})
        store.close()
    r = runner.invoke(app, ["review", str(tmp_path / "b1" / "cases" / "podium"), "--rule", "north-daylight",
                            "--request-changes", "--reason", "6.65 m short", "--by", "J. Kim"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["review", str(tmp_path / "b2"), "--case", "podium", "--previous",
                            str(tmp_path / "b1" / "cases" / "podium")])
    assert r.exit_code == 0, r.output
    assert "carried forward from" in r.stdout and "north-daylight" in r.stdout
    with DecisionStore(tmp_path / "b2" / "permitcheck.sqlite") as db:  # recorded in the new batch's store
        rows = db.decisions(result_sha256(results["regenerated"]))
    assert [(x.rule, x.source, x.decision) for x in rows] == [("north-daylight", "carried", "request_changes")]
    r = runner.invoke(app, ["diff", str(tmp_path / "b1"), str(tmp_path / "b2"), "--case", "podium"])
    assert r.exit_code == 0, r.output  # regenerated GlobalIds only: no change
    assert "still applies" in r.stdout


@pytest.mark.real
def test_a_real_export_with_every_globalid_regenerated_matches_by_signature(real_model, tmp_path):
    """Every element of a real model (not only those findings name), matched across a re-export that
    renumbered them all: the signature tells 66 elements of the FZK-Haus apart."""
    from permitcheck.facts.signature import element_signature
    from permitcheck.inspection import inspect_model

    src = real_model("01_AC20-FZK-Haus.ifc")
    f = ifcopenshell.open(str(src))
    for entity in f.by_type("IfcRoot"):
        entity.GlobalId = ifcopenshell.guid.new()
    f.write(str(tmp_path / "regenerated.ifc"))
    sigs = [{m.global_id: element_signature(m.ifc_class, m.name, m.vertices, m.faces)
             for m in inspect_model(path, workers=1).model.elements} for path in (src, tmp_path / "regenerated.ifc")]
    match = match_elements(*sigs)
    assert len(sigs[0]) == 66 and len(match.by_signature) == 66 and not match.changed


def test_diff_and_a_plain_review_write_nothing_into_a_batch_store(results, tmp_path):
    from permitcheck.batch.store import Store

    for out, result in (("b1", results["original"]), ("b2", results["moved"])):
        store = Store(tmp_path / out / "permitcheck.sqlite")
        store.record({"case_name": "podium", "inputs_key": out, "run_id": "r", "status": "done", "verdict": "FAIL",
                      "result_json": json.dumps(result), "created_at": "2026-12-03T00:00:00+00:00"})
        store.close()
    before = (tmp_path / "b1" / "permitcheck.sqlite").read_bytes()
    r = runner.invoke(app, ["diff", str(tmp_path / "b1"), str(tmp_path / "b2"), "--case", "podium"])
    assert r.exit_code == 1, r.output
    r = runner.invoke(app, ["review", str(tmp_path / "b1"), "--case", "podium"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "b1" / "permitcheck.sqlite").read_bytes() == before


def test_ids_the_elements_do_not_describe_match_by_globalid(results, tmp_path):
    """A finding may name what `elements` does not list (an IDS finding names windows and spaces):
    the same id on both sides is no change, a different one is."""
    old = results["original"]

    def naming(ids):
        return {**old, "findings": [{**f, "global_ids": ids} if f["rule"] == "far" else f for f in old["findings"]]}

    d = diff_results(_loaded(naming(["2window00000000000000"]), tmp_path, "old"),
                     _loaded(naming(["2window00000000000000"]), tmp_path, "new"))
    assert d["changed"] is False
    d = diff_results(_loaded(naming(["2window00000000000000"]), tmp_path, "old"),
                     _loaded(naming(["3window00000000000000"]), tmp_path, "new"))
    assert [(r["rule"], r["changes"]) for r in d["rules"] if r["changes"]] == [
        ("far", ["1 element(s) no longer named", "1 element(s) newly named"])]
