"""Physical facts to legal facts, one step per clause, under a `Profile` (a law's definitions as data).

Every step records an `Adjustment` (what, by how much, which elements, which clause), so the legal
figure is the physical one plus the listed deltas and nothing else. A definition whose data the
model lacks records an `Uncertain` instead, with the range the figure could take when it has one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.facts.derive import FactSet

from permitcheck.facts.types import Facts
from permitcheck.model.types import ElementMesh, Model
from permitcheck.profiles import ground as ground_mod
from permitcheck.profiles.plan import counted_projections, covered_above, outline, plan_of, union
from permitcheck.profiles.rooftop import Rooftop, rooftop
from permitcheck.profiles.storeys import StoreyView, open_share, storey_views
from permitcheck.profiles.types import Adjustment, Clause, LegalFacts, Uncertain
from permitcheck.profiles.uses import plans_by_use, words


@dataclass(frozen=True)
class Profile:
    """A law's measurement definitions. `clauses` names the article behind each step by key."""

    name: str
    title: str
    clauses: dict[str, Clause]
    centre_lines: bool = True  # areas inside the outer walls' centre lines (KR, JP) or to the outer faces
    eave_trigger_m: float | None = 1.0  # a projection this deep from the centre line counts back from its tip
    eave_setback_m: float = 1.0
    projections_count: bool = True  # without a tip rule: do projections beyond the walls count at all
    low_part_m: float = 1.0  # parts up to this high above ground are not building area
    low_part_basement_only: bool = False  # Japan: only basement parts
    balcony_allowance_m: float | None = 1.5  # Korea: balcony area less 1.5 m x its wall; None: counts
    balcony_exempt_depth_m: float | None = None  # Japan (S): open balconies up to 2 m deep are no floor area
    balconies_count: bool = True  # Germany, NYC: balconies are no floor area at all
    pilotis_open_share: float | None = 0.5  # Korea: a storey open on half its walls for passage/parking
    attic_height_m: float | None = 1.5  # Korea: an attic this low is no floor area
    rooftop_share: float | None = 1 / 8  # rooftop structures within this share of the building area...
    rooftop_free_m: float = 12.0  # ...count in height only above this
    rooftop_floor_area: bool = False  # Korea: stair and lift towers are never floor area
    basement_share: float | None = 0.5  # a storey below ground this deep (share of its height) is a basement
    basement_measure: str = "storey"  # "storey" height (Korea) or "ceiling" height (Japan)
    storeys_per_m: float | None = 4.0  # Korea: storeys unclear, one per 4 m of height
    far_excludes: tuple[str, ...] = ("basement", "parking", "refuge")
    far_caps: dict[str, float] = field(default_factory=dict)  # use -> cap as a share of the total floor area
    full_storeys_only: bool = False  # Germany: GF counts Vollgeschosse only
    vollgeschoss: dict | None = None  # Germany: the Land's definition, as parameters
    datum: str = "mean"  # "mean": the perimeter-weighted mean ground; "ground": the facts' ground level
    datum_bands_m: float | None = 3.0  # a datum per band of ground this deep (None: one datum)
    grades: str = "P"
    defaults: dict = field(default_factory=dict)  # parameters a rulebook may set

    def clause(self, key: str) -> Clause:
        return self.clauses[key]


# More of the plan beyond the walls than this share of what they enclose is no eave: the walls
# do not describe the building (a model with slabs and roofs but few walls).
UNENCLOSED_SHARE = 0.5
# A floor standing out of its storey's walls farther than this is no balcony the articles describe
# (a roof terrace over the storey below, a slab whose walls the model lacks): counted as built, uncertain.
MAX_BALCONY_DEPTH_M = 3.0


def _area(g: BaseGeometry | None) -> float:
    return 0.0 if g is None or g.is_empty else float(g.area)


