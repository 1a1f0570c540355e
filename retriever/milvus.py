"""The task store in Milvus: vectors and BM25 in a collection, filters pushed down as Milvus expressions.

``MilvusStore`` implements ``retriever.store.TaskStore`` over a collection ``retriever.milvus_load`` wrote.
At open it reads every task's record once (the scalar fields, by row ranges) and the BM25 vocabulary, and
keeps what ``retriever.common.PlanStore`` holds in process — records, lexicon, filter columns, the
character-bigram index topics read, the profile — plus the ≤ 1024 sample vectors of the similarity
background. The passage vectors and the BM25 postings stay in Milvus: every dense or BM25 ranking is a Milvus
search with the filter pushed down (``retriever.milvus_expr``), and topic evidence reads the vectors of its
candidate tasks only.

Parity with ``retriever.Retriever``: BM25 (``bm25="local"``, the default) is a sparse inner product of the
query's term counts with each task's impact weights, the in-process postings' own numbers; both signals'
candidates are ordered by score then row, as ``top_k_stable`` orders them in process, and fused in process
by the same weighted RRF. ``bm25="milvus"`` ranks by Milvus's full-text BM25 instead (jieba analyzer with the
domain dictionary, Milvus's idf and statistics): comparable, not equal (``docs/milvus.md``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from corpus.records import TaskRecord
from index.embedders import Embedder, Matrix
from index.store import HNSW_EF_SEARCH, IndexInfo, IndexLoadError, record_from_row
from index.tokenize import Tokenizer, dictionary_hash, domain_terms, normalize
from retriever.common import CANDIDATES, DEFAULT_WEIGHTS, PlanStore, fuse, sample_rows
from retriever.expr import Expr, Leaf
from retriever.fusion import RRF_K
from retriever.milvus_expr import to_milvus
from retriever.milvus_load import LAYOUT, PROP_FULLTEXT, PROP_INFO, PROP_LAYOUT, PROP_TERMS, pushed_info
from retriever.types import Filters, Hit, Mode

BM25Source = Literal["local", "milvus"]
TIE_MARGIN = 16  # extra candidates asked for, so that ties at the cut are broken by row as in process
READ_BATCH = 1000  # rows per query when reading the records and the vocabulary at open
MAX_LIMIT = 16_384  # Milvus's largest limit (top-k) for a search or a query
DENSE_PROBE = 16  # the first search of dense_above


class MilvusStore(PlanStore):
    """Search and filter over a pushed index (see the module docstring).

    Args:
        client: a ``pymilvus.MilvusClient`` (milvus-lite or a server; ``retriever.backends`` makes one).
        collection: the alias (or collection) ``python -m retriever push`` wrote.
        embedder: the query embedder; must be the one the index was built with.
        bm25: ``"local"`` (the in-process BM25's weights, the default) or ``"milvus"`` (Milvus's full text).

    Raises:
        IndexLoadError: no such collection, another layout or embedder, or no full-text field for
            ``bm25="milvus"`` — the message says what to run.
    """

    def __init__(
        self,
        client: Any,
        collection: str,
        embedder: Embedder,
        *,
        bm25: BM25Source = "local",
        weights: Mapping[str, float] = DEFAULT_WEIGHTS,
        rrf_k: int = RRF_K,
        candidates: int = CANDIDATES,
        cache_size: int = 4096,
    ) -> None:
        push = f"run `python -m retriever push --store ...` (collection {collection!r})"
        props = pushed_info(client, collection)
        if PROP_INFO not in props:
            raise IndexLoadError(f"no taskqa collection {collection!r} in Milvus: {push}")
        if props.get(PROP_LAYOUT) != str(LAYOUT):
            raise IndexLoadError(
                f"collection {collection!r} has layout {props.get(PROP_LAYOUT)}: {push} again"
            )
        info = IndexInfo(**json.loads(props[PROP_INFO]))
        if info.embedder != embedder.name:
            raise IndexLoadError(
                f"collection {collection!r} holds vectors of embedder {info.embedder!r} but "
                f"{embedder.name!r} is configured: push an index built with it "
                "(or set TASKQA_EMBEDDER to the collection's)"
            )
        if bm25 == "milvus" and props.get(PROP_FULLTEXT) != "1":
            raise IndexLoadError(
                f"collection {collection!r} has no full-text BM25 field: {push} with ?bm25=milvus"
            )
        self.client = client
        self.bm25 = bm25
        # The collection the alias names now: a later push moves the alias, this store keeps its version.
        self.collection: str = client.describe_collection(collection)["collection_name"]
        terms_collection = props[PROP_TERMS]
        client.load_collection(self.collection)
        client.load_collection(terms_collection)
        records = self._read_records(info.task_count)
        self._vocab = self._read_vocabulary(terms_collection)
        terms = domain_terms(records)
        if dictionary_hash(terms) != info.dict_hash:
            raise IndexLoadError(
                f"the records in {collection!r} do not give the index's dictionary: {push} again"
            )
        super().__init__(
            records=records,
            tokenizer=Tokenizer(terms),
            info=info,
            vocabulary=frozenset(self._vocab),
            embedder=embedder,
            weights=weights,
            rrf_k=rrf_k,
            candidates=candidates,
            cache_size=cache_size,
        )
        self._sample: Matrix = self._vectors(sample_rows(len(self.records)))

    # -- reading at open -----------------------------------------------------------------------------
    def _read_records(self, count: int) -> list[TaskRecord]:
        rows: dict[int, TaskRecord] = {}
        for lo in range(0, count, READ_BATCH):
            hi = min(count, lo + READ_BATCH)
            got = self.client.query(
                self.collection,
                filter=f"row >= {lo} and row < {hi}",
                output_fields=["row", "record"],
                limit=hi - lo,
            )
            rows.update((int(g["row"]), record_from_row(g["record"])) for g in got)
        if sorted(rows) != list(range(count)):
            raise IndexLoadError(
                f"collection {self.collection!r} holds {len(rows)} of the index's {count} tasks: "
                "push it again"
            )
        return [rows[i] for i in range(count)]

    def _read_vocabulary(self, name: str) -> dict[str, int]:
        vocab: dict[str, int] = {}
        lo = 0
        while True:
            got = self.client.query(
                name,
                filter=f"id >= {lo} and id < {lo + READ_BATCH}",
                output_fields=["id", "term"],
                limit=READ_BATCH,
            )
            if not got:
                return vocab
            vocab.update((str(g["term"]), int(g["id"])) for g in got)
            lo += READ_BATCH

    def _vectors(self, rows: Sequence[int] | npt.NDArray[np.int64]) -> Matrix:
        """The passage vectors of these rows, in this order (read from Milvus)."""
        wanted = [int(r) for r in rows]
        found: dict[int, list[float]] = {}
        for start in range(0, len(wanted), READ_BATCH):
            got = self.client.get(
                self.collection, ids=wanted[start : start + READ_BATCH], output_fields=["dense"]
            )
            found.update((int(g["row"]), g["dense"]) for g in got)
        if not wanted:
            return np.zeros((0, self.info.dim), np.float32)
        return np.asarray([found[r] for r in wanted], dtype=np.float32)

    # -- Milvus searches ---------------------------------------------------------------------------------
    def _search(
        self, field: str, data: Any, *, metric: str, limit: int, where: str, params: dict[str, Any]
    ) -> list[tuple[int, float]]:
        """(row, score) pairs, best first, ties by row; BM25 scores as positive numbers."""
        got = self.client.search(
            self.collection,
            data=[data],
            anns_field=field,
            search_params={"metric_type": metric, "params": params},
            limit=min(limit, MAX_LIMIT),
            filter=where,
            output_fields=["row"],
        )
        # milvus-lite reports a BM25 score negated (a distance); a Milvus server reports it as is.
        pairs = [
            (int(h["row"]), abs(float(h["distance"])) if metric == "BM25" else float(h["distance"]))
            for h in got[0]
        ]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return pairs

    def _dense(self, query: str, *, limit: int, where: str = "") -> list[tuple[int, float]]:
        q = self.embed_query(query)
        return self._search(
            "dense",
            q.tolist(),
            metric="IP",
            limit=limit,
            where=where,
            params={"ef": max(HNSW_EF_SEARCH, limit)},
        )

    def _bm25(
        self, tokens: Sequence[str], *, text: str = "", limit: int, where: str = ""
    ) -> list[tuple[int, float]]:
        """Tasks with a positive BM25 score for these (already tokenized) query terms, best first; Milvus's
        full text analyzes ``text`` (default: the tokens) itself."""
        if self.bm25 == "milvus":
            text = normalize(text or " ".join(tokens))
            if not text:
                return []
            pairs = self._search("fulltext_sparse", text, metric="BM25", limit=limit, where=where, params={})
        else:
            counts: dict[int, float] = {}
            for t in tokens:  # a repeated query term counts again, as in BM25Index.scores
                i = self._vocab.get(t)
                if i is not None:
                    counts[i] = counts.get(i, 0.0) + 1.0
            if not counts:
                return []
            pairs = self._search("bm25", counts, metric="IP", limit=limit, where=where, params={})
        return [p for p in pairs if p[1] > 0]

    def milvus_filter(self, query: str, filters: Filters | None, where: Expr | None) -> str:
        """The Milvus expression for the structured filters (as ``row in``, computed in process) and the
        expression (``retriever.milvus_expr``, ``Topic`` / ``Position`` resolved first); "" for none."""
        parts = []
        if filters is not None and not filters.is_empty():
            rows = self.filter_rows(filters)
            parts.append(f"row in [{', '.join(map(str, rows))}]" if rows else "row < 0")
        if where is not None:
            parts.append(to_milvus(self.resolve(where, query=query), rows_of=self._rows_of))
        return " and ".join(f"({p})" for p in parts) if len(parts) > 1 else "".join(parts)

    def filter_rows(self, filters: Filters) -> list[int]:
        return [self._index_of[r.key] for r in self.filter(filters)]

    def _rows_of(self, leaf: Leaf) -> list[int]:
        return [int(i) for i in np.flatnonzero(self.columns.mask(leaf))]

    # -- the store interface: signals ------------------------------------------------------------------
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
        if not query.strip():
            return self.every_match(self.allowed(query, filters, where))
        expr = self.milvus_filter(query, filters, where)
        limit = self.candidates + TIE_MARGIN
        rankings: dict[str, list[int]] = {}
        raw: dict[str, dict[int, float]] = {}
        signals: list[tuple[str, list[tuple[int, float]]]] = []
        if mode in ("hybrid", "bm25"):
            signals.append(
                ("bm25", self._bm25(self.tokenizer.tokenize(query), text=query, limit=limit, where=expr))
            )
        if mode in ("hybrid", "dense"):
            signals.append(("dense", self._dense(query, limit=limit, where=expr)))
        for name, pairs in signals:
            head = pairs[: self.candidates]
            rankings[name] = [r for r, _ in head]
            raw[name] = dict(head)
        return fuse(
            rankings,
            raw,
            records=self.records,
            mode=mode,
            weights=self.weights,
            rrf_k=self.rrf_k,
            top_k=top_k,
        )

    def similarity_of(self, query: str, rows: Sequence[int]) -> npt.NDArray[np.float32]:
        """The query's cosine similarity to the tasks at these indices (their vectors read from Milvus)."""
        if len(rows) == 0:
            return np.zeros(0, np.float32)
        return np.asarray(self._vectors(rows) @ self.embed_query(query), np.float32)

    def dense_above(self, query: str, threshold: float, *, limit: int = DENSE_PROBE) -> list[int]:
        """Indices of the tasks at least ``threshold`` similar to the query: those of the top ``limit`` when
        some of them fall below it, else a range search. The same set as ``Retriever.dense_above`` (which
        probes 256: a flat search costs the same for any k), from a smaller probe because every hit
        milvus-lite returns costs ~0.1 ms, and a topic asks at 0.93, which hardly any task reaches."""
        k = min(limit, len(self.records))
        if k <= 0:
            return []
        found = [r for r, s in self._dense(query, limit=k) if s >= threshold]
        if len(found) < k:
            return found
        q = self.embed_query(query)
        # radius is exclusive: a hair below the threshold, then the inclusive test here.
        pairs = self._search(
            "dense",
            q.tolist(),
            metric="IP",
            limit=MAX_LIMIT,
            where="",
            params={"radius": threshold - 1e-6, "range_filter": 2.0, "ef": max(HNSW_EF_SEARCH, k)},
        )
        return sorted(r for r, s in pairs if s >= threshold)

    def top_similarities(self, query: str, k: int) -> npt.NDArray[np.float32]:
        """The ``k`` highest cosine similarities of the query to a task, best first."""
        k = min(k, len(self.records))
        if k <= 0:
            return np.zeros(0, np.float32)
        return np.asarray([s for _, s in self._dense(query, limit=k)], dtype=np.float32)

    def sample_scores(self, query: str) -> npt.NDArray[np.float32]:
        """Cosine similarity of the query to the evenly spaced sample of ≤ 1024 tasks (read at open)."""
        return np.asarray(self._sample @ self.embed_query(query), dtype=np.float32)

    def bm25_scores_of(self, tokens: Sequence[str]) -> npt.NDArray[np.float32]:
        """BM25 scores of already tokenized query terms, every task (0 where no term matches); one search
        as deep as the plan (at most Milvus's largest limit), for checks rather than serving."""
        scores = np.zeros(len(self.records), np.float32)
        for row, score in self._bm25(tokens, limit=len(self.records)):
            scores[row] = score
        return scores

    def bm25_top(self, tokens: Sequence[str]) -> float:
        """The best BM25 score of already tokenized query terms (0 for none)."""
        if not tokens or not self.records:
            return 0.0
        best = self._bm25(tokens, limit=1)
        return best[0][1] if best else 0.0
