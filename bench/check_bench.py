"""`check` against `inspect` on every real model, for this code and, in the same run, an older one.

For each model in ../shared/ifc: `inspect_model` (all cores), then `check_inspection` against the
Korean national rulebook in 제2종일반주거지역 on a parcel 5 m round the footprint whose north line is
2 m off it (so the north setback and plane fail and their sections are drawn), with the json and
html reports written; the legal facts measured aside as `permitcheck check` measures them
(`aside=True`, where the code has it). Each model and code version runs in a fresh process, the versions one after
the other per model so machine noise hits both alike. The ratio is check / inspect.

A second table times the commands as an officer runs them, each in a fresh process (imports
included): `permitcheck inspect MODEL --json` against `permitcheck check MODEL ... --report DIR`
(html, json, junit and bcf) on the same parcel; `check` reads the model itself, so its figure
holds the inspect's.

    python bench/check_bench.py [--old DIR] [--out bench/results/check.md] [--repeat 3]

Every figure is the least of `--repeat` runs (3), old and new taking turns: a shared machine adds
to a run, never takes away.

`--old` is a checkout of an earlier commit (git worktree add /tmp/old COMMIT); with it the commands
are timed for both, one after the other per model. Both checkouts are byte-compiled first, as an
installed package is: a process that compiles every module it imports (a checkout run with
PYTHONDONTWRITEBYTECODE) measures the compiler. The user's cache (the IDS decodings and audits,
permitcheck.model.ids_cache) is as the runs leave it: the in-process check of a model fills it for
the commands.
"""

from __future__ import annotations

import argparse
import compileall
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "ifc"
ANCHOR = (220000.0, 560000.0)


def _one(model: str, rules: Path) -> dict:
    from permitcheck.checking import check_inspection
    from permitcheck.inspection import inspect_model
    from permitcheck.reports import write_all
    from permitcheck.rulebook import load_rulebook

    t = time.perf_counter()
    insp = inspect_model(model)
    t_inspect = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        site = _site(insp, Path(tmp) / "site.geojson")
        t = time.perf_counter()
        book = load_rulebook(rules)  # the rulebook of the code measured: an old one cannot read a newer
        aside = {"aside": True} if "aside" in inspect.signature(check_inspection).parameters else {}  # as the CLI
        result = check_inspection(insp, site, book, zone="KR-R2G", anchor=ANCHOR, **aside)
        write_all(result.to_dict(), Path(tmp) / "report", ["json", "html"])
        t_check = time.perf_counter() - t
    return {"inspect": t_inspect, "check": t_check, "verdict": result.verdict.value}