class _Recorder:
    def __init__(self, profile: Profile):
        self.profile = profile
        self.adjustments: list[Adjustment] = []
        self.uncertain: list[Uncertain] = []

    def adjust(self, fact: str, what: str, delta: float, clause: str, ids=()) -> None:
        if abs(delta) > 1e-6:
            self.adjustments.append(Adjustment(fact, what, float(delta), self.profile.clause(clause),
                                               tuple(sorted(set(ids))), step=clause))

    def note(self, fact: str, reason: str, low: float | None = None, high: float | None = None) -> None:
        self.uncertain.append(Uncertain(fact, reason, low, high))


def _top_within(meshes, plan: BaseGeometry, cap: float | None = None) -> float | None:
    """Highest point of `meshes` over `plan` (model z), cut at `cap` when given.

    A triangle wholly over the plan peaks at a vertex; one crossing its edge is cut to it, and a
    plane over the cut polygon peaks at one of the cut's vertices.
    """
    if plan.is_empty:
        return None
    shapely.prepare(plan)
    best = None
    for m in meshes:
        tri = m.vertices[m.faces]
        inside = shapely.contains_xy(plan, tri[:, :, 0].ravel(), tri[:, :, 1].ravel()).reshape(-1, 3)
        tops = [float(tri[inside][:, 2].max())] if inside.any() else []
        partial = tri[~inside.all(axis=1)]
        a, b = partial[:, 1, :2] - partial[:, 0, :2], partial[:, 2, :2] - partial[:, 0, :2]
        partial = partial[np.abs(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]) > 1e-12]  # a wall's side peaks on its top
        if len(partial):
            ring = np.concatenate([partial[:, :, :2], partial[:, :1, :2]], axis=1)
            hit = shapely.intersects(shapely.polygons(ring), plan)
            for t in partial[hit]:
                cut = shapely.Polygon(t[:, :2]).intersection(plan)
                if cut.is_empty:
                    continue
                pts = shapely.get_coordinates(cut)
                n = np.cross(t[1] - t[0], t[2] - t[0])
                z = t[0, 2] - (n[0] * (pts[:, 0] - t[0, 0]) + n[1] * (pts[:, 1] - t[0, 1])) / n[2]
                tops.append(float(np.max(z)))
        if tops:
            z = max(tops) if cap is None else min(max(tops), cap)
            best = z if best is None else max(best, z)
    return best


def legal_facts(profile: Profile, model: Model, factset: FactSet, facts: Facts | None = None,
                params: dict | None = None) -> LegalFacts:
    """The legal facts of the whole model (or of one building's `facts`) under `profile`.

    Several buildings are measured one by one: their areas add up (the coverage and floor area
    ratios of a lot take every building on it) and the whole has the storeys and height of the
    tallest (as the physical facts do).
    """
    params = {**profile.defaults, **(params or {})}
    top_level = {b.global_id for b in model.buildings if b.parent_id is None}
    separate = [b for b in factset.buildings if b.building_id in top_level]
    if facts is None and len(separate) > 1:  # a building inside another (Allplan) is measured with it
        parts = [_one_building(profile, model, factset, b, params) for b in separate]
        return _combine(profile, parts, factset.whole)
    return _one_building(profile, model, factset, facts or factset.whole, params)


def _members(model: Model, building_id: str | None) -> set[str | None] | None:
    if building_id is None:
        return None
    ids, grew = {building_id}, True
    while grew:
        grew = False
        for b in model.buildings:
            if b.parent_id in ids and b.global_id not in ids:
                ids.add(b.global_id)
                grew = True
    return ids


def _combine(profile: Profile, parts: list[LegalFacts], whole: Facts) -> LegalFacts:
    tallest = max(parts, key=lambda p: (p.height_m or 0.0))
    return LegalFacts(
        profile=profile.name, title=profile.title,
        building_area_m2=sum(p.building_area_m2 for p in parts), floor_area_m2=sum(p.floor_area_m2 for p in parts),
        gross_floor_area_m2=sum(p.gross_floor_area_m2 for p in parts), height_m=tallest.height_m,
        storeys_above_ground=max(p.storeys_above_ground for p in parts),
        storeys_below_ground=max(p.storeys_below_ground for p in parts),
        ground_elevation_m=tallest.ground_elevation_m,
        adjustments=_combined_adjustments(parts, whole, tallest),
        uncertain=tuple(u for p in parts for u in p.uncertain),
        outline=union([p.outline for p in parts if p.outline is not None]),
        centre_line=union([p.centre_line for p in parts if p.centre_line is not None]),
        projections=union([p.projections for p in parts if p.projections is not None]),
        datums=tuple(d for p in parts for d in p.datums), parameters=tallest.parameters,
        mean_ground_m=tallest.mean_ground_m,
    )


