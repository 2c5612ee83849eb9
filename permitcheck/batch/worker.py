"""`python -m permitcheck.batch.worker`: run one case read as JSON on stdin; the outcome on stdout."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

from permitcheck.batch.cases import Case
from permitcheck.batch.inputs import inputs_of
from permitcheck.batch.work import error_outcome, run_case


def main() -> None:
    job = json.loads(sys.stdin.read())
    raw = job["case"]
    raw["anchor"] = tuple(raw["anchor"]) if raw.get("anchor") else None
    raw["rules_path"] = tuple(raw.get("rules_path") or ())
    raw["declare"] = tuple(tuple(kv) for kv in raw.get("declare") or ())
    raw["site_layers"] = tuple(tuple(kv) for kv in raw.get("site_layers") or ())
    raw["submission"] = tuple(tuple(kv) for kv in raw.get("submission") or ())
    case = Case(**raw)
    try:
        outcome = run_case(case, inputs_of(case), Path(job["reports_dir"]),
                           Path(job["cache_dir"]) if job.get("cache_dir") else None, job["formats"])
    except MemoryError:
        outcome = error_outcome("memory cap exceeded")
    except Exception as e:  # noqa: BLE001
        outcome = error_outcome(f"{type(e).__name__}: {e} | {traceback.format_exc(limit=3)}")
    sys.stdout.write("\n" + json.dumps(outcome) + "\n")


if __name__ == "__main__":
    main()
