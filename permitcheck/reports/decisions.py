"""The officer's decisions as every report shows them: the automatic status, the decision and its
reason side by side, with the decisions it superseded, the architect's BCF replies, and what a
re-check carried forward from the previous submission.

Reads only the result's `review` block (written by permitcheck.review); a result without one shows
nothing. Every string in it came from a person or a BCF file: it is escaped for HTML here, and the
terminal form goes in as rich `Text` after `printable`.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from permitcheck.reports.printable import printable, printable_str

if TYPE_CHECKING:
    from rich.console import Console

WORD = {"accept": "accepted", "override": "overridden", "request_changes": "changes requested"}


def by_rule(result: dict) -> dict[str, dict]:
    """The decision in force per rule."""
    return {d["rule"]: d for d in (result.get("review") or {}).get("decisions") or []}


def replies_of(result: dict, rule: str) -> list[dict]:
    return [r for r in (result.get("review") or {}).get("replies") or [] if r.get("rule") == rule]


def label(d: dict) -> str:
    """'overridden to PASS', 'accepted (FAIL)', 'changes requested'; '(carried)' for one carried forward."""
    word = WORD.get(d.get("decision"), str(d.get("decision")))
    text = f"{word} to {d['status']}" if d.get("decision") == "override" else \
        (f"{word} ({d['status']})" if d.get("decision") == "accept" else word)
    return text + (" (carried)" if d.get("source") == "carried" else "")


def lines(result: dict, rule: str) -> list[str]:
    """Plain lines for one rule: the decision, what it superseded, the replies (JUnit, BCF, text)."""
    d = by_rule(result).get(rule)
    out = []
    if d is not None:
        out.append(f"decision: {label(d)} by {d['by']} at {d['at']} (automatic {d['automatic']}): {d['reason']}")
        out += [f"superseded: {label(o)} by {o['by']} at {o['at']}: {o['reason']}" for o in d.get("superseded") or []]
    for r in replies_of(result, rule):
        out.append(f"reply ({r['kind']}) by {r.get('author') or '?'} at {r.get('at') or '?'}: {said(r)}")
    return out


def said(reply: dict) -> str:
    """A reply in one line: the comment's lines joined, or the status the architect set."""
    text = " ".join(str(reply.get("text") or "").split())
    return f"status set to {text}" if reply.get("kind") == "status" else text


def _carried_sentence(carried: dict) -> tuple[str, str]:
    kept = ", ".join(carried.get("carried") or []) or "none"
    again = "; ".join(f"{x['rule']} ({x['why']})" for x in carried.get("look_again") or []) or "none"
    return (f"carried forward from {carried.get('previous', 'the previous result')}: {kept}",
            f"to look at again: {again}")


def render(result: dict, console: Console) -> None:
    """The decisions table under the rule table (nothing without a review block)."""
    from rich.table import Table  # rich only for the terminal: the HTML, JUnit and BCF reports use the rest
    from rich.text import Text

    review = result.get("review")
    if not review:
        return
    review = printable(review)
    statuses = {f["rule"]: f["status"] for f in printable(result["findings"])}
    if review.get("decisions"):
        t = Table(title="decisions", header_style="bold")
        for col in ("rule", "automatic", "decision", "reason", "by, at"):
            t.add_column(col, overflow="fold")
        for d in review["decisions"]:
            t.add_row(Text(d["rule"]), Text(statuses.get(d["rule"], d["automatic"])), Text(label(d)),
                      Text(d["reason"] + (f" (supersedes {len(d['superseded'])})" if d.get("superseded") else "")),
                      Text(f"{d['by']}, {d['at']}"))
        console.print(t)
    for r in result["review"].get("replies") or []:  # joined into one line first, then made printable
        console.print(Text(printable_str(f"reply on {r['rule']} by {r.get('author') or '?'} ({r.get('at') or '?'}): "
                                         f"{said(r)}")))
    if review.get("carried"):
        for line in _carried_sentence(review["carried"]):
            console.print(Text(line))
    console.print(Text(f"verdict with the decisions: {review['verdict']} (automatic: {printable(result['verdict'])})",
                       style="bold"))


def _e(s) -> str:
    return escape("" if s is None else str(s), quote=True)


def html_section(result: dict) -> str:
    """<section id=decisions>: per decided rule the automatic status, the decision and its reason side
    by side, what it superseded and the replies; '' without a review block."""
    review = result.get("review")
    if not review:
        return ""
    rows = []
    for f in result["findings"]:
        d = by_rule(result).get(f["rule"])
        replies = replies_of(result, f["rule"])
        if d is None and not replies:
            continue
        older = "".join(f"<li>{_e(label(o))} by {_e(o['by'])}, {_e(o['at'])}: {_e(o['reason'])}</li>"
                        for o in (d or {}).get("superseded") or [])
        answered = "".join(f"<li>{_e(r.get('author') or '?')}, {_e(r.get('at') or '?')}: "
                       f"{_e(said(r))}</li>"
                       for r in replies)
        rows.append(
            f"<tr><td>{_e(f['title'])}<br><small>{_e(f['rule'])}</small></td><td>{_e(f['status'])}</td>"
            f"<td>{_e(label(d)) if d else '—'}</td><td>{_e(d['reason']) if d else ''}"
            + (f"<details><summary>supersedes {len(d['superseded'])}</summary><ul>{older}</ul></details>" if older else "")
            + f"</td><td>{_e(d['by']) + ', ' + _e(d['at']) if d else ''}</td>"
            f"<td>{'<ul>' + answered + '</ul>' if answered else ''}</td></tr>")
    carried = ""
    if review.get("carried"):
        carried = "".join(f"<p>{_e(s)}</p>" for s in _carried_sentence(review["carried"]))
    return ("<section id=decisions><h2>Review decisions</h2>"
            f"<p>Verdict with the decisions: <strong>{_e(review.get('verdict'))}</strong> "
            f"(automatic: {_e(result.get('verdict'))}); decisions from {_e(review.get('store'))} on result "
            f"sha256 {_e(review.get('result_sha256'))}.</p>" + carried
            + ("<table><tr><th>rule</th><th>automatic</th><th>decision</th><th>reason</th><th>by, at</th>"
               "<th>architect's replies</th></tr>" + "".join(rows) + "</table>" if rows else "")
            + "</section>")
