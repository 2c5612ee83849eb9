"""Corrupt and hostile models: one line and exit 2, or an element recorded as failed and a REVIEW — never a crash."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SAMPLES
from permitcheck.model.integrity import MAX_DEPTH

BOX = (SAMPLES / "box_m.ifc").read_text()


def _edit(tmp_path, *subs, text=BOX, name="model.ifc"):
    for pattern, repl in subs:
        new = re.sub(pattern, repl, text, count=1, flags=re.M)
        assert new != text, pattern
        text = new
    p = tmp_path / name
    p.write_text(text)
    return p


def _run(*args):
    return subprocess.run([sys.executable, "-m", "permitcheck", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def _refused(proc, needle):
    assert proc.returncode == 2, (proc.returncode, proc.stderr)  # not -11 (SIGSEGV) nor 3 (RecursionError)
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert needle in proc.stderr, proc.stderr


def test_an_element_placed_relative_to_itself_is_refused_not_a_segfault(tmp_path):
    # the wall's placement #56: ifcopenshell's geometry iterator follows it for ever (SIGSEGV)
    p = _edit(tmp_path, (r"^#56=IFCLOCALPLACEMENT\(#32,", "#56=IFCLOCALPLACEMENT(#56,"))
    _refused(_run("inspect", p), "#56 IfcLocalPlacement is placed relative to itself")


def test_two_placements_relative_to_each_other_are_refused(tmp_path):
    p = _edit(tmp_path, (r"^#25=IFCLOCALPLACEMENT\(#18,", "#25=IFCLOCALPLACEMENT(#32,"))
    _refused(_run("inspect", p), "reference cycle (#25 → #32 → #25)")


@pytest.mark.parametrize("sub", [
    (r"^#32=IFCLOCALPLACEMENT\(#25,", "#32=IFCLOCALPLACEMENT(#9999,"),  # the storey would drop to the origin
    (r"^#39=IFCLOCALPLACEMENT\(#32,#38\)", "#39=IFCLOCALPLACEMENT(#32,#9998)"),
])
def test_a_dangling_reference_is_refused(tmp_path, sub):
    _refused(_run("inspect", _edit(tmp_path, sub)), "which is not in the file")


def test_a_placement_chain_deeper_than_any_export_is_refused(tmp_path):
    n = MAX_DEPTH + 50
    base = 900000
    chain = [f"#{base + i}=IFCLOCALPLACEMENT(#{base + i - 1 if i else 18},#24);" for i in range(n)]
    p = _edit(tmp_path, (r"^#25=IFCLOCALPLACEMENT\(#18,", f"#25=IFCLOCALPLACEMENT(#{base + n - 1},"),
              (r"^ENDSEC;\nEND-ISO", "\n".join(chain) + "\nENDSEC;\nEND-ISO"))
    _refused(_run("inspect", p), f"more than {MAX_DEPTH} deep")


def test_a_mapped_representation_that_contains_itself_is_refused(tmp_path):
    extra = ("#900001=IFCREPRESENTATIONMAP(#24,#900002);\n"
             "#900002=IFCSHAPEREPRESENTATION(#11,'Body','MappedRepresentation',(#900003));\n"
             "#900003=IFCMAPPEDITEM(#900001,#900004);\n"
             "#900004=IFCCARTESIANTRANSFORMATIONOPERATOR3D($,$,#6,1.,$);\n"
             "#900005=IFCPRODUCTDEFINITIONSHAPE($,$,(#900002));\n")
    p = _edit(tmp_path, (r"^(#51=IFCWALL\('[^']*',\$,'[^']*',\$,\$,#56,)#67", r"\g<1>#900005"),
              (r"^ENDSEC;\nEND-ISO", extra + "ENDSEC;\nEND-ISO"))
    _refused(_run("inspect", p), "reference cycle")


def test_a_vertex_at_1e308_fails_its_element_and_the_verdict_is_review(tmp_path):
    # the wall's own placement point: its body lands 1e308 m up (inspect gave height 1e305 m and a PASS)
    p = _edit(tmp_path, (r"^#52=IFCCARTESIANPOINT\(\(0\.,0\.,0\.\)\)", "#52=IFCCARTESIANPOINT((0.,0.,1.E308))"))
    proc = _run("inspect", "--json", p)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    (failure,) = d["model"]["element_failures"]
    assert "coordinates beyond" in failure["reason"]
    assert d["facts"]["height_m"] == pytest.approx(9.3, abs=0.01)  # the rest of the box, as built
    proc = _run("check", p, "--site", ROOT / "samples" / "sites" / "box_ok.geojson", "--rules",
                ROOT / "rules" / "kr" / "national.yaml", "--anchor", "220000,560000", "--json")
    d = json.loads(proc.stdout)
    assert proc.returncode == 1 and d["verdict"] == "REVIEW"  # the box_ok case is a PASS when whole
    passing = [f for f in d["findings"] if f["reason"] == "elements_not_measured"]
    assert passing and all(f["status"] == "REVIEW" for f in passing)
    assert {f["status"] for f in d["findings"] if f["kind"] != "readiness"} <= {"REVIEW", "NOT_APPLICABLE"}


def test_a_storey_at_an_absurd_elevation_is_refused(tmp_path):
    p = _edit(tmp_path, (r"^#28=IFCCARTESIANPOINT\(\(0\.,0\.,0\.\)\)", "#28=IFCCARTESIANPOINT((0.,0.,1.E308))"),
              (r"'Level 0',\$,\$,#32,\$,\$,\$,0\.\)", "'Level 0',$,$,#32,$,$,$,1.E308)"))
    _refused(_run("inspect", p), "non-finite or absurd elevation")


def test_real_models_pass_the_integrity_checks(real_model):
    import ifcopenshell

    from permitcheck.model.integrity import find_cycle

    for name in ("05_Janesville_Restaurant_Revit2012_feet.ifc", "01_AC20-FZK-Haus.ifc"):
        assert find_cycle(ifcopenshell.open(str(real_model(name)))) is None


def test_a_chain_visited_from_its_top_is_still_too_deep():
    """Placements numbered from the top down: each is met after its parent, so no walk is ever deep,
    yet the chain is; the element at its end crashed ifcopenshell's geometry (SIGSEGV)."""
    import ifcopenshell

    from permitcheck.model.integrity import find_cycle

    f = ifcopenshell.file(schema="IFC4")
    origin = f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, 0.0)))
    place = None
    for _ in range(MAX_DEPTH + 10):
        place = f.createIfcLocalPlacement(place, origin)
    f.createIfcBuildingElementProxy(ifcopenshell.guid.new(), None, "end", None, None, place)
    cycle = find_cycle(f)
    assert cycle is not None and cycle[-1] == -1


