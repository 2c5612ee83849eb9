"""What a legal measurement profile adds to `check`, measured against the same check without it.

For each real model in ../shared/ifc (and the podium sample), on a parcel 5 m around its footprint,
`check_model` runs Korea's national rulebook twice per round, once as shipped (measuring under
`kr-building-act-119`) and once with `measurement_profile.name: physical`, alternating the order,
each in a fresh process so neither inherits the other's warm caches. The ratio is the median
check time with the profile over the median without it; the target is at most 1.10 on the
largest real model.

    python bench/profile_bench.py [--rounds 3] [--models NAME ...] [--out bench/results/profile.md]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "ifc"
ANCHOR = (500000.0, 400000.0)

_ONE = textwrap.dedent("""
    import json, sys, time
    from permitcheck.checking import check_model
    model, site, rules = sys.argv[1:4]
    t = time.perf_counter()
    r = check_model(model, site, rules, zone="KR-R2G", anchor=(%r, %r))
    print(json.dumps({"s": time.perf_counter() - t, "verdict": r.verdict.value}))
""" % ANCHOR)


def _inputs(model: Path, tmp: Path) -> tuple[Path, Path, Path]:
    """A parcel 5 m around the footprint, and the national rulebook with and without its profile."""
    from permitcheck.inspection import inspect_model

    x0, y0, x1, y1 = inspect_model(model).facts.whole.footprint.buffer(5.0).bounds
    ring = [[ANCHOR[0] + x, ANCHOR[1] + y] for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
    site = tmp / f"{model.stem}.geojson"
    site.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
                                "features": [{"type": "Feature", "properties": {"role": "parcel", "id": "P"},
                                              "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    shipped = ROOT / "rules" / "kr" / "national.yaml"
    physical = tmp / "national-physical.yaml"
    physical.write_text(shipped.read_text(encoding="utf-8").replace("name: kr-building-act-119", "name: physical"),
                        encoding="utf-8")
    return site, shipped, physical


def _time(model: Path, site: Path, rules: Path) -> float:
    out = subprocess.run([sys.executable, "-c", _ONE, str(model), str(site), str(rules)], capture_output=True,
                         text=True, check=True, timeout=1800)
    return json.loads(out.stdout.strip().splitlines()[-1])["s"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--models", nargs="*")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "profile.md"))
    a = ap.parse_args()
    models = [ROOT / "samples" / "buildings" / "podium_tower.ifc"]
    models += sorted(SHARED.glob("*.ifc")) if SHARED.exists() else []
    if a.models:
        models = [m for m in models if m.name in a.models or m.stem in a.models]
    tmp = Path(tempfile.mkdtemp(prefix="pc-profile-bench-"))
    rows = []
    for model in models:
        try:
            site, shipped, physical = _inputs(model, tmp)
        except Exception as e:  # noqa: BLE001 - a model permitcheck refuses has no check to time
            print(f"{model.name}: skipped ({type(e).__name__})", file=sys.stderr)
            continue
        with_p, without = [], []
        for i in range(a.rounds):
            pair = [(shipped, with_p), (physical, without)]
            for rules, into in (pair if i % 2 == 0 else pair[::-1]):
                into.append(_time(model, site, rules))
        w, o = statistics.median(with_p), statistics.median(without)
        rows.append((model.name, o, w, w / o))
        print(f"{model.name}: physical {o:.2f} s, kr-building-act-119 {w:.2f} s, ratio {w / o:.3f}", file=sys.stderr)
    lines = ["| model | check, physical s | check, kr-building-act-119 s | ratio |", "|---|---|---|---|"]
    lines += [f"| {n} | {o:.2f} | {w:.2f} | {r:.3f} |" for n, o, w, r in rows]
    total_o, total_w = sum(r[1] for r in rows), sum(r[2] for r in rows)
    lines.append(f"| **all {len(rows)}** | {total_o:.2f} | {total_w:.2f} | **{total_w / total_o:.3f}** |")
    text = "\n".join(lines) + "\n"
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
