"""Small markdown helpers shared by the report modules."""

from __future__ import annotations

import math
from collections.abc import Sequence

from eval.bench.results import BenchResults, Section
from eval.bench.stats import Latency


def prose(text: str) -> str:
    """A paragraph written across source lines, joined into one line."""
    return " ".join(text.split())


def ms(x: float) -> str:
    if math.isnan(x):
        return "—"
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def lat_cells(lat: Latency) -> list[str]:
    return [str(lat.n), str(lat.passes), ms(lat.p50_ms), ms(lat.p95_ms), ms(lat.p99_ms), ms(lat.mean_ms)]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def when(res: BenchResults, name: str) -> str:
    s: Section | None = res.sections.get(name)
    if s is None:
        return ""
    mode = " (`--quick`)" if s.quick else ""
    return (
        f"*Measured {s.measured_at}{mode} in {s.seconds:.0f} s; 1-minute load average "
        f"{s.loadavg_start:.1f} at the start, {s.loadavg_end:.1f} at the end.*\n"
    )
