"""Reason codes to sentences: written here, late, so checks keep only codes and numbers."""

from __future__ import annotations

TEMPLATES = {
    "within_limit": "within the limit",
    "over_limit": "exceeds the limit by {excess}",
    "within_tolerance": "within the measurement tolerance of the limit: a person must decide",
    "uncertain_fact": "passes, but the figure comes from a fallback measurement: a person must confirm",
    "zone_split": "{status_in_zone} as checked in the zone of the parcel's larger part, but the parcel lies in "
                  "{zones}: the law may hold each part to its own zone — a person must decide, or pass --zone",
    "elements_not_measured": "passes on what was measured, but {unmeasured} element(s) could not be measured "
                             "(see the model's element failures): a person must confirm",
    "inside_setback": "the part at {height} m stands {measured} from the {side} boundary; {limit} required",
    "clear_of_setback": "every part clears the {side} boundary",
    "outside_area": "{measured} of the footprint lies outside the {line}",
    "inside": "the footprint lies inside the {line}",
    "no_boundary_of_kind": "the parcel has no {side} boundary",
    "no_street_of_width": "no {side} boundary fronts a street {street}",
    "no_part_in_band": "no part of the building is in the heights the rule covers",
    "no_height": "the model's height could not be measured",
    "no_storeys": "the model has no storeys to count",
    "no_footprint": "the model has no footprint above ground",
    "no_floor_area": "no floor area above ground could be measured",
    "no_such_area": "the site has no area named '{line}'",
    "over_plane": "the part at {height} m stands {measured} from the {side} line, where the plane needs {limit}: "
                  "{depth} above the plane, {volume} over it",
    "inside_clearance": "the part at {height} m stands {measured} from the {side} line; {limit} required",
    "under_plane": "every part stays under the {side} plane",
    "no_part_under_plane": "no part of the building stands where the plane applies",
    "no_road_width": "no road with a width in front of edge {edge}: give the road feature a 'width'",
    "no_true_north": "true north could not be found from the site's CRS",
    "outside_envelope": "{volume} of the building lies outside its envelope; the deepest part goes {depth} "
                        "({direction}) past {component}",
    "inside_envelope": "the building fits its envelope",
    "no_envelope_rules": "the envelope includes no rule: {error}",
    "check_failed": "the check failed: {error}",
    "condition_not_met": "does not apply: it is in force only when {when}",
    "condition_unknown": "fails if it is in force, and whether it is cannot be told: {when_unknown}",
    "limit_unknown": "the limit ({limit_from}) lies between {limit_low} and {limit_high} here, and the building "
                     "falls between: {missing}",
    "no_windows": "the model holds no IfcWindow, so the walls with windows cannot be found: model the windows",
    "no_window_facing_lot_line": "no window lights an outer wall above ground",
    "windows_not_placed": "{unplaced} window(s) could not be placed on an outer wall facing a lot line: a person "
                          "must find the window walls",
    "windows_clear": "every window wall keeps its distance: the nearest stands {measured} from edge {edge}, where "
                     "its {window_height} m part needs {limit}",
    "window_too_close": "the wall of window '{window}' stands {measured} from edge {edge}, where its "
                        "{window_height} m part needs {limit}",
    "blocks_apart": "every facing part keeps its distance: the nearest ({clause}) stands {measured} apart, where "
                    "{limit} is needed",
    "blocks_too_close": "{failing} facing part(s) stand too close ({clause}): block {block} stands {measured} from "
                        "block {facing_block}, where at least {limit} is needed",
    "facing_within_block": "two parts of block {block} face each other {measured} apart, where {limit} would be "
                           "needed: whether a recess or a wing is a part facing a part is for a person to decide",
    "facing_clause_open": "block {block} stands {measured} from block {facing_block}: enough under one clause and "
                          "not the other ({clause}); which applies — a side wall, or main openings facing the lower "
                          "block — is for a person to decide",
    "no_facing_parts": "no part of the building faces another across the lot",
    "use_unknown": "the building's use is not known: {why}",
    "no_parking_rate": "the rulebook gives no parking rate for {uses}",
    "parking_rate_elsewhere": "the parking rate for {set_by} — for the officer to decide",
    "parking_enough": "{measured} parking space(s) where {limit} are needed for {floor_area} m² of {uses} "
                      "({provided_basis})",
    "parking_short": "{measured} parking space(s) where at least {limit} are needed for {floor_area} m² of {uses} "
                     "({provided_basis})",
    "no_parking_count": "{required} parking spaces are needed for {floor_area} m² of {uses}, and the spaces provided "
                        "cannot be counted: {provided_basis}",
    "parking_range": "{required} parking spaces are needed ({why_range}), and the {measured} provided fall between",
    "decided_by_officer": "for the officer to decide: {question}",
    "alternative_holds": "complies by alternative '{holds}'",
    "no_alternative_holds": "no alternative holds; nearest: '{nearest}'",
    "no_alternative_decided": "no alternative is shown to hold; nearest: '{nearest}' ({nearest_status})",
    "no_alternative_open": "the rule is in force, and none of its alternatives is open to this building",
    "shadow_within": "the shadow stays at most {measured} beyond {from_m} m of the lot line, where {limit} is the "
                     "limit (the longest times: {band_summary})",
    "shadow_over": "the shadow stays {measured} beyond {from_m} m of the lot line, where {limit} is the limit: "
                   "{over_area} m² over it (the longest times: {band_summary})",
    "shadow_eaves_unknown": "the shadow stays {measured} beyond {from_m} m of the lot line, over the {limit} limit, "
                            "and the rule binds only if the eaves stand higher than it says: a person measures them",
    "shadow_choice_unknown": "the building passes under some of the choices the law leaves to the local ordinance "
                             "and fails under others ({choices}): state the parcel's shadow_column and "
                             "shadow_plane_height",
    "sunlight_kept": "every wall keeps its sun: the least, {measured} in a row ({worst}; {worst_total_h} h in all)",
    "sunlight_taken": "{caused} of {receptors} receptor(s) fall below {limit} in a row because of the building: the worst, "
                      "{worst}, keeps {measured} ({worst_without_h} h without the building)",
    "sunlight_already_short": "{short} receptor(s) keep less than {limit} in a row, but already without the building: the "
                              "worst, {worst}, {measured} ({worst_without_h} h without it) — a person weighs it",
    "sunlight_near_limit": "the wall with the least sun, {worst}, keeps {measured} in a row, within one step of {limit}",
    "no_context": "the site has no context buildings whose walls could lose their sun (add --context or a buildings layer)",
    "units_sunlit": "every dwelling unit keeps {limit} of sun in a row: the least, {measured} ({worst})",
    "units_dark": "{failing_units} of {units} dwelling unit(s) keep less than {limit} of sun in a row: the least, "
                  "{worst}, keeps {measured}",
    "units_unclear": "{open_units} dwelling unit(s), and {loose_short} short window(s) in no known unit, cannot be "
                     "judged from the model ({measured} is the least measured): which window is the unit's — name the rooms (거실) and group them into units "
                     "(IfcZone) — is for a person to decide",
    "no_receptors": "no wall of a context building faces the parcel within reach",
    "shadow_not_bound": "does not apply: the building is not one the shadow rule binds ({read_facts})",
    "placed_on_parcel": "{share_on_parcel} of the footprint stands on the parcel where the model's own "
                        "georeference puts it ({placement})",
    "rotation_review": "the model stands on its parcel, but {cause} — {fix}",
    "data_ready": "the model carries what the rules need here ({applies_to}: {applicable} element(s))",
    "data_missing": "{failed} of {applicable} element(s) lack what the rules need ({requirements}){listed}: {instructions}",
    "data_absent": "the model has none of what the rules need ({applies_to}): {instructions}",
    "data_prohibited": "{failed} element(s) the rules cannot read ({applies_to}){listed}: {instructions}",
    "ids_other_version": "the specification is for another IFC version than the model's",
    "readiness_skipped": "the data readiness check ({ids}) was skipped: {why}",
    "exempt": "does not apply: the land across the {side} boundary lies in {zones_across} ({exempt_article})",
}


