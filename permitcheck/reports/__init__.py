"""Reports: each reads the one serialisable result and writes it for one audience.

`REPORTERS` maps a format name to (module, default file name); modules are imported when used so
an optional dependency (bcf-client for BCF) is needed only by the format that uses it.
"""

from __future__ import annotations

import importlib
from pathlib import Path

REPORTERS: dict[str, tuple[str, str]] = {
    "json": ("permitcheck.reports.json_report", "permitcheck-result.json"),
    "html": ("permitcheck.reports.html", "permitcheck-report.html"),
    "junit": ("permitcheck.reports.junit", "permitcheck-junit.xml"),
    "bcf": ("permitcheck.reports.bcf", "permitcheck-issues.bcf"),
}


class ReporterUnavailable(Exception):
    """A format whose optional dependency is not installed."""


def write_report(fmt: str, result: dict, out: Path) -> Path:
    module_name, default_name = REPORTERS[fmt]
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:  # pragma: no cover - depends on the installed extras
        raise ReporterUnavailable(f"{fmt} report needs an optional dependency ({e.name}): "
                                  f"pip install 'permitcheck[{fmt}]'") from e
    out = Path(out)
    if out.is_dir():
        out = out / default_name
    try:
        return module.write(result, out)
    except ImportError as e:
        raise ReporterUnavailable(f"{fmt} report needs an optional dependency ({e.name}): "
                                  f"pip install 'permitcheck[{fmt}]'") from e


def write_all(result: dict, folder: Path, formats: list[str] | None = None) -> tuple[list[Path], list[str]]:
    """Write every format (or `formats`) into `folder`; formats that cannot be written are named."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written, skipped = [], []
    for fmt in formats or list(REPORTERS):
        try:
            written.append(write_report(fmt, result, folder / REPORTERS[fmt][1]))
        except ReporterUnavailable as e:
            skipped.append(str(e))
    return written, skipped
