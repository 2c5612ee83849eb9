"""Massing models (issue 16): the sample buildings written as GLB, OBJ and STL from their own meshes
measure as their IFC does; a Y-up glTF and a millimetre OBJ land where the metre Z-up one does; a
CityJSON LoD2 building gives its footprint and height; `check` on a GLB of the podium gives the IFC's
plane and envelope findings; bad and hostile files are one line and exit 2."""

from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, SAMPLES, inspected
from massing_files import house, sample_elements, write_mesh
from permitcheck.errors import InputError, UsageError
from permitcheck.inspection import inspect_model
from permitcheck.model import MassingOptions

# each sample with the floor levels that are its storeys: --storey-height, or --levels (and a height)
SAMPLE_LEVELS = {
    "box_m.ifc": MassingOptions(storey_height_m=3.0),
    "courtyard.ifc": MassingOptions(storey_height_m=3.5),
    "lshape_basement.ifc": MassingOptions(levels_m=(-3.0, 0.0, 3.2)),
    "podium_tower.ifc": MassingOptions(levels_m=(0.0, 4.5, 9.0), storey_height_m=3.0),
    "two_buildings.ifc": MassingOptions(storey_height_m=3.0),
}
FORMATS = (".glb", ".obj", ".stl")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Each sample's meshes written once in each format (GLB as glTF says: Y up)."""
    out = tmp_path_factory.mktemp("massing")
    files = {}
    for name in SAMPLE_LEVELS:
        elements = sample_elements(SAMPLES / name)
        for fmt in FORMATS:
            files[name, fmt] = write_mesh(elements, out / (name.replace(".ifc", "") + fmt),
                                          up="y" if fmt == ".glb" else "z")
    return files


def _options(name: str, **kw) -> MassingOptions:
    o = SAMPLE_LEVELS[name]
    return MassingOptions(**{"storey_height_m": o.storey_height_m, "levels_m": o.levels_m, **kw})


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(SAMPLE_LEVELS))
def test_a_sample_as_a_mesh_measures_as_its_ifc(written, name, fmt):
    ifc = inspected(str(SAMPLES / name)).facts.whole
    ins = inspect_model(written[name, fmt], massing=_options(name))
    got = ins.facts.whole
    assert ins.model.massing is not None and ins.model.massing.open_parts == ()
    assert got.footprint_area_m2 == pytest.approx(ifc.footprint_area_m2, rel=0.005)
    assert got.footprint.symmetric_difference(ifc.footprint).area <= 0.005 * ifc.footprint_area_m2
    assert got.height_m == pytest.approx(ifc.height_m, abs=0.01)
    assert got.ground_elevation_m == pytest.approx(ifc.ground_elevation_m, abs=0.01)
    assert (got.storeys_above_ground, got.storeys_below_ground) == (ifc.storeys_above_ground,
                                                                   ifc.storeys_below_ground)
    assert got.gross_floor_area_m2 == pytest.approx(ifc.gross_floor_area_m2, rel=0.005)
    below = sum(s.gross_area_m2 for s in got.storeys if s.counted and not s.above_ground)
    assert below == pytest.approx(sum(s.gross_area_m2 for s in ifc.storeys if s.counted and not s.above_ground),
                                  rel=0.005, abs=0.01)
    # derived, and said so: a rule on them is REVIEW at best
    assert set(got.uncertain) == {"storeys", "gross_floor_area_m2"}
    assert "--" in got.uncertain["storeys"] and "massing" in got.derivation["storeys"]


def test_a_y_up_gltf_and_a_millimetre_obj_land_where_the_metre_z_up_one_does(tmp_path):
    elements = sample_elements(SAMPLES / "podium_tower.ifc")
    z_up = write_mesh(elements, tmp_path / "z.glb", up="z")
    y_up = write_mesh(elements, tmp_path / "y.gltf", up="y")
    mm = write_mesh(elements, tmp_path / "mm.obj", unit="mm")
    ft = write_mesh(elements, tmp_path / "ft.stl", unit="ft")
    base = inspect_model(z_up, massing=MassingOptions(up="z", storey_height_m=3.0)).facts.whole
    for path, opts in ((y_up, MassingOptions()), (mm, MassingOptions(unit="mm")), (ft, MassingOptions(unit="ft"))):
        ins = inspect_model(path, massing=MassingOptions(unit=opts.unit, storey_height_m=3.0))
        f = ins.facts.whole
        assert f.footprint.symmetric_difference(base.footprint).area < 0.01, path
        assert f.height_m == pytest.approx(base.height_m, abs=0.01)
        lo = np.min([e.vertices.min(axis=0) for e in ins.model.elements], axis=0)
        assert lo == pytest.approx([0.0, 0.0, -0.2], abs=1e-3)  # the model's own corner, Z up
    # the glTF default is Y up, its spec's; --up z reads it as it is written (lying on its side)
    lying = inspect_model(y_up, massing=MassingOptions(up="z")).facts.whole
    assert lying.height_m == pytest.approx(30.0, abs=0.01)  # its plan's depth