def sentence(finding: dict, fmt) -> str:
    """`fmt(value, unit)` formats numbers the way the report does."""
    d = finding.get("details") or {}
    unit = finding["unit"]
    margin = finding.get("margin")
    values = {
        "measured": fmt(finding.get("measured"), unit), "limit": fmt(finding.get("limit"), unit),
        "excess": fmt(-margin if margin is not None else None, unit),
        "height": f"{d.get('height_of_worst_part_m', 0):.2f}", "side": d.get("from", ""),
        "line": d.get("line", "parcel"), "error": d.get("error", ""),
        "depth": fmt(d.get("depth_m"), "m"), "volume": fmt(d.get("volume_outside_m3"), "m3"),
        "edge": d.get("edge", ""), "unmeasured": len(d.get("elements_not_measured") or ()), "component": d.get("component", ""),
        "direction": {"vertical": "above it", "horizontal": "into it"}.get(d.get("depth_direction"), ""),
        "street": d.get("street", ""),
        "status_in_zone": str(d.get("status_in_zone", "")).replace("PASS", "passes").replace("FAIL", "fails"),
        "zones": " and ".join(f"{z} ({share * 100:.0f} %)" for z, share in d.get("zone_split") or ()
                              if isinstance(share, (int, float))),
        "zones_across": ", ".join((d.get("exemption") or {}).get("land_across", {})),
        "exempt_article": ((d.get("exemption") or {}).get("citation") or {}).get("article", ""),
    }
    when = d.get("when") or {}
    read = {**(when.get("read") or {}), **(d.get("context") or {})}
    missing = "; ".join(f"{k}: {v.get('basis')}" for k, v in read.items() if isinstance(v, dict) and v.get("value") is None)
    lr = d.get("limit_range") or [None, None]
    alts = {a["id"]: a for a in d.get("alternatives") or ()}
    values.update({
        "when": when.get("condition", ""), "when_unknown": f"in force when {when.get('condition', '')}; {missing}",
        "limit_from": d.get("limit_from", ""), "limit_low": fmt(lr[0], unit),
        "limit_high": fmt(lr[1], unit) if lr[1] is not None else "no upper bound", "missing": missing or "a fact is missing",
        "question": d.get("question", ""), "window": d.get("window", ""),
        "window_height": f"{d.get('height_of_part_m') or 0:.2f}", "unplaced": len(d.get("windows_not_placed") or ()), "holds": d.get("holds", ""), "nearest": d.get("nearest", ""),
        "nearest_status": (alts.get(d.get("nearest")) or {}).get("status", ""),
        "why": d.get("why", ""), "uses": d.get("uses") or ", ".join(d.get("rates") or ()), "set_by": d.get("set_by", ""),
        "floor_area": f"{d.get('floor_area_m2') or 0:,.1f}", "provided_basis": d.get("provided_basis", ""),
        "why_range": d.get("why_range", ""), "required": _required(d.get("required_range")),
        "from_m": f"{d.get('from_m', 0):g}", "over_area": f"{_over_area(d):,.1f}",
        "worst": d.get("worst", ""), "worst_total_h": d.get("worst_total_h", ""),
        "worst_without_h": d.get("worst_without_h", ""), "caused": d.get("caused", ""),
        "receptors": d.get("receptors", ""), "short": d.get("short", ""),
        "clause": d.get("clause", ""), "block": d.get("block", ""), "facing_block": d.get("facing_block", ""),
        "failing": d.get("failing", ""), "failing_units": d.get("failing_units", ""), "units": d.get("units", ""),
        "open_units": d.get("open_units", ""), "loose_short": len(d.get("short_windows_in_no_unit") or ()),
        "band_summary": _band_summary(d), "choices": _choices(d.get("choices") or ()), "read_facts": _read_facts(d.get("read") or {}),
        "share_on_parcel": f"{(d.get('share_on_parcel') or 0) * 100:.0f} %", "placement": d.get("placement", ""),
        "cause": d.get("cause", ""), "fix": d.get("fix", ""),
        "ids": d.get("ids", ""), "applies_to": d.get("applies_to", ""), "applicable": d.get("applicable", ""),
        "failed": d.get("failed", ""), "requirements": "; ".join(d.get("requirements") or ()),
        "instructions": d.get("instructions") or d.get("description") or "see the rulebook's IDS",
        "listed": _listed(d.get("failures") or ()),
    })
    template = TEMPLATES.get(finding["reason"], finding["reason"])
    return template.format(**values)


