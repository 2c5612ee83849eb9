"""One case, start to finish, as it runs inside an isolated worker process.

The facts cache holds pickled inspections keyed by the model's sha256, the tool version and the
measuring options, so a rulebook-only change re-checks without re-reading geometry. The cache is
written by permitcheck alone (atomically) and read only from the batch's own output folder.
"""

from __future__ import annotations

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


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def facts_key(model_sha: str, case: Case) -> str:
    return hashlib.sha256(json.dumps([model_sha, __version__, case.ground_level]).encode()).hexdigest()[:32]


def inputs_of(case: Case) -> dict:
    """Hashes of everything the decision depends on; raises InputError for a missing input."""
    from permitcheck.rulebook import load_rulebook

    if case.error:
        raise InputError(case.error)
    for what, p in (("model", case.model), ("site", case.site), ("rulebook", case.rules)):
        if not p or not os.path.isfile(p):
            raise InputError(f"case {case.name}: {what} {p!r} not found")
    chain = [n.path for n in load_rulebook(case.rules).chain()]
    return {
        "model_sha256": file_sha256(case.model), "site_sha256": file_sha256(case.site),
        "rulebook_sha256": {p: file_sha256(p) for p in chain},
        "options": [case.zone, case.anchor, case.rotation, case.site_crs, case.ground_level],
        "tool_version": __version__,
    }


def inputs_key(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _inspection(case: Case, model_sha: str, cache_dir: Path | None):
    from permitcheck.inspection import inspect_model

    cached = cache_dir / f"{facts_key(model_sha, case)}.pickle" if cache_dir else None
    if cached is not None and cached.exists():
        with cached.open("rb") as f:
            return pickle.load(f), True  # noqa: S301 - our own cache, written below
    inspection = inspect_model(case.model, ground_level_m=case.ground_level, workers=1)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_bytes(cached, pickle.dumps(inspection, protocol=pickle.HIGHEST_PROTOCOL))
    return inspection, False


def _write_reports(result: dict, case: Case, reports_dir: Path, formats: list[str]) -> str:
    from permitcheck.reports import write_all

    final = reports_dir / safe_name(case.name)
    tmp = reports_dir / f".{final.name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    write_all(result, tmp, formats)
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    return str(final)


def run_case(case: Case, inputs: dict, reports_dir: Path, cache_dir: Path | None, formats: list[str]) -> dict:
    """The outcome of one case; raises on bad input (the caller records it as ERROR)."""
    from permitcheck.checking import check_inspection
    from permitcheck.rulebook import load_rulebook

    t0 = time.perf_counter()
    rulebook = load_rulebook(case.rules)
    inspection, cached = _inspection(case, inputs["model_sha256"], cache_dir)
    t1 = time.perf_counter()
    result = check_inspection(inspection, case.site, rulebook, zone=case.zone, site_crs=case.site_crs,
                              anchor=case.anchor, rotation_deg=case.rotation).to_dict()
    t2 = time.perf_counter()
    report_dir = _write_reports(result, case, reports_dir, formats)
    t3 = time.perf_counter()
    return {"status": "done", "verdict": result["verdict"], "result": result, "error": None,
            "report_dir": report_dir,
            "timings": {"facts_s": t1 - t0, "check_s": t2 - t1, "reports_s": t3 - t2, "facts_cached": cached}}


def error_outcome(message: str, timings: dict | None = None) -> dict:
    return {"status": "error", "verdict": "ERROR", "result": None, "error": message, "report_dir": None,
            "timings": timings or {}}
