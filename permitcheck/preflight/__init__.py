"""The pre-flight: before any rule, whether the model carries what the rules need (readiness) and
stands where it says (site.georef_check). Its findings come first in every report."""

from permitcheck.preflight.readiness import ids_problems, readiness_findings

__all__ = ["ids_problems", "readiness_findings"]
