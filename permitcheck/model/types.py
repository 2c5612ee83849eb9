"""Plain data read from an IFC model, in metres and world (model) coordinates."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Georeference:
    """How model coordinates (metres) map to a projected CRS (metres).

    ``rotation_deg`` is the angle of the model X axis from map east (grid), counter-clockwise.
    ``eastings``/``northings``/``orthogonal_height`` are in metres whatever the map unit was.
    ``origin_model`` is the model point (metres) that lands on (eastings, northings): the project
    origin for IfcMapConversion, the IfcSite origin for the RefLatitude/RefLongitude fallback.
    """

    crs: str | None
    eastings: float
    northings: float
    orthogonal_height: float
    rotation_deg: float
    scale: float  # the Scale attribute as written in the file
    source: str  # where it was read: IfcMapConversion, ePSet_MapConversion, IfcSite RefLatitude...
    map_unit_m: float = 1.0
    origin_model: tuple[float, float, float] = (0.0, 0.0, 0.0)
    grid_scale: float = 1.0  # map metres per model metre (surveyors' combined scale factor)
    approximate: bool = False
    latitude: float | None = None
    longitude: float | None = None

    def to_map(self, xy: np.ndarray) -> np.ndarray:
        """Map (E, N) in metres of model points (N, 2) in metres."""
        a = math.radians(self.rotation_deg)
        c, s = math.cos(a), math.sin(a)
        local = np.asarray(xy, dtype=float)[:, :2] - np.asarray(self.origin_model[:2])
        k = self.grid_scale
        e = self.eastings + k * (c * local[:, 0] - s * local[:, 1])
        n = self.northings + k * (s * local[:, 0] + c * local[:, 1])
        return np.column_stack([e, n])

    def to_model(self, en: np.ndarray) -> np.ndarray:
        """Model (x, y) in metres of map points (N, 2) in metres; inverse of `to_map`."""
        a = math.radians(self.rotation_deg)
        c, s = math.cos(a), math.sin(a)
        d = (np.asarray(en, dtype=float)[:, :2] - np.array([self.eastings, self.northings])) / self.grid_scale
        x = c * d[:, 0] + s * d[:, 1] + self.origin_model[0]
        y = -s * d[:, 0] + c * d[:, 1] + self.origin_model[1]
        return np.column_stack([x, y])

    def to_dict(self) -> dict:
        d = {
            "crs": self.crs,
            "eastings": self.eastings,
            "northings": self.northings,
            "orthogonal_height": self.orthogonal_height,
            "rotation_deg": self.rotation_deg,
            "scale": self.scale,
            "source": self.source,
            "map_unit_m": self.map_unit_m,
            "grid_scale": self.grid_scale,
            "origin_model": list(self.origin_model),
            "approximate": self.approximate,
        }
        if self.latitude is not None:
            d["latitude"] = self.latitude
            d["longitude"] = self.longitude
        return d


@dataclass(frozen=True)
class Storey:
    global_id: str
    name: str
    elevation_m: float  # from the real placement, world z
    elevation_attr_m: float | None  # the Elevation attribute, for comparison
    building_id: str | None


@dataclass(frozen=True)
class Building:
    global_id: str
    name: str
    parent_id: str | None = None  # a building that is part of another (Allplan exports)
    uses: tuple[str, ...] = ()  # what the model says it is used for: ObjectType, Pset_BuildingCommon.OccupancyType


@dataclass(frozen=True, eq=False)
class ElementMesh:
    """One building element's triangles, world coordinates in metres."""

    global_id: str
    ifc_class: str
    name: str
    predefined_type: str | None
    storey_id: str | None
    building_id: str | None
    parent_class: str | None  # class of the aggregate it is part of (IfcCurtainWall, IfcRoof...)
    vertices: np.ndarray  # (n, 3) float64
    faces: np.ndarray  # (m, 3) int
    layer_thickness_m: float | None = None  # a wall's or slab's material layers, summed (IfcMaterialLayerSetUsage)
    # elements with the same body are one closed solid for the 3D mesh (a CityJSON Solid's roof, wall
    # and ground surfaces): None, each element is its own
    body: str | None = None


