"""Write the sample massing model: the podium and tower of `buildings/podium_tower.ifc` as the two
solid blocks a feasibility study would draw, as a binary glTF (`buildings/podium_massing.glb`).

glTF is Y-up by its spec: the blocks are written Y up, as SketchUp, Rhino and Blender export them,
and permitcheck turns them Z up (its default --up y for .glb). Nodes are named "Podium" and "Tower":
the elements findings name.

    python samples/build_massing.py [OUT.glb]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import trimesh

# plan x, y, width, depth and z from, to (metres): the podium_tower.ifc sample's outline and levels
BLOCKS = {"Podium": (0.0, 0.0, 40.0, 30.0, 0.0, 9.0), "Tower": (12.0, 8.0, 15.0, 15.0, 9.0, 33.3)}


def block(x: float, y: float, w: float, d: float, z0: float, z1: float) -> trimesh.Trimesh:
    box = trimesh.creation.box(extents=(w, d, z1 - z0))
    box.apply_translation((x + w / 2, y + d / 2, (z0 + z1) / 2))
    v = np.asarray(box.vertices)
    return trimesh.Trimesh(np.column_stack([v[:, 0], v[:, 2], -v[:, 1]]), box.faces, process=False)  # Y up


def main(out: Path) -> None:
    scene = trimesh.Scene()
    for name, dims in BLOCKS.items():
        scene.add_geometry(block(*dims), node_name=name, geom_name=name)
    out.write_bytes(scene.export(file_type="glb"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "buildings" / "podium_massing.glb")
