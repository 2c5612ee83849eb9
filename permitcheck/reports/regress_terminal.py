"""The regression diff as a table: what drifted, expected, got."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from permitcheck.reports.printable import printable_str


def render(report, console: Console) -> None:
    if report.updated:
        console.print(Text(f"{printable_str(str(report.suite))}: expectations rewritten from this run ({len(report.cases)} cases)"))
        return
    if not report.drift:
        console.print(Text(f"{len(report.cases)} passed, 0 failed: no drift in {printable_str(str(report.suite))}",
                           style="green"))
        return
    t = Table(title=Text(f"Drift in {printable_str(str(report.suite))}"), header_style="bold")
    for col in ("case", "rule", "what", "expected", "got"):
        t.add_column(col, overflow="fold")
    for d in report.drift:
        t.add_row(*(Text(printable_str(str(x))) for x in (d.case, d.rule, d.what, d.expected, d.got)))
    console.print(t)
    failed = len({d.case for d in report.drift})
    console.print(Text(f"{len(report.cases) - failed} passed, {failed} failed", style="red"))