def _combined_adjustments(parts: list[LegalFacts], whole: Facts, tallest: LegalFacts) -> tuple[Adjustment, ...]:
    """Areas: every building's steps; height and storeys: the tallest building's, and what sets the whole apart."""
    out = [a for p in parts for a in p.adjustments if a.fact in ("building_area_m2", "floor_area_m2")]
    out += [a for a in tallest.adjustments if a.fact not in ("building_area_m2", "floor_area_m2")]
    return tuple(out)


def _one_building(profile: Profile, model: Model, factset: FactSet, facts: Facts, params: dict) -> LegalFacts:
    rec = _Recorder(profile)
    ids = _members(model, facts.building_id)
    meshes = [m for m in model.elements if ids is None or m.building_id in ids]
    ground = facts.ground_elevation_m

    # -- where the building stands: its outer faces at ground, and the datums on sloping ground --------
    # whole plans by GlobalId, shared by every step: an element standing wholly above ground has its
    # plan in the facts already
    same = _same_plan(meshes, ground)
    plans: dict = {gid: p for gid, p in facts.element_plans.items() if gid in same}
    covered_low = facts.footprint  # what the facts measured above ground: the same plans
    members_low = [(m, facts.element_plans[m.global_id]) for m in meshes if m.global_id in facts.element_plans]
    body = outline(covered_low, members_low)
    terrain = ground_mod.Terrain(model.terrain) if model.terrain is not None and len(model.terrain) \
        and profile.datum == "mean" else None
    datums = ground_mod.datums(terrain, body.faces if not body.faces.is_empty else covered_low, ground,
                               band_m=profile.datum_bands_m if profile.datum_bands_m is not None else math.inf)
    datum = datums[0].level_m if len(datums) == 1 else min(d.level_m for d in datums)
    mean_ground = datum if len(datums) == 1 else ground_mod.datums(
        terrain, body.faces if not body.faces.is_empty else covered_low, ground, band_m=math.inf)[0].level_m
    if profile.datum == "ground":
        parameters = {"ground": f"the ground level {ground:.3f} m (the plan sets the reference points)"}
    elif terrain is None:
        parameters = {"ground": f"level at {ground:.3f} m (no terrain in the model)"}
    else:
        parameters = {"ground": f"{len(datums)} datum(s) from the model's terrain"}
    if len(datums) > 1:
        levels = ", ".join(f"{d.level_m - ground:+.2f} m" for d in datums)
        rec.adjust("ground_elevation_m", f"ground differs by more than 3 m: {len(datums)} datums ({levels} from the "
                   "ground storey), one per part of the building", datum - ground, "datum")
    elif abs(datum - ground) > 1e-4:
        rec.adjust("ground_elevation_m", f"ground: the perimeter-weighted mean of the terrain "
                   f"({datum - ground:+.2f} m from the ground storey)", datum - ground, "datum")

    # -- building area ---------------------------------------------------------------------------
    building_area, outline_geom, centre, beyond = _building_area(profile, rec, meshes, facts, datum, body, plans)

    # -- rooftop structures, storeys, floor area ------------------------------------------------------
    top = rooftop(facts, meshes, body.faces)
    views = storey_views(facts, factset.levels, meshes, top.roof_bottom_m if top else None, plans) \
        if factset.levels is not None else []
    rooftop_area = sum(_group_area(profile, g) for g in top.of_kind("structure")) if top else 0.0
    small_rooftop = profile.rooftop_share is not None and rooftop_area <= profile.rooftop_share * building_area + 1e-9
    storeys_above, storeys_below, basements = _storeys(profile, rec, facts, views, datums, top, small_rooftop,
                                                       rooftop_area, building_area)
    gfa, far_area = _floor_area(profile, rec, model, facts, views, basements, _outside_far(profile, views, basements),
                                top, body, params, plans)

    # -- height ------------------------------------------------------------------------------------
    height = _height(profile, rec, facts, meshes, datums, top, small_rooftop, rooftop_area, building_area)

    return LegalFacts(
        profile=profile.name, title=profile.title, building_area_m2=building_area, floor_area_m2=far_area,
        gross_floor_area_m2=gfa, height_m=height, storeys_above_ground=storeys_above,
        storeys_below_ground=storeys_below, ground_elevation_m=datum, adjustments=tuple(rec.adjustments),
        uncertain=tuple(rec.uncertain), outline=outline_geom, centre_line=centre, projections=beyond,
        datums=tuple({"level_m": d.level_m, "plan": d.plan} for d in datums) if len(datums) > 1 else (),
        parameters={**parameters, **{k: v for k, v in params.items() if isinstance(v, (str, int, float, bool))}},
        mean_ground_m=mean_ground,
    )


