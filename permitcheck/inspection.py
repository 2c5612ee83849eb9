"""`inspect_model`: model → facts, and the one serialisable result every inspect report reads."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from permitcheck.errors import UsageError
from permitcheck.facts import FactSet, Facts, derive_facts
from permitcheck.geojson import geojson as _geojson
from permitcheck.facts.mesh import BuildingMesh, building_mesh
from permitcheck.model import Georeference, MassingOptions, Model, read_model
from permitcheck.profiles import NAMES, LegalFacts, measure
from permitcheck.version import __version__

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Inspection:
    model: Model
    facts: FactSet
    legal: LegalFacts | None = None  # the facts under a measurement profile, when one was asked for

    def footprint_map(self, facts: Facts, georeference: Georeference | None = None) -> BaseGeometry:
        """The footprint in map coordinates when the model is placed on a map, else model coordinates."""
        geo = georeference or self.model.georeference
        if geo is None:
            return facts.footprint
        return shapely.transform(facts.footprint, geo.to_map)

    def _facts_dict(self, f: Facts, geo: Georeference | None, crs: str | None) -> dict:
        return {
            "building_id": f.building_id,
            "name": f.name,
            "ground_elevation_m": round(f.ground_elevation_m, 4),
            "height_m": None if f.height_m is None else round(f.height_m, 4),
            "highest_element": f.highest_element.to_dict() if f.highest_element else None,
            "footprint_area_m2": round(f.footprint_area_m2, 3),
            "footprint": _geojson(self.footprint_map(f, geo)),
            "footprint_crs": (crs or "model") if (geo or self.model.georeference) else "model",
            "footprint_model": _geojson(f.footprint),
            "storeys_above_ground": f.storeys_above_ground,
            "storeys_below_ground": f.storeys_below_ground,
            "gross_floor_area_m2": round(f.gross_floor_area_m2, 3),
            "storeys": [s.to_dict() for s in f.storeys],
            "element_count": f.element_count,
            "derivation": f.derivation,
            "uncertain": [{"fact": k, "reason": v} for k, v in sorted(f.uncertain.items())],
        }

    def mesh(self) -> BuildingMesh:
        """The closed building mesh (computed on demand: 2 s on the Tekla model, unused by 2D facts)."""
        return building_mesh(self.model.elements)

    def to_dict(self, with_mesh: bool = False, placement: Georeference | None = None,
                placement_crs: str | None = None) -> dict:
        """`placement` overrides the model's georeference for the map footprint (--anchor placement)."""
        m = self.model
        crs = placement_crs or (placement.crs if placement else None) or (m.georeference.crs if m.georeference else None)
        facts = self._facts_dict(self.facts.whole, placement, crs)
        facts["buildings"] = [self._facts_dict(b, placement, crs) for b in self.facts.buildings]
        if self.legal is not None:
            facts["legal"] = self.legal.to_dict()
        if with_mesh:
            facts["mesh"] = self.mesh().summary()
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "permitcheck", "version": __version__},
            "model": {
                "path": m.path,
                "sha256": m.sha256,
                "schema": m.schema,
                "application": m.application,
                "project_global_id": getattr(m, "project_global_id", None),  # a Model cached before it had one
                "length_unit_m": m.length_unit_m,
                "georeference": m.georeference.to_dict() if m.georeference else None,
                "elements_measured": len(m.elements),
                "elements_excluded": dict(sorted(m.excluded.items())),
                "element_failures": [
                    {"global_id": e.global_id, "ifc_class": e.ifc_class, "reason": e.reason} for e in m.failures
                ],
                "massing": self._massing_dict(),
            },
            "facts": facts,
            "warnings": list(m.warnings) + self._fact_warnings(),
        }

    def _massing_dict(self) -> dict | None:
        """How a massing model was read and which facts were derived from it, with which parameters."""
        m = self.model.massing
        if m is None:
            return None
        whole = self.facts.whole
        derived = {k: whole.derivation[k] for k in ("ground_elevation_m", "storeys", "gross_floor_area_m2")}
        return {**m.to_dict(), "parameters": m.parameters(), "derived": derived}

    def _fact_warnings(self) -> list[str]:
        out = list(self.facts.warnings)
        massing = self.model.massing
        out += [f"{k} is uncertain: {v}" for k, v in sorted(self.facts.whole.uncertain.items())
                if (k not in ("storeys", "gross_floor_area_m2") or "holes filled" not in v)
                and not (massing is not None and k in ("storeys", "gross_floor_area_m2"))]
        if massing is not None:
            out.append(f"a massing model ({massing.format}): {self.facts.whole.uncertain['storeys']}")
        if self.model.massing is not None:
            pass  # a massing has no IfcBuildingStorey by nature: its storeys are derived, and said so
        elif not self.model.storeys:
            out.append("the model has no IfcBuildingStorey: ground level is project zero and no storeys are counted")
        if self.model.failures:
            out.append(f"{len(self.model.failures)} element(s) had no geometry and are not measured")
        if any("holes filled" in s.note for s in self.facts.whole.storeys):
            out.append("no floor slabs in the model: floor area taken from the walls' outline")
        proxies = self.model.excluded.get("IfcBuildingElementProxy", 0)
        if proxies:
            out.append(f"{proxies} IfcBuildingElementProxy element(s) not measured (use --include-proxies to count them)")
        return out


def inspect_model(path: str | os.PathLike, ground_level_m: float | None = None,
                  workers: int | None = None, include_proxies: bool = False,
                  profile: str | None = None, ids: tuple[str, ...] = (),
                  massing: MassingOptions | None = None) -> Inspection:
    """Read an IFC model (or a massing model: a mesh or a CityJSON building, read as `massing` says) and
    measure it, and under a measurement `profile` when one is named (permitcheck.profiles.NAMES).
    Raises an InputError for a file that cannot be checked.
    `ids`: IDS files run on the model as it is read (a rulebook's readiness, model.ids)."""
    if profile is not None and profile not in NAMES:
        raise UsageError(f"--profile {profile}: unknown measurement profile — use one of: {', '.join(NAMES)}")
    if ground_level_m is not None and not (math.isfinite(ground_level_m) and abs(ground_level_m) < 1e5):
        raise UsageError(f"--ground-level {ground_level_m}: not a level in metres — give the ground's model z, "
                         "e.g. --ground-level 0.0")
    model = read_model(path, workers=workers, include_proxies=include_proxies, ids=ids, massing=massing)
    facts = derive_facts(model, ground_level_m)
    return Inspection(model, facts, measure(profile, model, facts) if profile is not None else None)
