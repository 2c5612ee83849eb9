"""The fast paths of issue 14 give the answers of the slow ones: pruned massing, the vectorised
setback distances, the closed test on edge keys, sections only when drawn, lazy imports."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import shapely
import trimesh

from conftest import ROOT
from permitcheck.facts import mesh as mesh_mod
from permitcheck.model.types import ElementMesh


def _box(gid, x0, y0, z0, x1, y1, z1, flip=False):
    t = trimesh.creation.box(bounds=[[x0, y0, z0], [x1, y1, z1]])
    faces = np.asarray(t.faces)[:, ::-1] if flip else np.asarray(t.faces)
    return ElementMesh(gid, "IfcSlab", gid, None, None, "B", None, np.asarray(t.vertices, float), faces)


def _stack(storeys: int) -> list[ElementMesh]:
    """A stepped block: 20 x 12 m floors, each storey's walls, the top five storeys set back 4 m."""
    out = []
    for i in range(storeys):
        z, x1 = 3.0 * i, 20.0 if i < storeys - 5 else 16.0
        out.append(_box(f"slab{i}", 0, 0, z - 0.2, x1, 12, z))
        out += [_box(f"w{i}a", 0, 0, z, 0.3, 12, z + 2.8), _box(f"w{i}b", x1 - 0.3, 0, z, x1, 12, z + 2.8),
                _box(f"w{i}c", 0, 0, z, x1, 0.3, z + 2.8), _box(f"w{i}d", 0, 11.7, z, x1, 12, z + 2.8)]
    out.append(_box("roof", 0, 0, 3.0 * storeys - 0.2, 16, 12, 3.0 * storeys))
    return out


def _massing_volume(meshes, monkeypatch=None, prune=True):
    import manifold3d

    solid_mesh = mesh_mod.building_mesh(meshes).mesh
    solid = manifold3d.Manifold(manifold3d.Mesh(vert_properties=np.asarray(solid_mesh.vertices, np.float32),
                                                tri_verts=np.asarray(solid_mesh.faces, np.uint32)))
    if not prune:
        monkeypatch.setattr(mesh_mod, "_inside_others", lambda tri, **kw: np.zeros(len(tri), dtype=bool))
    return mesh_mod.massing(solid, 0.0).volume()


def test_pruned_massing_has_the_volume_of_the_whole_union(monkeypatch):
    meshes = _stack(12)
    pruned = _massing_volume(meshes)
    # by construction: 20 x 12 m from the ground to 20.8 m (seven storeys, the first slab's 0.2 m
    # below ground left out), 16 x 12 m from there to the roof's top at 36 m; less the room under no
    # ceiling where the upper storeys step back (x 16-19.7, y 0.3-11.7, 18.0-20.8 m: open to the sky)
    assert pruned == pytest.approx(20.8 * 240 + 15.2 * 192 - 3.7 * 11.4 * 2.8, rel=1e-3)
    assert _massing_volume(meshes, monkeypatch, prune=False) == pytest.approx(pruned, rel=1e-6)


def test_inside_others_keeps_a_face_nothing_covers():
    roof = np.array([[[0, 0, 10], [10, 0, 10], [10, 10, 10]]], float)
    floor_in = np.array([[[1, 1, 3], [5, 1, 3], [5, 5, 3]]], float)
    floor_out = np.array([[[11, 1, 3], [15, 1, 3], [15, 5, 3]]], float)  # beside the roof: its own prism
    same = np.array([[[0, 0, 10], [10, 10, 10], [0, 10, 10]]], float)  # the roof's other half, same level
    tri = np.concatenate([roof, floor_in, floor_out, same])
    assert mesh_mod._inside_others(tri, from_top=True).tolist() == [False, True, False, False]
    # soffits sweep up: the higher one over the lower one's plan is held by it
    low = np.array([[[0, 0, 3], [10, 0, 3], [10, 10, 3]]], float)
    high = np.array([[[1, 1, 6], [5, 1, 6], [5, 5, 6]]], float)
    assert mesh_mod._inside_others(np.concatenate([low, high]), from_top=False).tolist() == [False, True]


@pytest.mark.parametrize("flip", [False, True])
def test_closed_on_edge_keys_agrees_with_trimesh(flip):
    m = _box("b", 0, 0, 0, 2, 3, 4, flip=flip)
    v, f, open_ = mesh_mod.closed_mesh(m, np.zeros(3))
    assert not open_
    t = trimesh.Trimesh(v, f)
    assert t.is_watertight and t.volume == pytest.approx(24.0)  # turned outward when it came inward
    holed = ElementMesh("h", "IfcSlab", "h", None, None, "B", None, m.vertices, m.faces[1:])
    assert mesh_mod.closed_mesh(holed, np.zeros(3))[2]
    # a vertex repeated per face (as exporters write) is welded before the test
    tri = m.vertices[m.faces].reshape(-1, 3)
    soup = ElementMesh("s", "IfcSlab", "s", None, None, "B", None, tri, np.arange(len(tri)).reshape(-1, 3))
    assert not mesh_mod.closed_mesh(soup, np.zeros(3))[2]


