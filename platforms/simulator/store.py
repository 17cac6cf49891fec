"""The simulator's state: one SQLite file (WAL) under the state directory.

Everything a restart must keep lives here: the idempotency records and call log, the
deliveries and publications, the pending webhooks (an outbox), the evidence printouts,
the outages, the demo people and accounts, and the anchor of the legal calendar.
All access goes through one connection guarded by a lock; a mutation is one
``BEGIN IMMEDIATE`` transaction, so a crash leaves either all of it or none.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["STATE_FILE", "Store"]

STATE_FILE = "platform-simulator.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS people (
    national_id TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    birth_year INTEGER NOT NULL,
    residence TEXT NOT NULL,
    account_id TEXT
);
CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY,
    national_id TEXT NOT NULL,
    status TEXT NOT NULL,
    delivered_after REAL NOT NULL,
    opened_after REAL,
    confirmed_after REAL
);
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    operation TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    replays INTEGER NOT NULL DEFAULT 0,
    UNIQUE (platform, operation, idempotency_key)
);
CREATE TABLE IF NOT EXISTS subjects (
    id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at REAL NOT NULL,
    day TEXT,
    issue_number INTEGER,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS subjects_by_day ON subjects (platform, day);
CREATE INDEX IF NOT EXISTS subjects_by_issue ON subjects (platform, issue_number);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    occurred_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    sent_at REAL,
    UNIQUE (subject_id, seq)
);
CREATE INDEX IF NOT EXISTS events_due ON events (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS evidence (
    subject_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    record TEXT NOT NULL,
    pdf BLOB NOT NULL,
    PRIMARY KEY (subject_id, stage)
);
CREATE TABLE IF NOT EXISTS capacities (
    platform TEXT PRIMARY KEY,
    per_second REAL NOT NULL,
    burst REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outages (
    platform TEXT PRIMARY KEY,
    down_until REAL,
    error_rate REAL NOT NULL DEFAULT 0,
    lost_reply_rate REAL NOT NULL DEFAULT 0,
    latency_ms INTEGER NOT NULL DEFAULT 0,
    reject INTEGER NOT NULL DEFAULT 0,
    reject_reason TEXT,
    seed INTEGER
);
"""


class Store:
    """One SQLite connection to ``state_dir / STATE_FILE``, serialized by a lock."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / STATE_FILE
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any exception."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection, for reads (no transaction is opened)."""
        with self._lock:
            yield self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()
