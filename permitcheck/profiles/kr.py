"""`kr-building-act-119`: 건축법 시행령 제119조 (면적 등의 산정방법) and 건축법 제2조제1항제5호.

Read from a verbatim copy of the consolidated 건축법 시행령 in force on 2026-10-06 (the
law.go.kr OpenAPI text mirrored in the public repository legalize-kr/legalize-kr, grade P; blog
and Q&A copies agree word for word on every clause they quote): see docs/sources/korea.md.

Covered: 건축면적 inside the outer walls' (or outer columns') centre lines (①2 본문); eaves,
canopies and cantilevers 1 m or more from the centre line counted to 1 m back from their tip
(①2가 7), the general case); parts up to 1 m above ground left out (①2다1)); 바닥면적 inside the
centre lines (①3 본문); balconies less 1.5 m × the outer wall they adjoin (①3나); pilotis open on
half their walls and used for passage or parking, or in an apartment building (①3다); attics up
to 1.5 m and rooftop stair and lift towers (①3라); FAR floor area without basements, accessory
parking and refuge floors (①4가, 나, 마); 높이 from the perimeter-weighted mean ground, a datum per
3 m of level difference (①5, ②); rooftop structures within 1/8 of the building area counted only
above 12 m (①5다) and not storeys (①9가); parapets half open and roof ornaments not counted
(①5라); basements as 법 제2조①5 defines them; one storey per 4 m where storeys cannot be told
apart (①9). Not covered: the special eave types of ①2가 1)-6) (temples, livestock sheds, hanok,
charging canopies, zero-energy and hydrogen buildings), truck docks (1.5 m), the legacy items of
①2다 and ①3, the 1/6 share for 85 m² apartments (a parameter: `rooftop_share`), refuge spaces
measured to the inner wall line (①3거).
"""

from __future__ import annotations

from permitcheck.profiles.measure import Profile
from permitcheck.profiles.types import Clause

_DECREE = "건축법 시행령"
_IN_FORCE = "2026-10-06"


def _c(article: str, law: str = _DECREE, effective: str = _IN_FORCE, grade: str = "P") -> Clause:
    return Clause(law, article, effective, grade)


PROFILE = Profile(
    name="kr-building-act-119",
    title="건축법 시행령 제119조 (Korea, Enforcement Decree of the Building Act, Art. 119)",
    clauses={
        "building_area": _c("제119조제1항제2호"),
        "eaves": _c("제119조제1항제2호가목7)"),
        "low_parts": _c("제119조제1항제2호다목1)"),
        "floor_area": _c("제119조제1항제3호"),
        "balcony": _c("제119조제1항제3호나목"),
        "pilotis": _c("제119조제1항제3호다목"),
        "attic": _c("제119조제1항제3호라목"),
        "rooftop_floor": _c("제119조제1항제3호라목"),
        "far_basement": _c("제119조제1항제4호가목"),
        "far_parking": _c("제119조제1항제4호나목"),
        "far_refuge": _c("제119조제1항제4호마목"),
        "height": _c("제119조제1항제5호"),
        "datum": _c("제119조제2항"),
        "rooftop_height": _c("제119조제1항제5호다목"),
        "parapet_open": _c("제119조제1항제5호라목2)"),
        "ornament": _c("제119조제1항제5호라목1)"),
        "storeys_rooftop": _c("제119조제1항제9호가목"),
        "storeys_unclear": _c("제119조제1항제9호"),
        # read in the 건축법 promulgated 2026-09-08 (in force as a whole 2027-09-09); that the definition
        # in force today reads the same rests on secondary copies: grade S
        "basement": _c("제2조제1항제5호", law="건축법", grade="S"),
    },
    centre_lines=True, eave_trigger_m=1.0, eave_setback_m=1.0, low_part_m=1.0,
    balcony_allowance_m=1.5, pilotis_open_share=0.5, attic_height_m=1.5,
    rooftop_share=1 / 8, rooftop_free_m=12.0, rooftop_floor_area=True,
    basement_share=0.5, basement_measure="storey", storeys_per_m=4.0,
    far_excludes=("basement", "parking", "refuge"),
    defaults={"building_use": "", "parking_accessory": True},
)
