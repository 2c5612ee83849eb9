"""The results an officer reviews: a check result JSON, or a batch case, read as ours or refused.

A result is identified by the sha256 of its canonical JSON without its `review` block, so the same
result written again with its decisions attached keeps its identity.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from permitcheck.errors import InputError

MAX_RESULT_BYTES = 256 * 1024 * 1024  # a result with every section drawing is a few MB
RESULT_FILE = "permitcheck-result.json"  # the json report's name (permitcheck.reports.REPORTERS)
BATCH_STORE = "permitcheck.sqlite"  # permitcheck.batch's store in its --out folder
DECISIONS_FILE = "permitcheck-decisions.sqlite"
STATUSES = ("PASS", "FAIL", "REVIEW", "NOT_APPLICABLE", "UNKNOWN", "ERROR")


@dataclass(frozen=True)
class LoadedResult:
    result: dict
    label: str  # what the officer named: a path, or a batch folder and case
    store: Path  # where its decisions live by default


def result_sha256(result: dict) -> str:
    """The identity of a result: sha256 of its canonical JSON, its `review` block left out."""
    core = {k: v for k, v in result.items() if k != "review"}
    text = json.dumps(core, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def checked(result: object, where: str) -> dict:
    """`result` if it is a permitcheck check result (a tool, a verdict, findings with rules and
    statuses); InputError naming what is missing otherwise."""
    def refuse(why: str) -> InputError:
        return InputError(f"{where}: not a permitcheck check result ({why}) — give the result JSON that "
                          "`permitcheck check --report DIR` or `--format json` wrote")

    if not isinstance(result, dict):
        raise refuse("not a JSON object")
    tool = result.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "permitcheck":
        raise refuse("no tool.name 'permitcheck'")
    if result.get("verdict") not in STATUSES:
        raise refuse("no verdict")
    findings = result.get("findings")
    if not isinstance(findings, list):
        raise refuse("no findings list")
    for i, f in enumerate(findings):
        if not isinstance(f, dict) or not isinstance(f.get("rule"), str) or f.get("status") not in STATUSES:
            raise refuse(f"finding {i} has no rule or no status")
        if not isinstance(f.get("global_ids", []), list):
            raise refuse(f"finding {i}: global_ids is not a list")
    if not isinstance(result.get("elements", {}), dict):
        raise refuse("elements is not an object")
    return result


def parse(text: bytes | str, where: str) -> dict:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:  # RecursionError: a hostile nesting depth
        raise InputError(f"{where}: not JSON ({type(e).__name__}: {str(e)[:120]}) — give a permitcheck result JSON") from None
    return checked(data, where)


def read_file(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_RESULT_BYTES + 1)
    except OSError as e:
        raise InputError(f"{path}: cannot read the result ({e.strerror}) — check the path") from None
    if len(data) > MAX_RESULT_BYTES:
        raise InputError(f"{path}: over {MAX_RESULT_BYTES // 2**20} MB — not a permitcheck result")
    return parse(data, str(path))


def load(path: str | Path, case: str | None = None) -> LoadedResult:
    """A result to review: a result JSON (its decisions beside it, in permitcheck-decisions.sqlite),
    a batch case's report folder (`OUT/cases/NAME`), or a batch --out folder with `case` (the case's
    newest result in OUT/permitcheck.sqlite, where its decisions live too). A result written with its
    decisions names its store (`review.store`): that one is used when it is a decisions store."""
    path = Path(path)
    if case is not None:
        store = path / BATCH_STORE
        if not store.is_file():
            raise InputError(f"{path}: no {BATCH_STORE} — --case names a case of a batch --out folder")
        return LoadedResult(_batch_case(store, case), f"{path} case {case}", store)
    if path.is_dir():
        if (path / BATCH_STORE).is_file():
            raise InputError(f"{path}: a batch folder — name the case with --case NAME")
        file = path / RESULT_FILE
        if not file.is_file():
            raise InputError(f"{path}: no {RESULT_FILE} in this folder — give a result JSON or a batch case")
        batch = path.parent.parent / BATCH_STORE  # OUT/cases/NAME: its batch's store
        result = read_file(file)
        return LoadedResult(result, str(path), _named_store(result) or (
            batch if batch.is_file() else path / DECISIONS_FILE))
    result = read_file(path)
    return LoadedResult(result, str(path), _named_store(result) or path.parent / DECISIONS_FILE)


def _named_store(result: dict) -> Path | None:
    """The store a result written with its decisions names (`review.store`), when it is one: an existing
    SQLite file that already holds decisions. A result file is input, so a path it names is never
    created or written into unless it already is a decisions store."""
    named = (result.get("review") or {}).get("store") if isinstance(result.get("review"), dict) else None
    if not isinstance(named, str) or not named or "\x00" in named:
        return None
    path = Path(named)
    try:
        if not path.is_file():
            return None
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            found = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='decisions'").fetchone()
        finally:
            db.close()
    except (OSError, sqlite3.Error, ValueError):
        return None
    return path if found else None


def _batch_case(store: Path, case: str) -> dict:
    try:
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30)
        try:
            row = db.execute("SELECT result_json, status FROM results WHERE case_name=? ORDER BY created_at DESC "
                             "LIMIT 1", (case,)).fetchone()
        finally:
            db.close()
    except sqlite3.Error as e:
        raise InputError(f"{store}: not a permitcheck batch store ({e})") from None
    if row is None:
        raise InputError(f"{store}: no case {case!r} — see the batch's summary.csv for the case names")
    if not row[0]:
        raise InputError(f"{store}: case {case!r} ended in ERROR: it has no findings to review")
    return parse(row[0], f"{store} case {case}")
