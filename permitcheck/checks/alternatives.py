"""any_of: alternatives the applicant may elect; the building complies when one of them holds.

Each alternative is judged as a small rulebook of its own (its rules, plus its `when`): it holds
when none of its error-severity rules is short of PASS. The finding is PASS when one holds and
names it; otherwise it takes the best status any alternative reached (REVIEW before UNKNOWN
before ERROR before FAIL: a building that may comply one way is not refused) and names the
nearest alternative: the best status, then the fewest failing rules, then the smallest overrun.

    - id: front
      kind: any_of
      citation: {source: zr, article: "23-43, 23-736"}
      alternatives:
        - {id: standard, title: "23-432 heights and setbacks", rules: [...]}
        - {id: sky_exposure_plane, title: "23-736 (elective)", rules: [...]}
"""

from __future__ import annotations

from dataclasses import dataclass

from permitcheck.results import Finding, Measurement, Status, verdict

UNIT = ""  # what a finding of this kind measures in
_RANK = {Status.PASS: 0, Status.NOT_APPLICABLE: 0, Status.REVIEW: 1, Status.UNKNOWN: 2, Status.ERROR: 3,
         Status.FAIL: 4}


@dataclass(frozen=True)
class Outcome:
    """One alternative as judged here."""

    id: str
    title: str
    status: Status
    findings: tuple[Finding, ...]
    open: bool | None = True  # its `when`: False = not open to this building, None = cannot be told
    condition: dict | None = None

    def overrun(self) -> float:
        """How far its failing rules go beyond their limits, each relative to its limit."""
        total = 0.0
        for f in self.findings:
            if f.status == Status.FAIL and f.severity == "error" and f.m.margin is not None and f.m.limit:
                total += -f.m.margin / abs(f.m.limit)  # relative; a limit of 0 (m² outside, m³ over) adds none
        return total

    def to_dict(self, finding_dict) -> dict:
        out = {"id": self.id, "title": self.title, "status": self.status.value,
               "findings": [finding_dict(f) for f in self.findings]}
        if self.condition is not None:
            out["when"] = self.condition
        return out


def outcome(alt, findings: list[Finding], open_: bool | None, condition: dict | None) -> Outcome:
    status = verdict(findings)
    if open_ is False:
        status = Status.NOT_APPLICABLE
    elif open_ is None and status in (Status.PASS, Status.REVIEW):
        status = Status.UNKNOWN  # it would hold (or be the officer's), if it is open to this building
    return Outcome(alt.id, alt.title or alt.id, status, tuple(findings), open_, condition)


def combine(outcomes: list[Outcome]) -> Measurement:
    """The any_of finding: which alternative holds, or which comes nearest."""
    open_ = [o for o in outcomes if o.open is not False]
    if not open_:  # the rule is in force and the building can comply by none of its ways
        return Measurement(Status.FAIL, "no_alternative_open", unit=UNIT, details={"alternatives": outcomes})
    holds = next((o for o in open_ if o.status == Status.PASS), None)
    if holds is not None:
        return Measurement(Status.PASS, "alternative_holds", unit=UNIT, global_ids=(),
                           details={"holds": holds.id, "alternatives": outcomes})
    nearest = min(open_, key=lambda o: (_RANK[o.status],
                                        sum(f.status == Status.FAIL and f.severity == "error" for f in o.findings),
                                        o.overrun()))
    failing = [f for f in nearest.findings if f.status not in (Status.PASS, Status.NOT_APPLICABLE)]
    worst = next((f for f in failing if f.status == nearest.status), failing[0] if failing else None)
    reason = "no_alternative_holds" if nearest.status == Status.FAIL else "no_alternative_decided"
    ids = tuple(dict.fromkeys(g for f in failing for g in f.m.global_ids))
    return Measurement(nearest.status, reason, unit=UNIT, where=worst.m.where if worst else None, global_ids=ids,
                       details={"nearest": nearest.id, "alternatives": outcomes})
