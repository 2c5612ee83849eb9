"""Benchmark the 3D envelope checks against reading the model's geometry, in the same process.

For each sample building and each model in ../shared/ifc: read the model (ifcopenshell geometry,
all cores, as `inspect` does) and time it; then, on a parcel 5 m around the footprint, time a
plane rule (Korea's north daylight plane in 3D: 1.5 m clearance, h <= 2 d above 10 m) and an
envelope rule (that plane, a height cap 2 m under the roof so something always sticks out, and
the parcel), each on a fresh context so each pays for its own building mesh. Ratios are check
time / read time.

    python bench/envelope_bench.py [--out bench/results/envelope.md]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "ifc"
ANCHOR = (500000.0, 400000.0)
CITE = {"source": "x", "article": "1"}


def _site(tmp: Path, name: str, footprint):
    from permitcheck.site import load_site

    x0, y0, x1, y1 = footprint.buffer(5.0).bounds
    ring = [[ANCHOR[0] + x, ANCHOR[1] + y] for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
    p = tmp / f"{name}.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
                             "features": [{"type": "Feature", "properties": {"role": "parcel", "id": name},
                                           "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    return load_site(p, None, anchor=ANCHOR)


def measure(path: Path, tmp: Path) -> dict:
    from permitcheck.checks import CHECKS, CheckContext
    from permitcheck.facts import derive_facts
    from permitcheck.model import read_model
    from permitcheck.rulebook.schema import Envelope, MaxHeight, MeasurementProfile, Plane

    t = time.perf_counter()
    model = read_model(path)
    read_s = time.perf_counter() - t
    facts = derive_facts(model).whole
    site = _site(tmp, path.stem, facts.footprint)
    plane = Plane.model_validate({"id": "north", "kind": "plane", "from": "north", "measure": "grid_north",
                                  "slope": 2, "above": "10 m", "clear": {"distance": "1.5 m"}, "citation": CITE})
    cap = MaxHeight.model_validate({"id": "cap", "kind": "max_height", "limit": f"{max((facts.height_m or 3) - 2, 1.0):.3f} m",
                                    "citation": CITE})
    env = Envelope.model_validate({"id": "envelope", "kind": "envelope", "citation": CITE})

    def ctx():
        return CheckContext(facts, site, tuple(model.elements), MeasurementProfile(), (plane, cap, env))

    t = time.perf_counter()
    p = CHECKS["plane"](plane, ctx())
    plane_s = time.perf_counter() - t
    t = time.perf_counter()
    e = CHECKS["envelope"](env, ctx())
    env_s = time.perf_counter() - t
    return {"model": path.name, "triangles": int(sum(len(m.faces) for m in model.elements)), "read_s": read_s,
            "plane_s": plane_s, "envelope_s": env_s, "plane": p.status.value, "envelope": e.status.value,
            "volume": e.measured}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "envelope.md"))
    a = ap.parse_args()
    models = sorted((ROOT / "samples" / "buildings").glob("*.ifc"))
    models += sorted(SHARED.glob("*.ifc")) if SHARED.exists() else []
    tmp = Path(tempfile.mkdtemp(prefix="pc-env-bench-"))
    rows = []
    from permitcheck.errors import InputError

    for path in models:
        try:
            rows.append(measure(path, tmp))
        except InputError as e:  # the two real models with no building or no geometry
            print(f"skip {path.name}: {e}", file=sys.stderr)
    lines = ["| model | triangles | read s | plane s | plane / read | envelope s | envelope / read | "
             "envelope verdict, m3 outside |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['triangles']} | {r['read_s']:.2f} | {r['plane_s']:.2f} | "
                     f"{r['plane_s'] / r['read_s']:.2f} | {r['envelope_s']:.2f} | {r['envelope_s'] / r['read_s']:.2f} | "
                     f"{r['envelope']}, {r['volume']:.1f} |")
    tr, tp, te = (sum(r[k] for r in rows) for k in ("read_s", "plane_s", "envelope_s"))
    lines.append(f"| **total** | | {tr:.2f} | {tp:.2f} | **{tp / tr:.2f}** | {te:.2f} | **{te / tr:.2f}** | |")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
