"""A parcel that lies in two zones is checked in the zone of its larger part, and every PASS and
FAIL is REVIEW with both zones and their shares: the law may hold each part to its own zone."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from permitcheck.checking import check_model

MODEL = ROOT / "samples/buildings/podium_tower.ifc"
RULES = ROOT / "rules/kr/national.yaml"
ANCHOR = (220000.0, 560000.0)


def _site(tmp_path, split_y: float):
    """podium_ok's parcel (y 559985-560042) with 제2종일반주거지역 south of `split_y` and
    일반상업지역 north of it."""
    d = json.loads((ROOT / "samples/sites/podium_ok.geojson").read_text())
    feats = [f for f in d["features"] if f["properties"]["role"] != "zone"]
    for code, (y0, y1) in (("KR-R2G", (559935.0, split_y)), ("KR-CG", (split_y, 560092.0))):
        ring = [[219940.0, y0], [220100.0, y0], [220100.0, y1], [219940.0, y1], [219940.0, y0]]
        feats.append({"type": "Feature", "properties": {"role": "zone", "zone": code},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    d["features"] = feats
    path = tmp_path / f"split_{split_y}.geojson"
    path.write_text(json.dumps(d))
    return path


def test_a_split_parcel_is_review_with_both_zones(tmp_path):
    result = check_model(MODEL, _site(tmp_path, 560025.0), RULES, anchor=ANCHOR, sections=False)
    assert result.zone == "KR-R2G"  # 40 of its 57 m lie in it
    decided = [f for f in result.findings if f.status.value not in ("NOT_APPLICABLE", "UNKNOWN")
               and f.kind != "readiness"]  # the pre-flight's findings are about the model, in any zone
    assert decided and all(f.status.value == "REVIEW" for f in decided)
    data = {f["rule"]: f for f in result.to_dict()["findings"]}
    assert data["coverage"]["reason"] == "zone_split"
    assert data["coverage"]["details"]["zone_split"] == [["KR-R2G", pytest.approx(40 / 57, abs=1e-3)],
                                                         ["KR-CG", pytest.approx(17 / 57, abs=1e-3)]]
    assert data["coverage"]["details"]["status_in_zone"] == "PASS"
    assert result.verdict.value == "REVIEW"


def test_the_officer_decides_the_zone_with_zone(tmp_path):
    chosen = check_model(MODEL, _site(tmp_path, 560025.0), RULES, anchor=ANCHOR, zone="KR-R2G", sections=False)
    data = {f["rule"]: f for f in chosen.to_dict()["findings"]}
    assert not any(f["reason"] == "zone_split" for f in data.values())
    assert data["coverage"]["status"] == "PASS"
    # the commercial zone north of the lot is land across its north line: no north daylight rule
    assert data["north-daylight"]["status"] == "NOT_APPLICABLE"


def test_a_sliver_of_another_zone_is_no_split(tmp_path):
    sliver = check_model(MODEL, _site(tmp_path, 560041.5), RULES, anchor=ANCHOR, sections=False)  # 0.5 m of 57
    assert not any(f["reason"] == "zone_split" for f in sliver.to_dict()["findings"])


def test_the_report_says_it_in_words(tmp_path):
    from permitcheck.reports.reasons import sentence
    from permitcheck.reports.text import number

    data = check_model(MODEL, _site(tmp_path, 560025.0), RULES, anchor=ANCHOR, sections=False).to_dict()
    text = sentence({f["rule"]: f for f in data["findings"]}["coverage"], number)
    assert "KR-R2G (70 %) and KR-CG (30 %)" in text and "passes" in text and "--zone" in text
