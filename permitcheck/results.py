"""Verdicts: Status, the Measurement a check returns, the Finding the engine makes of it.

Checks keep a reason code and the numbers; sentences are written by the reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from shapely.geometry.base import BaseGeometry


class Status(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    REVIEW = "REVIEW"  # margin inside the measurement tolerance, or a fact is uncertain
    NOT_APPLICABLE = "NOT_APPLICABLE"
    UNKNOWN = "UNKNOWN"  # a needed fact could not be derived
    ERROR = "ERROR"  # the check itself failed


@dataclass(frozen=True)
class Measurement:
    """What a check found: numbers and a reason code, no identity."""

    status: Status
    reason: str  # a code: within_limit, over_limit, inside_setback, outside_parcel, no_boundary, ...
    measured: float | None = None
    limit: float | None = None
    unit: str = ""
    margin: float | None = None  # positive = room to spare, negative = exceedance
    where: BaseGeometry | None = None  # model coordinates: the part that fails
    global_ids: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    rule: str
    title: str
    kind: str
    severity: str
    citation: dict
    m: Measurement

    @property
    def status(self) -> Status:
        return self.m.status


def judge(margin: float, tolerance: float) -> Status:
    """FAIL beyond the tolerance, REVIEW within it (either side), PASS with room to spare."""
    if margin < -tolerance:
        return Status.FAIL
    if margin <= tolerance:
        return Status.REVIEW
    return Status.PASS


def verdict(findings: list[Finding]) -> Status:
    """FAIL if any error-severity rule fails; otherwise anything short of PASS keeps it from PASS."""
    errors = [f for f in findings if f.severity == "error"]
    statuses = {f.status for f in errors}
    for s in (Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.REVIEW):
        if s in statuses:
            return s
    return Status.PASS