def test_a_file_in_another_unit_is_refused_naming_the_likely_unit(tmp_path):
    elements = sample_elements(SAMPLES / "box_m.ifc")
    mm = write_mesh(elements, tmp_path / "mm.obj", unit="mm")
    with pytest.raises(InputError, match=r"20.0 km across.*likely in mm.*--unit mm"):
        inspect_model(mm)
    metres = write_mesh(elements, tmp_path / "m.obj")
    with pytest.raises(InputError, match=r"2.0 cm across.*likely in m .*--unit m"):
        inspect_model(metres, massing=MassingOptions(unit="mm"))


def test_a_cityjson_lod2_building_gives_its_footprint_height_and_volume(tmp_path):
    from permitcheck.facts.mesh import building_mesh

    path = house(tmp_path / "house.city.json")
    ins = inspect_model(path, massing=MassingOptions(storey_height_m=3.0))
    f, m = ins.facts.whole, ins.model
    assert f.footprint_area_m2 == pytest.approx(80.0, rel=1e-6)
    assert f.height_m == pytest.approx(9.0, abs=1e-6) and f.ground_elevation_m == pytest.approx(2.5)
    assert f.highest_element.global_id == "house-1 RoofSurface"
    assert {e.ifc_class for e in m.elements} == {"CityJSON GroundSurface", "CityJSON WallSurface",
                                                 "CityJSON RoofSurface"}
    assert m.massing.open_parts == () and m.massing.object_id == "house-1"
    mesh = building_mesh(m.elements).summary()
    assert mesh["watertight"] and mesh["volume_m3"] == pytest.approx(10 * 8 * 6 + 10 * 8 * 3 / 2, rel=1e-6)
    # georeferenced where the city model puts it: the footprint's corner on the map
    geo = m.georeference
    assert geo.crs == "EPSG:7415"
    corner = geo.to_map(np.array([[f.footprint.bounds[0], f.footprint.bounds[1]]]))[0]
    assert corner == pytest.approx([85000.0, 446000.0], abs=1e-6)
    # storeys from sections: 0 and 3 m full, 6 m (the eaves) under the roof, 1.5 m headroom left
    assert f.storeys_above_ground == 3
    assert [s.gross_area_m2 for s in f.storeys if s.counted][:2] == pytest.approx([80.0, 80.0])


def test_a_cityjson_with_several_buildings_needs_object(tmp_path):
    path = house(tmp_path / "two.city.json", second=True)
    with pytest.raises(UsageError, match=r"holds 2 buildings — choose one with --object ID \(e.g. 'house-1', 'house-2'\)"):
        inspect_model(path)
    ins = inspect_model(path, massing=MassingOptions(object_id="house-2"))
    assert ins.facts.whole.footprint_area_m2 == pytest.approx(80.0)
    assert ins.model.georeference.eastings == pytest.approx(85030.0)  # its own corner
    with pytest.raises(UsageError, match="not a Building"):
        inspect_model(path, massing=MassingOptions(object_id="house-9"))
    with pytest.raises(UsageError, match="CityJSON building carries its own transform"):
        inspect_model(path, massing=MassingOptions(object_id="house-1", unit="mm"))


def test_a_massing_exported_as_cityjson_reads_back_as_a_massing(written, tmp_path):
    from permitcheck.exporting import export_cityjson

    glb = written["podium_tower.ifc", ".glb"]
    out = tmp_path / "podium.city.json"
    attrs = export_cityjson(glb, ROOT / "samples/sites/podium_north.geojson", out, anchor=(220000.0, 560000.0),
                            massing=MassingOptions(levels_m=(0.0, 4.5, 9.0), storey_height_m=3.0))
    assert attrs["permitcheck:massing"] == "glTF binary (.glb)" and attrs["storeysAboveGround"] == 10
    back = inspect_model(out).facts.whole
    assert back.height_m == pytest.approx(33.3, abs=0.01)
    assert back.footprint_area_m2 == pytest.approx(1200.0, rel=0.005)


