"""Synthetic corpora of any size, recombined from the real tasks, with derived embeddings.

Each synthetic task starts from a real "template" task (its section, units, benchmark), keeps
the template's first clauses and appends clauses of one or two donor tasks (same section two
times in three) until it reaches the template's length; its deadline is a real month shifted by
0–3 years, or 持续推进. Everything is drawn from one seeded ``random.Random``: the same seed
gives the same corpus.

Embedding 100k passages with the real model would take hours on two cores, so synthetic
vectors are *derived*, not embedded: the mixture of the real passage vectors of the template
and donors, weighted by how many characters each contributed, plus Gaussian noise of norm
``noise``, L2-normalized. They keep the real vectors' geometry (anisotropy, clusters by topic)
but are not what the model would output for the synthetic text.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.records import TaskRecord
from index.embedders import Matrix

_CLAUSE = re.compile(r"[^，；。！？]+[，；。！？]?")
ONGOING = "持续推进"


@dataclass(frozen=True, slots=True)
class SynthCorpus:
    records: tuple[TaskRecord, ...]
    sources: tuple[tuple[tuple[int, float], ...], ...]  # per record: (real task index, weight)


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.findall(text) if c.strip()]


def synthesize(real: Sequence[TaskRecord], n: int, *, seed: int = 20240601) -> SynthCorpus:
    """``n`` synthetic tasks recombined from ``real`` (deterministic for a seed)."""
    rng = random.Random(seed)
    by_section: dict[int, list[int]] = {}
    for i, r in enumerate(real):
        by_section.setdefault(r.section_no, []).append(i)
    parts = [clauses(r.text) or [r.text] for r in real]
    dated = [r.deadline_ym for r in real if r.deadline_ym]
    records: list[TaskRecord] = []
    sources: list[tuple[tuple[int, float], ...]] = []
    for k in range(n):
        t = rng.randrange(len(real))
        tpl = real[t]
        target = max(12, int(len(tpl.text) * rng.uniform(0.8, 1.2)))
        head = parts[t][: rng.randint(1, max(1, len(parts[t]) - 1))]
        text = "".join(head)
        chars: dict[int, int] = {t: len(text)}
        for _ in range(rng.randint(1, 2)):
            if len(text) >= target:
                break
            same = by_section[tpl.section_no]
            d = rng.choice(same) if rng.random() < 2 / 3 else rng.randrange(len(real))
            donor = parts[d]
            start = rng.randrange(len(donor))
            for c in donor[start:]:
                if len(text) >= target:
                    break
                text += c
                chars[d] = chars.get(d, 0) + len(c)
        text = text.rstrip("，；、") + ("" if text.endswith("。") else "。")
        ym = rng.choice(dated)
        if rng.random() < 0.1:
            deadline, deadline_ym = ONGOING, None
        else:
            y = ym[0] + rng.randint(0, 3)
            deadline, deadline_ym = f"{y}年{ym[1]}月", (y, ym[1])
        donor_units = real[rng.randrange(len(real))]
        total = sum(chars.values())
        records.append(
            TaskRecord(
                doc_id="synthetic",
                task_id=k + 1,
                section_no=tpl.section_no,
                section=tpl.section,
                text=text,
                benchmark=tpl.benchmark,
                benchmark_city=tpl.benchmark_city,
                lead_units=tpl.lead_units if rng.random() < 0.7 else donor_units.lead_units,
                responsible_units=donor_units.responsible_units,
                deadline=deadline,
                deadline_ym=deadline_ym,
                line=k + 1,
                deadline_kind="ongoing" if deadline_ym is None else "dated",
                deadline_every=None,
            )
        )
        sources.append(tuple((i, c / total) for i, c in sorted(chars.items())))
    return SynthCorpus(tuple(records), tuple(sources))


def derive_vectors(
    corpus: SynthCorpus, real_vectors: Matrix, *, noise: float = 0.15, seed: int = 20240601
) -> Matrix:
    """One L2-normalized row per synthetic task: weighted mixture of real rows plus noise."""
    rng = np.random.default_rng(seed)
    n, dim = len(corpus.records), int(real_vectors.shape[1])
    out = np.zeros((n, dim), dtype=np.float32)
    for k, src in enumerate(corpus.sources):
        for i, w in src:
            out[k] += w * real_vectors[i]
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    gauss = rng.standard_normal((n, dim)).astype(np.float32)
    gauss /= np.linalg.norm(gauss, axis=1, keepdims=True)
    out += noise * gauss
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return np.ascontiguousarray(out, dtype=np.float32)


class PrecomputedEmbedder:
    """An :class:`index.embedders.Embedder` that looks vectors up instead of running a model.

    Passages and queries unknown to it raise ``KeyError``: a benchmark must never silently
    time a fallback.
    """

    def __init__(self, *, name: str, passages: dict[str, Matrix], queries: dict[str, Matrix]) -> None:
        self._name = name
        self._passages = passages
        self._queries = queries
        self._dim = len(next(iter({**passages, **queries}.values())))

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        return np.stack([self._queries[t] for t in texts]).astype(np.float32)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return np.stack([self._passages[t] for t in texts]).astype(np.float32)
