"""In-process latency of search and ask over the evaluation questions, and of each search stage.

*Warm* means the query embedding is in the retriever's LRU (every question was asked once
before the timed passes); *cold* search uses a retriever whose cache holds nothing (``cache_size=0``),
so every query runs the embedding model, and *cold* ask empties the cache before each question (a
question new to the service: its embedding is computed once). Stages re-run the steps of
:meth:`retriever.Retriever.search` one at a time on the same objects (unfiltered hybrid search).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.bench.stats import Latency, load_average, median_of, summarize, time_each
from index.embedders import Embedder, Matrix, make_embedder
from index.store import BuiltIndex, current_version_dir, load_index
from qa import QA
from retriever import Retriever
from retriever.fusion import weighted_rrf
from retriever.types import Mode


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    latency: Latency


@dataclass(frozen=True, slots=True)
class InprocResult:
    questions: int
    passes: int
    cold_passes: int
    search: dict[str, Latency]  # "hybrid warm", "bm25 warm", "dense warm", "hybrid cold"
    ask: dict[str, Latency]  # "warm", "cold"
    stages: tuple[Stage, ...]
    pass_p50_ms: dict[str, list[float]]  # per-pass p50s of the warm runs, to show the spread
    load_seconds: float  # load_index + Retriever + QA
    loadavg: float


class TimedEmbedder:
    """Wraps an embedder and records how long each ``embed_queries`` call took."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.query_seconds: list[float] = []

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        t0 = time.perf_counter()
        out = self.inner.embed_queries(texts)
        self.query_seconds.append(time.perf_counter() - t0)
        return out

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return self.inner.embed_passages(texts)


def _passes(
    fn: Callable[[str], object], questions: Sequence[str], passes: int, rng: random.Random, bar: object
) -> list[Latency]:
    out = []
    for _ in range(passes):
        order = list(questions)
        rng.shuffle(order)  # a different order each pass: no pass profits from the previous query
        out.append(summarize(time_each(fn, order)))
        bar.update(1)  # type: ignore[attr-defined]
    return out


def _searcher(r: Retriever, mode: Mode) -> Callable[[str], object]:
    return lambda q: r.search(q, top_k=10, mode=mode)


def _stage_passes(r: Retriever, built: BuiltIndex, questions: Sequence[str], passes: int) -> list[Stage]:
    stages = ["tokenize", "bm25 score + top 100", "query embedding (LRU hit)", "faiss top 100", "RRF fusion"]
    times: dict[str, list[list[float]]] = {s: [[] for _ in range(passes)] for s in stages}
    for p in range(passes):
        for q in questions:
            t0 = time.perf_counter()
            tokens = r.tokenizer.tokenize(q)
            t1 = time.perf_counter()
            s = built.bm25.scores(tokens)
            idx = np.flatnonzero(s > 0)
            order = idx[np.argsort(-s[idx], kind="stable")][: r.candidates]
            bm25_rank = [int(i) for i in order]
            t2 = time.perf_counter()
            vec = r.embed_query(q)
            t3 = time.perf_counter()
            _, ids = built.faiss_index.search(vec[None, :], min(r.candidates, len(r.records)))
            dense_rank = [int(i) for i in ids[0] if i >= 0]
            t4 = time.perf_counter()
            weighted_rrf({"bm25": bm25_rank, "dense": dense_rank}, r.weights, k=r.rrf_k)
            t5 = time.perf_counter()
            for name, dt in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
                times[name][p].append(dt)
    return [Stage(name, median_of([summarize(t) for t in times[name]])) for name in stages]


