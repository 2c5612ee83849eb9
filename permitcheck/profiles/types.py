"""Legal facts: the figures a law defines, each change from the physical figure named with its clause."""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Clause:
    """Where a definition is written: article, its effective date and the grade of the copy read."""

    law: str
    article: str
    effective: str  # ISO date the wording read has been in force since
    grade: str  # P: the text or a verbatim copy; S: secondary

    def cite(self) -> str:
        return f"{self.law} {self.article}"

    def to_dict(self) -> dict:
        return {"law": self.law, "article": self.article, "effective": self.effective, "grade": self.grade}


@dataclass(frozen=True)
class Adjustment:
    """One step from a physical figure to the legal one: `delta` in m² (areas), m (heights) or storeys."""

    fact: str  # building_area_m2, floor_area_m2, height_m, storeys_above_ground, ground_elevation_m
    what: str  # a sentence: "stair tower 14 m² ≤ 1/8 of 356 m²: not counted in height up to 12 m"
    delta: float
    clause: Clause
    global_ids: tuple[str, ...] = ()
    step: str = ""  # which definition made it: rooftop_height, centre_line, balcony, ... (the profile's clause key)

    def to_dict(self) -> dict:
        return {"fact": self.fact, "what": self.what, "delta": round(self.delta, 4), "global_ids": list(self.global_ids),
                "clause": self.clause.cite(), "source": self.clause.to_dict(), "step": self.step}


@dataclass(frozen=True)
class Uncertain:
    """A definition the model lacks the data for: a rule on `fact` is REVIEW at best.

    `low`/`high` bound the legal figure when the missing datum could move it (a piloti whose use is
    not stated counts or not): a rule decides only when its verdict holds over the whole range.
    """

    fact: str
    reason: str
    low: float | None = None
    high: float | None = None

    def to_dict(self) -> dict:
        d = {"fact": self.fact, "reason": self.reason}
        if self.low is not None:
            d.update(low=round(self.low, 4), high=round(self.high, 4))
        return d


@dataclass(frozen=True)
class LegalFacts:
    """The facts as one law measures them; `physical` profile: the measured facts unchanged."""

    profile: str
    title: str
    building_area_m2: float
    floor_area_m2: float  # the FAR numerator
    gross_floor_area_m2: float  # 연면적 / 延べ面積 / GF before the FAR exclusions
    height_m: float | None
    storeys_above_ground: int
    storeys_below_ground: int
    ground_elevation_m: float
    adjustments: tuple[Adjustment, ...] = ()
    uncertain: tuple[Uncertain, ...] = ()
    outline: BaseGeometry | None = None  # the building area's plan (model coordinates), for the site plan
    centre_line: BaseGeometry | None = None  # the outer walls' centre-line outline
    projections: BaseGeometry | None = None  # eaves, canopies, balconies beyond the outer walls
    datums: tuple[dict, ...] = ()  # ground datums on sloping ground: {"level_m", "plan" (geometry)}
    parameters: dict = field(default_factory=dict)
    # the mean height of the ground where the whole building meets it, with no 3 m split: Japan's
    # 平均地盤面 (建築基準法 別表第四, note), the datum of its shadow planes; the ground level without terrain
    mean_ground_m: float | None = None

    def uncertain_about(self, fact: str) -> list[Uncertain]:
        return [u for u in self.uncertain if u.fact == fact]

    def to_dict(self) -> dict:
        from permitcheck.geojson import geojson

        return {
            "profile": self.profile, "title": self.title,
            "building_area_m2": round(self.building_area_m2, 3), "floor_area_m2": round(self.floor_area_m2, 3),
            "gross_floor_area_m2": round(self.gross_floor_area_m2, 3),
            "height_m": None if self.height_m is None else round(self.height_m, 4),
            "storeys_above_ground": self.storeys_above_ground, "storeys_below_ground": self.storeys_below_ground,
            "ground_elevation_m": round(self.ground_elevation_m, 4),
            "adjustments": [a.to_dict() for a in self.adjustments],
            "uncertain": [u.to_dict() for u in self.uncertain],
            "parameters": self.parameters,
            "outline_model": geojson(self.outline) if self.outline is not None and not self.outline.is_empty else None,
            "centre_line_model": geojson(self.centre_line) if self.centre_line is not None
            and not self.centre_line.is_empty else None,
            "projections_model": geojson(self.projections) if self.projections is not None
            and not self.projections.is_empty else None,
            "datums": [{"level_m": round(d["level_m"], 4), "plan_model": geojson(d["plan"])} for d in self.datums],
            "mean_ground_m": None if self.mean_ground_m is None else round(self.mean_ground_m, 4),
        }
