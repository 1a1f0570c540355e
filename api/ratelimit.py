"""Per-client token buckets and a global concurrency gate, both in memory and thread-safe.

A token bucket (the traffic-policing meter of RFC 2697, as API gateways use it) refills
``rate`` tokens per second up to ``burst``; a request spends one.
The concurrency gate never queues: when all slots are busy the caller is told to come back
(load shedding), so a burst cannot pile up requests that would time out anyway.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class TokenBucketLimiter:
    """One bucket per key (client IP), the least recently seen dropped beyond ``max_keys``."""

    def __init__(
        self,
        *,
        rate_per_minute: float,
        burst: int,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, last refill)
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Spend a token for ``key``: 0.0 when allowed, else the seconds until one is available."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            self._buckets.move_to_end(key)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait

    def __len__(self) -> int:
        return len(self._buckets)


def retry_after(wait_seconds: float) -> str:
    """A ``Retry-After`` value: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_seconds)))


class Overloaded(Exception):
    """All slots are busy."""


class ConcurrencyGate:
    """At most ``limit`` holders at once; never waits: :meth:`try_acquire` says no when all are taken.

    Thread-safe, and every call returns at once, so the event loop may take and give slots.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held = 0
        self._lock = threading.Lock()

    @property
    def free(self) -> int:
        """Slots not held right now."""
        return self.limit - self._held

    def try_acquire(self) -> bool:
        """Take a slot if one is free; False (and nothing taken) when all are held."""
        with self._lock:
            if self._held >= self.limit:
                return False
            self._held += 1
            return True

    def release(self) -> None:
        """Give back a slot taken by :meth:`try_acquire`.

        Raises:
            RuntimeError: no slot is held (a release without its acquire).
        """
        with self._lock:
            if self._held <= 0:
                raise RuntimeError("ConcurrencyGate released more often than acquired")
            self._held -= 1

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for the block, or raise :class:`Overloaded` at once."""
        if not self.try_acquire():
            raise Overloaded
        try:
            yield
        finally:
            self.release()
