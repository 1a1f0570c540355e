"""Process counters served at ``/metrics`` (Prometheus text format): answers, refusals and crashes.

A crash of the question-answering code is an error, never a refusal: it is logged with the question's hash
(not its text), counted here, and answered 500 in the error shape.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter


class Metrics:
    """Thread-safe counters, per process (each ``--workers`` child has its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def inc(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def get(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def render(self) -> str:
        """The counters in the Prometheus text exposition format."""
        with self._lock:
            items = sorted(self._counts.items())
        lines = []
        for name, value in items:
            lines += [f"# TYPE taskqa_{name} counter", f"taskqa_{name} {value}"]
        return "\n".join(lines) + "\n"


def question_hash(question: str) -> str:
    """A short, stable hash of a question: enough to find it again in logs without logging its text."""
    return hashlib.sha256(question.encode("utf-8")).hexdigest()[:12]
