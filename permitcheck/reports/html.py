"""One self-contained HTML report a permit officer can read and sign.

No network: inline CSS and inline SVG only. Every string from a model, site or rulebook goes
through `html.escape` — element names can be hostile (`<script>alert(1)</script>` shows as text).
The drawings read only the result dict: the site plan in model coordinates (parcel, labelled
edges, roads, setback zones, footprint, failing parts in red with their dimension, north arrow,
scale bar) and one section per height-related rule (ground, building silhouette, height limit,
setback envelope).
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

from permitcheck.reports.alternatives import walk
from permitcheck.reports.svg import Frame, bounds_of, nice_length, path, text
from permitcheck.reports import decisions, shadow_plan
from permitcheck.reports.text import explain, massing_sentence, number
from permitcheck.reports.verdict import limit_text, reader_citation, verdict_line
from permitcheck.reports.view3d import render as render_view3d

STATUS_CLASS = {"PASS": "pass", "FAIL": "fail", "REVIEW": "review", "UNKNOWN": "unknown",
                "NOT_APPLICABLE": "na", "ERROR": "error"}
PROBLEM = ("FAIL", "REVIEW", "UNKNOWN", "ERROR")

CSS = """
.hourly-row{display:flex;flex-wrap:wrap;gap:8px}figure.hourly{margin:0;width:220px}
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,"Noto Sans KR",sans-serif;margin:0;color:#1d232b;background:#f4f5f7}
main{max-width:1040px;margin:0 auto;padding:24px}
header.verdict{padding:18px 24px;border-radius:10px;color:#fff;margin-bottom:18px}
header.pass{background:#1f7a3a}header.fail{background:#b3261e}header.review,header.unknown,header.error{background:#9a6a00}
header h1{margin:0;font-size:30px;letter-spacing:.04em}header p{margin:4px 0 0}
section{background:#fff;border-radius:10px;padding:16px 20px;margin-bottom:16px;box-shadow:0 1px 2px #0001}
h2{margin:0 0 10px;font-size:19px}h3{margin:0 0 6px;font-size:16px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:13px;white-space:nowrap}
.badge.pass{background:#dcf2e2;color:#1f7a3a}.badge.fail{background:#fbe0de;color:#b3261e}
.badge.review,.badge.unknown,.badge.error{background:#fcefcf;color:#7a5300}.badge.na{background:#eceff3;color:#5b6570}
article{border-top:1px solid #e3e6ea;padding-top:12px;margin-top:12px}
article.nested{margin-left:1.6em}h4.alternative{margin:14px 0 0 0.8em;font-size:15px}
.muted{color:#5b6570;font-size:13px}code{font-size:12.5px}
svg{width:100%;height:auto;background:#fbfcfd;border:1px solid #e3e6ea;border-radius:6px}
@page{size:A4;margin:12mm 11mm 14mm;@bottom-right{content:"page " counter(page) " of " counter(pages);font:9px sans-serif;color:#5b6570}}
@media print{body{background:#fff;font-size:11px}main{max-width:none;padding:0}
section{box-shadow:none;border:1px solid #e3e6ea;padding:10px 12px}h2{font-size:15px}
header.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}
svg,tr{break-inside:avoid}h2,h3{break-after:avoid}th,td{padding:3px 5px}td{overflow-wrap:anywhere}
.muted,code{font-size:9.5px}h3{font-size:13px}.badge{font-size:10px;white-space:nowrap}}
"""


# Drawing styles live inside each <svg>, so a drawing keeps its colours wherever it is rendered
# (a browser, WeasyPrint's PDF, an SVG cut out of the page).
SVG_CSS = """
svg .parcel{fill:#fff;stroke:#1d232b;stroke-width:2}
svg .road{fill:#d9dde2;stroke:#aab1b9}svg .neighbour,svg .zone{fill:none;stroke:#aab1b9;stroke-dasharray:4 4}
svg .context{fill:#e9ecef;stroke:#aab1b9}
svg .setback{fill:#f3b23c33;stroke:#c98a12;stroke-dasharray:6 4}
svg .footprint{fill:#8fa3b8;stroke:#3e5266;stroke-width:1.5}
svg .violation{fill:#d93025cc;stroke:#8c1d18;stroke-width:1.5}
svg .dim{stroke:#b3261e;stroke-width:2}
svg .label{font-size:12px;fill:#1d232b}svg .edge{font-size:11px;fill:#3e5266;font-weight:600}
svg .dimlabel{font-size:12px;fill:#b3261e;font-weight:700}svg .halo{fill:#fff;stroke:#fff;stroke-width:3px}
svg .ground{stroke:#6b4f2a;stroke-width:2}svg .silhouette{fill:#8fa3b8;stroke:#3e5266}
svg .limit{stroke:#b3261e;stroke-width:2;stroke-dasharray:8 5}svg .nobuild{fill:#d9302522;stroke:#b3261e;stroke-width:1.5}
svg .axis{stroke:#5b6570}svg .grid{stroke:#e3e6ea}
svg .legal{fill:none;stroke:#1d4f91;stroke-width:1.5;stroke-dasharray:7 3}
svg .counted{fill:#1d4f9126;stroke:#1d4f91;stroke-width:1}
"""


def _svg(width: float, height: float, label: str, key: str, body: str) -> str:
    """An inline drawing with its own styles and dimension-tick marker (ids are per drawing)."""
    return (f'<svg viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_e(label)}">'
            f"<style>{SVG_CSS}{shadow_plan.SVG_CSS}</style>"
            f'<defs><marker id="tick-{key}" viewBox="-1 -5 2 10" markerWidth="2" markerHeight="10" orient="auto">'
            '<path d="M0,-5 L0,5" stroke="#b3261e" stroke-width="2"/></marker></defs>'
            f"{body}</svg>")


def _dim(a: tuple[float, float], b: tuple[float, float], key: str) -> str:
    """A red dimension line with ticks at both ends (the tick marker of drawing `key`)."""
    tick = f"url(#tick-{key})"
    return (f'<line class="dim" x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
            f'marker-start="{tick}" marker-end="{tick}"/>')


def _e(s) -> str:
    return escape("" if s is None else str(s), quote=True)


def _badge(status: str) -> str:
    return f'<span class="badge {STATUS_CLASS.get(status, "na")}">{_e(status)}</span>'


def _anchor(rule: str) -> str:
    return "rule-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in rule)


def _summary(result: dict) -> str:
    sources = result["rulebook"]["sources"]
    rows = []
    for f, depth, name in walk(result["findings"]):
        title = _e(f["title"])
        if f["kind"] == "alternative":
            role = f["details"]["role"]
            title = f"alternative: {title}" + (f" <strong>({role})</strong>" if role else "")
        elif f["status"] in PROBLEM:
            title = f'<a href="#{_anchor(name)}">{title}</a>'
        pad = f' style="padding-left:{0.4 + 1.2 * depth:.1f}em"' if depth else ""
        rows.append(
            f"<tr><td{pad}>{title}<div class=muted><code>{_e(name)}</code> · {_e(_SEVERITY.get(f['severity'], f['severity']))}</div></td>"
            f"<td>{_badge(f['status'])}</td><td class=num>{_e(number(f['measured'], f['unit']))}</td>"
            f"<td class=num>{_e(limit_text(f, number))}</td><td class=num>{_e(number(f['margin'], f['unit']))}</td>"
            f"<td>{_e(reader_citation(f, sources))}</td></tr>")
    return ("<section id=summary><h2>Rules</h2><table><thead><tr><th>rule</th><th>status</th><th>measured</th>"
            "<th>limit</th><th>margin</th><th>citation</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>")


_SEVERITY = {"error": "decides the verdict", "warning": "advice: does not decide the verdict"}


def _cover(result: dict) -> str:
    """Who and what this report is about, the rulebook's edition, and what an automated check is."""
    given = result.get("submission") or {}
    book, model = result["rulebook"], result["model"]
    rows = [(label, given.get(key) or "not given") for key, label in
            (("project", "project"), ("applicant", "applicant"), ("submission", "submission"),
             ("reviewer", "reviewer"))]
    rows += [("model", str(model["path"]).replace("\\", "/").rsplit("/", 1)[-1]),
             ("parcel and zone", f"{result['site']['parcel_id']}, zone {result['zone']}"),
             ("rulebook", f"{book['title']} — version {book['version']}, effective from {book['effective_from']}"),
             ("checked on", str(result.get("checked_at", ""))[:10])]
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    tol = book.get("tolerances") or {}
    tolerance = (f" A figure within {number(tol['length_m'], 'm')} of its limit (lengths and heights) or "
                 f"{tol['relative'] * 100:g} % of it (areas and ratios) is marked REVIEW: the measurement cannot "
                 "tell, and a person decides." if tol else "")
    return (f"<section id=cover><h2>Submission</h2><table>{body}</table><p>This is an automated check: permitcheck "
            f"measured the submitted model and checked it against the rulebook named above.{_e(tolerance)} Rules "
            "marked REVIEW or UNKNOWN, and any question the model cannot answer, are for the permit officer; the "
            "check does not replace the officer's decision.</p></section>")


def _north_arrow(frame: Frame, north: list[float]) -> str:
    cx, cy = frame.width - 34, 40
    ang = math.degrees(math.atan2(north[0], north[1]))  # clockwise from page up
    return (f'<g transform="translate({cx},{cy}) rotate({ang:.2f})"><path d="M0,-20 L7,10 L0,4 L-7,10 Z" fill="#1d232b"/>'
            f'<text class="label" x="0" y="24" text-anchor="middle" transform="rotate({-ang:.2f} 0 20)">N</text></g>')


def _scale_bar(frame: Frame) -> str:
    length = nice_length((frame.maxx - frame.minx) / 5)
    px = length * frame.scale
    x0, y0 = frame.pad, frame.height - 14
    return (f'<g><rect x="{x0}" y="{y0 - 6}" width="{px:.1f}" height="6" fill="#1d232b"/>'
            f'<rect x="{x0 + px / 2:.1f}" y="{y0 - 6}" width="{px / 2:.1f}" height="6" fill="#fff" stroke="#1d232b"/>'
            + text(x0 + px + 6, y0, f"{length:g} m", anchor="start") + "</g>")


def _neighbour_labels(features: list[dict], frame: Frame) -> list[str]:
    """Name and zone of each neighbour lot in view (what an exemption or a plane across it depends on),
    and the height of each context building."""
    from shapely.geometry import box, shape

    view = box(frame.minx, frame.miny, frame.maxx, frame.maxy)
    out = []
    for f in features:
        props = f.get("properties") or {}
        if f["role"] not in ("neighbour", "building") or f["geometry"]["type"] not in ("Polygon", "MultiPolygon"):
            continue
        seen = shape(f["geometry"]).intersection(view)
        if seen.is_empty:
            continue
        p = seen.point_on_surface()
        if f["role"] == "building":
            height = props.get("height")
            words = f"{number(height, 'm')}" if isinstance(height, (int, float)) else "building"
        else:
            words = " ".join(str(props[k]) for k in ("id", "zone") if props.get(k) is not None) or "neighbour"
        out.append(text(*frame.xy(p.x, p.y), words, "label"))
    return out


def site_plan(result: dict) -> str:
    site, facts = result["site"], result["facts"]
    parcel = site["parcel_model"]
    b = bounds_of([parcel, facts["footprint_model"]] + [f["where_model"] for f in result["findings"]
                  if f["status"] in ("FAIL", "REVIEW") and f.get("where_model")]  # a shadow falls off the lot
                  + [f["geometry"] for f in site["features_model"] if f["role"] == "building"]  # the context
                  + shadow_plan.extent(result))  # the longest shadow line
    pad_m = max(b[2] - b[0], b[3] - b[1]) * 0.12
    frame = Frame.fit((b[0] - pad_m, b[1] - pad_m, b[2] + pad_m, b[3] + pad_m), 900, 640)
    layers = ['<defs><clipPath id="view"><rect x="0" y="0" width="%.0f" height="%.0f"/></clipPath></defs>'
              % (frame.width, frame.height)]
    layers.append('<g clip-path="url(#view)">')
    for f in site["features_model"]:
        cls = {"road": "road", "neighbour": "neighbour", "building": "context", "zone": "zone"}.get(f["role"])
        if cls and f["geometry"]["type"] in ("Polygon", "MultiPolygon"):
            layers.append(path(f["geometry"], frame, cls))
        elif f["role"] == "road":
            layers.append(path(f["geometry"], frame, "road", closed=False))
    layers.append(path(parcel, frame, "parcel"))
    layers += _neighbour_labels(site["features_model"], frame)
    for f in result["findings"]:
        zone = (f.get("details") or {}).get("zone_model")
        if zone:
            layers.append(path(zone, frame, "setback"))
    layers.append(path(facts["footprint_model"], frame, "footprint"))
    legal = facts.get("legal") or {}
    if legal.get("profile") not in (None, "physical"):
        layers.append(path(legal.get("outline_model"), frame, "counted"))
        layers.append(path(legal.get("centre_line_model"), frame, "legal"))
    for f in result["findings"]:
        if f["status"] in ("FAIL", "REVIEW") and f.get("where_model"):
            layers.append(path(f["where_model"], frame, "violation"))
    layers += shadow_plan.site_layers(result, frame)
    layers.append("</g>")
    for e in site["edges"]:
        (x0, y0), (x1, y1) = e["line_model"]["coordinates"][:2]
        mx, my = frame.xy((x0 + x1) / 2, (y0 + y1) / 2)
        dx, dy = x1 - x0, y1 - y0
        n = math.hypot(dx, dy) or 1
        ox, oy = dy / n * 14, dx / n * 14  # outward in page coordinates (y down)
        layers.append(text(mx + ox, my + oy + 4, f"{e['index']}: {'/'.join(e['labels'])}", "edge"))
    for f in result["findings"]:
        d = f.get("details") or {}
        if f["status"] in ("FAIL", "REVIEW") and d.get("worst_point_model") and d.get("edge_point_model"):
            (ax, ay), (bx, by) = frame.xy(*d["worst_point_model"]), frame.xy(*d["edge_point_model"])
            layers.append(_dim((ax, ay), (bx, by), "plan"))
            layers.append(text((ax + bx) / 2 + 8, (ay + by) / 2,
                               f"{number(f['measured'], 'm')} < {number(f['limit'], 'm')}", "dimlabel", "start", halo=True))
    layers.append(_north_arrow(frame, site["north_model"]))
    layers.append(_scale_bar(frame))
    legal_note = ("; the building area as the law measures it (blue tint) and the outer walls' centre lines (blue, "
                  "dashed)") if legal.get("profile") not in (None, "physical") else ""
    legend = ('<p class=muted>Parcel (black), footprint to the outer faces (blue-grey), setback zones (amber, '
              f'dashed), parts that break a rule (red, with the measured distance and the one required; for a shadow rule, the area over its limit){legal_note}; '
              'neighbour lots (grey, dashed) with their id and zone; context buildings with their heights; for a shadow rule, the equal-time shadow lines (purple, red past a limit, labelled in hours) and the 5 m and 10 m lines (dotted). Edge labels: index: kinds. '
              f'Drawn in model coordinates; north arrow = grid north of {_e(result["provenance"].get("crs"))}.</p>')
    return (f'<section id=plan><h2>Site plan</h2>{_svg(frame.width, frame.height, "site plan", "plan", "".join(layers))}'
            f"{legend}</section>")


def _envelope(pieces: list, top: float) -> list[tuple[float, float]]:
    """(distance, height) points of the required-distance line up to `top`."""
    pts = []
    for lo, hi, a, b in pieces:
        hi = top if hi is None else min(hi, top)
        if lo >= top:
            continue
        pts += [(a * lo + b, lo), (a * hi + b, hi)]
    return pts


def section(result: dict, finding: dict) -> str:
    d = finding.get("details") or {}
    sec = d.get("section")
    if not sec:
        return ""
    sil = sec["silhouette"]
    b = bounds_of([sil]) or (0, 0, 10, 10)
    height = max(b[3], finding["limit"] or 0 if finding["kind"] == "max_height" else b[3])
    top = height * 1.15 + 1
    nobuild = sec.get("nobuild") or []
    if nobuild:
        top = max(top, max(h for _, h in nobuild))
    env = _envelope(d.get("pieces") or [], top) if finding["kind"] == "min_setback" else []
    far = max([b[2]] + [p[0] for p in env] + [p[0] for p in nobuild[:-1]]) + 2
    near = min(0.0, b[0]) - 2
    frame = Frame.fit((near, -1.0, far, top), 900, 420)
    if frame.scale * (far - near) < frame.width - 2 * frame.pad:  # a tall section: show more ground
        far = near + (frame.width - 2 * frame.pad) / frame.scale
        frame = Frame.fit((near, -1.0, far, top), 900, 420)
    out = []
    # grid lines every nice step
    step = nice_length(top / 5)
    h = 0.0
    while h <= top:
        x0, y = frame.xy(frame.minx, h)
        x1, _ = frame.xy(frame.maxx, h)
        out.append(f'<line class="grid" x1="{x0:.1f}" y1="{y:.1f}" x2="{x1:.1f}" y2="{y:.1f}"/>')
        out.append(text(x0 - 4, y + 4, f"{h:g} m", anchor="end"))
        h += step
    if env:  # from the boundary inwards: beyond it is the neighbour's land, not this rule's
        poly = [(0.0, 0.0)] + [(min(p[0], far), p[1]) for p in env] + [(0.0, env[-1][1])]
        pts = " ".join("%.1f,%.1f" % frame.xy(x, y) for x, y in poly)
        out.append(f'<polygon class="nobuild" points="{pts}"/>')
    if nobuild:
        pts = " ".join("%.1f,%.1f" % frame.xy(min(x, far), min(y, top)) for x, y in nobuild)
        out.append(f'<polygon class="nobuild" points="{pts}"/>')
    out.append(path(sil, frame, "silhouette"))
    if nobuild:  # the plane's edge again, over the building, so a part through it shows
        line = " ".join("%.1f,%.1f" % frame.xy(min(x, far), min(y, top)) for x, y in nobuild[1:-1])
        out.append(f'<polyline class="limit" fill="none" points="{line}"/>')
    gx0, gy = frame.xy(frame.minx, 0)
    gx1, _ = frame.xy(frame.maxx, 0)
    out.append(f'<line class="ground" x1="{gx0:.1f}" y1="{gy:.1f}" x2="{gx1:.1f}" y2="{gy:.1f}"/>')
    out += _distance_axis(frame, far, gy)
    ex, ey0 = frame.xy(0, 0)
    _, ey1 = frame.xy(0, top)
    out.append(f'<line class="axis" x1="{ex:.1f}" y1="{ey0:.1f}" x2="{ex:.1f}" y2="{ey1:.1f}"/>')
    edge = next((e for e in result["site"]["edges"] if e["index"] == sec["edge"]), None)
    label = f"edge {sec['edge']}" + (f" ({'/'.join(edge['labels'])})" if edge else "")
    out.append(text(ex + 4, ey1 + 14, f"boundary: {label}", anchor="start"))
    if finding["kind"] == "max_height" and finding["limit"] is not None:
        lx0, ly = frame.xy(frame.minx, finding["limit"])
        lx1, _ = frame.xy(frame.maxx, finding["limit"])
        out.append(f'<line class="limit" x1="{lx0:.1f}" y1="{ly:.1f}" x2="{lx1:.1f}" y2="{ly:.1f}"/>')
        out.append(text(lx1 - 4, ly - 6, f"height limit {number(finding['limit'], 'm')}", "dimlabel", "end", halo=True))
    if finding["kind"] in ("min_setback", "plane") and d.get("height_of_worst_part_m") is not None \
            and finding["measured"] is not None:
        h = d["height_of_worst_part_m"]
        (ax, ay), (bx, by) = frame.xy(0, h), frame.xy(finding["measured"], h)
        if finding["status"] in ("FAIL", "REVIEW"):
            out.append(_dim((ax, ay), (bx, by), _anchor(finding["rule"])))
            out.append(text(bx + 6, by - 6, f"{number(finding['measured'], 'm')} at {h:.2f} m; "
                            f"{number(finding['limit'], 'm')} required", "dimlabel", "start", halo=True))
    return (_svg(frame.width, frame.height, "section", _anchor(finding["rule"]), "".join(out))
            + f"<p class=muted>{_e(_section_caption(finding, label, d, bool(nobuild), bool(env)))}</p>")


def _distance_axis(frame: Frame, far: float, ground_y: float) -> list[str]:
    """Ticks and labels under the ground line: the distance from the boundary, 0 at the boundary."""
    step = nice_length(far / 6)
    out, x = [], 0.0
    while x <= far + 1e-9:
        px, _ = frame.xy(x, 0)
        out.append(f'<line class="axis" x1="{px:.1f}" y1="{ground_y:.1f}" x2="{px:.1f}" y2="{ground_y + 5:.1f}"/>')
        out.append(text(px, ground_y + 17, f"{x:g} m"))
        x += step
    right, _ = frame.xy(far, 0)
    out.append(text(right, ground_y + 32, "distance from the boundary →", anchor="end"))
    return out


def _section_caption(finding: dict, boundary: str, d: dict, plane: bool, band: bool) -> str:
    """What the drawing shows, in the order it is drawn: each sentence names something on it."""
    measure = (d.get("measure") or "perpendicular").replace("_", " ")
    if plane:
        head = (f"Section across {boundary}, distance measured {measure}: the horizontal axis is the distance "
                "from the boundary (0 at the thin vertical line), the vertical axis the height above ground. "
                "The red area is where the plane and its clearance allow nothing; the dashed red line is the "
                "plane's edge.")
    elif band:
        head = (f"Section across {boundary}: the horizontal axis is the distance from the boundary (0 at the thin "
                "vertical line), the vertical axis the height above ground. The red area is where the rule allows "
                "nothing, stepping out with the height of each part.")
    else:
        head = (f"Elevation against {boundary}: the horizontal axis is the distance from it, the vertical axis the "
                "height above ground.")
    parts = [head, "The building's silhouette is blue-grey."]
    if finding["kind"] == "max_height" and finding.get("limit") is not None:
        parts.append(f"The dashed red line is the height limit, {number(finding['limit'], 'm')}.")
    if finding["kind"] in ("min_setback", "plane") and finding["status"] in ("FAIL", "REVIEW") \
            and d.get("height_of_worst_part_m") is not None and finding.get("measured") is not None:
        parts.append(f"The red dimension is the distance of the part at {d['height_of_worst_part_m']:.2f} m from the "
                     f"boundary, {number(finding['measured'], 'm')}, against the {number(finding['limit'], 'm')} "
                     "required.")
    return " ".join(parts)


def _view3d(finding: dict) -> str:
    view = (finding.get("details") or {}).get("view3d")
    svg = render_view3d(view) if view else ""
    if not svg:
        return ""
    comps = [c for c in (finding["details"].get("components") or []) if c.get("status") != "PASS"]
    past = ", ".join(f"{c['rule'] or 'parcel'} ({c['part']}{'' if c.get('edge') is None else ', edge ' + str(c['edge'])})"
                     for c in comps)
    return (f"{svg}<p class=muted>The buildable envelope (amber, translucent: the parcel cut by "
            f"{_e(', '.join(finding['details'].get('rules') or [finding['rule']]))}) and the building (grey-blue), "
            "seen from the model's south-west, 30° above the horizon; the part of the building outside the "
            f"envelope is red{_e(': past ' + past) if past else ''}.</p>")


def _details(result: dict) -> str:
    sources, elements = result["rulebook"]["sources"], result.get("elements", {})
    parts = []
    for f, depth, name in walk(result["findings"]):
        if f["kind"] == "alternative":
            role = f["details"]["role"]
            when = (f["details"].get("when") or {}).get("condition")
            parts.append(f'<h4 class=alternative id="{_anchor(name)}">{_badge(f["status"])} alternative: {_e(f["title"])}'
                         + (f" ({_e(role)})" if role else "") + "</h4>"
                         + (f"<p class=muted>open when {_e(when)}</p>" if when else ""))
            continue
        src = sources.get((f["citation"] or {}).get("source"), {})
        cite = _e(reader_citation(f, sources))
        if src.get("url"):
            cite = f'<a href="{_e(src["url"])}" rel="noreferrer">{cite}</a>'
        rows = "".join(f"<tr><td>{_e(elements.get(g, {}).get('ifc_class'))}</td>"
                       f"<td>{_e(elements.get(g, {}).get('name'))}</td><td><code>{_e(g)}</code></td></tr>"
                       for g in f["global_ids"])
        table = (f"<details{' open' if len(f['global_ids']) <= 8 else ''}><summary>{len(f['global_ids'])} "
                 f"element(s) involved</summary><table><thead><tr><th>class</th><th>name</th><th>GlobalId</th></tr>"
                 f"</thead><tbody>{rows}</tbody></table></details>") if rows else ""
        note = ""  # the citation's note is the rulebook author's (sources read, project files): kept in the JSON
        d = f.get("details") or {}
        if d.get("profile"):
            note += (f"<p class=muted>Measured as {_e(d['profile'])} defines it: {_e(number(d.get('legal'), _unit_of(f)))}"
                     f" (as built {_e(number(d.get('physical'), _unit_of(f)))}); the steps are under "
                     "<a href=\"#legal\">Measured as the law defines it</a>.</p>")
        parts.append(
            f'<article id="{_anchor(name)}"{" class=nested" if depth else ""}><h3>{_badge(f["status"])} {_e(f["title"])}</h3>'
            f"<p>{_e(explain(f))}.</p><p class=muted>{cite}</p>{note}"
            f"{section(result, f)}{_view3d(f)}{table}</article>")
    return "<section id=findings><h2>Each rule</h2>" + "".join(parts) + "</section>"


_LEGAL_FACTS = (("building_area_m2", "building area", "footprint_area_m2", "m2"),
                ("floor_area_m2", "floor area (floor area ratio)", "gross_floor_area_m2", "m2"),
                ("height_m", "height", "height_m", "m"),
                ("storeys_above_ground", "storeys above ground", "storeys_above_ground", "storeys"))


def legal_section(result: dict) -> str:
    """The facts as the rulebook's measurement profile defines them, step by step with each clause."""
    facts = result["facts"]
    legal = facts.get("legal")
    if not legal or legal.get("profile") == "physical":
        return ""
    rows = "".join(
        f"<tr><th>{label}</th><td class=num>{_e(number(facts.get(phys), unit))}</td>"
        f"<td class=num>{_e(number(legal.get(key), unit))}</td></tr>" for key, label, phys, unit in _LEGAL_FACTS)
    steps = "".join(
        f"<tr><td>{_e(dict((k, lab) for k, lab, _, _ in _LEGAL_FACTS).get(a['fact'], a['fact']))}</td>"
        f"<td>{_e(a['what'])}</td><td class=num>{_e(_delta(a))}</td><td>{_e(a['clause'])}"
        f"<span class=muted> · in force {_e(a['source']['effective'])}</span></td></tr>"
        for a in legal["adjustments"])
    doubts = "".join(f"<li>{_e(u['reason'])}</li>" for u in legal["uncertain"])
    return (f"<section id=legal><h2>Measured as the law defines it</h2><p>{_e(legal['title'])}</p>"
            f"<table><thead><tr><th>fact</th><th>as built</th><th>as the law measures</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            + (f"<h3>From the figure as built to the law's figure</h3><table><thead><tr><th>fact</th><th>step</th>"
               f"<th>change</th><th>article</th></tr></thead><tbody>{steps}</tbody></table>" if steps else "")
            + (f"<h3>What the model does not say</h3><ul>{doubts}</ul>" if doubts else "")
            + "</section>")


def _delta(a: dict) -> str:
    unit = {"building_area_m2": "m2", "floor_area_m2": "m2", "height_m": "m", "ground_elevation_m": "m"}.get(a["fact"], "")
    d = a["delta"]
    return ("+" if d > 0 else "−") + (number(abs(d), unit) if unit else f"{abs(d):g}")


def _unit_of(finding: dict) -> str:
    """The unit of the figure a finding's profile details carry (an area for ratios)."""
    return {"ratio": "m2"}.get(finding["unit"], finding["unit"])


def _kv(title: str, rows: list[tuple[str, object]], anchor: str) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<section id={anchor}><h2>{_e(title)}</h2><table>{body}</table></section>"


def render(result: dict) -> str:
    v = result["verdict"]
    facts, site, book, prov = result["facts"], result["site"], result["rulebook"], result["provenance"]
    top = facts.get("highest_element") or {}
    fact_rows = [
        ("ground level (model z)", f"{facts['ground_elevation_m']:.3f} m — {facts['derivation']['ground_elevation_m']}"),
        ("height", f"{facts['height_m']:.2f} m — set by {top.get('ifc_class')} '{top.get('name')}' ({top.get('global_id')})"),
        ("footprint", f"{facts['footprint_area_m2']:.1f} m²"),
        ("gross floor area above ground", f"{facts['gross_floor_area_m2']:.1f} m²"),
        ("storeys above / below ground", f"{facts['storeys_above_ground']} / {facts['storeys_below_ground']}"),
        ("parcel", f"{site['parcel_id']}: {site['parcel_area_m2']:.1f} m²"),
    ] + [(f"storey {s['name']}", f"{s['elevation_m']:.3f} m, {'counted' if s['counted'] else 'not counted'}, "
          f"{s['gross_area_m2']:.1f} m²") for s in facts["storeys"]]
    massing = result["model"].get("massing")
    if massing:
        fact_rows = [("massing model", massing_sentence(massing)),
                     ("storeys (derived)", facts["derivation"]["storeys"]),
                     ("floor area (derived)", facts["derivation"]["gross_floor_area_m2"])] + fact_rows
    prov_rows = [
        ("model", f"{result['model']['path']} (sha256 {prov['model_sha256']})"),
        ("site", f"{site['path']} (sha256 {prov['site_sha256']}, {site['crs']})"),
        *[("rulebook", f"{p} (sha256 {h})") for p, h in prov["rulebook_sha256"].items()],
        ("rulebook version", f"{book['id']} {book['version']}, effective from {book['effective_from']}"),
        ("placement", prov["placement"]),
        ("CRS", prov["crs"]),
        ("tool", f"permitcheck {prov['tool']['version']}; " + ", ".join(f"{k} {v}" for k, v in prov["libraries"].items())),
        ("checked at", prov["checked_at"]),
    ]
    warnings = "".join(f"<li>{_e(w)}</li>" for w in result.get("warnings", []))
    tally = verdict_line(result).split(": ", 1)[1]  # the verdict's findings: an any_of counts once
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>permitcheck {_e(v)} — {_e(result['model']['path'])}</title><style>{CSS}</style></head><body><main>"
        f'<header class="verdict {STATUS_CLASS.get(v, "review")}"><h1>{_e(v)}</h1>'
        f"<p>{_e(result['model']['path'])} on parcel {_e(site['parcel_id'])}, zone {_e(result['zone'])} — "
        f"{_e(book['title'])} ({_e(book['id'])} {_e(book['version'])})</p>"
        + (f"<p>a massing model: {_e(massing_sentence(massing))}</p>" if massing else "")
        + f"<p>{_e(tally)}</p></header>"
        + _cover(result)
        + _summary(result) + site_plan(result) + shadow_plan.hourly_section(result, _svg) + legal_section(result)
        + decisions.html_section(result)  # the officer's decisions (permitcheck review), when there are any
        + _details(result)
        + _kv("Facts", fact_rows, "facts")
        + (f"<section id=warnings><h2>Warnings</h2><ul>{warnings}</ul></section>" if warnings else "")
        + _kv("Provenance", prov_rows, "provenance")
        + "</main></body></html>\n"
    )


def write(result: dict, out: Path) -> Path:
    out = Path(out)
    if out.is_dir():
        out = out / "permitcheck-report.html"
    out.write_text(render(result), encoding="utf-8")
    return out
