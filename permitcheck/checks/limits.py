"""Shared comparison of a measured value with a maximum, which may depend on the lot."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from permitcheck.checks.conditions import limit_range
from permitcheck.checks.context import CheckContext
from permitcheck.results import Measurement, Status, judge
from permitcheck.rulebook.conditions import describe_limit, is_expression


@dataclass(frozen=True)
class Limit:
    """A rule's limit here: an interval, a single value when every fact it reads is known."""

    low: float
    high: float
    details: dict = field(default_factory=dict)  # the expression and the facts it read

    @property
    def known(self) -> bool:
        return self.high - self.low <= 1e-12


def limit_of(rule, ctx: CheckContext, fmt: Callable[[float], str] = lambda x: f"{x:g}") -> Limit:
    if not is_expression(rule.limit):
        return Limit(float(rule.limit), float(rule.limit))
    read: dict = {}
    low, high = limit_range(rule.limit, ctx, read)
    return Limit(low, high, {"limit_from": describe_limit(rule.limit, fmt), "context": read})


def at_most(measured: float | None, limit: float | Limit, unit: str, tolerance: float | Callable[[float], float],
            missing: str, uncertain: bool = False, spread: tuple[float, float] | None = None,
            **extra) -> Measurement:
    """Compare with a maximum; a value from a fallback derivation passes only as REVIEW.

    `spread` (low, high) is how far a datum the model lacks could move the value: the verdict holds
    only when it is the same at both ends; else REVIEW (`uncertain_fact`). A limit known only as
    an interval judges against both ends: over the highest is FAIL, within the lowest is PASS,
    between is UNKNOWN (`limit_unknown`), with the facts that would tell.
    """
    lim = limit if isinstance(limit, Limit) else Limit(float(limit), float(limit))
    tol = tolerance if callable(tolerance) else (lambda _x, t=tolerance: t)
    if lim.details:
        extra["details"] = {**extra.get("details", {}), **lim.details}
    if not lim.known:
        extra["details"] = {**extra.get("details", {}),
                            "limit_range": [round(lim.low, 6), None if math.isinf(lim.high) else round(lim.high, 6)]}
        if measured is None:
            return Measurement(Status.UNKNOWN, missing, None, None, unit, **extra)
        if not math.isinf(lim.high) and judge(lim.high - measured, tol(lim.high)) == Status.FAIL:
            return _compare(measured, lim.high, unit, tol(lim.high), uncertain, spread, extra)
        if judge(lim.low - measured, tol(lim.low)) == Status.PASS:
            return _compare(measured, lim.low, unit, tol(lim.low), uncertain, spread, extra)
        return Measurement(Status.UNKNOWN, "limit_unknown", measured, None, unit, **extra)
    if measured is None:
        return Measurement(Status.UNKNOWN, missing, None, lim.low, unit, **extra)
    return _compare(measured, lim.low, unit, tol(lim.low), uncertain, spread, extra)


def _compare(measured, limit, unit, tolerance, uncertain, spread, extra) -> Measurement:
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
