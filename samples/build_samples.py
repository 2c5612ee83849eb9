"""Generate the sample IFC buildings that permitcheck is tested against.

Why: permitcheck measures facts a permit reviewer needs (building height,
footprint, gross floor area, storeys above/below ground, georeference). To
test those measurements we need IFC files whose true answers are known *by
construction*. This script builds small models with ``ifcopenshell.api`` and
writes, next to them, ``expected.json`` whose values are computed from the
very dimension variables used to build the geometry (never typed in twice).

Usage::

    python samples/build_samples.py [OUTDIR]     # default: samples/buildings/

Output is deterministic: GlobalIds are uuid5 of a stable name, the STEP
header timestamp and IfcOwnerHistory dates are fixed, so re-running gives
byte-identical files.

Modelling conventions (what the checker measures):

* IfcProject > IfcSite > IfcBuilding > IfcBuildingStorey; storey placement
  z == ``Elevation``; every element is contained in its storey.
* Every floor storey has one IfcSlab FLOOR (BASESLAB for the lowest) with the
  storey outline, top face at the storey elevation, 0.2 m thick downward.
* Exterior IfcWalls are 0.2 m thick, inside the outline (outer face on it),
  from the storey elevation up to the next storey elevation (top storey: up to
  the roof underside). Walls also ring courtyards, on the building side.
* Roof: IfcSlab ROOF, 0.3 m thick, bottom at top elevation + storey height.
* Ground is z = 0; the storey at elevation 0 is the ground storey.

expected.json conventions:

* All lengths in metres, areas in m^2, in *model* coordinates unless stated.
* ``rotation_deg`` is the angle of the model X axis measured from map east,
  counter-clockwise positive, i.e. atan2(XAxisOrdinate, XAxisAbscissa).
  Map points use E = E0 + s*(x*cos - y*sin), N = N0 + s*(x*sin + y*cos),
  with s = Scale converting model units to map units (metres).
* ``storeys_above_ground`` counts storeys at elevation >= 0 that have a floor
  slab; ``gross_floor_area_m2`` sums their slab outline areas.
"""

from __future__ import annotations

import json
import math
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.context
import ifcopenshell.api.georeference
import ifcopenshell.api.group
import ifcopenshell.api.geometry
import ifcopenshell.api.owner
import ifcopenshell.api.project
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.unit
import ifcopenshell.guid
import numpy as np
from ifcopenshell.util.shape_builder import ShapeBuilder
from shapely.geometry import Polygon
from shapely.ops import unary_union

TIMESTAMP = "2024-01-01T00:00:00"
EPOCH = 1704067200  # TIMESTAMP as unix time, for IfcOwnerHistory (IFC2X3)
GUID_NAMESPACE = uuid.UUID("6b1f3c1e-8a8e-5d0e-9c4f-7065726d6974")

FOOT = 0.3048
SLAB_T = 0.2
WALL_T = 0.2
ROOF_T = 0.3

CRS_NAME = "EPSG:5186"
CRS_DESCRIPTION = "Korea 2000 / Central Belt 2010"
GEO = dict(eastings=210000.0, northings=550000.0, height=35.0, rotation_deg=30.0)

Point = tuple[float, float]


# --------------------------------------------------------------------------
# model bookkeeping
# --------------------------------------------------------------------------


@dataclass
class BuildingRef:
    entity: ifcopenshell.entity_instance
    name: str
    origin: Point


@dataclass
class StoreyRef:
    entity: ifcopenshell.entity_instance
    name: str
    elevation: float
    building: BuildingRef
    outline: Polygon | None = None  # floor slab outline, world metres


@dataclass
class ElementRecord:
    name: str
    building: BuildingRef
    plan: Polygon  # horizontal projection, world metres
    zmin: float
    zmax: float


@dataclass
class Model:
    file: ifcopenshell.file
    file_name: str
    unit_m: float
    body: ifcopenshell.entity_instance
    site: ifcopenshell.entity_instance
    builder: ShapeBuilder
    buildings: list[BuildingRef] = field(default_factory=list)
    storeys: list[StoreyRef] = field(default_factory=list)
    records: list[ElementRecord] = field(default_factory=list)
    georef: dict | None = None
    latlon: dict | None = None
    notes: str | None = None

    def u(self, metres: float) -> float:
        """Metres -> model length units, snapped to kill float noise."""
        return round(metres / self.unit_m, 9) + 0.0

    def u2(self, pt: Point) -> tuple[float, float]:
        return (self.u(pt[0]), self.u(pt[1]))


# --------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------


def rect(x0: float, y0: float, width: float, depth: float) -> list[Point]:
    """Counter-clockwise rectangle outline."""
    return [(x0, y0), (x0 + width, y0), (x0 + width, y0 + depth), (x0, y0 + depth)]


def shift(points: list[Point], origin: Point) -> list[Point]:
    return [(x + origin[0], y + origin[1]) for x, y in points]


