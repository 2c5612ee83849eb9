"""Benchmark `inspect` of a 100,000-triangle massing against a baseline measured in the same run.

The mesh: a twisting tower on a star-shaped plan (8 points, 30 m across, 90 m tall, 126 m below and
above ground in rings of 500 corners, turning 45° from foot to top), one closed body of about 100,000
triangles, written as a binary glTF (Y up, as the spec has it) and as an OBJ.

Baseline, per file: `trimesh.load_scene` of it (the reader permitcheck uses) with trimesh imported.
Measured: `permitcheck inspect FILE --storey-height 3 --json` as a command, and the same with `--mesh`
(the closed 3D mesh too). Each measurement runs in a fresh process (imports included), baseline and
inspect alternating, the best of --repeat runs kept; the ratio is inspect's time over the baseline's.

    python bench/massing_bench.py [--repeat N] [--triangles N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def tower(triangles: int = 100_000, corners: int = 500, height: float = 90.0, radius: float = 15.0):
    """(vertices, faces) of the closed twisting star tower with about `triangles` triangles, Z up."""
    rings = max(2, round((triangles - 2 * corners) / (2 * corners)) + 1)
    t = np.linspace(0.0, 2 * np.pi, corners, endpoint=False)
    r = radius * (0.75 + 0.25 * np.cos(8 * t))  # an 8-pointed star, concave between its points
    z = np.linspace(0.0, height, rings)
    twist = np.radians(45.0) * z / height
    ang = t[None, :] + twist[:, None]
    v = np.stack([r[None, :] * np.cos(ang), r[None, :] * np.sin(ang), np.repeat(z[:, None], corners, 1)], -1)
    v = v.reshape(-1, 3)
    i = np.arange(corners)
    j = (i + 1) % corners
    faces = []
    for k in range(rings - 1):
        a, b = k * corners + i, k * corners + j
        c, d = a + corners, b + corners
        faces += [np.column_stack([a, b, d]), np.column_stack([a, d, c])]
    bottom, top = len(v), len(v) + 1
    v = np.vstack([v, [[0.0, 0.0, 0.0], [0.0, 0.0, height]]])
    faces += [np.column_stack([np.full(corners, bottom), j, i]),
              np.column_stack([np.full(corners, top), (rings - 1) * corners + i, (rings - 1) * corners + j])]
    return v, np.concatenate(faces)


def write(folder: Path, triangles: int) -> list[Path]:
    import trimesh

    v, f = tower(triangles)
    mesh = trimesh.Trimesh(v, f, process=False)
    assert mesh.is_watertight, "the benchmark tower must be closed"
    obj = folder / "tower.obj"
    scene = trimesh.Scene()
    scene.add_geometry(mesh, node_name="tower", geom_name="tower")
    scene.export(obj)
    yup = trimesh.Trimesh(np.column_stack([v[:, 0], v[:, 2], -v[:, 1]]), f, process=False)
    glb = folder / "tower.glb"
    scene = trimesh.Scene()
    scene.add_geometry(yup, node_name="tower", geom_name="tower")
    scene.export(glb)
    return [glb, obj]


BASELINE = "import sys, trimesh; s = trimesh.load_scene(sys.argv[1]); assert len(s.geometry)"


def _time(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--triangles", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="permitcheck-massing-bench-") as tmp:
        files = write(Path(tmp), args.triangles)
        import trimesh

        print(f"{sum(len(g.faces) for g in trimesh.load_scene(files[0]).geometry.values()):,} triangles, "
              f"{sys.platform}, python {sys.version.split()[0]}, trimesh {trimesh.__version__}")
        print("| file | baseline s | inspect s | ratio | inspect --mesh s | ratio |")
        print("|---|---|---|---|---|---|")
        for path in files:
            runs: dict[str, list[float]] = {"baseline": [], "inspect": [], "mesh": []}
            inspect = [sys.executable, "-m", "permitcheck", "inspect", str(path), "--storey-height", "3", "--json"]
            for _ in range(args.repeat):
                runs["baseline"].append(_time([sys.executable, "-c", BASELINE, str(path)]))
                runs["inspect"].append(_time(inspect))
                runs["mesh"].append(_time(inspect + ["--mesh"]))
            b, i, m = (min(runs[k]) for k in ("baseline", "inspect", "mesh"))
            print(f"| {path.name} | {b:.2f} | {i:.2f} | {i / b:.2f} | {m:.2f} | {m / b:.2f} |")


if __name__ == "__main__":
    main()
