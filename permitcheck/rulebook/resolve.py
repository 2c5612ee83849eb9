"""Which rules apply in a zone, after `extends:`; and the cross-checks a schema cannot express."""

from __future__ import annotations

from typing import TYPE_CHECKING

from permitcheck.rulebook.schema import Envelope, MeasurementProfile, MinSetback, Plane, Rulebook

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


def _rule_places(book: Rulebook):
    for i, r in enumerate(book.rules):
        yield ("rules", i), r, None
    for code, zone in book.zones.items():
        for i, r in enumerate(zone.rules):
            yield ("zones", code, "rules", i), r, code


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
    if isinstance(child, (MinSetback, Plane, Envelope)):
        return True  # distance shapes differ too much to order; the reviewer reads the citation
    return child.limit <= parent.limit + 1e-12


def check_consistency(loaded: "LoadedRulebook", lines: dict) -> list[str]:
    """Citations name known sources; applies_in names known zones; children only narrow parents."""
    where, book = loaded.path, loaded.book
    sources, zones = _all_sources(loaded), _all_zones(loaded)
    problems = []
    seen: dict[tuple, tuple] = {}
    for path, rule, zone in _rule_places(book):
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
        key = (zone, rule.id)
        if key in seen:
            problems.append(f"{where}:{line}: {at}.id: rule id '{rule.id}' is used twice in the same zone")
        seen[key] = path
        if loaded.parent is not None:
            parent_rule = find_rule(loaded.parent, zone, rule.id)
            if parent_rule is not None and not _tighter_or_equal(rule, parent_rule):
                problems.append(
                    f"{where}:{line}: {at}: rule '{rule.id}' loosens the rule it replaces in "
                    f"{loaded.parent.path} ({parent_rule.kind} {getattr(parent_rule, 'limit', '')}) — "
                    "an extending rulebook may only narrow")
    return problems


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


def measurement_profile(loaded: "LoadedRulebook") -> MeasurementProfile:
    """The rulebook's measurement profile: each key as the nearest rulebook in the chain sets it."""
    merged: dict = {}
    for node in reversed(loaded.chain()):
        mp = node.book.measurement_profile
        merged.update({k: getattr(mp, k) for k in mp.model_fields_set})
    return MeasurementProfile().model_copy(update=merged)  # each value already validated where it was written
