"""Durable feedback storage in SQLite.

WAL journal with ``synchronous=FULL``: a write that returned is on disk, through a crash or a
power cut, and readers never block the writer. One short-lived connection per call keeps the
store safe to use from any thread and from several worker processes; a process-wide lock
serializes this process's writers so they do not spin on SQLite's busy timeout.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

Rating = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT    NOT NULL,
    session_id TEXT,
    question   TEXT    NOT NULL,
    answer     TEXT    NOT NULL,
    rating     TEXT    NOT NULL CHECK (rating IN ('up', 'down')),
    comment    TEXT
)
"""


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    id: int
    created_at: str
    session_id: str | None
    question: str
    answer: str
    rating: Rating
    comment: str | None


class FeedbackStore:
    """Append and list feedback; the database file and its folder are created on first use."""

    def __init__(self, path: Path, *, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout
        self._write_lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            # journal_mode is stored in the file; synchronous is per connection (set in _connect).
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)) as conn:
            conn.execute("PRAGMA synchronous=FULL")
            yield conn

    def add(
        self,
        *,
        question: str,
        answer: str,
        rating: Rating,
        session_id: str | None = None,
        comment: str | None = None,
    ) -> int:
        """Store one entry durably and return its id."""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self._write_lock, self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute(
                    "INSERT INTO feedback (created_at, session_id, question, answer, rating, comment)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (created, session_id, question, answer, rating, comment),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return int(cast(int, cur.lastrowid))

    def recent(self, limit: int = 100) -> list[FeedbackEntry]:
        """The newest ``limit`` entries, newest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, created_at, session_id, question, answer, rating, comment"
                " FROM feedback ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [FeedbackEntry(int(r[0]), r[1], r[2], r[3], r[4], cast(Rating, r[5]), r[6]) for r in rows]

    def count(self) -> int:
        with self._connect() as conn:
            (n,) = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()
        return int(n)
