"""How build time, query latency, memory and disk grow with the corpus (482 real → 1M synthetic), per store.

Each size runs in fresh processes, so memory figures belong to one corpus and one store only:
:func:`build_child` synthesizes the corpus (:mod:`eval.bench.synth`), builds it with the project's own
``index.store.build_index`` (BM25 postings, faiss flat or HNSW above 20k) and saves it; a store other than
the in-memory one is then loaded from that saved version by :func:`push_child` (its own load time, disk and
peak memory); :func:`query_child` opens the store and times ``search`` and ``QA.answer``.

Questions: the dev split's single-task questions (a lookup, who leads a task, its deadline or responsible
units) and its aggregate ones (who leads a topic or sub-topic, a unit's tasks, filters and combinations);
their golds mean nothing on a synthetic corpus, their shapes are what is timed. Query embeddings come from
the real model once (an untimed warm pass) and are then looked up, so the timings are of everything after
the model — the model's per-query cost does not depend on the corpus (see the in-process table). The
store's own caches (query embeddings, topic-word scans) are emptied before every pass: each pass times
questions new to the store.
"""

from __future__ import annotations

import gc
import multiprocessing
import random
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

STORES = ("memory", "milvus-lite")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BuildStats:
    size: int
    faiss_kind: str
    build_s: float  # in-memory: index.store.build_index (tokenize + BM25 + looked-up embeddings + faiss);
    # another store: loading the saved version into it
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
    bm25: Latency | None  # None: the store has no single-signal search
    dense: Latency | None
    ask_single: Latency
    ask_aggregate: Latency
    ask_single_questions: int
    ask_aggregate_questions: int
    dense_recall_at_10: float  # the store's dense top 10 vs exact top 10 by dot product


@dataclass(frozen=True, slots=True)
class ScaleRow:
    size: int
    synthetic: bool
    build: BuildStats
    query: QueryStats
    loadavg: float
    store: str = "memory"


@dataclass(frozen=True, slots=True)
class QuestionMix:
    search: tuple[str, ...]  # search texts
    single: tuple[str, ...]
    aggregate: tuple[str, ...]


def question_mix(per_kind: int = 150, seed: int = 7) -> QuestionMix:
    """Dev questions (no follow-ups): ``per_kind`` single-task and ``per_kind`` aggregate, shuffled."""
    from eval.questions import AGGREGATE_TYPES, SINGLE_TYPES, load_questions

    aggregate_types = (*AGGREGATE_TYPES, "who_leads_subtopic", "combination")
    qs = [q for q in load_questions(split="dev") if not q.turns]
    random.Random(seed).shuffle(qs)
    single = tuple(q.question for q in qs if q.type in SINGLE_TYPES)[:per_kind]
    aggregate = tuple(q.question for q in qs if q.type in aggregate_types)[:per_kind]
    return QuestionMix(search=single + aggregate, single=single, aggregate=aggregate)


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


def real_embedder_name() -> str:
    from index.embedders import make_embedder

    return make_embedder().name


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
    # Named as the real model's (the vectors derive from its outputs), so the QA takes its production path
    # (the coverage model reads the question's embedding only under the embedder it was fitted with).
    embedder = PrecomputedEmbedder(name=real_embedder_name(), passages=passages, queries={})
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


class LookupEmbedder:
    """The real model, each query embedded once and then looked up (the timings exclude the model)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.memo: dict[str, Matrix] = {}
        self.misses = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        for t in texts:
            if t not in self.memo:
                self.misses += 1
                self.memo[t] = self.inner.embed_queries([t])[0]
        return np.stack([self.memo[t] for t in texts]).astype(np.float32)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        raise KeyError(f"the benchmark embeds no passages at query time ({len(texts)} asked)")


def push_child(store: str, out_root: str) -> BuildStats:
    """Load the saved in-memory version into another store; its load time, disk and peak memory."""
    folder = current_version_dir(Path(out_root))
    if folder is None:
        raise RuntimeError(f"nothing built under {out_root}")
    t0 = time.perf_counter()
    target = open_bench_store_push(store, Path(out_root), folder)
    push_s = time.perf_counter() - t0
    built_kind = load_index(folder).info.faiss_kind
    return BuildStats(
        size=0,
        faiss_kind=f"{store} ({built_kind} source)",
        build_s=round(push_s, 2),
        bm25_s=0.0,
        faiss_s=0.0,
        save_s=0.0,
        disk_mb=dir_size_mb(target),
        peak_rss_mb=peak_rss_mb() or 0.0,
    )


def open_bench_store_push(store: str, out_root: Path, folder: Path) -> Path:
    """Write the version in ``folder`` into ``store`` under ``out_root``; the path of what it wrote."""
    if store == "milvus-lite":
        from retriever.backends import StoreSpec, milvus_client
        from retriever.milvus_load import push_index

        db = out_root / "milvus.db"
        push_index(load_index(folder), milvus_client(StoreSpec("milvus-lite", path=db)), force=True)
        return db
    raise ValueError(f"cannot load {folder} into {store!r} under {out_root}; choose from {STORES[1:]}")


def open_bench_store(store: str, out_root: Path, embedder: Embedder) -> Any:
    """A :class:`retriever.store.TaskStore` over what was built or pushed under ``out_root``."""
    if store == "memory":
        from retriever import Retriever

        return Retriever(load_index(current_version_dir(out_root)), embedder)
    if store == "milvus-lite":
        from retriever.backends import StoreSpec, open_store

        return open_store(StoreSpec("milvus-lite", path=out_root / "milvus.db"), embedder=embedder)
    raise ValueError(f"unknown store {store!r}; choose from {STORES}")


def _forget(store: Any) -> None:
    """Empty a store's caches that a new question would miss (query embeddings, topic-word scans)."""
    forget = getattr(store, "forget", None)
    if callable(forget):
        forget()


