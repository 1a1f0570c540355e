"""Weighted reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009).

    score(d) = Σ_s  w_s / (k + rank_s(d))

over the signals s that returned d (1-based ranks). ``k`` damps the head of each
ranking: we use k = 60, the value of the original paper (also FastGPT's and
LangChain's; Haystack uses 61). The weights are tuned on the evaluation's dev
split (``python -m eval --split dev --tune``) and written down in
``retriever/retriever.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

RRF_K = 60


def weighted_rrf(
    rankings: Mapping[str, Sequence[int]], weights: Mapping[str, float], *, k: int = RRF_K
) -> list[tuple[int, float]]:
    """Fuse rankings of document indices; returns (doc, score) best first, ties by doc index."""
    fused: dict[int, float] = {}
    for name, ranking in rankings.items():
        w = weights.get(name, 0.0)
        if w <= 0:
            continue
        for rank, doc in enumerate(ranking, start=1):
            fused[doc] = fused.get(doc, 0.0) + w / (k + rank)
    return sorted(fused.items(), key=lambda x: (-x[1], x[0]))