def _same_plan(meshes: list[ElementMesh], ground: float) -> set[str]:
    """Elements whose plan above ground (the facts') is their whole plan: those standing wholly above
    it, and walls standing on it (upright slabs: the same plan at every height; a column may have a
    base plate, so it is cut again)."""
    from permitcheck.profiles.plan import is_wall

    out = set()
    for m in meshes:
        low = float(m.vertices[:, 2].min())
        if low >= ground + 0.01 or (is_wall(m) and low >= ground - 0.01):
            out.add(m.global_id)
    return out


def _building_area(profile: Profile, rec: _Recorder, meshes: list[ElementMesh], facts: Facts, datum: float, body,
                   plans: dict):
    physical = facts.footprint_area_m2
    low_level = datum + profile.low_part_m
    if profile.low_part_basement_only:
        below = {s.global_id for s in facts.storeys if not s.above_ground}
        keep_high = [m for m in meshes if m.storey_id in below]
        rest = [m for m in meshes if m.storey_id not in below]
        c1, m1 = covered_above(keep_high, low_level, plans) if keep_high else (shapely.Polygon(), [])
        c2, m2 = covered_above(rest, datum + 0.01, plans)
        covered, members = union([c1, c2]), m1 + m2
    else:
        covered, members = covered_above(meshes, low_level, plans)
    low_ids = [m.global_id for m in meshes if float(m.vertices[:, 2].max()) <= low_level
               and float(m.vertices[:, 2].max()) > datum + 0.01]
    rec.adjust("building_area_m2", f"parts up to {profile.low_part_m:g} m above ground are not building area",
               _area(covered) - physical, "low_parts", low_ids)
    o = outline(covered, members)
    if o.basis == "faces":
        rec.note("building_area_m2", "no outer walls or columns in the model: the building area is measured to the "
                 "outer faces, not the centre lines the law names")
    unreliable = _area(o.beyond) > UNENCLOSED_SHARE * _area(o.faces)
    if profile.eave_trigger_m is not None:
        counted, projections = counted_projections(o, profile.eave_trigger_m, profile.eave_setback_m)
        kept = union([o.faces, counted])
        deep = len(projections)
        near = o.faces.buffer(0.01)
        shapely.prepare(near)
        beyond_ids = [m.global_id for m, p in members if not near.contains(p)]
        rec.adjust("building_area_m2", f"eaves, canopies and other projections: {deep} edge(s) project "
                   f"{profile.eave_trigger_m:g} m or more from the wall centre line and count up to "
                   f"{profile.eave_setback_m:g} m back from their tip; shallower ones do not count",
                   _area(kept) - _area(covered), "eaves", beyond_ids)
    elif not profile.projections_count:
        counted, kept = shapely.Polygon(), o.faces
        rec.adjust("building_area_m2", "projections beyond the outer walls are not building area",
                   _area(kept) - _area(covered), "eaves")
    else:
        counted, kept = o.beyond, covered
    if profile.centre_lines and o.basis != "faces":
        legal = union([o.centre, counted])
        how = "outer walls" if o.basis == "walls" else "outer columns"
        rec.adjust("building_area_m2", f"measured to the centre lines of the {how}, not their outer faces",
                   _area(legal) - _area(kept), "building_area", o.outer_walls)
    else:
        legal = kept
    if unreliable:
        rec.note("building_area_m2", f"the walls and columns enclose {_area(o.faces):.1f} m² of the {_area(covered):.1f} "
                 "m² the building covers: the rest cannot be told from eaves and canopies; the building area lies "
                 "between the law's figure and the figure as built", 0.0, max(facts.footprint_area_m2 - _area(legal), 0.0))
    return _area(legal), legal, o.centre if profile.centre_lines else None, o.beyond


