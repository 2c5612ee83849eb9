"""The BCF writer (permitcheck.reports.bcf_xml, no bcf-client) writes what bcf-client wrote: every
file of the zip byte for byte, and the same entries, on real results and on hostile strings."""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from permitcheck.reports import bcf as bcf_report
from permitcheck.reports import bcf_xml

pytest.importorskip("bcf", reason="bcf-client is not installed: it is the reference")

NASTY = "a<b>c&d\"e'f\tg\rh\ni\x01j ]]> 한글 \u2028"


def _with_bcf_client(result: dict, out: Path) -> Path:
    """The writer as it was, through bcf-client's model and serialiser: the reference."""
    from bcf.geometry import camera_vectors_from_target_position
    from bcf.v2 import model as mdl
    from bcf.v2.bcfxml import BcfXml
    from bcf.v2.topic import TopicHandler
    from bcf.v2.visinfo import VisualizationInfoHandler, build_camera_from_vectors
    from xsdata.models.datatype import XmlDateTime

    b, x = bcf_report, bcf_report._x
    model = result.get("model") or {}
    model_path = str(model.get("path", "model"))
    sha = str(model.get("sha256") or (result.get("provenance") or {}).get("model_sha256") or model_path)
    book = result.get("rulebook") or {}
    sources = book.get("sources") or {}
    tool = result.get("tool") or {}
    author = x(f"{tool.get('name', 'permitcheck')} {tool.get('version', '')}".strip())
    created = XmlDateTime.from_datetime(dt.datetime.fromisoformat(result["checked_at"]))
    project_id = model.get("project_global_id")
    project_id = project_id if isinstance(project_id, str) and b.re.fullmatch(r"[0-9A-Za-z_$]{22}", project_id) else None
    bcf = BcfXml.create_new(project_name=x(model_path))
    bcf.project_info.project.project_id = str(b.uuid.uuid5(b.NAMESPACE, f"project:{model_path}"))
    seen: dict[str, int] = {}
    for finding in result.get("findings") or []:
        status = finding.get("status")
        if status not in b.TOPIC_STATUSES:
            continue
        rule = str(finding.get("rule", ""))
        seen[rule] = seen.get(rule, 0) + 1
        guid = b.topic_guid(sha, rule if seen[rule] == 1 else f"{rule}#{seen[rule]}")
        src = sources.get((finding.get("citation") or {}).get("source"), {})
        labels = [finding.get("kind"), finding.get("severity"), book.get("id"), result.get("zone")]
        topic = mdl.Topic(guid=guid, title=x(f"{status}: {finding.get('title', rule)}"),
                          description=b._description(finding, sources, result), creation_author=author,
                          creation_date=created, topic_type=status, topic_status=b._topic_status(result, rule),
                          labels=[x(label) for label in labels if label],
                          reference_link=[x(src["url"])] if src.get("url") else [])
        header = mdl.Header(file=[mdl.HeaderFile(filename=x(Path(model_path).name), reference=x(model_path),
                                                 ifc_project=project_id, is_external=True)])
        handler = TopicHandler(topic_dir=Path(guid))
        handler.markup = mdl.Markup(header=header, topic=topic)
        guids = [str(g) for g in finding.get("global_ids") or [] if b._IFC_GUID.fullmatch(str(g))]
        components = mdl.Components(visibility=mdl.ComponentVisibility(default_visibility=True))
        if guids:
            components.selection = mdl.ComponentSelection(component=[mdl.Component(ifc_guid=g) for g in guids])
            components.coloring = mdl.ComponentColoring(color=[mdl.ComponentColoringColor(
                color=b.COLOUR[status], component=[mdl.Component(ifc_guid=g) for g in guids])])
        position, target = b.camera(result, finding)
        pos, direction, up = camera_vectors_from_target_position(np.array(target),
                                                                 offset=np.array(position) - np.array(target))
        visinfo = mdl.VisualizationInfo(guid=str(b.uuid.uuid5(b.NAMESPACE, f"viewpoint:{guid}")), components=components,
                                        perspective_camera=build_camera_from_vectors(pos, direction, up))
        picture = b.snapshot_png(b.view_of(result, finding), position, target, b.FIELD_OF_VIEW_DEG)
        handler.add_visinfo_handler(VisualizationInfoHandler(visinfo, snapshot=picture), snapshot_filename=b.SNAPSHOT)
        bcf.topics[guid] = handler
    bcf.save(str(out))
    bcf.close()
    return out


