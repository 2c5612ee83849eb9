"""The command line: output shapes, and one clear line with exit code 2 for every kind of bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.api.project
import pytest
from typer.testing import CliRunner

from conftest import ROOT, SAMPLES
from permitcheck.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_inspect_json_has_the_documented_keys():
    r = run("inspect", str(SAMPLES / "geo_rotated_m.ifc"), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["schema_version"] == 1
    assert set(d["model"]) >= {"path", "sha256", "schema", "application", "length_unit_m", "georeference"}
    assert set(d["model"]["georeference"]) >= {"crs", "eastings", "northings", "orthogonal_height", "rotation_deg", "scale"}
    f = d["facts"]
    assert set(f) >= {"ground_elevation_m", "height_m", "highest_element", "footprint_area_m2", "footprint",
                      "storeys_above_ground", "storeys_below_ground", "gross_floor_area_m2", "storeys", "buildings"}
    assert set(f["highest_element"]) == {"global_id", "ifc_class", "name"}
    assert set(f["storeys"][0]) >= {"name", "elevation_m", "above_ground", "gross_area_m2"}
    assert f["footprint"]["type"] == "Polygon"
    assert f["footprint"]["coordinates"][0][0][0] > 200000  # map coordinates
    assert isinstance(d["warnings"], list)


def test_inspect_terminal_summary():
    r = run("inspect", str(SAMPLES / "rooftop.ifc"))
    assert r.exit_code == 0
    assert "Stair tower roof" in r.stdout and "12.50 m" in r.stdout


def test_ground_level_option():
    r = run("inspect", str(SAMPLES / "box_m.ifc"), "--json", "--ground-level", "1.0")
    assert json.loads(r.stdout)["facts"]["height_m"] == pytest.approx(8.3)


def _model_without(tmp_path, building=True, geometry=True):
    f = ifcopenshell.api.project.create_file(version="IFC4")
    project = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcProject", name="P")
    ifcopenshell.api.run("unit.assign_unit", f)
    ifcopenshell.api.run("context.add_context", f, context_type="Model")
    site = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcSite", name="S")
    ifcopenshell.api.run("aggregate.assign_object", f, products=[site], relating_object=project)
    if building:
        b = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcBuilding", name="B")
        ifcopenshell.api.run("aggregate.assign_object", f, products=[b], relating_object=site)
        if not geometry:
            wall = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcWall", name="no body")
            ifcopenshell.api.run("spatial.assign_container", f, products=[wall], relating_structure=b)
    path = tmp_path / "model.ifc"
    f.write(str(path))
    return path


BAD = {
    "missing": lambda tmp: tmp / "nope.ifc",
    "folder": lambda tmp: tmp,
    "empty": lambda tmp: (tmp / "e.ifc").write_bytes(b"") or tmp / "e.ifc",
    "not ifc": lambda tmp: (tmp / "t.ifc").write_text("hello, I am a text file\n") or tmp / "t.ifc",
    "truncated": lambda tmp: (tmp / "tr.ifc").write_bytes((SAMPLES / "box_m.ifc").read_bytes()[:5000]) or tmp / "tr.ifc",
    "no building": lambda tmp: _model_without(tmp, building=False),
    "no geometry": lambda tmp: _model_without(tmp, geometry=False),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_is_one_line_and_exit_2(kind, tmp_path):
    path = BAD[kind](tmp_path)
    proc = subprocess.run([sys.executable, "-m", "permitcheck", "inspect", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith("permitcheck: error: ") and " — " in lines[0]  # what — how to fix


def test_debug_shows_the_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "permitcheck", "--debug", "inspect", str(tmp_path / "x.ifc")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" in proc.stderr


def test_python_api_matches_cli():
    from permitcheck import inspect_model

    api = inspect_model(SAMPLES / "courtyard.ifc").to_dict()
    cli = json.loads(run("inspect", str(SAMPLES / "courtyard.ifc"), "--json").stdout)
    assert api["facts"]["footprint_area_m2"] == cli["facts"]["footprint_area_m2"]


def test_mesh_option_reports_a_closed_mesh():
    r = run("inspect", str(SAMPLES / "box_m.ifc"), "--json", "--mesh")
    mesh = json.loads(r.stdout)["facts"]["mesh"]
    assert mesh["watertight"] is True and mesh["volume_m3"] == pytest.approx(324.704, abs=0.01)
    r = run("inspect", str(SAMPLES / "box_m.ifc"), "--mesh")
    assert "closed" in r.stdout


def test_hostile_names_are_shown_as_written(tmp_path):
    import shutil

    path = tmp_path / "hostile.ifc"
    shutil.copy(SAMPLES / "box_m.ifc", path)
    f = ifcopenshell.open(str(path))
    roof = [s for s in f.by_type("IfcSlab") if s.Name == "Roof slab"][0]
    roof.Name = "[bold red]<script>alert(1)</script>[/bold red]"
    f.by_type("IfcBuildingStorey")[0].Name = "[link=file:///etc/passwd]L0[/link]"
    f.write(str(path))
    r = runner.invoke(app, ["inspect", str(path)], env={"COLUMNS": "400"})
    assert r.exit_code == 0, r.output
    assert "[bold red]<script>alert(1)</script>[/bold red]" in r.stdout
    assert "[link=file:///etc/passwd]L0[/link]" in r.stdout


def test_check_writes_every_report_format(tmp_path):
    from conftest import ROOT

    args = ["check", str(SAMPLES / "box_m.ifc"), "--site", str(ROOT / "samples/sites/box_tight.geojson"),
            "--rules", str(ROOT / "rules/kr/national.yaml"), "--anchor", "220000,560000"]
    r = runner.invoke(app, [*args, "--report", str(tmp_path / "out"),
                            "--format", "html", "--out", str(tmp_path / "one.html")])
    assert r.exit_code == 1, r.output
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["permitcheck-issues.bcf", "permitcheck-junit.xml", "permitcheck-report.html",
                     "permitcheck-result.json"]
    assert (tmp_path / "one.html").read_text().startswith("<!doctype html>")
    bad = runner.invoke(app, [*args, "--format", "html"])
    assert bad.exit_code == 2
    bad = runner.invoke(app, [*args, "--format", "docx", "--out", str(tmp_path / "x.docx")])
    assert bad.exit_code == 2
    bad = runner.invoke(app, ["batch", str(tmp_path), "--out", str(tmp_path / "b"), "--format", "docx"])
    assert bad.exit_code == 2 and not (tmp_path / "b").exists()  # refused before any case runs


def test_check_terminal_fits_80_columns_without_colour():
    from conftest import ROOT

    r = runner.invoke(app, ["check", str(SAMPLES / "podium_tower.ifc"), "--site",
                            str(ROOT / "samples/sites/podium_north.geojson"), "--rules",
                            str(ROOT / "rules/kr/cheonan.yaml"), "--anchor", "220000,560000"],
                      env={"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"})
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "\x1b[" not in r.stdout  # no colour codes
    assert lines[1].startswith("│ FAIL") and "16.65 m" in r.stdout


def test_version_says_the_installed_version():
    from importlib.metadata import version

    from permitcheck.version import __version__

    r = subprocess.run([sys.executable, "-m", "permitcheck", "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == f"permitcheck {__version__}" == f"permitcheck {version('permitcheck')}"


def test_rules_validate_reports_every_file_and_fails_if_any_is_bad(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rulebook: x\n")
    r = subprocess.run([sys.executable, "-m", "permitcheck", "rules", "validate", str(bad),
                        str(ROOT / "rules/kr/national.yaml"), str(ROOT / "rules/jp/bsa56.yaml")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "national.yaml: ok" in r.stdout and "bsa56.yaml: ok" in r.stdout  # the good ones after the bad one
    assert "title: required key is missing" in r.stderr and "1 of 3 rulebooks are not valid" in r.stderr


def test_out_dash_writes_the_report_to_standard_output_and_nothing_else(tmp_path):
    import json

    args = [sys.executable, "-m", "permitcheck", "check", str(SAMPLES / "podium_tower.ifc"), "--site",
            str(ROOT / "samples/sites/podium_north.geojson"), "--rules", str(ROOT / "rules/kr/cheonan.yaml"),
            "--anchor", "220000,560000"]
    r = subprocess.run(args + ["--format", "json", "--out", "-"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and json.loads(r.stdout)["verdict"] == "FAIL"  # the whole of stdout is the report
    r = subprocess.run(args + ["--format", "json", "--out", "-", "--json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "both write to standard output" in r.stderr
    r = subprocess.run(args + ["--format", "json", "--out", "-", "--format", "junit", "--out", "-"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "takes one report" in r.stderr


def test_a_batch_that_exits_non_zero_names_the_cases_not_passing(tmp_path):
    from test_batch import SITES, make_case

    root = tmp_path / "cases"
    make_case(root, "good")
    make_case(root, "tight-one", site=SITES / "box_tight.geojson")
    r = subprocess.run([sys.executable, "-m", "permitcheck", "batch", str(root), "--out", str(tmp_path / "out"),
                        "--workers", "1"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 1
    last = r.stderr.strip().splitlines()[-1]
    assert last == "permitcheck: 1 case(s) not PASS: tight-one (FAIL)", r.stderr


@pytest.mark.parametrize("command", [
    ["check", str(SAMPLES / "podium_tower.ifc"), "--site", str(ROOT / "samples/sites/podium_north.geojson"),
     "--rules", str(ROOT / "rules/kr/cheonan.yaml"), "--anchor", "220000,560000", "--context", "{fifo}"],
    ["review", "{fifo}", "--rule", "coverage", "--accept", "--reason", "seen", "--by", "officer"],
    ["diff", "{fifo}", "{fifo}"],
])
def test_a_fifo_where_a_file_is_named_is_refused_not_waited_on(tmp_path, command):
    """A named pipe would block a read for ever: it is refused in one line before a byte is read."""
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    args = [a.replace("{fifo}", str(fifo)) for a in command]
    r = subprocess.run([sys.executable, "-m", "permitcheck", *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "not a regular file" in r.stderr and "Traceback" not in r.stderr, r.stderr
