"""An uncertain fact never passes as PASS: it is REVIEW, for a person to confirm."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import ROOT, SAMPLES, inspected
from permitcheck.checking import check_model
from permitcheck.checks import CHECKS, CheckContext
from permitcheck.facts import derive_facts
from permitcheck.rulebook.schema import Citation, MaxStoreys, MeasurementProfile
from test_shipped_rules import building, parcel_site


def _latlon_site(tmp_path, north_gap: float):
    geo = inspected(str(SAMPLES / "latlon_site.ifc")).model.georeference
    ring = np.array([[-5, -10], [25, -10], [25, 12 + north_gap], [-5, 12 + north_gap], [-5, -10]], float)
    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": geo.crs}}, "features": [
        {"type": "Feature", "properties": {"role": "parcel", "id": "P"},
         "geometry": {"type": "Polygon", "coordinates": [geo.to_map(ring).tolist()]}}]}
    p = tmp_path / f"latlon_{north_gap}.geojson"
    p.write_text(json.dumps(fc))
    return p


@pytest.mark.parametrize("gap,status", [(3.0, "REVIEW"), (10.0, "PASS"), (-3.0, "REVIEW"), (-8.0, "FAIL")])
def test_approximate_placement_widens_the_tolerance(tmp_path, gap, status):
    result = check_model(SAMPLES / "latlon_site.ifc", _latlon_site(tmp_path, gap), ROOT / "rules/kr/national.yaml",
                         zone="KR-R2G").to_dict()
    north = {f["rule"]: f for f in result["findings"]}["north-daylight"]
    assert north["status"] == status, north
    assert any("approximate" in w for w in result["warnings"])


def test_fallback_storey_count_is_review_not_pass(tmp_path):
    model = building(3)
    model.elements[:] = [m for m in model.elements if m.ifc_class != "IfcSlab"]  # no floor slabs at all
    facts = derive_facts(model).whole
    assert "storeys" in facts.uncertain and facts.storeys_above_ground == 3
    rule = MaxStoreys(id="s", kind="max_storeys", limit=10, citation=Citation(source="x", article="1"))
    site = parcel_site(tmp_path, 5, 5, 5, 5)
    m = CHECKS["max_storeys"](rule, CheckContext(facts, site, tuple(model.elements), MeasurementProfile()))
    assert m.status.value == "REVIEW" and m.reason == "uncertain_fact"
