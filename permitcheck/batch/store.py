"""The results store: SQLite, one row per case and distinct inputs, written atomically.

A row is committed in one transaction after the case's reports are in place, so a batch killed at
any moment leaves each case either fully recorded or not at all; a re-run skips the recorded ones.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, started_at TEXT, finished_at TEXT, tool_version TEXT, options_json TEXT);
CREATE TABLE IF NOT EXISTS results (
  case_name TEXT NOT NULL, inputs_key TEXT NOT NULL, run_id TEXT NOT NULL,
  status TEXT NOT NULL,            -- done | error
  verdict TEXT NOT NULL,           -- PASS FAIL REVIEW UNKNOWN ERROR
  error TEXT,
  model_sha256 TEXT, site_sha256 TEXT, rulebook_sha256_json TEXT, rulebook_version TEXT, tool_version TEXT,
  findings_json TEXT, result_json TEXT, timings_json TEXT, report_dir TEXT, created_at TEXT NOT NULL,
  PRIMARY KEY (case_name, inputs_key));
"""


def _create(path: Path) -> None:
    """Make the store with its tables under a temporary name and link it into place.

    A reader (a dashboard, a test, a second batch) that finds the file then always finds the
    tables; if two batches race to create it, the first link wins and the other is discarded.
    SQLite creates the file, so it gets the usual permissions (the umask), not a temp file's 0600.
    """
    tmp = path.parent / f".permitcheck-{os.getpid()}-{uuid.uuid4().hex}.sqlite"  # pid: see litter.py
    try:
        db = sqlite3.connect(tmp)
        db.executescript(SCHEMA)
        db.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # a filesystem without hard links: a rename, which could replace a racing twin
            if not path.exists():
                os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            _create(self.path)
        self.db = sqlite3.connect(self.path, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def has(self, case_name: str, inputs_key: str, include_errors: bool = True) -> bool:
        row = self.db.execute("SELECT status FROM results WHERE case_name=? AND inputs_key=?",
                              (case_name, inputs_key)).fetchone()
        return row is not None and (include_errors or row[0] == "done")

    def start_run(self, run_id: str, started_at: str, tool_version: str, options: dict) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?)",
                            (run_id, started_at, None, tool_version, json.dumps(options)))

    def finish_run(self, run_id: str, finished_at: str) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished_at=? WHERE run_id=?", (finished_at, run_id))

    def record(self, row: dict) -> None:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self.db:  # one transaction: the case is recorded whole or not at all
            self.db.execute(f"INSERT OR REPLACE INTO results ({cols}) VALUES ({marks})", tuple(row.values()))

    def latest(self) -> list[dict]:
        """The newest row per case."""
        self.db.row_factory = sqlite3.Row
        try:
            rows = self.db.execute(
                "SELECT * FROM results r WHERE created_at = (SELECT MAX(created_at) FROM results q "
                "WHERE q.case_name = r.case_name) GROUP BY case_name ORDER BY case_name").fetchall()
            return [dict(r) for r in rows]
        finally:
            self.db.row_factory = None

    def count(self, case_name: str | None = None) -> int:
        if case_name is None:
            return self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM results WHERE case_name=?", (case_name,)).fetchone()[0]
