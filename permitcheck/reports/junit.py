"""JUnit XML: one test suite per model, one test case per rule.

Why JUnit: every CI system (GitLab, GitHub Actions, Jenkins, Azure DevOps, TeamCity) already
reads JUnit XML and shows it as a test report, so a permit check run in a design team's pipeline
shows each rule as a passed or failed test, with the numbers and the citation, without a plugin.

Mapping of statuses:

| status         | element                                  | counted as |
| -------------- | ---------------------------------------- | ---------- |
| PASS           | (none; the numbers go in `<system-out>`) | passed     |
| FAIL           | `<failure type="<reason code>">`         | failure    |
| REVIEW         | `<failure type="REVIEW">`                | failure    |
| UNKNOWN        | `<failure type="UNKNOWN">`               | failure    |
| ERROR          | `<error type="<reason code>">`           | error      |
| NOT_APPLICABLE | `<skipped>`                              | skipped    |

REVIEW and UNKNOWN are failures on purpose: a result a person still has to judge, or a fact that
could not be derived, must never show green in CI.

Reads only the result dict (`CheckResult.to_dict()`). Escaping is left to ElementTree; characters
that XML 1.0 cannot hold at all (control characters from a model or rulebook) become U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from permitcheck.reports import decisions
from permitcheck.reports.text import citation, explain

DEFAULT_NAME = "permitcheck-junit.xml"

# Characters outside XML 1.0's Char production: ElementTree would write them and produce a file
# no parser accepts.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FAILURE_TYPES = {"REVIEW": "REVIEW", "UNKNOWN": "UNKNOWN"}


def _x(value: object) -> str:
    return _NOT_XML.sub("\ufffd", "" if value is None else str(value))











def _body(finding: dict, sources: dict) -> str:
    """The numbers as stored (exact, machine-readable), then the sentence and the citation."""
    cite = finding.get("citation") or {}
    lines = [
        f"status: {finding.get('status')}",
        f"measured: {finding.get('measured')}",
        f"limit: {finding.get('limit')}",
        f"unit: {finding.get('unit', '')}",
        f"margin: {finding.get('margin')}",
        f"reason: {finding.get('reason')}: {explain(finding)}",
        f"citation: {citation(finding, sources)}",
    ]
    if cite.get("note"):
        lines.append(f"note: {cite['note']}")
    url = sources.get(cite.get("source"), {}).get("url")
    if url:
        lines.append(f"url: {url}")
    if finding.get("global_ids"):
        lines.append(f"elements ({len(finding['global_ids'])}): {' '.join(finding['global_ids'])}")
    return _x("\n".join(lines) + "\n")


def _testcase(suite: ET.Element, finding: dict, classname: str, sources: dict, result: dict | None = None) -> str:
    status = finding.get("status", "UNKNOWN")
    case = ET.SubElement(suite, "testcase", classname=_x(classname),
                         name=_x(f"{finding.get('rule', '')}: {finding.get('title', '')}"), time="0")
    message = _x(f"{status}: {explain(finding)}")
    body = _body(finding, sources)
    decided = decisions.by_rule(result or {}).get(finding.get("rule"))
    if decided is not None:  # the automatic status stays the test's outcome; the decision goes beside it
        message = _x(f"{status} ({decisions.label(decided)}: {decided['reason']}): {explain(finding)}")
        props = ET.SubElement(case, "properties")
        for name in ("decision", "status", "reason", "by", "at"):
            ET.SubElement(props, "property", name=f"review.{name}", value=_x(decided[name]))
    review = decisions.lines(result or {}, finding.get("rule"))
    if review:
        body += _x("\n".join(review) + "\n")
    if status == "FAIL":
        ET.SubElement(case, "failure", message=message, type=_x(finding.get("reason", "FAIL"))).text = body
    elif status in _FAILURE_TYPES:
        ET.SubElement(case, "failure", message=message, type=_FAILURE_TYPES[status]).text = body
    elif status == "ERROR":
        ET.SubElement(case, "error", message=message, type=_x(finding.get("reason", "ERROR"))).text = body
    elif status == "NOT_APPLICABLE":
        ET.SubElement(case, "skipped", message=message)
        ET.SubElement(case, "system-out").text = body
    elif status == "PASS":
        ET.SubElement(case, "system-out").text = body
    else:  # a status this reporter does not know is not a pass either
        ET.SubElement(case, "failure", message=message, type=_x(status)).text = body
    return status


def build(result: dict) -> ET.Element:
    """The `<testsuites>` element for one result (one model: one suite)."""
    model = result.get("model") or {}
    book = result.get("rulebook") or {}
    sources = book.get("sources") or {}
    zone = result.get("zone") or ""
    classname = f"{book.get('id', 'rulebook')}.{zone}" if zone else str(book.get("id", "rulebook"))

    suite = ET.Element("testsuite", name=_x(model.get("path", "model")))
    if result.get("checked_at"):
        suite.set("timestamp", _x(result["checked_at"]))
    props = ET.SubElement(suite, "properties")
    tool = result.get("tool") or {}
    for name, value in (
        ("verdict", result.get("verdict")), ("zone", zone),
        ("rulebook.id", book.get("id")), ("rulebook.version", book.get("version")),
        ("rulebook.path", book.get("path")), ("model.sha256", model.get("sha256")),
        ("site.path", (result.get("site") or {}).get("path")),
        ("site.parcel_id", (result.get("site") or {}).get("parcel_id")),
        ("tool.version", tool.get("version")),
        ("review.verdict", (result.get("review") or {}).get("verdict")),  # with the officer's decisions
    ):
        if value is not None:
            ET.SubElement(props, "property", name=name, value=_x(value))

    findings = list(result.get("findings") or [])
    if not findings and result.get("verdict", "PASS") != "PASS":
        # A result with a bad verdict and no findings (a crashed case) must still fail in CI.
        findings = [{"rule": "verdict", "title": "verdict", "status": result["verdict"], "reason": "no_findings",
                     "unit": "", "measured": None, "limit": None, "margin": None, "citation": {}}]
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for f in findings:
        status = _testcase(suite, f, classname, sources, result)
        counts["tests"] += 1
        if status == "ERROR":
            counts["errors"] += 1
        elif status == "NOT_APPLICABLE":
            counts["skipped"] += 1
        elif status != "PASS":
            counts["failures"] += 1

    notes = [f"warning: {w}" for w in result.get("warnings") or []]
    notes += [f"element failure: {e}" for e in model.get("element_failures") or []]
    if notes:
        ET.SubElement(suite, "system-err").text = _x("\n".join(notes) + "\n")

    for k, v in counts.items():
        suite.set(k, str(v))
    suite.set("time", "0")
    root = ET.Element("testsuites", name="permitcheck", **{k: str(v) for k, v in counts.items()}, time="0")
    root.append(suite)
    return root


def write(result: dict, out: Path) -> Path:
    """Write `result` as JUnit XML to `out` (a file, or a folder to put permitcheck-junit.xml in)."""
    out = Path(out)
    if out.is_dir():
        out = out / DEFAULT_NAME
    root = build(result)
    ET.indent(root)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out
