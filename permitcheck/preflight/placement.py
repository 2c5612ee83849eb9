"""The placement finding: the model stands on its parcel where its own georeference puts it, or
stands there turned by the grid convergence (a rotation given from true north), for a person to
judge.

A model mostly off its parcel never gets this far: `checking.check_placement` refuses it with the
likely error and its fix (site.georef_check.diagnose). What remains is a building on its parcel,
whose rotation may still be a fraction of a degree off — too little to move it off the parcel,
enough to move a corner 0.3 m on a 40 m building, which a setback may turn on. Nothing is moved:
the finding is REVIEW with the angle to write. A model placed by --anchor gets no finding: its
placement is the officer's own.
"""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from permitcheck.results import Finding, Measurement, Status
from permitcheck.site.georef_check import on_parcel, rotation_review
from permitcheck.site.types import Site

KIND = "georeference"


def placement_findings(site: Site, footprint: BaseGeometry) -> list[Finding]:
    if site.georeference is None or site.placement.startswith("--anchor") or footprint.is_empty:
        return []
    share = on_parcel(site, footprint)
    details = {"placement": site.placement, "share_on_parcel": round(share, 4)}
    found = rotation_review(site, footprint)
    if found is None:
        m = Measurement(Status.PASS, "placed_on_parcel", unit="", details=details)
    else:
        m = Measurement(Status.REVIEW, "rotation_review", unit="", details={
            **details, "cause": found.cause, "fix": found.fix, "convergence_deg": round(found.convergence_deg, 4),
            "misaligned_deg": [round(x, 4) for x in found.misaligned_deg], "turn_deg": round(found.edit[1], 4)})
    return [Finding("georeference.placement", "Georeferencing: the model on its parcel", KIND, "error", {}, m)]
