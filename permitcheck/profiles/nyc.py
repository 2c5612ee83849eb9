"""`nyc-zr-12-10`: New York City Zoning Resolution §12-10 "floor area", "cellar", "base plane", a subset.

The opening of the "floor area" definition (the sum of the gross areas of the several floors,
measured from the exterior faces of exterior walls) was read verbatim in two agreeing copies of the
Resolution as amended 12/5/2024 (grade P); its exclusions, "cellar" and "basement" only in
secondary copies (grade S): see docs/sources/nyc.md.

Covered: floor area to the exterior faces of the exterior walls; cellars (a story more than half
below the base plane) are not floor area and not stories; open balconies are not floor area (S);
floor space in rooftop bulkheads is not floor area (S); height from the base plane, read as the
perimeter-weighted mean ground (S). Not covered: the mechanical-space deductions, the limits on
accessory parking below 23 ft, permitted obstructions above the height limit (their sizes were not
found in a copy), the base plane's curb-level variants.
"""

from __future__ import annotations

from permitcheck.profiles.measure import Profile
from permitcheck.profiles.types import Clause

_ZR = "New York City Zoning Resolution"
_AMENDED = "2024-12-05"


def _c(article: str, grade: str = "P") -> Clause:
    return Clause(_ZR, article, _AMENDED, grade)


PROFILE = Profile(
    name="nyc-zr-12-10",
    title="NYC Zoning Resolution §12-10 (floor area, cellar, base plane)",
    clauses={
        "building_area": _c("§ 12-10 (lot coverage)", grade="S"),
        "eaves": _c("§ 12-10 (lot coverage)", grade="S"),
        "low_parts": _c("§ 12-10 (lot coverage)", grade="S"),
        "floor_area": _c("§ 12-10 (floor area)"),
        "balcony": _c("§ 12-10 (floor area, exclusions)", grade="S"),
        "rooftop_floor": _c("§ 12-10 (floor area, exclusions)", grade="S"),
        "far_basement": _c("§ 12-10 (floor area: cellar space excluded)", grade="S"),
        "far_parking": _c("§ 12-10 (floor area, exclusions)", grade="S"),
        "far_refuge": _c("§ 12-10 (floor area, exclusions)", grade="S"),
        "basement": _c("§ 12-10 (cellar)", grade="S"),
        "height": _c("§ 12-10 (base plane)"),
        "datum": _c("§ 12-10 (base plane)", grade="S"),
        "storeys_rooftop": _c("§ 12-10 (story)", grade="S"),
        "storeys_unclear": _c("§ 12-10 (story)", grade="S"),
        "rooftop_height": _c("§ 23-42 (permitted obstructions)", grade="S"),
        "parapet_open": _c("§ 23-42 (permitted obstructions)", grade="S"),
        "ornament": _c("§ 23-42 (permitted obstructions)", grade="S"),
        "attic": _c("§ 12-10 (floor area)"),
        "pilotis": _c("§ 12-10 (floor area)"),
    },
    centre_lines=False, eave_trigger_m=None, projections_count=True, low_part_m=0.01,
    balconies_count=False, balcony_allowance_m=None, pilotis_open_share=None, attic_height_m=None,
    rooftop_share=None, rooftop_floor_area=True, basement_share=0.5, basement_measure="storey",
    storeys_per_m=None, far_excludes=("basement",), datum_bands_m=None,
    defaults={},
)
