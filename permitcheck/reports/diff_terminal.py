"""`permitcheck diff` at the console: one row per rule that changed (or was decided), then the
elements and the decisions to look at again. Reads only the diff dict (permitcheck.review.diff)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from permitcheck.reports.printable import printable
from permitcheck.reports.text import number


def _fig(side: dict | None) -> str:
    if side is None:
        return "—"
    m = number(side["measured"], side["unit"]) if side.get("measured") is not None else ""
    return f"{side['status']} {m}".strip()


def decision_word(r: dict) -> str:
    if r["decision"] is None:
        return ""
    return "still applies" if r["decision_applies"] else "look again"


def render(diff: dict, console: Console) -> None:
    diff = printable(diff)
    old, new = diff["old"], diff["new"]
    console.print(Text(f"{old['label']} ({old['verdict']}) → {new['label']} ({new['verdict']})", style="bold"))
    shown = [r for r in diff["rules"] if r["changes"] or r["decision"]]
    if shown:
        t = Table(header_style="bold")
        for col in ("rule", "before", "now", "what changed", "decision"):
            t.add_column(col, overflow="fold")
        for r in shown:
            t.add_row(Text(r["rule"]), Text(_fig(r["old"])), Text(_fig(r["new"])),
                      Text("; ".join(r["changes"]) or "no change"), Text(decision_word(r)))
        console.print(t)
    same = sum(not r["changes"] for r in diff["rules"])
    console.print(Text(f"{len(diff['rules']) - same} rule(s) changed, {same} unchanged"))
    e = diff["elements"]
    console.print(Text(f"elements: {e['by_global_id']} matched by GlobalId, {e['by_signature']} by geometry signature "
                       f"(GlobalId regenerated), {len(e['changed'])} moved or reshaped, {len(e['removed'])} no longer "
                       f"named, {len(e['added'])} newly named"))
    again = [r["rule"] for r in diff["rules"] if r["decision"] and not r["decision_applies"]]
    kept = [r["rule"] for r in diff["rules"] if r["decision"] and r["decision_applies"]]
    if kept or again:
        console.print(Text(f"decisions that still apply: {', '.join(kept) or 'none'}; "
                           f"to look at again: {', '.join(again) or 'none'}"))
