"""Massing models: a mesh (glTF/GLB, OBJ, STL, 3MF, PLY, read with trimesh) or one CityJSON building,
read into the same `Model` an IFC file gives, so facts, checks and reports work on it unchanged.

What becomes an element
-----------------------
Each named part of the file, with its triangles in metres, Z up, in the file's own coordinates:
glTF nodes, OBJ objects and groups, the solids of an ASCII STL (a binary STL is one part), the
objects of a 3MF, a PLY's one mesh; a CityJSON building's semantic surfaces (its RoofSurface,
WallSurface and GroundSurface of each Building or BuildingPart; a geometry without semantics is
one part). A mesh part made of several separate bodies is one element per body ("Tower #2"), so a
body that is closed stays a closed solid whatever its neighbours are. A CityJSON building's
surfaces of one solid are one body for the 3D mesh (`ElementMesh.body`).

Units and axes
--------------
A mesh has no unit of its own: `unit` (m, mm, cm, ft, in; default m, the glTF unit by its spec) scales
it to metres, and a model whose size is no building's (the largest extent under 1 m or over 2 km,
or taller than 1 km) is refused with the unit that would make it one named. `up` is the axis that is
up in the file: glTF is Y-up by its spec (default y for .gltf and .glb), z for every other format
(Rhino, SketchUp, most CAD exports; Blender's OBJ and STL exports are Y-up by default: pass
`--up y`). A CityJSON building is in its CRS's metres, Z up, with its transform applied; it is moved
to a local origin and georeferenced at it in its `referenceSystem`.

Open meshes
-----------
A mesh need not be closed. As on the IFC path, the footprint is the union of the parts' plan
projections (open or not), the height the highest vertex, and for the 3D rules and the storey
sections an open part is replaced by its convex hull (a closed superset: a breach is reported
rather than missed); the open parts are listed in `Massing.open_parts` and a warning names them.

External resources
------------------
A .gltf may keep its buffers in files beside it. Those are read only when they lie inside the
model's own folder (symbolic links resolved): an absolute path, a path out of the folder
(`../../etc/passwd`), or any URI scheme but `data:` is refused before anything is read. `data:` URIs
are decoded in memory, bounded by the file's own size limit. Images, textures and materials are
dropped unread (a massing has no use for them); an OBJ's `mtllib` is never opened.
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from permitcheck.errors import ModelHasNoGeometry, ModelNotFound, ModelUnreadable, UsageError
from permitcheck.model.types import UNITS_M, Building, ElementMesh, Georeference, Massing, Model

MESH_FORMATS = {".glb": "glTF binary (.glb)", ".gltf": "glTF (.gltf)", ".obj": "OBJ", ".stl": "STL",
                ".3mf": "3MF", ".ply": "PLY"}
PARTS_FROM = {".glb": "glTF nodes", ".gltf": "glTF nodes", ".obj": "OBJ objects and groups",
              ".stl": "STL solids", ".3mf": "3MF objects", ".ply": "the PLY mesh"}
CITYJSON_SUFFIXES = (".city.json", ".cityjson", ".json")
MAX_BYTES = 1 << 30  # a file (or a .gltf's buffers, or a 3MF unpacked) larger is no massing model
MAX_BODIES = 20_000  # separate bodies in one file: more is a point cloud or a city, not a massing
MIN_EXTENT_M, MAX_EXTENT_M, MAX_HEIGHT_M = 1.0, 2000.0, 1000.0
BUILDING_ID = "massing"


@dataclass(frozen=True)
class MassingOptions:
    """How to read a massing model: the options `inspect` and `check` take for one."""

    unit: str | None = None  # m (default), mm, cm, ft, in
    up: str | None = None  # z or y (default: y for glTF, z otherwise)
    storey_height_m: float | None = None  # floor levels every H from ground level
    levels_m: tuple[float, ...] = ()  # floor levels as model z (metres, after --unit)
    object_id: str | None = None  # the CityJSON building to read when the file holds several

    def given(self) -> list[str]:
        """The massing options set, as the command line names them."""
        names = {"unit": "--unit", "up": "--up", "storey_height_m": "--storey-height", "levels_m": "--levels",
                 "object_id": "--object"}
        return [flag for key, flag in names.items() if getattr(self, key) not in (None, ())]


def is_massing(path: str | os.PathLike) -> bool:
    """Whether the file is read as a massing model: by its suffix (a .json only when it is CityJSON)."""
    name = os.fspath(path).lower()
    if os.path.splitext(name)[1] in MESH_FORMATS or name.endswith((".city.json", ".cityjson")):
        return True
    if name.endswith(".json") and os.path.isfile(path):
        try:
            with open(path, "rb") as fh:
                head = fh.read(4096)
        except OSError:
            return False
        return b'"CityJSON"' in head.replace(b" ", b"")
    return False


def read_massing(path: str | os.PathLike, options: MassingOptions | None = None) -> Model:
    """Read a mesh or a CityJSON building into a `Model`; raises an InputError for a file that cannot be
    measured (missing, empty, unreadable, no surfaces, a size no building has)."""
    path = os.fspath(path)
    options = options or MassingOptions()
    _check_options(options)
    _check_file(path)
    if os.path.splitext(path.lower())[1] in MESH_FORMATS:
        return _read_mesh(path, options)
    return _read_cityjson(path, options)


def _check_options(o: MassingOptions) -> None:
    if o.unit is not None and o.unit not in UNITS_M:
        raise UsageError(f"--unit {o.unit}: use one of {', '.join(UNITS_M)}")
    if o.up is not None and o.up not in ("z", "y"):
        raise UsageError(f"--up {o.up}: use z or y")
    if o.storey_height_m is not None and not (1.5 <= o.storey_height_m <= 20.0):
        raise UsageError(f"--storey-height {o.storey_height_m:g}: a storey is 1.5 to 20 m high — give it in metres, "
                         "e.g. --storey-height 3")
    if o.levels_m:
        if len(o.levels_m) > 500 or not all(np.isfinite(o.levels_m)) or max(map(abs, o.levels_m)) > 5000:
            raise UsageError("--levels: at most 500 floor levels, as model z in metres (e.g. --levels 0,4.5,9)")
        step = np.diff(sorted(o.levels_m))
        if len(step) and step.min() < 1.5:
            raise UsageError("--levels: two floor levels less than 1.5 m apart — give each floor's level once, in "
                             "metres")


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise ModelNotFound(f"{path}: no such file — check the path to the model")
    if os.path.isdir(path):
        raise ModelNotFound(f"{path}: is a folder, not a model file — pass the file inside it")
    size = os.path.getsize(path)
    if size == 0:
        raise ModelUnreadable(f"{path}: the file is empty — export the massing again")
    if size > MAX_BYTES:
        raise ModelUnreadable(f"{path}: larger than {MAX_BYTES >> 30} GB — no massing model is that large; "
                              "simplify the mesh")


# ----------------------------------------------------------------------------------------------
# meshes


def _read_mesh(path: str, o: MassingOptions) -> Model:
    suffix = os.path.splitext(path.lower())[1]
    if o.object_id is not None:
        raise UsageError(f"--object {o.object_id}: goes with a CityJSON file, not a {MESH_FORMATS[suffix]} mesh")
    up = o.up or ("y" if suffix in (".glb", ".gltf") else "z")
    unit = o.unit or "m"
    with open(path, "rb") as fh:
        raw = fh.read()
    generator = None
    if suffix in (".glb", ".gltf"):
        raw, generator = _safe_gltf(raw, path, suffix)
    elif suffix == ".3mf":
        _check_zip(raw, path)
    scene = _trimesh_scene(raw, suffix, path)
    parts, left_out = _parts(scene, path)
    scale = UNITS_M[unit]
    elements, open_parts = [], []
    taken: set[str] = set()
    for name, v, f in parts:
        v = v * scale
        if up == "y":
            v = np.column_stack([v[:, 0], -v[:, 2], v[:, 1]])
        v, f = _welded(v, f)
        bodies = _bodies(f, v)
        if len(elements) + len(bodies) > MAX_BODIES:
            raise ModelUnreadable(f"{path}: more than {MAX_BODIES:,} separate bodies — a massing model is a few "
                                  "volumes; join the mesh into its blocks before checking it")
        for k, faces in enumerate(bodies):
            label = name if len(bodies) == 1 else f"{name} #{k + 1}"
            gid = _unique(label, taken)
            used, local = np.unique(faces, return_inverse=True)
            body_v, body_f = v[used], local.reshape(-1, 3).astype(np.int64)
            if not _closed(body_f, len(body_v)):
                open_parts.append(gid)
            elements.append(ElementMesh(global_id=gid, ifc_class=_KIND[suffix], name=label, predefined_type=None,
                                        storey_id=None, building_id=BUILDING_ID, parent_class=None,
                                        vertices=body_v, faces=body_f))
    _plausible(elements, unit, path)
    massing = Massing(format=MESH_FORMATS[suffix], unit=unit, up=up, parts_from=PARTS_FROM[suffix],
                      storey_height_m=o.storey_height_m, levels_m=tuple(sorted(o.levels_m)),
                      open_parts=tuple(open_parts))
    return _model(path, massing, elements, None, generator, left_out, Path(path).stem)


_KIND = {".glb": "glTF node", ".gltf": "glTF node", ".obj": "OBJ group", ".stl": "STL solid", ".3mf": "3MF object",
         ".ply": "PLY mesh"}


def _model(path: str, massing: Massing, elements: list[ElementMesh], geo: Georeference | None,
           application: str | None, left_out: dict[str, int], name: str) -> Model:
    from permitcheck.model.ifcfile import sha256_of

    if not elements:
        raise ModelHasNoGeometry(f"{path}: no surface to measure — export the massing's volumes as meshes")
    warnings = []
    if massing.open_parts:
        shown = ", ".join(repr(p) for p in massing.open_parts[:5])
        more = f" and {len(massing.open_parts) - 5} more" if len(massing.open_parts) > 5 else ""
        warnings.append(f"{len(massing.open_parts)} part(s) of the massing are not closed ({shown}{more}): measured "
                        "by their plan and top, and by their convex hull in 3D — close them for exact volumes")
    if left_out:
        warnings.append("left out (no surfaces): " + ", ".join(f"{n} {k}" for k, n in sorted(left_out.items())))
    return Model(path=path, sha256=sha256_of(path), schema=massing.format, application=application,
                 length_unit_m=massing.unit_m, georeference=geo, buildings=[Building(BUILDING_ID, name)],
                 storeys=[], elements=elements, warnings=warnings, massing=massing)


def _unique(label: str, taken: set[str]) -> str:
    gid, k = label, 1
    while gid in taken:
        k += 1
        gid = f"{label} ({k})"
    taken.add(gid)
    return gid


def _trimesh_scene(raw: bytes, suffix: str, path: str):
    """The file as a trimesh Scene, read from memory: trimesh is never given the path, so it can open
    no other file through it (a .gltf's buffers are resolved by `_FolderResolver`, nothing else is)."""
    try:
        import trimesh
    except ImportError:  # pragma: no cover - a dependency
        raise ModelUnreadable(f"{path}: reading a mesh needs trimesh — pip install permitcheck again") from None
    kwargs: dict = {}
    if suffix == ".obj":  # each object and group a part, no material file opened (trimesh's names vary by version)
        import inspect

        from trimesh.exchange.obj import load_obj

        known = inspect.signature(load_obj).parameters
        kwargs = {k: v for k, v in {"skip_materials": True, "group_material": False, "split_objects": True,
                                    "split_groups": True, "split_object": True}.items() if k in known}
    if suffix == ".3mf":
        missing = [m for m in ("lxml", "networkx") if not _importable(m)]
        if missing:
            raise ModelUnreadable(f"{path}: reading 3MF needs {' and '.join(missing)} — pip install "
                                  "'permitcheck[massing]'")
    folder = os.path.dirname(os.path.abspath(path))
    resolver = _FolderResolver(folder) if suffix in (".gltf", ".glb") else _NoResolver()
    try:
        scene = trimesh.load_scene(io.BytesIO(raw), file_type=suffix[1:], resolver=resolver, **kwargs)
    except (ModelUnreadable, UsageError):
        raise
    except MemoryError:
        raise ModelUnreadable(f"{path}: declares more geometry than memory holds — check the export") from None
    except Exception as e:  # noqa: BLE001 - a reader of foreign files fails in every way; each is bad input
        raise ModelUnreadable(f"{path}: cannot be read as {MESH_FORMATS[suffix]} ({type(e).__name__}: "
                              f"{str(e)[:160]}) — export it again") from None
    return scene


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


class _NoResolver:
    """Given to trimesh where a format may name other files (an OBJ's mtllib, a texture): none is read."""

    def get(self, name: str):
        raise FileNotFoundError(name)

    def __getitem__(self, name: str):
        return self.get(name)

    def namespaced(self, namespace: str):
        return self

    def keys(self):
        return iter(())

    def __contains__(self, name) -> bool:
        return False


class _FolderResolver(_NoResolver):
    """A glTF's buffer files, read only from inside the model's own folder (checked once more here,
    after `_safe_gltf` has refused any other reference)."""

    def __init__(self, folder: str):
        self.folder = Path(folder).resolve()

    def get(self, name: str):
        target = _inside(self.folder, name)
        if target is None:
            raise FileNotFoundError(name)
        return target.read_bytes()


def _inside(folder: Path, uri: str) -> Path | None:
    """The file a relative URI names inside `folder` (symbolic links resolved), or None."""
    from urllib.parse import unquote

    name = unquote(uri.strip())
    if not name or os.path.isabs(name) or ":" in name.split("/")[0] or name.startswith(("\\", "//")):
        return None
    target = (folder / name).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        return None
    return target


def _safe_gltf(raw: bytes, path: str, suffix: str) -> tuple[bytes, str | None]:
    """The glTF with its images, textures and materials dropped and its buffer references checked
    (see External resources), repacked as it came; and its generator."""
    bin_chunk = None
    if suffix == ".glb":
        if len(raw) < 20 or raw[:4] != b"glTF":
            raise ModelUnreadable(f"{path}: not a binary glTF (no glTF header) — export it as .glb again")
        version, length = struct.unpack_from("<II", raw, 4)
        if version != 2:
            raise ModelUnreadable(f"{path}: glTF {version}: only glTF 2.0 is read — export it again")
        chunk_len, chunk_type = struct.unpack_from("<II", raw, 12)
        if chunk_type != 0x4E4F534A or 20 + chunk_len > len(raw):
            raise ModelUnreadable(f"{path}: a damaged binary glTF (its JSON chunk) — export it again")
        text = raw[20:20 + chunk_len]
        rest = raw[20 + chunk_len:]
        if len(rest) >= 8:
            blen, btype = struct.unpack_from("<II", rest, 0)
            if btype == 0x004E4942:
                bin_chunk = rest[8:8 + blen]
    else:
        text = raw
    try:
        doc = json.loads(text.decode("utf-8-sig").rstrip("\x00 "))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ModelUnreadable(f"{path}: the glTF's JSON cannot be read ({str(e)[:100]}) — export it again") from None
    if not isinstance(doc, dict):
        raise ModelUnreadable(f"{path}: not a glTF document — export it again")
    folder = Path(os.path.dirname(os.path.abspath(path))).resolve()
    total = len(raw)
    for i, buf in enumerate(doc.get("buffers") or []):
        uri = buf.get("uri") if isinstance(buf, dict) else None
        if uri is None:
            continue
        if not isinstance(uri, str):
            raise ModelUnreadable(f"{path}: buffer {i} has a uri that is not text — export it again")
        if uri.startswith("data:"):
            continue  # decoded by trimesh in memory: no larger than the file, which is bounded
        target = _inside(folder, uri)
        if target is None:
            raise ModelUnreadable(
                f"{path}: buffer {i} names {uri[:80]!r}, outside the model's folder or not a file there — "
                "permitcheck reads a .gltf's buffers only from its own folder: export a .glb, or put the .bin "
                "beside the .gltf")
        total += target.stat().st_size
        if total > MAX_BYTES:
            raise ModelUnreadable(f"{path}: its buffers exceed {MAX_BYTES >> 30} GB — simplify the mesh")
    for key in ("images", "textures", "samplers", "materials"):
        doc.pop(key, None)
    for mesh in doc.get("meshes") or []:
        for prim in (mesh.get("primitives") or []) if isinstance(mesh, dict) else []:
            if isinstance(prim, dict):
                prim.pop("material", None)
    ext = [e for e in doc.get("extensionsRequired") or [] if e != "KHR_materials_unlit"]
    if ext:
        raise ModelUnreadable(f"{path}: the glTF requires the extension(s) {', '.join(map(str, ext))[:120]} (e.g. a "
                              "compressed mesh), which permitcheck does not read — export it without compression")
    generator = (doc.get("asset") or {}).get("generator") if isinstance(doc.get("asset"), dict) else None
    text = json.dumps(doc).encode()
    if suffix == ".gltf":
        return text, generator if isinstance(generator, str) else None
    text += b" " * (-len(text) % 4)
    out = struct.pack("<II", len(text), 0x4E4F534A) + text
    if bin_chunk is not None:
        out += struct.pack("<II", len(bin_chunk), 0x004E4942) + bin_chunk
    return struct.pack("<III", 0x46546C67, 2, 12 + len(out)) + out, generator if isinstance(generator, str) else None


def _check_zip(raw: bytes, path: str) -> None:
    """A 3MF is a zip: refuse one that unpacks past MAX_BYTES before trimesh unpacks it."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            total = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as e:
        raise ModelUnreadable(f"{path}: not a 3MF package (a damaged zip: {e}) — export it again") from None
    if total > MAX_BYTES:
        raise ModelUnreadable(f"{path}: unpacks to more than {MAX_BYTES >> 30} GB — no massing model is that large")


def _parts(scene, path: str) -> tuple[list[tuple[str, np.ndarray, np.ndarray]], dict[str, int]]:
    """(name, vertices, faces) of every triangle mesh in the scene, placed by its node's transform; and
    what had no surfaces (points, lines), counted."""
    import trimesh

    parts, left_out = [], {}
    for node in scene.graph.nodes_geometry:
        transform, geometry_name = scene.graph[node]
        geom = scene.geometry.get(geometry_name)
        if isinstance(geom, trimesh.Trimesh):
            if len(geom.faces) == 0:
                continue
            v = trimesh.transformations.transform_points(np.asarray(geom.vertices, dtype=np.float64), transform)
            parts.append((str(node), v, np.asarray(geom.faces, dtype=np.int64)))
        elif geom is not None:
            kind = "point cloud(s)" if isinstance(geom, trimesh.PointCloud) else "line drawing(s)"
            left_out[kind] = left_out.get(kind, 0) + 1
    if not parts:
        if left_out:
            raise ModelHasNoGeometry(f"{path}: holds only points or lines ({', '.join(f'{n} {k}' for k, n in left_out.items())}) "
                                     "— export the massing's volumes as meshes (faces)")
        raise ModelHasNoGeometry(f"{path}: the scene is empty — export the massing's volumes as meshes")
    for name, v, _ in parts:
        if not np.all(np.isfinite(v)):
            raise ModelUnreadable(f"{path}: part {name!r} has non-finite coordinates (NaN or infinity) — export it "
                                  "again")
    return parts, left_out


WELD_M = 1e-6  # corners this close are one: exporters repeat a corner per face


def _welded(v: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corners within WELD_M made one, and the faces that collapse dropped: the bodies are then the
    surfaces joined through their corners, whether or not the file shared them."""
    first, inverse = _distinct_rows(np.round(v / WELD_M).astype(np.int64))
    f = inverse[f]
    f = f[(f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 2] != f[:, 0])]
    return v[first], f