def _same_zip(ours: Path, theirs: Path) -> None:
    a, b = zipfile.ZipFile(ours), zipfile.ZipFile(theirs)
    assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
    for i, j in zip(a.infolist(), b.infolist()):
        assert (i.compress_type, i.external_attr, i.create_system) == (j.compress_type, j.external_attr, j.create_system)
        assert a.read(i) == b.read(j), i.filename


@pytest.fixture(scope="module")
def results(north_fail) -> list[dict]:
    from permitcheck.checking import check_model

    review = check_model(ROOT / "samples/buildings/podium_tower.ifc", ROOT / "samples/sites/podium_north.geojson",
                         ROOT / "rules/kr/cheonan.yaml", anchor=(220000, 560000)).to_dict()
    nasty = copy.deepcopy(north_fail)
    nasty["model"]["path"] = f"/tmp/{NASTY}/m.ifc"
    nasty["zone"] = NASTY
    nasty["tool"]["version"] = NASTY
    for f in nasty["findings"]:
        f["title"] = NASTY
        f["reason"] = NASTY
        f["global_ids"] = list(f.get("global_ids") or []) + ["Tower", NASTY]  # massing parts: named, not selected
    for src in nasty["rulebook"]["sources"].values():
        src["url"] = f"https://law.example/?a=1&b={NASTY}"
    nasty["findings"].append({**nasty["findings"][0], "status": "REVIEW"})  # the rule again: its own GUID
    return [north_fail, review, nasty]


@pytest.mark.parametrize("when", ["2026-12-03T19:28:44Z", "2026-12-03T19:28:44+09:00", "2026-12-03T19:28:44.120000",
                                  "2026-12-03T19:28:44.000100-03:30", "2026-12-03T19:28:44.123456+00:00"])
def test_every_file_is_what_bcf_client_wrote(results, tmp_path, when):
    for n, result in enumerate(results):
        result = {**result, "checked_at": when}
        assert any(f["status"] in bcf_report.TOPIC_STATUSES for f in result["findings"])
        _same_zip(bcf_report.write(result, tmp_path / f"ours{n}.bcf"),
                  _with_bcf_client(result, tmp_path / f"theirs{n}.bcf"))


def test_numbers_are_written_as_xsdata_writes_them():
    from xsdata.formats.converter import converter

    for x in (0.0, -0.0, 1.0, 60.0, 0.1, 1e-20, 1e20, 1.5e-7, 12345678912345.0, 1e16, -2.5e-300, float("inf"),
              float("-inf"), float("nan"), 0.8660254037844388):
        assert bcf_xml.number(x) == converter.serialize(x)


def test_writing_a_bcf_imports_no_bcf_library(north_fail, tmp_path):
    import json

    path = tmp_path / "result.json"
    path.write_text(json.dumps(north_fail))
    code = ("import json, sys; from permitcheck.reports import bcf; "
            f"bcf.write(json.load(open({str(path)!r})), {str(tmp_path / 'out.bcf')!r}); "
            "print(sorted(m for m in ('bcf', 'xsdata', 'lxml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout == "[]\n"
    assert zipfile.ZipFile(tmp_path / "out.bcf").testzip() is None


def test_a_rule_and_its_3d_twin_are_drawn_once(north_fail, tmp_path, monkeypatch):
    """The per-part north rule shows its 3D twin's view from the same camera: one picture, drawn once."""
    drawn = []
    real = bcf_report.snapshot_png
    monkeypatch.setattr(bcf_report, "snapshot_png", lambda *a: drawn.append(a) or real(*a))
    z = zipfile.ZipFile(bcf_report.write(north_fail, tmp_path / "out.bcf"))
    pictures = [z.read(n) for n in z.namelist() if n.endswith(bcf_report.SNAPSHOT)]
    assert len(pictures) == 2 and pictures[0] == pictures[1] and len(drawn) == 1
