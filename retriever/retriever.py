"""Hybrid BM25 + vector retrieval with exact filters, everything in memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.embedders import Embedder, Matrix, make_embedder
from index.store import HNSW_THRESHOLD, BuiltIndex, load_current, load_index
from index.tokenize import Tokenizer
from retriever.common import CANDIDATES, DEFAULT_WEIGHTS, SAMPLE, PlanStore, QueryCache, fuse, sample_rows
from retriever.expr import Expr
from retriever.fusion import RRF_K
from retriever.types import Filters, Hit, Mode

__all__ = [
    "CANDIDATES",
    "DEFAULT_WEIGHTS",
    "SAMPLE",
    "QueryCache",
    "Retriever",
    "load_retriever",
    "top_k_stable",
]


class Retriever(PlanStore):
    """Search and filter over one loaded index (faiss and the BM25 postings in this process)."""

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
        super().__init__(
            records=built.records,
            tokenizer=Tokenizer(built.terms),
            info=built.info,
            vocabulary=frozenset(built.bm25.vocab),
            embedder=embedder,
            weights=weights,
            rrf_k=rrf_k,
            candidates=candidates,
            cache_size=cache_size,
        )
        self._built = built
        self._sample: Matrix | None = None
        self._section_of = np.array([r.section for r in self.records], dtype=object)
        self._section_sizes = Counter(r.section for r in self.records)

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

    def bm25_top(self, tokens: Sequence[str]) -> float:
        """The best BM25 score of already tokenized query terms (0 for none)."""
        if not tokens or not self.records:
            return 0.0
        return float(self._built.bm25.scores(tokens).max())

    def sample_scores(self, query: str) -> npt.NDArray[np.float32]:
        """Cosine similarity of the query to a fixed, evenly spaced sample of ≤ 1024 tasks (the plan-wide
        background a single similarity is judged against)."""
        if self._sample is None:
            self._sample = np.ascontiguousarray(self._built.vectors[sample_rows(len(self.records))])
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
        allowed = self.allowed(query, filters, where)
        if not query.strip():
            return self.every_match(allowed)
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
        return fuse(
            rankings,
            raw,
            records=self.records,
            mode=mode,
            weights=self.weights,
            rrf_k=self.rrf_k,
            top_k=top_k,
        )


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
