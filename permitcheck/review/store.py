"""The decisions store: SQLite, append-only, beside the results the decisions were made on.

Three tables: `reviewed_results` (each result a decision or a reply was made on, by its sha256,
with its JSON), `decisions` (an officer's decision on one rule of one result) and `replies` (the
architect's comments and status changes read back from a BCF reply). Triggers refuse every UPDATE
and DELETE: a decision is never edited; a newer one on the same result and rule supersedes it.
For a batch case the tables live in the batch's own permitcheck.sqlite, next to its results.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from permitcheck.errors import InputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS reviewed_results (
  result_sha256 TEXT PRIMARY KEY, model_path TEXT, model_sha256 TEXT, checked_at TEXT, verdict TEXT,
  result_json TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  result_sha256 TEXT NOT NULL REFERENCES reviewed_results(result_sha256),
  rule TEXT NOT NULL,
  automatic TEXT NOT NULL,                 -- the finding's status as checked
  measured REAL, limit_value REAL, unit TEXT, global_ids_json TEXT NOT NULL,  -- the finding decided on
  decision TEXT NOT NULL CHECK (decision IN ('accept', 'override', 'request_changes')),
  status TEXT NOT NULL CHECK (status IN ('PASS', 'FAIL', 'NOT_APPLICABLE')),  -- the status it decides
  reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  decided_by TEXT NOT NULL CHECK (length(trim(decided_by)) > 0),
  decided_at TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('officer', 'carried')),
  carried_from INTEGER REFERENCES decisions(id),  -- the decision on an earlier submission it carries
  recorded_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_by_result ON decisions (result_sha256, rule, id);
CREATE TABLE IF NOT EXISTS replies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  result_sha256 TEXT NOT NULL REFERENCES reviewed_results(result_sha256),
  rule TEXT NOT NULL, topic_guid TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('comment', 'status')),
  reply_key TEXT NOT NULL,                 -- the comment's GUID, or the status and its date
  author TEXT, at TEXT, text TEXT, read_from TEXT, recorded_at TEXT NOT NULL,
  UNIQUE (result_sha256, topic_guid, reply_key));
"""
_APPEND_ONLY = ("reviewed_results", "decisions", "replies")
TRIGGERS = "".join(
    f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
    f"BEGIN SELECT RAISE(ABORT, '{t} are append-only'); END;\n"
    for t in _APPEND_ONLY for op in ("UPDATE", "DELETE"))

DECISIONS = ("accept", "override", "request_changes")


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Decision:
    id: int
    result_sha256: str
    rule: str
    automatic: str
    measured: float | None
    limit: float | None
    unit: str
    global_ids: tuple[str, ...]
    decision: str
    status: str
    reason: str
    by: str
    at: str
    source: str
    carried_from: int | None

    def to_dict(self) -> dict:
        return {"id": self.id, "rule": self.rule, "automatic": self.automatic, "decision": self.decision,
                "status": self.status, "reason": self.reason, "by": self.by, "at": self.at, "source": self.source,
                "carried_from": self.carried_from}


@dataclass(frozen=True)
class Reply:
    rule: str
    topic_guid: str
    kind: str
    author: str | None
    at: str | None
    text: str | None

    def to_dict(self) -> dict:
        return {"rule": self.rule, "topic_guid": self.topic_guid, "kind": self.kind, "author": self.author,
                "at": self.at, "text": self.text}


class DecisionStore:
    """Opens (creating) the decisions tables in `path`; use as a context manager. `readonly`: only read,
    creating nothing (a store without the tables reads as empty)."""

    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = Path(path)
        self.empty = False
        try:
            if readonly:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=60)
                self.empty = self.db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name IN "
                                             "('decisions', 'replies')").fetchone()[0] < 2
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=60)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA + TRIGGERS)
        except (OSError, sqlite3.Error) as e:
            raise InputError(f"{self.path}: cannot open the decisions store ({e}) — give --store a SQLite file "
                             "you can write") from None

    def __enter__(self) -> DecisionStore:
        return self

    def __exit__(self, *exc) -> None:
        self.db.close()

    def add_result(self, sha: str, result: dict) -> None:
        """Record the result decisions are made on (once: it is keyed by its sha256)."""
        model = result.get("model") or {}
        core = {k: v for k, v in result.items() if k != "review"}
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO reviewed_results VALUES (?,?,?,?,?,?,?)",
                            (sha, str(model.get("path", "")), model.get("sha256"), result.get("checked_at"),
                             result.get("verdict"), json.dumps(core, ensure_ascii=False), now()))

    def add_decision(self, sha: str, finding: dict, decision: str, status: str, reason: str, by: str,
                     at: str | None = None, source: str = "officer", carried_from: int | None = None) -> int:
        with self.db:
            cur = self.db.execute(
                "INSERT INTO decisions (result_sha256, rule, automatic, measured, limit_value, unit, global_ids_json,"
                " decision, status, reason, decided_by, decided_at, source, carried_from, recorded_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (sha, finding["rule"], finding["status"], _num(finding.get("measured")), _num(finding.get("limit")),
                 str(finding.get("unit") or ""), json.dumps(sorted(map(str, finding.get("global_ids") or []))),
                 decision, status, reason, by, at or now(), source, carried_from, now()))
        return int(cur.lastrowid)

    def add_reply(self, sha: str, reply: Reply, key: str, read_from: str) -> bool:
        """Record one reply; False when it was read before (same topic and comment GUID or status change)."""
        with self.db:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO replies (result_sha256, rule, topic_guid, kind, reply_key, author, at, text,"
                " read_from, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (sha, reply.rule, reply.topic_guid, reply.kind, key, reply.author, reply.at, reply.text, read_from,
                 now()))
        return cur.rowcount == 1

    def decisions(self, sha: str) -> list[Decision]:
        """Every decision on the result, oldest first."""
        if self.empty:
            return []
        rows = self.db.execute(
            "SELECT id, result_sha256, rule, automatic, measured, limit_value, unit, global_ids_json, decision, status,"
            " reason, decided_by, decided_at, source, carried_from FROM decisions WHERE result_sha256=? ORDER BY id",
            (sha,)).fetchall()
        return [Decision(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", tuple(json.loads(r[7])), *r[8:]) for r in rows]

    def current(self, sha: str) -> dict[str, tuple[Decision, list[Decision]]]:
        """Per rule, the decision in force (the newest) and those it supersedes (newest first)."""
        out: dict[str, tuple[Decision, list[Decision]]] = {}
        for d in self.decisions(sha):
            if d.rule in out:
                newest, older = out[d.rule]
                out[d.rule] = (d, [newest] + older)
            else:
                out[d.rule] = (d, [])
        return out

    def replies(self, sha: str) -> list[Reply]:
        if self.empty:
            return []
        rows = self.db.execute("SELECT rule, topic_guid, kind, author, at, text FROM replies WHERE result_sha256=? "
                               "ORDER BY id", (sha,)).fetchall()
        return [Reply(*r) for r in rows]


def _num(x) -> float | None:
    return None if x is None or isinstance(x, bool) or not isinstance(x, (int, float)) else float(x)