def make_units(f: ifcopenshell.file, unit_name: str) -> list:
    """Length/area/volume units for METRE, MILLIMETRE or FOOT models."""
    if unit_name == "FOOT":
        length = ifcopenshell.api.unit.add_conversion_based_unit(f, name="foot")
        length.Name = "FOOT"
        length.ConversionFactor.ValueComponent = f.create_entity("IfcLengthMeasure", FOOT)
        area = ifcopenshell.api.unit.add_conversion_based_unit(f, name="square foot")
        volume = ifcopenshell.api.unit.add_conversion_based_unit(f, name="cubic foot")
        return [length, area, volume]
    prefix = "MILLI" if unit_name == "MILLIMETRE" else None
    length = ifcopenshell.api.unit.add_si_unit(f, unit_type="LENGTHUNIT", prefix=prefix)
    area = ifcopenshell.api.unit.add_si_unit(f, unit_type="AREAUNIT")
    volume = ifcopenshell.api.unit.add_si_unit(f, unit_type="VOLUMEUNIT")
    return [length, area, volume]


UNIT_METRES = {"METRE": 1.0, "MILLIMETRE": 0.001, "FOOT": FOOT}


def add_owner(f: ifcopenshell.file) -> None:
    """IFC2X3 requires IfcOwnerHistory: create the user and application the
    default owner settings pick up from the file."""
    person = ifcopenshell.api.owner.add_person(
        f, identification="permitcheck", family_name="Samples", given_name="Sample"
    )
    org = ifcopenshell.api.owner.add_organisation(f, identification="permitcheck", name="permitcheck")
    ifcopenshell.api.owner.add_person_and_organisation(f, person=person, organisation=org)
    ifcopenshell.api.owner.add_application(f)


def new_model(file_name: str, schema: str = "IFC4", unit_name: str = "METRE") -> Model:
    """Make a project with units, a 3D body context and one IfcSite."""
    f = ifcopenshell.api.project.create_file(version=schema)
    f.header.file_name.name = file_name
    f.header.file_name.time_stamp = TIMESTAMP
    if schema == "IFC2X3":
        add_owner(f)
    project = ifcopenshell.api.root.create_entity(f, ifc_class="IfcProject", name=f"permitcheck sample {file_name}")
    ifcopenshell.api.unit.assign_unit(f, units=make_units(f, unit_name))
    model_ctx = ifcopenshell.api.context.add_context(f, context_type="Model")
    body = ifcopenshell.api.context.add_context(
        f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model_ctx
    )
    site = ifcopenshell.api.root.create_entity(f, ifc_class="IfcSite", name="Site")
    ifcopenshell.api.aggregate.assign_object(f, products=[site], relating_object=project)
    m = Model(f, file_name, UNIT_METRES[unit_name], body, site, ShapeBuilder(f))
    place(m, site, (0.0, 0.0, 0.0))
    return m


def place(m: Model, product, origin_m, x_dir=(1.0, 0.0)) -> None:
    """Set a product's world placement (metres, Z up, X along x_dir) via the
    api, then snap the stored relative placement to remove float noise."""
    x = np.array([x_dir[0], x_dir[1], 0.0]) / math.hypot(*x_dir)
    z = np.array([0.0, 0.0, 1.0])
    matrix = np.eye(4)
    matrix[:3, 0], matrix[:3, 1], matrix[:3, 2] = x, np.cross(z, x), z
    matrix[:3, 3] = origin_m
    placement = ifcopenshell.api.geometry.edit_object_placement(m.file, product=product, matrix=matrix, is_si=True)
    rel = placement.RelativePlacement
    rel.Location.Coordinates = tuple(round(c, 9) + 0.0 for c in rel.Location.Coordinates)
    for direction in (rel.Axis, rel.RefDirection):
        if direction is not None:
            direction.DirectionRatios = tuple(round(c, 12) + 0.0 for c in direction.DirectionRatios)


def add_building(m: Model, name: str, origin: Point = (0.0, 0.0)) -> BuildingRef:
    entity = ifcopenshell.api.root.create_entity(m.file, ifc_class="IfcBuilding", name=name)
    entity.ObjectType = "Office"  # its use, as rulebooks read it (Korea's 업무시설): no apartment rules apply
    ifcopenshell.api.aggregate.assign_object(m.file, products=[entity], relating_object=m.site)
    place(m, entity, (origin[0], origin[1], 0.0))
    ref = BuildingRef(entity, name, origin)
    m.buildings.append(ref)
    return ref


def add_storey(m: Model, building: BuildingRef, name: str, elevation: float) -> StoreyRef:
    entity = ifcopenshell.api.root.create_entity(m.file, ifc_class="IfcBuildingStorey", name=name)
    entity.Elevation = m.u(elevation)
    ifcopenshell.api.aggregate.assign_object(m.file, products=[entity], relating_object=building.entity)
    place(m, entity, (building.origin[0], building.origin[1], elevation))
    ref = StoreyRef(entity, name, elevation, building)
    m.storeys.append(ref)
    return ref


