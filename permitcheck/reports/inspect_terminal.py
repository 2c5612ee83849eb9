"""Rich summary of an inspection for a permit officer's terminal.

Every string from the model is made printable (control characters shown escaped) and passed to
rich as `Text`, never as markup: an element named ``[bold red]``, ``[/]`` or ``[link=...]`` is shown
as written.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from permitcheck.reports.printable import printable


def _m(x, unit="m", digits=2) -> str:
    return "—" if x is None else f"{x:,.{digits}f} {unit}"


def render(result: dict, console: Console) -> None:
    result = printable(result)
    model, facts = result["model"], result["facts"]
    console.print(Text.assemble((model["path"], "bold"),
                                f"  {model['schema']}  ({model['application'] or 'unknown application'})"))
    massing = model.get("massing")
    if massing:
        from permitcheck.reports.text import massing_sentence

        console.print(Text(f"a massing model: {massing_sentence(massing)}"))
    geo = model["georeference"]
    if geo:
        console.print(Text(
            f"georeferenced: {geo['crs']}  E {geo['eastings']:,.3f}  N {geo['northings']:,.3f}  "
            f"rotation {geo['rotation_deg']:.3f}°  ({geo['source']})"
        ))
    else:
        console.print(Text("not georeferenced: footprint in model coordinates"))

    t = Table(title="Facts", show_header=True, header_style="bold")
    t.add_column("fact")
    t.add_column("value", justify="right")
    t.add_column("how", overflow="fold")
    d = facts["derivation"]
    top = facts["highest_element"]
    t.add_row("ground level", _m(facts["ground_elevation_m"], digits=3), Text(d["ground_elevation_m"]))
    t.add_row("height", _m(facts["height_m"]),
              Text(f"set by {top['ifc_class']} '{top['name']}' ({top['global_id']})") if top else "")
    t.add_row("footprint", _m(facts["footprint_area_m2"], "m²", 1), Text(d["footprint"]))
    t.add_row("storeys above / below", f"{facts['storeys_above_ground']} / {facts['storeys_below_ground']}",
              Text(d["storeys"]))
    t.add_row("gross floor area", _m(facts["gross_floor_area_m2"], "m²", 1), Text(d["gross_floor_area_m2"]))
    if "mesh" in facts:
        mesh = facts["mesh"]
        t.add_row("3D mesh", f"{mesh['triangles']:,} triangles",
                  f"{'closed' if mesh['watertight'] else 'OPEN'}, volume {_m(mesh['volume_m3'], 'm³', 1)}, "
                  f"{mesh['elements_hulled']} open element(s) replaced by their hull")
    console.print(t)

    s = Table(title="Storeys", header_style="bold")
    for col in ("storey", "elevation", "above ground", "counted", "gross area", "note"):
        s.add_column(col, justify="right" if col in ("elevation", "gross area") else "left")
    for st in facts["storeys"]:
        s.add_row(Text(st["name"]), _m(st["elevation_m"], digits=3), "yes" if st["above_ground"] else "no",
                  "yes" if st["counted"] else "no", _m(st["gross_area_m2"], "m²", 1), Text(st["note"]))
    if facts["storeys"]:
        console.print(s)

    if len(facts["buildings"]) > 1:
        b = Table(title="Buildings", header_style="bold")
        for col in ("building", "height", "footprint", "storeys", "GFA"):
            b.add_column(col, justify="left" if col == "building" else "right")
        for bf in facts["buildings"]:
            b.add_row(Text(bf["name"] or bf["building_id"]), _m(bf["height_m"]), _m(bf["footprint_area_m2"], "m²", 1),
                      str(bf["storeys_above_ground"]), _m(bf["gross_floor_area_m2"], "m²", 1))
        console.print(b)

    for w in result["warnings"]:
        console.print(Text.assemble(("warning:", "yellow"), " ", w))
