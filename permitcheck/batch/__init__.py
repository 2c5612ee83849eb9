"""Batch permit runs: many cases in isolated workers, results kept in SQLite, never lost.

`run_batch(source, out_dir)` takes the output folder's lock (one batch per folder; `wait=True`
queues behind a running one), clears the temporary files of dead processes, reads a folder of cases
or a manifest, skips the cases whose inputs (model, site, rulebook chain, options, tool version) are
already recorded, runs the rest in parallel worker processes — or on a Dask cluster with
`scheduler=` — and records each outcome as it finishes. The parent only hashes files to plan; each
worker reads and validates its own case, so a hostile input costs its case, never the batch.
The core never prints: pass `on_event(kind, case_name, outcome)` to follow progress (kinds:
waiting, started, planned, skipped, done).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from permitcheck.batch.cases import Case, discover, safe_name
from permitcheck.batch.inputs import inputs_key, inputs_of
from permitcheck.batch.isolate import Limits, run_in_subprocess, run_local
from permitcheck.batch.litter import sweep
from permitcheck.batch.lock import BatchLocked, OutputLock
from permitcheck.batch.store import Store
from permitcheck.batch.summary import write_summary
from permitcheck.batch.work import error_outcome
from permitcheck.errors import PermitcheckError
from permitcheck.version import __version__

DEFAULT_FORMATS = ["json", "html", "junit"]
Event = Callable[[str, str, dict | None], None]


@dataclass
class BatchSummary:
    run_id: str
    total: int = 0
    skipped: int = 0
    counts: dict = field(default_factory=dict)  # verdict -> cases run now
    latest_counts: dict = field(default_factory=dict)  # verdict -> cases, newest result of each
    not_passing: list = field(default_factory=list)  # (case, verdict) of each whose newest verdict is not PASS
    paths: dict = field(default_factory=dict)
    store: str = ""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def _row(case: Case, key: str, run_id: str, inputs: dict | None, outcome: dict) -> dict:
    result = outcome.get("result") or {}
    return {
        "case_name": case.name, "inputs_key": key, "run_id": run_id, "status": outcome["status"],
        "verdict": outcome["verdict"], "error": outcome.get("error"),
        "model_sha256": (inputs or {}).get("model_sha256"), "site_sha256": (inputs or {}).get("site_sha256"),
        "rulebook_sha256_json": json.dumps((inputs or {}).get("rulebook_sha256")),
        "rulebook_version": (result.get("rulebook") or {}).get("version"), "tool_version": __version__,
        "findings_json": json.dumps(result.get("findings") or [], ensure_ascii=False),
        "result_json": json.dumps(result, ensure_ascii=False) if result else None,
        "timings_json": json.dumps(outcome.get("timings") or {}), "report_dir": outcome.get("report_dir"),
        "created_at": _now(),
    }


def _run_dask(scheduler, jobs, limits: Limits, reports_dir: Path, cache_dir: Path, formats: list[str]):
    from distributed import Client, as_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = {}
        for case, inputs in jobs:
            fut = client.submit(run_in_subprocess, json.dumps(case.to_dict()), str(reports_dir), str(cache_dir),
                                formats, limits.timeout_s, limits.memory_mb, pure=False,
                                key=f"permitcheck-{safe_name(case.name)}-{uuid.uuid4().hex[:8]}")
            futures[fut] = case
        for fut in as_completed(futures):
            case = futures[fut]
            try:
                yield case, fut.result()
            except Exception as e:  # noqa: BLE001 - a lost worker costs one case
                yield case, error_outcome(f"dask task failed: {type(e).__name__}: {e}")
    finally:
        if not isinstance(scheduler, Client):
            client.close()


def _reason(e: BaseException) -> str:
    """One line: a permitcheck error or an OS error as it reads, anything else with its type."""
    text = str(e) if isinstance(e, (PermitcheckError, OSError)) else f"{type(e).__name__}: {e}"
    return " ".join(text.split())[:1000]


def _plan(case: Case, store: Store, retry_errors: bool):
    """("skip" | "run" | "error", key, inputs, model size or error). Never raises for a bad case."""
    try:
        inputs = inputs_of(case)
        key, size = inputs_key(inputs), os.path.getsize(case.model)
    except Exception as e:  # noqa: BLE001 - whatever a case holds costs that case only
        reason = _reason(e)
        key = hashlib.sha256(json.dumps([case.to_dict(), reason, __version__], default=str).encode()).hexdigest()
        return ("skip" if store.has(case.name, key, include_errors=not retry_errors) else "error"), key, None, reason
    return ("skip" if store.has(case.name, key, include_errors=not retry_errors) else "run"), key, inputs, size


def run_batch(source: str | Path, out_dir: str | Path, workers: int | None = None, limits: Limits = Limits(),
              formats: list[str] | None = None, scheduler=None, retry_errors: bool = False,
              on_event: Event | None = None, wait: bool = False,
              rules_path: tuple[str | Path, ...] = ()) -> BatchSummary:
    """Run every case not yet recorded; raise BatchLocked if another batch holds `out_dir` (unless `wait`).

    `rules_path`: folders whose rulebooks any case's `extends:` may name besides its rulebook's folder.
    """
    given = Path(out_dir)
    given.mkdir(parents=True, exist_ok=True)
    out_dir = given.absolute()  # reports and the store name absolute paths, whatever the working folder
    emit = on_event or (lambda *a: None)
    lock = OutputLock(given, wait=wait, on_wait=lambda holder: emit("waiting", "", {"holder": holder,
                                                                                   "out": str(given)}))
    with lock:
        emit("started", "", None)
        try:
            sweep(out_dir, lock_held=True)
            return _run_locked(source, out_dir, workers, limits, formats or DEFAULT_FORMATS, scheduler,
                               retry_errors, emit, tuple(str(Path(p).absolute()) for p in rules_path))
        finally:
            sweep(out_dir, lock_held=True)  # what timed-out or crashed workers of this run left


def _run_locked(source, out_dir: Path, workers, limits: Limits, formats: list[str], scheduler, retry_errors: bool,
                emit: Event, rules_path: tuple[str, ...] = ()) -> BatchSummary:
    reports_dir, cache_dir = out_dir / "cases", out_dir / "facts-cache"
    reports_dir.mkdir(exist_ok=True)
    store = Store(out_dir / "permitcheck.sqlite")
    run_id = uuid.uuid4().hex
    summary = BatchSummary(run_id, store=str(store.path))
    try:
        store.start_run(run_id, _now(), __version__, {"workers": workers, "timeout_s": limits.timeout_s,
                                                      "memory_mb": limits.memory_mb, "formats": formats,
                                                      "scheduler": str(scheduler) if scheduler else None})
        cases = [dataclasses.replace(c, rules_path=rules_path) for c in discover(source)] if rules_path \
            else discover(source)
        summary.total = len(cases)
        jobs, failed = [], []
        for case in cases:
            action, key, inputs, detail = _plan(case, store, retry_errors)
            if action == "skip":
                summary.skipped += 1
                emit("skipped", case.name, None)
            elif action == "error":
                failed.append((case, key, detail))
            else:
                jobs.append((case, inputs, key, detail))
        emit("planned", "", {"to_run": len(jobs) + len(failed), "skipped": summary.skipped})
        for case, key, reason in failed:
            outcome = error_outcome(reason)
            store.record(_row(case, key, run_id, None, outcome))
            summary.counts["ERROR"] = summary.counts.get("ERROR", 0) + 1
            emit("done", case.name, outcome)
        # Largest models first: the long cases start early and the short ones fill in around them.
        jobs.sort(key=lambda j: -j[3])
        keys = {c.name: (k, i) for c, i, k, _ in jobs}
        pairs = [(c, i) for c, i, _, _ in jobs]
        if scheduler is not None:
            results = _run_dask(scheduler, pairs, limits, reports_dir, cache_dir, formats)
        else:
            results = run_local(pairs, workers or multiprocessing.cpu_count(), limits, reports_dir, cache_dir, formats)
        for case, outcome in results:
            key, inputs = keys[case.name]
            store.record(_row(case, key, run_id, inputs, outcome))
            summary.counts[outcome["verdict"]] = summary.counts.get(outcome["verdict"], 0) + 1
            emit("done", case.name, outcome)
        store.finish_run(run_id, _now())
        latest = store.latest()
        for r in latest:
            summary.latest_counts[r["verdict"]] = summary.latest_counts.get(r["verdict"], 0) + 1
            if r["verdict"] != "PASS":
                summary.not_passing.append((r["case_name"], r["verdict"]))
        summary.paths = write_summary(latest, out_dir)
    finally:
        store.close()
    return summary


__all__ = ["BatchLocked", "BatchSummary", "Case", "Limits", "OutputLock", "discover", "run_batch"]
