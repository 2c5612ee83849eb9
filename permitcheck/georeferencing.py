"""`permitcheck georef`: is the model where its georeference says, and a copy with the fix.

`diagnose_model` places the model on its site by its own georeference and names the usual export
error that explains a model off its parcel (site.georef_check), or where its footprint fits when
none does; on its parcel, a rotation that the grid convergence may have turned (for review).
`write_fixed` writes a copy of the IFC whose IfcMapConversion (or IfcProjectedCRS) carries the
correction, and says what changed; the copy then checks like a model exported right. `check`
itself never moves a model.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from permitcheck.errors import InputError
from permitcheck.site.georef_check import (OFF_SHARE, UNPLACED_SHARE, Diagnosis, Fit, diagnose, fit, on_parcel,
                                          rotation_review)


@dataclass(frozen=True)
class GeorefReport:
    placement: str
    diagnosis: Diagnosis | None  # an error (ERROR), or on its parcel a rotation to review (REVIEW)
    share_as_placed: float = 1.0  # of the footprint on the parcel
    fit: Fit | None = None  # partly off its parcel in no usual way: where the footprint fits

    @property
    def on_parcel(self) -> bool:
        return self.diagnosis is None and self.share_as_placed >= OFF_SHARE


def diagnose_model(model_path: str | os.PathLike, site_path: str | os.PathLike,
                   site_crs: str | None = None) -> GeorefReport:
    from permitcheck.inspection import inspect_model
    from permitcheck.site import load_site

    inspection = inspect_model(model_path)
    site = load_site(site_path, inspection.model.georeference, site_crs=site_crs)
    footprint = inspection.facts.whole.footprint
    share = on_parcel(site, footprint)
    found = diagnose(site, footprint) or rotation_review(site, footprint)
    partly = fit(site, footprint) if found is None and UNPLACED_SHARE <= share < OFF_SHARE else None
    return GeorefReport(site.placement, found, share, partly)


def write_fixed(model_path: str | os.PathLike, diagnosis: Diagnosis, out_path: str | os.PathLike) -> list[str]:
    """Write the model with its map conversion corrected; the changes, one line each."""
    from permitcheck.model.ifcfile import open_ifc

    f = open_ifc(os.fspath(model_path))
    conversions = f.by_type("IfcMapConversion") if f.schema != "IFC2X3" else []
    if len(conversions) != 1:
        raise InputError(f"{model_path}: the fix edits one IfcMapConversion and the model has {len(conversions)} "
                         "— correct it in the authoring tool as the diagnosis says")
    if not diagnosis.edit:
        raise InputError(f"{model_path}: no usual error to undo, so nothing to write — {diagnosis.fix}")
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
    elif kind == "rotate":  # turn the X axis direction, keeping its length (IFC4 need not normalise it)
        a, o = float(mc.XAxisAbscissa or 0.0), float(mc.XAxisOrdinate or 0.0)
        a = 1.0 if a == 0.0 and o == 0.0 else a  # neither written: the X axis is east (as the reader takes it)
        c, s = math.cos(math.radians(value)), math.sin(math.radians(value))
        set_(mc, "XAxisAbscissa", c * a - s * o)
        set_(mc, "XAxisOrdinate", s * a + c * o)
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
