"""Regression suites: sample cases with the verdict and figures they must keep.

A suite is YAML: ``cases: {name: {model, site, rules, zone?, anchor?, rotation?, expect: {verdict,
rules: {rule id: {status, measured, limit, tolerance?}}, legal?: {building_area_m2, floor_area_m2,
height_m, storeys_above_ground}}, declare?: {key: value}}}}``: `legal` holds the figures the
rulebook's measurement profile gives (``facts.legal``); a rule inside an alternative of an any_of
is named ``any_of id/alternative id/rule id``; `declare` is what the applicant declares. Paths are relative to the suite's folder or a folder above it. Measured and
legal values may drift by ``tolerance`` (default 0.5 % + 0.01); statuses and verdicts not at all.
``update=True`` rewrites the expectations after a deliberate change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from permitcheck.errors import InputError


@dataclass(frozen=True)
class Drift:
    case: str
    rule: str
    what: str
    expected: object
    got: object


@dataclass
class SuiteReport:
    suite: str
    cases: list[str] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    updated: bool = False


def _path(base: Path, p: str) -> Path:
    for root in (base, *base.parents[:2], Path.cwd()):
        if (root / p).exists():
            return root / p
    return base / p


def _tolerance(exp: dict, spec: dict) -> float:
    if "tolerance" in spec:
        return float(spec["tolerance"])
    return 0.005 * abs(float(exp)) + 0.01


def _compare(name: str, expect: dict, result: dict) -> list[Drift]:
    out = []
    if result["verdict"] != expect.get("verdict"):
        out.append(Drift(name, "*", "verdict", expect.get("verdict"), result["verdict"]))
    got = dict(_named(result["findings"]))
    for rule, spec in (expect.get("rules") or {}).items():
        f = got.get(rule)
        if f is None:
            out.append(Drift(name, rule, "rule", "present", "missing"))
            continue
        if f["status"] != spec.get("status"):
            out.append(Drift(name, rule, "status", spec.get("status"), f["status"]))
        for key in ("measured", "limit"):
            if spec.get(key) is None:
                continue
            if f[key] is None or abs(f[key] - spec[key]) > (_tolerance(spec[key], spec) if key == "measured"
                                                             else 1e-6 * max(1.0, abs(spec[key]))):
                out.append(Drift(name, rule, key, spec[key], f[key]))
    if expect.get("complete"):  # recorded from a whole run: a finding it does not list is drift too
        for rule in got:
            if rule not in (expect.get("rules") or {}):
                out.append(Drift(name, rule, "rule", "absent", "present"))
    legal = (result.get("facts") or {}).get("legal") or {}
    for fact, want in (expect.get("legal") or {}).items():
        got_value = legal.get(fact)
        if got_value is None or abs(float(got_value) - float(want)) > _tolerance(want, {}):
            out.append(Drift(name, "legal", fact, want, got_value))
    return out


LEGAL_FACTS = ("building_area_m2", "floor_area_m2", "height_m", "storeys_above_ground")


def _named(findings: list):
    """(name, finding) of every finding and alternative; inside an any_of 'any_of/alternative[/rule]'."""
    from permitcheck.reports.alternatives import walk

    for f, _depth, name in walk(findings):
        yield name, f


def _expectation(result: dict) -> dict:
    out = {"verdict": result["verdict"], "complete": True,
           "rules": {name: {"status": f["status"], "measured": f["measured"], "limit": f["limit"]}
                     for name, f in _named(result["findings"])}}
    legal = (result.get("facts") or {}).get("legal")
    if legal and legal.get("profile") != "physical":
        out["legal"] = {k: legal[k] for k in LEGAL_FACTS}
    return out


def run_suite(suite: str | Path, update: bool = False) -> SuiteReport:
    from permitcheck.checking import check_model

    suite = Path(suite)
    try:
        text = suite.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"{suite}: cannot read the suite ({e}) — give a YAML file with 'cases:'") from e
    if not isinstance(data, dict) or not isinstance(data.get("cases"), dict):
        raise InputError(f"{suite}: a suite is a mapping with 'cases: {{name: {{model, site, rules, expect}}}}'")
    report = SuiteReport(str(suite))
    base = suite.parent
    for name, case in data["cases"].items():
        report.cases.append(name)
        try:
            anchor = case.get("anchor")
            anchor = tuple(float(x) for x in anchor.split(",")) if isinstance(anchor, str) else anchor
            result = check_model(_path(base, case["model"]), _path(base, case["site"]), _path(base, case["rules"]),
                                 zone=case.get("zone"), anchor=anchor, rotation_deg=float(case.get("rotation", 0.0)),
                                 site_crs=case.get("site_crs"), declared=case.get("declare"), sections=False).to_dict()
        except Exception as e:  # noqa: BLE001 - a case that cannot run is drift, not a crash of the suite
            report.drift.append(Drift(name, "*", "error", "a result", f"{type(e).__name__}: {e}"))
            continue
        report.drift += _compare(name, case.get("expect") or {}, result)
        if update:
            case["expect"] = _expectation(result)
    if update:
        header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
        suite.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        report.updated = True
    return report


def write_junit(report: SuiteReport, out: str | Path) -> Path:
    import xml.etree.ElementTree as ET

    by_case: dict[str, list[Drift]] = {}
    for d in report.drift:
        by_case.setdefault(d.case, []).append(d)
    suite = ET.Element("testsuite", name=f"permitcheck regress {report.suite}", tests=str(len(report.cases)),
                       failures=str(len(by_case)))
    for name in report.cases:
        tc = ET.SubElement(suite, "testcase", classname="permitcheck.regress", name=name)
        if name in by_case:
            fail = ET.SubElement(tc, "failure", message=f"{len(by_case[name])} drift(s)", type="drift")
            fail.text = "\n".join(f"{d.rule} {d.what}: expected {d.expected!r}, got {d.got!r}" for d in by_case[name])
    out = Path(out)
    root = ET.Element("testsuites", tests=str(len(report.cases)), failures=str(len(by_case)))
    root.append(suite)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out
