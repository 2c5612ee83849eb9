"""`permitcheck regress`: no drift on the samples; drift is caught, shown and written as JUnit; --update."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import yaml
from typer.testing import CliRunner

from conftest import ROOT
from permitcheck.cli import app
from permitcheck.regress import run_suite

runner = CliRunner()


def small_suite(tmp_path, names=("box-kr-pass", "box-kr-fail")):
    cases = yaml.safe_load((ROOT / "samples" / "cases.yaml").read_text())["cases"]
    suite = tmp_path / "samples" / "suite.yaml"
    suite.parent.mkdir()
    for folder in ("buildings", "sites", "rules"):
        (tmp_path / "samples" / folder).symlink_to(ROOT / "samples" / folder)
    (tmp_path / "rules").symlink_to(ROOT / "rules")
    suite.write_text("# a suite\n" + yaml.safe_dump({"cases": {n: cases[n] for n in names}}, sort_keys=False))
    return suite


def test_no_drift_then_drift_caught_then_update(tmp_path):
    suite = small_suite(tmp_path)
    assert run_suite(suite).drift == []
    data = yaml.safe_load(suite.read_text())
    data["cases"]["box-kr-fail"]["expect"]["rules"]["coverage"]["measured"] = 0.5
    data["cases"]["box-kr-pass"]["expect"]["verdict"] = "FAIL"
    suite.write_text("# a suite\n" + yaml.safe_dump(data, sort_keys=False))
    r = runner.invoke(app, ["regress", str(suite), "--junit", str(tmp_path / "j.xml")], env={"COLUMNS": "200"})
    assert r.exit_code == 1
    assert "coverage" in r.stdout and "verdict" in r.stdout and "0 passed, 2 failed" in r.stdout
    root = ET.parse(tmp_path / "j.xml").getroot()
    assert root.get("failures") == "2" and len(root.iter("testcase").__next__().findall("failure")) == 1
    r = runner.invoke(app, ["regress", str(suite), "--update"])
    assert r.exit_code == 0 and "rewritten" in r.stdout
    assert run_suite(suite).drift == []
    assert suite.read_text().startswith("# a suite")


def test_a_case_that_cannot_run_is_drift(tmp_path):
    suite = small_suite(tmp_path, names=("box-kr-pass",))
    data = yaml.safe_load(suite.read_text())
    data["cases"]["box-kr-pass"]["model"] = "samples/buildings/nope.ifc"
    suite.write_text(yaml.safe_dump(data))
    report = run_suite(suite)
    assert [d.what for d in report.drift] == ["error"]


def test_cli_batch_exit_code_and_summary(tmp_path):
    cases = tmp_path / "cases"
    d = cases / "one"
    d.mkdir(parents=True)
    shutil.copy(ROOT / "samples/buildings/box_m.ifc", d / "m.ifc")
    shutil.copy(ROOT / "samples/sites/box_tight.geojson", d / "s.geojson")
    (d / "case.yaml").write_text(yaml.safe_dump({"rules": str(ROOT / "rules/kr/national.yaml"),
                                                 "anchor": "220000,560000"}))
    r = runner.invoke(app, ["batch", str(cases), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert r.exit_code == 1, r.output
    assert (tmp_path / "out" / "summary.csv").read_text().count("\n") == 2
    again = runner.invoke(app, ["batch", str(cases), "--out", str(tmp_path / "out")])
    assert again.exit_code == 1  # the newest verdict is still FAIL, though nothing ran


def test_a_complete_expectation_catches_a_rule_it_does_not_list(tmp_path):
    """`--update` records every finding: a rule added to a rulebook later is drift, not silence."""
    suite = small_suite(tmp_path, names=("box-kr-pass",))
    assert run_suite(suite, update=True).drift == []
    data = yaml.safe_load(suite.read_text())
    assert data["cases"]["box-kr-pass"]["expect"]["complete"] is True
    del data["cases"]["box-kr-pass"]["expect"]["rules"]["parking"]
    suite.write_text(yaml.safe_dump(data))
    assert [(d.rule, d.what, d.expected, d.got) for d in run_suite(suite).drift] == \
        [("parking", "rule", "absent", "present")]
    data["cases"]["box-kr-pass"]["expect"]["complete"] = False  # a hand-written subset lists what it checks
    suite.write_text(yaml.safe_dump(data))
    assert run_suite(suite).drift == []
