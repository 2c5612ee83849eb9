"""Running cases in isolated worker processes: a crash, hang or memory blow-up costs one case.

Locally each case runs in its own forked process (cheap: the parent has the libraries loaded), with
an address-space cap (RLIMIT_AS) and a wall-clock timeout; the parent waits on all of them at once
and records whatever each one ends with. On Dask each task runs the case in a child
`python -m permitcheck.batch.worker` process for the same isolation. On Linux a worker is killed
when the process that started it dies (even by kill -9), so no orphan writes on into an output
folder that a re-run has taken over.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from permitcheck.aside import die_with_parent
from permitcheck.batch.cases import Case
from permitcheck.batch.work import error_outcome, run_case


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 600.0
    memory_mb: int | None = 4096


def _cap_memory(memory_mb: int | None) -> None:
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child(conn, case: Case, inputs: dict, reports_dir: Path, cache_dir: Path | None, formats: list[str],
           memory_mb: int | None, parent_pid: int) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which ends the children
    try:
        _cap_memory(memory_mb)
        outcome = run_case(case, inputs, reports_dir, cache_dir, formats)
    except MemoryError:
        outcome = error_outcome(f"memory cap of {memory_mb} MB exceeded")
    except Exception as e:  # noqa: BLE001 - every failure becomes the case's ERROR
        from permitcheck.errors import PermitcheckError

        detail = "" if isinstance(e, PermitcheckError) else " | " + traceback.format_exc(limit=3).replace("\n", " ")
        outcome = error_outcome(f"{type(e).__name__}: {e}{detail}")
    conn.send(outcome)
    conn.close()


def _died(proc, limits: Limits) -> str:
    code = proc.exitcode
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"worker crashed ({name})" + (" — possibly the memory cap" if name == "SIGKILL" else "")
    return f"worker exited with code {code} without a result"


def _preload() -> None:
    """Import what every case needs, once, in the parent before it forks: each case's process then
    starts with ifcopenshell, shapely, trimesh, the rulebook schema, the reports and the IDS schema
    loaded instead of loading them itself."""
    import permitcheck.checking  # noqa: F401
    import permitcheck.reports  # noqa: F401
    from permitcheck.model.ids import prewarm

    prewarm()


def run_local(jobs: list[tuple[Case, dict]], workers: int, limits: Limits, reports_dir: Path,
              cache_dir: Path | None, formats: list[str]) -> Iterator[tuple[Case, dict]]:
    """Yield (case, outcome) as cases finish, `workers` at a time."""
    _preload()
    ctx = multiprocessing.get_context("fork")
    pending = list(jobs)
    active: dict = {}  # reader connection -> (case, process, started)
    try:
        while pending or active:
            while pending and len(active) < workers:
                case, inputs = pending.pop(0)
                try:
                    reader, writer = ctx.Pipe(duplex=False)
                except OSError as e:  # out of file descriptors: this case cannot start, the others may
                    yield case, error_outcome(f"could not start a worker: {e}", {"wall_s": 0.0})
                    continue
                proc = ctx.Process(target=_child, args=(writer, case, inputs, reports_dir, cache_dir, formats,
                                                        limits.memory_mb, os.getpid()), daemon=True)
                try:
                    proc.start()
                except OSError as e:  # fork refused (EAGAIN, ENOMEM): the case is an ERROR, counted like any
                    reader.close()
                    writer.close()
                    yield case, error_outcome(f"could not start a worker: {e}", {"wall_s": 0.0})
                    continue
                writer.close()
                active[reader] = (case, proc, time.monotonic())
            if not active:  # every case tried just now could not start
                continue
            now = time.monotonic()
            wait_s = max(0.0, min(start + limits.timeout_s - now for _, _, start in active.values()))
            ready = multiprocessing.connection.wait(list(active), timeout=min(wait_s, 1.0) + 0.01)
            for reader in ready:
                case, proc, start = active.pop(reader)
                try:
                    outcome = reader.recv()
                except (EOFError, OSError):
                    proc.join(5)
                    outcome = error_outcome(_died(proc, limits))
                reader.close()
                proc.join(5)
                outcome["timings"]["wall_s"] = time.monotonic() - start
                yield case, outcome
            now = time.monotonic()
            for reader, (case, proc, start) in list(active.items()):
                if now - start > limits.timeout_s:
                    proc.kill()
                    proc.join(5)
                    active.pop(reader)
                    reader.close()
                    yield case, error_outcome(f"timed out after {limits.timeout_s:g} s", {"wall_s": now - start})
    finally:
        for reader, (case, proc, start) in active.items():
            proc.kill()
            proc.join(5)


def run_in_subprocess(case_json: str, reports_dir: str, cache_dir: str | None, formats: list[str],
                      timeout_s: float, memory_mb: int | None) -> dict:
    """One case in a fresh `python -m permitcheck.batch.worker` (the Dask task body)."""
    import json
    import subprocess

    start = time.monotonic()
    payload = json.dumps({"case": json.loads(case_json), "reports_dir": reports_dir, "cache_dir": cache_dir,
                          "formats": formats})
    parent = os.getpid()

    def setup() -> None:
        die_with_parent(parent)
        _cap_memory(memory_mb)

    try:
        proc = subprocess.run([sys.executable, "-m", "permitcheck.batch.worker"], input=payload,
                              capture_output=True, text=True, timeout=timeout_s,
                              preexec_fn=setup if os.name == "posix" else None)
    except subprocess.TimeoutExpired:
        return error_outcome(f"timed out after {timeout_s:g} s", {"wall_s": time.monotonic() - start})
    if proc.returncode < 0:
        name = signal.Signals(-proc.returncode).name
        return error_outcome(f"worker crashed ({name})", {"wall_s": time.monotonic() - start})
    try:
        outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return error_outcome(f"worker exited with code {proc.returncode} without a result: "
                             f"{proc.stderr.strip()[-300:]}", {"wall_s": time.monotonic() - start})
    outcome["timings"]["wall_s"] = time.monotonic() - start
    return outcome
