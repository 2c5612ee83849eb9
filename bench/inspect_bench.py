"""Benchmark `inspect` against a baseline measured in the same run.

Baseline, per model: ``ifcopenshell.open`` plus a default ``ifcopenshell.geom.iterator`` pass over
all products (default settings, one thread). Each measurement runs in a fresh subprocess, so the
peak memory (max RSS of the process and its children) belongs to that measurement alone, and the
baseline and inspect runs of a model alternate so machine noise hits both alike.

    python bench/inspect_bench.py [--repeat N] [--out bench/results/inspect.md]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "ifc"


def _baseline(path: str) -> None:
    import ifcopenshell
    import ifcopenshell.geom

    f = ifcopenshell.open(path)
    it = ifcopenshell.geom.iterator(ifcopenshell.geom.settings(), f)
    if it.initialize():
        while it.next():
            it.get()


def _inspect(path: str) -> None:
    from permitcheck import inspect_model

    inspect_model(path).to_dict()


def _one(mode: str, path: str) -> None:
    t = time.perf_counter()
    (_baseline if mode == "baseline" else _inspect)(path)
    seconds = time.perf_counter() - t
    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024}))


def _measure(mode: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--one", mode, str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _models() -> list[Path]:
    from permitcheck.errors import InputError
    from permitcheck.model.ifcfile import open_ifc

    found = sorted((ROOT / "samples" / "buildings").glob("*.ifc"))
    for p in sorted(SHARED.glob("*.ifc")) if SHARED.exists() else []:
        try:
            f = open_ifc(str(p))
            if f.by_type("IfcBuilding"):
                found.append(p)
        except InputError:
            pass
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--one", nargs=2, metavar=("MODE", "PATH"))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "inspect.md"))
    a = ap.parse_args()
    if a.one:
        _one(*a.one)
        return
    rows, tb, ti = [], 0.0, 0.0
    for p in _models():
        b = min((_measure("baseline", p) for _ in range(a.repeat)), key=lambda r: r["seconds"])
        i = min((_measure("inspect", p) for _ in range(a.repeat)), key=lambda r: r["seconds"])
        tb, ti = tb + b["seconds"], ti + i["seconds"]
        rows.append(f"| {p.name} | {b['seconds']:.2f} | {i['seconds']:.2f} | {i['seconds'] / b['seconds']:.2f} "
                    f"| {b['peak_mb']:.0f} | {i['peak_mb']:.0f} |")
        print(rows[-1], flush=True)
    lines = ["| model | baseline s | inspect s | ratio | baseline peak MB | inspect peak MB |",
             "|---|---|---|---|---|---|", *rows,
             f"| **total** | {tb:.2f} | {ti:.2f} | **{ti / tb:.2f}** | | |"]
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text("\n".join(lines) + "\n")
    print(lines[-1])


if __name__ == "__main__":
    main()
