"""Reason codes to sentences: written here, late, so checks keep only codes and numbers."""

from __future__ import annotations

TEMPLATES = {
    "within_limit": "within the limit",
    "over_limit": "exceeds the limit by {excess}",
    "within_tolerance": "within the measurement tolerance of the limit: a person must decide",
    "uncertain_fact": "passes, but the figure comes from a fallback measurement: a person must confirm",
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
        "zones_across": ", ".join((d.get("exemption") or {}).get("land_across", {})),
        "exempt_article": ((d.get("exemption") or {}).get("citation") or {}).get("article", ""),
    }
    template = TEMPLATES.get(finding["reason"], finding["reason"])
    return template.format(**values)
