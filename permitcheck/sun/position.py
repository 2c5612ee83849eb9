"""The sun where the law puts it, not where an ephemeris does.

Japan's shadow rule (建築基準法 §56-2) and Korea's sunlight tests are read on the winter solstice
in true solar time: the sun's declination is the solstice's, −23°27′ by the convention of the
shadow diagrams (日影図), and the hour angle is 15° an hour from true noon. Only the site's
latitude varies. A rulebook that reads clock time gives the longitude and the time zone's
meridian (and, if it wants it, the equation of time on the day): `solar_hour` turns its clock
hours into true solar hours.

Azimuths are degrees clockwise from true north; `vector` points at the sun in (east, north, up).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SOLSTICE_DECLINATION_DEG = -(23.0 + 27.0 / 60.0)  # −23°27′: the winter solstice as shadow diagrams take it


@dataclass(frozen=True)
class SunPosition:
    hour: float  # true solar time, hours (12.0 = true noon)
    altitude_deg: float
    azimuth_deg: float  # clockwise from true north
    vector: tuple[float, float, float]  # unit, towards the sun: (east, north, up)

    @property
    def shadow_ratio(self) -> float:
        """The length of the shadow of a 1 m pole on level ground (inf when the sun is down)."""
        up = self.vector[2]
        return math.hypot(self.vector[0], self.vector[1]) / up if up > 0 else math.inf


def sun_at(latitude_deg: float, hour: float, declination_deg: float = SOLSTICE_DECLINATION_DEG) -> SunPosition:
    """The sun at `hour` true solar time, at a latitude, with the declination (the solstice's)."""
    phi, delta = math.radians(latitude_deg), math.radians(declination_deg)
    omega = math.radians(15.0 * (hour - 12.0))  # hour angle: negative in the morning
    east = -math.cos(delta) * math.sin(omega)
    north = math.sin(delta) * math.cos(phi) - math.cos(delta) * math.cos(omega) * math.sin(phi)
    up = math.sin(delta) * math.sin(phi) + math.cos(delta) * math.cos(omega) * math.cos(phi)
    altitude = math.degrees(math.asin(max(-1.0, min(1.0, up))))
    azimuth = math.degrees(math.atan2(east, north)) % 360.0
    return SunPosition(hour, altitude, azimuth, (east, north, up))


def solar_hour(clock_hour: float, longitude_deg: float, zone_meridian_deg: float,
               equation_of_time_min: float = 0.0) -> float:
    """True solar time of a clock hour: 4 minutes a degree east of the zone's meridian, plus the
    equation of time (apparent minus mean solar time) when the rulebook gives it."""
    return clock_hour + (longitude_deg - zone_meridian_deg) / 15.0 + equation_of_time_min / 60.0


def sun_path(latitude_deg: float, start: float, end: float, step_min: float,
             declination_deg: float = SOLSTICE_DECLINATION_DEG) -> list[SunPosition]:
    """The sun every `step_min` minutes from `start` to `end` (true solar hours), each step standing
    for the minutes round it (a step at each end stands for half): above the horizon only."""
    if not (step_min > 0 and end > start):
        raise ValueError("a sun path needs end after start and a positive step")
    n = max(1, round((end - start) * 60.0 / step_min))
    hours = [start + (end - start) * i / n for i in range(n + 1)]
    return [p for p in (sun_at(latitude_deg, h, declination_deg) for h in hours) if p.vector[2] > 0]


def step_weights(path: list[SunPosition], start: float, end: float) -> list[float]:
    """Hours each position stands for: the trapezoid rule over the window, so a point shaded all
    day gets exactly end − start."""
    if not path:
        return []
    if len(path) == 1:
        return [end - start]
    dt = (path[-1].hour - path[0].hour) / (len(path) - 1)
    return [dt / 2 if i in (0, len(path) - 1) else dt for i in range(len(path))]
