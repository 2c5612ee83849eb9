"""block_separation: blocks on one lot that face each other keep their distance.

Korea, 건축법 시행령 §86③2 (P, verbatim copy of the decree in force 2026-10-06; the clause unchanged
since 2024-06-18): "같은 대지에서 두 동(棟) 이상의 건축물이 서로 마주보고 있는 경우(한 동의 건축물 각
부분이 서로 마주보고 있는 경우를 포함한다)에 건축물 각 부분 사이의 거리는 다음 각 목의 거리 이상을 띄어
건축할 것":

    - id: facing-blocks
      kind: block_separation
      ratio: 0.5             # 가목: 0.5 x the height of the window wall's part (도시형 생활주택 0.25)
      south_minimum: 10 m    # 나목: the higher block's main openings facing a lower block south of it
      blind_to_side: 8 m     # 라목: a wall with no daylight window facing a side wall
      side_to_side: 4 m      # 마목: side wall facing side wall

How it is measured:
- A block (동) is a part of the footprint above ground: blocks joined by a podium are one. Blocks are
  numbered from 1 in the order of the footprint's parts.
- 가목: from every daylight window (0.5 m² or more, or of unknown size) on its wall at its own height
  (permitcheck.checks.window_walls), straight out: the first part of the building standing above the
  window's sill is the part it faces, at distance d. The height is that of the window wall's part
  (the highest point over the wall around the window, as §86③1 measures it: a secondary source
  reads 가목 so, "맞은편 건물의 높이는 무관"). d ≥ ratio × height.
- 나목: where the window's block is the higher of the two, the line from it to the lower block runs
  from due east clockwise to due west (through south), and the higher block's main openings (거실
  and 주된 침실) face the lower one, the distance is instead at least `south_minimum` and ratio ×
  the lower part's height. Main openings are told by the rooms behind the windows
  (permitcheck.checks.units): a block with a window of a room named a living room facing that way
  faces it; a block whose living rooms all face elsewhere does not; with no room named, both 가목 and
  나목 are worked out and a distance between the two is REVIEW.
- 라, 마목: walls with no daylight window, every metre along the footprint's outline, straight out to
  another block's wall that has none either, between blocks that hold windows (one with none is no
  dwelling block: a shed, a canopy, or a 부대시설, which is 다목's): at least `blind_to_side` passes, short of
  `side_to_side` fails, and between the two which wall is the side wall (측벽) decides: REVIEW.
- Parts of one block facing each other (a ㄷ-shaped block, a recess) are measured by 가목 as the
  text includes them, but a shortfall there is REVIEW, not FAIL: whether a recess in a facade is a
  "part facing a part" is the officer's call.
- 다목 (a block facing a 부대시설 or 복리시설: 1 × the facility's height) is not measured: the model does
  not say which block is one; the finding says so.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.ops import nearest_points

from permitcheck.checks.context import CheckContext
from permitcheck.checks.window_walls import window_walls
from permitcheck.checks.windows import facing_wall, part_height
from permitcheck.results import Measurement, Status
from permitcheck.rulebook.schema import BlockSeparation

UNIT = "m"  # what a finding of this kind measures in
SAMPLE_M = 1.0  # windowless walls are looked out from every metre
NOT_MEASURED = "다목 (a block facing a 부대시설 or 복리시설 keeps 1 × that facility's height) is not measured"


def _parts(geom) -> list:
    return [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]


def _block_of(blocks: list, p: Point) -> int:
    return int(np.argmin([b.distance(p) for b in blocks]))


def _tops(ctx: CheckContext, blocks: list) -> list[float]:
    """The height of each block above the ground level: its highest point."""
    tri, _ = ctx.triangles
    ground = ctx.facts.ground_elevation_m
    if len(tri) == 0:
        return [0.0] * len(blocks)
    centre = tri[:, :, :3].mean(axis=1)
    top = tri[:, :, 2].max(axis=1)
    out = []
    for b in blocks:
        inside = shapely.contains_xy(b.buffer(0.05), centre[:, 0], centre[:, 1])
        out.append(float(top[inside].max()) - ground if inside.any() else 0.0)
    return out


def _bearing(n: np.ndarray, north) -> float | None:
    if north is None:
        return None
    N = np.asarray(north, dtype=float)[:2]
    E = np.array([N[1], -N[0]])
    return math.degrees(math.atan2(float(n @ E), float(n @ N))) % 360.0


def _southward(bearing: float | None) -> bool | None:
    """나목's axis: from due east clockwise to due west (None: true north unknown)."""
    return None if bearing is None else 90.0 - 1e-6 <= bearing <= 270.0 + 1e-6


