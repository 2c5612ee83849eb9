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
      facility_ratio: 1      # 다목: facing a 부대시설 or 복리시설, its height

How it is measured:
- A block (동) is a part of the footprint above ground: blocks joined by a podium are one. Blocks are
  numbered from 1 in the order of the footprint's parts.
- 가목: from every daylight window (0.5 m² or more, or of unknown size) on its wall at its own height
  (permitcheck.checks.window_walls), and every metre along a footprint wall that holds one (the
  whole 벽면, not only the windows), straight out: the first part of the building in the plan the
  wall is on is the part it faces, at distance d, unless that part rises no higher than the window's
  sill (or 1 m, from a wall) above the ground: a terrace, steps, a ramp. The height is that of the window wall's part
  (the highest point over the wall around the window, as §86③1 measures it: a secondary source
  reads 가목 so, "맞은편 건물의 높이는 무관"). d ≥ ratio × height.
- 나목: where the wall's block is the higher of the two, the line from it to the lower block runs
  from due east clockwise to due west (through south), and the higher block's main openings (거실
  and 주된 침실) face the lower one, the distance is instead at least `south_minimum` and ratio ×
  the lower part's height. Main openings are told by the rooms behind the windows
  (permitcheck.checks.units): a block with a window of a room named a living room facing that way
  faces it; a block whose living rooms all face elsewhere does not; with no room named, both 가목 and
  나목 are worked out and a distance between the two is REVIEW. So it is where the two blocks'
  heights are within the tolerance (which is "the higher" is not told) and where true north is not
  known. 나목 speaks of two 동: between parts of one block it is not asked (blocks joined by a link
  or a podium are one block here, and the finding says so).
- 라, 마목: walls with no daylight window, every metre along the footprint's outline, straight out to
  another block's wall that has none either, between blocks that hold windows (one with none is no
  dwelling block: a shed, a canopy, or a 부대시설, which is 다목's): at least `blind_to_side` passes, short of
  `side_to_side` fails, and between the two which wall is the side wall (측벽) decides: REVIEW.
- Parts of one block facing each other (a ㄷ-shaped block, a recess) are measured by 가목 as the
  text includes them, but a shortfall there is REVIEW, not FAIL: whether a recess in a facade is a
  "part facing a part" is the officer's call.
