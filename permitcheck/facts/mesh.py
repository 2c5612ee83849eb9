"""One closed triangle mesh of the building, for the 3D envelope checks.

Element meshes are merged with manifold3d's batch union, which needs closed (manifold) input.
Real exports are not always closed: an element whose mesh is open is replaced by its convex
hull — a closed superset, so an envelope check errs on the side of reporting a breach — and
listed in ``hulled`` so a report can name it. Flat elements (no volume even as a hull) are
left out and listed in ``dropped``.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # trimesh (and the scipy it pulls in) costs 0.8 s to import: only when a mesh is made
    import trimesh

from permitcheck.model.types import ElementMesh


@dataclass(frozen=True)
class BuildingMesh:
    mesh: trimesh.Trimesh
    hulled: tuple[str, ...]  # GlobalIds of open elements replaced by their convex hull
    dropped: tuple[str, ...] = ()  # flat elements with no volume even as a hull

    def summary(self) -> dict:
        return {
            "triangles": int(len(self.mesh.faces)),
            "watertight": bool(self.mesh.is_watertight),
            "volume_m3": round(float(self.mesh.volume), 3) if self.mesh.is_watertight else None,
            "elements_hulled": len(self.hulled),
            "elements_flat": len(self.dropped),
        }


def _closed(m: ElementMesh) -> tuple[trimesh.Trimesh, bool]:
    """The element's mesh when it is closed; else its vertices, to be hulled (False / True)."""
    import trimesh

    t = trimesh.Trimesh(m.vertices, m.faces, process=True)
    if t.is_watertight and t.is_winding_consistent:
        if t.volume < 0:
            t.invert()
        return t, False
    return t, True


def _solid(t: trimesh.Trimesh, hull: bool = False):
    """A manifold3d solid, or None when it has no volume. Hulls come from manifold3d (qhull-free)."""
    import manifold3d

    if len(t.vertices) == 0 or (not hull and len(t.faces) == 0):
        return None
    if hull:
        solid = manifold3d.Manifold.hull_points(np.asarray(t.vertices, dtype=np.float64))
    else:
        solid = manifold3d.Manifold(manifold3d.Mesh(vert_properties=np.asarray(t.vertices, dtype=np.float32),
                                                    tri_verts=np.asarray(t.faces, dtype=np.uint32)))
    ok = solid.status() == manifold3d.Error.NoError and not solid.is_empty() and solid.volume() > 0
    return solid if ok else None


def building_mesh(meshes: list[ElementMesh]) -> BuildingMesh:
    import manifold3d
    import trimesh

    parts, hulled, dropped = [], [], []
    # manifold3d works in float32: move to a local origin so models placed far from the
    # project origin (UTM coordinates) keep millimetre precision, and move back afterwards.
    offset = np.floor(np.min([m.vertices.min(axis=0) for m in meshes], axis=0)) if meshes else np.zeros(3)
    for m in meshes:
        t, was_hulled = _closed(m)
        t.apply_translation(-offset)
        solid = _solid(t, hull=was_hulled)
        if solid is None and not was_hulled:  # manifold3d rejected it: fall back to the hull
            solid, was_hulled = _solid(t, hull=True), True
        if was_hulled:
            hulled.append(m.global_id)
        if solid is None:  # flat: no volume even as a hull
            dropped.append(m.global_id)
        else:
            parts.append(solid)
    if not parts:
        return BuildingMesh(trimesh.Trimesh(), tuple(hulled), tuple(dropped))
    out = manifold3d.Manifold.batch_boolean(parts, manifold3d.OpType.Add).to_mesh()
    verts = np.asarray(out.vert_properties, dtype=np.float64)[:, :3] + offset
    # Keep manifold3d's indexing: merging coincident vertices would join touching solids at a pinch.
    result = trimesh.Trimesh(verts, np.asarray(out.tri_verts), process=False)
    return BuildingMesh(result, tuple(hulled), tuple(dropped))


def massing(solid, ground_z: float, keep=None):
    """The building's massing: everything between the ground and its top surface, as a manifold.

    The union of the vertical prisms under every upward-facing triangle of the (simplified) solid
    is exactly the region under the top surface: rooms count, and so does the space under an
    overhang (a cantilever's massing reaches the ground). Envelope volumes are measured on it,
    because the element solids alone leave out the air a permit officer counts as building.
    Coordinates are the solid's own; `ground_z` in them. `keep(triangles) -> mask` picks the
    triangles whose prisms are needed (all by default): to measure the massing inside a region
    that is closed upwards, the prisms of the triangles that reach into it are enough.
    """
    import manifold3d

    mesh = solid.simplify(0.05).to_mesh()
    v = np.asarray(mesh.vert_properties, dtype=np.float64)[:, :3]
    tri = v[np.asarray(mesh.tri_verts, dtype=np.int64)]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    up = tri[(n[:, 2] > 1e-9) & (tri[:, :, 2].max(axis=1) > ground_z + 1e-3)]
    if keep is not None and len(up):
        up = up[keep(up)]
    prisms = []
    for t in up:
        top = t.copy()
        top[:, 2] = np.maximum(top[:, 2], ground_z)
        base = t.copy()
        base[:, 2] = ground_z
        prism = manifold3d.Manifold.hull_points(np.concatenate([top, base]))
        if not prism.is_empty():
            prisms.append(prism)
    if not prisms:
        return manifold3d.Manifold()
    return manifold3d.Manifold.batch_boolean(prisms, manifold3d.OpType.Add)