def _storeys(profile, rec, facts, views, datums, top: Rooftop | None, small_rooftop, rooftop_area, building_area):
    """Storeys above and below ground as the law counts them; the basements found."""
    datum = datums[0].level_m if len(datums) == 1 else None
    basements: set[str] = set()
    above = below = 0
    for v in views:
        g = datum if datum is not None else _datum_at(datums, v.outline.covered)
        depth = g - v.level_m
        h = v.height_m
        if profile.basement_measure == "ceiling" and h is not None:
            h = max(h - 0.2, 0.0)  # ceiling height: floor to floor less a slab (the model has no ceilings)
        if profile.vollgeschoss is not None:  # below ground: the deck over it no higher than the threshold
            is_basement = h is not None and v.level_m + h - g <= profile.vollgeschoss["deck_above_ground_m"]
        else:
            is_basement = depth > 0.05 and (profile.basement_share is None or h is None
                                            or depth >= profile.basement_share * h)
        if is_basement:
            basements.add(v.global_id)
            below += 1
        else:
            above += 1
        if is_basement != (not v.facts.above_ground):
            word = "a basement" if is_basement else "not a basement"
            if profile.vollgeschoss is not None:
                why = (f"its deck stands {(v.level_m + (h or 0) - g):.2f} m above ground, "
                       f"{'not more' if is_basement else 'more'} than {profile.vollgeschoss['deck_above_ground_m']:g} m")
            else:
                why = (f"its floor lies {depth:.2f} m below ground, {'at least' if is_basement else 'less than'} "
                       f"{profile.basement_share:g} of its height ({(h or 0):.2f} m)")
            rec.adjust("storeys_above_ground", f"storey '{v.facts.name}': {why}: {word}", -1 if is_basement else 1,
                       "basement")
    if profile.vollgeschoss is not None:
        pitched = top is not None and top.roof_top_m - top.roof_bottom_m > 1.0
        above = _full_storeys(profile, rec, views, basements, pitched)
    if top is not None and profile.rooftop_share is not None:
        on_roof = [v for v in views if v.level_m >= top.roof_bottom_m - 0.05 and v.global_id not in basements]
        if small_rooftop and on_roof:
            above -= len(on_roof)
            rec.adjust("storeys_above_ground", f"rooftop structures of {rooftop_area:.1f} m², at most "
                       f"{_fraction(profile.rooftop_share)} of the building area ({building_area:.1f} m²): their "
                       f"{len(on_roof)} level(s) are not storeys", -len(on_roof), "storeys_rooftop")
        elif not small_rooftop and top.of_kind("structure") and not on_roof:
            above += 1
            ids = [i for g in top.of_kind("structure") for i in g.global_ids]
            rec.adjust("storeys_above_ground", f"rooftop structures of {rooftop_area:.1f} m², more than "
                       f"{_fraction(profile.rooftop_share)} of the building area ({building_area:.1f} m²): a storey",
                       1, "storeys_rooftop", ids)
    if not views and profile.storeys_per_m and facts.height_m:
        units = (facts.height_m - 0.05) / profile.storeys_per_m  # 5 cm of modelling noise is no storey
        n = max(1, math.ceil(units))
        rec.adjust("storeys_above_ground", f"no storeys can be told apart: one per {profile.storeys_per_m:g} m of "
                   f"height ({facts.height_m:.2f} m)", n - facts.storeys_above_ground, "storeys_unclear")
        if abs(facts.height_m / profile.storeys_per_m - round(facts.height_m / profile.storeys_per_m)) * \
                profile.storeys_per_m > 0.05:
            rec.note("storeys_above_ground", f"{facts.height_m:.2f} m is not a whole number of {profile.storeys_per_m:g} m "
                     "storeys; the article does not say how the rest counts (counted as one)", n - 1, n)
        above = n
    return above, below, basements


