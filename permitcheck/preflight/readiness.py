"""Readiness findings: each specification of a rulebook's IDS, run on the model (model.ids), as a
finding that comes before the rules.

A specification the model breaks is UNKNOWN (the rules that read the missing data cannot be sure),
naming the elements that break it and what to add; one it keeps is PASS; one for another IFC
version is NOT_APPLICABLE. Without ifctester the readiness check is said to be skipped
(NOT_APPLICABLE, never PASS). The rulebook's severity decides whether an UNKNOWN holds the verdict
(error) or is advice (warning).
"""

from __future__ import annotations

import os
import re

from permitcheck.model.ids import IdsAudit, IdsError, IdsSpec, load_ids
from permitcheck.results import Finding, Measurement, Status

KIND = "readiness"
UNIT = "elements"


def readiness_findings(audits: tuple[IdsAudit, ...], files: tuple[tuple[str, str, object], ...]) -> list[Finding]:
    """One finding per specification of each IDS; `files` are the rulebook's (path, severity, citation)."""
    by_path = {a.path: a for a in audits}
    out: list[Finding] = []
    seen: set[str] = set()
    for path, severity, citation in files:
        audit = by_path.get(path)
        if audit is None:
            continue
        cited = citation.model_dump(exclude_none=True) if citation is not None else {}
        name = os.path.basename(path)
        if audit.skipped is not None:
            out.append(Finding(f"readiness.{_slug(name, seen)}", f"Data readiness ({name})", KIND, "warning", cited,
                               Measurement(Status.NOT_APPLICABLE, "readiness_skipped", unit="",
                                           details={"ids": name, "why": audit.skipped})))
            continue
        for spec in audit.specs:
            out.append(Finding(f"readiness.{_slug(spec.identifier or spec.name, seen)}",
                               f"Data readiness: {spec.name or name}", KIND,
                               severity, cited, _measurement(spec, name)))
    return out


def ids_problems(files: tuple[tuple[str, str, object], ...]) -> tuple[list[str], bool]:
    """Each IDS of a rulebook against the IDS 1.0 schema (`rules validate`): the problems, and whether
    they could be checked at all (ifctester installed)."""
    problems = []
    for path, _, _ in files:
        try:
            load_ids(path, validate=True)
        except ImportError:
            return [], False
        except IdsError as e:
            problems.append(str(e))
    return problems, True


def _measurement(spec: IdsSpec, ids_name: str) -> Measurement:
    details = {"ids": ids_name, **{k: v for k, v in spec.to_dict().items() if k != "holds"},
               "failures": [{"global_id": x.global_id, "ifc_class": x.ifc_class, "name": x.name, "reason": x.reason}
                            for x in spec.failures]}
    if spec.holds is None:
        return Measurement(Status.NOT_APPLICABLE, "ids_other_version", unit="", details=details)
    if spec.holds:
        return Measurement(Status.PASS, "data_ready", measured=0.0, limit=0.0, margin=0.0, unit=UNIT, details=details)
    if spec.usage == "required" and spec.applicable == 0:
        return Measurement(Status.UNKNOWN, "data_absent", measured=0.0, unit=UNIT, details=details)
    reason = "data_prohibited" if spec.usage == "prohibited" else "data_missing"
    failed = float(spec.failed or spec.applicable)
    return Measurement(Status.UNKNOWN, reason, measured=failed, limit=0.0, margin=-failed, unit=UNIT,
                       global_ids=tuple(x.global_id for x in spec.failures), details=details)


def _slug(text: str, seen: set[str]) -> str:
    """A rule id (letters, digits, . _ -) from a specification's identifier or name, unique in the check."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.").lower()[:60] or "specification"
    slug, n = base, 2
    while slug in seen:
        slug, n = f"{base}-{n}", n + 1
    seen.add(slug)
    return slug
