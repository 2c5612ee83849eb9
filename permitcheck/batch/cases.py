"""Batch input: a folder of cases or a manifest (CSV or YAML), read into `Case` records.

Folder: one sub-folder per submission holding its model (*.ifc or *.ifczip), its site (*.geojson) and a small
`case.yaml` naming the rulebook (`rules:`, relative to the case folder) and optionally `zone`,
`anchor: [E, N]`, `rotation`, `site_crs`, `ground_level`, `model`, `site`, `declare: {key: value}`, or
instead of `site` the layers `cadastre`, `parcel_id`, `zoning`, `zoning_field`, `encoding`,
`buildings`, `roads`, `site_layers: {key: value}`; with either, `context` (a CityJSON city model);
and for the reports' cover block `project`, `applicant`, `submission`, `reviewer` (text).
Manifest: one row per case with columns model, site, rules, zone (and optionally name, anchor
"E,N", rotation, site_crs, declare "key=value;key=value", project, applicant, submission, reviewer),
paths relative to the manifest. A case that cannot be read becomes a case with an `error`, so the
batch records it instead of stopping; paths come out absolute, whatever folder the batch runs from.
A `case.yaml` is small and read bounded, and its values must be text or numbers: a hostile one
(megabytes, an alias bomb) costs its case, never the batch.
"""

from __future__ import annotations

import csv
import os
import re
import reprlib
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from permitcheck.batch.files import open_regular
from permitcheck.errors import InputError


@dataclass(frozen=True)
class Case:
    name: str
    model: str | None = None
    site: str | None = None
    rules: str | None = None
    zone: str | None = None
    anchor: tuple[float, float] | None = None
    rotation: float = 0.0
    site_crs: str | None = None
    ground_level: float | None = None
    error: str | None = None  # why the case could not even be assembled
    rules_path: tuple[str, ...] = ()  # folders whose rulebooks `extends:` may name (batch --rules-path)
    declare: tuple[tuple[str, str], ...] = ()  # what the applicant declares (building_class=2, use=...)
    # instead of `site`: the office's layers (check --cadastre --parcel-id --zoning --zoning-field)
    cadastre: str | None = None
    parcel_id: str | None = None
    zoning: str | None = None
    zoning_field: str | None = None
    encoding: str | None = None
    buildings: str | None = None  # context layers beside the cadastre (check --buildings --roads)
    roads: str | None = None
    site_layers: tuple[tuple[str, str], ...] = ()  # the rulebook's site_layers keys for this case (--site-layer)
    context: str | None = None  # a CityJSON city model: its buildings round the parcel (check --context)
    submission: tuple[tuple[str, str], ...] = ()  # the reports' cover: project, applicant, submission, reviewer

    def to_dict(self) -> dict:
        return asdict(self)


def safe_name(name: str, limit: int = 80) -> str:
    """A file name from a case name: no path separators, no dot-dot, no shell specials."""
    import hashlib

    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:limit] or "case"
    if clean != name:  # keep names that differed only in stripped characters apart
        clean += "-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return clean


MAX_CASE_FILE_BYTES = 1 << 20
_short = reprlib.Repr()  # bounded: a hostile value (an alias bomb) is never expanded into a message
_short.maxlevel, _short.maxlist, _short.maxdict, _short.maxstring, _short.maxother = 1, 3, 3, 60, 60


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())


