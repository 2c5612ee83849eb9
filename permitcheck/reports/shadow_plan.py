"""The shadow drawings of a `shadow_hours` finding: the equal-time shadow lines and the 5 m and 10 m
band lines on the site plan (the 日影図), and a row of small plans with the shadow each whole hour.
They read the finding's `details.drawing` (model coordinates) only."""

from __future__ import annotations

from html import escape

from permitcheck.reports.svg import Frame, bounds_of, path, text

SVG_CSS = """
svg .hourline{fill:none;stroke:#6a3d9a;stroke-width:1.2}svg .hourline.over{stroke:#b3261e;stroke-width:2}
svg .bandline{fill:none;stroke:#6a3d9a;stroke-dasharray:2 4;stroke-width:1}
svg .hourlabel{font-size:10px;fill:#6a3d9a;font-weight:600}svg .shade{fill:#5b657099;stroke:#3e4650;stroke-width:.8}
svg .small-parcel{fill:#fff;stroke:#1d232b;stroke-width:1}svg .small-footprint{fill:#8fa3b8;stroke:#3e5266}
svg .small-label{font-size:12px;fill:#1d232b;font-weight:600}
"""


def drawings(result: dict) -> list[tuple[dict, dict]]:
    """(finding, drawing) of each shadow finding that carries one."""
    return [(f, f["details"]["drawing"]) for f in result["findings"]
            if f.get("kind") == "shadow_hours" and isinstance((f.get("details") or {}).get("drawing"), dict)]


def extent(result: dict) -> list[dict]:
    """What the site plan must show of them: the longest line's region and the band lines."""
    out = []
    for _, d in drawings(result):
        lines = d.get("lines_model") or []
        if lines:
            out.append(lines[0]["geometry"])
    return out


def site_layers(result: dict, frame: Frame) -> list[str]:
    """The hour lines (the ones over a band's limit in red) and the band lines, labelled."""
    out = []
    for f, d in drawings(result):
        bands = (f["details"].get("bands") or {})
        near, far = (bands.get("near") or {}).get("limit_h"), (bands.get("far") or {}).get("limit_h")
        out.append(path(d.get("near_line_model"), frame, "bandline", closed=False))
        out.append(path(d.get("far_line_model"), frame, "bandline", closed=False))
        for line in d.get("lines_model") or []:
            h = line["hours"]
            over = any(lim is not None and h > lim for lim in (near, far))
            out.append(path(line["geometry"], frame, "hourline over" if over else "hourline"))
            label = _label_point(line["geometry"])
            if label is not None:
                out.append(text(*frame.xy(*label), f"{h:g} h", "hourlabel", halo=True))
    return out


def _label_point(geom: dict):
    """The northernmost vertex of a line's region: where the lines fan out, readable."""
    best = None
    for ring in _coords(geom):
        for x, y in ring:
            if best is None or y > best[1]:
                best = (x, y)
    return best


def _coords(geom: dict):
    t, c = geom.get("type"), geom.get("coordinates") or []
    if t == "Polygon":
        yield from c
    elif t == "MultiPolygon":
        for poly in c:
            yield from poly


def hourly_section(result: dict, svg) -> str:
    """A row of small plans: the parcel, the footprint and the shadow at each whole hour."""
    parts = []
    site, facts = result["site"], result["facts"]
    for f, d in drawings(result):
        hourly = d.get("hourly_model") or []
        if not hourly:
            continue
        b = bounds_of([site["parcel_model"], facts["footprint_model"]] + [h["geometry"] for h in hourly])
        pad = max(b[2] - b[0], b[3] - b[1]) * 0.05
        frame = Frame.fit((b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad), 220, 220, pad=10)
        cells = []
        for h in hourly:
            body = (path(h["geometry"], frame, "shade") + path(site["parcel_model"], frame, "small-parcel")
                    + path(facts["footprint_model"], frame, "small-footprint")
                    + text(frame.width / 2, 14, f"{h['hour']}:00", "small-label"))
            hour = h["hour"]
            drawing = svg(frame.width, frame.height, f"shadow at {hour}:00", f"h{hour}", body)
            cells.append(f"<figure class=hourly>{drawing}</figure>")
        parts.append(f"<h3>{escape(f['title'])}</h3><div class=hourly-row>{''.join(cells)}</div>"
                     f"<p class=muted>The building's shadow on the plane {f['details'].get('plane_height_m', 0):g} m above "
                     f"{_ground_words(f['details'])} at each whole hour, true solar time, on the winter solstice.</p>")
    return f"<section id=shadow><h2>Shadow through the day</h2>{''.join(parts)}</section>" if parts else ""


def _ground_words(details: dict) -> str:
    basis = details.get("mean_ground_basis")
    if basis == "terrain":
        return "the mean ground level where the building meets the terrain (平均地盤面)"
    if basis == "level":
        return "the mean ground level (平均地盤面; the model has no terrain, so its ground level)"
    return "the model's ground level"
