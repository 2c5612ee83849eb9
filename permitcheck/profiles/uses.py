"""What a space is used for, read from the names authoring tools give it, in any language.

A law excludes floor area by use (parking, passage, refuge floors, plant rooms); a model says the use
only in words: an IfcSpace's Name, LongName, ObjectType, PredefinedType (IFC4 has PARKING) or a
property value. A use matches when one of its words appears in one of those strings, ignoring case.
A rulebook adds its own words under `measurement_profile.uses`.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.projection import plan_polygons, union
from permitcheck.model.types import SpaceMesh

USES: dict[str, tuple[str, ...]] = {
    "parking": ("parking", "garage", "car park", "carport", "주차", "駐車", "車庫", "stellplatz", "tiefgarage"),
    "passage": ("passage", "passageway", "walkway", "thoroughfare", "arcade", "통로", "通路"),
    "pilotis": ("pilotis", "piloti", "필로티", "ピロティ"),
    "refuge": ("refuge floor", "refuge area", "피난안전구역", "避難"),
    "mechanical": ("mechanical", "plant room", "machine room", "boiler", "기계실", "전기실", "機械室"),
    "storage": ("storage", "store room", "storeroom", "창고", "倉庫"),
    "corridor": ("corridor", "hallway", "복도", "廊下"),
    "stair": ("stair", "계단", "階段"),
    "elevator": ("elevator", "lift", "승강기", "エレベーター", "昇降"),
}


def words(extra: dict[str, list[str]] | None = None) -> dict[str, tuple[str, ...]]:
    out = dict(USES)
    for use, more in (extra or {}).items():
        out[use] = tuple(dict.fromkeys([*out.get(use, ()), *more]))
    return out


def uses_of(space: SpaceMesh, vocabulary: dict[str, tuple[str, ...]]) -> frozenset[str]:
    text = " | ".join(space.names).casefold()
    return frozenset(use for use, ws in vocabulary.items() if any(w.casefold() in text for w in ws))


def space_plan(space: SpaceMesh) -> BaseGeometry:
    polys = plan_polygons(space.vertices[space.faces])
    return union(list(polys)) if len(polys) else shapely.Polygon()


def plans_by_use(spaces: list[SpaceMesh], vocabulary: dict[str, tuple[str, ...]]) -> dict[str, dict[str, list]]:
    """storey GlobalId -> use -> [(space, plan)]."""
    out: dict[str, dict[str, list]] = {}
    for s in spaces:
        if s.storey_id is None:
            continue
        for use in uses_of(s, vocabulary):
            out.setdefault(s.storey_id, {}).setdefault(use, []).append((s, space_plan(s)))
    return out
