"""Latency summaries: percentiles of one pass, medians across passes, and the machine's load.

Timings on a shared 2-core machine are noisy, so every figure in the report is the median
over repeated passes of a per-pass percentile (never a single run), and the 1-minute load
average is recorded next to each section so a reader can tell a quiet run from a busy one.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Latency:
    """Per-pass percentiles in milliseconds; across passes, each field is the median of the passes."""

    n: int
    passes: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float


def summarize(seconds: Sequence[float]) -> Latency:
    """Percentiles (numpy's linear interpolation) of one pass of timings given in seconds."""
    if not seconds:
        return Latency(0, 1, float("nan"), float("nan"), float("nan"), float("nan"))
    ms = np.asarray(seconds, dtype=np.float64) * 1000.0
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return Latency(len(ms), 1, float(p50), float(p95), float(p99), float(ms.mean()))


def median_of(passes: Sequence[Latency]) -> Latency:
    """Field-wise median of several passes' summaries."""
    if not passes:
        return summarize([])
    return Latency(
        n=passes[0].n,
        passes=len(passes),
        p50_ms=statistics.median(p.p50_ms for p in passes),
        p95_ms=statistics.median(p.p95_ms for p in passes),
        p99_ms=statistics.median(p.p99_ms for p in passes),
        mean_ms=statistics.median(p.mean_ms for p in passes),
    )


def time_each(fn: Callable[[str], object], items: Sequence[str]) -> list[float]:
    """Wall time of ``fn(item)`` for each item, in seconds."""
    out: list[float] = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t0)
    return out


def load_average() -> float:
    """The 1-minute load average (other processes on the machine skew every timing)."""
    return round(os.getloadavg()[0], 2)


def now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")