def _outside_far(profile: Profile, views: list[StoreyView], basements: set[str]) -> dict[str, tuple[str, str]]:
    """Storeys whose floor area the ratio leaves out: id -> (why, clause)."""
    out = {}
    for v in views:
        if v.global_id in basements and "basement" in profile.far_excludes:
            out[v.global_id] = ("is a basement as the law defines one: not in the floor area ratio", "far_basement")
        elif profile.vollgeschoss is not None and (v.height_m or 0) + 1e-6 < profile.vollgeschoss["min_height_m"]:
            out[v.global_id] = ("is not a Vollgeschoss: not Geschossfläche", "full_storey")
    return out


def _full_storeys(profile: Profile, rec: _Recorder, views: list[StoreyView], basements: set[str],
                  pitched: bool) -> int:
    """Germany: only Vollgeschosse count, by the Land's figures (deck above ground, height, share)."""
    rule = profile.vollgeschoss
    full = 0
    for i, v in enumerate(views):
        if v.global_id in basements:
            continue
        h = v.height_m
        if h is not None and h + 1e-6 >= rule["min_height_m"]:
            full += 1
            if i == len(views) - 1 and pitched:
                rec.note("storeys_above_ground", f"storey '{v.facts.name}' is the top storey: whether it has "
                         f"{rule['min_height_m']:g} m of height over the share of its area the Land requires is "
                         "not measured under a sloping roof", full - 1, full)
            continue
        rec.adjust("storeys_above_ground", f"storey '{v.facts.name}' is {h or 0:.2f} m high, under "
                   f"{rule['min_height_m']:g} m: not a Vollgeschoss ({rule['land']})", -1, "full_storey")
    return full


def _group_area(profile: Profile, group) -> float:
    """A rooftop structure's projection, measured as the building area is (§119④: centre lines)."""
    if not profile.centre_lines:
        return group.area_m2
    o = outline(group.projection, [(m, plan_of(m)) for m in group.elements])
    return _area(o.centre) if o.basis != "faces" else group.area_m2


def _fraction(x: float | None) -> str:
    return {1 / 8: "1/8", 1 / 6: "1/6"}.get(x, f"{x:.3f}") if x is not None else "—"


def _datum_at(datums, plan: BaseGeometry) -> float:
    best = max(datums, key=lambda d: d.plan.intersection(plan).area if not plan.is_empty else 0.0)
    return best.level_m


