"""Shared comparison of a measured value with a maximum."""

from __future__ import annotations

from permitcheck.results import Measurement, Status, judge


def at_most(measured: float | None, limit: float, unit: str, tolerance: float, missing: str,
            **extra) -> Measurement:
    if measured is None:
        return Measurement(Status.UNKNOWN, missing, None, limit, unit)
    margin = limit - measured
    status = judge(margin, tolerance)
    reason = {Status.PASS: "within_limit", Status.FAIL: "over_limit", Status.REVIEW: "within_tolerance"}[status]
    return Measurement(status, reason, measured, limit, unit, margin, **extra)
