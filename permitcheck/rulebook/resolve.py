"""Which rules apply in a zone, after `extends:`; and the cross-checks a schema cannot express."""

from __future__ import annotations

from typing import TYPE_CHECKING

from permitcheck.rulebook.conditions import Combine, When, is_expression
from permitcheck.rulebook.schema import (AnyOf, BlockSeparation, DistanceRange, Envelope, Manual, MaxHeight,
                                         MeasurementProfile, MinParking, MinSetback, Plane, Rulebook, SiteLayers,
                                         WindowSetback)

if TYPE_CHECKING:
    from permitcheck.rulebook.load import LoadedRulebook


def _all_sources(loaded: "LoadedRulebook") -> dict:
    out = {}
    for node in reversed(loaded.chain()):
        out.update(node.book.sources)
    return out


def _all_zones(loaded: "LoadedRulebook") -> dict:
    out = {}
    for node in reversed(loaded.chain()):
        for code, zone in node.book.zones.items():
            out.setdefault(code, []).append(zone)
    return out


def _rule_places(book: Rulebook, nested: bool = False):
    """(key path, rule, zone) of every rule; with `nested`, the rules inside alternatives too."""
    def each(path, r, zone):
        yield path, r, zone
        if nested and isinstance(r, AnyOf):
            for j, alt in enumerate(r.alternatives):
                for i, inner in enumerate(alt.rules):
                    yield path + ("alternatives", j, "rules", i), inner, zone

    for i, r in enumerate(book.rules):
        yield from each(("rules", i), r, None)
    for code, zone in book.zones.items():
        for i, r in enumerate(zone.rules):
            yield from each(("zones", code, "rules", i), r, code)


def _covers(wider, narrower) -> bool:
    """Every street width `narrower` admits, `wider` admits too."""
    lo_ok = wider.at_least is None or (narrower.at_least is not None and wider.at_least <= narrower.at_least)
    hi_ok = wider.below is None or (narrower.below is not None and wider.below >= narrower.below)
    return lo_ok and hi_ok


def _tighter_or_equal(child, parent) -> bool:
    if child.kind != parent.kind:
        return False
    ex_child, ex_parent = getattr(child, "exempt_if", None), getattr(parent, "exempt_if", None)
    if ex_child is not None and (ex_parent is None or
                                 not set(ex_parent.land_across_not_in) <= set(ex_child.land_across_not_in)):
        return False  # an exemption the parent does not grant loosens the rule
    st_child, st_parent = getattr(child, "street", None), getattr(parent, "street", None)
    if st_child is not None and (st_parent is None or not _covers(st_child, st_parent)):
        return False  # fewer streets than the parent's: the rule is switched off on the others
    if child.when is not None and child.when != parent.when:
        return False  # a condition of its own switches the rule off where the parent's holds
    if isinstance(child, AnyOf):  # another alternative loosens: one more way to comply; so does a looser one
        theirs = {a.id: a for a in parent.alternatives}
        for alt in child.alternatives:
            mine = theirs.get(alt.id)
            if mine is None or alt.when != mine.when:
                return False
            inner = {r.id: r for r in mine.rules}
            if any(r.id not in inner or not _tighter_or_equal(r, inner[r.id]) for r in alt.rules) or \
                    {r.id for r in alt.rules} != set(inner):
                return False  # a rule dropped from an alternative, or loosened in it, loosens the alternative
        return True
    if isinstance(child, WindowSetback):
        return child.ratio <= parent.ratio + 1e-12
    if isinstance(child, BlockSeparation):  # the 조례 sets a distance at or above the decree's (§86③2 가, 나목)
        return child.ratio >= parent.ratio - 1e-12 and child.blind_to_side >= parent.blind_to_side - 1e-12 and \
            child.side_to_side >= parent.side_to_side - 1e-12 and \
            (parent.facility_ratio is None or (child.facility_ratio or 0.0) >= parent.facility_ratio - 1e-12) and \
            (parent.south_minimum is None or (
                child.south_minimum is not None and child.south_minimum >= parent.south_minimum - 1e-12))
    if isinstance(child, MinParking):
        return _parking_within(child, parent)
    if isinstance(child, MinSetback) and isinstance(parent.distance, DistanceRange):
        d, r = child.distance, parent.distance
        if isinstance(d, DistanceRange):
            return r.at_least - 1e-12 <= d.at_least and d.at_most <= r.at_most + 1e-12
        return isinstance(d, (int, float)) and r.at_least - 1e-12 <= d <= r.at_most + 1e-12  # the ordinance's figure
    if isinstance(child, (MinSetback, Plane, Envelope, Manual)):
        return True  # distance shapes differ too much to order; the reviewer reads the citation
    if isinstance(child, MaxHeight) and parent.rooftop_free is not None and \
            (child.rooftop_free is None or child.rooftop_free > parent.rooftop_free + 1e-12):
        return False  # more of a rooftop structure left out of the height
    if is_expression(child.limit) or is_expression(parent.limit):
        return child.limit == parent.limit  # expressions are not ordered: only the same one narrows nothing
    return child.limit <= parent.limit + 1e-12