def _distinct_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse) of the distinct rows of an integer array, as np.unique(axis=0) gives them (in
    another order): by a 64-bit hash of each row, checked row by row, and by the row sort if two rows
    share a hash. np.unique(axis=0) takes 8 times as long on a 100,000-triangle mesh."""
    h = np.zeros(len(keys), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(keys.shape[1]):
            h = (h ^ keys[:, k].astype(np.uint64)) * np.uint64(0x100000001B3)
            h ^= h >> np.uint64(29)
    order = np.argsort(h, kind="stable")
    starts = np.flatnonzero(np.r_[True, h[order][1:] != h[order][:-1]])
    first = order[starts]
    inverse = np.empty(len(h), dtype=np.int64)
    inverse[order] = np.cumsum(np.r_[False, h[order][1:] != h[order][:-1]])
    if np.array_equal(keys[first][inverse], keys):
        return first, inverse
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def _bodies(faces: np.ndarray, v: np.ndarray) -> list[np.ndarray]:
    """The faces of each separate body, largest first.

    A body is first what its faces make through shared edges: an edge two faces share joins them,
    and where more faces meet at one edge (two solids touching along it: walls standing on a slab,
    storeys stacked, in one STL) each face is joined to the one that closes the same solid around the
    edge. A soup of closed solids so comes apart into its solids. Faces whose body is not closed
    (T-junctions, a missing face) are grouped again through shared corners instead, so an open surface
    stays one part, measured as an open element is."""
    if len(faces) == 0:
        return []
    m, n = len(faces), len(v)
    label = _components(_edge_pairs(faces, v), m)
    closed = np.zeros(m, dtype=bool)
    for group in _groups(label):
        if _closed(faces[group], n):
            closed[group] = True
    out = [faces[g] for g in _groups(label) if closed[g[0]]]
    rest = np.flatnonzero(~closed)
    if len(rest):
        f = faces[rest]
        pairs = np.concatenate([np.column_stack([f[:, 0], f[:, 1]]), np.column_stack([f[:, 1], f[:, 2]])])
        vertex_label = _components(pairs, n)
        out += [f[g] for g in _groups(vertex_label[f[:, 0]])]
    return sorted(out, key=len, reverse=True)


def _edge_pairs(faces: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(face, face) pairs that bound the same solid along a shared edge.

    Two faces on an edge are a pair. Around an edge of more faces, sorted by angle about it, a solid's
    inside runs from a face that goes the edge backwards to the next one, which goes it forwards
    (both wound outward): those are paired; an edge whose faces do not alternate so joins none. Solids
    that overlap (rather than touch) cannot be told apart so: they stay one part, measured as an open
    one where they do not close."""
    m, n = len(faces), len(v)
    a = np.concatenate([faces[:, 0], faces[:, 1], faces[:, 2]])
    b = np.concatenate([faces[:, 1], faces[:, 2], faces[:, 0]])
    c = np.concatenate([faces[:, 2], faces[:, 0], faces[:, 1]])
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo * n + hi
    fid = np.tile(np.arange(m), 3)
    order = np.argsort(key, kind="stable")
    starts = np.flatnonzero(np.r_[True, key[order][1:] != key[order][:-1]])
    counts = np.diff(np.r_[starts, len(key)])
    two = order[starts[counts == 2]], order[starts[counts == 2] + 1]
    pairs = [np.column_stack([fid[two[0]], fid[two[1]]])]
    extra = []
    for s, k in zip(starts[counts > 2], counts[counts > 2]):
        idx = order[s:s + k]
        p, q = v[lo[idx[0]]], v[hi[idx[0]]]
        axis = q - p
        length = float(np.linalg.norm(axis))
        if length == 0:
            continue
        axis /= length
        w = v[c[idx]] - p
        w -= np.outer(w @ axis, axis)
        ref = w[0] / (np.linalg.norm(w[0]) or 1.0)
        theta = np.arctan2(np.cross(ref, w) @ axis, w @ ref)
        forward = a[idx] == lo[idx]  # goes the edge lo -> hi
        # at one angle (two solids' faces lying on each other) the one going forwards comes first: it
        # closes the solid on its side, and the other opens the next
        ring = np.lexsort((~forward, np.round(theta, 9)))
        for i, j in zip(ring, np.roll(ring, -1)):
            if not forward[i] and forward[j]:
                extra.append((fid[idx[i]], fid[idx[j]]))
    if extra:
        pairs.append(np.asarray(extra, dtype=np.int64))
    return np.concatenate(pairs)


