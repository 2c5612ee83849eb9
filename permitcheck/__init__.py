"""permitcheck: check a submitted IFC building model against zoning rules.

Flow: IFC file → model (read) → facts (measure) → rules → findings → reports.

`inspect_model` and `Inspection` load ifcopenshell and the geometry stack on first use, so a
command that needs neither (`rules validate`, `--help`) starts without them.
"""

from permitcheck.errors import InputError, PermitcheckError
from permitcheck.version import __version__

__all__ = ["InputError", "Inspection", "PermitcheckError", "__version__", "inspect_model"]


def __getattr__(name: str):
    if name in ("Inspection", "inspect_model"):
        from permitcheck import inspection

        return getattr(inspection, name)
    raise AttributeError(f"module 'permitcheck' has no attribute {name!r}")