def new_element(m: Model, storey: StoreyRef, ifc_class: str, name: str, predefined: str | None = None):
    if m.file.schema == "IFC2X3" and ifc_class == "IfcWall":
        predefined = None  # IfcWall has no PredefinedType in IFC2X3
    element = ifcopenshell.api.root.create_entity(m.file, ifc_class=ifc_class, name=name, predefined_type=predefined)
    ifcopenshell.api.spatial.assign_container(m.file, products=[element], relating_structure=storey.entity)
    return element


def extrusion(m: Model, rings_u: list[list[tuple[float, float]]], depth_m: float):
    """Body representation: first ring = outer boundary, others = voids."""
    curves = [m.builder.polyline(ring, closed=True) for ring in rings_u]
    profile = m.builder.profile(curves[0], inner_curves=curves[1:])
    solid = m.builder.extrude(profile, m.u(depth_m))
    return m.builder.get_representation(m.body, [solid])


def record(m: Model, storey: StoreyRef, name: str, plan_local: Polygon, zmin: float, zmax: float) -> None:
    ox, oy = storey.building.origin
    plan = Polygon(shift(list(plan_local.exterior.coords), (ox, oy)),
                   [shift(list(r.coords), (ox, oy)) for r in plan_local.interiors])
    m.records.append(ElementRecord(name, storey.building, plan, zmin, zmax))


def add_slab(m: Model, storey: StoreyRef, name: str, outline: list[Point], top: float,
             thickness: float, predefined: str, holes: list[list[Point]] = ()) -> None:
    """Add a rectangular/polygon slab (optionally with voids), top face at ``top``."""
    slab = new_element(m, storey, "IfcSlab", name, predefined)
    ox, oy = storey.building.origin
    place(m, slab, (ox, oy, top - thickness))
    rings = [[m.u2(p) for p in outline]] + [[m.u2(p) for p in hole] for hole in holes]
    ifcopenshell.api.geometry.assign_representation(m.file, product=slab, representation=extrusion(m, rings, thickness))
    plan = Polygon(outline, list(holes))
    record(m, storey, name, plan, top - thickness, top)
    if predefined in ("FLOOR", "BASESLAB"):
        storey.outline = Polygon(shift(outline, storey.building.origin),
                                 [shift(h, storey.building.origin) for h in holes])


def add_wall(m: Model, storey: StoreyRef, name: str, p: Point, q: Point, base: float, height: float) -> None:
    """Add a wall along segment p->q, thickness to the LEFT of the segment
    (the inside of a counter-clockwise outline / outside of a clockwise hole)."""
    wall = new_element(m, storey, "IfcWall", name, "STANDARD")
    length = math.dist(p, q)
    dx, dy = (q[0] - p[0]) / length, (q[1] - p[1]) / length
    ox, oy = storey.building.origin
    place(m, wall, (ox + p[0], oy + p[1], base), (dx, dy))
    local = [(0.0, 0.0), (m.u(length), 0.0), (m.u(length), m.u(WALL_T)), (0.0, m.u(WALL_T))]
    ifcopenshell.api.geometry.assign_representation(m.file, product=wall, representation=extrusion(m, [local], height))
    nx, ny = -dy * WALL_T, dx * WALL_T
    plan = Polygon([p, q, (q[0] + nx, q[1] + ny), (p[0] + nx, p[1] + ny)])
    record(m, storey, name, plan, base, base + height)


def add_ring_walls(m: Model, storey: StoreyRef, prefix: str, ring: list[Point], base: float, height: float) -> None:
    for i, p in enumerate(ring):
        add_wall(m, storey, f"{prefix} {i + 1}", p, ring[(i + 1) % len(ring)], base, height)


def add_box(m: Model, building: BuildingRef, levels: list[tuple[str, float]], outline: list[Point],
            storey_height: float, holes: list[list[Point]] = (), roof_name: str | None = "Roof slab",
            lowest_is_base: bool = True) -> list[StoreyRef]:
    """A prism block: per level a storey, its floor slab and ring walls
    (outline counter-clockwise, holes clockwise), then an optional roof slab."""
    storeys = []
    for i, (name, elevation) in enumerate(levels):
        storey = add_storey(m, building, name, elevation)
        slab_type = "BASESLAB" if i == 0 and lowest_is_base else "FLOOR"
        add_slab(m, storey, f"{name} floor slab", outline, elevation, SLAB_T, slab_type, holes)
        top = levels[i + 1][1] if i + 1 < len(levels) else elevation + storey_height
        add_ring_walls(m, storey, f"{name} wall", outline, elevation, top - elevation)
        for k, hole in enumerate(holes):
            add_ring_walls(m, storey, f"{name} courtyard {k + 1} wall", hole, elevation, top - elevation)
        storeys.append(storey)
    if roof_name:
        roof_bottom = levels[-1][1] + storey_height
        add_slab(m, storeys[-1], roof_name, outline, roof_bottom + ROOF_T, ROOF_T, "ROOF", holes)
    return storeys


