"""Durable feedback storage in SQLite, bounded in size and age.

WAL journal with ``synchronous=FULL``: a write that returned is on disk, through a crash or a
power cut, and readers never block the writer. One short-lived connection per call keeps the
store safe to use from any thread and from several worker processes; a process-wide lock
serializes this process's writers so they do not spin on SQLite's busy timeout.

The plans an answer cites are kept with its rating (``doc_id``: the plans' ids, comma-separated; NULL for
entries written before the column existed, which a start adds to an older database without touching its
rows). Every write connection makes sure the table exists, so a database file deleted with its folder is
recreated as soon as the folder is back, without a restart. Any SQLite or OS failure is raised as
:class:`StorageError` carrying the real cause (the API answers it with 503). Entries older than
``retention_days`` are deleted at start and at most once an hour after; past ``max_bytes`` new entries are
refused with :class:`FeedbackFull` rather than filling the disk.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
    comment    TEXT,
    doc_id     TEXT
)
"""
# Columns added after the first release, with their types: a database written before them gains them at
# start (``ALTER TABLE … ADD COLUMN``), its rows keeping NULL there.
_ADDED_COLUMNS = (("doc_id", "TEXT"),)
PRUNE_EVERY_SECONDS = 3600.0


class StorageError(Exception):
    """The feedback database cannot be read or written (disk full, read-only, folder gone …)."""


class FeedbackFull(StorageError):
    """The database reached ``max_bytes``; nothing more is stored until entries age out."""


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    id: int
    created_at: str
    session_id: str | None
    question: str
    answer: str
    rating: Rating
    comment: str | None
    doc_ids: tuple[str, ...] = ()  # the plans the rated answer cites (none: unknown, or an old entry)


def diagnosis(path: Path) -> str:
    """What SQLite's message may leave out ("unable to open database file" says nothing of why)."""
    folder = path.parent
    if not folder.is_dir():
        return f" (the folder {folder} does not exist)"
    try:
        stat = os.statvfs(folder)
    except OSError as exc:
        return f" ({exc})"
    if stat.f_flag & os.ST_RDONLY:
        return f" (the file system of {folder} is read-only)"
    if stat.f_bavail * stat.f_frsize < 64 * 1024:
        return f" (the file system of {folder} is full)"
    return ""


def _plans(stored: str | None) -> tuple[str, ...]:
    return tuple(stored.split(",")) if stored else ()


def _now() -> datetime:
    return datetime.now(UTC)


class FeedbackStore:
    """Append, list and age out feedback; the database file is created on first use.

    Args:
        path: the SQLite file; its folder is created here, at start.
        timeout: SQLite's busy timeout in seconds.
        retention_days: entries older than this are deleted; 0 keeps them forever.
        max_bytes: the database size past which :meth:`add` refuses; 0 means no limit.

    Raises:
        StorageError: at start, when the database cannot be opened.
    """

    def __init__(
        self, path: Path, *, timeout: float = 10.0, retention_days: int = 0, max_bytes: int = 0
    ) -> None:
        self.path = path
        self.timeout = timeout
        self.retention_days = retention_days
        self.max_bytes = max_bytes
        self._write_lock = threading.Lock()
        self._pruned_at = float("-inf")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create {path.parent}: {exc}") from exc
        with self._write_lock, self._connect(write=True) as conn:
            self._migrate(conn)
            self._prune(conn)

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)) as conn:
                conn.execute("PRAGMA synchronous=FULL")
                if write and not self._has_table(conn):
                    # journal_mode is stored in the file, so a new file gets it once, with the table.
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(_SCHEMA)
                yield conn
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(
                f"feedback database {self.path}: {type(exc).__name__}: {exc}{diagnosis(self.path)}"
            ) from exc

    @staticmethod
    def _has_table(conn: sqlite3.Connection) -> bool:
        row = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'"
        ).fetchone()
        return row is not None

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        """Add the columns an older database lacks; its rows keep NULL there. Under the write lock of the
        database (``BEGIN IMMEDIATE``), so two processes starting together add each column once."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            have = {str(row[1]) for row in conn.execute("PRAGMA table_info(feedback)")}
            for name, kind in _ADDED_COLUMNS:
                if name not in have:
                    conn.execute(f"ALTER TABLE feedback ADD COLUMN {name} {kind}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def size_bytes(self) -> int:
        """Bytes of the database's pages in use (free pages, left by deleted entries, are reused)."""
        with self._connect() as conn:
            return self._size(conn)

    def add(
        self,
        *,
        question: str,
        answer: str,
        rating: Rating,
        session_id: str | None = None,
        comment: str | None = None,
        doc_ids: tuple[str, ...] = (),
    ) -> int:
        """Store one entry durably and return its id (``doc_ids``: the plans the rated answer cites).

        Raises:
            FeedbackFull: the database is at ``max_bytes``.
            StorageError: the database cannot be written.
        """
        created = _now().isoformat(timespec="seconds")
        with self._write_lock, self._connect(write=True) as conn:
            if time.monotonic() - self._pruned_at >= PRUNE_EVERY_SECONDS:
                self._prune(conn)
            if self.max_bytes and self._size(conn) >= self.max_bytes:
                raise FeedbackFull(
                    f"feedback database {self.path} reached its limit of {self.max_bytes} bytes"
                )
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute(
                    "INSERT INTO feedback (created_at, session_id, question, answer, rating, comment, doc_id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (created, session_id, question, answer, rating, comment, ",".join(doc_ids) or None),
                )
                conn.execute("COMMIT")
            except BaseException:
                # A failed COMMIT may already have rolled back; never let "cannot rollback" hide the cause.
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
            return int(cast(int, cur.lastrowid))

    @staticmethod
    def _size(conn: sqlite3.Connection) -> int:
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
        (free,) = conn.execute("PRAGMA freelist_count").fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
        return (int(pages) - int(free)) * int(size)

    def _prune(self, conn: sqlite3.Connection) -> int:
        self._pruned_at = time.monotonic()
        if self.retention_days <= 0:
            return 0
        cutoff = (_now() - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        return int(conn.execute("DELETE FROM feedback WHERE created_at < ?", (cutoff,)).rowcount)

    def prune(self) -> int:
        """Delete the entries older than ``retention_days`` now; returns how many went."""
        with self._write_lock, self._connect(write=True) as conn:
            return self._prune(conn)

    def recent(self, limit: int = 100) -> list[FeedbackEntry]:
        """The newest ``limit`` entries, newest first (none when the table is gone)."""
        with self._connect() as conn:
            if not self._has_table(conn):
                return []
            rows = conn.execute(
                "SELECT id, created_at, session_id, question, answer, rating, comment, doc_id"
                " FROM feedback ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            FeedbackEntry(int(r[0]), r[1], r[2], r[3], r[4], cast(Rating, r[5]), r[6], _plans(r[7]))
            for r in rows
        ]

    def count(self) -> int:
        with self._connect() as conn:
            if not self._has_table(conn):
                return 0
            (n,) = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()
        return int(n)