def _hit(plan, q: np.ndarray, n: np.ndarray, reach: float):
    ray = LineString([q + n * 0.05, q + n * reach])
    cut = shapely.intersection(ray, plan)
    if cut.is_empty:
        return None
    p = nearest_points(Point(*q), cut)[1]
    return float(Point(*q).distance(p)), np.array([p.x, p.y])


def _windowed_edges(blocks: list, walls) -> set[tuple[int, int]]:
    """(block, outline edge) pairs with a daylight window on them, at any height."""
    out = set()
    for b, poly in enumerate(blocks):
        ring = np.asarray(poly.exterior.coords)[:, :2]
        for e in range(len(ring) - 1):
            seg = LineString(ring[e:e + 2])
            d = ring[e + 1] - ring[e]
            length = float(np.hypot(*d))
            if length < 1e-6:
                continue
            for w in walls:
                if w.daylight and seg.distance(Point(*w.point)) <= 1.0 and abs(float(w.tangent @ d)) / length > 0.9:
                    out.add((b, e))
                    break
    return out


def _edge_at(poly, p: np.ndarray) -> int:
    ring = np.asarray(poly.exterior.coords)[:, :2]
    return int(np.argmin([LineString(ring[e:e + 2]).distance(Point(*p)) for e in range(len(ring) - 1)]))