def test_edge_distances_match_the_signed_distance_to_each_edge():
    from permitcheck.checks.setback import edge_distances, signed_distance
    from permitcheck.site.types import Edge

    ring = [(0, 0), (30, 0), (30, 20), (0, 20)]
    parcel = shapely.Polygon(ring)
    edges = []
    for i in range(4):
        a, b = np.array(ring[i], float), np.array(ring[(i + 1) % 4], float)
        d = (b - a) / np.linalg.norm(b - a)
        edges.append(Edge(i, shapely.LineString([a, b]), frozenset({"side"}), (float(d[1]), float(-d[0]))))
    rng = np.random.default_rng(0)
    xy = rng.uniform(-10, 40, size=(2000, 2))
    dist, which = edge_distances(xy, edges[1:3], parcel)
    brute = np.min([signed_distance(xy, np.array(e.line.coords[0]), np.array(e.line.coords[1]), np.asarray(e.outward))
                    for e in edges[1:3]], axis=0)
    inside = shapely.intersects_xy(parcel, xy[:, 0], xy[:, 1])
    # inside the lot: the same distances; outside: the same sign past an edge (both negative)
    assert np.allclose(dist[inside], brute[inside], atol=1e-9)
    assert np.array_equal(dist[~inside] < 0, brute[~inside] < 0)


def test_edge_distances_by_arrays_and_by_tree_agree(monkeypatch):
    import permitcheck.checks.setback as setback
    from permitcheck.site.types import Edge

    t = np.linspace(0, 2 * np.pi, 41)[:-1]
    ring = np.column_stack([20 * np.cos(t), 12 * np.sin(t)])
    parcel = shapely.Polygon(ring)
    edges = []
    for i in range(len(ring)):
        a, b = ring[i], ring[(i + 1) % len(ring)]
        d = (b - a) / np.linalg.norm(b - a)
        edges.append(Edge(i, shapely.LineString([a, b]), frozenset({"side"}), (float(d[1]), float(-d[0]))))
    xy = np.random.default_rng(1).uniform(-25, 25, size=(5000, 2))
    by_arrays = setback.edge_distances(xy, edges[:30], parcel)
    monkeypatch.setattr(setback, "FEW_EDGES", 0)
    by_tree = setback.edge_distances(xy, edges[:30], parcel)
    assert np.allclose(by_arrays[0], by_tree[0], atol=1e-9)
    exact = shapely.distance(shapely.points(xy)[:, None], np.array([e.line for e in edges[:30]])[None, :]).min(axis=1)
    assert np.allclose(np.abs(by_arrays[0]), exact, atol=1e-9)


def test_sections_only_when_a_report_draws_them():
    from permitcheck.checking import check_model

    args = (ROOT / "samples/buildings/podium_tower.ifc", ROOT / "samples/sites/podium_north.geojson",
            ROOT / "rules/kr/cheonan.yaml")
    full = check_model(*args, anchor=(220000.0, 560000.0)).to_dict()
    bare = check_model(*args, anchor=(220000.0, 560000.0), sections=False).to_dict()
    drawn = [f["rule"] for f in full["findings"] if "section" in (f.get("details") or {})]
    assert drawn and not [f for f in bare["findings"] if "section" in (f.get("details") or {})]
    for a, b in zip(full["findings"], bare["findings"]):
        assert (a["rule"], a["status"], a["measured"], a["limit"]) == (b["rule"], b["status"], b["measured"], b["limit"])


def test_import_permitcheck_loads_no_geometry():
    code = "import sys, permitcheck; print(sorted(m for m in ('ifcopenshell', 'shapely', 'trimesh') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _loaded(imports: str, names: tuple[str, ...]) -> list[str]:
    code = f"import sys, {imports}; print(' '.join(m for m in {names!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    return out.stdout.split()


def test_the_cli_and_the_file_reports_load_no_library_they_do_not_use():
    """The CLI starts without the IDS, CRS, BCF or rulebook libraries; the file reports (what a batch
    worker writes) without rich, which only the terminal uses, nor a BCF library."""
    heavy = ("ifctester", "xmlschema", "pyproj", "bcf", "xsdata", "lxml", "yaml", "ifcopenshell", "shapely")
    assert _loaded("permitcheck.cli", heavy) == []
    reports = ", ".join(f"permitcheck.reports.{m}" for m in ("html", "json_report", "junit", "bcf"))
    assert _loaded(reports, heavy + ("rich",)) == []


