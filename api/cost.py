"""What a question costs the server, estimated before and measured after, for admission by cost.

A token bucket that counts requests lets a client send 30 questions a minute whatever they cost, and the
cost of a question grows with its length: on this 2-core machine a new 500-character random CJK question
took 1,146 ms of CPU (median of 5) against 24 ms for a 10-character one (``docs/reliability.md``). So each
client address also has a bucket of CPU milliseconds (:class:`api.ratelimit.TokenBucketLimiter` in its
``admit`` / ``charge`` form): a question is let in while the balance is positive and first spends its
estimate — ``ms_per_char`` per character, a deterministic floor that a question cannot slip under by
arriving when the server is idle — and, once answered, whatever its measured CPU time exceeded that.

Questions whose estimate reaches ``expensive_ms`` also need a slot in a smaller lane (``expensive_slots``,
1 of the 4 CPU slots by default), so however many long questions arrive, the other slots stay free for
ordinary ones.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CostModel:
    """The estimate of a question's cost from its length, and the line between ordinary and expensive."""

    ms_per_char: float
    expensive_ms: float

    def estimate_ms(self, text: str) -> float:
        return len(text) * self.ms_per_char

    def is_expensive(self, estimate_ms: float) -> bool:
        return estimate_ms >= self.expensive_ms


class Meter:
    """Accumulates the CPU time of the blocks run under :meth:`measure` (one request's work).

    ``time.thread_time`` counts only the calling thread: the endpoint runs in one pool thread and the
    query embedder runs its model in that thread (one OpenMP thread on the request path).
    """

    def __init__(self) -> None:
        self.cpu_ms = 0.0

    @contextmanager
    def measure(self) -> Iterator[None]:
        start = time.thread_time()
        try:
            yield
        finally:
            self.cpu_ms += (time.thread_time() - start) * 1000.0
