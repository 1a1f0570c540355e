"""Which tasks are about a topic: lexical evidence, checked by dense similarity (pure given the arrays).

A topic is a few words (「电子证照」, 「采购 保证金」, 「养老 服务」). A task is about it when its
text contains enough of the topic's weight — each word weighted by how rare it is in the plan (a word
in most tasks, such as 服务, is no evidence), a word matching when the task contains it or a word of
its row in the synonym table — and its similarity to the question is not far below the best such
task (a passing mention: 养老 in 养老保险 for 「养老服务」). A task with no word of the topic counts
only when its similarity is very high. The thresholds (``TopicParams``) were chosen on the dev split
for set F1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class TopicParams:
    min_lexical: float = 0.5  # share of the topic's weight a task's text must contain
    max_df_share: float = 0.12  # a word in more of the plan's tasks than this is not evidence
    dense_margin: float = 0.03  # a lexical match this far below the best match's similarity is dropped
    dense_only: float = 0.93  # a task this similar counts without a word of the topic (never, at the default)
    pool_generic: float = 0.25  # in a filtered pool (a section), a word in this share of it describes it all


@dataclass(frozen=True, slots=True)
class TopicMatch:
    index: int
    lexical: float
    dense: float
    words: tuple[str, ...]


def describes(
    terms: Sequence[Sequence[str]],
    *,
    texts: Sequence[str],
    pool: Sequence[int],
    params: TopicParams,
    names: Sequence[str] = (),
    containing: Callable[[Sequence[str]], frozenset[int]] | None = None,
) -> bool:
    """Every word of the topic occurs in the plan and says nothing specific about ``pool``: it is in most of
    the plan's tasks, in a large share of the pool's (「权益」 among the investor tasks), or in the name of
    the pool's section (「保护」 for 保护中小投资者)."""
    n = len(texts)
    pool_set = set(pool)
    if not terms or not pool_set:
        return False
    hits_of = containing or (lambda alts: frozenset(i for i in range(n) if any(a in texts[i] for a in alts)))
    for alts in terms:
        if any(a in name for a in alts for name in names):
            continue
        hit = hits_of(alts)
        if not hit:
            return False
        if len(hit) <= params.max_df_share * n and len(hit & pool_set) / len(pool_set) < params.pool_generic:
            return False
    return True


def topic_matches(
    terms: Sequence[Sequence[str]],
    *,
    texts: Sequence[str],
    allowed: Sequence[int] | None,
    similarity: npt.NDArray[np.float32] | None,
    params: TopicParams,
    min_lexical: float | None = None,
    containing: Callable[[Sequence[str]], frozenset[int]] | None = None,
) -> list[TopicMatch] | None:
    """Tasks (indices into ``texts``) about the topic, best evidence first; None when no word of the topic
    is evidence (none occurs in the plan, or each occurs almost everywhere).

    ``texts``: every task's normalized text; ``allowed``: the indices a filter leaves (None: all);
    ``similarity``: the question's cosine similarity to every task (None: lexical evidence only);
    ``terms``: each topic word with its synonyms.
    """
    n = len(texts)
    pool = range(n) if allowed is None else allowed
    forms = {t[0]: tuple(t) for t in terms if t and t[0]}
    weights: dict[str, float] = {}
    contains: dict[str, frozenset[int]] = {}
    pool_set = set(pool)
    hits_of = containing or (lambda alts: frozenset(i for i in range(n) if any(a in texts[i] for a in alts)))
    for term, alts in forms.items():
        hit = hits_of(alts)
        if not hit or len(hit) > params.max_df_share * n:
            continue
        if allowed is not None and len(pool_set) >= 4:
            share = len(hit & pool_set) / len(pool_set)
            if share >= params.pool_generic:
                continue  # 「报装」 in 获得用水、用气: it describes the whole section, not some of its tasks
        contains[term] = hit
        weights[term] = math.log((n + 1) / (len(hit) + 0.5))
    total = sum(weights.values())
    if total <= 0:
        return None
    out: list[TopicMatch] = []
    for i in pool:
        found = tuple(t for t in weights if i in contains[t])
        lexical = sum(weights[t] for t in found) / total
        dense = float(similarity[i]) if similarity is not None else 0.0
        out.append(TopicMatch(i, lexical, dense, found))
    floor = params.min_lexical if min_lexical is None else min_lexical
    lexical_hits = [m for m in out if m.lexical >= floor - 1e-9]
    best = max((m.dense for m in lexical_hits), default=0.0)
    keep = [
        m
        for m in out
        if (m.lexical >= floor - 1e-9 and (similarity is None or m.dense >= best - params.dense_margin))
        or (similarity is not None and m.dense >= params.dense_only)
    ]
    return sorted(keep, key=lambda m: (-m.lexical, -m.dense, m.index))