def test_without_floor_levels_storeys_and_floor_area_are_unknown_never_zero(written):
    ins = inspect_model(written["box_m.ifc", ".glb"])
    f = ins.facts.whole
    assert f.storeys == () and f.storeys_above_ground == 0 and f.gross_floor_area_m2 == 0.0
    assert "--storey-height" in f.uncertain["storeys"]
    assert any("no storeys nor floor area" in w for w in ins.to_dict()["warnings"])


# ------------------------------------------------------------------------------------------------
# check


def _check(model, site, rules, zone=None, massing=None):
    from permitcheck.checking import check_model

    return check_model(model, ROOT / "samples/sites" / site, ROOT / rules, zone=zone, anchor=(220000.0, 560000.0),
                       massing=massing).to_dict()


@pytest.mark.parametrize("site, rules, zone", [
    ("podium_north.geojson", "rules/jp/bsa56.yaml", "JP-1MR-200"),
    ("podium_north.geojson", "rules/kr/national.yaml", None),
])
def test_check_on_a_glb_massing_gives_the_ifc_plane_and_envelope_findings(written, site, rules, zone):
    ifc = _check(SAMPLES / "podium_tower.ifc", site, rules, zone)
    glb = _check(written["podium_tower.ifc", ".glb"], site, rules, zone,
                 MassingOptions(levels_m=(0.0, 4.5, 9.0), storey_height_m=3.0))
    assert glb["model"]["massing"]["format"] == "glTF binary (.glb)"
    by_rule = {f["rule"]: f for f in glb["findings"]}
    compared = 0
    for f in ifc["findings"]:
        if f["kind"] not in ("plane", "envelope"):
            continue
        g = by_rule[f["rule"]]
        assert (g["status"], g["reason"]) == (f["status"], f["reason"]), f["rule"]
        if f["measured"] is None:
            assert g["measured"] is None
            continue
        assert g["measured"] == pytest.approx(f["measured"], rel=0.01, abs=0.01)
        for key in ("volume_outside_m3", "solid_volume_outside_m3", "depth_m"):
            if f["details"].get(key) is not None:
                assert g["details"][key] == pytest.approx(f["details"][key], rel=0.01, abs=0.05), (f["rule"], key)
        compared += 1
    assert compared >= 1
    # floor area is derived from the massing: a rule on it is never PASS
    for f in glb["findings"]:
        if f["kind"] in ("max_far", "max_storeys"):
            assert f["status"] != "PASS", f


def test_a_failing_storey_count_stays_a_failure_and_a_pass_becomes_review(written):
    opts = MassingOptions(levels_m=(0.0, 4.5, 9.0), storey_height_m=3.0)
    glb = written["podium_tower.ifc", ".glb"]
    example = {f["rule"]: f for f in _check(glb, "podium_ok.geojson", "samples/rules/example-city.yaml", "EX-1",
                                            opts)["findings"]}
    assert example["storeys"]["status"] == "FAIL" and example["storeys"]["measured"] == 10
    assert example["far"]["status"] == "REVIEW" and example["far"]["reason"] == "uncertain_fact"
    assert example["height"]["status"] == "FAIL" and example["height"]["measured"] == pytest.approx(33.3, abs=0.01)


def test_reports_say_the_model_is_a_massing(written, tmp_path):
    from permitcheck.reports import json_report
    from permitcheck.reports.html import render

    opts = MassingOptions(storey_height_m=3.0)
    result = _check(written["box_m.ifc", ".glb"], "box_ok.geojson", "rules/kr/national.yaml", massing=opts)
    assert json_report.validator("check").is_valid(result)
    m = result["model"]["massing"]
    assert m["parameters"] == "--storey-height 3" and m["up"] == "y" and "sections" not in m["derived"]["storeys"]
    readiness = [f for f in result["findings"] if f["kind"] == "readiness"]
    assert readiness and all(f["status"] == "NOT_APPLICABLE" and "massing" in f["details"]["why"] for f in readiness)
    page = render(result)
    assert "a massing model: glTF binary (.glb), read in m, Y up, turned Z up" in page
    assert "--storey-height 3" in page
    inspect_result = inspect_model(written["box_m.ifc", ".glb"], massing=opts).to_dict()
    assert json_report.validator("inspect").is_valid(inspect_result)
    proc = _run("inspect", written["box_m.ifc", ".glb"], "--storey-height", "3")
    assert proc.returncode == 0 and "a massing model: glTF binary (.glb)" in " ".join(proc.stdout.split())


