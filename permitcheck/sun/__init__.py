"""Sun and shadow beside the checks: the sun where the law puts it, and the shadow a building
casts on a horizontal plane hour by hour."""

from permitcheck.sun.position import SOLSTICE_DECLINATION_DEG, SunPosition, solar_hour, sun_at, sun_path

__all__ = ["SOLSTICE_DECLINATION_DEG", "SunPosition", "solar_hour", "sun_at", "sun_path"]
