"""Site files: placement into model coordinates, edge labels, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, SAMPLES, inspected
from permitcheck.site import SiteError, load_site

SITES = ROOT / "samples" / "sites"
ANCHOR = (220000.0, 560000.0)


def labels(site) -> dict[str, set]:
    """Edge labels keyed by which side of the parcel the edge is on (model axes)."""
    out = {}
    c = np.array(site.parcel.centroid.coords[0])
    for e in site.edges:
        mid = np.array(e.line.interpolate(0.5, normalized=True).coords[0]) - c
        side = ("E" if mid[0] > 0 else "W") if abs(mid[0]) > abs(mid[1]) else ("N" if mid[1] > 0 else "S")
        out[side] = set(e.labels)
    return out


def test_edges_are_labelled_front_rear_side_north():
    site = load_site(SITES / "box_ok.geojson", None, anchor=ANCHOR)
    got = labels(site)
    assert got["S"] == {"front", "road"}
    assert got["N"] == {"rear", "north"}
    assert got["E"] == {"side"} and got["W"] == {"side"}
    assert site.parcel.area == pytest.approx(810.0)
    assert site.zone_codes == ("KR-R2G",)


def test_rotated_georeferenced_model_sees_the_parcel_in_its_own_axes():
    geo = inspected(str(SAMPLES / "geo_rotated_m.ifc")).model.georeference
    site = load_site(SITES / "geo_ok_5186.geojson", geo)
    assert np.allclose(site.parcel.bounds, (-5, -10, 25, 17), atol=1e-3)
    assert labels(site)["N"] == {"rear", "north"}  # model +Y is 30° from grid north: still the north edge
    assert site.north == pytest.approx([np.sin(np.radians(30)), np.cos(np.radians(30))], abs=1e-9)


def test_lonlat_site_is_transformed():
    geo = inspected(str(SAMPLES / "geo_rotated_m.ifc")).model.georeference
    site = load_site(SITES / "geo_ok_lonlat.geojson", geo)
    assert site.crs == "EPSG:4326"
    assert np.allclose(site.parcel.bounds, (-5, -10, 25, 17), atol=0.01)


def test_boundary_feature_overrides_labels(tmp_path):
    fc = json.loads((SITES / "box_ok.geojson").read_text())
    e, n = ANCHOR
    fc["features"].append({"type": "Feature", "properties": {"role": "boundary", "kind": "lane"},
                           "geometry": {"type": "LineString", "coordinates": [[e + 25, n - 10], [e + 25, n + 17]]}})
    p = tmp_path / "s.geojson"
    p.write_text(json.dumps(fc))
    site = load_site(p, None, anchor=ANCHOR)
    assert labels(site)["E"] == {"lane"}
    assert [x.source for x in site.edges].count("boundary feature") == 1


def _check(*args):
    return subprocess.run([sys.executable, "-m", "permitcheck", "check", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args,needle", [
    ((SAMPLES / "geo_rotated_m.ifc", "--site", SITES / "crs_mismatch.geojson"), "look like longitude/latitude"),
    ((SAMPLES / "box_m.ifc", "--site", SITES / "box_ok.geojson", "--anchor", "320000,560000"), "km from the building"),
    ((SAMPLES / "box_m.ifc", "--site", SITES / "box_ok.geojson"), "not georeferenced"),
    ((SAMPLES / "box_m.ifc", "--site", SITES / "geo_ok_lonlat.geojson", "--anchor", "1,2"), "projected CRS"),
    ((SAMPLES / "box_m.ifc", "--site", SITES / "box_ok.geojson", "--anchor", "x"), "expected E,N"),
    ((SAMPLES / "box_m.ifc", "--site", SITES / "box_ok.geojson", "--anchor", "220000,560000", "--zone", "R9"),
     "zone 'R9' is not in rulebook"),
])
def test_bad_placement_is_one_line_exit_2(args, needle):
    proc = _check(*args, "--rules", ROOT / "rules" / "kr" / "national.yaml")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and needle in proc.stderr


@pytest.mark.parametrize("content,needle", [
    ("not json", "not valid JSON"),
    ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
    ('{"type": "FeatureCollection", "features": []}', "exactly one feature with role 'parcel'"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"role": "lot"}, '
     '"geometry": null}]}', "role 'lot'"),
])
def test_bad_site_files(tmp_path, content, needle):
    p = tmp_path / "site.geojson"
    p.write_text(content)
    with pytest.raises(SiteError, match=needle):
        load_site(p, None, anchor=ANCHOR, site_crs="EPSG:5186")
