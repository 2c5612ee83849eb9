"""`jp-bsa-enforcement-2`: 建築基準法施行令 第2条 (面積、高さ等の算定方法), 第1条第2号, 建築基準法 第52条.

Read from the e-Gov XML of the texts in force on 2026-05-30, mirrored as plain text per article in
the public repository ssKudo/yaml-law (grade P): see docs/sources/japan.md.

Covered: 建築面積 inside the centre lines of the outer walls or columns, eaves and the like 1 m or
more from the centre line counted to 1 m back from their tip, basement parts up to 1 m above
地盤面 left out (令§2①2); 床面積 inside the centre lines (令§2①3); 延べ面積 for the floor area ratio
without garages and parking, capped at 1/5 of the total floor area (令§2①4イ, ③1); 地盤面 as the
perimeter-weighted mean, a datum per 3 m of level difference (令§2②); height without rooftop
structures within 1/8 of the building area up to 12 m (令§2①6ロ: the general 12 m; the 3D planes
measure the mesh in full, as 北側斜線 wants) and without ridge ornaments and firewall projections
(令§2①6ハ; open railings read as such by practice, grade S); 階数 without such
rooftop parts (令§2①8); 地階 as 令§1二 defines it (ceiling height read as floor-to-floor less
0.2 m: the model has no ceilings). Open balconies within 2 m of the wall centre line are not floor
area by long practice (昭和61年 住指発第115号, secondary, grade S). Not covered: 特例軒等 of
factories and warehouses, highly open structures (告示), the residential basement (法§52③) and
the shared corridors, stairs and lift shafts of apartment houses (法§52⑥) unless a space says so
(not yet read from spaces), stockpile, battery, generator, water tank and parcel locker rooms, and
the 5 m (not 12 m) rooftop allowance of 法§55 (absolute height in the low-rise zones) and §56の2.
"""

from __future__ import annotations

from permitcheck.profiles.measure import Profile
from permitcheck.profiles.types import Clause

_ORDER = "建築基準法施行令"
_IN_FORCE = "2026-05-30"


def _c(article: str, law: str = _ORDER, grade: str = "P", effective: str = _IN_FORCE) -> Clause:
    return Clause(law, article, effective, grade)


PROFILE = Profile(
    name="jp-bsa-enforcement-2",
    title="建築基準法施行令 第2条 (Japan, Building Standards Act Enforcement Order, Art. 2)",
    clauses={
        "building_area": _c("第2条第1項第2号"),
        "eaves": _c("第2条第1項第2号"),
        "low_parts": _c("第2条第1項第2号"),
        "floor_area": _c("第2条第1項第3号"),
        "balcony": _c("床面積の算定方法について (昭和61年4月30日 建設省住指発第115号)", law="建設省通達", grade="S",
                      effective="1986-04-30"),
        "far_basement": _c("第52条第1項 (容積率: 地階を含む延べ面積)", law="建築基準法"),
        "far_parking": _c("第2条第1項第4号イ, 第3項第1号"),
        "far_refuge": _c("第2条第1項第4号"),
        "height": _c("第2条第1項第6号"),
        "datum": _c("第2条第2項"),
        "rooftop_height": _c("第2条第1項第6号ロ"),
        "parapet_open": _c("第2条第1項第6号ハ (手すり as 屋上突出物: practice, secondary)", grade="S"),
        "ornament": _c("第2条第1項第6号ハ"),
        "storeys_rooftop": _c("第2条第1項第8号"),
        "storeys_unclear": _c("第2条第1項第8号"),
        "basement": _c("第1条第2号"),
        "rooftop_floor": _c("第2条第1項第3号"),
        "attic": _c("第2条第1項第3号"),
        "pilotis": _c("第2条第1項第3号"),
    },
    centre_lines=True, eave_trigger_m=1.0, eave_setback_m=1.0, low_part_m=1.0, low_part_basement_only=True,
    balcony_allowance_m=None, balcony_exempt_depth_m=2.0, pilotis_open_share=None, attic_height_m=None,
    rooftop_share=1 / 8, rooftop_free_m=12.0, rooftop_floor_area=False,
    basement_share=1 / 3, basement_measure="ceiling", storeys_per_m=None,
    far_excludes=("parking",), far_caps={"parking": 1 / 5},
    defaults={"parking_accessory": True},
)
