"""The data readiness pre-flight: a rulebook's IDS run on the model before any rule.

Each specification the model breaks is UNKNOWN, naming the elements and what to add; the samples
keep Korea's; an IDS is read bounded and only from the rulebook's own folder; without ifctester the
check says it was skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from ifcbuild import Builder, rect
from permitcheck.checking import check_inspection, check_model
from permitcheck.errors import InputError
from permitcheck.inspection import inspect_model
from permitcheck.model.ids import IdsError, audit, load_ids
from permitcheck.rulebook import RulebookError, load_rulebook

pytest.importorskip("ifctester")

KR = ROOT / "rules/kr/national.yaml"
KR_IDS = (ROOT / "rules/kr/readiness.ids", ROOT / "rules/kr/readiness-advice.ids")
SITE = ROOT / "samples/sites/podium_ok.geojson"
ANCHOR = (220000.0, 560000.0)  # podium_ok's parcel spans x 219990-220050, y 559985-560042


def _model(tmp_path, unnamed_storey=False, window=None, room_long_name="거실", storeys=True):
    b = Builder("readiness")
    ring = rect(5, 5, 15, 15)
    if storeys:
        b.block([("1F", 0.0), ("2F", 3.0)], ring, 6.0)
        if unnamed_storey:
            b.storeys["2F"].Name = None
        b.space("1F", rect(6, 6, 14, 14), 0.2, 2.8, "101", long_name=room_long_name)
        if window is not None:
            w = b.prism("1F", "IfcWindow", "W-01", rect(5, 8, 5.3, 10), 1.0, 2.2)
            w.OverallWidth, w.OverallHeight = window
    else:
        el = b.prism(None, "IfcSlab", "slab", ring, 0.0, 0.3)
        import ifcopenshell.api.spatial
        ifcopenshell.api.spatial.assign_container(b.f, products=[el], relating_structure=b.building)
    return b.write(tmp_path / "m.ifc")


def _readiness(result):
    return {f.rule: f for f in result.findings if f.kind == "readiness"}


def test_the_samples_keep_koreas_ids():
    import ifcopenshell

    for model in sorted((ROOT / "samples/buildings").glob("*.ifc")):
        f = ifcopenshell.open(str(model))
        for ids in KR_IDS:
            a = audit(f, str(ids))
            assert a.skipped is None and a.specs
            assert all(s.holds for s in a.specs), (model.name, ids.name, [(s.name, s.failures[:1]) for s in a.specs])


def test_readiness_findings_come_first_and_pass_on_a_ready_model(tmp_path):
    result = check_model(_model(tmp_path, window=(1.2, 1.5)), SITE, KR, anchor=ANCHOR, sections=False)
    kinds = [f.kind for f in result.findings]
    n = kinds.count("readiness")
    assert n == 3 and kinds[:n] == ["readiness"] * n  # before every rule
    found = _readiness(result)
    assert {f.status.value for f in found.values()} == {"PASS"}
    assert set(found) == {"readiness.storeys", "readiness.window-sizes", "readiness.space-uses"}


def test_a_missing_requirement_is_unknown_with_the_elements_and_what_to_add(tmp_path):
    path = _model(tmp_path, unnamed_storey=True, window=(None, None), room_long_name=None)
    result = check_model(path, SITE, KR, anchor=ANCHOR, sections=False)
    found = _readiness(result)
    storeys, windows, rooms = (found[k] for k in ("readiness.storeys", "readiness.window-sizes",
                                                  "readiness.space-uses"))
    assert storeys.status.value == windows.status.value == rooms.status.value == "UNKNOWN"
    assert (storeys.severity, windows.severity, rooms.severity) == ("error", "warning", "warning")
    assert storeys.m.measured == 1 and windows.m.measured == 1 and rooms.m.measured == 1
    import ifcopenshell
    f = ifcopenshell.open(str(path))
    assert storeys.m.global_ids == tuple(s.GlobalId for s in f.by_type("IfcBuildingStorey") if not s.Name)
    assert windows.m.global_ids == (f.by_type("IfcWindow")[0].GlobalId,)
    d = result.to_dict()
    text = {x["rule"]: x for x in d["findings"]}["readiness.window-sizes"]
    assert "OverallWidth" in " ".join(text["details"]["requirements"])
    assert "Give each IfcWindow its OverallWidth" in text["details"]["instructions"]
    # an error-severity readiness finding keeps the verdict from PASS; the warnings alone would not
    assert result.verdict.value in ("UNKNOWN", "FAIL")
    from permitcheck.reports.text import explain
    said = explain(text)
    assert "1 of 1 element(s) lack" in said and "W-01" in said


def test_a_required_specification_with_nothing_to_apply_to_is_unknown(tmp_path):
    result = check_model(_model(tmp_path, storeys=False), SITE, KR, anchor=ANCHOR, sections=False)
    storeys = _readiness(result)["readiness.storeys"]
    assert storeys.status.value == "UNKNOWN" and storeys.m.reason == "data_absent"


def test_warnings_alone_do_not_hold_the_verdict(tmp_path):
    ready = check_model(_model(tmp_path, window=(1.2, 1.5)), SITE, KR, anchor=ANCHOR, sections=False)
    advice = check_model(_model(tmp_path, window=(None, None)), SITE, KR, anchor=ANCHOR, sections=False)
    assert _readiness(advice)["readiness.window-sizes"].status.value == "UNKNOWN"
    assert advice.verdict == ready.verdict


def test_facts_measured_before_the_rulebook_are_audited_from_the_file(tmp_path):
    path = _model(tmp_path, unnamed_storey=True)
    inspection = inspect_model(path)  # no IDS given while reading
    assert inspection.model.readiness == ()
    result = check_inspection(inspection, SITE, load_rulebook(KR), anchor=ANCHOR, sections=False)
    assert _readiness(result)["readiness.storeys"].status.value == "UNKNOWN"


def test_without_ifctester_the_check_says_it_was_skipped(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ifctester", None)  # import ifctester raises ImportError
    result = check_model(_model(tmp_path, unnamed_storey=True), SITE, KR, anchor=ANCHOR, sections=False)
    found = _readiness(result)
    assert len(found) == 2 and {f.m.reason for f in found.values()} == {"readiness_skipped"}
    assert {f.status.value for f in found.values()} == {"NOT_APPLICABLE"}
    assert "permitcheck[ids]" in next(iter(found.values())).m.details["why"]


def _rulebook(tmp_path, ids_line: str, ids_text: str | None = None, name="needs.ids"):
    folder = tmp_path / "book"
    folder.mkdir(exist_ok=True)
    if ids_text is not None:
        (folder / name).write_text(ids_text, encoding="utf-8")
    (folder / "book.yaml").write_text(f"""\