def _components(pairs: np.ndarray, n: int) -> np.ndarray:
    """The connected component of each of n nodes joined by `pairs`."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n)) if len(pairs) else \
        coo_matrix((n, n))
    return connected_components(graph, directed=False)[1]


def _groups(label: np.ndarray) -> list[np.ndarray]:
    """The indices of each label, in one sort."""
    order = np.argsort(label, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(label[order])) + 1)


def _closed(f: np.ndarray, n: int) -> bool:
    """Every edge run once each way (watertight, consistently wound): sorted integer edge keys
    (np.unique and np.isin hash, several times slower on a large mesh)."""
    if len(f) < 4:
        return False
    a = np.concatenate([f[:, 0], f[:, 1], f[:, 2]]).astype(np.int64)
    b = np.concatenate([f[:, 1], f[:, 2], f[:, 0]]).astype(np.int64)
    directed = np.sort(a * n + b)
    if np.any(directed[1:] == directed[:-1]):
        return False
    reverse = b * n + a
    at = np.minimum(np.searchsorted(directed, reverse), len(directed) - 1)
    return bool(np.all(directed[at] == reverse))


def _plausible(elements: list[ElementMesh], unit: str, path: str) -> None:
    """Refuse a model whose size is no building's in the unit it was read in, naming the likely unit."""
    if not elements:
        return
    lo = np.min([e.vertices.min(axis=0) for e in elements], axis=0)
    hi = np.max([e.vertices.max(axis=0) for e in elements], axis=0)
    size = hi - lo
    extent, height = float(max(size)), float(size[2])
    if MIN_EXTENT_M <= extent <= MAX_EXTENT_M and height <= MAX_HEIGHT_M:
        return
    raw = extent / UNITS_M[unit]  # the extent in the file's own numbers
    fits = [u for u, k in UNITS_M.items() if MIN_EXTENT_M <= raw * k <= MAX_EXTENT_M
            and size[2] / UNITS_M[unit] * k <= MAX_HEIGHT_M]
    likely = min(fits, key=lambda u: abs(np.log(raw * UNITS_M[u] / 40.0)), default=None)
    hint = (f" — the file is likely in {likely} ({raw * UNITS_M[likely]:,.1f} m): pass --unit {likely}" if likely else
            " — check the export's unit and pass --unit m|mm|cm|ft|in")
    raise ModelUnreadable(f"{path}: read in {unit} the massing is {_length(extent)} across and {_length(height)} "
                          f"tall, no building's size{hint}")