def _floor_area(profile: Profile, rec: _Recorder, model: Model, facts: Facts, views: list[StoreyView],
                basements: set[str], outside: dict[str, tuple[str, str]], top: Rooftop | None, body,
                params: dict, plans: dict | None = None) -> tuple[float, float]:
    """(total floor area as the law measures it, basements included; the FAR numerator).

    Adjustments on `floor_area_m2` lead from the physical gross floor area (counted storeys above
    ground, to the outer faces) to the FAR numerator, storey by storey and step by step.
    """
    vocabulary = words(params.get("uses"))
    uses = plans_by_use(model.spaces, vocabulary)
    building_use = str(params.get("building_use", "")).lower()
    ground_floor = next((v for v in views if v.global_id not in basements), None)
    total, excluded = 0.0, {}
    for v in views:
        name, o = v.facts.name, v.outline
        in_far = v.global_id not in outside
        counted_before = v.facts.above_ground
        steps: list[tuple[str, float, str, tuple]] = []  # (what, delta, clause, ids)
        area = _area(v.plate)
        if abs(area - v.facts.gross_area_m2) > 0.01:
            steps.append(("plate as the profile reads it", area - v.facts.gross_area_m2, "floor_area", ()))
        if profile.centre_lines and o.basis == "walls":
            inside = _area(o.centre) + _area(o.beyond)
            steps.append(("to the centre lines of its outer walls", inside - area, "floor_area", o.outer_walls))
            area = inside
        for b in v.balconies:
            if v is ground_floor:
                steps.append((f"a terrace or porch of {_area(b.plan):.1f} m² outside the walls at ground level is "
                              "not floor area", -_area(b.plan), "floor_area", ()))
                area -= _area(b.plan)
                continue
            if not profile.balconies_count:
                delta, what = -_area(b.plan), f"balcony of {_area(b.plan):.1f} m² is not floor area"
            elif b.depth_m > MAX_BALCONY_DEPTH_M and (profile.balcony_allowance_m is not None
                                                      or profile.balcony_exempt_depth_m is not None):
                rec.note("floor_area_m2", f"storey '{name}': {_area(b.plan):.1f} m² of floor stand {b.depth_m:.1f} m "
                         "out of its walls, deeper than a balcony: counted as built; as a balcony it would count "
                         "less", low=-_area(b.plan), high=0.0)
                continue
            elif profile.balcony_allowance_m is not None:
                counted = max(0.0, b.area_from_centre_m2 - profile.balcony_allowance_m * b.wall_length_m)
                delta = counted - _area(b.plan)
                what = (f"balcony of {b.area_from_centre_m2:.2f} m² from the wall centre line, less "
                        f"{profile.balcony_allowance_m:g} m × {b.wall_length_m:.2f} m of wall: {counted:.2f} m² counted")
            elif profile.balcony_exempt_depth_m is not None:
                counted = _area(b.plan.difference(o.centre.buffer(profile.balcony_exempt_depth_m, join_style="mitre")))
                delta = counted - _area(b.plan)
                what = (f"open balcony within {profile.balcony_exempt_depth_m:g} m of the wall centre line is not "
                        f"floor area: {counted:.2f} m² counted")
            else:
                continue
            steps.append((what, delta, "balcony", ()))
            area += delta
        if profile.attic_height_m is not None and v.height_m is not None and v.height_m <= profile.attic_height_m \
                and in_far and area > 0:
            steps.append((f"{v.height_m:.2f} m high: an attic of at most {profile.attic_height_m:g} m is not floor area",
                          -area, "attic", ()))
            area = 0.0
        if top is not None and profile.rooftop_floor_area and v.level_m >= top.roof_bottom_m - 0.05 and area > 0:
            steps.append(("stands on the roof: stair and lift towers are not floor area", -area, "rooftop_floor", ()))
            area = 0.0
        if profile.pilotis_open_share is not None and v is ground_floor and area > 0:
            share = open_share(v, body.faces, plans=plans)
            if share >= profile.pilotis_open_share:
                served = [u for u in ("parking", "passage", "pilotis") if u in uses.get(v.global_id, {})]
                if served or building_use in ("apartment", "공동주택", "multi-family"):
                    why = f"used for {', '.join(served)}" if served else "in an apartment building"
                    steps.append((f"open on {share:.0%} of the building's perimeter (pilotis) and {why}: not floor "
                                  "area", -area, "pilotis", ()))
                    area = 0.0
                else:
                    rec.note("floor_area_m2", f"storey '{name}' is open on {share:.0%} of the building's perimeter "
                             "(pilotis) and its use is not stated: used for passage or parking it is no floor area",
                             low=-area, high=0.0)
        total += area
        if in_far and counted_before:
            for what, delta, clause, ids in steps:
                rec.adjust("floor_area_m2", f"storey '{name}': {what}", delta, clause, ids)
        elif in_far and v.global_id in basements:
            rec.adjust("floor_area_m2", f"basement storey '{name}': its floor area counts in the floor area ratio",
                       area, "far_basement")
        elif in_far:
            rec.adjust("floor_area_m2", f"storey '{name}' is not a basement as the law defines one: its floor area "
                       "counts", area, "basement")
        elif counted_before:
            why, clause = outside[v.global_id]
            rec.adjust("floor_area_m2", f"storey '{name}' {why}", -v.facts.gross_area_m2, clause)
        if not in_far or area <= 0:
            continue
        for use in ("parking", "refuge"):
            if use not in profile.far_excludes or use not in uses.get(v.global_id, {}):
                continue
            if use == "parking" and params.get("parking_accessory") is False:
                continue
            plan = union([p for _, p in uses[v.global_id][use]])
            region = o.centre if profile.centre_lines and o.basis == "walls" else v.plate
            excluded.setdefault(use, []).append((name, _area(plan.intersection(region))))
    far = sum(a.delta for a in rec.adjustments if a.fact == "floor_area_m2") + facts.gross_floor_area_m2
    names = {"parking": "parking accessory to the building", "refuge": "refuge floors and spaces"}
    for use, found in excluded.items():
        amount = sum(a for _, a in found)
        where = ", ".join(f"'{n}' {a:.1f} m²" for n, a in found)
        cap = profile.far_caps.get(use)
        if cap is not None and amount > cap * total:
            what = f"{names[use]} ({where}): capped at {cap:g} of the total floor area {total:.1f} m²"
            amount = cap * total
        else:
            what = f"{names[use]} ({where}): not counted in the floor area ratio"
        rec.adjust("floor_area_m2", what, -amount, f"far_{use}")
        far -= amount
    return total, far


