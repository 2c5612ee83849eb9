"""What every check reads: the facts, the placed site, the element meshes and the tolerances."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from permitcheck.facts.types import Facts
from permitcheck.model.types import ElementMesh
from permitcheck.profiles.types import LegalFacts
from permitcheck.rulebook.schema import MeasurementProfile
from permitcheck.site.types import Site

APPROXIMATE_PLACEMENT_M = 5.0


class FactMissing(Exception):
    """A fact a check needs is missing (a road's width, true north): a reason code and details, UNKNOWN."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason, self.details = reason, details


@dataclass(frozen=True)
class CheckContext:
    facts: Facts
    site: Site
    meshes: tuple[ElementMesh, ...]
    profile: MeasurementProfile
    rules: tuple = ()  # every rule in force in the zone: an envelope rule gathers the others
    exempt: frozenset = frozenset()  # ids of the zone's rules an exemption took out of force here
    unmeasured: tuple[str, ...] = ()  # GlobalIds of elements whose geometry could not be measured
    # (the facts as the rulebook's measurement profile defines them, why the profile could not
    # measure the model), or an `aside.Aside` measuring them in a forked copy: `legal` waits for it
    legal_measured: object = (None, None)
    declared: tuple[tuple[str, str], ...] = ()  # what the applicant declares (--declare KEY=VALUE)
    windows: tuple = ()  # the model's windows (permitcheck.model.types.Window)
    spaces: tuple = ()  # the model's IfcSpaces (permitcheck.model.types.SpaceMesh): parking stalls
    building_uses: tuple = ()  # the rulebook's use categories: ((category, (words, ...)), ...)
    model_uses: tuple[str, ...] = ()  # what the model's IfcBuilding says it is used for
    declared_values: tuple = ()  # ((key, (values the rulebook's conditions name, ...)), ...)
    sections: bool = True  # build the silhouettes a report's section drawings need
    zone_split: tuple = ()  # ((zone, share of the parcel), ...) when the parcel lies in several zones

    @property
    def legal(self) -> LegalFacts | None:
        """The facts as the rulebook's measurement profile defines them (None: no profile, or failed)."""
        return self._legal()[0]

    @property
    def legal_error(self) -> str | None:
        """Why the profile could not measure the model."""
        return self._legal()[1]

    def _legal(self) -> tuple[LegalFacts | None, str | None]:
        m = self.legal_measured
        return m.result() if hasattr(m, "result") else m

    @cached_property
    def lot(self):
        """The lot's context facts (front road width, corner lot, width, depth, flags)."""
        from permitcheck.site.lot import lot_of

        return lot_of(self.site)

    @property
    def storeys_above_ground(self) -> float | None:
        """Storeys above ground as built, every one counted: what a condition reads (MBO §6(5) Satz 3 asks
        for 'oberirdische Geschosse', not the Vollgeschosse the German profile counts for floor area)."""
        return float(self.facts.storeys_above_ground) if self.facts.storeys else None

    @cached_property
    def triangles(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """Every element triangle with its element index: what the 3D checks clip."""
        from permitcheck.checks.regions import soup

        return soup(self.meshes)

    @cached_property
    def building_solid(self):
        """(manifold, origin, lo, hi): the closed building mesh in coordinates relative to origin."""
        import manifold3d

        from permitcheck.facts.mesh import building_mesh

        mesh = building_mesh(list(self.meshes)).mesh
        if len(mesh.faces) == 0:
            return None
        lo, hi = mesh.bounds[0] - 1.0, mesh.bounds[1] + 1.0
        origin = np.floor(mesh.bounds[0])
        solid = manifold3d.Manifold(manifold3d.Mesh(
            vert_properties=np.asarray(mesh.vertices - origin, dtype=np.float32),
            tri_verts=np.asarray(mesh.faces, dtype=np.uint32)))
        return solid, origin, lo, hi

    def massing_reaching(self, regions: list):
        """The massing under the parts of the top surface that reach into the regions (or None).

        Every region here is closed upwards once its upper bounds are dropped, so the massing inside
        the regions is the massing of these prisms inside them: a tall model need not build all of it.
        """
        from permitcheck.checks.regions import reaching
        from permitcheck.facts.mesh import massing

        if self.building_solid is None or not regions:
            return None
        solid, origin, _, _ = self.building_solid
        return massing(solid, self.facts.ground_elevation_m - origin[2], keep=reaching(regions, origin))

    @cached_property
    def _silhouettes(self) -> dict:
        return {}

    def silhouette(self, edge, strip=None):
        """The building across an edge (or a plane's strip), for a report's section drawing: built
        once per direction, and only when a report will draw it (None when `sections` is off)."""
        if not self.sections:
            return None
        import shapely.affinity

        from permitcheck.checks.section import along, direction

        c, w = direction(edge, strip)
        key = tuple(np.round(w, 12))  # parallel sections are one silhouette moved sideways
        if key not in self._silhouettes:
            self._silhouettes[key] = along(self.meshes, self.facts.ground_elevation_m, w)
        return shapely.affinity.translate(self._silhouettes[key], xoff=c)

    @cached_property
    def _plans_above(self) -> dict:
        return {}

    @cached_property
    def shared(self) -> dict:
        """What several checks of one run measure alike (the windows on their walls), kept by name."""
        return {}

    @cached_property
    def _element_plans(self):
        """(each element's lowest and highest z, its whole plan where the facts hold it): what every
        level's plan reuses. An element standing wholly above ground has its whole plan in the facts
        already (as the measurement profiles take it)."""
        from permitcheck.facts.footprint import ABOVE_TOLERANCE

        z = [np.asarray(m.vertices)[:, 2] if len(m.vertices) else np.array([np.inf]) for m in self.meshes]
        low, high = np.array([float(v.min()) for v in z]), np.array([float(v.max()) for v in z])
        known = self.facts.element_plans
        ids = [m.global_id for m in self.meshes]
        unique = len(set(ids)) == len(ids)  # a GlobalId given twice names no one plan
        above = self.facts.ground_elevation_m + ABOVE_TOLERANCE
        return low, high, [known.get(g) if unique and lo >= above else None for g, lo in zip(ids, low)]

    def plan_above(self, level: float):
        """The building's plan above a level (model z): the floor plate a window at that level sits
        in, over a podium or not. Levels are taken down to the 10 cm below; each is built once, from
        the whole plans of the elements above it (the facts') and the parts of the others above it,
        those hidden under the rest left out (`facts.projection.outline`); the hairline holes an
        overlay leaves between elements are filled (a window is never placed on one)."""
        from permitcheck.facts.projection import outline_over, union, without_hairlines

        key = math.floor(float(level) * 10.0 + 1e-9) / 10.0
        if key not in self._plans_above:
            low, high, whole = self._element_plans
            plans = [whole[i] for i in np.flatnonzero(low >= key) if whole[i] is not None and not whole[i].is_empty]
            unknown = [i for i in np.flatnonzero(low >= key) if whole[i] is None]
            across = np.flatnonzero((low < key) & (high > key))
            mesh = [(m.vertices, m.faces) for m in self.meshes]
            self._plans_above[key] = without_hairlines(union(outline_over(
                [mesh[i] for i in unknown], [mesh[i] for i in across], key, plans=plans)))
        return self._plans_above[key]

    @property
    def placement_uncertainty_m(self) -> float:
        """How far the parcel may be off: a few metres when placed from IfcSite latitude/longitude."""
        geo = self.site.georeference
        return APPROXIMATE_PLACEMENT_M if geo is not None and geo.approximate else 0.0

    @property
    def plan_tolerance_m(self) -> float:
        return self.profile.length_tolerance + self.placement_uncertainty_m

    @cached_property
    def building_line(self):
        """(strips, the lot behind the line): where a road is narrower than the profile requires."""
        from permitcheck.site.building_line import buildable, strips

        if self.profile.required_road_width is None:
            return [], self.site.parcel
        cut = strips(self.site, self.profile.required_road_width)
        return cut, buildable(self.site, cut)

    @property
    def parcel_area_m2(self) -> float:
        """The site area the ratios divide by: the lot, less the strip a building line takes off it."""
        cut, behind = self.building_line
        return float(behind.area) if cut else float(self.site.parcel.area)

    def site_area_details(self) -> dict:
        cut, _ = self.building_line
        if not cut:
            return {}
        return {"lot_area_m2": round(float(self.site.parcel.area), 3),
                "building_line_strips": [s.to_dict() for s in cut]}