def test_rulebooks_are_parsed_by_libyaml_unless_deeply_nested():
    import yaml

    from permitcheck.rulebook.load import C_LOADER_MAX_DEPTH, _loader

    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML built without libyaml")
    text = (ROOT / "rules/kr/national.yaml").read_text(encoding="utf-8")
    assert isinstance(_loader(text), yaml.CSafeLoader)
    deep = "[" * (C_LOADER_MAX_DEPTH + 1) + "]" * (C_LOADER_MAX_DEPTH + 1)
    assert not isinstance(_loader(deep), yaml.CSafeLoader)
    # long but shallow, in flow style: every bracket counts in the quick bound, the events say 3 deep
    flat = "rules:\n" + "".join(f"  - {{id: h{i}, kind: max_height, limit: [{i}, m]}}\n" for i in range(3000))
    assert isinstance(_loader(flat), yaml.CSafeLoader)


def test_shapes_come_back_in_the_elements_order_whatever_the_workers():
    from permitcheck.model import read_model

    path = ROOT.parent / "shared/ifc/01_AC20-FZK-Haus.ifc"
    if not path.exists():
        pytest.skip("../shared/ifc not beside the project")
    one, two = read_model(path, workers=1), read_model(path, workers=2)
    assert [m.global_id for m in one.elements] == [m.global_id for m in two.elements]
    assert all(np.array_equal(a.vertices, b.vertices) for a, b in zip(one.elements, two.elements))


@pytest.mark.parametrize("model", ["samples/buildings/podium_tower.ifc", "../shared/ifc/01_AC20-FZK-Haus.ifc"])
def test_the_silhouette_from_front_faces_is_the_silhouette_of_every_face(model):
    """Closed elements project by the faces turned one way; the drawing is the same to 0.5 %."""
    from permitcheck.checks.section import silhouette
    from permitcheck.facts.footprint import ABOVE_TOLERANCE
    from permitcheck.facts.projection import clip_above, merge_triangles, plan_polygons, union
    from permitcheck.model import read_model
    from permitcheck.site.types import Edge

    path = ROOT / model
    if not path.exists():
        pytest.skip("../shared/ifc not beside the project")
    meshes = tuple(read_model(path, workers=1).elements)
    ground = min(float(m.vertices[:, 2].min()) for m in meshes if len(m.vertices))
    edge = Edge(0, shapely.LineString([(-100, -50), (100, -50)]), frozenset({"front"}), (0.0, -1.0))
    fast = silhouette(meshes, ground, edge)
    parts = []
    for m in meshes:
        for tri in clip_above(m.vertices[m.faces], ground + ABOVE_TOLERANCE):
            d = (tri[:, :, :2] - np.array([-100.0, -50.0])) @ np.array([0.0, 1.0])
            polys = plan_polygons(np.stack([d, tri[:, :, 2] - ground, np.zeros_like(d)], axis=2))
            if len(polys):
                parts.append(merge_triangles(polys))
    slow = shapely.simplify(union(parts), 0.01)
    assert fast.area == pytest.approx(slow.area, rel=5e-3)
    assert fast.symmetric_difference(slow).area < 5e-3 * slow.area


@pytest.mark.parametrize("name", ["06_Lake_Kegonsa_Revit2014_feet.ifc", "01_AC20-FZK-Haus.ifc"])
def test_the_cgal_kernel_measures_what_open_cascade_measures(name, real_model, monkeypatch):
    """The geometry library changed for speed, not for answers: the same elements, each element's
    bounding box within 5 mm, the same facts."""
    from permitcheck.facts import derive_facts
    from permitcheck.model import geometry, read_model

    path = real_model(name)
    fast = read_model(path, workers=1)
    monkeypatch.setattr(geometry, "GEOMETRY_LIBRARY", "opencascade")
    slow = read_model(path, workers=1)
    assert geometry.GEOMETRY_LIBRARY == "opencascade" and fast.failures == slow.failures
    boxes = {m.global_id: (m.vertices.min(axis=0), m.vertices.max(axis=0)) for m in slow.elements}
    assert sorted(boxes) == sorted(m.global_id for m in fast.elements)
    for m in fast.elements:
        lo, hi = boxes[m.global_id]
        assert np.abs(m.vertices.min(axis=0) - lo).max() < 0.005 and np.abs(m.vertices.max(axis=0) - hi).max() < 0.005
    a, b = derive_facts(fast).whole, derive_facts(slow).whole
    assert a.height_m == pytest.approx(b.height_m, abs=0.005)
    assert a.footprint.symmetric_difference(b.footprint).area < 1e-3 * b.footprint.area
    assert [s.gross_area_m2 for s in a.storeys] == pytest.approx([s.gross_area_m2 for s in b.storeys], rel=1e-3)


