"""Rich verdict for a permit officer: banner, one row per rule, then the facts and warnings.

Readable at 80 columns; NO_COLOR is honoured by rich. Strings from the model, site or rulebook
are made printable (control characters shown escaped) and go in as `Text`, never as markup.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from permitcheck.reports import decisions
from permitcheck.reports.alternatives import walk
from permitcheck.reports.printable import printable, printable_str
from permitcheck.reports.text import explain, number
from permitcheck.reports.verdict import (NEEDS_ATTENTION, counts_text, elements_text, groups, law_and_article,
                                         limit_text, reader_citation, verdict_line)

STYLE = {"PASS": "green", "FAIL": "bold red", "REVIEW": "yellow", "UNKNOWN": "magenta",
         "NOT_APPLICABLE": "dim", "ERROR": "bold magenta"}
_num = number
_SHOWN = {"NOT_APPLICABLE": "N/A"}  # the status column stays narrow: NOT_APPLICABLE folded into two lines


def render(result: dict, console: Console, footer: list[str] = ()) -> None:
    """The whole report: the banner with the verdict and the counts, the rule table, the facts, what
    fails and where, the caller's `footer` lines (the reports written), and last the verdict line, so
    the verdict, the counts and the failures are what an 80x24 terminal shows."""
    result = printable(result)
    v = result["verdict"]
    book = result["rulebook"]
    banner = Text.assemble((f"{v}", STYLE.get(v, "")), "  ",
                           (f"{result['model']['path']}", "bold"), f" on parcel {result['site']['parcel_id']}, "
                           f"zone {result['zone']}, rulebook {book['id']} {book['version']}\n",
                           counts_text(result["findings"]))
    console.print(Panel(banner, expand=False))
    massing = result["model"].get("massing")
    if massing:
        from permitcheck.reports.text import massing_sentence

        console.print(Text(f"a massing model: {massing_sentence(massing)}"))
    t = Table(header_style="bold", show_lines=False)
    for col, just in (("rule", "left"), ("status", "left"), ("measured", "right"), ("limit", "right"),
                      ("margin", "right"), ("citation", "left")):
        t.add_column(col, justify=just, overflow="fold")
    for f, depth in _rows(result["findings"]):
        cite = f["citation"] or {}
        t.add_row(Text("  " * depth + f["title"]), Text(_SHOWN.get(f["status"], f["status"]),
                                                        style=STYLE.get(f["status"], "")),
                  _num(f["measured"], f["unit"]), limit_text(f, _num), _num(f["margin"], f["unit"]),
                  Text(law_and_article(f, book["sources"]) if cite else reader_citation(f, book["sources"])))
    console.print(t)
    _legal(result, console)
    edges = ", ".join(f"{e['index']}: {'/'.join(e['labels'])} ({e['length_m']:.1f} m)" for e in result["site"]["edges"])
    console.print(Text(f"parcel edges: {edges}"))
    facts = result["facts"]
    console.print(Text(
        f"facts: height {facts['height_m']} m, footprint {facts['footprint_area_m2']} m², "
        f"GFA {facts['gross_floor_area_m2']} m², storeys {facts['storeys_above_ground']} above / "
        f"{facts['storeys_below_ground']} below, parcel {result['site']['parcel_area_m2']} m²"))
    for w in result["warnings"]:
        console.print(Text.assemble(("warning:", "yellow"), " ", w))
    decisions.render(result, console)  # the officer's decisions (permitcheck review), when there are any
    _explained(result, console)  # what fails comes last, beside the verdict line: on screen at 80x24
    for line in footer:
        console.print(Text(printable_str(line)))
    console.print(Text(verdict_line(result), style=STYLE.get(v, "")))


def _explained(result: dict, console: Console) -> None:
    """What fails and where, one heading per breach: a per-part rule and its 3D twin citing the same
    article on the same elements are one breach, told once with both measurements."""
    shown = []
    for f, depth in _rows(result["findings"]):
        if depth and (not f["reason"] or (f["status"] == "FAIL" and f.get("_alternative_holds"))):
            continue  # an alternative's own row, or a failure in one not taken when another holds
        if f["status"] in NEEDS_ATTENTION or f["reason"] == "exempt":
            shown.append(f)
    elements = result.get("elements") or {}
    for heading, members in groups(shown, result["rulebook"]["sources"]):
        style = STYLE.get(members[0]["status"])
        if heading:
            console.print(Text(f"{members[0]['status']}: {heading} — one breach, found by {len(members)} rules:"),
                          style=style)
        for f in members:
            lead = "  " if heading else f"{f['status']}: "
            console.print(Text(f"{lead}{f['title']}: {explain(f)}"), style=style)
        gids = list(dict.fromkeys(g for f in members for g in f["global_ids"]))
        if gids:
            console.print(Text(f"  elements ({len(gids)}): {elements_text(gids, elements)}"), style=style)


def _rows(findings: list):
    """Each finding, and under an any_of each alternative (a row) with its own findings, indented."""
    holds = False
    for f, depth, _name in walk(findings):
        if depth == 0:
            holds = bool((f.get("details") or {}).get("holds"))
        if f["kind"] == "alternative":
            role = f["details"]["role"]
            f = {**f, "title": f"alternative: {f['title']}" + (f" ({role})" if role else "")}
        yield ({**f, "_alternative_holds": holds} if depth else f), depth


_FACT_LABEL = {"building_area_m2": ("building area", "m2"), "floor_area_m2": ("floor area", "m2"),
               "height_m": ("height", "m"), "storeys_above_ground": ("storeys", "storeys"),
               "ground_elevation_m": ("ground", "m")}
_PHYSICAL = {"building_area_m2": "footprint_area_m2", "floor_area_m2": "gross_floor_area_m2", "height_m": "height_m",
             "storeys_above_ground": "storeys_above_ground"}
_MOST = 4  # adjustments shown per fact; the rest are counted (the HTML and JSON reports list them all)


def _legal(result: dict, console: Console) -> None:
    """The figures the rules judged, as the law measures them, and the steps from the figures as built."""
    facts = result["facts"]
    legal = facts.get("legal")
    if not legal or legal.get("profile") == "physical":
        return
    console.print(Text(f"measured as {legal['title']}:", style="bold"))
    for fact, phys in _PHYSICAL.items():
        label, unit = _FACT_LABEL[fact]
        steps = [a for a in legal["adjustments"] if a["fact"] == fact]
        if not steps and legal.get(fact) == facts.get(phys):
            continue
        console.print(Text(f"  {label}: {_num(legal.get(fact), unit)} (as built {_num(facts.get(phys), unit)})"))
        groups: dict[str, list[dict]] = {}
        for a in steps:  # one line per article: ten storeys measured to their centre lines are one step
            groups.setdefault(a["clause"], []).append(a)
        for clause, same in list(groups.items())[:_MOST]:
            total = sum(a["delta"] for a in same)
            delta = ("+" if total > 0 else "−") + _num(abs(total), unit)
            what = same[0]["what"] if len(same) == 1 else \
                f"{len(same)} storeys: " + re.sub(r"^storey '.*?': ", "", same[0]["what"])
            console.print(Text(f"    {delta}: {what} — {clause}"))
        if len(groups) > _MOST:
            console.print(Text(f"    … {len(groups) - _MOST} more (see the HTML or JSON report)"))
    for u in legal["uncertain"]:
        console.print(Text(f"  uncertain: {u['reason']}", style="yellow"))