def run_inproc(
    questions: Sequence[str],
    *,
    index_root: Path | None = None,
    passes: int = 5,
    cold_passes: int = 2,
    cold_sample: int | None = None,
    progress: bool = True,
    seed: int = 7,
) -> InprocResult:
    """Time search and ask over ``questions`` (warm: ``passes`` passes; cold: ``cold_passes``)."""
    import faiss
    from tqdm import tqdm  # type: ignore[import-untyped]

    faiss.omp_set_num_threads(1)  # as load_retriever does: one thread on the request path
    t0 = time.perf_counter()
    folder = current_version_dir(index_root)
    timed = TimedEmbedder(make_embedder())
    built = load_index(folder, embedder_name=timed.name)
    warm = Retriever(built, timed)
    qa_warm = QA(warm)
    load_seconds = time.perf_counter() - t0
    cold = Retriever(built, timed, cache_size=0)
    rng = random.Random(seed)
    cold_qs = list(questions)[: cold_sample or len(questions)]
    total = 4 * passes + 5 * cold_passes + 2 + passes
    bar = tqdm(total=total, desc="in-process", unit="pass", disable=not progress)
    for q in questions:  # warm-up: fills the LRU and jieba's and zhconv's caches
        warm.search(q, top_k=10)
        qa_warm.answer(q)
    bar.update(1)
    search: dict[str, Latency] = {}
    spread: dict[str, list[float]] = {}
    modes: tuple[Mode, ...] = ("hybrid", "bm25", "dense")
    for mode in modes:
        runs = _passes(_searcher(warm, mode), questions, passes, rng, bar)
        search[f"{mode} warm"] = median_of(runs)
        spread[f"search {mode} warm"] = [round(x.p50_ms, 3) for x in runs]
    ask_runs = _passes(lambda q: qa_warm.answer(q), questions, passes, rng, bar)
    spread["ask warm"] = [round(x.p50_ms, 3) for x in ask_runs]
    timed.query_seconds.clear()
    search["hybrid cold"] = median_of(
        _passes(lambda q: cold.search(q, top_k=10), cold_qs, cold_passes, rng, bar)
    )
    embed_cold = summarize(timed.query_seconds)
    # A question new to the cache: emptied before each question, so the embedding is computed once per
    # question (as in serving, where the engine's second look at the same text is a cache hit).
    store_new = Retriever(built, timed)
    qa_new = QA(store_new)

    def ask_new(q: str) -> object:
        store_new.query_cache.clear()
        return qa_new.answer(q)

    ask_cold = median_of(_passes(ask_new, cold_qs, cold_passes, rng, bar))
    # Questions answered from record fields alone skip the query embedding: which ones do, and what the
    # embedding would have cost them (the same questions with the embedding computed first).
    fields_only: list[str] = []
    for q in cold_qs:
        before = len(timed.query_seconds)
        ask_new(q)
        if len(timed.query_seconds) == before:
            fields_only.append(q)
    skipped = set(fields_only)
    embedded = [q for q in cold_qs if q not in skipped]

    def ask_forced(q: str) -> object:
        store_new.query_cache.clear()
        store_new.embed_query(q)
        return qa_new.answer(q)

    split: dict[str, Latency] = {}
    if fields_only:
        split[f"cold, from fields alone ({len(fields_only)} q., no embedding)"] = median_of(
            _passes(ask_new, fields_only, cold_passes, rng, bar)
        )
        split[f"cold, the same {len(fields_only)} q. with the embedding forced"] = median_of(
            _passes(ask_forced, fields_only, cold_passes, rng, bar)
        )
    if embedded:
        split[f"cold, needing the embedding ({len(embedded)} q.)"] = median_of(
            _passes(ask_new, embedded, cold_passes, rng, bar)
        )
    stages = _stage_passes(warm, built, questions, passes)
    bar.update(passes + 1)
    bar.close()
    stages.insert(3, Stage("query embedding (cold, model)", embed_cold))
    return InprocResult(
        questions=len(questions),
        passes=passes,
        cold_passes=cold_passes,
        search=search,
        ask={"warm": median_of(ask_runs), "cold": ask_cold, **split},
        stages=tuple(stages),
        pass_p50_ms=spread,
        load_seconds=round(load_seconds, 2),
        loadavg=load_average(),
    )
