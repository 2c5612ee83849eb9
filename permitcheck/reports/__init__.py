"""Reports: each reads the one serialisable result and writes it for one audience.

`REPORTERS` maps a format name to (module, default file name); modules are imported when used so
an optional dependency (weasyprint for PDF) is needed only by the format that
uses it. `ON_REQUEST` formats are written only when named: a PDF takes seconds and adds nothing
the HTML does not show.
"""

from __future__ import annotations

import importlib
from pathlib import Path

REPORTERS: dict[str, tuple[str, str]] = {
    "json": ("permitcheck.reports.json_report", "permitcheck-result.json"),
    "html": ("permitcheck.reports.html", "permitcheck-report.html"),
    "junit": ("permitcheck.reports.junit", "permitcheck-junit.xml"),
    "bcf": ("permitcheck.reports.bcf", "permitcheck-issues.bcf"),
    "pdf": ("permitcheck.reports.pdf", "permitcheck-report.pdf"),
}
ON_REQUEST = frozenset({"pdf"})


class ReporterUnavailable(Exception):
    """A format whose optional dependency is not installed."""


def _missing(fmt: str, e: ImportError) -> ReporterUnavailable:
    return ReporterUnavailable(f"{fmt} report needs an optional dependency ({e.name}): "
                               f"pip install 'permitcheck[{fmt}]'")


def reporter(fmt: str):
    """The module that writes `fmt`; ReporterUnavailable names what to install when it cannot load."""
    if fmt not in REPORTERS:
        raise ReporterUnavailable(f"unknown report format {fmt!r}: use one of {', '.join(REPORTERS)}")
    try:
        return importlib.import_module(REPORTERS[fmt][0])
    except ImportError as e:
        raise _missing(fmt, e) from e


def write_report(fmt: str, result: dict, out: Path) -> Path:
    module, default_name = reporter(fmt), REPORTERS[fmt][1]
    out = Path(out)
    if out.is_dir():
        out = out / default_name
    try:
        return module.write(result, out)
    except ImportError as e:  # a writer that imports its library only when it writes
        raise _missing(fmt, e) from e


def write_all(result: dict, folder: Path, formats: list[str] | None = None) -> tuple[list[Path], list[str]]:
    """Write every default format (or `formats`) into `folder`; formats that cannot be written are named."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written, skipped = [], []
    for fmt in formats or [f for f in REPORTERS if f not in ON_REQUEST]:
        try:
            written.append(write_report(fmt, result, folder / REPORTERS[fmt][1]))
        except ReporterUnavailable as e:
            skipped.append(str(e))
    return written, skipped
