"""`derive_facts`: a `Model` to the facts zoning rules are about, per building and for the whole."""

from __future__ import annotations

from dataclasses import dataclass, replace

from permitcheck.facts.footprint import ABOVE_TOLERANCE, footprint_and_plans
from permitcheck.facts.ground import ground_level
from permitcheck.facts.height import highest_point
from permitcheck.facts.levels import Levels, storey_levels
from permitcheck.facts.storeys import storey_facts
from permitcheck.facts.types import Facts
from permitcheck.model.types import Building, Model

# Less floor area than this share of the footprint means floor slabs are missing, not a design.
IMPLAUSIBLE_GFA_SHARE = 0.5

DERIVATION = {
    "ground_elevation_m": "",  # filled per run
    "height_m": "highest vertex of any building element minus the ground elevation",
    "footprint": (
        "union of the plan projection of every building element clipped "
        f"{ABOVE_TOLERANCE * 100:.0f} cm above ground level (holes kept, parts below ground ignored)"
    ),
    "storeys": "IfcBuildingStorey at its floor slabs' level (its placement when they agree); a storey counts as "
               "a floor when its floor slabs (5 cm thick or more, not its ceiling) cover 4 m² in plan",
    "gross_floor_area_m2": (
        "per counted storey at or above ground: union of the plan projections of its floor slabs, walls, "
        "columns and curtain walls, clipped to the footprint; summed"
    ),
}


@dataclass(frozen=True)
class FactSet:
    whole: Facts
    buildings: tuple[Facts, ...]
    warnings: tuple[str, ...] = ()
    levels: Levels | None = None  # how storeys were levelled and which slabs are whose floor


def _descendants(buildings: list[Building], root: str) -> set[str]:
    ids = {root}
    grew = True
    while grew:
        grew = False
        for b in buildings:
            if b.parent_id in ids and b.global_id not in ids:
                ids.add(b.global_id)
                grew = True
    return ids


def _facts(model: Model, levels: Levels, building: Building | None, ground: float, how: str) -> Facts:
    if building is None:
        meshes, storeys, name = model.elements, list(levels.storeys), "whole model"
    else:
        ids = _descendants(model.buildings, building.global_id)
        meshes = [m for m in model.elements if m.building_id in ids]
        storeys = [s for s in levels.storeys if s.building_id in ids]
        name = building.name
    top, element = highest_point(meshes)
    plan, element_plans = footprint_and_plans(meshes, ground)
    per_storey = storey_facts(storeys, meshes, ground, plan, levels)
    uncertain = {}
    if any("holes filled" in s.note for s in per_storey):
        why = "no floor slabs in the building: storeys and floor area come from the walls' outline"
        uncertain.update(storeys=why, gross_floor_area_m2=why)
    if any(s.building_id in levels.uncertain_buildings for s in storeys):
        uncertain["storeys"] = ("no storey holds a floor slab of 4 m² (a frame with small slabs): every storey "
                                "with elements is counted")
    gfa = sum(s.gross_area_m2 for s in per_storey if s.counted and s.above_ground)
    if 0 < gfa < IMPLAUSIBLE_GFA_SHARE * plan.area:
        uncertain["gross_floor_area_m2"] = (
            f"floor area {gfa:.1f} m² is less than half the footprint ({plan.area:.1f} m²): floor slabs may be "
            "missing (a frame or a shell modelled without floors)")
    in_building = {m.building_id for m in meshes}
    proxies = [p for p in model.unmeasured_proxies if building is None or p.building_id in in_building]
    above = [(float(p.vertices[:, 2].max()), p) for p in proxies]
    above = [(z, p) for z, p in above if top is not None and z > top + 0.01]
    if above:
        z, p = max(above, key=lambda t: t[0])
        uncertain["height_m"] = (
            f"IfcBuildingElementProxy '{p.name}' ({p.global_id}) rises to {z - ground:.2f} m above ground, above the "
            f"measured top ({top - ground:.2f} m), and is not measured: check it, or run with --include-proxies")
    return Facts(
        building_id=building.global_id if building else None,
        name=name,
        ground_elevation_m=ground,
        height_m=None if top is None else top - ground,
        highest_element=element,
        footprint=plan,
        storeys=per_storey,
        element_count=len(meshes),
        storeys_above_ground=sum(1 for s in per_storey if s.counted and s.above_ground),
        storeys_below_ground=sum(1 for s in per_storey if s.counted and not s.above_ground),
        derivation={**DERIVATION, "ground_elevation_m": how},
        uncertain=uncertain,
        element_plans=element_plans,
    )


