"""BCF reporter: reopens with the bcf library; one topic per FAIL/REVIEW with the right elements."""

from __future__ import annotations

import copy

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