@dataclass(frozen=True, eq=False)
class SpaceMesh:
    """An IfcSpace: what it is called (in any language) and where it is, for the law's use rules."""

    global_id: str
    names: tuple[str, ...]  # Name, LongName, ObjectType, PredefinedType and property values, as written
    storey_id: str | None
    building_id: str | None
    vertices: np.ndarray
    faces: np.ndarray
    # the dwelling unit (세대) it belongs to, when the model says: "name (GlobalId)" of the IfcZone it
    # is assigned to, or of the IfcSpace it is part of (a unit modelled as a space of rooms)
    unit: str | None = None


@dataclass(frozen=True)
class Window:
    """An IfcWindow where it stands (world metres): the walls a daylight rule measures from.

    Windows are not triangulated (their frames are most of a model's geometry time); their
    placement and overall size are enough to find the wall they light."""

    global_id: str
    name: str
    point: tuple[float, float, float]  # the middle of the window's bottom edge, as near as placement tells
    width_m: float | None
    height_m: float | None


@dataclass(frozen=True)
class ElementFailure:
    global_id: str
    ifc_class: str
    reason: str


@dataclass(frozen=True)
class Massing:
    """How a massing model (a mesh or a CityJSON building, no IFC) was read, and the parameters its
    storeys and floor area are derived with: every report says the facts come from a massing."""

    format: str  # "glTF binary (.glb)", "OBJ", "STL", "3MF", "PLY", "CityJSON 2.0"
    unit: str  # the length unit the file was read in: m, mm, cm, ft, in
    up: str  # the axis that was up in the file: z or y
    parts_from: str  # what became the elements: "glTF nodes", "OBJ objects and groups", ...
    storey_height_m: float | None = None  # --storey-height: floor levels every H from ground level
    levels_m: tuple[float, ...] = ()  # --levels: floor levels as model z, metres
    object_id: str | None = None  # the CityJSON object checked
    open_parts: tuple[str, ...] = ()  # elements whose mesh is not closed (measured as the IFC path does)

    @property
    def unit_m(self) -> float:
        return UNITS_M[self.unit]

    def parameters(self) -> str:
        """The storey parameters as given on the command line, for a report's sentence."""
        out = []
        if self.levels_m:
            out.append("--levels " + ",".join(f"{z:g}" for z in self.levels_m))
        if self.storey_height_m is not None:
            out.append(f"--storey-height {self.storey_height_m:g}")
        return " ".join(out) or "no --storey-height nor --levels"

    def to_dict(self) -> dict:
        return {
            "format": self.format, "unit": self.unit, "unit_m": self.unit_m, "up": self.up,
            "parts_from": self.parts_from, "storey_height_m": self.storey_height_m,
            "levels_m": list(self.levels_m), "object_id": self.object_id, "open_parts": list(self.open_parts),
        }


UNITS_M = {"m": 1.0, "mm": 0.001, "cm": 0.01, "ft": 0.3048, "in": 0.0254}


@dataclass
class Model:
    """Everything permitcheck needs from one IFC file (or one massing model: `massing` says how it was read)."""

    path: str
    sha256: str
    schema: str
    application: str | None
    length_unit_m: float
    georeference: Georeference | None
    buildings: list[Building]
    storeys: list[Storey]
    elements: list[ElementMesh]
    failures: list[ElementFailure] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)  # ifc class -> count left out
    warnings: list[str] = field(default_factory=list)
    # proxies left out of the measurement (no --include-proxies) that stand well above ground
    unmeasured_proxies: list[ElementMesh] = field(default_factory=list)
    spaces: list[SpaceMesh] = field(default_factory=list)
    terrain: np.ndarray | None = None  # (k, 3, 3) triangles of the site's terrain, world metres
    windows: list[Window] = field(default_factory=list)
    readiness: tuple = ()  # model.ids.IdsAudit of each IDS the reader was given
    massing: Massing | None = None  # a massing model (mesh, CityJSON), not IFC: how it was read
    project_global_id: str | None = None  # the IfcProject's GlobalId: BCF headers name the model by it