def _closed_outline(flat: np.ndarray, labels: np.ndarray):
    """The reference: a closed mesh's projection part by part, one element at a time, as it was
    computed before the batch."""
    from permitcheck.facts.projection import CONVEX_SHARE, merge_triangles, plan_polygons

    a, b = flat[:, 1, :2] - flat[:, 0, :2], flat[:, 2, :2] - flat[:, 0, :2]
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    front = cross > 0
    if not front.any():
        return shapely.Polygon()
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    out = []
    for group in np.split(order, cuts):
        mine = group[front[group]]
        if len(mine) == 0:
            continue
        hull = shapely.convex_hull(shapely.multipoints(flat[group, :, :2].reshape(-1, 2)))
        filled = float(cross[mine].sum()) / 2.0
        if hull.geom_type == "Polygon" and abs(filled - hull.area) <= CONVEX_SHARE * hull.area + 1e-9:
            out.append(hull)
        else:
            polys = plan_polygons(np.concatenate([flat[mine, :, :2], np.zeros((len(mine), 3, 1))], axis=2))
            if len(polys):
                out.append(merge_triangles(polys))
    return shapely.union_all(out) if out else shapely.Polygon()


def _one_plan(vertices, faces):
    """The element plan computed element by element (the path before the batch)."""
    from permitcheck.facts.mesh import closed_arrays
    from permitcheck.facts.projection import face_components, merge_triangles, plan_polygons

    v, f, is_open = closed_arrays(vertices, faces)
    if len(f) == 0:
        return None
    if is_open:
        polys = plan_polygons(v[f])
        return merge_triangles(polys) if len(polys) else None
    out = _closed_outline(v[f], face_components(f, len(v)))
    return None if out.is_empty else out


@pytest.mark.parametrize("model", ["samples/buildings/podium_tower.ifc", "../shared/ifc/03_Duplex_A_20110907.ifc"])
def test_plans_in_one_batch_are_the_plans_one_by_one(model):
    from permitcheck.facts.projection import element_plans
    from permitcheck.model import read_model

    path = ROOT / model
    if not path.exists():
        pytest.skip("../shared/ifc not beside the project")
    meshes = [(m.vertices, m.faces) for m in read_model(path, workers=1).elements]
    # and the cases a real model may lack: an open mesh, an inward one, a flat one, an empty one
    box = _box("b", 0, 0, 0, 2, 1, 1)
    inward = _box("i", 5, 0, 0, 6, 3, 1, flip=True)
    meshes += [(box.vertices, box.faces[:-2]), (inward.vertices, inward.faces),
               (np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], float), np.array([[0, 1, 2]])),
               (np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64))]
    batch = element_plans(meshes)
    assert len(batch) == len(meshes)
    for (v, f), got in zip(meshes, batch):
        want = _one_plan(v, f)
        assert (got is None) == (want is None)
        if want is not None:
            assert got.symmetric_difference(want).area < 1e-4  # parts closed one by one: 1 cm²
    assert batch[-3].area == pytest.approx(3.0) and batch[-1] is None


def test_weld_by_hash_is_the_row_sort_even_when_hashes_collide(monkeypatch):
    from permitcheck.facts import projection

    rng = np.random.default_rng(7)
    keys = rng.integers(-5, 5, size=(5000, 4))
    _, want_first, _ = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    first, inverse = projection.weld(keys)
    assert np.array_equal(keys[first][inverse], keys) and len(first) == len(want_first)
    # every row one hash: the check finds the collision and the row sort answers
    monkeypatch.setattr(projection, "_row_hash", lambda k: np.zeros(len(k), dtype=np.uint64))
    first, inverse = projection.weld(keys)
    assert np.array_equal(keys[first][inverse], keys) and len(first) == len(want_first)


def test_parallel_sections_are_one_silhouette_moved():
    from permitcheck.checks.section import silhouette
    from permitcheck.model import read_model
    from permitcheck.site.types import Edge

    meshes = tuple(read_model(ROOT / "samples/buildings/podium_tower.ifc", workers=1).elements)
    a = Edge(0, shapely.LineString([(-100, -50), (100, -50)]), frozenset(), (0.0, -1.0))
    b = Edge(1, shapely.LineString([(-100, -20), (100, -20)]), frozenset(), (0.0, -1.0))
    sa, sb = silhouette(meshes, 0.0, a), silhouette(meshes, 0.0, b)
    assert sa.bounds[0] == pytest.approx(sb.bounds[0] + 30.0, abs=1e-6) and sa.area == pytest.approx(sb.area)


