"""`check_model`: place a model on its parcel and evaluate a zone's rules; one serialisable result."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
from dataclasses import dataclass

import shapely

from permitcheck.checks import CheckContext
from permitcheck.engine import evaluate
from permitcheck.errors import InputError
from permitcheck.readfile import read_capped
from permitcheck.facts.signature import element_signature
from permitcheck.geojson import geojson as _geojson
from permitcheck.inspection import Inspection, inspect_model
from permitcheck.model import MassingOptions
from permitcheck.results import Finding, Status, verdict
from permitcheck.profiles import LegalFacts, measure
from permitcheck.rulebook import (LoadedRulebook, building_uses, declared_values, load_rulebook, measurement_profile,
                                  sources_of, zone_codes)
from permitcheck.rulebook.load import readiness_files
from permitcheck.site import Site, check_plausible_placement, load_site
from permitcheck.version import __version__


def _zone(rulebook: LoadedRulebook, site: Site, zone: str | None) -> str:
    known = zone_codes(rulebook)
    if zone is not None:
        if zone not in known:
            raise InputError(f"zone '{zone}' is not in rulebook {rulebook.path} — use one of: "
                             + ", ".join(sorted(set(known.values()))))
        return known[zone]
    for code in site.zone_codes:
        if code in known:
            return known[code]
    raise InputError(f"no zone for the parcel: the site names {list(site.zone_codes) or 'none'} and the rulebook "
                     f"knows {sorted(set(known.values()))} — pass --zone or add a 'zone' feature to the site")


SPLIT_SHARE = 0.01  # a zone over less of the parcel than this is a digitising sliver, not a split


def zone_split(rulebook: LoadedRulebook, site: Site) -> tuple[tuple[str, float], ...]:
    """The rulebook's zones over the parcel with their shares, when there are two or more (each over
    1 % of it); () when the parcel lies in one. A split parcel is checked in the zone of its larger
    part and every finding is REVIEW: the law may hold each part to its own zone (Korea:
    국토계획법 §84), which the officer decides, or `--zone` chooses."""
    known = zone_codes(rulebook)
    shares: dict[str, float] = {}
    for code, share in site.zone_shares:
        if code in known:
            shares[known[code]] = shares.get(known[code], 0.0) + share
    parts = tuple((z, round(s, 4)) for z, s in sorted(shares.items(), key=lambda kv: -kv[1]) if s >= SPLIT_SHARE)
    return parts if len(parts) > 1 else ()


def _sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@dataclass(frozen=True)
class CheckResult:
    inspection: Inspection
    site: Site
    rulebook: LoadedRulebook
    zone: str
    findings: tuple[Finding, ...]
    checked_at: str
    legal: LegalFacts | None = None
    declared: tuple[tuple[str, str], ...] = ()  # what the applicant declared (--declare)
    lot: dict | None = None  # the lot's context facts, as the rules read them
    submission: tuple[tuple[str, str], ...] = ()  # the cover block: project, applicant, submission, reviewer

    @property
    def verdict(self) -> Status:
        return verdict(list(self.findings))

    def _map(self, geom):
        geo = self.site.georeference
        if geom is None or geom.is_empty or geo is None:
            return None
        return _geojson(shapely.transform(geom, geo.to_map))

    def to_dict(self) -> dict:
        geo = self.site.georeference
        d = self.inspection.to_dict(placement=geo, placement_crs=(geo.crs if geo and geo.crs else self.site.crs))
        if self.legal is not None:
            d["facts"]["legal"] = self.legal.to_dict()
        book = self.rulebook.book
        d["verdict"] = self.verdict.value
        d["zone"] = self.zone
        d["rulebook"] = {
            "path": self.rulebook.path, "id": book.rulebook, "title": book.title, "version": book.version,
            "effective_from": book.effective_from.isoformat(), "jurisdiction": book.jurisdiction,
            "tolerances": _tolerances(self.rulebook),
            "extends": [n.path for n in self.rulebook.chain()[1:]],
            "sources": {k: v.model_dump(mode="json", exclude_none=True) for k, v in sources_of(self.rulebook).items()},
        }
        d["site"] = {
            "path": self.site.path, "sha256": self.site.sha256, "crs": self.site.crs,
            "parcel_id": self.site.parcel_id, "parcel_area_m2": round(self.site.parcel.area, 3),
            "placement": self.site.placement, "parcel_model": _geojson(self.site.parcel),
            "edges": [{**e.to_dict(), "line_model": _geojson(e.line)} for e in self.site.edges],
            "north_model": [round(float(x), 6) for x in self.site.north],
            "lot": self.lot or {},
            "features_model": [{"role": f.role, "geometry": _geojson(f.geometry),
                                "properties": {k: v for k, v in f.properties.items() if isinstance(v, (str, int, float))}}
                               for f in self.site.features if f.role != "parcel"],
        }
        involved = {g for f in _every(self.findings) for g in f.m.global_ids}
        # with each its geometry signature, so `permitcheck diff` matches it when the ids were regenerated
        d["elements"] = {m.global_id: element_signature(m.ifc_class, m.name, m.vertices, m.faces)
                         for m in self.inspection.model.elements if m.global_id in involved}
        d["declared"] = dict(self.declared)
        d["submission"] = dict(self.submission)
        d["findings"] = [self._finding(f) for f in self.findings]
        d["checked_at"] = self.checked_at
        d["provenance"] = self._provenance()
        d["warnings"] = d["warnings"] + list(self.site.warnings)
        return d

    def _provenance(self) -> dict:
        """Everything needed to reproduce the decision."""
        from importlib.metadata import PackageNotFoundError, version

        libs = {}
        for name in ("ifcopenshell", "shapely", "pyproj", "trimesh", "manifold3d", "numpy", "pydantic", "PyYAML"):
            try:
                libs[name] = version(name)
            except PackageNotFoundError:
                libs[name] = None
        return {
            "tool": {"name": "permitcheck", "version": __version__},
            "libraries": libs,
            "model_sha256": self.inspection.model.sha256,
            "site_sha256": self.site.sha256,
            "rulebook_sha256": {n.path: _sha256(n.path) for n in self.rulebook.chain()},
            "crs": (self.site.georeference.crs if self.site.georeference else None) or self.site.crs,
            "placement": self.site.placement,
            "ground_elevation_m": round(self.inspection.facts.whole.ground_elevation_m, 4),
            "checked_at": self.checked_at,
        }

    def _finding(self, f: Finding) -> dict:
        m = f.m
        rnd = (lambda x: None if x is None else round(x, 6))
        return {
            "rule": f.rule, "title": f.title, "kind": f.kind, "severity": f.severity,
            "status": m.status.value, "measured": rnd(m.measured), "limit": rnd(m.limit), "unit": m.unit,
            "margin": rnd(m.margin), "reason": m.reason, "citation": f.citation,
            "global_ids": list(m.global_ids),
            "details": {**m.details, "alternatives": [o.to_dict(self._finding) for o in m.details["alternatives"]]}
            if "alternatives" in m.details else m.details,
            "where_model": _geojson(m.where) if m.where is not None and not m.where.is_empty else None,
            "where": self._map(m.where),
        }


def _every(findings):
    """Every finding, and the findings inside each alternative of an any_of."""
    for f in findings:
        yield f
        for o in f.m.details.get("alternatives", ()):
            yield from _every(o.findings)


def site_from_layers(rules_path: str | os.PathLike, cadastre: str | os.PathLike, parcel_id: str,
                     zoning: str | os.PathLike | None = None, zoning_field: str | None = None,
                     encoding: str | None = None, rules_folders: tuple[str | os.PathLike, ...] = (),
                     buildings: str | os.PathLike | None = None, roads: str | os.PathLike | None = None,
                     site_layers: dict[str, str] | None = None) -> dict:
    """The site document of one parcel of a cadastre layer (and the zones over it, the context buildings
    and roads round it), read the way the rulebook's `site_layers` says, each key of `site_layers`
    given here overriding it for this run; write it (json) to keep the case reproducible, and check on it."""
    from permitcheck.rulebook.resolve import site_layers as rulebook_layers
    from permitcheck.site.layers import site_from_layers as read

    rulebook = load_rulebook(rules_path, rules_path=rules_folders)
    layers = _overridden(rulebook_layers(rulebook), {**(site_layers or {}),
                                                     **({"zone_field": zoning_field} if zoning_field else {})})
    return read(cadastre, parcel_id, layers, zoning=zoning, encoding=encoding, buildings=buildings, roads=roads)


CONTEXT_RADIUS_M = 100.0  # context buildings this near the parcel: a tower's winter shadow reaches as far


def site_with_context(site: str | os.PathLike | dict, context: str | os.PathLike,
                      radius_m: float = CONTEXT_RADIUS_M) -> dict:
    """The site document with the buildings of a CityJSON file (`--context`) within `radius_m` of the
    parcel added as `building` features, in the site's CRS; what was left out is in its warnings."""
    import shapely
    from shapely.geometry import shape

    from permitcheck.site import document
    from permitcheck.site.cityjson import read_buildings

    if isinstance(site, dict):
        doc, where = site, "the site"
    else:
        where = os.fspath(site)
        try:
            doc = document.parse(read_capped(where, document.MAX_FILE_BYTES), where)
        except OSError as e:
            raise InputError(f"{where}: cannot read the site ({e.strerror}) — check the path") from None
    crs = document.crs_name(doc, where) or "EPSG:4326"
    parcels = [shape(geometry) for role, geometry, _ in document.features(doc, where) if role == "parcel"]
    window = shapely.union_all(parcels).buffer(radius_m) if parcels else None
    found, warnings, _ = read_buildings(context, crs, window)
    features = [f for f in doc.get("features", [])] + found
    recorded = list(doc.get("warnings") or []) + warnings
    out = {**doc, "features": features}
    if recorded:
        out["warnings"] = recorded[:document.MAX_WARNINGS]
    return out


