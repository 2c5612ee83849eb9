"""`de-baunvo-19-20`: BauNVO §19 (Grundfläche) and §20 (Vollgeschosse, Geschossfläche), a documented subset.

Read from the BauNVO as newly promulgated on 21.11.2017, mirrored in the public repository
bundestag/gesetze (grade P for that wording; whether the amendments of 2021 and 2023 touched
§§19-20 was not verified). The Länder define the Vollgeschoss (§20(1)); their texts were read only
in secondary copies (grade S): see docs/sources/germany.md. The default parameters are Hamburg's
(HBauO §2(2)): a storey whose deck top stands more than 1.40 m above the mean ground, with 2.30 m
of height over at least 2/3 of its area; a rulebook names its Land's figures.

Covered: the Grundfläche as the plan the building covers, to its outer dimensions (§19(2));
the Geschossfläche over the Vollgeschosse only, to their outer dimensions, without balconies,
loggias and terraces (§20(3) sentence 1, §20(4)); the number of Vollgeschosse. Height is measured
from the ground level (§18(1) leaves the reference points to the plan: a rulebook sets them).
Not covered: the §19(4) overrun for garages, parking, ancillary and underground structures, the
plan's own rules of §20(3) sentence 2, §21a (garage storeys), the share of a roof storey with
2.30 m of height (a storey under a pitched roof is uncertain), the Land's rules on floor-to-floor
against clear height (floor-to-floor is read).
"""

from __future__ import annotations

from permitcheck.profiles.measure import Profile
from permitcheck.profiles.types import Clause

_BAUNVO = "Baunutzungsverordnung (BauNVO)"
_IN_FORCE = "2017-11-21"


def _c(article: str, law: str = _BAUNVO, grade: str = "P", effective: str = _IN_FORCE) -> Clause:
    return Clause(law, article, effective, grade)


PROFILE = Profile(
    name="de-baunvo-19-20",
    title="BauNVO §§19-20 (Germany, Land Use Ordinance: Grundfläche, Vollgeschosse, Geschossfläche)",
    clauses={
        "building_area": _c("§ 19 Abs. 2"),
        "eaves": _c("§ 19 Abs. 2"),
        "low_parts": _c("§ 19 Abs. 2"),
        "floor_area": _c("§ 20 Abs. 3 Satz 1"),
        "balcony": _c("§ 20 Abs. 4"),
        "far_basement": _c("§ 20 Abs. 3 Satz 1"),
        "far_parking": _c("§ 21a Abs. 4"),
        "far_refuge": _c("§ 20 Abs. 3"),
        "full_storey": _c("§ 20 Abs. 1 mit § 2 Abs. 2 HBauO (Land parameter)", grade="S"),
        "height": _c("§ 18 Abs. 1"),
        "datum": _c("§ 18 Abs. 1"),
        "basement": _c("§ 20 Abs. 1 mit § 2 Abs. 2 HBauO (Land parameter)", grade="S"),
        "storeys_rooftop": _c("§ 20 Abs. 1"),
        "storeys_unclear": _c("§ 20 Abs. 1"),
        "rooftop_height": _c("§ 18 Abs. 1"),
        "parapet_open": _c("§ 18 Abs. 1"),
        "ornament": _c("§ 18 Abs. 1"),
        "rooftop_floor": _c("§ 20 Abs. 3"),
        "attic": _c("§ 20 Abs. 3"),
        "pilotis": _c("§ 20 Abs. 3"),
    },
    centre_lines=False, eave_trigger_m=None, projections_count=True, low_part_m=0.01,
    balconies_count=False, balcony_allowance_m=None, pilotis_open_share=None, attic_height_m=None,
    rooftop_share=None, basement_share=None, storeys_per_m=None, far_excludes=("basement",),
    full_storeys_only=True, datum_bands_m=None,
    vollgeschoss={"deck_above_ground_m": 1.40, "min_height_m": 2.30, "land": "Hamburg (HBauO § 2 Abs. 2)"},
    defaults={},
)
