"""The pre-flight: before any rule, whether the model carries what the rules need (readiness) and
stands where it says (site.georef_check). Its findings come first in every report."""

from permitcheck.preflight import placement, readiness
from permitcheck.preflight.placement import placement_findings
from permitcheck.preflight.readiness import ids_problems, readiness_findings

KINDS = (readiness.KIND, placement.KIND)  # the kinds of finding the pre-flight makes, besides the rule kinds

__all__ = ["KINDS", "ids_problems", "placement_findings", "readiness_findings"]
