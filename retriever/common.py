"""What every store shares: the plan held in process, filters, topics, positions, the profile, fusion.

A store keeps the records' lightweight structures in process — the records themselves, the unit lexicon,
the filter columns (``retriever.columns``) and the character-bigram index topic evidence reads
(``retriever.substring``) — and answers from them every question that needs the whole plan (``select``,
``position``, ``topic``, ``describes``, the profile). What differs between stores is where the vectors and
the BM25 postings live: :class:`PlanStore` leaves the signal methods (``search``, ``similarity_of``,
``dense_above``, ``top_similarities``, ``sample_scores``, ``bm25_top``) to its subclasses
(``retriever.Retriever`` in memory, ``retriever.milvus.MilvusStore`` in Milvus), which fuse their rankings
with the same :func:`fuse` so that equal signals rank equally.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache

import numpy as np
import numpy.typing as npt

import corpus
from corpus.lexicon import UnitLexicon, plan_lexicon
from corpus.records import TaskRecord
from index.embedders import Embedder, Matrix
from index.store import IndexInfo, plan_profiles
from index.tokenize import Tokenizer, normalize
from retriever.columns import Columns
from retriever.expr import All, And, Expr, Keys, Not, Or, Position, Topic, conj, plans_of
from retriever.filters import apply_filters
from retriever.fusion import RRF_K, weighted_rrf
from retriever.store import PlanFacts, PlanProfile, SectionInfo
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

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._data

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


@lru_cache(maxsize=1)
def _prefetcher() -> ThreadPoolExecutor:
    """The one background thread query embeddings are started on ahead of need (``PlanStore.prefetch``)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed-prefetch")


def sample_rows(n: int) -> npt.NDArray[np.int64]:
    """The evenly spaced ≤ ``SAMPLE`` tasks whose similarities are the background of ``sample_scores``."""
    if not n:
        return np.zeros(0, np.int64)
    return np.unique(np.linspace(0, n - 1, num=min(n, SAMPLE), dtype=np.int64))


def fuse(
    rankings: Mapping[str, Sequence[int]],
    raw: Mapping[str, Mapping[int, float]],
    *,
    records: Sequence[TaskRecord],
    mode: Mode,
    weights: Mapping[str, float],
    rrf_k: int,
    top_k: int,
) -> list[Hit]:
    """Hits from each signal's ranking (row indices, best first) and raw scores: weighted reciprocal-rank
    fusion in hybrid mode, the one signal's own order otherwise; each hit carries every signal's rank and
    score."""
    if mode == "hybrid":
        fused = weighted_rrf(rankings, weights, k=rrf_k)
    else:
        fused = [(d, raw[mode][d]) for d in rankings[mode]]
    pos = {name: {d: r for r, d in enumerate(rk, start=1)} for name, rk in rankings.items()}
    hits = []
    for rank, (d, score) in enumerate(fused[:top_k], start=1):
        signals = {name: Signal(pos[name].get(d), raw[name].get(d)) for name in rankings}
        hits.append(Hit(records[d], float(score), rank, signals))
    return hits