def _required(rng) -> str:
    if not rng:
        return ""
    lo, hi = rng
    return f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}"


def _listed(failures) -> str:
    """' — e.g. IfcWindow 'W-01' (2Xb…): The required attribute did not exist', the first of them."""
    if not failures:
        return ""
    x = failures[0]
    return f" — e.g. {x.get('ifc_class', '')} '{x.get('name', '')}' ({x.get('global_id', '')}): {x.get('reason', '')}"


def _over_area(d: dict) -> float:
    return sum((b or {}).get("over_area_m2") or 0.0 for b in (d.get("bands") or {}).values())


def _band_summary(d: dict) -> str:
    names = {"near": "in the near band", "far": "beyond it"}
    return "; ".join(f"{(b or {}).get('max_h', 0):.2f} h {names.get(k, k)} (limit {(b or {}).get('limit_h', 0):g} h)"
                     for k, b in (d.get("bands") or {}).items())


def _read_facts(read: dict) -> str:
    height, storeys = read.get("height_m"), read.get("storeys_above_ground")
    return ", ".join(x for x in (f"height {height:.2f} m" if isinstance(height, (int, float)) else "",
                                 f"{storeys:g} storeys above ground" if isinstance(storeys, (int, float)) else "") if x)


def _choices(choices) -> str:
    return "; ".join(f"column {c.get('column')} at {c.get('plane_height_m', 0):g} m: {c.get('status')}" for c in choices)