def levels(names: list[str], first: float, step: float) -> list[tuple[str, float]]:
    return [(name, round(first + i * step, 9)) for i, name in enumerate(names)]


# --------------------------------------------------------------------------
# georeferencing
# --------------------------------------------------------------------------


def map_conversion_figures(scale: float) -> dict:
    rot = math.radians(GEO["rotation_deg"])
    return {"Eastings": GEO["eastings"], "Northings": GEO["northings"], "OrthogonalHeight": GEO["height"],
            "XAxisAbscissa": math.cos(rot), "XAxisOrdinate": math.sin(rot), "Scale": scale}


def remember_georef(m: Model, figures: dict) -> None:
    m.georef = {
        "crs": CRS_NAME,
        "eastings": figures["Eastings"],
        "northings": figures["Northings"],
        "orthogonal_height": figures["OrthogonalHeight"],
        "rotation_deg": math.degrees(math.atan2(figures["XAxisOrdinate"], figures["XAxisAbscissa"])),
        "scale": figures["Scale"],
        "_abscissa": figures["XAxisAbscissa"],
        "_ordinate": figures["XAxisOrdinate"],
    }


def add_map_conversion(m: Model, scale: float) -> None:
    """IFC4: IfcMapConversion + IfcProjectedCRS (map unit metre)."""
    figures = map_conversion_figures(scale)
    ifcopenshell.api.georeference.add_georeferencing(m.file, ifc_class="IfcMapConversion", name=CRS_NAME)
    metre = ifcopenshell.api.unit.add_si_unit(m.file, unit_type="LENGTHUNIT")
    ifcopenshell.api.georeference.edit_georeferencing(
        m.file, coordinate_operation=figures, projected_crs={"Description": CRS_DESCRIPTION, "MapUnit": metre}
    )
    remember_georef(m, figures)


def add_ifc2x3_georef_psets(m: Model) -> None:
    """IFC2X3: ePSet_MapConversion + ePSet_ProjectedCRS on the IfcProject."""
    f = m.file
    figures = map_conversion_figures(1.0)
    project = f.by_type("IfcProject")[0]
    crs = ifcopenshell.api.pset.add_pset(f, project, "ePSet_ProjectedCRS")
    ifcopenshell.api.pset.edit_pset(f, crs, properties={"Name": f.create_entity("IfcLabel", CRS_NAME),
                                                        "Description": f.create_entity("IfcText", CRS_DESCRIPTION)})
    conversion = ifcopenshell.api.pset.add_pset(f, project, "ePSet_MapConversion")
    typed = {k: f.create_entity("IfcLengthMeasure" if k in ("Eastings", "Northings", "OrthogonalHeight")
                                else "IfcReal", v) for k, v in figures.items()}
    ifcopenshell.api.pset.edit_pset(f, conversion, properties=typed)
    remember_georef(m, figures)


def compound_angle(degrees: float) -> tuple[int, int, int, int]:
    """Decimal degrees -> IfcCompoundPlaneAngleMeasure (d, m, s, millionths)."""
    sign = -1 if degrees < 0 else 1
    total = round(abs(degrees) * 3600 * 1_000_000)
    d, rest = divmod(total, 3600 * 1_000_000)
    mi, rest = divmod(rest, 60 * 1_000_000)
    s, millionths = divmod(rest, 1_000_000)
    return (sign * d, sign * mi, sign * s, sign * millionths)


def compound_to_degrees(c) -> float:
    return c[0] + c[1] / 60 + (c[2] + c[3] / 1_000_000) / 3600


# --------------------------------------------------------------------------
# the buildings
# --------------------------------------------------------------------------

BOX_W, BOX_D, BOX_STOREY_H = 20.0, 12.0, 3.0
BOX_LEVEL_NAMES = ["Level 0", "Level 1", "Level 2"]


def add_standard_box(m: Model, origin: Point = (0.0, 0.0), name: str = "Building") -> list[StoreyRef]:
    building = add_building(m, name, origin)
    return add_box(m, building, levels(BOX_LEVEL_NAMES, 0.0, BOX_STOREY_H), rect(0, 0, BOX_W, BOX_D), BOX_STOREY_H)


def build_box_m() -> Model:
    m = new_model("box_m.ifc")
    add_standard_box(m)
    return m


def build_box_mm() -> Model:
    m = new_model("box_mm.ifc", unit_name="MILLIMETRE")
    add_standard_box(m)
    return m


