"""The baseline: plain jieba (default dictionary, ``jieba.lcut``) + rank-bm25 ``BM25Okapi.get_scores``.

This is what a first version would do; our retriever differs by a domain dictionary and
search-mode segmentation with stop words and normalization (``index.tokenize``), precomputed
BM25 postings instead of ``get_scores``' walk over every document (``index.bm25``), and a
dense signal fused by RRF. Documents are the same text our BM25 indexes: section, task text
and lead units.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus.loader import load_tasks
from corpus.records import TaskRecord
from eval.bench.procs import rss_mb
from eval.bench.stats import Latency, median_of, summarize, time_each
from eval.bench.synth import synthesize
from eval.questions import Question as EvalQuestion
from retriever import Retriever
from retriever.types import Mode


@dataclass(frozen=True, slots=True)
class BaselineRow:
    size: int
    tokenize_s: float  # jieba.lcut over the corpus
    bm25_s: float  # BM25Okapi(corpus)
    latency: Latency  # jieba.lcut(query) + get_scores + top 10
    rss_mb: float


@dataclass(frozen=True, slots=True)
class RecallRow:
    system: str
    recall_at_5: float
    questions: int


def document(r: TaskRecord) -> str:
    return f"{r.section} {r.text} {' '.join(r.lead_units)}"


class JiebaBM25:
    """The baseline retriever over a list of records."""

    def __init__(self, records: Sequence[TaskRecord]) -> None:
        import jieba
        from rank_bm25 import BM25Okapi

        self._lcut = jieba.lcut
        t0 = time.perf_counter()
        docs = [jieba.lcut(document(r)) for r in records]
        self.tokenize_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        self.bm25: Any = BM25Okapi(docs)
        self.bm25_s = time.perf_counter() - t0
        self.records = records

    def top(self, query: str, k: int = 10) -> list[int]:
        scores = self.bm25.get_scores(self._lcut(query))
        return [int(i) for i in np.argsort(scores)[::-1][:k]]  # as rank_bm25's get_top_n orders


def baseline_child(size: int, seed: int, questions: Sequence[str], passes: int) -> BaselineRow:
    """Build the baseline over the real corpus or a synthetic one of ``size`` and time its queries."""
    real = load_tasks()
    records = real if size == len(real) else list(synthesize(real, size, seed=seed).records)
    base = JiebaBM25(records)
    for q in questions[:20]:  # warm-up (jieba loads its dictionary on first use)
        base.top(q)
    runs = [summarize(time_each(base.top, questions)) for _ in range(passes)]
    return BaselineRow(
        size, round(base.tokenize_s, 2), round(base.bm25_s, 2), median_of(runs), rss_mb() or 0.0
    )


def recall_at_5(questions: Sequence[EvalQuestion], baseline: JiebaBM25, ours: Retriever) -> list[RecallRow]:
    """Share of single-task questions whose gold task is in the top 5, for the baseline and our modes."""

    def hit(top: Sequence[int], q: EvalQuestion) -> bool:
        return q.gold_tasks[0] in top

    rows = [
        RecallRow(
            "jieba.lcut + BM25Okapi (baseline)",
            sum(hit([baseline.records[i].task_id for i in baseline.top(q.question, 5)], q) for q in questions)
            / len(questions),
            len(questions),
        )
    ]
    names: dict[Mode, str] = {
        "bm25": "ours, BM25 only (domain tokenizer)",
        "dense": "ours, dense only",
        "hybrid": "ours, hybrid (RRF)",
    }
    for mode, name in names.items():
        n_hit = sum(
            hit([h.record.task_id for h in ours.search(q.question, top_k=5, mode=mode)], q) for q in questions
        )
        rows.append(RecallRow(name, n_hit / len(questions), len(questions)))
    return [RecallRow(r.system, round(r.recall_at_5, 4), r.questions) for r in rows]
