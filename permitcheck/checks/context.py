"""What every check reads: the facts, the placed site, the element meshes and the tolerances."""

from __future__ import annotations

from dataclasses import dataclass

from permitcheck.facts.types import Facts
from permitcheck.model.types import ElementMesh
from permitcheck.rulebook.schema import MeasurementProfile
from permitcheck.site.types import Site


@dataclass(frozen=True)
class CheckContext:
    facts: Facts
    site: Site
    meshes: tuple[ElementMesh, ...]
    profile: MeasurementProfile

    @property
    def parcel_area_m2(self) -> float:
        return float(self.site.parcel.area)