def test_the_triangles_left_out_of_the_exact_setback_never_hold_the_nearest_point():
    from permitcheck.checks.setback import may_come_within

    edge = shapely.LineString([(0, 0), (10, 0)])
    rng = np.random.default_rng(7)
    for _ in range(20):
        tri = rng.uniform(-30, 30, size=(300, 3, 2)) * np.array([1.0, 0.3]) + np.array([0.0, 12.0])
        # a long sliver whose corners lie far beyond the edge's ends, its side passing close over it
        tri[0] = [(-20, 1.0 + rng.uniform(0, 1)), (-20, 5), (30, 1.2)]
        polys = shapely.polygons(np.concatenate([tri, tri[:, :1]], axis=1))
        corner = shapely.distance(shapely.points(tri.reshape(-1, 2)), edge)
        exact = shapely.distance(polys, edge)
        for b in (0.5, 3.0, 9.0):
            kept = may_come_within(tri, corner, b)
            assert kept[int(np.argmin(exact))]  # the nearest triangle, whatever its corners
            assert kept[exact < b].all()  # every triangle within the distance
            assert kept.sum() < len(tri)  # and most of the rest left out


def test_small_triangles_drawn_at_once_are_the_picture_drawn_one_by_one():
    from permitcheck.reports import snapshot

    rng = np.random.default_rng(11)
    centres = rng.uniform([0, 0], [120, 90], size=(600, 2))
    xs = centres[:, 0:1] + rng.uniform(-6, 6, size=(600, 3))
    ys = centres[:, 1:2] + rng.uniform(-6, 6, size=(600, 3))
    iz = rng.uniform(0.05, 0.2, size=(600, 3))
    iz[::7] = iz[::7].mean(axis=1, keepdims=True)  # flat ones, some of equal depth where they overlap
    iz[1::7] = iz[::7][: len(iz[1::7])]
    colours = rng.uniform(0, 255, size=(600, 3))
    pictures = []
    for at_once in (False, True):
        image, depth = np.zeros((90, 120, 3)), np.zeros((90, 120))
        if at_once:
            snapshot._fill_many(image, depth, xs, ys, iz, colours)
        else:
            for i in range(len(xs)):
                snapshot._fill(image, depth, xs[i], ys[i], iz[i], colours[i], translucent=False)
        pictures.append(image)
    assert np.array_equal(pictures[0], pictures[1])


def test_small_triangles_all_off_the_screen_draw_nothing_and_fail_nothing():
    """A neighbour out of the picture: its small triangles project beside the screen (a BCF
    snapshot of a finding on the far side of a context building raised IndexError)."""
    from permitcheck.reports import snapshot

    view = {"building": [[[0, 0, 0], [10, 0, 0], [0, 10, 0]]],
            "context": [[[500, 0, 1], [500.5, 0, 1], [500, 0.5, 1]], [[-400, 3, 2], [-400.3, 3, 2], [-400, 3.4, 2]]]}
    alone = snapshot.render({"building": view["building"]}, (5, -20, 10), (3, 3, 0))
    assert np.array_equal(snapshot.render(view, (5, -20, 10), (3, 3, 0)), alone)
    image, depth = np.zeros((90, 120, 3)), np.zeros((90, 120))
    snapshot._fill_many(image, depth, np.array([[-50.0, -49.0, -50.0]]), np.array([[5.0, 5.0, 6.0]]),
                        np.array([[0.1, 0.1, 0.1]]), np.array([[255.0, 0, 0]]))
    assert not image.any()


def _l_prism(gid, x0, y0, z0, size, depth):
    """An L-shaped prism (no hull of itself): 2 x 2 with a 1 x 1 notch, `depth` deep along y."""
    import trimesh

    ring = shapely.Polygon([(0, 0), (size, 0), (size, size / 2), (size / 2, size / 2), (size / 2, size), (0, size)])
    t = trimesh.creation.extrude_polygon(ring, depth)  # in x, y; extruded along z
    v = np.asarray(t.vertices, float)[:, [0, 2, 1]] + [x0, y0, z0]  # the L stands in x, z; depth along y
    return ElementMesh(gid, "IfcBeam", gid, None, None, "B", None, v, np.asarray(t.faces)[:, ::-1])


@pytest.mark.parametrize("w", [(0.0, 1.0), (1.0, 0.0), (0.6, 0.8), (-0.8, 0.6)])
def test_the_outline_leaves_out_only_what_the_hulls_hide(w, monkeypatch):
    """A section's silhouette merges only the parts the hulls do not hide: the same outline as
    every element's plan united, and fewer merges (an L behind a box is never merged; one standing
    out of it is)."""
    from permitcheck.facts import projection
    from permitcheck.facts.projection import outline_above, plans_above, union

    meshes = [_box("wall", 0, 0, -1, 10, 0.3, 6), _l_prism("hidden", 2, 1, 1, 2.0, 0.4),
              _l_prism("out", 8.5, 1, 4.5, 2.0, 0.4), _l_prism("below", 4, 1, -2, 2.0, 0.4)]
    w = np.asarray(w)
    across = np.array([-w[1], w[0]])
    coords = [(np.column_stack([m.vertices[:, :2] @ w, m.vertices[:, 2], m.vertices[:, :2] @ across]), m.faces)
              for m in meshes]
    merged = []
    real = projection.merge_triangles
    monkeypatch.setattr(projection, "merge_triangles", lambda p: merged.append(len(p)) or real(p))
    fast = union(outline_above(coords, 0.0, axis=1))
    culled = len(merged)
    merged.clear()
    slow = union([p for p in plans_above(coords, 0.0, axis=1) if p is not None])
    assert fast.symmetric_difference(slow).area < 1e-6 and fast.area == pytest.approx(slow.area, abs=1e-6)
    if w[0] == 1.0:  # across x the Ls show their notch: the one behind the wall is never merged
        assert 0 < culled < len(merged)