MASSING_DERIVATION = {
    "height_m": "highest vertex of the massing minus the ground elevation",
    "footprint": (
        f"union of the plan projection of every part of the massing clipped {ABOVE_TOLERANCE * 100:.0f} cm above "
        "ground level (holes kept, parts below ground ignored)"
    ),
    "storeys": "derived from the massing: floor levels {levels}; a level is a storey when the massing's section "
               "just above it, where the massing stands 1.5 m higher, covers 4 m²",
    "gross_floor_area_m2": (
        "derived from the massing: per storey at or above ground, its horizontal section 5 cm above the floor "
        "level (holes a floor 2.5 cm below fills counted) where the massing stands 1.5 m higher, clipped to the "
        "footprint; summed"
    ),
}


def _massing_facts(model: Model, ground_level_m: float | None) -> FactSet:
    """Facts of a massing model: footprint and height as for IFC, storeys and floor area from sections
    at the floor levels given (facts.slices), every one of those marked uncertain."""
    from permitcheck.facts.slices import describe, ground_of, massing_plans, sliced_storeys

    m = model.massing
    ground, how = ground_of(m, model.elements, ground_level_m)
    top, element = highest_point(model.elements)
    plan, element_plans = massing_plans(model.elements, ground)
    per_storey = sliced_storeys(m, model.elements, ground, plan)
    levels = describe(m)
    if per_storey:
        why = (f"storeys and floor area are derived from horizontal sections of the massing at floor levels {levels}, "
               "not from real storeys: rules on them give REVIEW at best")
    else:
        why = ("no storeys nor floor area: a massing has no storeys and no floor levels were given — pass "
               "--storey-height H or --levels Z1,Z2,...; rules on them are UNKNOWN")
    warnings: list[str] = []
    building = model.buildings[0]
    whole = Facts(
        building_id=building.global_id, name=building.name, ground_elevation_m=ground,
        height_m=None if top is None else top - ground, highest_element=element, footprint=plan,
        storeys=per_storey, element_count=len(model.elements),
        storeys_above_ground=sum(1 for s in per_storey if s.counted and s.above_ground),
        storeys_below_ground=sum(1 for s in per_storey if s.counted and not s.above_ground),
        derivation={**MASSING_DERIVATION, "ground_elevation_m": how,
                    "storeys": MASSING_DERIVATION["storeys"].format(levels=levels)},
        uncertain={"storeys": why, "gross_floor_area_m2": why}, element_plans=element_plans,
    )
    return FactSet(replace(whole, building_id=None, name="whole model"), (whole,), tuple(warnings), None)


def derive_facts(model: Model, ground_level_m: float | None = None) -> FactSet:
    """Facts for the whole model and for each IfcBuilding; `ground_level_m` overrides the datum.
    A massing model's storeys and floor area come from sections at the floor levels it was read with."""
    if model.massing is not None:
        return _massing_facts(model, ground_level_m)
    levels = storey_levels(model.storeys, model.elements)
    ground, how = ground_level(list(levels.storeys), ground_level_m)
    whole = _facts(model, levels, None, ground, how)
    if len(model.buildings) == 1:
        only = model.buildings[0]
        return FactSet(whole, (replace(whole, building_id=only.global_id, name=only.name),), levels.warnings, levels)
    buildings = tuple(_facts(model, levels, b, ground, how) for b in model.buildings)
    # Storeys of side-by-side buildings do not add up: the whole has as many as its tallest part.
    whole = replace(
        whole,
        storeys_above_ground=max(b.storeys_above_ground for b in buildings),
        storeys_below_ground=max(b.storeys_below_ground for b in buildings),
    )
    return FactSet(whole, buildings, levels.warnings, levels)
