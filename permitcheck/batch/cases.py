"""Batch input: a folder of cases or a manifest (CSV or YAML), read into `Case` records.

Folder: one sub-folder per submission holding its model (*.ifc), its site (*.geojson) and a small
`case.yaml` naming the rulebook (`rules:`, relative to the case folder) and optionally `zone`,
`anchor: [E, N]`, `rotation`, `site_crs`, `ground_level`, `model`, `site`. Manifest: one row per
case with columns model, site, rules, zone (and optionally name, anchor "E,N", rotation, site_crs),
paths relative to the manifest. A case that cannot be read becomes a case with an `error`, so the
batch records it instead of stopping.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

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

    def to_dict(self) -> dict:
        return asdict(self)


def safe_name(name: str, limit: int = 80) -> str:
    """A file name from a case name: no path separators, no dot-dot, no shell specials."""
    import hashlib

    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:limit] or "case"
    if clean != name:  # keep names that differed only in stripped characters apart
        clean += "-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return clean


def _anchor(value) -> tuple[float, float] | None:
    if value in (None, ""):
        return None
    parts = value.split(",") if isinstance(value, str) else list(value)
    if len(parts) != 2:
        raise InputError(f"anchor {value!r}: expected E,N")
    return float(parts[0]), float(parts[1])


def _resolve(base: Path, value) -> str | None:
    if value in (None, ""):
        return None
    p = Path(str(value))
    return str(p if p.is_absolute() else (base / p))


def _case(name: str, base: Path, row: dict) -> Case:
    try:
        return Case(
            name=name, model=_resolve(base, row.get("model")), site=_resolve(base, row.get("site")),
            rules=_resolve(base, row.get("rules")), zone=row.get("zone") or None, anchor=_anchor(row.get("anchor")),
            rotation=float(row.get("rotation") or 0.0), site_crs=row.get("site_crs") or None,
            ground_level=None if row.get("ground_level") in (None, "") else float(row["ground_level"]),
            error=None if row.get("rules") else "no rulebook named ('rules')",
        )
    except (InputError, TypeError, ValueError) as e:
        return Case(name=name, error=f"unreadable case description: {e}")


def _only(folder: Path, pattern: str, what: str) -> str:
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        raise InputError(f"expected exactly one {what} ({pattern}) in {folder}, found {len(found)}")
    return str(found[0])


def from_folder(root: Path) -> list[Case]:
    cases = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        desc = sub / "case.yaml"
        try:
            row = yaml.safe_load(desc.read_text(encoding="utf-8")) if desc.exists() else {}
            if not isinstance(row, dict):
                raise InputError(f"{desc}: expected a mapping")
            row.setdefault("model", row.get("model") or _only(sub, "*.ifc", "model"))
            row.setdefault("site", row.get("site") or _only(sub, "*.geojson", "site"))
            cases.append(_case(sub.name, sub, row))
        except (InputError, OSError, yaml.YAMLError) as e:
            cases.append(Case(name=sub.name, error=str(e)))
    return cases


def from_manifest(path: Path) -> list[Case]:
    base = path.parent
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    else:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows = data.get("cases", data) if isinstance(data, dict) else data
        if isinstance(rows, dict):  # {name: row}
            rows = [{"name": k, **v} for k, v in rows.items()]
    if not isinstance(rows, list):
        raise InputError(f"{path}: a manifest is a list of cases (or a CSV with model,site,rules,zone columns)")
    out, seen = [], set()
    for i, row in enumerate(rows):
        name = str(row.get("name") or Path(str(row.get("model") or f"case-{i}")).stem)
        if name in seen:
            name = f"{name}-{i}"
        seen.add(name)
        out.append(_case(name, base, row))
    return out


def discover(source: str | Path) -> list[Case]:
    source = Path(source)
    if source.is_dir():
        return from_folder(source)
    if source.is_file():
        return from_manifest(source)
    raise InputError(f"{source}: no such folder or manifest — give a folder of cases or a .csv/.yaml manifest")
