"""What every check reads: the facts, the placed site, the element meshes and the tolerances."""

from __future__ import annotations

from dataclasses import dataclass

from permitcheck.facts.types import Facts
from permitcheck.model.types import ElementMesh
from permitcheck.rulebook.schema import MeasurementProfile
from permitcheck.site.types import Site

APPROXIMATE_PLACEMENT_M = 5.0


@dataclass(frozen=True)
class CheckContext:
    facts: Facts
    site: Site
    meshes: tuple[ElementMesh, ...]
    profile: MeasurementProfile

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
