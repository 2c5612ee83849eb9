"""Batch summaries from the store: CSV and JSON for machines, an HTML index linking each case's report."""

from __future__ import annotations

import csv
import io
import json
import os
from html import escape
from pathlib import Path

COLUMNS = ["case", "verdict", "status", "error", "failed_rules", "rulebook_version", "tool_version",
           "model_sha256", "wall_s", "facts_cached", "report", "checked_at"]


def _rows(latest: list[dict], out_dir: Path) -> list[dict]:
    rows = []
    for r in latest:
        findings = json.loads(r["findings_json"] or "[]")
        timings = json.loads(r["timings_json"] or "{}")
        report = ""
        if r["report_dir"]:
            html = Path(r["report_dir"]) / "permitcheck-report.html"
            report = os.path.relpath(html, out_dir) if html.exists() else os.path.relpath(r["report_dir"], out_dir)
        rows.append({
            "case": r["case_name"], "verdict": r["verdict"], "status": r["status"], "error": r["error"] or "",
            "failed_rules": " ".join(f["rule"] for f in findings if f["status"] == "FAIL"),
            "rulebook_version": r["rulebook_version"] or "", "tool_version": r["tool_version"] or "",
            "model_sha256": r["model_sha256"] or "", "wall_s": round(timings.get("wall_s", 0.0), 3),
            "facts_cached": bool(timings.get("facts_cached")), "report": report, "checked_at": r["created_at"],
        })
    return rows


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # pid: see litter.py
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_summary(latest: list[dict], out_dir: Path) -> dict[str, Path]:
    rows = _rows(latest, out_dir)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS)
    w.writeheader()
    w.writerows(rows)
    paths = {"csv": out_dir / "summary.csv", "json": out_dir / "summary.json", "html": out_dir / "index.html"}
    _atomic(paths["csv"], buf.getvalue())
    _atomic(paths["json"], json.dumps({"cases": rows}, indent=2, ensure_ascii=False))
    def link(r: dict) -> str:
        return f'<a href="{escape(r["report"], quote=True)}">report</a>' if r["report"] else ""

    body = "".join(
        f"<tr><td>{escape(r['case'])}</td><td class='{escape(r['verdict'].lower())}'>{escape(r['verdict'])}</td>"
        f"<td>{escape(r['failed_rules'])}</td><td>{escape(r['error'][:200])}</td>"
        f"<td>{link(r)}</td><td>{r['wall_s']}</td></tr>" for r in rows)
    counts = {}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    tally = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    _atomic(paths["html"], (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>permitcheck batch</title><style>"
        "body{font:14px system-ui,sans-serif;margin:24px}table{border-collapse:collapse}td,th{padding:4px 10px;"
        "border-bottom:1px solid #ddd;text-align:left}.pass{color:#1f7a3a}.fail{color:#b3261e;font-weight:600}"
        ".error,.review,.unknown{color:#9a6a00;font-weight:600}</style></head><body>"
        f"<h1>permitcheck batch</h1><p>{escape(tally)}</p><table><tr><th>case</th><th>verdict</th>"
        f"<th>failed rules</th><th>error</th><th>report</th><th>seconds</th></tr>{body}</table></body></html>\n"))
    return paths