def _recall_at_10(
    store: Any, embedder: Embedder, vectors: Matrix, keys: Sequence[tuple[str, int]], texts: Sequence[str]
) -> float:
    """Share of the exact dense top 10 (dot product over all vectors) the store's dense search returns; a
    returned task tied with the exact 10th (synthetic corpora repeat some passages) counts as found."""
    q = embedder.embed_queries(list(texts))
    index_of = {k: i for i, k in enumerate(keys)}
    hits = 0
    for vec, text in zip(q, texts, strict=True):
        sims = vectors @ vec
        tenth = float(np.partition(sims, len(sims) - 10)[len(sims) - 10]) if len(sims) > 10 else -1.0
        got = [index_of[h.record.key] for h in store.search(text, top_k=10, mode="dense")]
        hits += min(10, sum(1 for i in got if sims[i] >= tenth - 1e-5))
    return round(hits / (10 * len(texts)), 4)


def query_child(store_name: str, out_root: str, mix: QuestionMix, passes: int) -> QueryStats:
    """Open the store, warm the embeddings (untimed), then time search and ask; memory after the queries."""
    import faiss

    from index.embedders import make_embedder
    from qa import QA

    faiss.omp_set_num_threads(1)
    embedder = LookupEmbedder(make_embedder())
    t0 = time.perf_counter()
    store = open_bench_store(store_name, Path(out_root), embedder)
    qa = QA(store)
    load_s = time.perf_counter() - t0
    modes = ("hybrid", "bm25", "dense") if store_name == "memory" or _has_modes(store) else ("hybrid",)
    for q in mix.search:  # warm-up: every text the QA or search embeds gets its vector once
        store.search(q, top_k=10)
    for q in (*mix.single, *mix.aggregate):
        qa.answer(q)
    lat: dict[str, list[Latency]] = {m: [] for m in (*modes, "single", "aggregate")}
    for _ in range(passes):
        for mode in modes:
            _forget(store)
            lat[mode].append(summarize(time_each(_searcher(store, mode), mix.search)))
        for kind, group in (("single", mix.single), ("aggregate", mix.aggregate)):
            _forget(store)
            lat[kind].append(summarize(time_each(qa.answer, group)))
    built = load_index(current_version_dir(Path(out_root)))
    recall = _recall_at_10(store, embedder, built.vectors, [r.key for r in built.records], mix.search[:200])
    del built
    gc.collect()
    return QueryStats(
        load_s=round(load_s, 2),
        rss_mb=rss_mb() or 0.0,
        hybrid=median_of(lat["hybrid"]),
        bm25=median_of(lat["bm25"]) if "bm25" in lat else None,
        dense=median_of(lat["dense"]) if "dense" in lat else None,
        ask_single=median_of(lat["single"]),
        ask_aggregate=median_of(lat["aggregate"]),
        ask_single_questions=len(mix.single),
        ask_aggregate_questions=len(mix.aggregate),
        dense_recall_at_10=recall,
    )


def _has_modes(store: Any) -> bool:
    import inspect

    return "mode" in inspect.signature(store.search).parameters


def _searcher(store: Any, mode: str) -> Callable[[str], object]:
    if mode == "hybrid":
        return lambda q: store.search(q, top_k=10)
    return lambda q: store.search(q, top_k=10, mode=mode)


def run_scale(
    sizes: Sequence[int],
    *,
    stores: Sequence[str] = ("memory",),
    mix: QuestionMix,
    passes: int = 3,
    seed: int = 20240601,
    index_root: Path | None = None,
    progress: bool = True,
    on_row: Callable[[ScaleRow], None] | None = None,
) -> list[ScaleRow]:
    """Build each size once, then push it to and query it through each store, in fresh processes (one temp
    folder per size, removed after). ``on_row`` sees each row as soon as it is measured."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    n_real = len(load_tasks())
    rows = []
    steps = tqdm(total=len(sizes) * len(stores), desc="scale", unit="run", disable=not progress)
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"taskqa-scale-{size}-") as tmp:
            built = in_fresh_process(build_child, size, seed, tmp, str(index_root) if index_root else None)
            for store in stores:
                steps.set_postfix_str(f"{size:,} tasks, {store}")
                build = built
                if store != "memory":
                    pushed = in_fresh_process(push_child, store, tmp)
                    build = BuildStats(**{**_fields(pushed), "size": size})
                query = in_fresh_process(query_child, store, tmp, mix, passes)
                row = ScaleRow(size, size != n_real, build, query, load_average(), store)
                rows.append(row)
                if on_row is not None:
                    on_row(row)
                steps.update(1)
    steps.close()
    return rows


def _fields(stats: BuildStats) -> dict[str, Any]:
    return {f: getattr(stats, f) for f in stats.__slots__}