def build_box_ft() -> Model:
    width_ft, depth_ft, storey_ft = 60, 40, 10
    m = new_model("box_ft.ifc", schema="IFC2X3", unit_name="FOOT")
    building = add_building(m, "Building")
    add_box(m, building, levels(BOX_LEVEL_NAMES, 0.0, storey_ft * FOOT),
            rect(0, 0, width_ft * FOOT, depth_ft * FOOT), storey_ft * FOOT)
    m.notes = "60 x 40 ft, 3 storeys of 10 ft; slab/wall 0.2 m and roof 0.3 m thick (converted to feet)."
    return m


def build_lshape_basement() -> Model:
    m = new_model("lshape_basement.ifc")
    building = add_building(m, "Building")
    basement_outline = rect(-4, -4, 34, 30)
    basement_elevation, ground_slab_underside = -3.0, -SLAB_T
    basement = add_storey(m, building, "Basement", basement_elevation)
    add_slab(m, basement, "Basement floor slab", basement_outline, basement_elevation, SLAB_T, "BASESLAB")
    add_ring_walls(m, basement, "Basement wall", basement_outline, basement_elevation,
                   ground_slab_underside - basement_elevation)
    l_outline = [(0, 0), (24, 0), (24, 10), (10, 10), (10, 20), (0, 20)]
    add_box(m, building, levels(["Ground Floor", "Level 1"], 0.0, 3.2), l_outline, 3.2, lowest_is_base=False)
    return m


def build_podium_tower() -> Model:
    m = new_model("podium_tower.ifc")
    building = add_building(m, "Building")
    podium_h, tower_h = 4.5, 3.0
    podium_levels = levels(["Level 0", "Level 1"], 0.0, podium_h)
    tower_base = podium_levels[-1][1] + podium_h
    tower_levels = levels([f"Level {i}" for i in range(2, 10)], tower_base, tower_h)
    podium = add_box(m, building, podium_levels, rect(0, 0, 40, 30), podium_h, roof_name=None)
    # podium roof: flush with the tower's first floor (top face at tower_base)
    add_slab(m, podium[-1], "Podium roof slab", rect(0, 0, 40, 30), tower_base, ROOF_T, "ROOF")
    add_box(m, building, tower_levels, rect(12, 8, 15, 15), tower_h, roof_name="Tower roof slab",
            lowest_is_base=False)
    m.notes = ("Podium roof slab (ROOF, 0.3 m) is contained in 'Level 1' with its top face flush with the "
               "tower's first floor at 9.0 m; the tower's own 15 x 15 floor slab overlaps it there.")
    return m


def build_courtyard() -> Model:
    m = new_model("courtyard.ifc")
    building = add_building(m, "Building")
    courtyard_cw = list(reversed(rect(10, 10, 10, 10)))
    add_box(m, building, levels(["Level 0", "Level 1"], 0.0, 3.5), rect(0, 0, 30, 30), 3.5, holes=[courtyard_cw])
    return m


def build_geo_rotated_m() -> Model:
    m = new_model("geo_rotated_m.ifc")
    add_standard_box(m)
    add_map_conversion(m, scale=1.0)
    return m


def build_geo_rotated_mm() -> Model:
    m = new_model("geo_rotated_mm.ifc", unit_name="MILLIMETRE")
    add_standard_box(m)
    add_map_conversion(m, scale=m.unit_m)  # mm -> map metres
    return m


def build_geo_ifc2x3_pset() -> Model:
    m = new_model("geo_ifc2x3_pset.ifc", schema="IFC2X3")
    add_standard_box(m)
    add_ifc2x3_georef_psets(m)
    return m


def build_latlon_site() -> Model:
    lat, lon, elevation, true_north_deg = 36.815, 127.114, 30.0, 15.0
    m = new_model("latlon_site.ifc")
    add_standard_box(m)
    m.site.RefLatitude = compound_angle(lat)
    m.site.RefLongitude = compound_angle(lon)
    m.site.RefElevation = m.u(elevation)
    ifcopenshell.api.georeference.edit_true_north(m.file, true_north=true_north_deg)
    ratios = m.file.by_type("IfcGeometricRepresentationContext", include_subtypes=False)[0].TrueNorth.DirectionRatios
    m.latlon = {
        "lat": compound_to_degrees(m.site.RefLatitude),
        "lon": compound_to_degrees(m.site.RefLongitude),
        "elevation": m.site.RefElevation * m.unit_m,
        "ref_latitude_dms": list(m.site.RefLatitude),
        "ref_longitude_dms": list(m.site.RefLongitude),
        "true_north_deg": true_north_deg,
        "true_north_direction_ratios": list(ratios),
        "true_north_convention": ("TrueNorth direction ratios are true north expressed in model XY; "
                                  "(-sin a, cos a) with a = true_north_deg: true north lies a degrees "
                                  "counter-clockwise from model +Y, i.e. model +Y is a degrees clockwise "
                                  "from true north."),
    }
    return m


def build_far_origin() -> Model:
    m = new_model("far_origin.ifc")
    add_standard_box(m, origin=(612345.0, 4123456.0))
    m.notes = "IfcBuilding placed at model (612345, 4123456); no georeferencing."
    return m


