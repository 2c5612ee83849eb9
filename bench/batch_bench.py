"""Benchmark the batch: throughput at 1 worker vs all cores, per-case overhead, cached re-checks.

Cases: every case in samples/cases.yaml plus one case per real model in ../shared/ifc (a parcel
5 m around its footprint, placed with --anchor, checked against the Korean national rulebook).
All figures are ratios of runs made in this same process, one after the other.

    python bench/batch_bench.py [--out bench/results/batch.md]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import shutil
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "ifc"
ANCHOR = (500000.0, 400000.0)


def _real_cases(tmp: Path) -> list[dict]:
    from permitcheck import inspect_model
    from permitcheck.errors import InputError

    out = []
    for p in sorted(SHARED.glob("*.ifc")) if SHARED.exists() else []:
        try:
            fp = inspect_model(p, workers=1).facts.whole.footprint
        except InputError:
            continue
        x0, y0, x1, y1 = fp.buffer(5.0).bounds
        ring = [[ANCHOR[0] + x, ANCHOR[1] + y] for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
        site = tmp / f"{p.stem}.geojson"
        site.write_text(json.dumps({"type": "FeatureCollection",
                                    "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
                                    "features": [{"type": "Feature", "properties": {"role": "parcel", "id": p.stem},
                                                  "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
        out.append({"name": p.stem, "model": str(p), "site": str(site), "rules": str(ROOT / "rules/kr/national.yaml"),
                    "zone": "KR-R2G", "anchor": f"{ANCHOR[0]},{ANCHOR[1]}"})
    return out


def _sample_cases() -> list[dict]:
    cases = yaml.safe_load((ROOT / "samples" / "cases.yaml").read_text())["cases"]
    return [{"name": n, **{k: (str(ROOT / v) if k in ("model", "site", "rules") else v)
                           for k, v in c.items() if k != "expect"}} for n, c in cases.items()]


def _batch(manifest: Path, workers: int, out: Path) -> float:
    from permitcheck.batch import run_batch

    t = time.perf_counter()
    run_batch(manifest, out, workers=workers, formats=["json"])
    return time.perf_counter() - t


def main() -> None:
    from permitcheck.checking import check_model

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "batch.md"))
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pc-bench-"))
    try:
        samples, real = _sample_cases(), _real_cases(tmp)
        cases = samples + real
        manifest = tmp / "manifest.yaml"
        manifest.write_text(yaml.safe_dump({"cases": cases}))
        cores = multiprocessing.cpu_count()
        one = _batch(manifest, 1, tmp / "w1")
        many = _batch(manifest, cores, tmp / f"w{cores}")
        # a rulebook-only change: same cases, rulebook edited -> every case re-checked from the facts cache
        rules_copy = tmp / "national.yaml"
        shutil.copy(ROOT / "rules/kr/national.yaml", rules_copy)
        for ids in (ROOT / "rules/kr").glob("*.ids"):  # its readiness IDS files lie beside it
            shutil.copy(ids, tmp / ids.name)
        rules_copy.write_text(re.sub(r'(?m)^version: .*$', 'version: "bench"', rules_copy.read_text(), count=1))
        for c in cases:
            if c["rules"].endswith("kr/national.yaml"):
                c["rules"] = str(rules_copy)
        manifest.write_text(yaml.safe_dump({"cases": cases}))
        recheck = _batch(manifest, cores, tmp / f"w{cores}")
        n_recheck = sum(1 for c in cases if c["rules"] == str(rules_copy))
        # per-case overhead: one case through the batch (1 worker) against a plain check of it
        rows = []
        for c in [x for x in cases if x["name"] in ("box-kr-pass", "05_Janesville_Restaurant_Revit2012_feet")]:
            anchor = tuple(float(v) for v in c["anchor"].split(",")) if c.get("anchor") else None
            t = time.perf_counter()
            check_model(c["model"], c["site"], c["rules"], zone=c.get("zone"), anchor=anchor,
                        rotation_deg=float(c.get("rotation", 0) or 0), workers=1).to_dict()
            plain = time.perf_counter() - t
            single = tmp / f"single-{c['name']}.yaml"
            single.write_text(yaml.safe_dump({"cases": [c]}))
            batched = _batch(single, 1, tmp / f"single-{c['name']}")
            rows.append((c["name"], plain, batched))
        lines = [
            f"cases: {len(cases)} ({len(samples)} sample cases, {len(real)} real models from ../shared/ifc)",
            "",
            "| measure | seconds | ratio |",
            "|---|---|---|",
            f"| batch, 1 worker | {one:.2f} | 1.00 |",
            f"| batch, {cores} workers | {many:.2f} | {one / many:.2f}x throughput |",
            f"| rulebook-only re-check of {n_recheck} cases from the facts cache, {cores} workers | {recheck:.2f} | "
            f"{recheck / many:.2f} of the first run |",
        ]
        for name, plain, batched in rows:
            lines.append(f"| {name}: plain check / one-case batch | {plain:.2f} / {batched:.2f} | "
                         f"overhead {batched - plain:+.2f} s ({batched / plain:.2f}x) |")
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text("\n".join(lines) + "\n")
        print("\n".join(lines))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
