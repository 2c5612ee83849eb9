"""`permitcheck diff --html`: the comparison of two submissions as one self-contained HTML page.

Reads only the diff dict (permitcheck.review.diff); every string is escaped (rule titles, labels
and decision reasons come from files and people)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from permitcheck.reports.diff_terminal import decision_word
from permitcheck.reports.html import CSS, STATUS_CLASS
from permitcheck.reports.text import number


def _e(s) -> str:
    return escape("" if s is None else str(s), quote=True)


def _cell(side: dict | None) -> str:
    if side is None:
        return "<td>—</td>"
    fig = number(side["measured"], side["unit"]) if side.get("measured") is not None else ""
    return (f'<td><span class="badge {STATUS_CLASS.get(side["status"], "na")}">{_e(side["status"])}</span> '
            f"{_e(fig)}</td>")


def render(diff: dict) -> str:
    old, new, e = diff["old"], diff["new"], diff["elements"]
    rows = "".join(
        f"<tr><td>{_e(r['title'])}<br><small>{_e(r['rule'])}</small></td>{_cell(r['old'])}{_cell(r['new'])}"
        f"<td>{_e('; '.join(r['changes']) or 'no change')}</td>"
        f"<td>{_e(decision_word(r))}{'<br><small>' + _e(r['decision']['reason']) + '</small>' if r['decision'] else ''}"
        f"</td></tr>" for r in diff["rules"])
    changed = sum(bool(r["changes"]) for r in diff["rules"])
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>permitcheck diff — {_e(old['label'])} → {_e(new['label'])}</title><style>{CSS}</style></head>"
        "<body><main><header><h1>What changed between submissions</h1>"
        f"<p>{_e(old['label'])} ({_e(old['verdict'])}, checked {_e(old['checked_at'])}) → {_e(new['label'])} "
        f"({_e(new['verdict'])}, checked {_e(new['checked_at'])})</p>"
        f"<p>{changed} rule(s) changed, {len(diff['rules']) - changed} unchanged</p></header>"
        "<section id=rules><h2>Rule by rule</h2><table><tr><th>rule</th><th>before</th><th>now</th>"
        f"<th>what changed</th><th>decision</th></tr>{rows}</table></section>"
        f"<section id=elements><h2>Elements</h2><p>{e['by_global_id']} matched by GlobalId, {e['by_signature']} by "
        f"geometry signature (GlobalId regenerated), {len(e['changed'])} moved or reshaped, {len(e['removed'])} no "
        f"longer named, {len(e['added'])} newly named.</p></section>"
        "</main></body></html>\n")


def write(diff: dict, out: Path) -> Path:
    out = Path(out)
    out.write_text(render(diff), encoding="utf-8")
    return out