def _height(profile, rec, facts: Facts, meshes, datums, top: Rooftop | None, small_rooftop: bool,
            rooftop_area: float, building_area: float) -> float | None:
    """Height from the datum, then without what the law leaves out on the roof."""
    if facts.height_m is None:
        return None
    ground, physical = facts.ground_elevation_m, facts.height_m
    top_all = ground + physical

    def over(elements, cap=None) -> tuple[float, object]:
        if len(datums) == 1:
            z = cap if cap is not None else top_all
            return z - datums[0].level_m, datums[0]
        found = [(z - d.level_m, d) for d in datums
                 if (z := _top_within(elements, d.plan, cap)) is not None]
        return max(found, key=lambda t: t[0]) if found else (top_all - datums[0].level_m, datums[0])

    h1, d1 = over(meshes)
    if len(datums) > 1:
        rec.adjust("height_m", f"ground differs by more than 3 m: each part measured from its own datum, the part "
                   f"over the datum at {d1.level_m - ground:+.2f} m sets the height", h1 - physical, "datum")
    else:
        rec.adjust("height_m", f"measured from the mean ground level ({d1.level_m - ground:+.2f} m from the ground "
                   "storey)", h1 - physical, "datum")
    if top is None:
        return h1
    body, d_body = over(list(top.below), top.body_top_m)
    solid = [g.top_m - _datum_at(datums, g.projection) for g in top.of_kind("parapet")]
    structures = top.of_kind("structure")
    full = [g.top_m - _datum_at(datums, g.projection) for g in structures]
    h2 = max([body, *solid, *full])  # without open parapets and roof ornaments
    for kind, clause, what in (("open", "parapet_open", "open parapets and railings on the roof are"),
                               ("ornament", "ornament", "chimneys and roof ornaments are")):
        groups = top.of_kind(kind)
        if groups and max(g.top_m for g in groups) - d1.level_m > h2 + 1e-6:
            rec.adjust("height_m", f"{what} not counted in height", max(h2, body) - h1, clause,
                       [i for g in groups for i in g.global_ids])
            h1 = h2
    h1 = max(h1, h2) if h2 < h1 else h1
    if not structures:
        return h1
    ids = [i for g in structures for i in g.global_ids]
    names = "; ".join(g.describe() for g in structures)
    if not small_rooftop:
        return h1
    z_struct = max(g.top_m for g in structures)
    rise = z_struct - top.roof_top_m
    excess = max(0.0, rise - profile.rooftop_free_m)
    h3 = max([body, *solid, top.roof_top_m - d_body.level_m + excess])
    rec.adjust("height_m", f"rooftop structures ({names}) of {rooftop_area:.1f} m² ≤ {_fraction(profile.rooftop_share)} "
               f"of the building area {building_area:.1f} m², {rise:.2f} m over the roof: counted only above "
               f"{profile.rooftop_free_m:g} m", h3 - h1, "rooftop_height", ids)
    return h3
