"""The evaluation questions as a query mix, and their query embeddings (computed once, cached on disk)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from eval.questions import SINGLE_TYPES
from eval.questions import Question as EvalQuestion
from eval.questions import load_questions as read_questions
from index.embedders import Embedder, Matrix
from index.store import EmbeddingCache

SINGLE_TASK_TYPES = frozenset(SINGLE_TYPES)


def load_questions() -> list[EvalQuestion]:
    """Every dev and test question (the shared reader, ``eval.questions``)."""
    return read_questions(split="all")


def single_task(questions: Sequence[EvalQuestion], split: str = "test") -> list[EvalQuestion]:
    """Questions of ``split`` whose answer rests on exactly one task: what Recall@5 is measured on."""
    return [
        q for q in questions if q.type in SINGLE_TASK_TYPES and len(q.gold_tasks) == 1 and q.split == split
    ]


def query_vectors(texts: Sequence[str], embedder: Embedder, cache_path: Path) -> dict[str, Matrix]:
    """Query embeddings by text, from an on-disk cache (``index.store.EmbeddingCache``) or the model."""
    cache = EmbeddingCache(cache_path)
    keys = {t: EmbeddingCache.key(embedder.name, "query\0" + t) for t in dict.fromkeys(texts)}
    missing = [t for t, k in keys.items() if k not in cache.vectors]
    for start in range(0, len(missing), 32):
        batch = missing[start : start + 32]
        for t, v in zip(batch, embedder.embed_queries(batch), strict=True):
            cache.vectors[keys[t]] = v
    if missing:
        cache.save()
    return {t: cache.vectors[k] for t, k in keys.items()}