@pytest.mark.parametrize("sub,needle", [
    ((r"^#25=IFCLOCALPLACEMENT\(#18,", "#25=IFCLOCALPLACEMENT(#1,"), "PlacementRelTo points at IfcProject"),
    ((r"^#25=IFCLOCALPLACEMENT\(#18,#24\)", "#25=IFCLOCALPLACEMENT(#18,#51)"), "RelativePlacement points at IfcWall"),
    ((r"^#21=IFCCARTESIANPOINT\(\(0\.,0\.,0\.\)\)", "#21=IFCCARTESIANPOINT((0.,0.))"), "#21 IfcCartesianPoint (0.0, 0.0), not 3 numbers"),
])
def test_a_placement_pointing_at_the_wrong_kind_of_instance_is_refused(tmp_path, sub, needle):
    _refused(_run("inspect", _edit(tmp_path, sub)), needle)


@pytest.mark.parametrize("sub,needle", [
    ((r"IFCSIUNIT\(\*,\.LENGTHUNIT\.,\$,\.METRE\.\)", "IFCSIUNIT(*,.LENGTHUNIT.,$,.SECOND.)"), "named SECOND"),
    ((r"IFCSIUNIT\(\*,\.LENGTHUNIT\.,\$,\.METRE\.\)", "IFCSIUNIT(*,.LENGTHUNIT.,.EXA.,.METRE.)"), "no building"),
])
def test_a_length_unit_no_building_is_drawn_in_is_refused(tmp_path, sub, needle):
    _refused(_run("inspect", _edit(tmp_path, sub)), needle)