# ------------------------------------------------------------------------------------------------
# bad and hostile input: one line, exit 2


def _run(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "permitcheck", *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=env, cwd=ROOT)


def _refused(proc, needle):
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert needle in proc.stderr, proc.stderr


def _gltf(buffers: list[dict], with_mesh: bool = True) -> dict:
    """A glTF 2.0 document of one triangle whose buffer is `buffers[0]`."""
    doc = {"asset": {"version": "2.0"}, "buffers": buffers}
    if with_mesh:
        doc.update({
            "scenes": [{"nodes": [0]}], "scene": 0, "nodes": [{"mesh": 0, "name": "block"}],
            "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
            "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": 36},
                            {"buffer": 0, "byteOffset": 36, "byteLength": 6}],
            "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                           "min": [0, 0, 0], "max": [10, 10, 0]},
                          {"bufferView": 1, "componentType": 5123, "count": 3, "type": "SCALAR"}],
        })
    return doc


_TRIANGLE = struct.pack("<9f", 0, 0, 0, 10, 0, 0, 0, 10, 0) + struct.pack("<3H", 0, 1, 2)


@pytest.mark.parametrize("uri", ["../../etc/passwd", "/etc/passwd", "file:///etc/passwd",
                                 "http://127.0.0.1:9/buffer.bin", "sub/../../outside.bin", "%2e%2e/outside.bin"])
def test_a_gltf_buffer_outside_the_model_folder_is_refused_unread(tmp_path, uri):
    folder = tmp_path / "model"
    folder.mkdir()
    (tmp_path / "outside.bin").write_bytes(_TRIANGLE)
    path = folder / "m.gltf"
    path.write_text(json.dumps(_gltf([{"uri": uri, "byteLength": len(_TRIANGLE)}])))
    _refused(_run("inspect", path), "outside the model's folder")


def test_a_gltf_buffer_that_is_a_link_out_of_the_folder_is_refused(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (tmp_path / "outside.bin").write_bytes(_TRIANGLE)
    os.symlink(tmp_path / "outside.bin", folder / "inside.bin")
    path = folder / "m.gltf"
    path.write_text(json.dumps(_gltf([{"uri": "inside.bin", "byteLength": len(_TRIANGLE)}])))
    _refused(_run("inspect", path), "outside the model's folder")


def test_a_gltf_buffer_beside_it_or_in_a_data_uri_is_read(tmp_path):
    (tmp_path / "m.bin").write_bytes(_TRIANGLE)
    beside = tmp_path / "beside.gltf"
    beside.write_text(json.dumps(_gltf([{"uri": "m.bin", "byteLength": len(_TRIANGLE)}])))
    inline = tmp_path / "inline.gltf"
    data = "data:application/octet-stream;base64," + base64.b64encode(_TRIANGLE).decode()
    inline.write_text(json.dumps(_gltf([{"uri": data, "byteLength": len(_TRIANGLE)}])))
    for path in (beside, inline):
        # a flat triangle 10 m across (Y up: it stands 10 m tall, 0 m deep): read, and measured as open
        ins = inspect_model(path)
        assert [e.name for e in ins.model.elements] == ["block"]
        assert ins.facts.whole.height_m == pytest.approx(10.0)
        assert ins.model.massing.open_parts == ("block",)


def test_images_and_an_obj_material_library_are_never_opened(tmp_path, monkeypatch):
    import builtins

    opened = []
    real_open = builtins.open

    def spy(file, *a, **kw):
        opened.append(os.fspath(file) if isinstance(file, (str, os.PathLike)) else file)
        return real_open(file, *a, **kw)

    obj = tmp_path / "m.obj"
    obj.write_text("mtllib ../../etc/passwd\nusemtl x\nv 0 0 0\nv 10 0 0\nv 0 10 0\nv 0 0 10\n"
                   "f 1 3 2\nf 1 2 4\nf 2 3 4\nf 3 1 4\n")
    doc = _gltf([{"uri": "data:application/octet-stream;base64," + base64.b64encode(_TRIANGLE).decode(),
                  "byteLength": len(_TRIANGLE)}])
    doc["images"] = [{"uri": "/etc/passwd"}]
    doc["textures"] = [{"source": 0}]
    doc["materials"] = [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}]
    doc["meshes"][0]["primitives"][0]["material"] = 0
    gltf = tmp_path / "m.gltf"
    gltf.write_text(json.dumps(doc))
    monkeypatch.setattr(builtins, "open", spy)
    assert inspect_model(obj).facts.whole.height_m == pytest.approx(10.0)
    assert inspect_model(gltf).facts.whole.height_m == pytest.approx(10.0)
    monkeypatch.undo()
    assert not [p for p in opened if isinstance(p, str) and "passwd" in p]


