"""What changed between two submissions: rule by rule, in status, figures and elements, and which of
the officer's decisions on the older one still apply.

Elements are matched by GlobalId, and those left over by their geometry signature (class, name,
bounding box, area: `permitcheck.facts.signature`), so a resubmission whose exporter regenerated
every GlobalId shows no element change. A decision still applies when its rule is in both results
with the same status, its figures within tolerance and the same elements, unmoved.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from pathlib import Path

from permitcheck.review.results import LoadedResult, result_sha256
from permitcheck.review.store import DecisionStore

FIGURE_ABS = 0.005  # figures within 5 mm (or 0.005 of a ratio, m², count) are the same figure...
FIGURE_REL = 0.001  # ...or within 0.1 % of the larger, for the large ones (floor areas)
GEOMETRY_M = 0.01  # a bounding box within 1 cm: an exporter's rounding, not a move
AREA_REL = 0.005  # an element's surface area within 0.5 %


def same_figure(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=FIGURE_REL, abs_tol=FIGURE_ABS)


def same_signature(a: dict, b: dict) -> bool:
    """Two elements' signatures agree: class, name, box within GEOMETRY_M, area within AREA_REL."""
    if a.get("ifc_class") != b.get("ifc_class") or a.get("name") != b.get("name"):
        return False
    box_a, box_b = a.get("bbox_model"), b.get("bbox_model")
    if not box_a or not box_b or len(box_a) != len(box_b):
        return False
    if any(abs(float(x) - float(y)) > GEOMETRY_M for x, y in zip(box_a, box_b)):
        return False
    return math.isclose(float(a.get("area_m2") or 0), float(b.get("area_m2") or 0), rel_tol=AREA_REL, abs_tol=0.01)


@dataclass(frozen=True)
class Matching:
    pairs: dict[str, str]  # old GlobalId -> new GlobalId
    by_signature: frozenset[str]  # old GlobalIds matched by signature (their id was regenerated)
    changed: frozenset[str]  # old GlobalIds matched whose geometry moved or changed


def match_elements(old: dict, new: dict) -> Matching:
    """Match the elements findings name: by GlobalId, then the rest one to one by signature (an
    element whose signature fits several is left unmatched rather than guessed)."""
    pairs = {g: g for g in old if g in new}
    # candidates by class and name, sorted by min x: an element's fits lie within GEOMETRY_M of its own
    # (a model whose every id was regenerated names thousands: no pairwise comparison of all of them)
    groups: dict[tuple, list[tuple[float, str]]] = {}
    for n in new:
        box = new[n].get("bbox_model")
        if n not in old and box:
            groups.setdefault((new[n].get("ifc_class"), new[n].get("name")), []).append((float(box[0]), n))
    for group in groups.values():
        group.sort()
    taken: set[str] = set()
    by_sig = set()
    for g in (g for g in old if g not in new and old[g].get("bbox_model")):
        group = groups.get((old[g].get("ifc_class"), old[g].get("name")), [])
        x = float(old[g]["bbox_model"][0])
        lo, hi = bisect_left(group, (x - GEOMETRY_M, "")), bisect_right(group, (x + GEOMETRY_M, "\uffff"))
        fits = [n for _, n in group[lo:hi] if n not in taken and same_signature(old[g], new[n])]
        if len(fits) == 1:
            pairs[g] = fits[0]
            taken.add(fits[0])
            by_sig.add(g)
    changed = {g for g, n in pairs.items() if g not in by_sig and not same_signature(old[g], new[n])}
    return Matching(pairs, frozenset(by_sig), frozenset(changed))


def _figures(f: dict | None) -> dict | None:
    if f is None:
        return None
    return {k: f.get(k) for k in ("status", "measured", "limit", "margin", "unit")}