- 다목 (a block facing a 부대시설 or 복리시설: `facility_ratio` × the facility's height): the model does
  not say which block is one, but a block with no window is no dwelling block and may be one, so a
  distance to it is also held against 다목, and one between the clauses is REVIEW.
- The tolerance is the profile's length tolerance: distances between blocks are within the model,
  whatever the placement of the parcel.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.polygon import orient
from shapely.ops import nearest_points

from permitcheck.checks.context import CheckContext
from permitcheck.checks.units import rooms_of_windows
from permitcheck.checks.window_walls import window_walls
from permitcheck.checks.windows import facing_wall, part_height
from permitcheck.results import Measurement, Status
from permitcheck.rulebook.schema import BlockSeparation

UNIT = "m"  # what a finding of this kind measures in
SAMPLE_M = 1.0  # walls are looked out from every metre
ALIGNED = 0.9  # a window lies on an edge running its way (|cos| of the angle between them)
LOW_M = 1.0  # a part no higher than this (or than the window's sill) above the ground stands in front of no wall


def _parts(geom) -> list:
    """The footprint's parts, each turned counter-clockwise (its courtyards clockwise)."""
    return [orient(p) for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area > 1e-6]


def _edges(blocks: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, block) of every edge of every block's outer ring, in ring order."""
    a, c, b = [], [], []
    for k, poly in enumerate(blocks):
        ring = np.asarray(poly.exterior.coords)[:, :2]
        a.append(ring[:-1])
        c.append(ring[1:])
        b.append(np.full(len(ring) - 1, k))
    return np.concatenate(a), np.concatenate(c), np.concatenate(b)


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


def _southward(n: np.ndarray, north) -> bool | None:
    """나목's axis: from due east clockwise to due west (None: true north unknown)."""
    if north is None:
        return None
    N = np.asarray(north, dtype=float)[:2]
    E = np.array([N[1], -N[0]])
    bearing = math.degrees(math.atan2(float(n @ E), float(n @ N))) % 360.0
    return 90.0 - 1e-6 <= bearing <= 270.0 + 1e-6


def _hit(plan, q: np.ndarray, n: np.ndarray, reach: float):
    ray = LineString([q + n * 0.05, q + n * reach])
    cut = shapely.intersection(ray, plan)
    if cut.is_empty:
        return None
    p = nearest_points(Point(*q), cut)[1]
    return float(Point(*q).distance(p)), np.array([p.x, p.y])


class _Blocks:
    """The blocks, their outer edges and which of those hold a daylight window."""

    def __init__(self, blocks: list, walls):
        self.polys = blocks
        self.tree = shapely.STRtree(blocks)
        self.a, self.c, self.block = _edges(blocks)
        self.lines = shapely.linestrings(np.stack([self.a, self.c], axis=1))
        self.edge_tree = shapely.STRtree(self.lines)
        d = self.c - self.a
        self.length = np.hypot(d[:, 0], d[:, 1])
        self.windowed = np.zeros(len(self.a), dtype=bool)
        day = [w for w in walls if w.daylight]
        if day:
            pts = shapely.points(np.array([w.point for w in day]))
            near = self.edge_tree.query(pts, predicate="dwithin", distance=1.0)
            t = np.array([w.tangent for w in day])[near[0]]
            cos = np.abs((t * d[near[1]]).sum(axis=1)) / np.maximum(self.length[near[1]], 1e-12)
            self.windowed[near[1][cos > ALIGNED]] = True
        self.dwelling = {self.of(Point(*w.point)) for w in walls}

    def of(self, p: Point) -> int:
        return int(self.tree.query_nearest(p)[0])

    def edge_at(self, p: np.ndarray, block: int) -> int:
        near = self.edge_tree.query(Point(*p), predicate="dwithin", distance=0.05)
        mine = [int(e) for e in near if self.block[e] == block]
        if mine:
            return mine[0]
        own = np.flatnonzero(self.block == block)
        return int(own[np.argmin(shapely.distance(self.lines[own], Point(*p)))])

    def samples(self, edges: np.ndarray):
        """(point, tangent, outward normal, edge) every SAMPLE_M along these edges."""
        for e in edges:
            length = self.length[e]
            if length < 0.5:
                continue
            t = (self.c[e] - self.a[e]) / length
            n = np.array([t[1], -t[0]])  # outward of a counter-clockwise ring
            count = max(1, int(length // SAMPLE_M))
            for k in range(count):
                yield self.a[e] + t * ((k + 0.5) / count * length), t, n, e


def _outline(plan, cache: dict):
    key = id(plan)
    if key not in cache:
        cache[key] = shapely.MultiLineString([r for p in shapely.get_parts(plan) if p.geom_type == "Polygon"
                                              for r in [p.exterior, *p.interiors]])
    return cache[key]


def _main_openings(walls, hits, rooms, nblocks: int) -> dict[tuple[int, int], bool | None]:
    """(block, lower block) -> whether the block's main openings face it (나목): None where no room of
    the block is named a living room."""
    living = [False] * nblocks
    facing: set[tuple[int, int]] = set()
    for w, hit in zip(walls, hits):
        room = rooms.get(w.window.global_id)
        if room is None or room.kind != "living":
            continue
        b = hit["block"] if hit is not None else None
        if b is None:
            continue
        living[b] = True
        if hit.get("facing_block") is not None and hit["facing_block"] != b and hit["southward"]:
            facing.add((b, hit["facing_block"]))
    return {(b, o): True if (b, o) in facing else (False if living[b] else None)
            for b in range(nblocks) for o in range(nblocks)}


def _needs(rule: BlockSeparation, e: dict, tops: list, main: dict, dwelling: set, tol: float) -> None:
    """The distances the clauses that may apply ask of one facing, and which they are."""
    b, o = e["block"], e["facing_block"]
    need_a = rule.ratio * max(e["height_m"], 0.0)
    needs, clause = [need_a], ["가목"]
    if b != o and rule.south_minimum is not None and e["southward"] is not False and tops[b] >= tops[o] - tol:
        need_b = max(rule.south_minimum, rule.ratio * max(e["facing_height_m"], 0.0))
        certain = e["southward"] is True and tops[b] > tops[o] + tol
        opens = main[(b, o)] if certain else None
        if opens:
            needs, clause = [need_b], ["나목"]
        elif opens is None:
            needs, clause = [need_a, need_b], ["가목 or 나목"]
    if b != o and o not in dwelling and rule.facility_ratio is not None:  # no window: maybe a 부대시설
        needs.append(rule.facility_ratio * max(e["facing_height_m"], 0.0))
        clause.append("or 다목")
    e["need"] = (min(needs), max(needs))
    e["clause"] = " ".join(clause)


def _blind_pairs(rule: BlockSeparation, blocks: _Blocks) -> list[dict]:
    """The nearest facing of each pair of dwelling blocks by walls with no daylight window on either
    side. A block with no window at all is no dwelling block (a shed, a canopy, a 부대시설: 다목)."""
    best: dict[tuple[int, int], dict] = {}
    for b in sorted(blocks.dwelling):
        others = [blocks.polys[k] for k in sorted(blocks.dwelling) if k != b]
        if not others:
            continue
        other = shapely.union_all(others)
        own = np.flatnonzero((blocks.block == b) & ~blocks.windowed)
        for q, t, n, _ in blocks.samples(own):
            hit = _hit(other, q, n, rule.reach)
            if hit is None:
                continue
            d, p = hit
            o = blocks.of(Point(*p))
            if blocks.windowed[blocks.edge_at(p, o)]:
                continue  # a window wall faces it: 가목, measured from that wall
            key = (min(b, o), max(b, o))
            if key not in best or d < best[key]["distance_m"]:
                best[key] = {"clause": "라, 마목", "block": b, "facing_block": o, "distance_m": d, "at": q, "hit": p,
                             "need": (rule.side_to_side, rule.blind_to_side)}
    return list(best.values())


def check(rule: BlockSeparation, ctx: CheckContext) -> Measurement:
    if not ctx.windows:
        return Measurement(Status.UNKNOWN, "no_windows", unit=UNIT)
    parts = _parts(ctx.facts.footprint)
    if not parts:
        return Measurement(Status.UNKNOWN, "no_footprint", unit=UNIT)
    tops = _tops(ctx, parts)
    walls, unplaced = window_walls(ctx)
    blocks = _Blocks(parts, walls)
    rooms = rooms_of_windows(ctx.windows, ctx.spaces)
    north = ctx.site.true_north
    tol = ctx.profile.length_tolerance  # within the model: the parcel's placement does not enter
    outlines: dict = {}

    def facing(q, t, n, plan, half, window=None) -> dict | None:
        b = blocks.of(Point(*q))
        h, top_id = part_height(ctx, q, t, n, half)
        if top_id is None:
            return None
        e = {"window": window, "block": b, "height_m": h, "top_id": top_id, "at": q, "southward": None}
        if plan.covers(Point(*(q + n * 0.05))):
            return None  # not an outer wall here (a sliver, a corner the plan folds over)
        got = _hit(plan, q, n, rule.reach)
        if got is None:
            return e
        d, p = got
        o = blocks.of(Point(*p))
        there = facing_wall(_outline(plan, outlines), plan, Point(*p))
        theirs = part_height(ctx, there[0], there[1], there[2], 1.0)[0] if there is not None else 0.0
        sill = (window.point[2] - ctx.facts.ground_elevation_m) if window is not None else LOW_M
        if theirs <= max(sill, LOW_M):
            return e  # a terrace, steps or a ramp below the sill: no part standing in front of the wall
        e.update(facing_block=o, distance_m=d, hit=p, facing_height_m=theirs, southward=_southward(n, north))
        return e

    hits = []
    for w in walls:
        e = facing(w.point, w.tangent, w.normal, w.plan, (w.window.width_m or 0.0) + 1.0, w.window) \
            if w.daylight else None
        if w.daylight and e is None:
            unplaced.append(w.window.global_id)  # no building over the wall it seems to be in
        hits.append(e)
    main = _main_openings(walls, hits, rooms, len(parts))
    entries = [e for e in hits if e is not None and "distance_m" in e]
    footprint = ctx.facts.footprint
    for q, t, n, _ in blocks.samples(np.flatnonzero(blocks.windowed)):  # the rest of each window wall
        e = facing(q, t, n, footprint, 1.0)
        if e is not None and "distance_m" in e:
            entries.append(e)
    for e in entries:
        _needs(rule, e, tops, main, blocks.dwelling, tol)
    entries += _blind_pairs(rule, blocks)
    for e in entries:
        lo, hi = e["need"]
        d = e["distance_m"]
        e["status"] = Status.PASS if d > hi + tol else (Status.FAIL if d < lo - tol else Status.REVIEW)
        if e["status"] == Status.FAIL and e["block"] == e["facing_block"]:
            e["status"] = Status.REVIEW  # a recess or a wing of one block: the officer decides it is "facing"
    details = {"blocks": len(parts), "block_heights_m": [round(t, 3) for t in tops], "ratio": rule.ratio,
               "not_measured": "제3호 (a road through a 주택단지); which block is a 부대시설 (다목) is read only from "
                               "its having no window; 나목 between parts of one footprint (blocks joined by a link or a "
                               "podium are one 동 here)", "windows": len(ctx.windows),
               **({"windows_not_placed": unplaced} if unplaced else {})}
    if not entries:
        if unplaced:
            return Measurement(Status.UNKNOWN, "windows_not_placed", unit=UNIT, global_ids=tuple(unplaced[:20]),
                               details={**details, "unplaced": len(unplaced)})
        return Measurement(Status.NOT_APPLICABLE, "no_facing_parts", unit=UNIT, details=details)
    rank = {Status.FAIL: 0, Status.REVIEW: 1, Status.PASS: 2}

    def short(e):  # how far short of what it surely needs (FAIL), or of what it may need
        return e["distance_m"] - (e["need"][0] if e["status"] == Status.FAIL else e["need"][1])

    entries.sort(key=lambda e: (rank[e["status"]], short(e)))
    worst = entries[0]
    status = worst["status"]
    lo, hi = worst["need"]
    limit = lo if status == Status.FAIL else hi
    if status == Status.PASS and unplaced:
        status = Status.UNKNOWN  # a window not measured may be the one too close
    same = worst["block"] == worst["facing_block"]
    reason = {Status.PASS: "blocks_apart", Status.FAIL: "blocks_too_close", Status.UNKNOWN: "windows_not_placed"}.get(
        status, "facing_within_block" if same and worst["distance_m"] < lo - tol
        else ("facing_clause_open" if hi - lo > 2 * tol else "within_tolerance"))
    listed = [{"clause": e["clause"], "status": e["status"].value,
               "window": (e["window"].name or e["window"].global_id) if e.get("window") is not None else None,
               "block": e["block"] + 1, "facing_block": e["facing_block"] + 1, "distance_m": round(e["distance_m"], 3),
               "need_m": [round(v, 3) for v in e["need"]],
               **({"height_of_part_m": round(e["height_m"], 3)} if "height_m" in e else {}),
               **({"facing_part_height_m": round(e["facing_height_m"], 3)} if "facing_height_m" in e else {})}
              for e in entries[:50]]
    ids = (worst["window"].global_id if worst.get("window") is not None else None, worst.get("top_id"))
    where = LineString([worst["at"], worst["hit"]]).buffer(0.3) if status != Status.PASS else None
    return Measurement(status, reason, round(worst["distance_m"], 4), round(limit, 4), UNIT,
                       round(worst["distance_m"] - limit, 4), where=where,
                       global_ids=tuple(dict.fromkeys(g for g in ids if g)),
                       details={**details, "clause": worst["clause"], "facing": len(entries),
                                "failing": sum(e["status"] == Status.FAIL for e in entries),
                                "open": sum(e["status"] == Status.REVIEW for e in entries),
                                "block": worst["block"] + 1, "facing_block": worst["facing_block"] + 1,
                                "window": listed[0]["window"], "listed": listed})
