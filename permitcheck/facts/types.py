"""Facts about a building, each with the method that produced it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class ElementRef:
    global_id: str
    ifc_class: str
    name: str

    def to_dict(self) -> dict:
        return {"global_id": self.global_id, "ifc_class": self.ifc_class, "name": self.name}


@dataclass(frozen=True)
class StoreyFacts:
    global_id: str
    name: str
    elevation_m: float
    above_ground: bool
    counted: bool  # counts as a floor: has a floor slab
    gross_area_m2: float
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "global_id": self.global_id, "name": self.name, "elevation_m": round(self.elevation_m, 4),
            "above_ground": self.above_ground, "counted": self.counted,
            "gross_area_m2": round(self.gross_area_m2, 3), "note": self.note,
        }


@dataclass(frozen=True)
class Facts:
    """Measured facts of one building, or of everything in the file (``building_id`` None)."""

    building_id: str | None
    name: str
    ground_elevation_m: float
    height_m: float | None
    highest_element: ElementRef | None
    footprint: BaseGeometry  # model coordinates, metres
    storeys: tuple[StoreyFacts, ...]
    element_count: int
    storeys_above_ground: int
    storeys_below_ground: int
    derivation: dict[str, str] = field(default_factory=dict)
    # fact name -> why it is uncertain (a fallback derivation, data the model lacks): a check on it is REVIEW at best
    uncertain: Mapping[str, str] = field(default_factory=dict)
    # each element's plan above ground level, by GlobalId: what the footprint was made of
    element_plans: Mapping[str, BaseGeometry] = field(default_factory=dict, repr=False)

    @property
    def footprint_area_m2(self) -> float:
        return float(self.footprint.area)

    @property
    def gross_floor_area_m2(self) -> float:
        return float(sum(s.gross_area_m2 for s in self.storeys if s.counted and s.above_ground))