def build_rooftop() -> Model:
    m = new_model("rooftop.ifc")
    storeys = add_standard_box(m)
    building = storeys[0].building
    roof_top = storeys[-1].elevation + BOX_STOREY_H + ROOF_T
    roof_storey = add_storey(m, building, "Roof", roof_top)  # no floor slab of its own
    tower_outline, tower_wall_h, tower_roof_t = rect(2, 2, 4, 4), 3.0, 0.2
    add_ring_walls(m, roof_storey, "Stair tower wall", tower_outline, roof_top, tower_wall_h)
    add_slab(m, roof_storey, "Stair tower roof", tower_outline, roof_top + tower_wall_h + tower_roof_t,
             tower_roof_t, "ROOF")
    return m


def build_ifc4x3_box() -> Model:
    m = new_model("ifc4x3_box.ifc", schema="IFC4X3_ADD2")
    add_standard_box(m)
    return m


def build_two_buildings() -> Model:
    m = new_model("two_buildings.ifc")
    a = add_building(m, "Building A")
    add_box(m, a, levels([f"A {n}" for n in BOX_LEVEL_NAMES], 0.0, BOX_STOREY_H), rect(0, 0, BOX_W, BOX_D),
            BOX_STOREY_H, roof_name="A Roof slab")
    b = add_building(m, "Building B", origin=(30.0, 0.0))
    add_box(m, b, levels(["B Level 0", "B Level 1"], 0.0, 3.0), rect(0, 0, 10, 10), 3.0, roof_name="B Roof slab")
    m.notes = ("Whole-file storeys_above_ground is the maximum over buildings; gross_floor_area_m2 and "
               "footprint_area_m2 are sums over buildings. Building B's IfcBuilding is placed at x = 30 m.")
    return m


BLOCK_L, BLOCK_D = 20.0, 10.0  # apartment slab blocks: two units a storey, living rooms south, bedrooms north


def add_window(m: Model, storey: StoreyRef, name: str, x: float, y: float, sill: float, width: float,
               height: float, facing_north: bool) -> None:
    """An IfcWindow in the outer face of a wall along x (placement and overall size: no body needed)."""
    window = new_element(m, storey, "IfcWindow", name)
    window.OverallWidth, window.OverallHeight = m.u(width), m.u(height)
    ox, oy = storey.building.origin
    place(m, window, (ox + x, oy + y, storey.elevation + sill), (-1.0, 0.0) if facing_north else (1.0, 0.0))


def add_room(m: Model, storey: StoreyRef, name: str, long_name: str, outline: list[Point], height: float):
    space = ifcopenshell.api.root.create_entity(m.file, ifc_class="IfcSpace", name=name)
    space.LongName = long_name
    ifcopenshell.api.aggregate.assign_object(m.file, products=[space], relating_object=storey.entity)
    ox, oy = storey.building.origin
    place(m, space, (ox, oy, storey.elevation))
    ring = [m.u2(p) for p in outline]
    ifcopenshell.api.geometry.assign_representation(m.file, product=space, representation=extrusion(m, [ring], height))
    return space


def add_apartment_block(m: Model, name: str, origin: Point, storeys: int) -> None:
    """A slab block of `storeys` 3 m storeys, BLOCK_L x BLOCK_D, two units a storey, each an IfcZone of
    its living room (거실, a 2 m window south) and bedroom (침실, a 1.5 m window north)."""
    b = add_building(m, name, origin)
    b.entity.ObjectType = "Apartment"
    refs = add_box(m, b, levels([f"{name} {i + 1}F" for i in range(storeys)], 0.0, 3.0), rect(0, 0, BLOCK_L, BLOCK_D),
                   3.0, roof_name=f"{name} roof slab")
    for storey in refs:
        for k, x0 in enumerate((0.0, BLOCK_L / 2)):
            unit = f"{storey.name} unit {k + 1}"
            x1 = x0 + BLOCK_L / 2
            inner = (x0 + WALL_T, x1 - WALL_T)
            rooms = [add_room(m, storey, f"{unit} living", "거실",
                              rect(inner[0], WALL_T, inner[1] - inner[0], BLOCK_D / 2 - WALL_T), 2.8),
                     add_room(m, storey, f"{unit} bedroom", "침실",
                              rect(inner[0], BLOCK_D / 2, inner[1] - inner[0], BLOCK_D / 2 - WALL_T), 2.8)]
            zone = ifcopenshell.api.root.create_entity(m.file, ifc_class="IfcZone", name=unit)
            ifcopenshell.api.group.assign_group(m.file, products=rooms, group=zone)
            add_window(m, storey, f"{unit} living window", x0 + 3.0, 0.0, 0.9, 2.0, 1.4, False)
            add_window(m, storey, f"{unit} bedroom window", x0 + 6.5, BLOCK_D, 0.9, 1.5, 1.2, True)


