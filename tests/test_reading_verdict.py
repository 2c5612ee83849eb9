"""Reading the verdict (issue 13): the verdict on screen at 80x24, limits with their direction, elements by
name, one heading per breach, no "-0.00", --quiet, flags shown as flags, shell completion."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SAMPLES
from permitcheck.cli import app
from permitcheck.reports.text import number
from permitcheck.reports.verdict import bound, element_label, groups, limit_text, verdict_line

PODIUM = ["check", str(SAMPLES / "podium_tower.ifc"), "--site", str(ROOT / "samples/sites/podium_north.geojson"),
          "--rules", str(ROOT / "rules/kr/cheonan.yaml"), "--anchor", "220000,560000"]


def _in_terminal(args: list[str], columns: int = 80, lines: int = 24) -> tuple[int, str]:
    """Run the CLI with its standard output on a pseudo-terminal of `columns` x `lines`: what a console shows."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "permitcheck", *args], stdin=slave, stdout=slave,
                            stderr=subprocess.PIPE, env=env, cwd=ROOT)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            raise AssertionError("no output for 120 s")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    proc.wait(timeout=60)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07", "", out.decode("utf-8", "replace"))
    return proc.returncode, text.replace("\r\n", "\n")


def _screen(text: str, columns: int = 80, lines: int = 24) -> list[str]:
    """The last `lines` rows of the terminal: long lines take as many rows as they wrap to."""
    rows: list[str] = []
    for line in text.rstrip("\n").split("\n"):
        # every character here is one column except the wide Hangul ones (two)
        width, row = 0, ""
        for c in line:
            w = 2 if "\uac00" <= c <= "\ud7a3" or "\u1100" <= c <= "\u11ff" else 1
            if width + w > columns:
                rows.append(row)
                width, row = 0, ""
            row += c
            width += w
        rows.append(row)
    return rows[-lines:]


@pytest.mark.slow
def test_the_failing_sample_shows_its_verdict_on_an_80x24_terminal():
    code, text = _in_terminal(PODIUM)
    assert code == 1
    screen = _screen(text)
    assert screen[-1].startswith("FAIL: not compliant — 14 rules: 2 fail, 7 pass, 5 n/a"), screen
    assert any(row.startswith("FAIL: 건축법 시행령 제86조") and "one breach" in row for row in screen)
    assert any(row.startswith("  elements (20): IfcSlab") for row in screen)
    head = text.split("\n")[:5]  # and first: the banner carries the verdict and the same counts
    assert any(row.startswith("│ FAIL  ") and "podium_tower.ifc" in row for row in head)
    assert any("14 rules: 2 fail, 7 pass, 5 n/a" in row for row in head)
    assert max(len(row) for row in text.split("\n") if "─" in row or "━" in row) <= 80


