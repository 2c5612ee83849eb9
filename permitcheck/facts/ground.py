"""Ground level: the datum every height and "above ground" is measured from."""

from __future__ import annotations

from permitcheck.model.types import Storey


def ground_level(storeys: list[Storey], override: float | None) -> tuple[float, str]:
    """The ground elevation (model z, metres) and how it was chosen.

    By default the storey at project zero: the storey whose placement is nearest z = 0.
    """
    if override is not None:
        return float(override), "given with --ground-level"
    if not storeys:
        return 0.0, "project zero (the model has no storeys)"
    nearest = min(storeys, key=lambda s: abs(s.elevation_m))
    return nearest.elevation_m, f"storey '{nearest.name}' at {nearest.elevation_m:.3f} m, the one nearest project zero"