@pytest.mark.parametrize("model", ["01_AC20-FZK-Haus.ifc", "03_Duplex_A_20110907.ifc", "06_Lake_Kegonsa_Revit2014_feet.ifc"])
def test_the_culled_silhouette_of_real_models_is_the_union_of_every_plan(model, real_model):
    from permitcheck.facts.footprint import ABOVE_TOLERANCE
    from permitcheck.facts.projection import outline_above, plans_above, union
    from permitcheck.model import read_model

    meshes = read_model(real_model(model), workers=1).elements
    ground = min(float(m.vertices[:, 2].min()) for m in meshes if len(m.vertices))
    for w in (np.array([0.0, -1.0]), np.array([0.8, 0.6])):
        across = np.array([-w[1], w[0]])
        coords = [(np.column_stack([m.vertices[:, :2] @ w, m.vertices[:, 2] - ground, m.vertices[:, :2] @ across]),
                   m.faces) for m in meshes]
        fast = union(outline_above(coords, ABOVE_TOLERANCE, axis=1))
        slow = union([p for p in plans_above(coords, ABOVE_TOLERANCE, axis=1) if p is not None])
        assert fast.symmetric_difference(slow).area < 1e-5 * slow.area


@pytest.mark.parametrize("model", ["01_AC20-FZK-Haus.ifc", "03_Duplex_A_20110907.ifc", "06_Lake_Kegonsa_Revit2014_feet.ifc"])
def test_the_plan_over_a_plane_from_parts_is_the_plan_from_every_triangle(model, real_model):
    """What a report draws over a plane or an envelope: from the elements' parts (hulls, the hidden
    left out) the same plan as every triangle inside merged, for planes rising either way, a strip,
    and a region keeping what is below a level (its cut face up: merged from the triangles)."""
    from permitcheck.checks.regions import Region, plan_inside, soup
    from permitcheck.model import read_model

    meshes = tuple(read_model(real_model(model), workers=1).elements)
    tri, _ = soup(meshes)
    lo, hi = tri[..., :3].reshape(-1, 3).min(axis=0), tri[..., :3].reshape(-1, 3).max(axis=0)
    mid = (lo + hi) / 2
    cases = [
        Region("plane", (), (0.0, 0.5, 1.0), -(mid[2] + 0.5 * hi[1]), "vertical"),  # rising southwards
        Region("plane", (((1.0, 0.0, 0.0), float(mid[0])),), (-1.0, 0.0, 2.0), float(-mid[2] * 2 + mid[0]), "vertical"),
        Region("clear", (((0.0, 1.0, 0.0), float(mid[1])),), (0.0, -1.0, 0.0), float(mid[1] + 2.0), "horizontal"),
        Region("cap", (), (0.0, 0.0, -1.0), float(mid[2]), "vertical"),  # below a level: the cut faces up
    ]
    for region in cases:
        fast, slow = plan_inside([region], tri, meshes), plan_inside([region], tri)
        assert (fast is None) == (slow is None)
        if slow is not None:
            assert slow.area > 0.5
            assert fast.symmetric_difference(slow).area < 1e-4 * slow.area


def _l_plan(gid, x0, y0, z0, size, height):
    """An L-shaped prism in plan (no hull of itself: 2 x 2 less a 1 x 1 notch), `height` tall."""
    import trimesh

    ring = shapely.Polygon([(0, 0), (size, 0), (size, size / 2), (size / 2, size / 2), (size / 2, size), (0, size)])
    t = trimesh.creation.extrude_polygon(ring, height)
    return ElementMesh(gid, "IfcSlab", gid, None, None, "B", None, np.asarray(t.vertices, float) + [x0, y0, z0],
                       np.asarray(t.faces))