def test_the_report_reads_limits_elements_and_one_breach_once():
    r = CliRunner().invoke(app, PODIUM, env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert r.exit_code == 1, r.output
    out = r.stdout
    assert "≤ 60.0 %" in out and "≥ 16.65 m" in out
    assert "-0.00" not in out
    assert "FAIL: 건축법 시행령 제86조 제1항 제1호·제2호 (법 제61조 제1항) — one breach, found by 2 rules:" in out
    assert "  North daylight setback" in out and "  North daylight envelope, checked in 3D" in out
    assert out.count("elements (20): IfcSlab 'Level 6 floor slab' (0VwikpQszMnhwvBRqCTKKl)") == 1
    assert "[building-act-decree]" not in out  # the rulebook's own source keys are not for the reader
    assert "readiness-advice.ids" not in out and "pre-flight check of the model's data" in out
    assert "NOT_APPLICABLE" not in out and "│ N/A " in out


def test_quiet_prints_the_verdict_line_only(tmp_path):
    r = CliRunner().invoke(app, [*PODIUM, "--quiet", "--report", str(tmp_path)])
    assert r.exit_code == 1
    assert r.stdout == "FAIL: not compliant — 14 rules: 2 fail, 7 pass, 5 n/a\n"
    assert (tmp_path / "permitcheck-result.json").exists()  # the reports are still written
    bad = CliRunner().invoke(app, [*PODIUM, "--quiet", "--json"])
    assert bad.exit_code == 2


def test_limits_read_with_their_direction_and_nothing_is_minus_zero():
    cover = {"kind": "max_coverage", "measured": 0.412, "limit": 0.6, "margin": 0.188, "unit": "ratio"}
    north = {"kind": "min_setback", "measured": 10.0, "limit": 16.65, "margin": -6.65, "unit": "m"}
    line = {"kind": "within", "measured": 0.0, "limit": 0.0, "margin": -0.0001, "unit": "m2"}
    assert limit_text(cover, number) == "≤ 60.0 %" and limit_text(north, number) == "≥ 16.65 m"
    assert bound(line) == "≤" and bound({"kind": "manual"}) == ""
    # the margin tells when the kind does not: a measured figure that must reach its limit
    assert bound({"kind": "odd", "measured": 42, "limit": 41, "margin": 1}) == "≥"
    assert number(-0.0001, "m2") == "0.00 m²" and number(-0.0004, "ratio") == "0.0 %"
    assert number(-0.2, "storeys") == "0" and number(-0.006, "m") == "-0.01 m"


def test_elements_read_by_class_and_name_with_the_globalid_after():
    elements = {"A": {"ifc_class": "IfcWall", "name": "W-1"}, "B": {"ifc_class": "IfcSlab", "name": None}}
    assert element_label("A", elements) == "IfcWall 'W-1' (A)"
    assert element_label("B", elements) == "IfcSlab (B)" and element_label("C", elements) == "C"


def test_a_breach_is_grouped_only_with_the_same_article_status_and_elements():
    src = {"d": {"law": "Decree"}}

    def f(rule, article, ids, status="FAIL"):
        return {"rule": rule, "status": status, "citation": {"source": "d", "article": article}, "global_ids": ids}

    g = groups([f("a", "§1", ["x", "y"]), f("b", "§1", ["y"]), f("c", "§1", ["z"]), f("d", "§2", ["x"]),
                f("e", "§1", ["x"], "REVIEW")], src)
    assert [(h, [m["rule"] for m in ms]) for h, ms in g] == [("Decree §1", ["a", "b"]), ("", ["c"]), ("", ["d"]),
                                                             ("", ["e"])]


def test_the_verdict_line_names_what_each_verdict_means():
    fs = [{"status": "REVIEW"}, {"status": "PASS"}, {"status": "PASS"}]
    assert verdict_line({"verdict": "REVIEW", "findings": fs}) == \
        "REVIEW: a person must decide — 3 rules: 1 to review, 2 pass"
    assert verdict_line({"verdict": "PASS", "findings": []}) == "PASS: compliant — no rules"


def _commands(group, path=()):
    import typer.main

    cmd = typer.main.get_command(group) if not path else group
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_every_boolean_option_shows_as_a_flag_in_help():
    for path, _ in _commands(app):
        r = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
        assert r.exit_code == 0, (path, r.output)
        assert "<bool>" not in r.stdout and "BOOLEAN" not in r.stdout, (path, r.stdout)
    check = CliRunner().invoke(app, ["check", "--help"], env={"COLUMNS": "100"}).stdout
    assert re.search(r"^  -q, --quiet +Print the verdict line only", check, re.M), check
    assert re.search(r"^  --json +Print the result as JSON", check, re.M)


def test_shell_completion_is_offered_and_completes_commands_and_options():
    # the script `--show-completion` prints for bash (asked by name: `--show-completion` alone guesses the
    # shell from the processes above it, which a test runner's workers do not always show)
    code = "import sys; sys.argv[0] = 'permitcheck'; from permitcheck.cli import main; main()"
    script = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "_PERMITCHECK_COMPLETE": "source_bash"})
    assert script.returncode == 0 and "complete -o default -F _permitcheck_completion permitcheck" in script.stdout, \
        script.stderr

    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COMP_WORDS": words, "COMP_CWORD": str(cword),
               "_PERMITCHECK_COMPLETE": "complete_bash"}
        code = "import sys; sys.argv[0] = 'permitcheck'; from permitcheck.cli import main; main()"
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert p.returncode == 0, p.stderr
        return p.stdout.split()

    assert complete("permitcheck ch", 1) == ["check"]
    assert complete("permitcheck check m.ifc --qu", 3) == ["--quiet"]
    assert json.dumps(complete("permitcheck rules v", 2)) == '["validate"]'