def _length(x: float) -> str:
    return f"{x / 1000:,.1f} km" if x >= 1000 else (f"{x:.2f} m" if x >= 1 else f"{x * 100:.1f} cm")


# ----------------------------------------------------------------------------------------------
# CityJSON


def _read_cityjson(path: str, o: MassingOptions) -> Model:
    from permitcheck.model.cityjson import BUILDING_TYPES, MAX_OBJECTS, CityJSONError, crs_of, load, lod, vertices

    if o.unit not in (None, "m") or o.up not in (None, "z"):
        raise UsageError(f"{path}: --unit and --up are for meshes — a CityJSON building carries its own transform "
                         "and CRS (metres, Z up)")
    data = load(path)
    v = vertices(data, path)
    objects = data.get("CityObjects")
    if not isinstance(objects, dict) or len(objects) > MAX_OBJECTS:
        raise CityJSONError(f"{path}: 'CityObjects' must be an object of at most {MAX_OBJECTS:,} city objects")
    buildings = [k for k, obj in objects.items() if isinstance(obj, dict) and obj.get("type") == "Building"]
    if o.object_id is not None:
        obj = objects.get(o.object_id)
        if not isinstance(obj, dict) or obj.get("type") not in BUILDING_TYPES:
            shown = ", ".join(repr(b[:60]) for b in buildings[:10]) or "none"
            raise UsageError(f"--object {o.object_id[:60]!r}: not a Building in {path} — its buildings: {shown}")
        chosen = o.object_id
    elif len(buildings) == 1:
        chosen = buildings[0]
    elif not buildings:
        raise ModelHasNoGeometry(f"{path}: holds no Building — give a CityJSON with the building to check")
    else:
        shown = ", ".join(repr(b[:60]) for b in buildings[:10])
        raise UsageError(f"{path}: holds {len(buildings):,} buildings — choose one with --object ID (e.g. {shown})")
    crs = crs_of(data)
    _metre_crs(crs, path)
    ids = [chosen] + [c for c in _children(objects, chosen)]
    elements, open_parts = [], []
    taken: set[str] = set()
    for oid in ids:
        obj = objects[oid]
        geoms = [g for g in obj.get("geometry") or () if isinstance(g, dict) and lod(g) >= 0]
        if not geoms:
            continue
        best = max(geoms, key=lod)
        for body, (label, tris) in enumerate(_semantic_parts(best, v, f"{path}: CityObjects[{oid[:60]!r}]")):
            name = f"{oid} {label}" if label else str(oid)
            gid = _unique(name[:200], taken)
            verts, faces = _indexed(tris)
            elements.append(ElementMesh(global_id=gid, ifc_class=f"CityJSON {label or obj.get('type')}", name=name[:200],
                                        predefined_type=None, storey_id=None, building_id=BUILDING_ID,
                                        parent_class=None, vertices=verts, faces=faces,
                                        body=f"{oid}/{_body_of(label)}"))
    if not elements:
        raise ModelHasNoGeometry(f"{path}: building {chosen[:60]!r} has no surfaces to measure — give one with an "
                                 "LoD1 or LoD2 geometry")
    for body in dict.fromkeys(e.body for e in elements):
        mine = [e for e in elements if e.body == body]
        verts, faces = _indexed(np.concatenate([e.vertices[e.faces] for e in mine]))
        if not _closed(faces, len(verts)):
            open_parts += [e.global_id for e in mine]
    origin = np.floor(np.min([e.vertices.min(axis=0) for e in elements], axis=0))
    origin[2] = 0.0  # heights stay the city model's: its ground is where the building stands
    elements = [ElementMesh(**{**e.__dict__, "vertices": e.vertices - origin}) for e in elements]
    _plausible(elements, "m", path)
    geo = Georeference(crs=crs, eastings=float(origin[0]), northings=float(origin[1]), orthogonal_height=0.0,
                       rotation_deg=0.0, scale=1.0,
                       source="CityJSON referenceSystem" if crs else "CityJSON coordinates (no referenceSystem)")
    massing = Massing(format=f"CityJSON {data.get('version')}", unit="m", up="z",
                      parts_from="CityJSON semantic surfaces", storey_height_m=o.storey_height_m,
                      levels_m=tuple(sorted(o.levels_m)), object_id=str(chosen), open_parts=tuple(open_parts))
    return _model(path, massing, elements, geo, None, {}, str(chosen))


