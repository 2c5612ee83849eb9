"""BCF 2.1 issues: one topic per FAIL or REVIEW finding, pointing at the elements in the model.

BCF (BIM Collaboration Format) is how a permit officer's remarks reach the architect's own tool:
Revit, ArchiCAD, Solibri, BIMcollab, BlenderBIM and others open the zip, list the topics, and on a
click select the failing elements and move the camera to them. Version 2.1 is written rather than
3.0 because more of those tools read it; BCF coordinates are metres in the model's own coordinate
system in both versions, which is what the result's `where_model` and `footprint_model` are, so
no unit conversion is needed.

Each topic has:
- title `"<STATUS>: <rule title>"`, type `<STATUS>`, status `Open` (`Closed` once the officer has
  overridden it to PASS), labels: rule kind, severity,
  rulebook id and zone; a reference link to the cited law where the rulebook gives one;
- a description with measured, limit, unit, margin, the reason and the citation;
- one viewpoint selecting (and colouring: FAIL red, REVIEW amber) the finding's GlobalIds, with a
  perspective camera outside the building looking at the centre of the failing part (else of the
  footprint) at mid height, and its snapshot: a PNG of that camera's view of the building in its
  envelope with the failing part red (`reports.snapshot`, drawn in software: the finding's 3D view,
  else its twin's — a rule of the same law and article on the same elements — else the footprint
  and the failing part raised in the parcel's prism);
- a header naming the IFC file and its IfcProject GlobalId, so a BIM tool attaches the topic to
  the right model;
- a GUID that is uuid5 of the model's sha256 and the rule id, so checking the same model again
  gives the same topics (a BCF server then updates them instead of adding duplicates).

Reads only the result dict. The files are written with the standard library (reports.bcf_xml),
byte for byte as IfcOpenShell's bcf-client wrote them: importing that library took 0.1 s a check.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from pathlib import Path

import numpy as np

from permitcheck.reports import bcf_xml, decisions
from permitcheck.reports.snapshot import plan_view, snapshot_png
from permitcheck.reports.text import explain
from permitcheck.reports.verdict import law_and_article

DEFAULT_NAME = "permitcheck.bcf"
TOPIC_STATUSES = ("FAIL", "REVIEW")
# Fixed namespace for permitcheck's uuid5 GUIDs: never change it, or re-runs stop matching topics.
NAMESPACE = uuid.UUID("6d1f4c1e-8a51-5c0e-9a55-7065726d6974")
COLOUR = {"FAIL": "FF0000", "REVIEW": "FFA500"}
FIELD_OF_VIEW_DEG = 60.0
ELEVATION_DEG = 30.0  # the camera looks down on the building from this angle above the horizon

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(value: object) -> str:
    """Characters XML 1.0 cannot hold (control characters from a model) become U+FFFD."""
    return _NOT_XML.sub("\ufffd", "" if value is None else str(value))





def topic_guid(model_sha256: str, rule: str) -> str:
    """The topic GUID for one rule on one model version: the same on every run."""
    return str(uuid.uuid5(NAMESPACE, f"topic:{model_sha256}:{rule}"))


def _description(finding: dict, sources: dict, result: dict | None = None) -> str:
    cite = finding.get("citation") or {}
    src = sources.get(cite.get("source"), {})
    law = src.get("law") or ""
    if src.get("law_en"):
        law = f"{law} ({src['law_en']})" if law else src["law_en"]
    why = explain(finding)
    lines = [
        f"{finding.get('status')}: {why}" if why else str(finding.get("status")),
        f"measured: {finding.get('measured')}",
        f"limit: {finding.get('limit')}",
        f"unit: {finding.get('unit', '')}",
        f"margin: {finding.get('margin')}",
        f"reason: {finding.get('reason')}",
        f"citation: {cite.get('source', '')} {cite.get('article', '')}".rstrip(),
    ]
    if law:
        lines.append(f"law: {law}")
    if cite.get("note"):
        lines.append(f"note: {cite['note']}")
    lines.append(f"rule: {finding.get('rule')} ({finding.get('kind')}, severity {finding.get('severity')})")
    parts = [str(g) for g in finding.get("global_ids") or [] if not _IFC_GUID.fullmatch(str(g))]
    if parts:
        lines.append("parts of the massing model: " + ", ".join(parts[:20]) + (" …" if len(parts) > 20 else ""))
    lines += decisions.lines(result or {}, finding.get("rule"))  # the officer's decision, beside the status
    return _x("\n".join(lines))


_IFC_GUID = re.compile(r"[0-9A-Za-z_$]{22}")


def _bbox(geojson: dict | None) -> tuple[float, float, float, float] | None:
    """(minx, miny, maxx, maxy) of any GeoJSON geometry, from its coordinates alone."""
    if not geojson:
        return None
    xs: list[float] = []
    ys: list[float] = []

    def walk(c) -> None:
        if c and isinstance(c[0], (int, float)):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        else:
            for part in c or ():
                walk(part)

    if geojson.get("type") == "GeometryCollection":
        for g in geojson.get("geometries") or ():
            b = _bbox(g)
            if b:
                xs += [b[0], b[2]]
                ys += [b[1], b[3]]
    else:
        walk(geojson.get("coordinates"))
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def camera(result: dict, finding: dict) -> tuple[list[float], list[float]]:
    """Camera position and target (model coordinates, metres) for one finding.

    The target is the centre of the failing part (else of the footprint) at mid height. The camera
    stands outside the building, outward from the footprint's centre towards the failing part
    (south-west when the part is central) and raised by ELEVATION_DEG, far enough back that the
    whole building fits the field of view.
    """
    facts = result.get("facts") or {}
    ground = float(facts.get("ground_elevation_m") or 0.0)
    height = float(facts.get("height_m") or 0.0)
    building = _bbox(facts.get("footprint_model"))
    part = _bbox(finding.get("where_model")) or building or (0.0, 0.0, 0.0, 0.0)
    building = building or part
    tx, ty = (part[0] + part[2]) / 2, (part[1] + part[3]) / 2
    bx, by = (building[0] + building[2]) / 2, (building[1] + building[3]) / 2
    target = [tx, ty, ground + height / 2]

    hx, hy = tx - bx, ty - by
    norm = math.hypot(hx, hy)
    if norm < 0.01 * max(1.0, building[2] - building[0], building[3] - building[1]):
        hx, hy, norm = -1.0, -1.0, math.sqrt(2.0)
    hx, hy = hx / norm, hy / norm

    # The sphere around the building, grown by the target's distance from its centre, must fit
    # the view cone: distance = radius / sin(half the field of view).
    radius = 0.5 * math.sqrt((building[2] - building[0]) ** 2 + (building[3] - building[1]) ** 2 + height ** 2)
    radius = max(radius + math.hypot(tx - bx, ty - by), 1.0)
    distance = 1.1 * radius / math.sin(math.radians(FIELD_OF_VIEW_DEG / 2))
    el = math.radians(ELEVATION_DEG)
    offset = [distance * math.cos(el) * hx, distance * math.cos(el) * hy, distance * math.sin(el)]
    position = [t + o for t, o in zip(target, offset)]
    return position, target


SNAPSHOT = "snapshot.png"


def view_of(result: dict, finding: dict) -> dict:
    """The triangles a topic's snapshot draws: the finding's own 3D view, else that of a finding citing
    the same law and article on shared elements (a per-part rule's 3D twin), else one from plan data."""
    own = (finding.get("details") or {}).get("view3d")
    if own:
        return own
    sources = (result.get("rulebook") or {}).get("sources") or {}
    cite, ids = law_and_article(finding, sources), set(finding.get("global_ids") or ())
    for other in result.get("findings") or []:
        view = (other.get("details") or {}).get("view3d")
        if view and cite and law_and_article(other, sources) == cite and ids & set(other.get("global_ids") or ()):
            return view
    return plan_view(result, finding)


def _creation_date(result: dict) -> str:
    try:
        when = dt.datetime.fromisoformat(result["checked_at"])
    except (KeyError, TypeError, ValueError):
        when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return bcf_xml.date_time(when)


def _topic_status(result: dict, rule: str) -> str:
    """'Closed' where the officer's decision in force overrode the finding to PASS (nothing left for
    the architect to do); 'Open' otherwise — an accepted failure and a request for changes both are."""
    d = decisions.by_rule(result).get(rule)
    return "Closed" if d is not None and d.get("decision") == "override" and d.get("status") == "PASS" else "Open"


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v)
    return v if norm == 0 else v / norm


