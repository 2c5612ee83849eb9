"""Massing files written from the sample buildings' own meshes (the IFC read by permitcheck), and a
CityJSON LoD2 house: the known answers for the massing tests and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

UNIT_M = {"m": 1.0, "mm": 0.001, "cm": 0.01, "ft": 0.3048, "in": 0.0254}


def sample_elements(ifc: Path) -> list:
    """The sample's element meshes as permitcheck reads them (metres, Z up)."""
    from permitcheck.model import read_model

    return read_model(ifc, workers=1).elements


def _name(e) -> str:
    return f"{e.name} {e.global_id[:6]}".replace(" ", "_")


def write_mesh(elements: list, out: Path, unit: str = "m", up: str = "z") -> Path:
    """The elements as a mesh file: glTF/GLB nodes, OBJ objects, ASCII STL solids, 3MF objects, one per
    element, named after it; in `unit`, with `up` the file's up axis. PLY holds one mesh."""
    import trimesh

    out = Path(out)
    meshes = []
    for e in elements:
        v = np.asarray(e.vertices, dtype=np.float64) / UNIT_M[unit]
        if up == "y":  # Z up to Y up: (x, y, z) -> (x, z, -y)
            v = np.column_stack([v[:, 0], v[:, 2], -v[:, 1]])
        meshes.append((_name(e), trimesh.Trimesh(v, e.faces, process=False)))
    suffix = out.suffix.lower()
    if suffix == ".stl":
        text = ""
        for name, mesh in meshes:
            solid = trimesh.exchange.stl.export_stl_ascii(mesh)
            text += solid.replace("solid ", f"solid {name}", 1).replace("endsolid", f"endsolid {name}")
        out.write_text(text)
    elif suffix == ".ply":
        trimesh.util.concatenate([mesh for _, mesh in meshes]).export(out)
    else:
        scene = trimesh.Scene()
        for name, mesh in meshes:
            scene.add_geometry(mesh, node_name=name, geom_name=name)
        scene.export(out)
    return out


def house(out: Path, x0: float = 85000.0, y0: float = 446000.0, z0: float = 2.5, w: float = 10.0,
          d: float = 8.0, eave: float = 6.0, ridge: float = 9.0, crs: str | None = "7415", second: bool = False) -> Path:
    """A CityJSON 2.0 file of an LoD2 gable-roofed house (a closed Solid with Ground-, Wall- and
    RoofSurfaces): footprint w x d at (x0, y0), ground z0, eaves and ridge above it. Its volume is
    w d eave + w d (ridge - eave) / 2. With `second`, a second house 30 m east."""
    def one(dx: float):
        base = len(verts)
        for x, y, z in [(0, 0, 0), (w, 0, 0), (w, d, 0), (0, d, 0), (0, 0, eave), (w, 0, eave), (w, d, eave),
                        (0, d, eave), (0, d / 2, ridge), (w, d / 2, ridge)]:
            verts.append([round((x + dx) * 1000), round(y * 1000), round((z0 + z) * 1000)])
        shell = [[[0, 3, 2, 1]], [[0, 1, 5, 4]], [[1, 2, 6, 9, 5]], [[2, 3, 7, 6]], [[3, 0, 4, 8, 7]],
                 [[4, 5, 9, 8]], [[6, 7, 8, 9]]]
        shell = [[[base + i for i in ring] for ring in surface] for surface in shell]
        return {"type": "Building", "attributes": {"measuredHeight": ridge},
                "geometry": [{"type": "Solid", "lod": "2.2", "boundaries": [shell],
                              "semantics": {"surfaces": [{"type": "GroundSurface"}, {"type": "WallSurface"},
                                                         {"type": "RoofSurface"}],
                                            "values": [[0, 1, 1, 1, 1, 2, 2]]}}]}

    verts: list = []
    objects = {"house-1": one(0.0)}
    if second:
        objects["house-2"] = one(30.0)
    doc = {"type": "CityJSON", "version": "2.0",
           "transform": {"scale": [0.001, 0.001, 0.001], "translate": [x0, y0, 0.0]},
           "CityObjects": objects, "vertices": verts}
    if crs:
        doc["metadata"] = {"referenceSystem": f"https://www.opengis.net/def/crs/EPSG/0/{crs}"}
    out = Path(out)
    out.write_text(json.dumps(doc))
    return out