def test_a_part_over_a_plane_hidden_by_a_hull_is_never_merged(monkeypatch):
    from permitcheck.checks import regions
    from permitcheck.checks.regions import Region, plan_inside, soup
    from permitcheck.facts import projection

    meshes = (_box("slab", 0, 0, 0, 10, 10, 3), _l_plan("under", 2, 2, 2.5, 2.0, 1.5), _l_plan("out", 11, 2, 2.5, 2.0, 1.5))
    tri, _ = soup(meshes)
    plane = Region("plane", (), (0.0, 0.0, 1.0), -2.0, "vertical")  # what stands above 2 m
    merged = []
    real = projection.merge_triangles
    for module in (projection, regions):
        monkeypatch.setattr(module, "merge_triangles", lambda p: merged.append(len(p)) or real(p))
    fast = plan_inside([plane], tri, meshes)
    fast_merges = len(merged)
    slow = plan_inside([plane], tri)
    assert fast.area == pytest.approx(103.0) and fast.symmetric_difference(slow).area < 1e-9
    assert fast_merges == 1 and len(merged) - fast_merges == 3  # the slab its hull, the L under it left out


def test_a_model_opened_ahead_is_opened_once_and_again_when_it_changed(tmp_path, monkeypatch):
    from permitcheck.model import ifcfile

    src = (ROOT / "samples" / "buildings" / "box_m.ifc").read_bytes()
    path = tmp_path / "m.ifc"
    path.write_bytes(src)
    opened = []
    real = ifcfile._open
    monkeypatch.setattr(ifcfile, "_open", lambda p: opened.append(p) or real(p))
    ifcfile.open_ahead(str(path))
    f = ifcfile.open_ifc(str(path))
    assert len(opened) == 1 and f.by_type("IfcBuilding")
    ifcfile.open_ahead(str(path))
    path.write_bytes(src + b"\n")  # changed after it was opened ahead: read as it is now
    os.utime(path, ns=(1, 1))
    ifcfile.open_ifc(str(path))
    assert len(opened) == 3 and not ifcfile._AHEAD


def test_an_error_found_ahead_is_raised_where_the_model_is_opened(tmp_path):
    from permitcheck.errors import ModelUnreadable
    from permitcheck.model import ifcfile

    path = tmp_path / "cut.ifc"
    path.write_bytes((ROOT / "samples" / "buildings" / "box_m.ifc").read_bytes()[:2000])
    ifcfile.open_ahead(str(path))
    with pytest.raises(ModelUnreadable, match="truncated"):
        ifcfile.open_ifc(str(path))
    assert not ifcfile._AHEAD


