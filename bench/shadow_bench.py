"""A shadow-hour day on every real model, as a ratio of reading its geometry.

For each model in ../shared/ifc: `inspect_model` (all cores) is the baseline; then the shadow of
the day (winter solstice, 8:00-16:00 true solar time, Tokyo's latitude, the plane 4 m above the
model's ground) at `--step` minutes, and the shadow hours at points every 0.5 m where it falls
beyond 5 m of a parcel drawn 5 m round the footprint, as `shadow_hours` measures them. Each model
runs in a fresh process; the ratio is (shadow day + hours) / inspect.

    python bench/shadow_bench.py [--step 1] [--out bench/results/shadow.md]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "ifc"


def _one(model: str, step: float) -> dict:
    import shapely

    from permitcheck.inspection import inspect_model
    from permitcheck.sun.position import step_weights, sun_path
    from permitcheck.sun.shadow import grid, shadow_day

    t = time.perf_counter()
    insp = inspect_model(model)
    t_read = time.perf_counter() - t
    meshes = [(m.vertices, m.faces) for m in insp.model.elements]
    t = time.perf_counter()
    path = sun_path(35.68, 8.0, 16.0, step)
    day = shadow_day(meshes, insp.facts.whole.ground_elevation_m + 4.0, path, step_weights(path, 8.0, 16.0),
                     (0.0, 1.0))
    t_day = time.perf_counter() - t
    parcel = shapely.envelope(insp.facts.whole.footprint).buffer(5.0, join_style="mitre")
    xs, ys = grid(day.reach.difference(parcel.buffer(5.0)), 0.5)
    worst = float(day.hours_at(xs, ys).max()) if len(xs) else 0.0
    t_all = time.perf_counter() - t
    return {"read": t_read, "day": t_day, "shadow": t_all, "steps": len(path), "points": int(len(xs)),
            "elements": len(meshes), "worst_h": round(worst, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--one")
    ap.add_argument("--step", type=float, default=1.0, help="minutes between sun positions")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(_one(args.one, args.step)))
        return 0
    lines = [f"step {args.step:g} min, Tokyo, plane 4 m, grid 0.5 m", "",
             "| model | elements | read s | shadow s (of it: the day's shadows) | points | shadow / read |",
             "|---|---|---|---|---|---|"]
    tot_read = tot_shadow = 0.0
    for model in sorted(SHARED.glob("*.ifc")):
        out = subprocess.run([sys.executable, __file__, "--one", str(model), "--step", str(args.step)],
                             capture_output=True, text=True, timeout=7200)
        if out.returncode != 0:
            err = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"
            lines.append(f"| {model.name} | error: {err[:80]} |")
            print(lines[-1], flush=True)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        tot_read += r["read"]
        tot_shadow += r["shadow"]
        lines.append(f"| {model.name} | {r['elements']} | {r['read']:.2f} | {r['shadow']:.2f} ({r['day']:.2f}) | "
                     f"{r['points']} | {r['shadow'] / r['read']:.2f} |")
        print(lines[-1], flush=True)
    lines.append(f"| total | | {tot_read:.2f} | {tot_shadow:.2f} | | {tot_shadow / max(tot_read, 1e-9):.2f} |")
    print(lines[-1])
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