def build_apartment_blocks(file_name: str, gap: float, south_storeys: int) -> Model:
    """Two apartment blocks on one lot (건축법 시행령 §86③2): a south one of `south_storeys` and a
    5-storey north one `gap` metres behind it; the north block's living rooms face the south one."""
    m = new_model(file_name)
    add_apartment_block(m, "South block", (0.0, 0.0), south_storeys)
    add_apartment_block(m, "North block", (0.0, BLOCK_D + gap), 5)
    m.notes = (f"Two apartment blocks {gap:g} m apart: 5 storeys behind {south_storeys}. Every unit an IfcZone of "
               "its 거실 (south window) and 침실 (north window).")
    return m


def build_blocks_close() -> Model:
    return build_apartment_blocks("blocks_close.ifc", 8.0, 3)


def build_blocks_apart() -> Model:
    return build_apartment_blocks("blocks_apart.ifc", 12.0, 3)


def build_blocks_low() -> Model:
    return build_apartment_blocks("blocks_low.ifc", 8.0, 1)


STALL_W, STALL_D, STALL_H = 2.5, 5.0, 2.4  # 주차장법 시행규칙 §3①: 일반형 2.5 x 5.0 m


def stalls_needed(m: Model) -> int:
    """Enough stalls for an office (업무시설) under the Korean national rulebook's widest count:
    one per 150 m² of every storey, strengthened by half (주차장법 시행령 §6②), rounded half up."""
    area = sum(s.outline.area for s in m.storeys if s.outline is not None)
    return int(math.floor(area / 150.0 * 1.5 + 0.5))


def add_parking(m: Model) -> int:
    """Outdoor parking stalls in front of the buildings: IfcSpaces on the IfcSite (no storey), one
    per stall, named and typed for parking, so a parking rule counts them from the model."""
    n = stalls_needed(m)
    x0, y0 = footprint_of(m.storeys).bounds[:2]
    per_row = 8
    for i in range(n):
        row, col = divmod(i, per_row)
        x, y = x0 + col * STALL_W, y0 - 2.0 - (row + 1) * STALL_D
        space = ifcopenshell.api.root.create_entity(m.file, ifc_class="IfcSpace", name=f"Parking stall {i + 1}",
                                                    predefined_type=None if m.file.schema == "IFC2X3" else "PARKING")
        space.LongName = "주차구획"
        ifcopenshell.api.aggregate.assign_object(m.file, products=[space], relating_object=m.site)
        place(m, space, (x, y, 0.0))
        ring = [m.u2(p) for p in rect(0, 0, STALL_W, STALL_D)]
        ifcopenshell.api.geometry.assign_representation(m.file, product=space,
                                                        representation=extrusion(m, [ring], STALL_H))
    return n


BUILDERS = [build_box_m, build_box_mm, build_box_ft, build_lshape_basement, build_podium_tower,
            build_courtyard, build_geo_rotated_m, build_geo_rotated_mm, build_geo_ifc2x3_pset,
            build_latlon_site, build_far_origin, build_rooftop, build_ifc4x3_box, build_two_buildings,
            build_blocks_close, build_blocks_apart, build_blocks_low]


# --------------------------------------------------------------------------
# expected facts
# --------------------------------------------------------------------------


def r(value: float, digits: int = 9) -> float:
    return round(value, digits) + 0.0


def footprint_of(storeys: list[StoreyRef]):
    return unary_union([s.outline for s in storeys if s.elevation >= 0 and s.outline is not None])


def building_facts(m: Model, building: BuildingRef) -> dict:
    storeys = [s for s in m.storeys if s.building is building]
    records = [rec for rec in m.records if rec.building is building]
    footprint = footprint_of(storeys)
    for rec in records:  # every element above ground stands within the footprint
        assert rec.zmax <= 0.01 or footprint.buffer(1e-6).covers(rec.plan), (m.file_name, rec.name)
    highest = max(records, key=lambda rec: rec.zmax)
    counted = [s for s in storeys if s.elevation >= 0 and s.outline is not None]
    return {
        "name": building.name,
        "footprint_area_m2": r(footprint.area, 6),
        "height_m": r(highest.zmax),
        "highest_element_name": highest.name,
        "storeys_above_ground": len(counted),
        "storeys_below_ground": len([s for s in storeys if s.elevation < 0 and s.outline is not None]),
        "gross_floor_area_m2": r(sum(s.outline.area for s in counted), 6),
        "gross_floor_area_below_ground_m2": r(sum(s.outline.area for s in storeys
                                                  if s.elevation < 0 and s.outline is not None), 6),
    }


def centre(outline):
    """The outline between the walls' centre lines: every sample wall stands WALL_T inside its outline
    (and outside a courtyard), so the centre line runs WALL_T / 2 in from the outline."""
    return outline.buffer(-WALL_T / 2, join_style="mitre")