rulebook: t
title: test
jurisdiction: KR
version: "1"
effective_from: 2024-01-01
extends: {KR}
readiness:
{ids_line}
""", encoding="utf-8")
    return folder / "book.yaml"


def _ids(name: str, ifc_class: str = "IFCBUILDINGSTOREY", attribute: str = "Name") -> str:
    return (KR_IDS[0].read_text(encoding="utf-8").replace('name="Storeys"', f'name="{name}"')
            .replace("IFCBUILDINGSTOREY</simpleValue>", f"{ifc_class}</simpleValue>")
            .replace("<simpleValue>Name</simpleValue>", f"<simpleValue>{attribute}</simpleValue>"))


def test_an_extending_rulebook_runs_its_parents_ids_and_its_own(tmp_path):
    book = _rulebook(tmp_path, "  - ids: needs.ids", _ids("Storey descriptions", attribute="Description"))
    result = check_model(_model(tmp_path), SITE, book, anchor=ANCHOR, rules_folders=(ROOT / "rules",), sections=False)
    found = _readiness(result)
    assert found["readiness.storeys"].status.value == "PASS"
    assert found["readiness.storeys-2"].status.value == "UNKNOWN"  # its own: no storey has a Description
    assert found["readiness.storeys-2"].title == "Data readiness: Storey descriptions"


@pytest.mark.parametrize("line, text, said", [
    ("  - ids: ../../etc/passwd.ids", None, "outside the rulebook's folder"),
    ("  - ids: /etc/passwd", None, "outside the rulebook's folder"),
    ("  - ids: needs.xml", "<ids/>", "not an .ids file"),
    ("  - ids: missing.ids", None, "not a file here"),
])
def test_an_ids_is_read_only_from_the_rulebooks_folder(tmp_path, line, text, said):
    book = _rulebook(tmp_path, line, text, name="needs.xml" if text else "needs.ids")
    with pytest.raises(RulebookError) as e:
        load_rulebook(book, rules_path=(ROOT / "rules",))
    assert said in str(e.value)


@pytest.mark.parametrize("text, said", [
    ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><ids>&lol;</ids>', "DOCTYPE"),
    ("<ids", "not a valid IDS"),
    ("x" * (2 * 1024 * 1024 + 10), "larger than 2 MB"),
    (b"\xff\xfe<\x00i\x00".decode("latin-1"), "not UTF-8"),
])
def test_a_hostile_ids_is_refused_in_one_line(tmp_path, text, said):
    path = tmp_path / "bad.ids"
    path.write_bytes(text.encode("latin-1") if text.startswith("\xff") else text.encode("utf-8"))
    with pytest.raises(IdsError) as e:
        load_ids(str(path))
    assert said in str(e.value) and "\n" not in str(e.value)
    assert isinstance(e.value, InputError)


def test_a_bad_ids_in_a_rulebook_stops_the_check_with_exit_2(tmp_path):
    book = _rulebook(tmp_path, "  - ids: needs.ids", "<ids><specifications>")
    model = _model(tmp_path)
    run = subprocess.run([sys.executable, "-m", "permitcheck", "check", str(model), "--site", str(SITE),
                          "--rules", str(book), "--rules-path", str(ROOT / "rules"), "--anchor", "220000,560000"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "not a valid IDS file" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "permitcheck", "rules", "validate", str(book), "--rules-path",
                          str(ROOT / "rules")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "needs.ids" in run.stderr


def test_rules_validate_checks_the_ids_against_its_schema():
    run = subprocess.run([sys.executable, "-m", "permitcheck", "rules", "validate", str(KR)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "2 IDS file(s)" in run.stdout and "not validated" not in run.stdout


def test_hostile_names_in_an_ids_stay_text_in_the_reports(tmp_path):
    name = "&lt;script&gt;alert(1)&lt;/script&gt; [bold red]x[/bold red]"
    book = _rulebook(tmp_path, "  - ids: needs.ids", _ids(name, attribute="Description"))
    result = check_model(_model(tmp_path), SITE, book, anchor=ANCHOR, rules_folders=(ROOT / "rules",), sections=False)
    from permitcheck.reports.html import render
    page = render(json.loads(json.dumps(result.to_dict())))
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    from io import StringIO

    from rich.console import Console

    from permitcheck.reports.check_terminal import render as terminal
    out = StringIO()
    terminal(json.loads(json.dumps(result.to_dict())), Console(file=out, width=200, highlight=False))
    assert "[bold red]x[/bold red]" in out.getvalue()  # shown as written, not taken as markup


def test_the_ids_is_not_copied_or_needed_beside_the_model(tmp_path):
    """The audit reads the IDS where the rulebook is, whatever the working folder."""
    model = _model(tmp_path)
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(model, other / "m.ifc")
    result = check_model(other / "m.ifc", SITE, KR, anchor=ANCHOR, sections=False)
    assert _readiness(result)["readiness.storeys"].m.details["ids"] == "readiness.ids"


def test_a_batch_reruns_a_case_when_its_rulebooks_ids_changes(tmp_path):
    import sqlite3

    from conftest import copy_rulebook
    from permitcheck.batch import run_batch
    from permitcheck.batch.inputs import readiness_ids
    from test_batch import make_case

    assert readiness_ids("readiness: [{ids: a.ids}, {severity: warning, ids: b.ids}]\nx: {readiness: [{ids: c.ids}]}\n"
                         "ids: d.ids\n") == ["a.ids", "b.ids"]
    rules = copy_rulebook(KR, tmp_path / "national.yaml")
    make_case(tmp_path / "cases", "a", rules=rules)
    out = tmp_path / "out"
    first = run_batch(tmp_path / "cases", out, workers=1)
    assert first.counts == {"PASS": 1}
    assert run_batch(tmp_path / "cases", out, workers=1).skipped == 1  # nothing changed
    ids = tmp_path / "readiness.ids"
    ids.write_text(_ids("Storey descriptions", attribute="Description"), encoding="utf-8")
    third = run_batch(tmp_path / "cases", out, workers=1)
    assert third.skipped == 0 and third.counts == {"UNKNOWN": 1}  # re-run, and the new IDS decided it
    (result,) = [json.loads(r) for (r,) in sqlite3.connect(out / "permitcheck.sqlite").execute(
        "SELECT result_json FROM results ORDER BY rowid DESC LIMIT 1")]
    assert result["findings"][0]["title"] == "Data readiness: Storey descriptions"


def _specs(ids) -> dict:
    return ids.asdict()


def test_a_decoded_ids_is_cached_and_read_back_without_the_schema(tmp_path, monkeypatch):
    """The XSD takes 0.4 s to build in a process: a second process reads the decoding from the cache,
    and what ifctester makes of it is the same; a cache that is not ours is decoded afresh."""
    from ifctester import ids as idslib

    monkeypatch.setenv("PERMITCHECK_CACHE", str(tmp_path / "cache"))
    fresh = [_specs(load_ids(str(p))) for p in KR_IDS]
    cached = sorted((tmp_path / "cache").glob("ids-*.json"))
    assert len(cached) == 2

    def no_schema():
        raise AssertionError("the schema was built although the decoding is cached")

    monkeypatch.setattr(idslib, "get_schema", no_schema)
    assert [_specs(load_ids(str(p))) for p in KR_IDS] == fresh
    monkeypatch.undo()
    monkeypatch.setenv("PERMITCHECK_CACHE", str(tmp_path / "cache"))
    cached[0].write_text("[1, 2")  # torn or foreign: decoded afresh and written again
    cached[1].write_text('{"specifications": 7}')
    assert [_specs(load_ids(str(p))) for p in KR_IDS] == fresh
    assert all(json.loads(p.read_text()).get("specifications") != 7 for p in cached)


def test_the_ids_cache_can_be_switched_off_and_a_read_only_one_is_no_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PERMITCHECK_CACHE", "off")
    load_ids(str(KR_IDS[0]))
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    monkeypatch.setenv("PERMITCHECK_CACHE", str(ro / "sub"))
    try:
        assert load_ids(str(KR_IDS[0])).specifications
    finally:
        ro.chmod(0o700)
