"""Conversation memory for follow-ups, bounded in size (LRU) and time (TTL)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from qa.planner import Turn


@dataclass(slots=True)
class Session:
    """One conversation: the previous turn a follow-up refers to."""

    id: str
    turn: Turn | None = None
    touched: float = field(default_factory=time.monotonic)


class SessionStore:
    """Thread-safe store.

    The oldest session is dropped past ``max_sessions``, idle ones after ``ttl_seconds``.
    """

    def __init__(self, max_sessions: int = 10_000, ttl_seconds: float = 1800.0) -> None:
        self.max_sessions = max_sessions
        self.ttl = ttl_seconds
        self._data: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, session_id: str | None) -> Session:
        """The live session with that id, or a new one with a new id this store chose.

        An id the store does not hold (never issued, or expired) is never adopted: a client that could
        name its own session could pick one another client will be given, or a predictable one.
        """
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            if session_id and session_id in self._data:
                s = self._data[session_id]
                s.touched = now
                self._data.move_to_end(session_id)
                return s
            s = Session(id=uuid.uuid4().hex)
            self._data[s.id] = s
            while len(self._data) > self.max_sessions:
                self._data.popitem(last=False)
            return s

    def _expire(self, now: float) -> None:
        while self._data:
            oldest = next(iter(self._data.values()))
            if now - oldest.touched <= self.ttl:
                break
            self._data.popitem(last=False)