def _overridden(layers, given: dict[str, str]):
    """The rulebook's site_layers with the keys given for one run, each checked as the rulebook's would be."""
    from pydantic import ValidationError

    from permitcheck.rulebook.schema import SiteLayers

    if not given:
        return layers
    unknown = sorted(set(given) - set(SiteLayers.model_fields))
    if unknown:
        raise InputError(f"site layer key {unknown[0]!r} (--site-layer): not a site_layers key — use one of "
                         f"{', '.join(SiteLayers.model_fields)}")
    try:
        return SiteLayers.model_validate({**layers.model_dump(), **given})
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(map(str, err["loc"]))
        raise InputError(f"site layer key {key}={given.get(key, '')!r} (--site-layer): {err['msg']}") from None


def check_placement(site: Site, footprint) -> None:
    """Before any rule: the model stands on its parcel, or the check stops and names the likely
    georeferencing error and its fix (site.georef_check), or a CRS mix-up kilometres off."""
    from permitcheck.site.georef_check import diagnose
    from permitcheck.site.load import SiteError

    found = diagnose(site, footprint)
    if found is not None:
        corrected = "" if not found.edit else (
            f", {found.share_corrected:.0%} once corrected ({found.fit.outside_start_m2:.1f} m² of the footprint "
            "left outside)")
        raise SiteError(
            f"{site.path}: the model does not stand on its parcel — {found.share_as_placed:.0%} of its footprint is "
            f"on it as placed by its georeference ({site.placement}){corrected}: {found.cause} — {found.fix}")
    check_plausible_placement(site, footprint, site.placement)