def test_a_huge_data_uri_is_bounded_by_the_file_size_limit(tmp_path, monkeypatch):
    from permitcheck.model import massing

    monkeypatch.setattr(massing, "MAX_BYTES", 1000)
    path = tmp_path / "big.gltf"
    big = "data:application/octet-stream;base64," + base64.b64encode(b"\0" * 4000).decode()
    path.write_text(json.dumps(_gltf([{"uri": big, "byteLength": 4000}])))
    with pytest.raises(InputError, match="larger than"):
        inspect_model(path)


@pytest.mark.parametrize("name, content, needle", [
    ("empty.glb", b"", "the file is empty"),
    ("garbage.glb", b"not a gltf at all, just text" * 10, "not a binary glTF"),
    ("garbage.stl", b"\x00\x01\x02" * 50, "the scene is empty"),
    ("garbage.ply", b"ply\nformat nonsense\n", "cannot be read as PLY"),
    ("garbage.3mf", b"PK\x03\x04 broken", "not a 3MF package"),
    ("lines.obj", b"v 0 0 0\nv 10 0 0\nv 10 10 0\nl 1 2\nl 2 3\n", "holds only points or lines"),
    ("points.ply", b"ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\n"
                   b"end_header\n0 0 0\n1 1 1\n", "holds only points or lines"),
    ("nothing.obj", b"# no geometry\n", "the scene is empty"),
    ("nan.obj", b"v 0 0 0\nv nan 0 0\nv 0 10 0\nf 1 2 3\n", "the scene is empty"),  # trimesh drops the face
    ("compressed.gltf", json.dumps({"asset": {"version": "2.0"}, "extensionsRequired": ["KHR_draco_mesh_compression"]})
     .encode(), "KHR_draco_mesh_compression"),
])
def test_a_bad_mesh_is_one_line_and_exit_2(tmp_path, name, content, needle):
    path = tmp_path / name
    path.write_bytes(content)
    _refused(_run("inspect", path), needle)


def _glb(doc: dict, binary: bytes = b"") -> bytes:
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text
    if binary:
        binary += b"\0" * (-len(binary) % 4)
        body += struct.pack("<II", len(binary), 0x004E4942) + binary
    return struct.pack("<III", 0x46546C67, 2, 12 + len(body)) + body


def test_an_empty_glb_scene_is_one_line(tmp_path):
    path = tmp_path / "empty.glb"
    path.write_bytes(_glb({"asset": {"version": "2.0"}, "scenes": [{"nodes": []}], "scene": 0}))
    _refused(_run("inspect", path), "the scene is empty")
    one = tmp_path / "one.glb"  # the same packing with a triangle: read
    one.write_bytes(_glb({**_gltf([{"byteLength": len(_TRIANGLE)}])}, _TRIANGLE))
    assert inspect_model(one).facts.whole.height_m == pytest.approx(10.0)


def test_massing_options_with_an_ifc_or_a_mesh_where_they_do_not_belong(tmp_path, written):
    _refused(_run("inspect", SAMPLES / "box_m.ifc", "--storey-height", "3"), "for a massing model")
    _refused(_run("inspect", written["box_m.ifc", ".glb"], "--object", "x"), "goes with a CityJSON file")
    _refused(_run("inspect", written["box_m.ifc", ".glb"], "--unit", "yd"), "--unit yd")
    _refused(_run("inspect", written["box_m.ifc", ".glb"], "--levels", "0,a"), "--levels")
    _refused(_run("inspect", written["box_m.ifc", ".glb"], "--levels", "0,1"), "less than 1.5 m apart")
    _refused(_run("inspect", written["box_m.ifc", ".glb"], "--storey-height", "3000"), "1.5 to 20 m")
    _refused(_run("inspect", tmp_path / "missing.glb"), "no such file")