def legal_for(m: Model, building: BuildingRef | None = None) -> dict:
    """The facts as the Korean and Japanese articles define them (建築基準法施行令 §2 reads the same here).

    Areas inside the walls' centre lines (no sample has eaves, balconies or parts under 1 m above
    ground); the rooftop stair tower (2 x 2 m on 233.64 m², far under 1/8, 3.2 m over the roof) is
    out of the height and the storeys; no basement sample is a shallow one.
    """
    buildings = [building] if building else m.buildings
    storeys = [s for s in m.storeys if s.building in buildings]
    counted = [s for s in storeys if s.elevation >= 0 and s.outline is not None]
    area = sum(unary_union([centre(s.outline) for s in counted if s.building is b]).area for b in buildings)
    floor = sum(centre(s.outline).area for s in counted)
    records = [rec for rec in m.records if rec.building in buildings and not rec.name.startswith("Stair tower")]
    per_building = [len([s for s in counted if s.building is b]) for b in buildings]
    legal = {"building_area_m2": r(area, 6), "floor_area_m2": r(floor, 6),
             "height_m": r(max(rec.zmax for rec in records)), "storeys_above_ground": max(per_building)}
    return {"kr-building-act-119": legal, "jp-bsa-enforcement-2": legal}


def map_point(m: Model, x_m: float, y_m: float) -> list[float]:
    g = m.georef
    x_u, y_u = x_m / m.unit_m, y_m / m.unit_m
    s, a, o = g["scale"], g["_abscissa"], g["_ordinate"]
    norm = math.hypot(a, o)
    a, o = a / norm, o / norm
    return [r(x_m), r(y_m), r(g["eastings"] + s * (x_u * a - y_u * o)), r(g["northings"] + s * (x_u * o + y_u * a))]


def expected_for(m: Model) -> dict:
    per_building = [building_facts(m, b) for b in m.buildings]
    footprint = footprint_of(m.storeys)
    highest = max(m.records, key=lambda rec: rec.zmax)
    georef = None
    map_points = []
    if m.georef:
        georef = {k: r(v) if isinstance(v, float) else v for k, v in m.georef.items() if not k.startswith("_")}
        corners = [c for poly in getattr(footprint, "geoms", [footprint]) for c in poly.exterior.coords[:-1]]
        map_points = [map_point(m, x, y) for x, y in corners]
    facts = {
        "schema": m.file.schema_identifier,
        "length_unit_m": m.unit_m,
        "ground_elevation_m": 0.0,
        "height_m": r(highest.zmax),
        "highest_element_name": highest.name,
        "footprint_area_m2": r(footprint.area, 6),
        "storeys_above_ground": max(b["storeys_above_ground"] for b in per_building),
        "storeys_below_ground": max(b["storeys_below_ground"] for b in per_building),
        "gross_floor_area_m2": r(sum(b["gross_floor_area_m2"] for b in per_building), 6),
        "gross_floor_area_below_ground_m2": r(sum(b["gross_floor_area_below_ground_m2"] for b in per_building), 6),
        "storeys": [
            {"name": s.name, "building": s.building.name, "elevation_m": r(s.elevation),
             "above_ground": s.elevation >= 0, "gross_area_m2": r(s.outline.area if s.outline else 0.0, 6)}
            for s in m.storeys
        ],
        "footprint_bounds_model": [r(v) for v in footprint.bounds],
        "legal": legal_for(m),
        "georeference": georef,
        "map_points": map_points,
        "buildings": per_building,
    }
    if m.latlon:
        facts["latlon"] = {k: r(v) if isinstance(v, float) else v for k, v in m.latlon.items()}
    if m.notes:
        facts["notes"] = m.notes
    return facts


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------


def make_deterministic(m: Model) -> None:
    """Stable GlobalIds (uuid5 of file/class/name/ordinal) and fixed dates."""
    seen: dict[str, int] = {}
    for entity in sorted(m.file.by_type("IfcRoot"), key=lambda e: e.id()):
        key = f"{m.file_name}/{entity.is_a()}/{entity.Name}"
        seen[key] = seen.get(key, 0) + 1
        entity.GlobalId = ifcopenshell.guid.compress(uuid.uuid5(GUID_NAMESPACE, f"{key}/{seen[key]}").hex)
    for history in m.file.by_type("IfcOwnerHistory"):
        history.CreationDate = EPOCH
        if history.LastModifiedDate is not None:
            history.LastModifiedDate = EPOCH


def main(argv: list[str]) -> int:
    outdir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent / "buildings"
    outdir.mkdir(parents=True, exist_ok=True)
    expected = {}
    for build in BUILDERS:
        m = build()
        stalls = add_parking(m)
        make_deterministic(m)
        m.file.write(str(outdir / m.file_name))
        expected[m.file_name] = {**expected_for(m), "parking_stalls": stalls}
    (outdir / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    print(f"wrote {len(expected)} IFC files and expected.json to {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
