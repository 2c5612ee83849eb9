"""Dwelling units (세대) and the rooms their windows light, from the model's IfcSpaces.

Korean law counts sunlight per unit, not per window (건축법 시행령 §86③2 단서: "그 대지의 모든
세대가 … 2시간 이상을 계속하여 일조를 확보"), and it names a building's main openings by the rooms
behind them (§86③2나: "거실과 주된 침실이 있는 부분의 개구부"). A model says both only through its
spaces: a room is a living room or a bedroom by its names (any language); a unit is the IfcZone its
rooms are assigned to, or the IfcSpace they are part of (`SpaceMesh.unit`); failing both, every room
named a living room is one unit (a unit has one). A zone that holds more than one living room is no
unit (a fire or heating zone, a unit type): each of its living rooms is one, its other rooms in none. A window lights the room whose plan lies within
`WALL_REACH_M` of it on its storey.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import Point

from permitcheck.checks.windows import WALL_REACH_M  # a window is in a wall under 1 m thick beside its room
from permitcheck.model.types import SpaceMesh, Window
ROOMS: dict[str, tuple[str, ...]] = {
    "living": ("living", "lounge", "거실", "居間", "リビング", "ldk", "wohnzimmer", "séjour", "salon"),
    "bedroom": ("bedroom", "bed room", "침실", "안방", "寝室", "schlafzimmer", "chambre"),
}


@dataclass(frozen=True)
class Room:
    global_id: str
    kind: str | None  # "living", "bedroom" or None (another room, or one not named for its use)
    unit: str | None


def room_kind(space: SpaceMesh) -> str | None:
    text = " | ".join(space.names).casefold()
    for kind, words in ROOMS.items():
        if any(w in text for w in words):
            return kind
    return None


def rooms_of_windows(windows, spaces) -> dict[str, Room]:
    """window GlobalId -> the room it lights, for the windows beside a room (others are left out)."""
    from permitcheck.profiles.uses import space_plan

    grouping = {_gid(s.unit) for s in spaces if s.unit}
    rooms = [(s, space_plan(s), float(s.vertices[:, 2].min()), float(s.vertices[:, 2].max()))
             for s in spaces if len(s.faces) and s.global_id not in grouping]  # a unit's own shape is no room
    if not rooms:
        return {}
    tree = shapely.STRtree([plan for _, plan, _, _ in rooms])
    units = dwelling_units(spaces)
    out: dict[str, Room] = {}
    for w in windows:
        x, y, z = w.point
        mid = z + (w.height_m or 0.0) / 2
        p = Point(x, y)
        best = None
        for i in tree.query(p.buffer(WALL_REACH_M)):
            space, plan, z0, z1 = rooms[int(i)]
            if not z0 - 0.1 <= mid <= z1 + 0.1:
                continue
            d = plan.distance(p)
            if d <= WALL_REACH_M and (best is None or d < best[0]):
                best = (d, space)
        if best is not None:
            space = best[1]
            kind = room_kind(space)
            unit = space.unit if space.unit in units else (_label(space) if kind == "living" else None)
            out[w.global_id] = Room(space.global_id, kind, unit)
    return out


def dwelling_units(spaces) -> set[str]:
    """The units the model groups its rooms into: zones (or parent spaces) with at most one living room."""
    living: dict[str, int] = {}
    for s in spaces:
        if s.unit:
            living[s.unit] = living.get(s.unit, 0) + (room_kind(s) == "living")
    return {u for u, n in living.items() if n <= 1}


def _label(space: SpaceMesh) -> str:
    return f"{space.names[0] if space.names else 'living room'} ({space.global_id})"


def _gid(label: str) -> str:
    """The GlobalId in a unit's label, "name (GlobalId)" or the GlobalId alone."""
    return label[label.rindex("(") + 1:-1] if label.endswith(")") and "(" in label else label


def units_of(windows: list[Window], rooms: dict[str, Room]) -> tuple[dict[str, list[int]], list[int]]:
    """(unit -> indices of its windows, indices of the windows in no known unit). Without zones, a
    living room is its unit: a window of a room in no zone and not a living room is in no known unit."""
    units: dict[str, list[int]] = {}
    loose = []
    for i, w in enumerate(windows):
        room = rooms.get(w.global_id)
        if room is not None and room.unit is not None:
            units.setdefault(room.unit, []).append(i)
        else:
            loose.append(i)
    return units, loose