def test_3mf_and_ply_are_read(tmp_path):
    pytest.importorskip("lxml")
    pytest.importorskip("networkx")
    elements = sample_elements(SAMPLES / "box_m.ifc")
    for suffix in (".3mf", ".ply"):
        f = inspect_model(write_mesh(elements, tmp_path / f"box{suffix}"),
                          massing=MassingOptions(storey_height_m=3.0)).facts.whole
        assert f.height_m == pytest.approx(9.3, abs=0.01) and f.footprint_area_m2 == pytest.approx(240.0, rel=0.005)
        assert f.gross_floor_area_m2 == pytest.approx(720.0, rel=0.005)


def test_a_soup_of_solids_in_one_mesh_comes_apart_into_its_solids():
    """Two boxes stacked in one mesh, sharing the edges of the upper's foot (a binary STL of blocks)."""
    from permitcheck.model.massing import _bodies, _welded

    def box(x0, y0, z0, x1, y1, z1):
        v = np.array([[x, y, z] for z in (z0, z1) for y in (y0, y1) for x in (x0, x1)], dtype=float)
        f = np.array([[0, 2, 1], [1, 2, 3], [4, 5, 6], [5, 7, 6], [0, 1, 4], [1, 5, 4], [2, 6, 3], [3, 6, 7],
                      [0, 4, 2], [2, 4, 6], [1, 3, 5], [3, 7, 5]])
        return v, f

    (va, fa), (vb, fb) = box(0, 0, 0, 10, 10, 3), box(0, 0, 3, 10, 10, 6)
    v, f = _welded(np.concatenate([va, vb]), np.concatenate([fa, fb + len(va)]))
    bodies = _bodies(f, v)
    assert sorted(len(b) for b in bodies) == [12, 12]


def test_the_sample_massing_checks_as_the_ifc_does():
    """samples/buildings/podium_massing.glb (samples/build_massing.py): the podium sample as two solid
    blocks; its tower's massing over the Korean north plane is the IFC's (663.3 m³, README)."""
    glb = SAMPLES / "podium_massing.glb"
    opts = MassingOptions(levels_m=(0.0, 4.5, 9.0), storey_height_m=3.0)
    f = inspect_model(glb, massing=opts).facts.whole
    assert (f.footprint_area_m2, f.storeys_above_ground) == (pytest.approx(1200.0), 10)
    assert f.height_m == pytest.approx(33.3, abs=1e-4) and f.gross_floor_area_m2 == pytest.approx(4200.0)
    assert f.highest_element.name == "Tower"
    ifc = {x["rule"]: x for x in _check(SAMPLES / "podium_tower.ifc", "podium_north.geojson", "rules/kr/cheonan.yaml")
           ["findings"]}
    got = {x["rule"]: x for x in _check(glb, "podium_north.geojson", "rules/kr/cheonan.yaml", massing=opts)["findings"]}
    for rule in ("north-daylight", "north-daylight-3d"):
        assert got[rule]["status"] == ifc[rule]["status"] == "FAIL"
        assert got[rule]["measured"] == pytest.approx(ifc[rule]["measured"], abs=0.01)
        assert got[rule]["global_ids"] == ["Tower"]
    volume = got["north-daylight-3d"]["details"]["volume_outside_m3"]
    assert volume == pytest.approx(ifc["north-daylight-3d"]["details"]["volume_outside_m3"], rel=0.01)


def test_bcf_selects_no_massing_part_as_an_ifc_guid(tmp_path):
    pytest.importorskip("bcf")
    import zipfile

    from permitcheck.reports import write_report

    opts = MassingOptions(levels_m=(0.0, 4.5, 9.0), storey_height_m=3.0)
    data = _check(SAMPLES / "podium_massing.glb", "podium_north.geojson", "rules/kr/cheonan.yaml", massing=opts)
    path = write_report("bcf", data, tmp_path / "issues.bcf")
    with zipfile.ZipFile(path) as zf:
        text = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith((".bcf", ".bcfv")))
    assert 'IfcGuid="Tower"' not in text
    assert "parts of the massing model: Tower" in text


def test_a_glb_naming_a_file_outside_its_folder_is_refused(tmp_path):
    doc = _gltf([{"byteLength": len(_TRIANGLE)}, {"uri": "../../../etc/passwd", "byteLength": 16}])
    path = tmp_path / "m.glb"
    path.write_bytes(_glb(doc, _TRIANGLE))
    _refused(_run("inspect", path), "buffer 1 names '../../../etc/passwd', outside the model's folder")
