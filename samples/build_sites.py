"""Sites and check cases for the sample buildings, with the answers known by construction.

Writes ``samples/sites/*.geojson`` and ``samples/cases.yaml``. Each site is drawn in model
coordinates around a sample building (the box: 20 x 12 m, 9.3 m high, 3 storeys; the podium:
40 x 30 m with a 15 x 15 m tower at (12, 8) rising to 33.3 m) and then written in a map CRS:
EPSG:5186 through the building's placement (its own IfcMapConversion or --anchor/--rotation), or
EPSG:4326 longitude/latitude. Expected measurements are computed here from the same numbers.

    python samples/build_sites.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import yaml
from pyproj import Transformer

HERE = Path(__file__).resolve().parent
SITES = HERE / "sites"
ANCHOR = (220000.0, 560000.0)  # --anchor for the models that carry no georeferencing
GEO = (210000.0, 550000.0, 30.0)  # geo_rotated_*: Eastings, Northings, rotation


def rect(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def to_map(ring, e0, n0, rot):
    c, s = math.cos(math.radians(rot)), math.sin(math.radians(rot))
    return [[round(e0 + c * x - s * y, 4), round(n0 + s * x + c * y, 4)] for x, y in ring]


def feature(role, ring, **props):
    geom = {"type": "Polygon", "coordinates": [ring]}
    return {"type": "Feature", "properties": {"role": role, **props}, "geometry": geom}


def site(parcel, e0, n0, rot, zone="KR-R2G", lonlat=False, road_south=True, north=None, road_width=8,
         parcel_props=None, context=()):
    """A parcel (x0, y0, x1, y1 in model metres) with a road along its south edge and a zone.

    `north`: neighbour lots across the north edge as (x0, x1, zone or None), 20 m deep; the parcel's
    zone then ends at its north edge, so the land across is zoned by the neighbours alone.
    `context`: buildings round it as (x0, y0, x1, y1, height).
    """
    x0, y0, x1, y1 = parcel
    rings = {
        "parcel": rect(*parcel),
        "road": rect(x0 - 10, y0 - 8, x1 + 10, y0) if road_south else None,
        "zone": rect(x0 - 50, y0 - 50, x1 + 50, y1 if north else y1 + 50),
    }
    feats = [feature("parcel", to_map(rings["parcel"], e0, n0, rot), id="P-1", ground_elevation=35.0,
                     **(parcel_props or {})),
             feature("zone", to_map(rings["zone"], e0, n0, rot), zone=zone)]
    for i, (a, b, z) in enumerate(north or ()):
        props = {"id": f"N-{i + 1}", **({"zone": z} if z else {})}
        feats.append(feature("neighbour", to_map(rect(a, y1, b, y1 + 20), e0, n0, rot), **props))
    for i, (a, b, c, d, h) in enumerate(context):
        feats.append(feature("building", to_map(rect(a, b, c, d), e0, n0, rot), id=f"B-{i + 1}", height=h))
    if rings["road"]:
        feats.insert(1, feature("road", to_map(rings["road"], e0, n0, rot), width=road_width))
    fc = {"type": "FeatureCollection", "features": feats}
    if lonlat:
        t = Transformer.from_crs("EPSG:5186", "EPSG:4326", always_xy=True)
        for f in feats:
            f["geometry"]["coordinates"] = [[[round(v, 9) for v in t.transform(*p)] for p in r]
                                            for r in f["geometry"]["coordinates"]]
    else:
        fc["crs"] = {"type": "name", "properties": {"name": "EPSG:5186"}}
    return fc


EXPECTED = json.loads((HERE / "buildings" / "expected.json").read_text())
KR_PROFILE = "kr-building-act-119"


def _building(name: str) -> dict:
    """Physical and Korean legal figures of a sample, as samples/build_samples.py constructed them."""
    exp = EXPECTED[name]
    kr = exp["legal"][KR_PROFILE]
    return {"footprint": exp["footprint_area_m2"], "gfa": exp["gross_floor_area_m2"], "height": exp["height_m"],
            "kr_area": kr["building_area_m2"], "kr_floor": kr["floor_area_m2"], "kr_legal": kr}


BOX = _building("box_m.ifc")  # 20 x 12 m; inside the walls' centre lines 19.8 x 11.8 m
PODIUM = _building("podium_tower.ifc")
JP_PODIUM = {k: v for k, v in EXPECTED["podium_tower.ifc"]["legal"]["jp-bsa-enforcement-2"].items()
             if k in ("building_area_m2", "floor_area_m2", "height_m", "storeys_above_ground")}
BOX_OK = (-5.0, -10.0, 25.0, 17.0)  # 30 x 27 = 810 m²; north edge 5 m from the box
BOX_TIGHT = (-1.0, -2.0, 21.0, 12.8)  # 22 x 14.8 = 325.6 m²; north edge 0.8 m from the box
BOX_OFFSET = (5.0, -10.0, 35.0, 17.0)  # the box's west 5 m stand outside the parcel
PODIUM_OK = (-10.0, -15.0, 50.0, 42.0)  # north edge 12 m from the podium, 19 m from the tower
PODIUM_NORTH = (-10.0, -15.0, 50.0, 33.0)  # north edge 3 m from the podium, 10 m from the tower


def area(p):
    return (p[2] - p[0]) * (p[3] - p[1])


def status(margin, tolerance):
    """As the checker judges: REVIEW inside the measurement tolerance, either side."""
    return "FAIL" if margin < -tolerance else ("REVIEW" if margin <= tolerance else "PASS")


def kr_expect(building, parcel, north_gap, north_req, verdict, rotation=0.0, exempt=False):
    """`rotation`: the parcel's turn on the map; the 3D rule measures due grid north, so d / cos.

    `exempt`: the land north is zoned neither exclusive nor general residential (령 86② 3호), so
    neither north rule applies."""
    a = area(parcel)
    due_north = north_gap / math.cos(math.radians(rotation))
    # the Korean rulebooks measure as 시행령 §119 defines: inside the walls' centre lines
    cov, far = building["kr_area"] / a, building["kr_floor"] / a
    north = {
        "north-daylight": {"status": status(north_gap - north_req, 0.05),
                           "measured": north_gap, "limit": north_req},
        # the same law as a 3D plane: the same distance, required distance and verdict
        "north-daylight-3d": {"status": status(due_north - north_req, 0.05),
                              "measured": due_north, "limit": north_req},
    }
    if exempt:
        north = {rule: {"status": "NOT_APPLICABLE"} for rule in north}
    return {
        "verdict": verdict,
        "legal": building["kr_legal"],
        "rules": {
            "coverage": {"status": status(0.6 - cov, 0.005 * 0.6), "measured": cov, "limit": 0.6},
            "far": {"status": status(2.5 - far, 0.005 * 2.5), "measured": far, "limit": 2.5},
            **north,
        },
    }


def cases():
    b = "samples/buildings/"
    s = "samples/sites/"
    kr = "rules/kr/national.yaml"
    anchor = f"{ANCHOR[0]:.0f},{ANCHOR[1]:.0f}"
    geo_ok = kr_expect(BOX, BOX_OK, 5.0, 1.5, "PASS", rotation=GEO[2])
    out = {
        "box-kr-pass": {"model": b + "box_m.ifc", "site": s + "box_ok.geojson", "rules": kr,
                        "anchor": anchor, "expect": kr_expect(BOX, BOX_OK, 5.0, 1.5, "PASS")},
        "box-kr-fail": {"model": b + "box_m.ifc", "site": s + "box_tight.geojson", "rules": kr,
                        "anchor": anchor, "expect": kr_expect(BOX, BOX_TIGHT, 0.8, 1.5, "FAIL")},
        "box-mm-kr-fail": {"model": b + "box_mm.ifc", "site": s + "box_tight.geojson", "rules": kr,
                           "anchor": anchor, "expect": kr_expect(BOX, BOX_TIGHT, 0.8, 1.5, "FAIL")},
        "geo-rotated-kr-pass": {"model": b + "geo_rotated_m.ifc", "site": s + "geo_ok_5186.geojson",
                                "rules": kr, "expect": geo_ok},
        "geo-rotated-mm-kr-pass": {"model": b + "geo_rotated_mm.ifc", "site": s + "geo_ok_5186.geojson",
                                   "rules": kr, "expect": geo_ok},
        "geo-rotated-lonlat-site": {"model": b + "geo_rotated_m.ifc", "site": s + "geo_ok_lonlat.geojson",
                                    "rules": kr, "expect": geo_ok},
        "box-anchor-rotated": {"model": b + "box_m.ifc", "site": s + "geo_ok_5186.geojson", "rules": kr,
                               "anchor": f"{GEO[0]:.0f},{GEO[1]:.0f}", "rotation": GEO[2], "expect": geo_ok},
        "podium-kr-pass": {"model": b + "podium_tower.ifc", "site": s + "podium_ok.geojson", "rules": kr,
                           "anchor": anchor,
                           "expect": kr_expect(PODIUM, PODIUM_OK, 19.0, 33.3 / 2, "PASS")},
        "podium-kr-north-fail": {"model": b + "podium_tower.ifc", "site": s + "podium_north.geojson",
                                 "rules": kr, "anchor": anchor,
                                 "expect": kr_expect(PODIUM, PODIUM_NORTH, 10.0, 33.3 / 2, "FAIL")},
        # 령 86② 3호: the lot north is 일반상업지역 (named as in the site file), so neither north rule applies.
        "podium-kr-north-commercial-exempt": {
            "model": b + "podium_tower.ifc", "site": s + "podium_north_commercial.geojson", "rules": kr,
            "anchor": anchor, "expect": kr_expect(PODIUM, PODIUM_NORTH, 10.0, 33.3 / 2, "PASS", exempt=True)},
        # Half the land north is 제2종일반주거지역: the exemption does not hold and the rule fails as above.
        "podium-kr-north-straddle-fail": {
            "model": b + "podium_tower.ifc", "site": s + "podium_north_straddle.geojson", "rules": kr,
            "anchor": anchor, "expect": kr_expect(PODIUM, PODIUM_NORTH, 10.0, 33.3 / 2, "FAIL")},
        "rooftop-example-fail": {
            "model": b + "rooftop.ifc", "site": s + "box_ok.geojson", "rules": "samples/rules/example-city.yaml",
            "zone": "EX-1", "anchor": anchor,
            "expect": {"verdict": "FAIL", "rules": {
                "height": {"status": "FAIL", "measured": 12.5, "limit": 12.0},
                "storeys": {"status": "PASS", "measured": 3, "limit": 4},
                "footprint": {"status": "PASS", "measured": 240.0, "limit": 1000.0},
                "coverage": {"status": "PASS", "measured": 240 / 810, "limit": 0.5},
                "far": {"status": "PASS", "measured": 720 / 810, "limit": 1.5},
                "front-setback": {"status": "PASS", "measured": 10.0, "limit": 3.0},
                "on-parcel": {"status": "PASS", "measured": 0.0, "limit": 0.0},
                # the box's north face (9.3 m) 5 m from the edge needs (9.3 - 8) / 1 = 1.3 m
                "daylight-plane": {"status": "PASS", "measured": 5.0, "limit": 9.3 - 8.0}}}},
        "box-off-parcel": {
            "model": b + "box_m.ifc", "site": s + "box_offset.geojson", "rules": "samples/rules/example-city.yaml",
            "zone": "EX-1", "anchor": anchor,
            "expect": {"verdict": "FAIL", "rules": {
                "on-parcel": {"status": "FAIL", "measured": 5 * 12.0, "limit": 0.0},
                "daylight-plane": {"status": "PASS", "measured": 5.0, "limit": 9.3 - 8.0},
                "height": {"status": "PASS", "measured": 9.3, "limit": 12.0}}}},
        "podium-example-fail": {
            "model": b + "podium_tower.ifc", "site": s + "podium_ok.geojson",
            "rules": "samples/rules/example-city.yaml", "zone": "EX-1", "anchor": anchor,
            "expect": {"verdict": "FAIL", "rules": {
                "height": {"status": "FAIL", "measured": 33.3, "limit": 12.0},
                "storeys": {"status": "FAIL", "measured": 10, "limit": 4},
                "footprint": {"status": "FAIL", "measured": 1200.0, "limit": 1000.0},
                "coverage": {"status": "PASS", "measured": 1200 / area(PODIUM_OK), "limit": 0.5},
                "far": {"status": "PASS", "measured": PODIUM["gfa"] / area(PODIUM_OK), "limit": 1.5},
                "front-setback": {"status": "PASS", "measured": 15.0, "limit": 3.0},
                # the tower (33.3 m) 19 m from the north edge needs 33.3 - 8 = 25.3 m under a 45° plane
                "daylight-plane": {"status": "FAIL", "measured": 19.0, "limit": 33.3 - 8.0}}}},
        # Japan, 第一種中高層住居専用地域: the tower (33.3 m) stands 10 m south of the north edge, where the
        # north slant allows 10 + 1.25 x 10 = 22.5 m: it needs (33.3 - 10) / 1.25 = 18.64 m. The road
        # slant's line is the road's far side moved out by the 15 m setback: 8 + 15 + 15 = 38 m from the
        # podium, beyond its 20 m reach. The adjacent-land line (20 m + 1.25) moves out by the tower's
        # own setback (10 m north): the tower is 20 m from it and needs (33.3 - 20) / 1.25 = 10.64 m.
        # 容積率: min(200 %, 8 m road x 4/10 = 320 %); 建蔽率: the designated 60 % the site states.
        "podium-jp-north-fail": {
            "model": b + "podium_tower.ifc", "site": s + "podium_north.geojson", "rules": "rules/jp/bsa56.yaml",
            "zone": "JP-1MR-200", "anchor": anchor,
            "expect": {"verdict": "FAIL", "legal": JP_PODIUM, "rules": {
                "far": {"status": "PASS", "measured": JP_PODIUM["floor_area_m2"] / area(PODIUM_NORTH), "limit": 2.0},
                "coverage": {"status": "PASS", "measured": JP_PODIUM["building_area_m2"] / area(PODIUM_NORTH),
                             "limit": 0.6},
                "north-slant": {"status": "FAIL", "measured": 10.0, "limit": (33.3 - 10.0) / 1.25},
                "adjacent-slant": {"status": "PASS", "measured": 20.0, "limit": (33.3 - 20.0) / 1.25},
                "road-slant": {"status": "NOT_APPLICABLE"}}}},
        # Japan, 日影規制 (§56-2, 別表第四 二の項) where the ordinance designates the area: at 4 m under (一)
        # (3 h / 2 h) the band 5-10 m beyond the north line (15-20 m from the tower, 33.3 m tall) lies in
        # its shadow all day (its noon shadow on the plane is 53 m long): 8 h against 3 h.
        "podium-jp-shadow-fail": {
            "model": b + "podium_tower.ifc", "site": s + "podium_north_shadow.geojson", "rules": "rules/jp/bsa56.yaml",
            "zone": "JP-1MR-200", "anchor": anchor,
            "expect": {"verdict": "FAIL", "rules": {"shadow": {"status": "FAIL", "measured": 8.0, "limit": 3.0}}}},
        # 三の項 at 6.5 m under (二) (5 h / 3 h), the tower 19 m from the north line: 2.17 h at most beyond
        # 10 m (recorded from a reviewed run, 10-minute steps, 0.5 m grid).
        "podium-jp-shadow-pass": {
            "model": b + "podium_tower.ifc", "site": s + "podium_ok_shadow.geojson", "rules": "rules/jp/bsa56.yaml",
            "zone": "JP-1R-300", "anchor": anchor,
            "expect": {"verdict": "PASS", "rules": {"shadow": {"status": "PASS", "measured": 13 / 6, "limit": 3.0}}}},
        # Korea, the courts' sunlight test (a warning): a 6 m house 3 m north of podium_north's lot keeps
        # 6 h of winter sun in a row without the tower (33.3 m, 13 m south of it) and none with it.
        "podium-kr-sunlight-fail": {
            "model": b + "podium_tower.ifc", "site": s + "podium_north_house.geojson", "rules": kr,
            "anchor": anchor,
            "expect": {"verdict": "FAIL", "rules": {"sunlight-neighbours": {"status": "FAIL", "measured": 0.0,
                                                                            "limit": 2.0}}}},
        # a house 10 m east of podium_ok's lot: its west wall has the sun from true noon (due south) to the
        # window's end, clear of the tower's shadow: 3 h less the run's first step (5 min).
        "podium-kr-sunlight-pass": {
            "model": b + "podium_tower.ifc", "site": s + "podium_ok_house.geojson", "rules": kr, "anchor": anchor,
            "expect": {"verdict": "PASS", "rules": {"sunlight-neighbours": {"status": "PASS", "measured": 3.0 - 5 / 60,
                                                                            "limit": 2.0}}}},
        # New York, R6 on a narrow street (8 m < 75 ft), beyond 100 ft of any wide street: under 23-43 the
        # tower (33.3 m) is over the 55 ft height of the 23-432 table; under the elective 23-736 it stands
        # 23 m behind the street line, beyond the 20 ft initial setback above 60 ft and under the 2.7:1
        # plane, but the floor area of a sky exposure plane building (23-732, height factor) is the
        # officer's question: REVIEW, with the nearest alternative named.
        "podium-nyc-r6-review": {
            "model": b + "podium_tower.ifc", "site": s + "podium_ok.geojson", "rules": "rules/nyc/residence.yaml",
            "zone": "NYC-R6", "anchor": anchor,
            "expect": {"verdict": "REVIEW", "rules": {
                "rear_yard": {"status": "PASS", "measured": 12.0, "limit": 20 * 0.3048},
                "height_and_setback": {"status": "REVIEW"},
                "height_and_setback/standard": {"status": "FAIL"},
                "height_and_setback/standard/max_height": {"status": "FAIL", "measured": 33.3, "limit": 55 * 0.3048},
                "height_and_setback/standard/lot_coverage": {"status": "PASS", "measured": 1200 / area(PODIUM_OK),
                                                             "limit": 0.8},
                "height_and_setback/sky_exposure_plane": {"status": "REVIEW"},
                "height_and_setback/sky_exposure_plane/sky_exposure_narrow": {"status": "PASS", "measured": 23.0,
                                                                              "limit": 20 * 0.3048},
                "height_and_setback/sky_exposure_plane/sky_exposure_wide": {"status": "NOT_APPLICABLE"},
                "height_and_setback/sky_exposure_plane/far_height_factor": {"status": "REVIEW"},
                "height_and_setback/sky_exposure_plane/envelope_sky_exposure": {"status": "PASS", "measured": 0.0,
                                                                                "limit": 0.0}}}},
        # The same lot on a 100 ft street (ZR 12-10: wide). The lot is 57 m deep, so only part of it lies
        # within 100 ft of the wide street: the 23-432 height lies between 55 and 75 ft, and 33.3 m is
        # over both. Under 23-736 the wide column decides: its 15 ft initial setback (the 5.6:1 plane
        # needs only (33.3 - 18.29) / 5.6 = 2.68 m).
        "podium-nyc-r6-wide-street-review": {
            "model": b + "podium_tower.ifc", "site": s + "podium_ok_wide_street.geojson",
            "rules": "rules/nyc/residence.yaml", "zone": "NYC-R6", "anchor": anchor,
            "expect": {"verdict": "REVIEW", "rules": {
                "height_and_setback": {"status": "REVIEW"},
                "height_and_setback/standard/max_height": {"status": "FAIL", "measured": 33.3, "limit": 75 * 0.3048},
                "height_and_setback/sky_exposure_plane/sky_exposure_narrow": {"status": "NOT_APPLICABLE"},
                "height_and_setback/sky_exposure_plane/sky_exposure_wide": {"status": "PASS", "measured": 23.0,
                                                                            "limit": 15 * 0.3048},
                "height_and_setback/sky_exposure_plane/envelope_sky_exposure": {"status": "PASS", "measured": 0.0,
                                                                                "limit": 0.0}}}},
        "box-de-wa-pass": {
            "model": b + "box_m.ifc", "site": s + "box_ok.geojson", "rules": "rules/de/mbo.yaml",
            "zone": "DE-WA", "anchor": anchor,
            "expect": {"verdict": "PASS", "rules": {
                "grz": {"status": "PASS", "measured": 240 / 810, "limit": 0.4},
                "gfz": {"status": "PASS", "measured": 720 / 810, "limit": 1.2},
                "abstandsflaeche": {"status": "PASS", "measured": 5.0, "limit": 0.4 * 9.3}}}},
        # Baden-Württemberg: 0.4 of the wall height, at least 2.5 m (LBO § 5 Abs. 7)
        "box-de-bw-wa-pass": {
            "model": b + "box_m.ifc", "site": s + "box_ok.geojson", "rules": "rules/de/bw.yaml",
            "zone": "DE-WA", "anchor": anchor,
            "expect": {"verdict": "PASS", "rules": {
                "abstandsflaeche": {"status": "PASS", "measured": 5.0, "limit": 0.4 * 9.3}}}},
        "box-de-bw-mk-fail": {
            "model": b + "box_m.ifc", "site": s + "box_tight.geojson", "rules": "rules/de/bw.yaml",
            "zone": "DE-MK", "anchor": anchor,
            "expect": {"verdict": "FAIL", "rules": {
                "abstandsflaeche_mk_md_mu_wb": {"status": "FAIL", "measured": 0.8, "limit": 2.5}}}},
        "box-de-wa-fail": {
            "model": b + "box_m.ifc", "site": s + "box_tight.geojson", "rules": "rules/de/mbo.yaml",
            "zone": "DE-WA", "anchor": anchor,
            "expect": {"verdict": "FAIL", "rules": {
                "grz": {"status": "FAIL", "measured": 240 / area(BOX_TIGHT), "limit": 0.4},
                "gfz": {"status": "FAIL", "measured": 720 / area(BOX_TIGHT), "limit": 1.2},
                "abstandsflaeche": {"status": "FAIL", "measured": 0.8, "limit": 0.4 * 9.3}}}},
    }
    return out


# Buildings whose north face stands full height, so the north rule's worst part is that face
# (the podium's tower is set back and has cases of its own above).
PRISMATIC = [n for n in sorted(EXPECTED) if n != "podium_tower.ifc" and not n.startswith("blocks_")]
BLOCKS = {  # two apartment blocks on one lot (시행령 §86③2): gap, the south block's height, and the answers
    # (separation, the 단서, §86③2 as a whole, the verdict: an 아파트's parking rate is the officer's)
    "blocks_apart": (12.0, 9.3, "PASS", "FAIL", "PASS", "REVIEW"),  # 나목's 10 m kept; the ground floors dark
    "blocks_close": (8.0, 9.3, "FAIL", "FAIL", "FAIL", "FAIL"),  # short of 10 m, and the ground floors dark
    "blocks_low": (8.0, 3.3, "FAIL", "PASS", "PASS", "REVIEW"),  # short of 10 m, but every living room sunlit
}


def block_cases():
    """The apartment blocks, 10 m inside a lot on every side, in 제2종일반주거지역: §86③2 and its 단서.

    By construction the north block (15.3 m) has its living rooms (거실, IfcZone units) facing the
    lower south block across `gap`: 나목 asks max(10 m, 0.5 x the lower block's height); the 단서 asks
    every unit's living room 2 h of sun in a row between 9 and 15 true solar time on the solstice, at
    latitude 37.6 (noon altitude 28.9 degrees: the shadow of a 9.3 m block 12 m off still stands 2.7 m
    up the wall, over the ground floor's window; a 3.3 m block 8 m off never reaches a window).
    """
    sites, out = {}, {}
    for stem, (gap, low, separation, sunlight, facing, verdict) in BLOCKS.items():
        x0, y0, x1, y1 = EXPECTED[f"{stem}.ifc"]["footprint_bounds_model"]
        parcel = (x0 - 10, y0 - 10, x1 + 10, y1 + 10)
        sites[f"{stem}_ok"] = site(parcel, *ANCHOR, 0.0)
        rules = {"facing-blocks": {"status": facing},
                 "facing-blocks/separation/block-separation": {"status": separation, "measured": gap,
                                                               "limit": max(10.0, 0.5 * low)},
                 "facing-blocks/unit-sunlight/unit-sunlight": {"status": sunlight}}
        out[f"{stem}-kr"] = {"model": f"samples/buildings/{stem}.ifc", "site": f"samples/sites/{stem}_ok.geojson",
                             "rules": "rules/kr/national.yaml", "anchor": f"{ANCHOR[0]:.0f},{ANCHOR[1]:.0f}",
                             "expect": {"verdict": verdict, "rules": rules}}
    return sites, out


def every_building_cases():
    """A compliant and a non-compliant site for every other sample building (KR-R2G rules)."""
    sites, out = {}, {}
    for name in PRISMATIC:
        exp = EXPECTED[name]
        x0, y0, x1, y1 = exp["footprint_bounds_model"]
        stem = name.removesuffix(".ifc")
        building = _building(name)
        geo = exp["georeference"]
        if geo:
            e0, n0, rot, anchor = geo["eastings"], geo["northings"], geo["rotation_deg"], None
        else:
            e0, n0, rot, anchor = ANCHOR[0], ANCHOR[1], 0.0, f"{ANCHOR[0]:.0f},{ANCHOR[1]:.0f}"
        # The north rule of these low buildings asks 1.5 m (parts up to 10 m); the rooftop stair
        # tower (12.5 m) asks 6.25 m but stands 6 m back from the north face, so the face decides.
        for kind, (west, south, east, north) in (("ok", (5.0, 10.0, 5.0, 5.0)), ("tight", (1.0, 1.0, 1.0, 0.8))):
            parcel = (x0 - west, y0 - south, x1 + east, y1 + north)
            sites[f"{stem}_{kind}"] = site(parcel, e0, n0, rot)
            verdict = "PASS" if kind == "ok" else "FAIL"
            case = {"model": f"samples/buildings/{name}", "site": f"samples/sites/{stem}_{kind}.geojson",
                    "rules": "rules/kr/national.yaml",
                    "expect": kr_expect(building, parcel, north, 1.5, verdict, rotation=rot)}
            if anchor:
                case["anchor"] = anchor
            out[f"{stem}-kr-{kind}"] = case
    return sites, out


SHIPPED = ("rules/kr/national.yaml", "rules/kr/cheonan.yaml", "rules/jp/bsa56.yaml", "rules/de/baunvo.yaml",
           "rules/de/mbo.yaml", "rules/de/bw.yaml", "rules/nyc/residence.yaml")


def zone_cases() -> dict:
    """The box on a roomy lot in every zone of every shipped rulebook: the regression suite's reach.

    Their expectations are recorded from a reviewed run (`permitcheck regress samples/zones.yaml
    --update`), not constructed: they catch drift in every zone; the known answers are cases.yaml's.
    """
    sys.path.insert(0, str(HERE.parent))
    from permitcheck.rulebook import load_rulebook, zone_codes

    out = {}
    for rules in SHIPPED:
        book = load_rulebook(HERE.parent / rules)
        site = "samples/sites/box_ok_jp.geojson" if "/jp/" in rules else "samples/sites/box_ok.geojson"
        for zone in sorted(set(zone_codes(book).values())):
            out[f"box-{Path(rules).stem}-{zone}"] = {"model": "samples/buildings/box_m.ifc", "site": site,
                                                     "rules": rules, "zone": zone,
                                                     "anchor": f"{ANCHOR[0]:.0f},{ANCHOR[1]:.0f}"}
    return out


def main() -> None:
    SITES.mkdir(exist_ok=True)
    e, n = ANCHOR
    sites = {
        "box_ok": site(BOX_OK, e, n, 0.0),
        "box_tight": site(BOX_TIGHT, e, n, 0.0),
        "box_offset": site(BOX_OFFSET, e, n, 0.0),
        "podium_ok": site(PODIUM_OK, e, n, 0.0),
        # what a Japanese city's plan states for the lot (建築基準法 §53①): read by rules/jp only
        "podium_north": site(PODIUM_NORTH, e, n, 0.0, parcel_props={"designated_coverage": "60 %"}),
        "podium_ok_wide_street": site(PODIUM_OK, e, n, 0.0, road_width="100 ft"),
        # context buildings: a house north of the tower, and one east of the lot
        "podium_north_house": site(PODIUM_NORTH, e, n, 0.0, context=[(5.0, 36.0, 35.0, 44.0, 6.0)]),
        "podium_ok_house": site(PODIUM_OK, e, n, 0.0, context=[(60.0, -10.0, 70.0, 10.0, 6.0)]),
        # a Japanese city's 日影規制 (§56-2): the area designated, the ordinance's hours column and plane
        "podium_north_shadow": site(PODIUM_NORTH, e, n, 0.0, parcel_props={
            "designated_coverage": "60 %", "shadow_regulated": True, "shadow_column": 1, "shadow_plane_height": "4 m"}),
        "podium_ok_shadow": site(PODIUM_OK, e, n, 0.0, parcel_props={
            "designated_coverage": "60 %", "shadow_regulated": True, "shadow_column": 2, "shadow_plane_height": "6.5 m"}),
        "podium_north_commercial": site(PODIUM_NORTH, e, n, 0.0, north=[(-30.0, 70.0, "일반상업지역")]),
        "podium_north_straddle": site(PODIUM_NORTH, e, n, 0.0,
                                      north=[(-30.0, 20.0, "KR-CG"), (20.0, 70.0, "KR-R2G")]),
        "geo_ok_5186": site(BOX_OK, *GEO),
        "geo_ok_lonlat": site(BOX_OK, *GEO, lonlat=True),
    }
    # A CRS mix-up: longitude/latitude numbers declared as EPSG:5186 metres.
    wrong = site(BOX_OK, *GEO, lonlat=True)
    wrong["crs"] = {"type": "name", "properties": {"name": "EPSG:5186"}}
    sites["crs_mismatch"] = wrong
    # what a Japanese city's plan states for the lot: 指定建蔽率 (§53①) and the absolute height (§55①)
    sites["box_ok_jp"] = site(BOX_OK, *ANCHOR, 0.0, parcel_props={"designated_coverage": "60 %",
                                                                   "absolute_height": "10 m"})
    extra_sites, extra_cases = every_building_cases()
    sites.update(extra_sites)
    block_sites, more = block_cases()
    sites.update(block_sites)
    extra_cases.update(more)
    for name, fc in sites.items():
        (SITES / f"{name}.geojson").write_text(json.dumps(fc, indent=1, ensure_ascii=False) + "\n")
    # Every sample building says it is an office (IfcBuilding ObjectType): Korea's 공동주택 daylight rule
    # (시행령 §86③1) does not apply to them, and MBO §6(5) Satz 3 (dwellings) neither.
    text = yaml.safe_dump({"cases": {**cases(), **extra_cases}}, sort_keys=False, allow_unicode=True)
    (HERE / "cases.yaml").write_text(
        "# Check cases over the sample buildings: generated by samples/build_sites.py with the answers\n"
        "# known by construction. tests/test_check_cases.py runs every case.\n" + text)
    zones = yaml.safe_dump({"cases": zone_cases()}, sort_keys=False, allow_unicode=True)
    (HERE / "zones.yaml").write_text(
        "# Every zone of every shipped rulebook, the box sample on a roomy lot: generated by samples/build_sites.py;\n"
        "# the expectations are recorded from a reviewed run (permitcheck regress samples/zones.yaml --update) and\n"
        "# catch drift in every zone. The answers known by construction are in samples/cases.yaml.\n" + zones)


if __name__ == "__main__":
    main()
