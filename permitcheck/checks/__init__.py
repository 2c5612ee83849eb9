"""One module per rule kind: each declares its UNIT, whether it reads the legal facts (LEGAL) and a
`check(rule, ctx) -> Measurement`; the registry maps a rulebook `kind` to its module. `any_of` is
evaluated by the engine, which judges each alternative's rules and lets `alternatives.combine`
decide."""

from permitcheck.checks import (alternatives, coverage, envelope, facing, far, footprint_area, height, manual, parking,
                                plane, setback, shadow_hours, storeys, sunlight_hours, windows, within)
from permitcheck.checks.context import CheckContext

KINDS = {
    "max_height": height,
    "max_storeys": storeys,
    "max_coverage": coverage,
    "max_far": far,
    "max_footprint_area": footprint_area,
    "min_setback": setback,
    "within": within,
    "plane": plane,
    "envelope": envelope,
    "window_setback": windows,
    "block_separation": facing,
    "min_parking": parking,
    "shadow_hours": shadow_hours,
    "sunlight_hours": sunlight_hours,
    "manual": manual,
    "any_of": alternatives,
}
CHECKS = {kind: module.check for kind, module in KINDS.items() if hasattr(module, "check")}
UNITS = {kind: module.UNIT for kind, module in KINDS.items()}
READS_LEGAL = frozenset(kind for kind, module in KINDS.items() if getattr(module, "LEGAL", False))

__all__ = ["CHECKS", "KINDS", "READS_LEGAL", "UNITS", "CheckContext"]
