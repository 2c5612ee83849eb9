"""One case, start to finish, as it runs inside an isolated worker process.

The worker, not the batch parent, reads and validates the case's rulebook: whatever a bad
rulebook does (an encoding error, an alias bomb that hangs the loader) then costs this case only,
under its timeout and memory cap.

The facts cache holds pickled inspections keyed by the model's sha256, the tool version and the
measuring options, so a rulebook-only change re-checks without re-reading geometry. The cache is
written by permitcheck alone (atomically) and read only from the batch's own output folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import time
from pathlib import Path

from permitcheck.batch.cases import Case, safe_name
from permitcheck.errors import InputError
from permitcheck.version import __version__


def facts_key(model_sha: str, case: Case) -> str:
    return hashlib.sha256(json.dumps([model_sha, __version__, case.ground_level]).encode()).hexdigest()[:32]


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _inspection(case: Case, model_sha: str, cache_dir: Path | None, ids: tuple[str, ...] = ()):
    """The model's facts, from the cache when this model was read before. `ids`: the rulebook's IDS
    files, run while the model is open; a cached inspection run with others is re-audited by the check."""
    from permitcheck.inspection import inspect_model

    cached = cache_dir / f"{facts_key(model_sha, case)}.pickle" if cache_dir else None
    if cached is not None and cached.exists():
        with cached.open("rb") as f:
            return pickle.load(f), True  # noqa: S301 - our own cache, written below
    inspection = inspect_model(case.model, ground_level_m=case.ground_level, workers=1, ids=ids)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_bytes(cached, pickle.dumps(inspection, protocol=pickle.HIGHEST_PROTOCOL))
    return inspection, False


@contextlib.contextmanager
def _site_path(case: Case):
    """The case's site file, or the site read from its layers (in this isolated worker: GDAL reads
    the layers where a crash costs the case only), with its CityJSON context added, in a temporary
    file removed after the check."""
    if not case.cadastre and not case.context:
        yield case.site
        return
    import tempfile

    from permitcheck.checking import site_from_layers, site_with_context

    doc = case.site if not case.cadastre else site_from_layers(
        case.rules, case.cadastre, case.parcel_id, zoning=case.zoning, zoning_field=case.zoning_field,
        encoding=case.encoding, rules_folders=case.rules_path, buildings=case.buildings, roads=case.roads,
        site_layers=dict(case.site_layers))
    if case.context:
        doc = site_with_context(doc, case.context)
    with tempfile.TemporaryDirectory(prefix="permitcheck-site-") as tmp:
        out = Path(tmp) / "site.geojson"
        out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        yield str(out)


def _write_reports(result: dict, case: Case, reports_dir: Path, formats: list[str]) -> str:
    """Write the reports beside the case's folder, then swap them in with two renames.

    A folder cannot replace a non-empty folder in one rename, so the old one is renamed aside first:
    a kill leaves whole folders only, never one half deleted. Temporary names carry the pid, so
    the next batch can tell litter (see litter.py).
    """
    from permitcheck.reports import write_all

    final = reports_dir / safe_name(case.name)
    tmp = reports_dir / f".{final.name}.{os.getpid()}.tmp"
    old = reports_dir / f".{final.name}.{os.getpid()}.old.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    write_all(result, tmp, formats)
    if final.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.rename(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return str(final)


def _load_checked(case: Case, inputs: dict):
    """The case's rulebook, loaded for real; refused if the parent hashed another chain for its key.

    The key must cover every rulebook the verdict depends on, or a changed parent rulebook would be
    skipped on the next run.
    """
    from permitcheck.rulebook import load_rulebook

    rulebook = load_rulebook(case.rules, rules_path=tuple(case.rules_path or ()))
    hashed = list(inputs.get("rulebook_sha256") or {})
    if inputs.get("rulebook_chain_error"):
        raise InputError(f"case {case.name}: the rulebook's 'extends' chain could not be read for the "
                         f"re-run key: {inputs['rulebook_chain_error']}")
    loaded = [n.path for n in rulebook.chain()]
    if [Path(p).resolve() for p in loaded] != [Path(p).resolve() for p in hashed]:
        raise InputError(f"case {case.name}: the rulebook's 'extends' chain was read as "
                         f"{' > '.join(hashed)} for the re-run key but loads as {' > '.join(loaded)} — "
                         "write 'extends:' as a plain top-level key")
    return rulebook


def run_case(case: Case, inputs: dict, reports_dir: Path, cache_dir: Path | None, formats: list[str]) -> dict:
    """The outcome of one case; raises on bad input (the caller records it as ERROR)."""
    from permitcheck.checking import check_inspection
    from permitcheck.rulebook.load import readiness_files

    t0 = time.perf_counter()
    rulebook = _load_checked(case, inputs)
    ids = tuple(path for path, _, _ in readiness_files(rulebook))
    inspection, cached = _inspection(case, inputs["model_sha256"], cache_dir, ids)
    t1 = time.perf_counter()
    with _site_path(case) as site:
        result = check_inspection(inspection, site, rulebook, zone=case.zone, site_crs=case.site_crs,
                                  anchor=case.anchor, rotation_deg=case.rotation,
                                  declared=dict(case.declare), submission=dict(case.submission)).to_dict()
    t2 = time.perf_counter()
    report_dir = _write_reports(result, case, reports_dir, formats)
    t3 = time.perf_counter()
    return {"status": "done", "verdict": result["verdict"], "result": result, "error": None,
            "report_dir": report_dir,
            "timings": {"facts_s": t1 - t0, "check_s": t2 - t1, "reports_s": t3 - t2, "facts_cached": cached}}


def error_outcome(message: str, timings: dict | None = None) -> dict:
    return {"status": "error", "verdict": "ERROR", "result": None, "error": message, "report_dir": None,
            "timings": timings or {}}