def _site(insp, path: Path) -> Path:
    x0, y0, x1, y1 = insp.facts.whole.footprint.bounds
    e, n = ANCHOR
    ring = [[e + x, n + y] for x, y in ((x0 - 5, y0 - 5), (x1 + 5, y0 - 5), (x1 + 5, y1 + 2), (x0 - 5, y1 + 2))]
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
                                "features": [{"type": "Feature", "properties": {"role": "parcel", "id": "P"},
                                              "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}}]}))
    return path


def _cli(code: Path, model: Path, site: Path, tmp: Path) -> dict:
    """Wall time of `permitcheck inspect` and `permitcheck check` of the checkout `code`, in fresh processes."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    exe = [sys.executable, "-m", "permitcheck"]
    out = {}
    for name, args in (("inspect", ["inspect", str(model), "--json"]),
                       ("check", ["check", str(model), "--site", str(site), "--rules",
                                  str(code / "rules" / "kr" / "national.yaml"), "--zone", "KR-R2G",
                                  "--anchor", f"{ANCHOR[0]},{ANCHOR[1]}", "--report", str(tmp / "report")])):
        t = time.perf_counter()
        subprocess.run(exe + args, capture_output=True, timeout=3600, cwd=code, env=env)
        out[name] = time.perf_counter() - t
    return out


def _least(runs: list[dict]) -> dict:
    """Each figure's least over repeated runs: what the code costs, less what the machine added."""
    if any("error" in r for r in runs):
        return next(r for r in runs if "error" in r)
    return {k: (min(r[k] for r in runs) if isinstance(runs[0][k], float) else runs[0][k]) for k in runs[0]}


def _run(code: Path, model: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run([sys.executable, __file__, "--one", str(model), "--rules",
                          str(code / "rules" / "kr" / "national.yaml")], env=env, capture_output=True, text=True,
                         timeout=3600)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--one")
    ap.add_argument("--rules", type=Path, default=ROOT / "rules" / "kr" / "national.yaml")
    ap.add_argument("--old", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the least is kept")
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(_one(args.one, args.rules)))
        return 0
    for code in (ROOT, args.old):
        if code is not None:
            compileall.compile_dir(str(code / "permitcheck"), quiet=1)
    head = "| model | inspect s | check s | check / inspect |"
    if args.old:
        head = "| model | inspect s | check s, old | check s, new | check / inspect, old | check / inspect, new |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    tot = {"old": 0.0, "new": 0.0, "inspect": 0.0}
    for model in sorted(SHARED.glob("*.ifc")):
        runs = [(_run(ROOT, model), _run(args.old, model) if args.old else None) for _ in range(args.repeat)]
        new = _least([n for n, _ in runs])
        old = _least([o for _, o in runs]) if args.old else None
        if "error" in new or (old is not None and "error" in old):
            lines.append(f"| {model.name} | error: {(new.get('error') or old.get('error'))[:80]} |")
            print(lines[-1], flush=True)
            continue
        tot["inspect"] += new["inspect"]
        tot["new"] += new["check"]
        if old is not None:
            tot["old"] += old["check"]
            lines.append(f"| {model.name} | {new['inspect']:.2f} | {old['check']:.2f} | {new['check']:.2f} | "
                         f"{old['check'] / old['inspect']:.2f} | {new['check'] / new['inspect']:.2f} |")
        else:
            lines.append(f"| {model.name} | {new['inspect']:.2f} | {new['check']:.2f} | "
                         f"{new['check'] / new['inspect']:.2f} |")
        print(lines[-1], flush=True)
    if args.old:
        lines.append(f"| **total** | {tot['inspect']:.2f} | {tot['old']:.2f} | {tot['new']:.2f} | | "
                     f"**{tot['new'] / tot['inspect']:.2f}** |")
    else:
        lines.append(f"| **total** | {tot['inspect']:.2f} | {tot['new']:.2f} | **{tot['new'] / tot['inspect']:.2f}** |")
    print(lines[-1])
    lines += [""] + _cli_table(args.old, args.repeat)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n")
    return 0


def _cli_table(old: Path | None, repeat: int = 1) -> list[str]:
    """The commands' table: inspect and check of each model, old and new one after the other."""
    from permitcheck.inspection import inspect_model

    codes = {"new": ROOT} if old is None else {"old": old, "new": ROOT}
    if old is None:
        lines = ["| model | `permitcheck inspect` s | `permitcheck check --report` s | check / inspect |", "|---|---|---|---|"]
    else:
        lines = ["| model | inspect s, old | check s, old | inspect s, new | check s, new | check / inspect, old | "
                 "check / inspect, new |", "|---|---|---|---|---|---|---|"]
    tot = {(c, k): 0.0 for c in codes for k in ("inspect", "check")}
    for model in sorted(SHARED.glob("*.ifc")):
        with tempfile.TemporaryDirectory() as tmp:
            try:
                site = _site(inspect_model(model), Path(tmp) / "site.geojson")
            except Exception:  # noqa: BLE001 - a model inspect refuses has no parcel to check on
                continue
            runs = [{c: _cli(code, model, site, Path(tmp)) for c, code in codes.items()} for _ in range(repeat)]
            t = {c: _least([r[c] for r in runs]) for c in codes}
        for (c, k) in tot:
            tot[(c, k)] += t[c][k]
        cells = [f"{t[c]['inspect']:.2f} | {t[c]['check']:.2f}" for c in codes]
        ratios = [f"{t[c]['check'] / t[c]['inspect']:.2f}" for c in codes]
        lines.append(f"| {model.name} | {' | '.join(cells)} | {' | '.join(ratios)} |")
        print(lines[-1], flush=True)
    cells = [f"{tot[(c, 'inspect')]:.2f} | {tot[(c, 'check')]:.2f}" for c in codes]
    ratios = [f"**{tot[(c, 'check')] / tot[(c, 'inspect')]:.2f}**" for c in codes]
    lines.append(f"| **total** | {' | '.join(cells)} | {' | '.join(ratios)} |")
    print(lines[-1])
    return lines


if __name__ == "__main__":
    sys.exit(main())
