"""Names from models, sites and rulebooks reach the terminal as written: never markup, never escape codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import ifcopenshell

from conftest import ROOT, SAMPLES

HOSTILE = "[/]\x1b[31mred\x1b]0;pwned\x07\u202eevil\x9b1m"
UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e")


def _run(*args, env_extra=None):
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "permitcheck", *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=env)


def _hostile_model(tmp_path):
    path = tmp_path / "hostile.ifc"
    shutil.copy(SAMPLES / "box_m.ifc", path)
    f = ifcopenshell.open(str(path))
    for s in f.by_type("IfcBuildingStorey"):
        s.Name = HOSTILE
    f.by_type("IfcWall")[0].Name = HOSTILE
    f.by_type("IfcProject")[0].Name = HOSTILE
    f.write(str(path))
    return path


def _assert_clean(text: str):
    for c in UNSAFE:
        assert c not in text, repr(c)


def test_inspect_shows_a_storey_named_like_markup_and_escapes(tmp_path):
    proc = _run("inspect", _hostile_model(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    _assert_clean(proc.stdout + proc.stderr)
    assert "[/]\\x1b[31mred" in proc.stdout.replace("\n", "")


def test_check_terminal_report_escapes_names_from_site_and_rulebook(tmp_path):
    site = json.loads((ROOT / "samples" / "sites" / "box_tight.geojson").read_text())
    site["features"][0]["properties"]["id"] = HOSTILE
    (tmp_path / "site.geojson").write_text(json.dumps(site))
    book = (ROOT / "rules" / "kr" / "national.yaml").read_text(encoding="utf-8")
    book = book.replace("rulebook: kr-national", f"rulebook: {json.dumps(HOSTILE)}", 1)
    (tmp_path / "book.yaml").write_text(book, encoding="utf-8")
    for ids in (ROOT / "rules" / "kr").glob("*.ids"):
        (tmp_path / ids.name).write_bytes(ids.read_bytes())
    proc = _run("check", _hostile_model(tmp_path), "--site", tmp_path / "site.geojson", "--rules",
                tmp_path / "book.yaml", "--anchor", "220000,560000")
    assert proc.returncode == 1, proc.stderr
    _assert_clean(proc.stdout + proc.stderr)
    assert "\\x1b[31mred" in proc.stdout.replace("\n", "")


def test_json_output_escapes_c1_controls_and_reordering(tmp_path):
    proc = _run("inspect", "--json", _hostile_model(tmp_path))
    assert proc.returncode == 0
    _assert_clean(proc.stdout)
    assert json.loads(proc.stdout)["facts"]["storeys"][0]["name"] == HOSTILE  # the data itself is intact


def test_an_error_line_shows_control_characters_escaped(tmp_path):
    bad = tmp_path / "bad\x1b]0;pwned\x07.ifc"
    bad.write_text("not ifc")
    proc = _run("inspect", bad)
    assert proc.returncode == 2
    _assert_clean(proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1 and "\\x1b]0;pwned\\x07" in proc.stderr
