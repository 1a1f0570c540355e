"""The evaluation questions as a query mix, and their query embeddings (computed once, cached on disk)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.bench.procs import ROOT
from index.embedders import Embedder, Matrix
from index.store import EmbeddingCache

QUESTIONS = ROOT / "eval" / "questions.jsonl"
SINGLE_TASK_TYPES = frozenset({"lookup", "who_leads_task", "deadline", "responsible"})


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    id: str
    question: str
    type: str
    gold_tasks: tuple[int, ...]
    split: str


def load_questions(path: Path = QUESTIONS) -> list[EvalQuestion]:
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                q = EvalQuestion(
                    row["id"], row["question"], row["type"], tuple(row["gold_tasks"]), row["split"]
                )
                out.append(q)
    return out


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
