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
from permitcheck.readfile import read_limited

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


REQUIRED = ("schema_version", "tool", "model", "facts", "warnings", "verdict", "zone", "rulebook", "site", "elements",
            "findings", "checked_at", "provenance")  # as the JSON schema requires them


def _number(x) -> bool:
    return x is None or (isinstance(x, (int, float)) and not isinstance(x, bool) and x == x and abs(x) != float("inf"))


def _finding_problem(f) -> str | None:
    if not isinstance(f, dict):
        return "not an object"
    if not isinstance(f.get("rule"), str) or f.get("status") not in STATUSES:
        return "no rule or no status"
    if not all(isinstance(f.get(k), str) for k in ("title", "kind", "severity", "reason")):
        return "title, kind, severity and reason must be text"
    if not all(_number(f.get(k)) for k in ("measured", "limit", "margin")) or not isinstance(f.get("unit", ""), str):
        return "measured, limit and margin must be numbers or null"
    ids = f.get("global_ids")
    if not isinstance(ids, list) or not all(isinstance(g, str) for g in ids):
        return "global_ids must be a list of GlobalIds"
    if not isinstance(f.get("citation"), dict) or not isinstance(f.get("details"), dict):
        return "citation and details must be objects"
    return None


def _element_problem(e) -> str | None:
    if not isinstance(e, dict) or not isinstance(e.get("ifc_class"), str) or not isinstance(e.get("name"), str):
        return "an element needs its ifc_class and name"
    box = e.get("bbox_model")
    if box is not None and (not isinstance(box, list) or len(box) != 6 or not all(_number(x) and x is not None
                                                                                 for x in box)):
        return "an element's bbox_model must be six numbers"
    if not _number(e.get("area_m2")):
        return "an element's area_m2 must be a number"
    return None


def checked(result: object, where: str) -> dict:
    """`result` if it is a permitcheck check result, as far as the review, the diff and the reports read
    it (the schema's top-level keys; findings with rules, statuses, figures and GlobalIds; elements with
    their signature); InputError naming the first thing amiss otherwise."""
    def refuse(why: str) -> InputError:
        return InputError(f"{where}: not a permitcheck check result ({why}) — give the result JSON that "
                          "`permitcheck check --report DIR` or `--format json` wrote")

    if not isinstance(result, dict):
        raise refuse("not a JSON object")
    tool = result.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "permitcheck":
        raise refuse("no tool.name 'permitcheck'")
    missing = [k for k in REQUIRED if k not in result]
    if missing:
        raise refuse(f"no {', '.join(missing[:4])}")
    if result.get("verdict") not in STATUSES:
        raise refuse("no verdict")
    if not all(isinstance(result[k], dict) for k in ("model", "facts", "rulebook", "site", "provenance")):
        raise refuse("model, facts, rulebook, site and provenance must be objects")
    findings = result["findings"]
    if not isinstance(findings, list):
        raise refuse("no findings list")
    for i, f in enumerate(findings):
        problem = _finding_problem(f)
        if problem:
            raise refuse(f"finding {i}: {problem}")
    elements = result["elements"]
    if not isinstance(elements, dict):
        raise refuse("elements is not an object")
    for gid, e in elements.items():
        problem = _element_problem(e)
        if problem:
            raise refuse(f"element {gid[:40]!r}: {problem}")
    return result


def parse(text: bytes | str, where: str) -> dict:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:  # RecursionError: a hostile nesting depth
        raise InputError(f"{where}: not JSON ({type(e).__name__}: {str(e)[:120]}) — give a permitcheck result JSON") from None
    return checked(data, where)


def read_file(path: Path) -> dict:
    data = read_limited(path, MAX_RESULT_BYTES, InputError, "cannot read the result ({why}) — check the path",
                        f"over {MAX_RESULT_BYTES // 2**20} MB — not a permitcheck result")
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