_PARKING_PROBES = (40.0, 60.0, 100.0, 149.0, 151.0, 200.0, 300.0, 500.0, 1000.0, 3000.0, 10000.0, 100000.0)


def _parking_within(child: MinParking, parent: MinParking) -> bool:
    """A city's parking rates stay inside the range the parent leaves to its ordinance: at every floor
    area, for every use, the child's count lies within the parent's (before rounding)."""
    if parent.parking_area != "unknown" and child.parking_area != parent.parking_area:
        return False
    for use in {*parent.rates, *child.rates, None}:
        mine = child.rates.get(use, child.otherwise) if use is not None else child.otherwise
        theirs = parent.rates.get(use, parent.otherwise) if use is not None else parent.otherwise
        if theirs is None or theirs.set_by is not None:
            continue  # the parent leaves this use to another regulation or to the rulebook below
        if mine is None:
            return False  # the parent's rate dropped
        if mine.set_by is not None:
            continue  # referred to the officer: REVIEW, never a verdict the parent's range forbids
        for a in _PARKING_PROBES:
            lo, hi = theirs.spaces(a) * (1 - parent.local_share), theirs.spaces(a) * (1 + parent.local_share)
            m = mine.spaces(a)
            if m * (1 - child.local_share) < lo - 1e-9 or m * (1 + child.local_share) > hi + 1e-9:
                return False
    return True


def check_consistency(loaded: "LoadedRulebook", lines: dict) -> list[str]:
    """Citations name known sources; applies_in names known zones; children only narrow parents."""
    where, book = loaded.path, loaded.book
    sources, zones = _all_sources(loaded), _all_zones(loaded)
    problems = []
    for i, r in enumerate(book.readiness):
        if r.citation is not None and r.citation.source not in sources:
            problems.append(f"{where}:{lines.get(('readiness', i, 'citation'), 0)}: readiness.{i}.citation.source: "
                            f"unknown source '{r.citation.source}' — add it under 'sources:'")
    seen: dict[tuple, tuple] = {}
    for path, rule, zone in _rule_places(book, nested=True):
        line = lines.get(path, 0)
        at = ".".join(str(p) for p in path)
        if rule.citation.source not in sources:
            problems.append(f"{where}:{lines.get(path + ('citation',), line)}: {at}.citation.source: unknown source "
                            f"'{rule.citation.source}' — add it under 'sources:' (known: {', '.join(sources) or 'none'})")
        for z in rule.applies_in or ():
            if z not in zones:
                problems.append(f"{where}:{line}: {at}.applies_in: unknown zone '{z}' — define it under 'zones:'")
        ex = getattr(rule, "exempt_if", None)
        if ex is not None:
            exl = lines.get(path + ("exempt_if",), line)
            for z in ex.land_across_not_in:
                if z not in zones:
                    problems.append(f"{where}:{exl}: {at}.exempt_if.land_across_not_in: unknown zone '{z}' — "
                                    "define it under 'zones:'")
            if ex.citation.source not in sources:
                problems.append(f"{where}:{exl}: {at}.exempt_if.citation.source: unknown source "
                                f"'{ex.citation.source}' — add it under 'sources:'")
        if len(path) > 4 and rule.applies_in is not None:
            problems.append(f"{where}:{line}: {at}.applies_in: a rule inside an alternative is in force where its "
                            "any_of is — put applies_in on the any_of")
        unknown = sorted({u for c in _conditions(rule) for u in _uses_named(c)} - set(building_uses(loaded)))
        if unknown:
            problems.append(f"{where}:{lines.get(path + ('when',), line)}: {at}.when: use {', '.join(unknown)} is not "
                            "under 'building_uses:' — add it with the words that name it")
        if isinstance(rule, MinParking):
            stray = sorted(set(rule.rates) - set(building_uses(loaded)))
            if stray:
                problems.append(f"{where}:{lines.get(path + ('rates',), line)}: {at}.rates: use {', '.join(stray)} is "
                                "not under 'building_uses:' — add it with the words that name it")
        key = (zone, rule.id)
        if key in seen:
            problems.append(f"{where}:{line}: {at}.id: rule id '{rule.id}' is used twice in the same zone")
        seen[key] = path
        if loaded.parent is not None and len(path) <= 4:  # a rule inside an alternative is replaced with it
            parent_rule = find_rule(loaded.parent, zone, rule.id)
            if parent_rule is not None and not _tighter_or_equal(rule, parent_rule):
                problems.append(
                    f"{where}:{line}: {at}: rule '{rule.id}' loosens the rule it replaces in "
                    f"{loaded.parent.path} ({parent_rule.kind} {getattr(parent_rule, 'limit', '')}) — "
                    "an extending rulebook may only narrow")
    problems += _ids_across_alternatives(loaded)
    if loaded.parent is not None:
        inherited = building_uses(loaded.parent)
        for cat, words in book.building_uses.items():
            extra = sorted(set(words) - set(inherited.get(cat, words)))
            if extra:
                problems.append(f"{where}:{lines.get(('building_uses', cat), 0)}: building_uses.{cat}: adds "
                                f"{', '.join(extra)} to a use of {loaded.parent.path} — that may switch its rules "
                                "on or off; an extending rulebook may add uses, not words to inherited ones")
    return problems