def changes(old: dict | None, new: dict | None, match: Matching) -> list[str]:
    """What changed in one rule's finding, in short phrases; [] when nothing did."""
    if old is None:
        return ["new rule"]
    if new is None:
        return ["rule no longer checked"]
    out = []
    if old["status"] != new["status"]:
        out.append(f"status {old['status']} → {new['status']}")
    unit = f" {new.get('unit')}" if new.get("unit") else ""
    for key in ("measured", "limit"):
        if not same_figure(old.get(key), new.get(key)):
            out.append(f"{key} {old.get(key)} → {new.get(key)}{unit}")
    named = set(new.get("global_ids") or [])
    # an id the result's `elements` does not describe (a window, a space, an unmeasured element) is
    # matched by GlobalId alone
    was = [match.pairs.get(g) or (g if g in named else None) for g in old.get("global_ids") or []]
    gone = sum(g is None for g in was)
    added = len(named - {g for g in was if g})
    moved = sum(g in match.changed for g in old.get("global_ids") or [])
    if gone:
        out.append(f"{gone} element(s) no longer named")
    if added:
        out.append(f"{added} element(s) newly named")
    if moved:
        out.append(f"{moved} element(s) moved or reshaped")
    return out


def _side(loaded: LoadedResult) -> dict:
    r = loaded.result
    return {"label": loaded.label, "result_sha256": result_sha256(r), "verdict": r["verdict"],
            "model_sha256": (r.get("model") or {}).get("sha256"), "checked_at": r.get("checked_at")}


def diff_results(old: LoadedResult, new: LoadedResult, store: str | Path | None = None) -> dict:
    """The rule-by-rule comparison of two results, with the decisions on the old one (from `store`,
    default the old result's) and whether each still applies. A serialisable dict the diff reports read."""
    store = Path(store) if store is not None else old.store
    o, n = old.result, new.result
    match = match_elements(o.get("elements") or {}, n.get("elements") or {})
    current = {}
    if store.is_file():
        with DecisionStore(store, readonly=True) as db:
            current = db.current(result_sha256(o))
    olds = {f["rule"]: f for f in o["findings"]}
    news = {f["rule"]: f for f in n["findings"]}
    rules = []
    for rule in list(olds) + [r for r in news if r not in olds]:
        fo, fn = olds.get(rule), news.get(rule)
        what = changes(fo, fn, match)
        decided = current.get(rule)
        rules.append({"rule": rule, "title": (fn or fo).get("title", rule), "old": _figures(fo), "new": _figures(fn),
                      "changes": what,
                      "decision": decided[0].to_dict() if decided else None,
                      "decision_applies": (not what) if decided else None})
    new_ids = set(n.get("elements") or {})
    return {
        "old": _side(old), "new": _side(new), "decisions_store": str(store),
        "elements": {"by_global_id": len(match.pairs) - len(match.by_signature),
                     "by_signature": len(match.by_signature),
                     "changed": sorted(match.pairs[g] for g in match.changed),
                     "removed": sorted(set(o.get("elements") or {}) - set(match.pairs)),
                     "added": sorted(new_ids - set(match.pairs.values()))},
        "rules": rules,
        "changed": any(r["changes"] for r in rules),
        "tolerance": {"figure_abs": FIGURE_ABS, "figure_rel": FIGURE_REL, "geometry_m": GEOMETRY_M},
    }


def carry_forward(previous: LoadedResult, result: dict, store: str | Path | None = None,
                  label: str = "this result", into: str | Path | None = None) -> dict:
    """Record, for `result` (a re-check of a resubmission), the decisions on `previous` (read from
    `store`, default the previous result's) that still apply: carried rows in `into` (default the same
    store), each pointing at the decision it carries. `result` is returned with its review block saying
    which were carried and which rules to look at again."""
    from permitcheck.review.decide import attach

    store = Path(store) if store is not None else previous.store
    into = Path(into) if into is not None else store
    d = diff_results(previous, LoadedResult(result, label, into), store)
    sha = result_sha256(result)
    news = {f["rule"]: f for f in result["findings"]}
    carried, again = [], []
    with DecisionStore(into) as db:
        for r in d["rules"]:
            dec = r["decision"]
            if dec is None:
                continue
            if not r["decision_applies"]:
                again.append({"rule": r["rule"], "why": "; ".join(r["changes"])})
                continue
            if not carried:
                db.add_result(sha, result)
            db.add_decision(sha, news[r["rule"]], dec["decision"], dec["status"], dec["reason"], dec["by"],
                            at=dec["at"], source="carried", carried_from=dec["id"])
            carried.append(r["rule"])
    return attach(result, into, carried={"previous": previous.label, "previous_sha256": d["old"]["result_sha256"],
                                         "previous_store": str(store), "carried": carried, "look_again": again})
