"""Shared fixtures: the sample buildings (known by construction) and the real models in ../shared/ifc."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "buildings"
SHARED_IFC = ROOT.parent / "shared" / "ifc"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text())


@functools.lru_cache(maxsize=None)
def inspected(path: str, ground_level_m: float | None = None):
    """Inspect once per test session: several tests read the same model."""
    from permitcheck import inspect_model

    return inspect_model(path, ground_level_m=ground_level_m)


@pytest.fixture
def real_model():
    def get(name: str) -> Path:
        path = SHARED_IFC / name
        if not path.exists():
            pytest.skip(f"real model {name} not found: ../shared/ifc is absent beside the project")
        return path

    return get


def copy_rulebook(src: Path, dst: Path) -> Path:
    """Copy a shipped rulebook and the IDS files its `readiness` names (they must lie beside it)."""
    import shutil

    import yaml

    shutil.copy(src, dst)
    for entry in (yaml.safe_load(Path(src).read_text(encoding="utf-8")) or {}).get("readiness") or ():
        shutil.copy(Path(src).parent / entry["ids"], Path(dst).parent / entry["ids"])
    return dst


@pytest.fixture(scope="session")
def north_fail() -> dict:
    """The podium sample on its north-fail site, checked once: two FAIL rules (north-daylight, -3d), the
    rest PASS or N/A (tests/test_review*.py decide on it, reply to it and diff it). Tests copy before
    they change it."""
    from permitcheck.checking import check_model

    return check_model(SAMPLES / "podium_tower.ifc", ROOT / "samples" / "sites" / "podium_north.geojson",
                       ROOT / "rules" / "kr" / "national.yaml", anchor=(220000, 560000)).to_dict()