def test_a_storey_elevation_that_is_not_a_number_is_not_an_internal_error(tmp_path):
    p = _edit(tmp_path, (r"'Level 0',\$,\$,#32,\$,\$,\$,0\.\)", "'Level 0',$,$,#32,$,$,$,'x')"))
    proc = _run("inspect", p)
    assert proc.returncode in (0, 2) and "internal error" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args,needle", [
    (("--ground-level", "nan"), "--ground-level nan"),
    (("--ground-level", "1e400"), "--ground-level inf"),
    (("--workers", "abc"), "Invalid value for '--workers'"),
])
def test_bad_options_are_one_line(args, needle):
    proc = _run("inspect", SAMPLES / "box_m.ifc", *args)
    _refused(proc, needle)


def test_a_dangling_reference_is_found_after_another_model_was_read(tmp_path):
    """Reading ifcopenshell's log empties it: a second file in one process must still be checked."""
    from permitcheck.errors import ModelUnreadable
    from permitcheck.model.ifcfile import open_ifc
    from permitcheck.model.read import read_model

    read_model(SAMPLES / "podium_tower.ifc", workers=1)
    p = _edit(tmp_path, (r"^#32=IFCLOCALPLACEMENT\(#25,", "#32=IFCLOCALPLACEMENT(#9999,"))
    with pytest.raises(ModelUnreadable, match="which is not in the file"):
        open_ifc(str(p))


@pytest.mark.parametrize("kind", ["derived", "composite", "trimmed", "spaces"])
def test_profile_curve_and_aggregation_cycles_are_refused(tmp_path, kind):
    import ifcopenshell

    from ifcbuild import Builder, rect

    b = Builder()
    b.block([("EG", 0.0)], rect(0, 0, 10, 8), 3.0)
    f = b.f
    ex = f.by_type("IfcExtrudedAreaSolid")[0]
    if kind == "derived":
        op = f.createIfcCartesianTransformationOperator2D(None, None, f.createIfcCartesianPoint((0.0, 0.0)), 1.0)
        d = f.createIfcDerivedProfileDef("AREA", None, ex.SweptArea, op, None)
        d.ParentProfile = d
        ex.SweptArea = d
    elif kind == "composite":
        c = f.createIfcCompositeProfileDef("AREA", None, [ex.SweptArea], None)
        c.Profiles = [c, ex.SweptArea]
        ex.SweptArea = c
    elif kind == "trimmed":
        prof = ex.SweptArea
        t = f.createIfcTrimmedCurve(prof.OuterCurve, [f.createIfcParameterValue(0.0)],
                                    [f.createIfcParameterValue(1.0)], True, "PARAMETER")
        t.BasisCurve = t
        prof.OuterCurve = t
    else:
        a = b.space("EG", rect(1, 1, 4, 4), 0, 2.5, "A")
        c = b.space("EG", rect(5, 1, 8, 4), 0, 2.5, "B")
        for rel in {r.id(): r for r in list(a.Decomposes) + list(c.Decomposes)}.values():
            f.remove(rel)
        f.createIfcRelAggregates(ifcopenshell.guid.new(), None, None, None, c, [a])
        f.createIfcRelAggregates(ifcopenshell.guid.new(), None, None, None, a, [c])
    _refused(_run("inspect", b.write(tmp_path / "m.ifc")), "cycle")