def _ids_across_alternatives(loaded: "LoadedRulebook") -> list[str]:
    """A rule inside an alternative shares its zone's ids with every other rule in force there."""
    out = []
    for code in loaded.book.zones:
        rules = rules_for_zone(loaded, code)
        ids = [r.id for r in rules] + [i.id for r in rules if isinstance(r, AnyOf) for a in r.alternatives
                                       for i in a.rules]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            out.append(f"{loaded.path}: zones.{code}: rule ids {', '.join(dup)} are used twice among the zone's rules "
                       "and its alternatives — an envelope could not tell them apart")
    return out


def find_rule(loaded: "LoadedRulebook", zone: str | None, rule_id: str):
    for node in loaded.chain():
        if zone is not None and zone in node.book.zones:
            for r in node.book.zones[zone].rules:
                if r.id == rule_id:
                    return r
        for r in node.book.rules:
            if r.id == rule_id and (zone is None or r.applies_in is None or zone in r.applies_in):
                return r
    return None


def zone_codes(loaded: "LoadedRulebook") -> dict[str, str]:
    """Every way to name a zone (code or any of its names) -> its code."""
    out = {}
    for node in reversed(loaded.chain()):
        for code, zone in node.book.zones.items():
            out[code] = code
            for n in zone.names:
                out[n] = code
    return out


def rules_for_zone(loaded: "LoadedRulebook", zone: str) -> list:
    """The rules in force in `zone`: nearest rulebook wins per rule id."""
    chosen: dict[str, object] = {}
    for node in reversed(loaded.chain()):
        for r in node.book.rules:
            if r.applies_in is None or zone in r.applies_in:
                chosen[r.id] = r
        if zone in node.book.zones:
            for r in node.book.zones[zone].rules:
                chosen[r.id] = r
    return list(chosen.values())


def sources_of(loaded: "LoadedRulebook") -> dict:
    return _all_sources(loaded)


def building_uses(loaded: "LoadedRulebook") -> dict[str, tuple[str, ...]]:
    """Every use category of the chain with its words; an extending rulebook adds words and uses."""
    out: dict[str, list[str]] = {}
    for node in reversed(loaded.chain()):
        for cat, words in node.book.building_uses.items():
            out.setdefault(cat, [])
            out[cat] += [w for w in words if w not in out[cat]]
    return {k: tuple(v) for k, v in out.items()}


def _conditions(rule) -> list:
    """Every condition a rule tests: its `when`, its alternatives' and those inside its limit."""
    out = [rule.when] + [a.when for a in getattr(rule, "alternatives", ())]

    def walk(expr):
        if isinstance(expr, When):
            out.append(expr.condition)
            walk(expr.then)
            walk(expr.else_)
        elif isinstance(expr, Combine):
            for t in expr.terms:
                walk(t)

    walk(getattr(rule, "limit", None))
    for a in getattr(rule, "alternatives", ()):
        for r in a.rules:
            out += _conditions(r)
    return [c for c in out if c is not None]


def _leaves(cond):
    yield cond
    for c in (cond.all or []) + (cond.any or []) + ([cond.not_] if cond.not_ is not None else []):
        yield from _leaves(c)


def _uses_named(cond) -> list[str]:
    return [u for c in _leaves(cond) for u in (c.use or [])]


def declared_values(loaded: "LoadedRulebook") -> dict[str, tuple[str, ...]]:
    """For each key a condition reads from the declarations, every value the rulebook names: a
    declaration outside them is unknown to the rulebook, never a plain 'no' (a typo would switch a rule off)."""
    out: dict[str, set] = {}
    for node in loaded.chain():
        for _path, rule, _zone in _rule_places(node.book, nested=True):
            for c in _conditions(rule):
                for leaf in _leaves(c):
                    for key, vals in (leaf.declared or {}).items():
                        out.setdefault(key, set()).update(map(str, vals if isinstance(vals, list) else [vals]))
    return {k: tuple(sorted(v)) for k, v in out.items()}


def measurement_profile(loaded: "LoadedRulebook") -> MeasurementProfile:
    """The rulebook's measurement profile: each key as the nearest rulebook in the chain sets it."""
    return _nearest(loaded, "measurement_profile", MeasurementProfile)


def site_layers(loaded: "LoadedRulebook") -> SiteLayers:
    """How the rulebook reads published layers: each key as the nearest rulebook in the chain sets it."""
    return _nearest(loaded, "site_layers", SiteLayers)


def _nearest(loaded: "LoadedRulebook", section: str, kind):
    merged: dict = {}
    for node in reversed(loaded.chain()):
        part = getattr(node.book, section)
        merged.update({k: getattr(part, k) for k in part.model_fields_set})
    return kind().model_copy(update=merged)  # each value already validated where it was written
