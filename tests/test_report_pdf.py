"""The PDF report: the HTML page laid out offline by WeasyPrint, text intact and escaped."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import pytest

from conftest import ROOT
from permitcheck.reports import ReporterUnavailable, reporter, write_all, write_report

pypdf = pytest.importorskip("pypdf", reason="pypdf (a test extra) reads the PDF back")
try:
    pdf = reporter("pdf")
except ReporterUnavailable as e:  # weasyprint or the Pango library missing on this machine
    pytest.skip(f"PDF report not available here: {e}", allow_module_level=True)

from test_report_html import HOSTILE, results  # noqa: E402,F401  (the shared check results)


def _text(path) -> tuple[int, str]:
    doc = pypdf.PdfReader(path)
    return len(doc.pages), "\n".join(page.extract_text() for page in doc.pages)


def test_failing_report_as_pdf_keeps_verdict_figures_and_hostile_text(results, tmp_path):
    out = write_report("pdf", results["fail"], tmp_path)
    assert out.name == "permitcheck-report.pdf" and out.read_bytes().startswith(b"%PDF-")
    pages, text = _text(out)
    assert pages >= 3
    assert "FAIL" in text and "north-daylight" in text
    assert "10.00 m < 16.65 m" in text  # the plan's dimension, drawn as text in the SVG
    assert HOSTILE in text  # an element name is printed as the characters it holds
    assert results["fail"]["provenance"]["model_sha256"] in text.replace("\n", "")


def test_passing_report_as_pdf(results, tmp_path):
    pages, text = _text(write_report("pdf", results["pass"], tmp_path / "ok.pdf"))
    assert pages >= 1 and "PASS" in text and "FAIL" not in text.split("Rules")[0]


def test_pdf_fetches_nothing_even_when_the_page_names_a_url(monkeypatch, tmp_path, caplog):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not embed")
    page = f'<!doctype html><p>x</p><img src="{secret.as_uri()}"><img src="http://127.0.0.1:9/a.png">'
    monkeypatch.setattr(pdf, "render", lambda result: page)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        out = pdf.write({}, tmp_path / "x.pdf")
    assert out.exists()
    refused = [r.getMessage() for r in caplog.records if "renders PDFs offline" in r.getMessage()]
    assert len(refused) == 2, [r.getMessage() for r in caplog.records]


def test_pdf_is_written_only_when_asked(results, tmp_path):
    written, skipped = write_all(results["pass"], tmp_path / "all")
    assert {p.suffix for p in written} >= {".json", ".html", ".xml"} and ".pdf" not in {p.suffix for p in written}
    written, _ = write_all(results["pass"], tmp_path / "pdf", ["pdf"])
    assert [p.name for p in written] == ["permitcheck-report.pdf"]


def test_cli_writes_pdf_and_refuses_an_unknown_format(tmp_path):
    base = [sys.executable, "-m", "permitcheck", "check", str(ROOT / "samples/buildings/box_m.ifc"),
            "--site", str(ROOT / "samples/sites/box_ok.geojson"), "--rules", str(ROOT / "rules/kr/national.yaml"),
            "--anchor", "220000,560000"]
    proc = subprocess.run(base + ["--format", "pdf", "--out", str(tmp_path / "r.pdf")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert io.BytesIO((tmp_path / "r.pdf").read_bytes()).read(5) == b"%PDF-"
    proc = subprocess.run(base + ["--format", "docx", "--out", str(tmp_path / "r.docx")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "unknown report format 'docx'" in proc.stderr and "pdf" in proc.stderr
