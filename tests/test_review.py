"""permitcheck review: an officer's decisions recorded append-only, superseded, and shown in every report
(terminal, HTML, JSON, JUnit, BCF)."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
import zipfile

import pytest
from typer.testing import CliRunner

from permitcheck.cli import app
from permitcheck.errors import InputError, UsageError
from permitcheck.reports import bcf, html, junit
from permitcheck.reports.json_report import validate
from permitcheck.review import attach, load, record_decision, result_sha256
from permitcheck.review.store import DecisionStore

runner = CliRunner(env={"COLUMNS": "200"})  # the decisions table on one line a row: its cells whole
HOSTILE = "<script>alert(1)</script> \x1b[31mPASS\x1b[0m & ]]>"


@pytest.fixture
def result_file(north_fail, tmp_path):
    path = tmp_path / "permitcheck-result.json"
    path.write_text(json.dumps(north_fail), encoding="utf-8")
    return path


def test_a_decision_is_recorded_superseded_and_shown_in_html_json_and_junit(north_fail, result_file, tmp_path):
    store = tmp_path / "decisions.sqlite"
    first = record_decision(north_fail, store, "north-daylight", "override", "stair core exempt, art. 86(2)",
                            "J. Kim", override="PASS")
    assert first["review"]["verdict"] == "FAIL"  # north-daylight-3d still fails
    assert [d["status"] for d in first["review"]["decisions"]] == ["PASS"]
    second = record_decision(north_fail, store, "north-daylight", "request_changes", HOSTILE, "A. Lee")
    decided = second["review"]["decisions"]
    assert len(decided) == 1 and decided[0]["decision"] == "request_changes" and decided[0]["by"] == "A. Lee"
    assert [o["reason"] for o in decided[0]["superseded"]] == ["stair core exempt, art. 86(2)"]
    assert second["review"]["result_sha256"] == result_sha256(north_fail) == result_sha256(second)

    # append-only: both rows stay, and the store refuses to edit or delete one
    with DecisionStore(store) as db:
        assert len(db.decisions(result_sha256(north_fail))) == 2
        for sql in ("UPDATE decisions SET reason='x'", "DELETE FROM decisions", "DELETE FROM reviewed_results"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.db.execute(sql)

    validate(second)  # the JSON report's schema knows the review block
    page = html.render(second)
    section = page[page.index("<section id=decisions>"):]
    assert "changes requested" in section and "overridden to PASS" in section  # the superseded one, too
    assert "stair core exempt" in section and "A. Lee" in section
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in section

    root = ET.parse(junit.write(second, tmp_path / "j.xml")).getroot()
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("north-daylight:"))
    props = {p.get("name"): p.get("value") for p in case.find("properties")}
    assert props["review.decision"] == "request_changes" and props["review.by"] == "A. Lee"
    assert case.find("failure") is not None  # the automatic status is still the test's outcome
    assert "changes requested" in case.find("failure").get("message")
    assert "superseded: overridden to PASS by J. Kim" in case.find("failure").text
    suite_props = {p.get("name"): p.get("value") for p in root.find("testsuite/properties")}
    assert suite_props["review.verdict"] == "FAIL"


    pytest.importorskip("bcf")
    from permitcheck.review.bcf_reply import topics_of

    with zipfile.ZipFile(bcf.write(second, tmp_path / "issues.bcf")) as z:
        guid = next(g for g, rule in topics_of(second).items() if rule == "north-daylight")
        markup = z.read(f"{guid}/markup.bcf").decode()
    assert "decision: changes requested by A. Lee" in markup and "&lt;script&gt;" in markup
    assert 'TopicStatus="Open"' in markup  # changes requested: the architect has work to do
    with zipfile.ZipFile(bcf.write(first, tmp_path / "first.bcf")) as z:
        guid = next(g for g, rule in topics_of(first).items() if rule == "north-daylight")
        assert 'TopicStatus="Closed"' in z.read(f"{guid}/markup.bcf").decode()  # overridden to PASS
        other = next(g for g, rule in topics_of(first).items() if rule == "north-daylight-3d")
        assert 'TopicStatus="Open"' in z.read(f"{other}/markup.bcf").decode()


def test_overriding_every_failure_gives_a_passing_reviewed_verdict(north_fail, tmp_path):
    store = tmp_path / "d.sqlite"
    record_decision(north_fail, store, "north-daylight", "override", "survey shows 17 m", "J. Kim", override="PASS")
    out = record_decision(north_fail, store, "north-daylight-3d", "override", "survey shows 17 m", "J. Kim",
                          override="PASS")
    assert out["verdict"] == "FAIL" and out["review"]["verdict"] == "PASS"
    assert attach(north_fail, store)["review"]["verdict"] == "PASS"  # read back from the store alone


@pytest.mark.parametrize("rule, decision, override, reason, by, error", [
    ("north-daylight", "override", "PASS", "   ", "J. Kim", UsageError),  # a reason is required
    ("north-daylight", "override", "PASS", "why", "", UsageError),  # and who decides
    ("north-daylight", "override", "REVIEW", "why", "J. Kim", UsageError),  # overrides are to PASS or FAIL
    ("no-such-rule", "accept", None, "why", "J. Kim", InputError),
    ("north-daylight", "shrug", None, "why", "J. Kim", UsageError),
])
def test_a_decision_without_what_it_needs_is_refused(north_fail, tmp_path, rule, decision, override, reason, by,
                                                      error):
    store = tmp_path / "d.sqlite"
    with pytest.raises(error):
        record_decision(north_fail, store, rule, decision, reason, by, override=override)
    if store.exists():
        with DecisionStore(store) as db:
            assert db.decisions(result_sha256(north_fail)) == []


def test_accept_needs_an_automatic_verdict(north_fail, tmp_path):
    review = [f for f in north_fail["findings"] if f["status"] == "PASS"][0]
    as_review = {**north_fail, "findings": [{**review, "status": "REVIEW"}]}
    with pytest.raises(UsageError, match="no automatic verdict to accept"):
        record_decision(as_review, tmp_path / "d.sqlite", review["rule"], "accept", "fine", "J. Kim")
    out = record_decision(north_fail, tmp_path / "d.sqlite", review["rule"], "accept", "checked by hand", "J. Kim")
    assert out["review"]["decisions"][0]["status"] == "PASS"


def test_cli_records_and_writes_the_reports_beside_the_default_store(result_file, tmp_path):
    r = runner.invoke(app, ["review", str(result_file), "--rule", "north-daylight", "--override", "pass",
                            "--reason", "railing, not a wall", "--by", "J. Kim", "--report", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert "overridden to PASS" in r.stdout and "railing, not a wall" in r.stdout
    assert (tmp_path / "permitcheck-decisions.sqlite").is_file()  # beside the result
    written = json.loads((tmp_path / "out" / "permitcheck-result.json").read_text())
    assert written["review"]["decisions"][0]["reason"] == "railing, not a wall"
    assert "railing, not a wall" in (tmp_path / "out" / "permitcheck-report.html").read_text()
    # the result written with its decisions is the same result: deciding on it adds to the same store rows
    r = runner.invoke(app, ["review", str(tmp_path / "out" / "permitcheck-result.json"), "--store",
                            str(tmp_path / "permitcheck-decisions.sqlite"), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["review"]["decisions"][0]["by"] == "J. Kim"


def test_cli_terminal_shows_hostile_reasons_escaped(result_file):
    r = runner.invoke(app, ["review", str(result_file), "--rule", "north-daylight", "--request-changes",
                            "--reason", HOSTILE, "--by", "[bold]x[/bold]"])
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stdout and "\\x1b[31mPASS" in r.stdout and "[bold]x[/bold]" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--rule", "north-daylight", "--override", "PASS", "--by", "J. Kim"], "needs a reason"),
    (["--rule", "north-daylight", "--accept", "--request-changes", "--reason", "r"], "one of --accept"),
    (["--accept", "--reason", "r"], "--rule RULE"),
    (["--rule", "nope", "--accept", "--reason", "r", "--by", "x"], "no finding for rule 'nope'"),
])
def test_cli_bad_decisions_are_one_line_and_exit_2(result_file, args, message):
    r = runner.invoke(app, ["review", str(result_file), *args])
    assert r.exit_code == 2, r.output
    assert message in r.stderr and "Traceback" not in r.output + r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("content, why", [
    ("{not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"tool": {"name": "other"}, "verdict": "PASS", "findings": []}', "no tool.name"),
    ('{"tool": {"name": "permitcheck"}, "verdict": "PASS", "findings": [{"rule": 1}]}', "no schema_version"),
    ("[" * 100000 + "]" * 100000, "not JSON"),
])
def test_a_result_that_is_not_ours_is_refused(tmp_path, content, why):
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(InputError, match=why):
        load(path)
    r = runner.invoke(app, ["review", str(path)])
    assert r.exit_code == 2 and ("not a permitcheck check result" in r.stderr or "not JSON" in r.stderr)


def test_a_batch_case_keeps_its_decisions_in_the_batch_store(north_fail, tmp_path):
    from permitcheck.batch.store import Store

    out = tmp_path / "batch"
    store = Store(out / "permitcheck.sqlite")
    store.record({"case_name": "podium", "inputs_key": "k", "run_id": "r", "status": "done", "verdict": "FAIL",
                  "result_json": json.dumps(north_fail), "created_at": "2026-12-03T00:00:00+00:00"})
    store.close()
    r = runner.invoke(app, ["review", str(out), "--case", "podium", "--rule", "north-daylight", "--override",
                            "PASS", "--reason", "ok", "--by", "J. Kim"])
    assert r.exit_code == 0, r.output
    with DecisionStore(out / "permitcheck.sqlite") as db:
        assert [d.rule for d in db.decisions(result_sha256(north_fail))] == ["north-daylight"]
    r = runner.invoke(app, ["review", str(out), "--case", "nope"])
    assert r.exit_code == 2 and "no case 'nope'" in r.stderr
    r = runner.invoke(app, ["review", str(out)])
    assert r.exit_code == 2 and "--case NAME" in r.stderr


@pytest.mark.parametrize("mutate, why", [
    (lambda r: r.pop("provenance"), "no provenance"),
    (lambda r: r["findings"][0].update(global_ids=[1, {}]), "global_ids must be a list of GlobalIds"),
    (lambda r: r["findings"][0].update(measured="ten"), "measured, limit and margin"),
    (lambda r: r["findings"][0].update(title=None), "must be text"),
    (lambda r: r["findings"][0].update(details=[]), "citation and details"),
    (lambda r: r["elements"].update(x=5), "ifc_class and name"),
    (lambda r: r["elements"].update(x={"ifc_class": "IfcWall", "name": "", "bbox_model": [0, "a"]}), "six numbers"),
    (lambda r: r.update(site=[]), "must be objects"),
])
def test_a_result_shaped_almost_like_ours_is_refused_not_crashed_on(north_fail, tmp_path, mutate, why):
    """A result edited by hand or made by something else: exit 2 and one line from review and diff, never
    a traceback from deep in a report."""
    bad = json.loads(json.dumps(north_fail))
    mutate(bad)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    good = tmp_path / "good.json"
    good.write_text(json.dumps(north_fail))
    for args in (["review", str(path), "--report", str(tmp_path / "out")], ["diff", str(good), str(path)]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert why in r.stderr and len(r.stderr.strip().splitlines()) == 1
