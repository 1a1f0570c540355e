"""Per-client token buckets and a global concurrency gate, both in memory and thread-safe.

A token bucket (the traffic-policing meter of RFC 2697, as API gateways use it) refills
``rate`` tokens per second up to ``burst``; a request spends one, or, in a bucket of CPU time, what
it cost.
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
    """One bucket per key (client address), the least recently seen dropped beyond ``max_keys``.

    :meth:`acquire` spends one token (a request); :meth:`admit` and :meth:`charge` spend an amount
    that is only known roughly up front and exactly afterwards (CPU milliseconds): a request is let in
    when the balance covers its estimate, and what it then costs beyond that may take the balance below
    zero, so the client waits until the refill has paid that debt.
    """

    def __init__(
        self,
        *,
        rate_per_minute: float,
        burst: float,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, last refill)
        self._lock = threading.Lock()

    def _tokens(self, key: str, now: float) -> float:
        """The refilled balance of ``key``'s bucket (call with the lock held)."""
        tokens, last = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - last) * self.rate)

    def _store(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)

    def acquire(self, key: str) -> float:
        """Spend a token for ``key``: 0.0 when allowed, else the seconds until one is available."""
        now = self._clock()
        with self._lock:
            tokens = self._tokens(key, now)
            if tokens >= 1.0:
                self._store(key, tokens - 1.0, now)
                return 0.0
            self._store(key, tokens, now)
            return (1.0 - tokens) / self.rate

    def admit(self, key: str, estimate: float) -> float:
        """Let ``key`` in when its balance covers ``estimate`` (or, for an estimate above the burst, a
        full bucket), spending the estimate at once; else the seconds until it would, nothing spent.

        The balance goes below zero when :meth:`charge` adds what a request cost beyond its estimate;
        the client then waits until the refill has paid that debt.
        """
        need = max(min(estimate, self.burst), 1e-6)
        now = self._clock()
        with self._lock:
            tokens = self._tokens(key, now)
            if tokens >= need:
                self._store(key, tokens - estimate, now)
                return 0.0
            self._store(key, tokens, now)
            return (need - tokens) / self.rate

    def charge(self, key: str, amount: float) -> None:
        """Spend ``amount`` more for ``key`` (what a request cost beyond what :meth:`admit` spent)."""
        now = self._clock()
        with self._lock:
            self._store(key, self._tokens(key, now) - amount, now)

    def refund(self, key: str, amount: float = 1.0) -> None:
        """Give back ``amount`` spent by a request that was then refused for another reason (503)."""
        now = self._clock()
        with self._lock:
            self._store(key, min(self.burst, self._tokens(key, now) + amount), now)

    def balance(self, key: str) -> float:
        """The balance of ``key``'s bucket now (``burst`` for a key never seen)."""
        with self._lock:
            return self._tokens(key, self._clock())

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
