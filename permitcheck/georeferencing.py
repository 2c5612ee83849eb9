"""`permitcheck georef`: is the model where its georeference says, and a copy with the fix.

`diagnose_model` places the model on its site by its own georeference and names the usual export
error that explains a model off its parcel (site.georef_check). `write_fixed` writes a copy of the
IFC whose IfcMapConversion (or IfcProjectedCRS) carries the correction, and says what changed;
the copy then checks like a model exported right. `check` itself never moves a model.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from permitcheck.errors import InputError
from permitcheck.site.georef_check import Diagnosis, diagnose


@dataclass(frozen=True)
class GeorefReport:
    placement: str
    diagnosis: Diagnosis | None


def diagnose_model(model_path: str | os.PathLike, site_path: str | os.PathLike,
                   site_crs: str | None = None) -> GeorefReport:
    from permitcheck.inspection import inspect_model
    from permitcheck.site import load_site

    inspection = inspect_model(model_path)
    site = load_site(site_path, inspection.model.georeference, site_crs=site_crs)
    return GeorefReport(site.placement, diagnose(site, inspection.facts.whole.footprint))


def write_fixed(model_path: str | os.PathLike, diagnosis: Diagnosis, out_path: str | os.PathLike) -> list[str]:
    """Write the model with its map conversion corrected; the changes, one line each."""
    from permitcheck.model.ifcfile import open_ifc

    f = open_ifc(os.fspath(model_path))
    conversions = f.by_type("IfcMapConversion") if f.schema != "IFC2X3" else []
    if len(conversions) != 1:
        raise InputError(f"{model_path}: the fix edits one IfcMapConversion and the model has {len(conversions)} "
                         "— correct it in the authoring tool as the diagnosis says")
    mc = conversions[0]
    kind, value = diagnosis.edit
    changes = []

    def set_(entity, name, new):
        old = getattr(entity, name)
        setattr(entity, name, new)
        changes.append(f"{entity.is_a()}.{name}: {old} -> {new}")

    if kind == "offsets":
        set_(mc, "Eastings", float(mc.Eastings) * value)
        set_(mc, "Northings", float(mc.Northings) * value)
    elif kind == "swap":
        e, n = float(mc.Eastings), float(mc.Northings)
        set_(mc, "Eastings", n)
        set_(mc, "Northings", e)
    elif kind == "turn":
        set_(mc, "XAxisOrdinate", -float(mc.XAxisOrdinate or 0.0))
    elif kind == "identity":
        set_(mc, "Eastings", 0.0)
        set_(mc, "Northings", 0.0)
        set_(mc, "XAxisAbscissa", 1.0)
        set_(mc, "XAxisOrdinate", 0.0)
    elif kind == "crs":
        set_(mc.TargetCRS, "Name", value)
    else:  # pragma: no cover - every cause diagnose() names has an edit above
        raise InputError(f"no edit for '{kind}'")
    if not all(math.isfinite(float(x)) for x in (mc.Eastings, mc.Northings)):
        raise InputError(f"{model_path}: the corrected offsets are not finite — correct it in the authoring tool")
    try:
        f.write(os.fspath(out_path))
    except OSError as e:
        raise InputError(f"{out_path}: cannot write the corrected model ({e.strerror}) — choose a folder you "
                         "can write") from e
    return changes
