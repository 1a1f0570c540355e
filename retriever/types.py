"""Records the retriever returns, and the filters it takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from corpus.records import TaskRecord

Mode = Literal["hybrid", "bm25", "dense"]


@dataclass(frozen=True, slots=True)
class Filters:
    """Exact, structured filters; every field optional, all given ones must hold.

    Unit filters take any alias the lexicon knows (``法院``, ``伊旗供电公司``) and
    match every task whose unit resolves to one of the alias's candidates.
    ``deadline_before`` / ``deadline_after`` are inclusive (year, month) bounds
    on ``deadline_ym``; tasks without a dated deadline (``持续推进``) never match
    a deadline bound.
    """

    section: str | None = None
    lead_unit: str | None = None
    responsible_unit: str | None = None
    deadline_before: tuple[int, int] | None = None
    deadline_after: tuple[int, int] | None = None
    benchmark_city: str | None = None
    doc_id: str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f) is None for f in self.__slots__)


@dataclass(frozen=True, slots=True)
class Signal:
    """One ranking signal's view of a hit (1-based rank; None when the signal did not return it)."""

    rank: int | None
    score: float | None


@dataclass(frozen=True, slots=True)
class Hit:
    """A ranked task with its fused score and each signal's rank and score, for debugging."""

    record: TaskRecord
    score: float
    rank: int
    signals: dict[str, Signal] = field(default_factory=dict)
