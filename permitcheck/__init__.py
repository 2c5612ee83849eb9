"""permitcheck: check a submitted IFC building model against zoning rules.

Flow: IFC file → model (read) → facts (measure) → rules → findings → reports.
"""

from permitcheck.errors import InputError, PermitcheckError
from permitcheck.inspection import Inspection, inspect_model
from permitcheck.version import __version__

__all__ = ["InputError", "Inspection", "PermitcheckError", "__version__", "inspect_model"]
