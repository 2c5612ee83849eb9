"""Rich progress for a batch: a bar with pass/fail/error counts and an ETA, then a summary table."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from permitcheck.reports.printable import printable_str


class BatchProgress:
    def __init__(self, console: Console):
        self.console = console
        self.counts: dict[str, int] = {}
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), console=console, transient=False)
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        self.task = self.progress.add_task("planning", total=None)
        return self

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)

    def _describe(self) -> str:
        c = self.counts
        return (f"[green]{c.get('PASS', 0)} pass[/] [red]{c.get('FAIL', 0)} fail[/] "
                f"[yellow]{sum(v for k, v in c.items() if k not in ('PASS', 'FAIL', 'ERROR'))} review[/] "
                f"[magenta]{c.get('ERROR', 0)} error[/]")

    def event(self, kind: str, case: str, outcome: dict | None) -> None:
        if kind == "planned":
            self.progress.update(self.task, total=outcome["to_run"], description=self._describe())
        elif kind == "done":
            self.counts[outcome["verdict"]] = self.counts.get(outcome["verdict"], 0) + 1
            self.progress.update(self.task, advance=1, description=self._describe())

    def final(self, summary) -> None:
        t = Table(title="Batch summary", header_style="bold")
        for col in ("verdict", "cases this run"):
            t.add_column(col)
        for verdict, n in sorted(summary.counts.items()):
            t.add_row(verdict, str(n))
        t.add_row("skipped (unchanged)", str(summary.skipped))
        self.console.print(t)
        for name, path in summary.paths.items():
            self.console.print(Text(printable_str(f"{name}: {path}")))
        self.console.print(Text(printable_str(f"store: {summary.store}")))