@pytest.mark.parametrize("batch", [1, 7, 256, 1 << 20])
def test_a_window_part_height_names_the_first_element_of_a_tie_whatever_the_batches(batch, monkeypatch):
    """A parapet whose cut tops reach the roof's height exactly: of equal heights the element first
    in the model is named, however the triangles are batched (the review's counterexample named one
    element or the other by where the tie fell)."""
    import types

    from permitcheck.checks import windows

    monkeypatch.setattr(windows, "BATCH", batch)
    rows = []
    parapet = [[[x, -0.2, 0.0], [x + 5.0, -0.2, 5.0], [x, -0.2, 5.0]] for x in np.linspace(-1.9, 1.9, 300)]
    roof = [[[-0.5, -0.5, 5.0], [0.5, -0.5, 5.0], [0.0, -0.9, 5.0]]]
    for order in ((roof, parapet), (parapet, roof)):
        tri = np.concatenate([np.concatenate([np.asarray(g, float), np.full((len(g), 3, 1), float(i))], axis=2)
                              for i, g in enumerate(order)])
        ids = ("first", "second")
        ctx = types.SimpleNamespace(triangles=(tri, ids), shared={}, facts=types.SimpleNamespace(ground_elevation_m=0.0))
        rows.append(windows.part_height(ctx, np.array([0.0, 0.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), 2.0))
    assert rows == [(5.0, "first"), (5.0, "first")]


def test_a_model_gone_since_it_was_opened_ahead_leaves_nothing_behind(tmp_path):
    from permitcheck.errors import ModelNotFound
    from permitcheck.model import ifcfile

    path = tmp_path / "m.ifc"
    path.write_bytes((ROOT / "samples" / "buildings" / "box_m.ifc").read_bytes())
    ifcfile.open_ahead(str(path))
    path.unlink()
    with pytest.raises(ModelNotFound, match="no such file"):
        ifcfile.open_ifc(str(path))
    assert not ifcfile._AHEAD


def test_the_plan_over_a_plane_keeps_a_notch_and_an_overhang_the_triangles_show():
    """What was merged exactly stays exact: a slab with a 0.12 % notch is not its hull, nor is a
    bracket whose flanges overlap in plan (their tops sum to within 0.05 % of its hull)."""
    import manifold3d

    from permitcheck.checks.regions import Region, plan_inside, soup
    from permitcheck.facts.projection import element_plans

    def cube(lo, hi):
        lo, hi = np.asarray(lo, float), np.asarray(hi, float)
        return manifold3d.Manifold.cube(tuple(hi - lo)).translate(tuple(lo))

    def element(gid, solid):
        m = solid.to_mesh()
        return ElementMesh(gid, "IfcMember", gid, None, None, "B", None,
                           np.asarray(m.vert_properties, float)[:, :3], np.asarray(m.tri_verts, np.int64))

    bracket = element("bracket", cube([0, 0, 0], [2, 1, 1]) + cube([0, 0, 0.5], [0.05, 0.05, 2.5])
                      + cube([0, 0, 2], [1, 3, 3]))
    slab = element("slab", cube([0, 0, 0], [20, 20, 0.3]) - cube([19.3, 19.3, -0.5], [20, 20, 0.5]))
    # the element's own plan (the facts', a footprint's): the bracket as it is, the slab its hull
    # within CONVEX_SHARE as it always was
    plans = element_plans([(bracket.vertices, bracket.faces), (slab.vertices, slab.faces)])
    assert plans[0].area == pytest.approx(4.0, abs=1e-4) and plans[1].area == pytest.approx(400.0 - 0.49 / 2, abs=1e-4)
    above = Region("plane", (), (0.0, 0.0, 1.0), -0.1, "vertical")
    for e, area in ((bracket, 4.0), (slab, 400.0 - 0.49)):
        tri, _ = soup((e,))
        fast = plan_inside([above], tri, (e,))
        assert fast.area == pytest.approx(area, abs=1e-4)  # manifold3d keeps single precision
        assert fast.symmetric_difference(plan_inside([above], tri)).area < 1e-6


def test_the_check_command_reads_the_model_it_opened_ahead_once(monkeypatch):
    from typer.testing import CliRunner

    from permitcheck.cli import app
    from permitcheck.model import ifcfile

    import threading

    opened = []
    real = ifcfile._open
    monkeypatch.setattr(ifcfile, "_open", lambda p: opened.append(threading.current_thread().name) or real(p))
    r = CliRunner().invoke(app, ["check", str(ROOT / "samples" / "buildings" / "box_m.ifc"), "--site",
                                 str(ROOT / "samples/sites/box_tight.geojson"), "--rules",
                                 str(ROOT / "rules/kr/national.yaml"), "--anchor", "220000,560000", "-q"])
    assert r.exit_code in (0, 1), r.output
    assert opened == ["permitcheck-open-ahead"] and not ifcfile._AHEAD  # opened once, ahead, and taken


def test_the_outline_closes_hairline_gaps_between_elements():
    """The plan above a level (a window's wall is looked for on its rings): elements whose faces
    miss each other by far less than the 0.1 mm grid leave no hairline hole inside it, as
    exporters' near-coincident walls would (the hulls' cover is united in floating point, then
    snapped)."""
    from permitcheck.facts.projection import outline_over, union

    gap = 1e-8
    meshes = [_box("a", 0, 0, 0, 1, 1, 3), _box("b", 1 + gap, 0, 0, 2, 1, 3),
              _box("top", 0, 0.9, 0, 2, 1 - gap, 3), _box("bottom", 0, gap, 0, 2, 0.1, 3)]
    plan = union(outline_over([(m.vertices, m.faces) for m in meshes], [], 0.0))
    assert plan.geom_type == "Polygon" and len(plan.interiors) == 0
    assert plan.area == pytest.approx(2.0, abs=1e-6)


def test_the_storeys_uprights_by_one_sweep_are_those_each_storey_would_scan():
    """The walls and columns standing in each storey (legal storey views), found in one sweep up the
    building: the same, in the model's order, as each storey scanning every upright (which grew as
    the square of a tower's height) — walls through several storeys, ones just touching a floor,
    storeys at one elevation, and an upright with no height."""
    from permitcheck.profiles.storeys import _standing

    rng = np.random.default_rng(5)
    for _ in range(30):
        n = int(rng.integers(1, 60))
        lo = np.round(rng.uniform(-3, 30, n), 1)
        hi = lo + np.round(rng.choice([0.05, 0.1, 0.2, 3.0, 9.0, 30.0], n), 1)
        if n > 3:
            lo[1] = np.nan
        walls = [_box(f"w{k}", 0, 0, lo[k], 1, 1, hi[k]) if np.isfinite(lo[k]) else
                 ElementMesh(f"w{k}", "IfcWall", f"w{k}", None, None, "B", None,
                             np.array([[0.0, 0.0, np.nan]] * 4), np.array([[0, 1, 2], [0, 2, 3]]))
                 for k in range(n)]
        elevations = sorted(np.round(rng.uniform(-3, 30, int(rng.integers(1, 12))), 0))
        spans = [(e, elevations[i + 1] if i + 1 < len(elevations) else e + 3.0) for i, e in enumerate(elevations)]
        swept = list(_standing(walls, spans))
        scanned = [[w for w in walls if float(w.vertices[:, 2].min()) < upper - 0.1
                    and float(w.vertices[:, 2].max()) > e + 0.1] for e, upper in spans]
        assert [[w.global_id for w in s] for s in swept] == [[w.global_id for w in s] for s in scanned]