def check_model(model_path: str | os.PathLike, site_path: str | os.PathLike, rules_path: str | os.PathLike,
                zone: str | None = None, site_crs: str | None = None,
                anchor: tuple[float, float] | None = None, rotation_deg: float = 0.0,
                ground_level_m: float | None = None, workers: int | None = None,
                rules_folders: tuple[str | os.PathLike, ...] = (), include_proxies: bool = False,
                declared: dict[str, str] | None = None, sections: bool = True,
                submission: dict[str, str] | None = None,
                massing: MassingOptions | None = None, aside: bool = False) -> CheckResult:
    """Check one model on one site against one rulebook. Raises InputError for bad input.

    `rules_folders`: folders whose rulebooks `extends:` may name besides the rulebook's own folder.
    `declared`: what the applicant declares that the model cannot show (building_class=2, use=...),
    read by the rulebook's conditions. `sections`: build the silhouettes a report's section drawings
    need (off when no report will draw them: the verdict and figures are the same). `submission`: what
    the reports' cover block names (SUBMISSION_FIELDS: project, applicant, submission, reviewer).
    `massing`: how to read a massing model (a mesh or a CityJSON building: unit, up axis, floor levels,
    which object). `aside`: the legal facts measured in a forked copy beside the rules
    (`check_inspection`).
    """
    cover = submission_fields(submission)  # a bad field is refused before any work
    rulebook = load_rulebook(rules_path, rules_path=rules_folders)  # cheapest first: fails before geometry
    inspection = inspect_model(model_path, ground_level_m=ground_level_m, workers=workers,
                               include_proxies=include_proxies,
                               ids=tuple(path for path, _, _ in readiness_files(rulebook)), massing=massing)
    return check_inspection(inspection, site_path, rulebook, zone=zone, site_crs=site_crs, anchor=anchor,
                            rotation_deg=rotation_deg, declared=declared, sections=sections, submission=cover,
                            aside=aside)


