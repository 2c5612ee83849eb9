"""Tiny IFC buildings for known-answer tests, built with ifcopenshell.api in memory.

Every figure a test asserts is computed from the same numbers the builder is given, never typed
twice. Units are metres, the model is IFC4, ground is z = 0 unless a terrain is added.
"""

from __future__ import annotations

import math
import uuid
from pathlib import Path

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.context
import ifcopenshell.api.geometry
import ifcopenshell.api.material
import ifcopenshell.api.project
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.unit
import ifcopenshell.guid
import numpy as np
from ifcopenshell.util.shape_builder import ShapeBuilder

Point = tuple[float, float]
_NS = uuid.UUID("0b7e5a52-57a4-4b35-9d43-6b6a1f0c2d11")


def rect(x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


class Builder:
    """One IfcProject > IfcSite > IfcBuilding, storeys and elements placed in world metres."""

    def __init__(self, name: str = "test", schema: str = "IFC4"):
        self.f = ifcopenshell.api.project.create_file(version=schema)
        self._n = 0
        project = self._create("IfcProject", name)
        ifcopenshell.api.unit.assign_unit(self.f, units=[
            ifcopenshell.api.unit.add_si_unit(self.f, unit_type="LENGTHUNIT"),
            ifcopenshell.api.unit.add_si_unit(self.f, unit_type="AREAUNIT"),
            ifcopenshell.api.unit.add_si_unit(self.f, unit_type="VOLUMEUNIT")])
        model = ifcopenshell.api.context.add_context(self.f, context_type="Model")
        self.body = ifcopenshell.api.context.add_context(self.f, context_type="Model", context_identifier="Body",
                                                         target_view="MODEL_VIEW", parent=model)
        self.axis_ctx = ifcopenshell.api.context.add_context(self.f, context_type="Plan", context_identifier="Axis",
                                                             target_view="GRAPH_VIEW", parent=model)
        self.sb = ShapeBuilder(self.f)
        self.site = self._create("IfcSite", "Site")
        ifcopenshell.api.aggregate.assign_object(self.f, products=[self.site], relating_object=project)
        self._place(self.site, (0, 0, 0))
        self.building = self._create("IfcBuilding", "Building")
        ifcopenshell.api.aggregate.assign_object(self.f, products=[self.building], relating_object=self.site)
        self._place(self.building, (0, 0, 0))
        self.storeys: dict[str, ifcopenshell.entity_instance] = {}

    # -- bookkeeping ------------------------------------------------------------------------------
    def _create(self, cls: str, name: str, predefined: str | None = None):
        self._n += 1
        el = ifcopenshell.api.root.create_entity(self.f, ifc_class=cls, name=name, predefined_type=predefined)
        el.GlobalId = ifcopenshell.guid.compress(uuid.uuid5(_NS, f"{self._n}:{name}").hex)
        return el

    def _place(self, product, origin, x_dir=(1.0, 0.0), relative_to=None):
        x = np.array([x_dir[0], x_dir[1], 0.0]) / math.hypot(*x_dir)
        z = np.array([0.0, 0.0, 1.0])
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2] = x, np.cross(z, x), z
        m[:3, 3] = origin
        ifcopenshell.api.geometry.edit_object_placement(self.f, product=product, matrix=m, is_si=True)

    def _extrusion(self, ring: list[Point], depth: float):
        profile = self.sb.profile(self.sb.polyline([tuple(map(float, p)) for p in ring], closed=True))
        return self.sb.get_representation(self.body, [self.sb.extrude(profile, float(depth))])

    def storey(self, name: str, elevation: float, placed_at: float | None = None, attribute: float | None = None):
        """A storey; `placed_at`/`attribute` let a test make its placement or Elevation disagree."""
        s = self._create("IfcBuildingStorey", name)
        s.Elevation = elevation if attribute is None else attribute
        ifcopenshell.api.aggregate.assign_object(self.f, products=[s], relating_object=self.building)
        self._place(s, (0, 0, elevation if placed_at is None else placed_at))
        self.storeys[name] = s
        return s

    def _element(self, storey, cls: str, name: str, predefined: str | None = None):
        el = self._create(cls, name, predefined)
        if storey is not None:
            ifcopenshell.api.spatial.assign_container(self.f, products=[el], relating_structure=self.storeys[storey])
        return el

    def prism(self, storey, cls: str, name: str, ring: list[Point], bottom: float, top: float,
              predefined: str | None = None):
        """Any element as a vertical prism over `ring` between two levels."""
        el = self._element(storey, cls, name, predefined)
        self._place(el, (0, 0, bottom))
        ifcopenshell.api.geometry.assign_representation(self.f, product=el,
                                                        representation=self._extrusion(ring, top - bottom))
        return el

    # -- building parts -------------------------------------------------------------------------
    def slab(self, storey, ring: list[Point], top: float, thickness: float = 0.2, predefined: str = "FLOOR",
             name: str | None = None):
        return self.prism(storey, "IfcSlab", name or f"{storey} slab", ring, top - thickness, top, predefined)

    def wall(self, storey, p: Point, q: Point, bottom: float, top: float, thickness: float = 0.3,
             name: str | None = None, axis: bool = True, layers: bool = True, body: bool = True):
        """A wall along p -> q with its thickness to the left (inside a counter-clockwise outline).

        Its Axis representation runs along the centre line, and its material layer set usage carries
        the thickness, as authoring tools write them.
        """
        el = self._element(storey, "IfcWall", name or f"{storey} wall {p}-{q}", "STANDARD")
        length = math.dist(p, q)
        d = ((q[0] - p[0]) / length, (q[1] - p[1]) / length)
        self._place(el, (p[0], p[1], bottom), d)
        reps = []
        if body:
            reps.append(self._extrusion([(0, 0), (length, 0), (length, thickness), (0, thickness)], top - bottom))
        if axis:
            curve = self.sb.polyline([(0.0, thickness / 2), (length, thickness / 2)])
            reps.append(self.sb.get_representation(self.axis_ctx, [curve]))
        for rep in reps:
            ifcopenshell.api.geometry.assign_representation(self.f, product=el, representation=rep)
        if layers:
            material = ifcopenshell.api.material.add_material(self.f, name="Concrete")
            layer_set = ifcopenshell.api.material.add_material_set(self.f, name="Wall", set_type="IfcMaterialLayerSet")
            layer = ifcopenshell.api.material.add_layer(self.f, layer_set=layer_set, material=material)
            layer.LayerThickness = thickness
            ifcopenshell.api.material.assign_material(self.f, products=[el], type="IfcMaterialLayerSetUsage",
                                                      material=layer_set)
        return el

    def ring_walls(self, storey, ring: list[Point], bottom: float, top: float, thickness: float = 0.3, **kw):
        """Walls along a counter-clockwise ring, their outer faces on it."""
        return [self.wall(storey, p, ring[(i + 1) % len(ring)], bottom, top, thickness, **kw)
                for i, p in enumerate(ring)]

    def block(self, storeys: list[tuple[str, float]], ring: list[Point], top: float, wall: float = 0.3,
              roof_ring: list[Point] | None = None, roof_thickness: float = 0.3, slab: float = 0.2):
        """Storeys over one outline: floor slabs, ring walls, and a roof slab (wider when it has eaves).

        The roof slab sits on the walls: its underside at `top`.
        """
        for i, (name, z) in enumerate(storeys):
            if name not in self.storeys:
                self.storey(name, z)
            self.slab(name, ring, z, slab, "BASESLAB" if i == 0 else "FLOOR")
            up = storeys[i + 1][1] if i + 1 < len(storeys) else top
            self.ring_walls(name, ring, z, up, wall)
        last = storeys[-1][0]
        return self.slab(last, roof_ring or ring, top + roof_thickness, roof_thickness, "ROOF", name=f"{last} roof")

    def space(self, storey, ring: list[Point], bottom: float, top: float, name: str, long_name: str | None = None,
              object_type: str | None = None, predefined: str | None = None, pset: dict | None = None):
        el = self._element(None, "IfcSpace", name, predefined)
        ifcopenshell.api.aggregate.assign_object(self.f, products=[el], relating_object=self.storeys[storey])
        el.LongName = long_name
        el.ObjectType = object_type
        self._place(el, (0, 0, bottom))
        ifcopenshell.api.geometry.assign_representation(self.f, product=el,
                                                        representation=self._extrusion(ring, top - bottom))
        if pset:
            name_, props = next(iter(pset.items()))
            p = ifcopenshell.api.pset.add_pset(self.f, product=el, name=name_)
            ifcopenshell.api.pset.edit_pset(self.f, pset=p, properties=props)
        return el

    def parts_only_wall(self, storey, p: Point, q: Point, bottom: float, top: float, thickness: float = 0.3):
        """A wall with no body of its own, measured by its IfcBuildingElementParts (ArchiCAD's parts export)."""
        wall = self.wall(storey, p, q, bottom, top, thickness, body=False, name=f"{storey} parts wall")
        length = math.dist(p, q)
        d = ((q[0] - p[0]) / length, (q[1] - p[1]) / length)
        n = (-d[1], d[0])
        parts = []
        for k, (a, b) in enumerate(((0.0, thickness / 2), (thickness / 2, thickness))):
            ring = [(p[0] + n[0] * a, p[1] + n[1] * a), (q[0] + n[0] * a, q[1] + n[1] * a),
                    (q[0] + n[0] * b, q[1] + n[1] * b), (p[0] + n[0] * b, p[1] + n[1] * b)]
            part = self.prism(None, "IfcBuildingElementPart", f"layer {k}", ring, bottom, top)
            parts.append(part)
        ifcopenshell.api.aggregate.assign_object(self.f, products=parts, relating_object=wall)
        return wall

    def terrain(self, points: list[tuple[float, float, float]], triangles: list[tuple[int, int, int]]):
        """The site's terrain as a triangulated surface (IfcSite body), in world metres."""
        pts = self.f.createIfcCartesianPointList3D([tuple(map(float, p)) for p in points])
        faces = self.f.createIfcTriangulatedFaceSet(pts, None, None, [tuple(i + 1 for i in t) for t in triangles])
        rep = self.sb.get_representation(self.body, [faces])
        ifcopenshell.api.geometry.assign_representation(self.f, product=self.site, representation=rep)

    def write(self, path: Path) -> Path:
        self.f.write(str(path))
        return path
