"""BCF reporter: reopens with the bcf library; one topic per FAIL/REVIEW with the right elements."""

from __future__ import annotations

import copy

import numpy as np

import pytest

from conftest import ROOT

pytest.importorskip("bcf", reason="bcf-client is not installed")

from bcf.bcfxml import load  # noqa: E402

from permitcheck.reports import bcf as bcf_report  # noqa: E402

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


def _issues(result: dict) -> list[dict]:
    return [f for f in result["findings"] if f["status"] in ("FAIL", "REVIEW")]


def _topics_by_title(path) -> tuple:
    bcf = load(path)
    assert bcf.version.version_id == "2.1"
    return bcf, {t.topic.title: t for t in bcf.topics.values()}


@pytest.mark.parametrize("case", ["fail", "pass"])
def test_one_topic_per_fail_or_review(results, tmp_path, case):
    result = results[case]
    path = bcf_report.write(result, tmp_path / "out.bcf")
    assert path == tmp_path / "out.bcf"
    bcf, topics = _topics_by_title(path)
    assert bcf.project.name == result["model"]["path"]
    issues = _issues(result)
    assert (len(issues) > 0) == (case == "fail")
    assert sorted(topics) == sorted(f"{f['status']}: {f['title']}" for f in issues)
    for f in issues:
        topic = topics[f"{f['status']}: {f['title']}"]
        assert topic.guid == bcf_report.topic_guid(result["model"]["sha256"], f["rule"])
        for text in (str(f["measured"]), str(f["limit"]), str(f["margin"]), f["reason"],
                     f["citation"]["source"], f["citation"]["article"]):
            assert text in topic.topic.description
        (viewpoint,) = topic.viewpoints.values()
        assert sorted(viewpoint.get_selected_guids()) == sorted(f["global_ids"])
        assert viewpoint.visualization_info.perspective_camera is not None


def test_camera_looks_at_the_failing_part(results, tmp_path):
    result = results["fail"]
    f = _issues(result)[0]
    _, topics = _topics_by_title(bcf_report.write(result, tmp_path / "out.bcf"))
    cam = next(iter(topics[f"FAIL: {f['title']}"].viewpoints.values())).visualization_info.perspective_camera
    xs = [p[0] for p in f["where_model"]["coordinates"][0]]
    ys = [p[1] for p in f["where_model"]["coordinates"][0]]
    target = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, result["facts"]["height_m"] / 2)
    pos = cam.camera_view_point
    d = cam.camera_direction
    to_target = [target[0] - pos.x, target[1] - pos.y, target[2] - pos.z]
    norm = sum(c * c for c in to_target) ** 0.5
    assert [c / norm for c in to_target] == pytest.approx([d.x, d.y, d.z], abs=1e-6)
    fp = result["facts"]["footprint_model"]["coordinates"][0]
    inside = min(p[0] for p in fp) <= pos.x <= max(p[0] for p in fp) and \
        min(p[1] for p in fp) <= pos.y <= max(p[1] for p in fp)
    assert not inside and pos.z > target[2]
    assert cam.camera_up_vector.z > 0


def test_rerun_gives_the_same_topics(results, tmp_path):
    a = load(bcf_report.write(results["fail"], tmp_path / "a.bcf"))
    b = load(bcf_report.write(results["fail"], tmp_path / "b.bcf"))
    assert sorted(a.topics) == sorted(b.topics) != []
    assert a.project.project_id == b.project.project_id


def test_review_gets_a_topic_and_model_strings_round_trip(results, tmp_path):
    result = copy.deepcopy(results["fail"])
    for f in result["findings"]:
        f["title"] = NASTY
    result["findings"][1]["status"] = "REVIEW"
    result["findings"][1]["global_ids"] = ["2uVo4QH5XTCuNAiExsGsoM"]
    result["findings"][2]["status"] = "UNKNOWN"  # no topic: nothing to point at in the model
    _, topics = _topics_by_title(bcf_report.write(result, tmp_path / "out.bcf"))
    assert sorted(topics) == [f"FAIL: {NASTY}", f"REVIEW: {NASTY}"]
    (vp,) = topics[f"REVIEW: {NASTY}"].viewpoints.values()
    assert vp.get_selected_guids() == ["2uVo4QH5XTCuNAiExsGsoM"]


def _png_pixels(data: bytes):
    """Width, height and RGB rows of a PNG as the snapshot writes it (8-bit RGB, filter 0), every chunk's CRC
    checked; Pillow, when installed, must read the same pixels."""
    import struct
    import zlib

    import numpy as np

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body, crc = data[pos + 8:pos + 8 + n], struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + n
    w, h, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, 1 + 3 * w)
    assert not raw[:, 0].any()
    pixels = raw[:, 1:].reshape(h, w, 3)
    try:
        import io

        from PIL import Image
    except ImportError:
        return pixels
    assert (np.asarray(Image.open(io.BytesIO(data)).convert("RGB")) == pixels).all()
    return pixels


def test_each_topic_has_a_snapshot_of_the_failing_part_and_the_header_names_the_model(results, tmp_path):
    import ifcopenshell

    result = results["fail"]
    path = bcf_report.write(result, tmp_path / "out.bcf")
    bcf, topics = _topics_by_title(path)
    project = ifcopenshell.open(str(ROOT / "samples" / "buildings" / "podium_tower.ifc")).by_type("IfcProject")[0]
    assert result["model"]["project_global_id"] == project.GlobalId
    assert len(topics) == 2
    for topic in topics.values():
        (header,) = topic.markup.header.file
        assert header.filename == "podium_tower.ifc" and header.ifc_project == project.GlobalId
        (viewpoint,) = topic.viewpoints.values()
        (entry,) = topic.markup.viewpoints
        assert entry.snapshot == "snapshot.png" and viewpoint.snapshot
        pixels = _png_pixels(viewpoint.snapshot)
        assert pixels.shape == (480, 640, 3)
        red = (pixels[:, :, 0] > 150) & (pixels[:, :, 1] < 80) & (pixels[:, :, 2] < 80)
        spread = pixels.max(axis=2).astype(int) - pixels.min(axis=2)
        grey_blue = (pixels.max(axis=2) < 200) & (spread < 40)  # the building, seen through the amber envelope
        # the tower's top over the plane (13.3 m of it, red) and the building beside it, in view
        assert red.sum() > 2000 and grey_blue.sum() > 2000, (red.sum(), grey_blue.sum())
        rows, cols = np.nonzero(red)
        assert 0 < rows.min() and rows.max() < 479 and 0 < cols.min() and cols.max() < 639


def test_a_finding_without_a_3d_view_is_drawn_from_its_plan(results):
    from permitcheck.reports.snapshot import plan_view, render

    result = results["fail"]
    f = next(f for f in result["findings"] if f["rule"] == "north-daylight")
    view = plan_view(result, f)
    assert len(view["building"]) >= 12 and len(view["outside"]) >= 12 and len(view["envelope"]) >= 12
    position, target = bcf_report.camera(result, f)
    pixels = render(view, position, target)
    assert ((pixels[:, :, 0] > 150) & (pixels[:, :, 1] < 80)).sum() > 1000
    # its twin (the same article, the same elements) lends its 3D view
    assert bcf_report.view_of(result, f) is next(g for g in result["findings"]
                                                  if g["rule"] == "north-daylight-3d")["details"]["view3d"]