def check_inspection(inspection: Inspection, site_path: str | os.PathLike, rulebook: LoadedRulebook,
                     zone: str | None = None, site_crs: str | None = None,
                     anchor: tuple[float, float] | None = None, rotation_deg: float = 0.0,
                     declared: dict[str, str] | None = None, sections: bool = True,
                     submission: dict[str, str] | None = None, aside: bool = False) -> CheckResult:
    """The check on facts already measured: a rulebook change re-checks without reading geometry.

    `aside`: measure the legal facts in a forked copy of this process while the rules that do not
    read them run here (`permitcheck.aside`; two cores for one check; the same result). For a
    process that checks one model (the CLI); where no fork is safe (another thread running) or the
    model is small, they are measured in turn."""
    declared_items = _declared(declared)
    cover = tuple(submission_fields(submission).items())
    site = load_site(site_path, inspection.model.georeference, site_crs=site_crs, anchor=anchor,
                     rotation_deg=rotation_deg)
    check_placement(site, inspection.facts.whole.footprint)
    code = _zone(rulebook, site, zone)
    split = () if zone is not None else zone_split(rulebook, site)
    profile = measurement_profile(rulebook)
    if aside and profile.name is not None and _worth_aside(inspection):
        from permitcheck.aside import Aside

        legal_measured = Aside(_legal, inspection, profile)  # on the other core, while the other rules run
    else:
        legal_measured = _legal(inspection, profile)
    ctx = CheckContext(inspection.facts.whole, site, tuple(inspection.model.elements), profile,
                       unmeasured=tuple(x.global_id for x in inspection.model.failures),
                       legal_measured=legal_measured, declared=declared_items,
                       windows=tuple(inspection.model.windows), spaces=tuple(inspection.model.spaces),
                       building_uses=tuple(building_uses(rulebook).items()),
                       declared_values=tuple(declared_values(rulebook).items()),
                       model_uses=tuple(dict.fromkeys(u for b in inspection.model.buildings for u in b.uses)),
                       sections=sections, zone_split=split)
    try:
        findings = tuple(_preflight(inspection, rulebook, site)) + tuple(evaluate(ctx, rulebook, code))
    finally:
        if hasattr(legal_measured, "wait"):
            legal_measured.wait()  # the copy reaped however the rules ended
    legal = ctx.legal  # raises here what the measurement raised (bad input), as measured in turn
    return CheckResult(inspection, site, rulebook, code, findings,
                       dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), legal, declared_items,
                       ctx.lot.to_dict(), cover)