class PlanStore(ABC):
    """The in-process half of a store (see the module docstring); subclasses supply the signals."""

    def __init__(
        self,
        *,
        records: Sequence[TaskRecord],
        tokenizer: Tokenizer,
        info: IndexInfo,
        vocabulary: frozenset[str],
        embedder: Embedder,
        weights: Mapping[str, float] = DEFAULT_WEIGHTS,
        rrf_k: int = RRF_K,
        candidates: int = CANDIDATES,
        cache_size: int = 4096,
        plans: Sequence[corpus.PlanProfile] = (),
    ) -> None:
        self.embedder = embedder
        self.weights = dict(weights)
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.records: tuple[TaskRecord, ...] = tuple(records)
        # One profile per plan the records hold (a plan built without its file: PlanProfile.bare).
        self.plans: tuple[corpus.PlanProfile, ...] = plan_profiles(self.records, plans)
        self.lexicon: UnitLexicon = plan_lexicon(self.records, self.plans)
        self.tokenizer = tokenizer
        self.info: IndexInfo = info
        self.query_cache = QueryCache(cache_size)
        self._by_id = {(r.doc_id, r.task_id): r for r in self.records}
        sections: dict[tuple[str, int], SectionInfo] = {}
        for r in self.records:
            key = (r.doc_id, r.section_no)
            old = sections.get(key)
            sections[key] = SectionInfo(r.section_no, r.section, (old.count if old else 0) + 1, r.doc_id)
        self.sections: tuple[SectionInfo, ...] = tuple(sections.values())
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
        self._vocabulary = vocabulary
        self.topic_params = TopicParams()
        # Topic evidence of the last few (topic, question, pool): an answer asks for one more than once.
        self._topics: OrderedDict[
            tuple[Topic, str, bytes | None, bool, TopicParams], list[TopicMatch] | None
        ] = OrderedDict()
        self._topic_lock = threading.Lock()
        # The query embedding started ahead of need (``prefetch``): its text and its result to come.
        self._ahead: tuple[str, Future[Matrix]] | None = None
        self._ahead_lock = threading.Lock()

    def forget(self) -> None:
        """Empty the caches a question new to the service misses (query embeddings, topic-word scans)."""
        self.query_cache.clear()
        with self._ahead_lock:
            self._ahead = None
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

    def get_key(self, key: tuple[str, int]) -> TaskRecord | None:
        return self._by_id.get(key)

    def records_at(self, indices: Sequence[int]) -> list[TaskRecord]:
        """The records at these indices, in document order."""
        return [self.records[i] for i in sorted(set(indices))]

    def index_of(self, key: tuple[str, int]) -> int | None:
        return self._index_of.get(key)

    # -- filter expressions --------------------------------------------------------------------------
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
        part_of = False
        if isinstance(where, And) and any(isinstance(p, Topic) for p in where.parts):
            rest = [p for p in where.parts if not isinstance(p, Topic)]
            if rest:
                within = self.pool(conj(*rest), query=query)
                # A theme asked of the previous answer (「其中跟发票有关的」) asks for part of it: a word in a
                # share of that list is evidence, not a description of the whole list.
                part_of = any(isinstance(p, Keys) and p.label == "previous" for p in rest)

        docs = plans_of(where)

        def leaf(e: Expr) -> Expr:
            if isinstance(e, Topic):
                found = self.topic(e, query=query, within=within, part_of=part_of)
                if found is None:
                    return All()  # no word of it is evidence: the topic says nothing about which tasks
                return Keys(frozenset(self.records[m.index].key for m in found), str(e))
            if isinstance(e, Position):
                return Keys(frozenset(r.key for r in self.position(e.section, e.index, docs)), str(e))
            return e

        def nested(e: Expr) -> Expr:
            # A conjunction inside an Or / Not judges its own topics (《乙》中、内容涉及“破产”: within 乙).
            if isinstance(e, And):
                return self.resolve(e, query=query)
            if isinstance(e, Or):
                return Or(tuple(nested(p) for p in e.parts))
            if isinstance(e, Not):
                return Not(nested(e.part))
            return leaf(e)

        if isinstance(where, And):
            return And(tuple(nested(p) if isinstance(p, Or | Not) else leaf(p) for p in where.parts))
        return nested(where) if isinstance(where, Or | Not) else leaf(where)

    def allowed(
        self, query: str, filters: Filters | None, where: Expr | None
    ) -> npt.NDArray[np.int64] | None:
        """Rows the structured filters and the expression leave (None: no restriction)."""
        allowed: npt.NDArray[np.int64] | None = None
        if filters is not None and not filters.is_empty():
            allowed = np.asarray(apply_filters(self.records, filters, self.lexicon), np.int64)
        if where is not None:
            subset = np.flatnonzero(self.columns.mask(self.resolve(where, query=query)))
            allowed = subset if allowed is None else np.intersect1d(allowed, subset)
        return allowed

    def every_match(self, allowed: npt.NDArray[np.int64] | None) -> list[Hit]:
        """An empty query's answer: every allowed task, score 0, in document order (nothing unfiltered)."""
        if allowed is None:
            return []
        return [Hit(self.records[int(i)], 0.0, n) for n, i in enumerate(allowed, start=1)]

    def position(
        self, section: str | None, index: int, docs: frozenset[str] | None = None
    ) -> list[TaskRecord]:
        """The ``index``-th task (1-based, negative from the end) of a section or of the plan, in each plan
        (``docs``: of these plans only) that has one."""
        rows = self.columns.section_rows(section)
        out = []
        for plan in self.plans:
            if docs is not None and plan.doc_id not in docs:
                continue
            mine = rows[self.columns.doc_of(rows) == self.columns.doc_code(plan.doc_id)]
            k = index - 1 if index > 0 else len(mine) + index
            if 0 <= k < len(mine):
                out.append(self.records[int(mine[k])])
        return out

    # -- topics --------------------------------------------------------------------------------------
    def topic(
        self,
        topic: Topic,
        *,
        query: str = "",
        within: Sequence[int] | None = None,
        every_word: bool = False,
        part_of: bool = False,
    ) -> list[TopicMatch] | None:
        """Tasks about a topic, best evidence first (``retriever.topic``); None when none of its words is
        evidence. ``every_word``: only tasks that contain every word of it that is evidence. ``part_of``: the
        question asks for part of ``within`` (the list just answered): a word in under half of it picks."""
        text = query or topic.text
        window = None if within is None else np.asarray(within, np.int64).tobytes()
        p = self.topic_params
        params = replace(p, pool_generic=p.part_generic) if part_of else p
        key = (topic, text, window, every_word, params)
        with self._topic_lock:
            if key in self._topics:
                self._topics.move_to_end(key)
                return self._topics[key]
        found = self._topic(topic, text, within, every_word, params)
        with self._topic_lock:
            self._topics[key] = found
            while len(self._topics) > 64:
                self._topics.popitem(last=False)
        return found

    def _topic(
        self, topic: Topic, text: str, within: Sequence[int] | None, every_word: bool, params: TopicParams
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
            params=params,
            containing=self.containing,
            similarity_of=similarity_of,
            dense_above=dense_above,
            min_lexical=1.0 if every_word else None,
            facets=topic.facets,
            least=topic.least,
            stretch=topic.stretch,
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

    # -- what the plan names -------------------------------------------------------------------------
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
                leading_units=frozenset(canon(u, r.doc_id) for r in self.records for u in r.lead_units),
                task_count=len(self.records),
                plans=self.plans,
                facts=tuple(self._facts(p) for p in self.plans),
            )
        return self._profile

    def _facts(self, plan: corpus.PlanProfile) -> PlanFacts:
        mine = [r for r in self.records if r.doc_id == plan.doc_id]
        years = [r.deadline_ym[0] for r in mine if r.deadline_ym]
        canon = self.lexicon.canon
        return PlanFacts(
            profile=plan,
            task_count=len(mine),
            max_task=max((r.task_id for r in mine), default=0),
            units=frozenset(canon(u, r.doc_id) for r in mine for u in (*r.lead_units, *r.responsible_units)),
            year=plan.year or (min(years) if years else 0),
            ongoing_words=frozenset(r.deadline for r in mine if r.deadline_kind == "ongoing" and r.deadline),
            within_year=any(r.deadline_kind == "within_year" for r in mine),
        )

    def says(self, text: str) -> bool:
        """Whether any task's text, section or unit names contains ``text`` (normalized)."""
        return normalize(text) in self._plan_text

    def vocabulary(self) -> frozenset[str]:
        """Every token of the indexed tasks."""
        return self._vocabulary

    # -- signals -------------------------------------------------------------------------------------
    def embed_query(self, query: str) -> Matrix:
        q = self.query_cache.get(query)
        if q is None:
            with self._ahead_lock:
                ahead = self._ahead
            q = ahead[1].result() if ahead is not None and ahead[0] == query else self._embed_now(query)
            self.query_cache.put(query, q)
        return q

    def prefetch(self, query: str) -> None:
        """Start embedding ``query`` on the background thread: the model call releases the GIL, so while a
        question is still being read the other core computes the embedding its ranking will most likely ask
        for (``embed_query`` then waits for it instead of starting over). One at a time: nothing is started
        while another is still running, or when the embedding is cached."""
        if not query or query in self.query_cache:
            return
        with self._ahead_lock:
            if self._ahead is not None and (self._ahead[0] == query or not self._ahead[1].done()):
                return
            self._ahead = (query, _prefetcher().submit(self._embed_now, query))

    def _embed_now(self, query: str) -> Matrix:
        return np.asarray(self.embedder.embed_queries([query])[0], dtype=np.float32)

    @abstractmethod
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
        ...

    @abstractmethod
    def similarity_of(self, query: str, rows: Sequence[int]) -> npt.NDArray[np.float32]:
        """The query's cosine similarity to the tasks at these indices (exact)."""
        ...

    @abstractmethod
    def dense_above(self, query: str, threshold: float, *, limit: int = 256) -> list[int]:
        """Indices of the tasks at least ``threshold`` similar to the query."""
        ...

    @abstractmethod
    def top_similarities(self, query: str, k: int) -> npt.NDArray[np.float32]:
        """The ``k`` highest cosine similarities of the query to any task, best first."""
        ...

    @abstractmethod
    def sample_scores(self, query: str) -> npt.NDArray[np.float32]:
        """Cosine similarity of the query to the tasks at :func:`sample_rows`."""
        ...

    @abstractmethod
    def bm25_top(self, tokens: Sequence[str]) -> float:
        """The best BM25 score of already tokenized query terms (0 for none)."""
        ...
