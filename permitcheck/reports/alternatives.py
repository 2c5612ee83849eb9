"""Walking findings with the alternatives of an any_of inside them, for every report alike."""

from __future__ import annotations


def walk(findings: list, depth: int = 0, prefix: str = ""):
    """(finding, depth, name) of each finding; under an any_of, a header per alternative (a finding-like
    dict with kind "alternative") and then its own findings one level deeper. `name` is unique:
    'any_of id/alternative id/rule id' inside an alternative."""
    for f in findings:
        name = prefix + f["rule"]
        yield f, depth, name
        d = f.get("details") or {}
        for a in d.get("alternatives") or ():
            role = "holds" if a["id"] == d.get("holds") else "nearest" if a["id"] == d.get("nearest") else ""
            header = {"rule": a["id"], "title": a["title"], "kind": "alternative", "status": a["status"],
                      "measured": None, "limit": None, "margin": None, "unit": "", "reason": "",
                      "citation": f["citation"], "global_ids": [], "details": {"role": role, "when": a.get("when")},
                      "severity": f["severity"]}
            yield header, depth + 1, f"{name}/{a['id']}"
            yield from walk(a["findings"], depth + 2, f"{name}/{a['id']}/")
