"""How `check` grows with the building and with the parcel: time per storey and per vertex.

Towers of 8, 16, 32, 64 and 128 storeys (a 24 x 18 m plan of floor slabs, ring walls and columns,
3 m storeys; a roof slab) are written as IFC and checked against the Korean national rulebook in
제2종일반주거지역 on a lot whose north line is 4 m off the building, so the north daylight plane
and setback fail above 10 m (`failing`), and on a lot whose north line is 2 x the height away
(`passing`). Parcels of 10 to 100,000 vertices (a circle-ish ring around the box sample) are
checked the same way. Each figure is the median of `--repeat` runs in the same process; the
ratios t(128)/t(32) and t(100k)/t(1k) are what the README quotes.

    python bench/scaling_bench.py [--storeys 8,16,32,64,128] [--vertices 10,100,1000,10000,99999]
                                  [--repeat 1] [--out bench/results/scaling.md]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the IFC builder the tests use

ANCHOR = (220000.0, 560000.0)
W, D, H = 24.0, 18.0, 3.0
RULES = ROOT / "rules" / "kr" / "national.yaml"


def tower(path: Path, storeys: int) -> Path:
    from ifcbuild import Builder, rect

    b = Builder(f"tower {storeys}")
    levels = [(f"L{i}", i * H) for i in range(storeys)]
    b.block(levels, rect(0, 0, W, D), storeys * H)
    for name, z in levels:  # columns on a 6 m grid: more elements per storey, as real towers have
        for x in range(6, int(W), 6):
            for y in range(6, int(D), 6):
                b.prism(name, "IfcColumn", f"{name} column {x},{y}", rect(x - 0.3, y - 0.3, x + 0.3, y + 0.3), z,
                        z + H - 0.2)
    b.building.ObjectType = "Office"
    return b.write(path)


def railed(path: Path, storeys: int, spacing: float = 0.12) -> Path:
    """The tower with tube railings round every floor edge: per storey and side one IfcRailing of a
    handrail and balusters every `spacing` m, each an IfcSweptDiskSolid (finely tessellated tubes,
    as the real 9 MB model of issue 14 has)."""
    import ifcopenshell.api.geometry
    import ifcopenshell.api.spatial

    from ifcbuild import Builder, rect

    b = Builder(f"railed {storeys}")
    levels = [(f"L{i}", i * H) for i in range(storeys)]
    b.block(levels, rect(0, 0, W, D), storeys * H)
    corners = [(-0.1, -0.1), (W + 0.1, -0.1), (W + 0.1, D + 0.1), (-0.1, D + 0.1)]
    for name, z in levels[1:] + [("roof", storeys * H)]:
        storey = name if name in b.storeys else levels[-1][0]
        for k in range(4):
            (x0, y0), (x1, y1) = corners[k], corners[(k + 1) % 4]
            el = b._element(storey, "IfcRailing", f"{name} railing {k}", "BALUSTRADE")
            b._place(el, (0, 0, 0))
            top = z + 1.0
            items = [b.sb.create_swept_disk_solid(b.sb.polyline([(x0, y0, top), (x1, y1, top)]), 0.025)]
            n = int(math.hypot(x1 - x0, y1 - y0) / spacing)
            for j in range(1, n):
                x, y = x0 + (x1 - x0) * j / n, y0 + (y1 - y0) * j / n
                items.append(b.sb.create_swept_disk_solid(b.sb.polyline([(x, y, z), (x, y, top)]), 0.01))
            ifcopenshell.api.geometry.assign_representation(b.f, product=el,
                                                            representation=b.sb.get_representation(b.body, items))
    b.building.ObjectType = "Office"
    return b.write(path)


def _fc(ring, road=None):
    feats = [{"type": "Feature", "properties": {"role": "parcel", "id": "P"},
              "geometry": {"type": "Polygon", "coordinates": [ring]}}]
    if road:
        feats.append({"type": "Feature", "properties": {"role": "road", "width": 8},
                      "geometry": {"type": "Polygon", "coordinates": [road]}})
    return {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
            "features": feats}


def box_site(path: Path, north: float, margin: float = 6.0) -> Path:
    e, n = ANCHOR
    pts = [(-margin, -margin), (W + margin, -margin), (W + margin, D + north), (-margin, D + north)]
    ring = [[e + x, n + y] for x, y in pts + pts[:1]]
    road = [[e + x, n + y] for x, y in ((-margin - 5, -margin - 8), (W + margin + 5, -margin - 8),
                                         (W + margin + 5, -margin), (-margin - 5, -margin), (-margin - 5, -margin - 8))]
    path.write_text(json.dumps(_fc(ring, road)))
    return path


def ring_site(path: Path, vertices: int, radius: float = 40.0) -> Path:
    """A parcel of `vertices` vertices round the box sample (20 x 12 m at the anchor)."""
    e, n = ANCHOR
    cx, cy = 10.0, 6.0
    ring = [[e + cx + radius * math.cos(2 * math.pi * k / vertices), n + cy + radius * math.sin(2 * math.pi * k / vertices)]
            for k in range(vertices)]
    path.write_text(json.dumps(_fc(ring + ring[:1])))
    return path


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--storeys", default="8,16,32,64,128")
    ap.add_argument("--vertices", default="10,100,1000,10000,99999")  # a parcel holds at most 100,000
    ap.add_argument("--railings", default="4,8", help="storeys of the railed towers")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    from permitcheck.checking import check_inspection
    from permitcheck.inspection import inspect_model
    from permitcheck.rulebook import load_rulebook

    book = load_rulebook(RULES)
    lines = ["| case | inspect s | check s | per storey / vertex ms | verdict | north-daylight-3d |",
             "|---|---|---|---|---|---|"]
    checks: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in [int(x) for x in args.storeys.split(",") if x]:
            model = tower(tmp / f"tower{n}.ifc", n)
            t_inspect, insp = timed(lambda: inspect_model(model, workers=1), 1)
            for label, north in (("failing", 4.0), ("passing", 2 * n * H + 2)):
                site = box_site(tmp / f"site{n}{label}.geojson", north)
                t, r = timed(lambda: check_inspection(insp, site, book, zone="KR-R2G", anchor=ANCHOR,
                                                      declared={"parking_spaces": "100000"}), args.repeat)
                plane = next(f for f in r.findings if f.rule == "north-daylight-3d")
                checks[f"{n}{label}"] = t
                lines.append(f"| tower {n} storeys, {label} | {t_inspect:.2f} | {t:.2f} | {t / n * 1000:.1f} | "
                             f"{r.verdict.value} | {plane.status.value} |")
                print(lines[-1], flush=True)
        for n in [int(x) for x in args.railings.split(",") if x]:
            model = railed(tmp / f"railed{n}.ifc", n)
            t_inspect, insp = timed(lambda: inspect_model(model), 1)
            site = box_site(tmp / f"railed{n}.geojson", 4.0)
            t, r = timed(lambda: check_inspection(insp, site, book, zone="KR-R2G", anchor=ANCHOR,
                                                  declared={"parking_spaces": "100000"}), args.repeat)
            tris = sum(len(m.faces) for m in insp.model.elements)
            checks[f"railed{n}"] = t
            lines.append(f"| railed tower {n} storeys ({tris} triangles), failing | {t_inspect:.2f} | {t:.2f} | "
                         f"{t / n * 1000:.1f} | {r.verdict.value} | "
                         f"{next(f for f in r.findings if f.rule == 'north-daylight-3d').status.value} |")
            print(lines[-1], flush=True)
        box = ROOT / "samples" / "buildings" / "box_m.ifc"
        insp = inspect_model(box, workers=1)
        for v in [int(x) for x in args.vertices.split(",") if x]:
            site = ring_site(tmp / f"ring{v}.geojson", v)
            t, r = timed(lambda: check_inspection(insp, site, book, zone="KR-R2G", anchor=ANCHOR), args.repeat)
            checks[f"v{v}"] = t
            lines.append(f"| parcel of {v} vertices | | {t:.2f} | {t / v * 1000:.3f} | {r.verdict.value} | |")
            print(lines[-1], flush=True)
    ratios = []
    for label in ("failing", "passing"):
        if f"128{label}" in checks and f"32{label}" in checks:
            ratios.append(f"t(128)/t(32) {label}: {checks[f'128{label}'] / checks[f'32{label}']:.2f} (linear: 4)")
    if "v99999" in checks and "v1000" in checks:
        ratios.append(f"t(100k)/t(1k) vertices: {checks['v99999'] / checks['v1000']:.2f}")
    text = "\n".join(lines + [""] + ratios) + "\n"
    print("\n".join(ratios))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
