"""An officer's decisions on a result's findings, and the result with them attached for the reports."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from permitcheck.errors import InputError, UsageError
from permitcheck.results import Status, verdict
from permitcheck.review.results import result_sha256
from permitcheck.review.store import DECISIONS, DecisionStore

MAX_REASON = 2000
MAX_NAME = 200


def _text(value: str | None, what: str, most: int, example: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise UsageError(f"a decision needs {what}: {example}")
    if len(text) > most:
        raise UsageError(f"{what} is {len(text)} characters — at most {most}")
    return text


def finding_of(result: dict, rule: str) -> dict:
    for f in result["findings"]:
        if f["rule"] == rule:
            return f
    rules = ", ".join(f["rule"] for f in result["findings"][:30])
    raise InputError(f"no finding for rule {rule!r} in this result — its rules: {rules}")


def decided_status(finding: dict, decision: str, override: str | None) -> str:
    """The status a decision gives a finding: accept keeps a PASS, FAIL or NOT_APPLICABLE; override
    sets PASS or FAIL; request_changes is a FAIL until the applicant resubmits."""
    if decision not in DECISIONS:
        raise UsageError(f"decision {decision!r}: use one of {', '.join(DECISIONS)}")
    if decision == "override":
        if override not in ("PASS", "FAIL"):
            raise UsageError(f"override to {override!r}: a finding is overridden to PASS or FAIL")
        return override
    if override is not None:
        raise UsageError("only an override names a status")
    if decision == "request_changes":
        return "FAIL"
    if finding["status"] not in ("PASS", "FAIL", "NOT_APPLICABLE"):
        raise UsageError(f"{finding['rule']} is {finding['status']}: there is no automatic verdict to accept — "
                         "override it to PASS or FAIL, or request changes")
    return finding["status"]


def record_decision(result: dict, store: str | Path, rule: str, decision: str, reason: str, by: str,
                    override: str | None = None) -> dict:
    """Record an officer's decision on `rule` of `result` in the store (append-only); the result with
    its decisions attached (`review` block) for the reports."""
    finding = finding_of(result, rule)
    status = decided_status(finding, decision, override)
    reason = _text(reason, "a reason", MAX_REASON, "--reason 'the parapet is a railing, art. 119(1)2'")
    by = _text(by, "who decides", MAX_NAME, "--by 'J. Kim'")
    sha = result_sha256(result)
    with DecisionStore(store) as db:
        db.add_result(sha, result)
        db.add_decision(sha, finding, decision, status, reason, by)
    return attach(result, store)


def attach(result: dict, store: str | Path, carried: dict | None = None) -> dict:
    """`result` with a `review` block: per rule the decision in force beside the automatic status,
    the decisions it superseded, the architect's replies, and the verdict once decisions apply."""
    sha = result_sha256(result)
    current, replies = {}, []
    if Path(store).is_file():  # no store yet: no decisions, and none is made just to say so
        with DecisionStore(store, readonly=True) as db:
            current = db.current(sha)
            replies = db.replies(sha)
    decisions = []
    for f in result["findings"]:
        if f["rule"] in current:
            d, older = current[f["rule"]]
            decisions.append({**d.to_dict(), "superseded": [o.to_dict() for o in older]})
    block = {"result_sha256": sha, "store": str(store), "verdict": reviewed_verdict(result, current),
             "decisions": decisions, "replies": [r.to_dict() for r in replies]}
    if carried is not None:
        block["carried"] = carried
    elif isinstance(result.get("review"), dict) and "carried" in result["review"]:
        block["carried"] = result["review"]["carried"]
    return {**result, "review": block}


def reviewed_verdict(result: dict, current: dict) -> str:
    """The verdict with each decided finding at its decided status (the same order as the automatic one)."""
    shown = [SimpleNamespace(severity=f.get("severity"),
                             status=Status(current[f["rule"]][0].status if f["rule"] in current else f["status"]))
             for f in result["findings"]]
    return verdict(shown).value
