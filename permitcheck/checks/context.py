"""What every check reads: the facts, the placed site, the element meshes and the tolerances."""

from __future__ import annotations

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
    legal: LegalFacts | None = None  # the facts as the rulebook's measurement profile defines them
    legal_error: str | None = None  # why the profile could not measure the model

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

    @property
    def placement_uncertainty_m(self) -> float:
        """How far the parcel may be off: a few metres when placed from IfcSite latitude/longitude."""
        geo = self.site.georeference
        return APPROXIMATE_PLACEMENT_M if geo is not None and geo.approximate else 0.0

    @property
    def plan_tolerance_m(self) -> float:
        return self.profile.length_tolerance + self.placement_uncertainty_m

    @property
    def parcel_area_m2(self) -> float:
        return float(self.site.parcel.area)