def camera_vectors(position: list[float], target: list[float]) -> tuple[list[float], list[float], list[float]]:
    """The camera's position, direction and up vector, as bcf-client's camera_vectors_from_target_position
    makes them: looking at `target`, its right level, its up in the vertical plane of its direction."""
    offset = np.array(position) - np.array(target)
    direction = _unit(-offset)
    right = _unit(np.cross(np.array([0.0, 0.0, 1.0]), direction))
    return (np.array(target) + offset).tolist(), direction.tolist(), _unit(np.cross(direction, right)).tolist()


def _xyz(tag: str, v: list[float]) -> tuple:
    return (tag, {}, [(axis, {}, bcf_xml.number(x)) for axis, x in zip("XYZ", v)])


def write(result: dict, out: Path) -> Path:
    """Write one BCF 2.1 zip for `result` to `out` (a file, or a folder to put permitcheck.bcf in)."""
    out = Path(out)
    if out.is_dir():
        out = out / DEFAULT_NAME
    model = result.get("model") or {}
    model_path = str(model.get("path", "model"))
    sha = str(model.get("sha256") or (result.get("provenance") or {}).get("model_sha256") or model_path)
    book = result.get("rulebook") or {}
    sources = book.get("sources") or {}
    tool = result.get("tool") or {}
    author = _x(f"{tool.get('name', 'permitcheck')} {tool.get('version', '')}".strip())
    created = _creation_date(result)
    project_id = model.get("project_global_id")
    project_id = project_id if isinstance(project_id, str) and re.fullmatch(r"[0-9A-Za-z_$]{22}", project_id) else None

    # The project is the model path: the same id on every run, so a BCF server keeps one project.
    project = ("ProjectExtension", {}, [
        ("Project", {"ProjectId": str(uuid.uuid5(NAMESPACE, f"project:{model_path}"))}, [("Name", {}, _x(model_path))]),
        ("ExtensionSchema", {}, "")])
    entries: list[tuple[str, bytes | str]] = [("project.bcfp", bcf_xml.document(project)),
                                              ("bcf.version", bcf_xml.document(("Version", {"VersionId": "2.1"}, [])))]
    topics: dict[str, list] = {}  # by GUID: a GUID met again replaces its topic where it stood, as bcf-client's dict
    seen: dict[str, int] = {}
    pictures: dict[tuple, tuple[dict, bytes]] = {}
    for finding in result.get("findings") or []:
        status = finding.get("status")
        if status not in TOPIC_STATUSES:
            continue
        rule = str(finding.get("rule", ""))
        seen[rule] = seen.get(rule, 0) + 1  # a rule reported twice still gets distinct, stable GUIDs
        guid = topic_guid(sha, rule if seen[rule] == 1 else f"{rule}#{seen[rule]}")

        src = sources.get((finding.get("citation") or {}).get("source"), {})
        labels = [finding.get("kind"), finding.get("severity"), book.get("id"), result.get("zone")]
        topic = ("Topic", {"Guid": guid, "TopicType": status, "TopicStatus": _topic_status(result, rule)},
                 ([("ReferenceLink", {}, _x(src["url"]))] if src.get("url") else []) +
                 [("Title", {}, _x(f"{status}: {finding.get('title', rule)}"))] +
                 [("Labels", {}, _x(label)) for label in labels if label] +
                 [("CreationDate", {}, created), ("CreationAuthor", {}, author),
                  ("Description", {}, _description(finding, sources, result))])
        header = ("Header", {}, [("File", {"IfcProject": project_id, "isExternal": "true"},
                                  [("Filename", {}, _x(Path(model_path).name)), ("Reference", {}, _x(model_path))])])
        viewpoint = str(uuid.uuid5(NAMESPACE, f"viewpoint:{guid}"))
        markup = ("Markup", {}, [header, topic, ("Viewpoints", {"Guid": viewpoint}, [
            ("Viewpoint", {}, f"{viewpoint}.bcfv"), ("Snapshot", {}, SNAPSHOT)])])

        # a massing model's elements are named parts ("Tower"), not IFC GlobalIds: BCF's IfcGuid holds
        # only the 22-character kind, so those are named in the description and not selected
        guids = [str(g) for g in finding.get("global_ids") or [] if _IFC_GUID.fullmatch(str(g))]
        selected = [("Component", {"IfcGuid": g}, []) for g in guids]
        components = ("Components", {}, [("Selection", {}, selected) if selected else ("Selection", {}, None),
                                         ("Visibility", {"DefaultVisibility": "true"}, []),
                                         ("Coloring", {}, [("Color", {"Color": COLOUR[status]}, selected)])
                                         if selected else ("Coloring", {}, None)])
        position, target = camera(result, finding)
        pos, direction, up = camera_vectors(position, target)
        visinfo = ("VisualizationInfo", {"Guid": viewpoint}, [components, ("PerspectiveCamera", {}, [
            _xyz("CameraViewPoint", pos), _xyz("CameraDirection", direction), _xyz("CameraUpVector", up),
            ("FieldOfView", {}, bcf_xml.number(FIELD_OF_VIEW_DEG))])])
        view = view_of(result, finding)
        key = (id(view), *position, *target)  # a per-part rule and its 3D twin: one view, one camera, drawn once
        if key not in pictures:
            pictures[key] = (view, snapshot_png(view, position, target, FIELD_OF_VIEW_DEG))  # the view kept: its id
        picture = pictures[key][1]
        topics[guid] = [(f"{guid}/", ""), (f"{guid}/markup.bcf", bcf_xml.document(markup)),
                        (f"{guid}/{viewpoint}.bcfv", bcf_xml.document(visinfo)), (f"{guid}/{SNAPSHOT}", picture)]

    for files in topics.values():
        entries += files
    out.write_bytes(bcf_xml.zipped(entries))
    return out