ASIDE_ELEMENTS = 100  # fewer, and the legal measurement (0.1 s) gains nothing in a copy


def _worth_aside(inspection: Inspection) -> bool:
    return len(inspection.model.elements) >= ASIDE_ELEMENTS


SUBMISSION_FIELDS = ("project", "applicant", "submission", "reviewer")
MAX_SUBMISSION_FIELD = 200  # characters: a name, a file number, a date


def submission_fields(given: dict | None) -> dict[str, str]:
    """The cover block's fields, checked: known keys only, text of at most 200 characters on one line;
    empty values left out. Raises UsageError naming the bad field."""
    from permitcheck.errors import UsageError

    out = {}
    for key, value in (given or {}).items():
        if key not in SUBMISSION_FIELDS:
            raise UsageError(f"submission field {key!r}: use {', '.join(SUBMISSION_FIELDS)}")
        if value is None or str(value).strip() == "":
            continue
        text = " ".join(str(value).split())
        if len(text) > MAX_SUBMISSION_FIELD:
            raise UsageError(f"{key}: {len(text)} characters — at most {MAX_SUBMISSION_FIELD}")
        out[key] = text
    return out


def _tolerances(rulebook: LoadedRulebook) -> dict:
    """The measurement tolerances inside which a margin is REVIEW, as the rulebook's profile sets them."""
    p = measurement_profile(rulebook)
    return {"length_m": float(p.length_tolerance), "relative": float(p.relative_tolerance)}


def _preflight(inspection: Inspection, rulebook: LoadedRulebook, site: Site) -> list[Finding]:
    """The findings before the rules (permitcheck.preflight): the model on its parcel, and the
    rulebook's IDS run on the model."""
    from permitcheck.model.ids import audit_file, sha256_of
    from permitcheck.preflight import placement_findings, readiness_findings

    placed = placement_findings(site, inspection.facts.whole.footprint)
    files = readiness_files(rulebook)
    if not files:
        return placed
    done = {a.sha256: a for a in inspection.model.readiness if a.skipped is None}  # by content: a copy is the same
    audits, fresh = [], []
    for path, _, _ in files:
        known = done.get(sha256_of(path))
        if known is not None:
            audits.append(dataclasses.replace(known, path=path))
        else:
            fresh.append(path)
    audits += audit_file(inspection.model.path, tuple(fresh))  # facts measured before this IDS was known
    return placed + readiness_findings(tuple(audits), files)


MAX_DECLARED = 50


def _declared(declared: dict | None) -> tuple[tuple[str, str], ...]:
    """Declarations checked: short plain keys and short single-line values."""
    import re

    items = dict(declared or {})
    if len(items) > MAX_DECLARED:
        raise InputError(f"{len(items)} declarations — at most {MAX_DECLARED}")
    out = []
    for k, v in items.items():
        if not isinstance(k, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", k):
            raise InputError(f"declaration key {k!r}: letters, digits and _ (e.g. building_class=2)")
        if isinstance(v, bool) or not isinstance(v, (str, int, float)) or len(str(v)) > 200 or \
                any(c in str(v) for c in "\n\r"):
            raise InputError(f"declaration {k}: the value must be one short line of text or a number")
        if k in _COUNTS and not re.fullmatch(r"\s*\d{1,6}\s*", str(v)):
            raise InputError(f"declaration {k}={v!r}: a whole number is needed (e.g. {k}=12)")
        out.append((k, str(v).strip()))
    return tuple(sorted(out))


_COUNTS = ("parking_spaces",)  # declarations that are counts (permitcheck.checks.parking)


def _legal(inspection: Inspection, profile) -> tuple[LegalFacts | None, str | None]:
    """The facts under the rulebook's profile; a profile that cannot measure the model is said, not hidden."""
    if profile.name is None:
        return None, None
    try:
        return measure(profile.name, inspection.model, inspection.facts, params=profile.parameters()), None
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - the rules that need the legal figures become ERROR, with the reason
        return None, f"the {profile.name} measurement failed: {type(e).__name__}: {e}"
