"""The HTML report as a PDF, for a permit file that is archived, stamped or signed on paper.

WeasyPrint lays out the same self-contained page offline (the optional extra `permitcheck[pdf]`;
it needs the Pango library, present on most Linux desktops and in Debian's `libpango-1.0-0`).
The report holds no external resource, and the fetcher refuses any URL, so rendering never
touches the network whatever a model's strings contain.
"""

from __future__ import annotations

from pathlib import Path

from permitcheck.reports import ReporterUnavailable
from permitcheck.reports.html import render

try:
    from weasyprint import HTML
except OSError as e:  # the wheel is installed but Pango is not
    raise ReporterUnavailable(f"pdf report: weasyprint cannot load the Pango library ({e}); "
                              "install it, e.g. apt-get install libpango-1.0-0 libpangoft2-1.0-0") from e


def _no_network(url: str, *args, **kwargs):
    raise ValueError(f"permitcheck renders PDFs offline; not fetching {url[:80]!r}")


try:  # recent WeasyPrint (70 tested) takes a URLFetcher object; older releases take a function
    from weasyprint.urls import URLFetcher
except ImportError:  # pragma: no cover - depends on the installed WeasyPrint
    _fetcher = _no_network
else:
    class _Offline(URLFetcher):
        def fetch(self, url, headers=None):
            _no_network(url)

    _fetcher = _Offline()


def write(result: dict, out: Path) -> Path:
    out = Path(out)
    if out.is_dir():
        out = out / "permitcheck-report.pdf"
    HTML(string=render(result), url_fetcher=_fetcher).write_pdf(out)
    return out
