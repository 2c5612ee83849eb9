"""One module per rule kind; the registry maps a rulebook `kind` to its check function."""

from permitcheck.checks import coverage, envelope, far, footprint_area, height, plane, setback, storeys, within
from permitcheck.checks.context import CheckContext

CHECKS = {
    "max_height": height.check,
    "max_storeys": storeys.check,
    "max_coverage": coverage.check,
    "max_far": far.check,
    "max_footprint_area": footprint_area.check,
    "min_setback": setback.check,
    "within": within.check,
    "plane": plane.check,
    "envelope": envelope.check,
}

__all__ = ["CHECKS", "CheckContext"]
