"""plane and envelope on the real models of ../shared/ifc: open meshes, thousands of elements.

The parcel is the footprint's bounding box grown by 5 m, so every element lies in the strip of
every edge. Then the depth over a plane h = s d (d: distance to the nearest edge) is known without
clipping: the largest z - s d over the raw vertices above ground. The clipped answer must match it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import inspected
from permitcheck.checks import CHECKS, CheckContext
from permitcheck.rulebook.schema import Envelope, MeasurementProfile, Plane
from permitcheck.site import load_site
from test_real_models import MANIFEST

ANCHOR = (500000.0, 400000.0)
CITE = {"source": "x", "article": "1"}


def _site(tmp_path, footprint, margin=5.0):
    x0, y0, x1, y1 = footprint.buffer(margin).bounds
    ring = [[ANCHOR[0] + x, ANCHOR[1] + y] for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
    p = tmp_path / "site.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:5186"}},
                             "features": [{"type": "Feature", "properties": {"role": "parcel", "id": "P"},
                                           "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    return load_site(p, None, anchor=ANCHOR), (x0, y0, x1, y1)


def _brute_depth(meshes, ground, box, slope):
    x0, y0, x1, y1 = box
    v = np.concatenate([m.vertices for m in meshes if len(m.faces)])
    v = v[v[:, 2] > ground]
    d = np.min(np.stack([v[:, 0] - x0, x1 - v[:, 0], v[:, 1] - y0, y1 - v[:, 1]]), axis=0)
    return float(np.max(v[:, 2] - ground - slope * d))


@pytest.mark.real
@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_plane_depth_matches_brute_force_on_real_models(name, real_model, tmp_path):
    ins = inspected(str(real_model(name)))
    f = ins.facts.whole
    site, box = _site(tmp_path, f.footprint)
    ctx = CheckContext(f, site, tuple(ins.model.elements), MeasurementProfile())
    slope = max(f.height_m, 1.0) / 3.0  # steep enough that the tallest parts break through near the edges
    m = CHECKS["plane"](Plane.model_validate({"id": "p", "kind": "plane", "from": "any", "slope": slope,
                                              "citation": CITE}), ctx)
    expected = _brute_depth(ins.model.elements, f.ground_elevation_m, box, slope)
    assert m.details["depth_m"] == pytest.approx(expected, abs=1e-3)
    assert m.status.value == ("FAIL" if expected / slope > 0.05 else m.status.value)
    volume = m.details["volume_outside_m3"]
    assert volume >= 0
    if expected > 0.05:
        assert m.global_ids and m.where is not None


@pytest.mark.real
@pytest.mark.parametrize("name", ["01_AC20-FZK-Haus.ifc", "05_Janesville_Restaurant_Revit2012_feet.ifc",
                                  "11_Tekla_Carwash_MiniProject.ifc"])
def test_envelope_on_real_models(name, real_model, tmp_path):
    ins = inspected(str(real_model(name)))
    f = ins.facts.whole
    site, _ = _site(tmp_path, f.footprint)
    gentle = Plane.model_validate({"id": "p", "kind": "plane", "from": "any", "slope": f.height_m / 4.0,
                                   "citation": CITE})  # over 5 m the plane rises past the roof: fits
    env = Envelope.model_validate({"id": "e", "kind": "envelope", "citation": CITE})
    ctx = CheckContext(f, site, tuple(ins.model.elements), MeasurementProfile(), (gentle, env))
    fits = CHECKS["envelope"](env, ctx)
    assert fits.status.value == "PASS" and fits.measured == 0.0
    low = Envelope.model_validate({"id": "e", "kind": "envelope", "citation": CITE, "height": "2 m"})
    ctx = CheckContext(f, site, tuple(ins.model.elements), MeasurementProfile(), (gentle, low))
    capped = CHECKS["envelope"](low, ctx)
    assert capped.status.value == "FAIL" and capped.details["depth_m"] == pytest.approx(f.height_m - 2.0, abs=1e-3)
    assert capped.measured > 0 and capped.details["view3d"]["building"]