@pytest.fixture(scope="module")
def podium_result():
    from permitcheck.checking import check_model

    return check_model(SAMPLES / "podium_tower.ifc", ROOT / "samples/sites/podium_north.geojson",
                       ROOT / "rules/kr/cheonan.yaml", anchor=(220000, 560000),
                       submission={"project": "<b>Tower</b> & co", "applicant": "Kim\u202eevil", "reviewer": "J. Park",
                                   "submission": ""}).to_dict()


def test_the_html_cover_names_the_submission_the_rulebook_edition_and_the_tolerances(podium_result):
    import html as html_lib

    from permitcheck.reports.html import render

    page = render(podium_result)
    cover = page[page.index("<section id=cover>"):page.index("</section>", page.index("<section id=cover>"))]
    assert "&lt;b&gt;Tower&lt;/b&gt; &amp; co" in cover and "<b>Tower" not in page
    assert "<th>submission</th><td>not given</td>" in cover and "J. Park" in cover
    assert "version 2026.11, effective from 2024-05-17" in cover
    assert "This is an automated check" in cover and "within 0.05 m of its limit" in cover and "0.5 %" in cover
    text = re.sub(r"<[^>]+>", " ", page)
    for internal in ("[building-act-decree]", "grade ", "ZONING-RULES.md", "docs/sources", "whallaw"):
        assert internal not in html_lib.unescape(text), internal
    assert "건축법 시행령 (대통령령 제36746호) 제86조 제3항 제1호 (in force 2026-10-06)" in html_lib.unescape(text)
    assert "≥ 16.65 m" in html_lib.unescape(text) and "≤ 60.0 %" in html_lib.unescape(text)


def test_the_section_has_a_distance_axis_and_a_caption_naming_what_it_draws(podium_result):
    from permitcheck.reports.html import section

    f = next(f for f in podium_result["findings"] if f["rule"] == "north-daylight")
    svg = section(podium_result, f)
    assert "distance from the boundary →" in svg and ">0 m<" in svg and ">20 m<" in svg
    caption = re.search(r"<p class=muted>(.*?)</p>", svg).group(1)
    assert caption.startswith("Section across edge 2 (north/rear)")
    assert "10.00 m, against the 16.65 m required" in caption and "height limit" not in caption
    # the forbidden area starts at the boundary: nothing drawn beyond it, on the neighbour's land
    first = re.search(r'<polygon class="nobuild" points="([-\d.]+),', svg).group(1)
    assert float(first) == pytest.approx(float(re.search(r'<line class="axis" x1="([-\d.]+)"', svg).group(1)), abs=0.2)


def test_submission_fields_are_checked_before_any_work():
    r = CliRunner().invoke(app, [*PODIUM, "--reviewer", "x" * 201])
    assert r.exit_code == 2 and "at most 200" in r.output
    from permitcheck.checking import submission_fields
    from permitcheck.errors import UsageError

    with pytest.raises(UsageError, match="use project, applicant, submission, reviewer"):
        submission_fields({"architect": "me"})
    assert submission_fields({"project": "  a\n b ", "reviewer": None}) == {"project": "a b"}


def test_the_pdf_opens_with_the_cover_block(podium_result, tmp_path):
    pytest.importorskip("weasyprint", reason="the pdf extra is not installed")
    pypdf = pytest.importorskip("pypdf")
    from permitcheck.reports import write_report

    first = pypdf.PdfReader(str(write_report("pdf", podium_result, tmp_path))).pages[0].extract_text()
    assert "Submission" in first and "J. Park" in first and "This is an automated check" in first
    assert "version 2026.11, effective from 2024-05-17" in " ".join(first.split())
