"""Hybrid BM25 + vector retrieval with exact filters."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpus.lexicon import UnitLexicon, build_lexicon
from corpus.records import TaskRecord
from index.embedders import Embedder, Matrix, make_embedder
from index.store import HNSW_THRESHOLD, BuiltIndex, IndexInfo, load_current, load_index
from index.tokenize import Tokenizer, normalize
from retriever.columns import Columns
from retriever.expr import All, And, Expr, Keys, Position, Topic, conj, transform
from retriever.filters import apply_filters
from retriever.fusion import RRF_K, weighted_rrf
from retriever.store import PlanProfile, SectionInfo
from retriever.substring import SubstringIndex
from retriever.topic import DenseAbove, SimilarityOf, TopicMatch, TopicParams, describes, topic_matches
from retriever.types import Filters, Hit, Mode, Signal

# Fusion weights, tuned on the dev split (eval/reports/tuning.md): on colloquial questions the dense
# signal is the stronger one, so BM25 only breaks its ties and rescues exact-term matches.
DEFAULT_WEIGHTS: Mapping[str, float] = {"dense": 1.0, "bm25": 0.75}
CANDIDATES = 100
SAMPLE = 1024  # tasks in the background sample for similarity z-scores


class QueryCache:
    """A small thread-safe LRU of query embeddings."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, Matrix] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Matrix | None:
        with self._lock:
            v = self._data.get(key)
            if v is not None:
                self._data.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return v

    def clear(self) -> None:
        """Forget every embedding (benchmarks time questions new to the cache this way)."""
        with self._lock:
            self._data.clear()

    def put(self, key: str, value: Matrix) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class Retriever:
    """Search and filter over one loaded index."""

    def __init__(
        self,
        built: BuiltIndex,
        embedder: Embedder,
        *,
        weights: Mapping[str, float] = DEFAULT_WEIGHTS,
        rrf_k: int = RRF_K,
        candidates: int = CANDIDATES,
        cache_size: int = 4096,
    ) -> None:
        self._built = built
        self.embedder = embedder
        self.weights = dict(weights)
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.records: tuple[TaskRecord, ...] = built.records
        self.lexicon: UnitLexicon = build_lexicon(built.records)
        self.tokenizer = Tokenizer(built.terms)
        self.info: IndexInfo = built.info
        self.query_cache = QueryCache(cache_size)
        self._by_id = {(r.doc_id, r.task_id): r for r in self.records}
        sections: dict[tuple[str, int], SectionInfo] = {}
        for r in self.records:
            key = (r.doc_id, r.section_no)
            old = sections.get(key)
            sections[key] = SectionInfo(r.section_no, r.section, (old.count if old else 0) + 1, r.doc_id)
        self.sections: tuple[SectionInfo, ...] = tuple(sections.values())
        self._sample: Matrix | None = None
        self._section_of = np.array([r.section for r in self.records], dtype=object)
        self._section_sizes = Counter(r.section for r in self.records)
        self._texts = [normalize(r.text) for r in self.records]
        self._substrings = SubstringIndex(self._texts)
        self.columns = Columns(self.records, self.lexicon)
        self._index_of = self.columns.index_of
        self._containing: dict[str, npt.NDArray[np.int64]] = {}
        self._profile: PlanProfile | None = None
        self._plan_text = "\n".join(
            normalize(" ".join((r.section, r.text, *r.lead_units, *r.responsible_units)))
            for r in self.records
        )
        self._vocabulary = frozenset(built.bm25.vocab)
        self.topic_params = TopicParams()
        # Topic evidence of the last few (topic, question, pool): an answer asks for one more than once.
        self._topics: OrderedDict[
            tuple[Topic, str, bytes | None, bool, TopicParams], list[TopicMatch] | None
        ] = OrderedDict()
        self._topic_lock = threading.Lock()

    def forget(self) -> None:
        """Empty the caches a question new to the service misses (query embeddings, topic-word scans)."""
        self.query_cache.clear()
        self._containing.clear()
        with self._topic_lock:
            self._topics.clear()

    # -- lookups -----------------------------------------------------------------------------------
    def get(self, task_id: int, doc_id: str | None = None) -> TaskRecord | None:
        if doc_id is not None:
            return self._by_id.get((doc_id, task_id))
        for r in self.records:
            if r.task_id == task_id:
                return r
        return None

    def filter(self, filters: Filters) -> list[TaskRecord]:
        """ALL tasks matching the filters, in document order."""
        return [self.records[i] for i in apply_filters(self.records, filters, self.lexicon)]

    # -- the store interface: filter expressions ---------------------------------------------------------
    def select(self, where: Expr, *, query: str = "") -> list[TaskRecord]:
        """ALL tasks an expression matches, in document order (``query``: the text a ``Topic`` is judged by).

        A ``Topic`` beside other conditions is judged within the tasks those conditions leave, so a word that
        describes all of them (报装 among the water and gas tasks) is no evidence.
        """
        return [self.records[i] for i in self.pool(where, query=query)]

    def pool(self, where: Expr, *, query: str = "") -> list[int]:
        """Indices of the tasks an expression matches, in document order (``retriever.columns`` masks)."""
        resolved = self.resolve(where, query=query)
        return [int(i) for i in np.flatnonzero(self.columns.mask(resolved))]

    def count(self, where: Expr, *, query: str = "") -> int:
        return len(self.select(where, query=query))

    def resolve(self, where: Expr, *, query: str = "") -> Expr:
        """``Topic`` and ``Position`` leaves replaced by the tasks they stand for (a topic in a conjunction is
        judged within what the other conditions leave)."""
        within: list[int] | None = None
        if isinstance(where, And) and any(isinstance(p, Topic) for p in where.parts):
            rest = [p for p in where.parts if not isinstance(p, Topic)]
            if rest:
                within = self.pool(conj(*rest), query=query)

        def leaf(e: Expr) -> Expr:
            if isinstance(e, Topic):
                found = self.topic(e, query=query, within=within)
                if found is None:
                    return All()  # no word of it is evidence: the topic says nothing about which tasks
                return Keys(frozenset(self.records[m.index].key for m in found), str(e))
            if isinstance(e, Position):
                r = self.position(e.section, e.index)
                return Keys(frozenset({r.key} if r else set()), str(e))
            return e

        return transform(where, leaf)

    def position(self, section: str | None, index: int) -> TaskRecord | None:
        """The ``index``-th task (1-based, negative from the end) of a section or of the plan."""
        rows = self.columns.section_rows(section)
        k = index - 1 if index > 0 else len(rows) + index
        return self.records[int(rows[k])] if 0 <= k < len(rows) else None

    def topic(
        self,
        topic: Topic,
        *,
        query: str = "",
        within: Sequence[int] | None = None,
        every_word: bool = False,
    ) -> list[TopicMatch] | None:
        """Tasks about a topic, best evidence first (``retriever.topic``); None when none of its words is
        evidence. ``every_word``: only tasks that contain every word of it that is evidence."""
        text = query or topic.text
        window = None if within is None else np.asarray(within, np.int64).tobytes()
        key = (topic, text, window, every_word, self.topic_params)
        with self._topic_lock:
            if key in self._topics:
                self._topics.move_to_end(key)
                return self._topics[key]
        found = self._topic(topic, text, within, every_word)
        with self._topic_lock:
            self._topics[key] = found
            while len(self._topics) > 64:
                self._topics.popitem(last=False)
        return found

    def _topic(
        self, topic: Topic, text: str, within: Sequence[int] | None, every_word: bool
    ) -> list[TopicMatch] | None:
        similarity_of: SimilarityOf | None = None
        dense_above: DenseAbove | None = None
        if self.records:

            def similarity_of(rows: Sequence[int]) -> npt.NDArray[np.float32]:
                return self.similarity_of(text, rows)

            def dense_above(threshold: float) -> list[int]:
                return self.dense_above(text, threshold)

        return topic_matches(
            topic.terms,
            n=len(self.records),
            allowed=within,
            params=self.topic_params,
            containing=self.containing,
            similarity_of=similarity_of,
            dense_above=dense_above,
            min_lexical=1.0 if every_word else None,
        )

    def describes(self, topic: Topic, within: Sequence[int]) -> bool:
        """The topic's words only describe these tasks as a whole (``retriever.topic.describes``)."""
        names = self.columns.section_names(within)
        return describes(
            topic.terms,
            n=len(self.records),
            pool=within,
            params=self.topic_params,
            names=names,
            containing=self.containing,
        )

    def containing(self, words: Sequence[str]) -> npt.NDArray[np.int64]:
        """Sorted indices of the tasks whose text contains any of ``words`` (cached: topics repeat words)."""
        key = "\0".join(words)
        got = self._containing.get(key)
        if got is None:
            found = [self._substrings.find(w) for w in words if w]
            got = np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)
            got.flags.writeable = False
            if len(self._containing) >= 20_000:
                self._containing.clear()
            self._containing[key] = got
        return got

    def top_similarities(self, query: str, k: int) -> npt.NDArray[np.float32]:
        """The ``k`` highest cosine similarities of the query to a task, best first (the vector index's)."""
        k = min(k, len(self.records))
        if k <= 0:
            return np.zeros(0, np.float32)
        scores, ids = self._built.faiss_index.search(self.embed_query(query)[None, :], k)
        return np.asarray(scores[0][ids[0] >= 0], dtype=np.float32)

    def similarity_of(self, query: str, rows: Sequence[int]) -> npt.NDArray[np.float32]:
        """The query's cosine similarity to the tasks at these indices (exact)."""
        if len(rows) == 0:
            return np.zeros(0, np.float32)
        q = self.embed_query(query)
        index = np.asarray(rows, np.int64)
        if len(index) * 8 > len(self.records):
            # Copying many scattered rows costs more than the dot product with every vector.
            return np.asarray((self._built.vectors @ q)[index], np.float32)
        return np.asarray(self._built.vectors[index] @ q, np.float32)

    def dense_above(self, query: str, threshold: float, *, limit: int = 256) -> list[int]:
        """Indices of the tasks at least ``threshold`` similar to the query (from the vector index's top
        ``limit``; an exact scan when even those are all above it)."""
        k = min(limit, len(self.records))
        if k <= 0:
            return []
        q = self.embed_query(query)
        scores, ids = self._built.faiss_index.search(q[None, :], k)
        found = [int(i) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0 and s >= threshold]
        if len(found) < k:
            return found
        return [int(i) for i in np.flatnonzero(self._built.vectors @ q >= threshold)]

    def profile(self) -> PlanProfile:
        """What the plan names (computed once)."""
        if self._profile is None:
            canon = self.lexicon.canon
            years = [r.deadline_ym[0] for r in self.records if r.deadline_ym]
            self._profile = PlanProfile(
                sections=self.sections,
                cities=tuple(sorted({r.benchmark_city for r in self.records if r.benchmark_city})),
                first_year=min(years) if years else 0,
                max_task=max((r.task_id for r in self.records), default=0),
                leading_units=frozenset(canon(u) for r in self.records for u in r.lead_units),
                task_count=len(self.records),
            )
        return self._profile

    def says(self, text: str) -> bool:
        """Whether any task's text, section or unit names contains ``text`` (normalized)."""
        return normalize(text) in self._plan_text

    def vocabulary(self) -> frozenset[str]:
        return self._vocabulary

    def get_key(self, key: tuple[str, int]) -> TaskRecord | None:
        return self._by_id.get(key)

    def bm25_top(self, tokens: Sequence[str]) -> float:
        """The best BM25 score of already tokenized query terms (0 for none)."""
        if not tokens or not self.records:
            return 0.0
        return float(self._built.bm25.scores(tokens).max())

    def records_at(self, indices: Sequence[int]) -> list[TaskRecord]:
        """The records at these indices, in document order."""
        return [self.records[i] for i in sorted(set(indices))]

    def index_of(self, key: tuple[str, int]) -> int | None:
        return self._index_of.get(key)

    # -- signals -----------------------------------------------------------------------------------
    def embed_query(self, query: str) -> Matrix:
        q = self.query_cache.get(query)
        if q is None:
            q = self.embedder.embed_queries([query])[0]
            self.query_cache.put(query, q)
        return q

    def sample_scores(self, query: str) -> npt.NDArray[np.float32]:
        """Cosine similarity of the query to a fixed, evenly spaced sample of ≤ 1024 tasks (the plan-wide
        background a single similarity is judged against)."""
        if self._sample is None:
            n = len(self.records)
            idx = np.linspace(0, n - 1, num=min(n, SAMPLE), dtype=np.int64) if n else np.zeros(0, np.int64)
            self._sample = np.ascontiguousarray(self._built.vectors[np.unique(idx)])
        return np.asarray(self._sample @ self.embed_query(query), dtype=np.float32)

    def section_share(self, token: str, section: str) -> float:
        """Share of a section's tasks whose text contains the token (0 for an unknown token or section)."""
        n = self._section_sizes.get(section, 0)
        i = self._built.bm25.vocab.get(token)
        if not n or i is None:
            return 0.0
        bm = self._built.bm25
        docs = bm.doc_ids[bm.indptr[i] : bm.indptr[i + 1]]
        return float(np.count_nonzero(self._section_of[docs] == section)) / n

    def bm25_vocabulary(self) -> tuple[str, ...]:
        """Every token of the indexed tasks."""
        return tuple(self._built.bm25.vocab)

    def bm25_scores(self, query: str) -> npt.NDArray[np.float32]:
        return self._built.bm25.scores(self.tokenizer.tokenize(query))

    def bm25_scores_of(self, tokens: Sequence[str]) -> npt.NDArray[np.float32]:
        """BM25 scores of already tokenized query terms."""
        return self._built.bm25.scores(tokens)

    def dense_scores(
        self, query: str, allowed: Sequence[int] | npt.NDArray[np.int64] | None
    ) -> tuple[list[int], list[float]]:
        """Top candidates by cosine similarity: the vector index when unfiltered; an exact dot product on a
        filtered subset, or, for a subset larger than ``HNSW_THRESHOLD`` under an HNSW index, the index
        searched with the subset as its selector."""
        q = self.embed_query(query)
        n = len(self.records) if allowed is None else len(allowed)
        k = min(self.candidates, n)
        if k == 0:
            return [], []
        if allowed is None or (n > HNSW_THRESHOLD and self.info.faiss_kind.startswith("hnsw")):
            params = None
            if allowed is not None:
                import faiss

                params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
                params.sel = faiss.IDSelectorBatch(np.asarray(allowed, np.int64))
                params.efSearch = max(self.candidates, int(self._built.faiss_index.hnsw.efSearch))
            scores, ids = self._built.faiss_index.search(q[None, :], k, params=params)
            pairs = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
            return [p[0] for p in pairs], [p[1] for p in pairs]
        rows = np.asarray(allowed, np.int64)
        sub = self._built.vectors[rows] @ q
        top = top_k_stable(sub, k)
        return [int(rows[j]) for j in top], [float(sub[j]) for j in top]

    def _rows(self, where: Expr, query: str) -> npt.NDArray[np.int64]:
        return np.flatnonzero(self.columns.mask(self.resolve(where, query=query)))

    # -- search ------------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        top_k: int = 10,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        where: Expr | None = None,
    ) -> list[Hit]:
        """Ranked tasks for a query. An empty query with filters returns ALL matches (score 0)."""
        allowed: npt.NDArray[np.int64] | None = None
        if filters is not None and not filters.is_empty():
            allowed = np.asarray(apply_filters(self.records, filters, self.lexicon), np.int64)
        if where is not None:
            subset = self._rows(where, query)
            allowed = subset if allowed is None else np.intersect1d(allowed, subset)
        if not query.strip():
            if allowed is None:
                return []
            return [Hit(self.records[int(i)], 0.0, n) for n, i in enumerate(allowed, start=1)]
        rankings: dict[str, list[int]] = {}
        raw: dict[str, dict[int, float]] = {}
        if mode in ("hybrid", "bm25"):
            s = self.bm25_scores(query)
            idx = np.flatnonzero(s > 0) if allowed is None else allowed[s[allowed] > 0]
            order = idx[top_k_stable(s[idx], self.candidates)]
            rankings["bm25"] = [int(i) for i in order]
            raw["bm25"] = {int(i): float(s[i]) for i in order}
        if mode in ("hybrid", "dense"):
            ids, scores = self.dense_scores(query, allowed)
            rankings["dense"] = ids
            raw["dense"] = dict(zip(ids, scores, strict=True))
        if mode == "hybrid":
            fused = weighted_rrf(rankings, self.weights, k=self.rrf_k)
        else:
            name = mode
            fused = [(d, raw[name][d]) for d in rankings[name]]
        pos = {name: {d: r for r, d in enumerate(rk, start=1)} for name, rk in rankings.items()}
        hits = []
        for rank, (d, score) in enumerate(fused[:top_k], start=1):
            signals = {name: Signal(pos[name].get(d), raw[name].get(d)) for name in rankings}
            hits.append(Hit(self.records[d], float(score), rank, signals))
        return hits


def top_k_stable(values: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.int64]:
    """Positions of the ``k`` largest values, best first, ties in position order (a stable argsort of the
    whole array, without sorting it all: only the values at or above the k-th largest are sorted)."""
    if len(values) > k > 0:
        kth = np.partition(values, len(values) - k)[len(values) - k]
        head = np.flatnonzero(values >= kth)
        return np.asarray(head[np.argsort(-values[head], kind="stable")][:k], np.int64)
    return np.asarray(np.argsort(-values, kind="stable")[:k], np.int64)


def load_retriever(
    index_dir: Path | None = None,
    *,
    embedder: Embedder | None = None,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    root: Path | None = None,
) -> Retriever:
    """Load a version folder, or the current version under ``root`` (falling back to the newest older
    one that loads, see :func:`index.store.load_current`); refuses one built with another embedder.

    Sets faiss to one thread: on the request path, two threads made a single query 2–3× slower.
    """
    import faiss

    faiss.omp_set_num_threads(1)
    embedder = embedder or make_embedder()
    if index_dir is not None:
        built = load_index(index_dir, embedder_name=embedder.name)
    else:
        built = load_current(root, embedder_name=embedder.name)
    return Retriever(built, embedder, weights=weights)