def _blind_pairs(rule: BlockSeparation, blocks: list, windowed: set, dwelling: set) -> list[dict]:
    """The nearest facing of each pair of dwelling blocks by walls with no daylight window on either
    side. A block with no window at all is no dwelling block (a shed, a canopy, a 부대시설: 다목)."""
    best: dict[tuple[int, int], dict] = {}
    for b, poly in enumerate(blocks):
        if b not in dwelling:
            continue
        others = [o for k, o in enumerate(blocks) if k != b and k in dwelling]
        if not others:
            continue
        other = shapely.union_all(others)
        ring = np.asarray(shapely.geometry.polygon.orient(poly).exterior.coords)[:, :2]
        for e in range(len(ring) - 1):
            if (b, e) in windowed:
                continue
            a, c = ring[e], ring[e + 1]
            length = float(np.hypot(*(c - a)))
            if length < 2 * 0.25:
                continue
            t = (c - a) / length
            n = np.array([t[1], -t[0]])  # outward of a counter-clockwise ring
            count = max(1, int(length // SAMPLE_M))
            for k in range(count):
                q = a + t * ((k + 0.5) / count * length)
                hit = _hit(other, q, n, rule.reach)
                if hit is None:
                    continue
                d, p = hit
                o = _block_of(blocks, Point(*p))
                if (o, _edge_at(blocks[o], p)) in windowed:
                    continue  # a window wall faces it: 가목, measured from that window
                key = (min(b, o), max(b, o))
                if key not in best or d < best[key]["distance_m"]:
                    best[key] = {"clause": "라, 마목", "block": b, "facing_block": o, "distance_m": d,
                                 "at": q, "hit": p, "need": (rule.side_to_side, rule.blind_to_side)}
    return list(best.values())


def _main_openings(walls, rooms, blocks, hits) -> dict[tuple[int, int], bool | None]:
    """(block, lower block) -> whether the block's main openings face it (나목): None where no room of
    the block is named a living room."""
    living = {b: False for b in range(len(blocks))}
    facing: dict[tuple[int, int], bool] = {}
    for w, hit in zip(walls, hits):
        room = rooms.get(w.window.global_id)
        if room is None or room.kind != "living" or hit is None:
            continue
        living[hit["block"]] = True
        if hit["facing_block"] != hit["block"] and hit["southward"]:
            facing[(hit["block"], hit["facing_block"])] = True
    out = {}
    for b in range(len(blocks)):
        for o in range(len(blocks)):
            out[(b, o)] = True if facing.get((b, o)) else (False if living[b] else None)
    return out


def check(rule: BlockSeparation, ctx: CheckContext) -> Measurement:
    from permitcheck.checks.units import rooms_of_windows

    if not ctx.windows:
        return Measurement(Status.UNKNOWN, "no_windows", unit=UNIT)
    blocks = _parts(ctx.facts.footprint)
    if not blocks:
        return Measurement(Status.UNKNOWN, "no_footprint", unit=UNIT)
    tops = _tops(ctx, blocks)
    walls, unplaced = window_walls(ctx)
    rooms = rooms_of_windows(ctx.windows, ctx.spaces)
    north = ctx.site.true_north
    hits: list[dict | None] = []
    for w in walls:
        got = _hit(w.plan, w.point, w.normal, rule.reach) if w.daylight else None
        if got is None:
            hits.append(None)
            continue
        d, p = got
        b, o = _block_of(blocks, Point(*w.point)), _block_of(blocks, Point(*p))
        half = (w.window.width_m or 0.0) + 1.0
        h, top_id = part_height(ctx, w.point, w.tangent, w.normal, half)
        hits.append({"clause": "가목", "window": w.window, "block": b, "facing_block": o, "distance_m": d,
                     "at": w.point, "hit": p, "height_m": h, "top_id": top_id,
                     "southward": _southward(_bearing(w.normal, north)) if b != o else False})
    main = _main_openings(walls, rooms, blocks, hits)
    entries = []
    for w, hit in zip(walls, hits):
        if hit is None:
            continue
        b, o = hit["block"], hit["facing_block"]
        need_a = rule.ratio * max(hit["height_m"], 0.0)
        needs = [need_a]
        if b != o and rule.south_minimum is not None and tops[b] > tops[o] + 1e-6 and hit["southward"] is not False:
            lower = 0.0
            outline = shapely.MultiLineString([p.exterior for p in _parts(w.plan)])
            there = facing_wall(outline, w.plan, Point(*hit["hit"]))
            if there is not None:
                lower, _ = part_height(ctx, there[0], there[1], there[2], 1.0)
            need_b = max(rule.south_minimum, rule.ratio * max(lower, 0.0))
            opens = main[(b, o)] if hit["southward"] else None
            hit["lower_part_height_m"] = lower
            needs = [need_b] if opens else ([need_a, need_b] if opens is None else [need_a])
            hit["clause"] = "나목" if opens else ("가목 or 나목" if opens is None else "가목")
        hit["need"] = (min(needs), max(needs))
        entries.append(hit)
    windowed = _windowed_edges(blocks, walls)
    dwelling = {_block_of(blocks, Point(*w.point)) for w in walls}
    entries += _blind_pairs(rule, blocks, windowed, dwelling)
    tol = ctx.plan_tolerance_m
    for e in entries:
        lo, hi = e["need"]
        d = e["distance_m"]
        e["status"] = Status.PASS if d > hi + tol else (Status.FAIL if d < lo - tol else Status.REVIEW)
        if e["status"] == Status.FAIL and e["block"] == e["facing_block"]:
            e["status"] = Status.REVIEW  # a recess or a wing of one block: the officer decides it is "facing"
    details = {"blocks": len(blocks), "block_heights_m": [round(t, 3) for t in tops], "ratio": rule.ratio,
               "not_measured": NOT_MEASURED, "windows": len(ctx.windows),
               **({"windows_not_placed": unplaced} if unplaced else {})}
    if not entries:
        if unplaced:
            return Measurement(Status.UNKNOWN, "windows_not_placed", unit=UNIT, global_ids=tuple(unplaced[:20]),
                               details={**details, "unplaced": len(unplaced)})
        return Measurement(Status.NOT_APPLICABLE, "no_facing_parts", unit=UNIT, details=details)
    rank = {Status.FAIL: 0, Status.REVIEW: 1, Status.PASS: 2}
    entries.sort(key=lambda e: (rank[e["status"]], e["distance_m"] - e["need"][1]))
    worst = entries[0]
    status = worst["status"]
    lo, hi = worst["need"]
    limit = lo if status == Status.FAIL else hi
    if status == Status.PASS and unplaced:
        status = Status.UNKNOWN  # a window not measured may be the one too close
    reason = {Status.PASS: "blocks_apart", Status.FAIL: "blocks_too_close", Status.UNKNOWN: "windows_not_placed"}.get(
        status, "facing_within_block" if worst["block"] == worst["facing_block"] and worst["distance_m"] < lo - tol
        else ("facing_clause_open" if hi - lo > 2 * tol else "within_tolerance"))
    listed = [{"clause": e["clause"], "status": e["status"].value,
               "window": e["window"].name or e["window"].global_id if "window" in e else None,
               "block": e["block"] + 1, "facing_block": e["facing_block"] + 1, "distance_m": round(e["distance_m"], 3),
               "need_m": [round(v, 3) for v in e["need"]],
               **({"height_of_part_m": round(e["height_m"], 3)} if "height_m" in e else {}),
               **({"lower_part_height_m": round(e["lower_part_height_m"], 3)} if "lower_part_height_m" in e else {})}
              for e in entries[:50]]
    ids = (worst["window"].global_id, worst.get("top_id")) if "window" in worst else ()
    where = LineString([worst["at"], worst["hit"]]).buffer(0.3) if status != Status.PASS else None
    return Measurement(status, reason, round(worst["distance_m"], 4), round(limit, 4), UNIT,
                       round(worst["distance_m"] - limit, 4), where=where,
                       global_ids=tuple(dict.fromkeys(g for g in ids if g)),
                       details={**details, "clause": worst["clause"], "facing": len(entries),
                                "failing": sum(e["status"] == Status.FAIL for e in entries),
                                "open": sum(e["status"] == Status.REVIEW for e in entries),
                                "block": worst["block"] + 1, "facing_block": worst["facing_block"] + 1,
                                "window": listed[0]["window"], "listed": listed})