def _body_of(label: str) -> str:
    """The solid a semantic part belongs to: 'solid 2 RoofSurface' -> 'solid 2'."""
    return label.split(" ")[0] + " " + label.split(" ")[1] if label.startswith("solid ") else "0"


def _children(objects: dict, oid: str, depth: int = 0) -> list[str]:
    """The BuildingParts (and their parts) of a building."""
    out = []
    for c in (objects.get(oid) or {}).get("children") or ():
        child = objects.get(c) if isinstance(c, str) else None
        if isinstance(child, dict) and child.get("type") == "BuildingPart" and c not in out and depth < 8:
            out += [c] + _children(objects, c, depth + 1)
    return out


def _metre_crs(crs: str | None, path: str) -> None:
    if crs is None:
        return
    import pyproj

    try:
        c = pyproj.CRS.from_user_input(crs)
        if c.is_compound:
            c = next((s for s in c.sub_crs_list if s.is_projected or s.is_geographic), c.sub_crs_list[0])
    except pyproj.exceptions.CRSError:
        raise ModelUnreadable(f"{path}: its referenceSystem {crs} is not a CRS pyproj knows — fix the file") from None
    if c.is_geographic:
        raise ModelUnreadable(f"{path}: in {crs}, longitude and latitude — a building is measured in a projected "
                              "CRS (metres): reproject it (cjio reproject)")
    factor = c.axis_info[0].unit_conversion_factor if c.axis_info else 1.0
    if factor and abs(factor - 1.0) > 1e-9:
        raise ModelUnreadable(f"{path}: {crs} is not in metres — reproject it to a metric CRS (cjio reproject)")