def _scalar(value, what: str):
    """A text or number value as given, or None; anything else (lists, mappings) is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(f"{what}: expected text or a number, got {_short.repr(value)}")
    return value


def _declare(value, what: str = "declare") -> tuple[tuple[str, str], ...]:
    """Declarations (or site_layers keys): a mapping (case.yaml) or "key=value;key=value" (a manifest's column)."""
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        pairs = [p.partition("=") for p in value.split(";") if p.strip()]
        if any(not eq for _, eq, _ in pairs):
            raise InputError(f"{what} {_short.repr(value)}: expected key=value;key=value")
        value = {k.strip(): v.strip() for k, _, v in pairs}
    if not isinstance(value, dict) or len(value) > 50:
        raise InputError(f"{what}: expected a mapping of at most 50 key: value, got {_short.repr(value)}")
    return tuple(sorted((str(_scalar(k, what)), str(_scalar(v, what))) for k, v in value.items()))


def _anchor(value) -> tuple[float, float] | None:
    if value in (None, ""):
        return None
    parts = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else None
    if parts is None or len(parts) != 2:
        raise InputError(f"anchor {_short.repr(value)}: expected E,N")
    return float(_scalar(parts[0], "anchor")), float(_scalar(parts[1], "anchor"))


def _resolve(base: Path, value, what: str) -> str | None:
    value = _scalar(value, what)
    if value is None:
        return None
    p = Path(str(value))
    return str(p if p.is_absolute() else (base / p))


def _case(name: str, base: Path, row: dict) -> Case:
    try:
        if not isinstance(row, dict):
            raise InputError(f"expected a mapping of model, site, rules..., got {_short.repr(row)}")
        rotation, ground = _scalar(row.get("rotation"), "rotation"), _scalar(row.get("ground_level"), "ground_level")
        site_crs = _scalar(row.get("site_crs"), "site_crs")
        return Case(
            name=name, model=_resolve(base, row.get("model"), "model"), site=_resolve(base, row.get("site"), "site"),
            rules=_resolve(base, row.get("rules"), "rules"), zone=_scalar(row.get("zone"), "zone"),
            anchor=_anchor(row.get("anchor")), rotation=float(rotation or 0.0),
            site_crs=None if site_crs is None else str(site_crs),
            ground_level=None if ground is None else float(ground),
            declare=_declare(row.get("declare")),
            cadastre=_resolve(base, row.get("cadastre"), "cadastre"),
            parcel_id=_text(row.get("parcel_id"), "parcel_id"), zoning=_resolve(base, row.get("zoning"), "zoning"),
            zoning_field=_text(row.get("zoning_field"), "zoning_field"), encoding=_text(row.get("encoding"), "encoding"),
            buildings=_resolve(base, row.get("buildings"), "buildings"), roads=_resolve(base, row.get("roads"), "roads"),
            site_layers=_declare(row.get("site_layers"), "site_layers"),
            context=_resolve(base, row.get("context"), "context"),
            submission=tuple((k, str(v)) for k in COVER if (v := _scalar(row.get(k), k)) is not None),
            error=_missing(row),
        )
    except (InputError, TypeError, ValueError) as e:
        return Case(name=name, error=f"unreadable case description: {_one_line(e)}")


COVER = ("project", "applicant", "submission", "reviewer")  # checking.SUBMISSION_FIELDS, read by the worker


def _text(value, what: str) -> str | None:
    value = _scalar(value, what)
    return None if value is None else str(value)


def _missing(row: dict) -> str | None:
    """Why a case cannot be checked as written: no rulebook, or a site given two ways or none."""
    if not row.get("rules"):
        return "no rulebook named ('rules')"
    if row.get("cadastre") and row.get("site"):
        return "a site and a cadastre: give one ('site', or 'cadastre' with 'parcel_id')"
    if row.get("cadastre") and not row.get("parcel_id"):
        return "a cadastre without 'parcel_id' (the parcel's id in the layer, Korea: its PNU)"
    if not row.get("cadastre") and any(row.get(k) for k in ("buildings", "roads", "site_layers")):
        return "'buildings', 'roads' and 'site_layers' go with a 'cadastre'"
    return None


def _only(folder: Path, suffixes: tuple[str, ...], what: str) -> str:
    """The one file whose name ends in one of `suffixes` (any case), named relative to `folder` like
    a `case.yaml` value."""
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(suffixes))
    if len(found) != 1:
        shown = ", ".join("*" + x for x in suffixes)
        raise InputError(f"expected exactly one {what} ({shown}) in {folder}, found {len(found)}")
    return found[0].name


def _read_case_file(desc: Path) -> dict:
    with os.fdopen(open_regular(desc), "rb") as f:
        data = f.read(MAX_CASE_FILE_BYTES + 1)
    if len(data) > MAX_CASE_FILE_BYTES:
        raise InputError(f"{desc}: larger than {MAX_CASE_FILE_BYTES >> 20} MB — a case.yaml names files, it holds none")
    try:
        row = yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise InputError(f"{desc}: not UTF-8 ({e.reason} at byte {e.start}) — save it as UTF-8") from e
    if row is None:
        return {}
    if not isinstance(row, dict):
        raise InputError(f"{desc}: expected a mapping")
    return row


def from_folder(root: Path) -> list[Case]:
    try:
        subs = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError as e:
        raise InputError(f"{root}: cannot list the case folders ({e.strerror}) — check the folder") from e
    cases = []
    for sub in subs:
        desc = sub / "case.yaml"
        try:
            row = _read_case_file(desc) if desc.exists() else {}
            row["model"] = row.get("model") or _only(sub, (".ifc", ".ifczip"), "model")
            if not row.get("cadastre"):
                row["site"] = row.get("site") or _only(sub, (".geojson",), "site")
            cases.append(_case(sub.name, sub, row))
        except Exception as e:  # noqa: BLE001 - one unreadable case costs that case, never the batch
            cases.append(Case(name=sub.name, error=_one_line(e)[:500]))
    return cases


def _manifest_rows(path: Path) -> list:
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8") as f:
                return list(csv.DictReader(f))
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 ({e.reason} at byte {e.start}) — save the manifest as UTF-8") from e
    except (OSError, csv.Error, yaml.YAMLError, RecursionError) as e:
        raise InputError(f"{path}: cannot read the manifest: {_one_line(e)[:300]}") from e
    rows = data.get("cases", data) if isinstance(data, dict) else data
    if isinstance(rows, dict):  # {name: row}
        rows = [{"name": k, **v} if isinstance(v, dict) else v for k, v in rows.items()]
    if not isinstance(rows, list):
        raise InputError(f"{path}: a manifest is a list of cases (or a CSV with model,site,rules,zone columns)")
    return rows


def from_manifest(path: Path) -> list[Case]:
    base = path.parent
    out, seen = [], set()
    for i, row in enumerate(_manifest_rows(path)):
        try:
            given = _scalar(row.get("name"), "name") if isinstance(row, dict) else None
            model = _scalar(row.get("model"), "model") if isinstance(row, dict) else None
            name = str(given or Path(str(model or f"case-{i}")).stem)
        except InputError:
            name = f"case-{i}"
        if name in seen:
            name = f"{name}-{i}"
        seen.add(name)
        out.append(_case(name, base, row))
    return out


def discover(source: str | Path) -> list[Case]:
    """The cases of a folder or manifest, with absolute paths (so a relative source works from its folder)."""
    given = Path(source)
    source = given.absolute()
    if source.is_dir():
        return from_folder(source)
    if source.is_file():
        return from_manifest(source)
    raise InputError(f"{given}: no such folder or manifest — give a folder of cases or a .csv/.yaml manifest")
