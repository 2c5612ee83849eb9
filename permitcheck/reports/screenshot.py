"""Look at an HTML report the way a person does: headless Chromium renders it to a PNG.

    python -m permitcheck.reports.screenshot REPORT.html OUT.png [WIDTH HEIGHT]

Needs Debian's `chromium` (or CHROMIUM=/path). Flags keep Chromium off the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium not found: apt-get install chromium, or set CHROMIUM")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout)


def screenshot(html: Path, png: Path, width: int = 1100, height: int = 2400, timeout: float = 120) -> Path:
    _run([f"--window-size={width},{height}", f"--screenshot={Path(png).resolve()}",
          Path(html).resolve().as_uri()], timeout)
    if not Path(png).exists():
        raise RuntimeError(f"chromium wrote no screenshot of {html}")
    return Path(png)


def dom(html: Path, timeout: float = 120) -> str:
    """The DOM after Chromium has parsed (and run, if it could) the page."""
    return _run(["--dump-dom", Path(html).resolve().as_uri()], timeout).stdout


if __name__ == "__main__":
    a = sys.argv[1:]
    screenshot(Path(a[0]), Path(a[1]), *(int(x) for x in a[2:4]))