def _semantic_parts(geometry: dict, v: np.ndarray, where: str) -> list[tuple[str, np.ndarray]]:
    """(label, triangles) of each semantic surface type of each solid: 'RoofSurface', or with several
    solids 'solid 2 RoofSurface'; '' for surfaces without semantics."""
    from permitcheck.model.cityjson import CityJSONError, semantic_surfaces

    groups: dict[str, list[np.ndarray]] = {}
    surfaces = semantic_surfaces(geometry)
    many = len({k for _, _, k in surfaces}) > 1
    for surface, kind, solid in surfaces:
        if not isinstance(surface, list) or not surface:
            continue
        rings = []
        for ring in surface:
            if not isinstance(ring, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                     and 0 <= i < len(v) for i in ring):
                raise CityJSONError(f"{where}: a ring names a vertex that is not in the file — fix the file")
            if len(ring) >= 3:
                rings.append(v[ring])
        if not rings:
            continue
        tris = _triangulate(rings)
        if len(tris):
            label = " ".join(x for x in ((f"solid {solid + 1}" if many else ""), kind or "") if x)
            groups.setdefault(label, []).append(tris)
    first = {"RoofSurface": 0, "WallSurface": 1}  # the roof names the height where a gable wall reaches it too
    ordered = sorted(groups.items(), key=lambda kv: first.get(kv[0].split(" ")[-1], 2))
    return [(label, np.concatenate(t)) for label, t in ordered]


