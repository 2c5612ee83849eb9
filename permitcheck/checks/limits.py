"""Shared comparison of a measured value with a maximum."""

from __future__ import annotations

from permitcheck.results import Measurement, Status, judge


def at_most(measured: float | None, limit: float, unit: str, tolerance: float, missing: str,
            uncertain: bool = False, spread: tuple[float, float] | None = None, **extra) -> Measurement:
    """Compare with a maximum; a value from a fallback derivation passes only as REVIEW.

    `spread` (low, high) is how far a datum the model lacks could move the value: the verdict holds
    only when it is the same at both ends; else REVIEW (`uncertain_fact`).
    """
    if measured is None:
        return Measurement(Status.UNKNOWN, missing, None, limit, unit)
    margin = limit - measured
    status = judge(margin, tolerance)
    reason = {Status.PASS: "within_limit", Status.FAIL: "over_limit", Status.REVIEW: "within_tolerance"}[status]
    if spread is not None:
        ends = {judge(limit - (measured + spread[0]), tolerance), judge(limit - (measured + spread[1]), tolerance)}
        if len(ends) > 1 or ends != {status}:
            status, reason = Status.REVIEW, "uncertain_fact"
    if uncertain and status == Status.PASS:
        status, reason = Status.REVIEW, "uncertain_fact"
    return Measurement(status, reason, measured, limit, unit, margin, **extra)
