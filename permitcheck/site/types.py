"""A site placed in model coordinates (metres): the parcel, its labelled edges and its context."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from permitcheck.model.types import Georeference


@dataclass(frozen=True)
class Edge:
    index: int
    line: LineString  # model coordinates
    labels: frozenset[str]  # front, rear, side, north, road, or names from boundary features
    outward: tuple[float, float]  # unit outward normal, model coordinates
    source: str = "automatic"  # or "boundary feature"

    def to_dict(self) -> dict:
        return {"index": self.index, "labels": sorted(self.labels), "length_m": round(self.line.length, 3),
                "source": self.source}


@dataclass(frozen=True)
class Feature:
    role: str
    geometry: BaseGeometry  # model coordinates
    properties: dict


@dataclass(frozen=True)
class Site:
    path: str
    sha256: str
    crs: str  # the CRS the site file was written in
    parcel_id: str
    parcel: Polygon  # model coordinates
    parcel_ground_elevation: float | None
    edges: tuple[Edge, ...]
    north: np.ndarray  # unit vector of grid north in model coordinates
    features: tuple[Feature, ...]
    zone_codes: tuple[str, ...]  # zones whose polygon overlaps the parcel, largest overlap first
    placement: str  # how the model was placed: its georeference, or --anchor/--rotation
    georeference: Georeference | None = None  # model -> map, as used for this site
    warnings: tuple[str, ...] = field(default_factory=tuple)
    true_north: np.ndarray | None = None  # unit vector of true north in model coordinates, at the parcel
    zone_shares: tuple[tuple[str, float], ...] = ()  # (zone, share of the parcel's area), as zone_codes
    latitude_deg: float | None = None  # the parcel's latitude, from its CRS (the sun's path)

    def edges_labelled(self, label: str) -> list[Edge]:
        if label == "any":
            return list(self.edges)
        return [e for e in self.edges if label in e.labels]