def _triangulate(rings: list[np.ndarray]) -> np.ndarray:
    """Triangles (k, 3, 3) of a planar polygon with holes given as 3D rings: triangulated in the plane
    its normal faces most (constrained Delaunay keeps the rings' edges), the corners back in 3D."""
    import shapely

    outer = rings[0]
    normal = np.zeros(3)
    for r in rings[:1]:  # Newell's normal of the outer ring
        nxt = np.roll(r, -1, axis=0)
        normal += np.array([((r[:, 1] - nxt[:, 1]) * (r[:, 2] + nxt[:, 2])).sum(),
                            ((r[:, 2] - nxt[:, 2]) * (r[:, 0] + nxt[:, 0])).sum(),
                            ((r[:, 0] - nxt[:, 0]) * (r[:, 1] + nxt[:, 1])).sum()])
    if not np.any(normal):
        return np.zeros((0, 3, 3))
    drop = int(np.argmax(np.abs(normal)))
    keep = [i for i in range(3) if i != drop]
    lookup = {}
    for r in rings:
        for p in r:
            lookup.setdefault((round(float(p[keep[0]]), 6), round(float(p[keep[1]]), 6)), p)
    if len(outer) == 3 and len(rings) == 1:
        tris = [outer]
    else:
        poly = shapely.Polygon(outer[:, keep], [r[:, keep] for r in rings[1:]])
        if not poly.is_valid or poly.area <= 0:
            return np.zeros((0, 3, 3))
        tris = []
        for t in shapely.get_parts(shapely.constrained_delaunay_triangles(poly)):
            corners = [lookup.get((round(x, 6), round(y, 6))) for x, y in list(t.exterior.coords)[:3]]
            if all(c is not None for c in corners):
                tris.append(np.array(corners))
        if not tris:
            return np.zeros((0, 3, 3))
    out = np.asarray(tris, dtype=np.float64)
    n = np.cross(out[:, 1] - out[:, 0], out[:, 2] - out[:, 0])
    flip = (n @ normal) < 0
    out[flip] = out[flip][:, ::-1]  # each triangle wound as its surface (outward in a valid solid)
    return out


def _indexed(tris: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and faces of a triangle soup, identical corners shared."""
    flat = tris.reshape(-1, 3)
    return _welded(flat, np.arange(len(flat), dtype=np.int64).reshape(-1, 3))
