"""Which tasks are about a topic: lexical evidence, checked by dense similarity (pure given the arrays).

A topic is a few words (「电子证照」, 「采购 保证金」, 「养老 服务」). A task is about it when its
text contains enough of the topic's weight — each word weighted by how rare it is in the plan (a word
in most tasks, such as 服务, is no evidence), a word matching when the task contains it or a word of
its row in the synonym table — and its similarity to the question is not far below the best such
task (a passing mention: 养老 in 养老保险 for 「养老服务」; a theme expected to have several tasks keeps
a task holding every one of its words, two or more, however it is worded). A task with no word of the
topic counts only when its similarity is very high. The thresholds (``TopicParams``) were chosen on the
dev split for set F1.

The functions are pure and store-agnostic: a store passes callbacks for what depends on its data
(``containing``: the sorted indices of the tasks whose normalized text contains any of some words;
``similarity_of``: the question's similarity to given tasks; ``dense_above``: the tasks at least this
similar), so the in-memory store and a database-backed one decide topics by the same rule. Work grows with
the tasks that contain a topic word, not with the plan.
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
    any_term: float = 0.9  # a task with one word this close in weight to the topic's rarest word counts too
    whole_task: float = 0.75  # a task holding this share of a long theme's weight is the one task described
    strong: float = 0.6  # several tasks hold this share of a who-leads theme's weight: one holding less is a
    # passing mention (one of its two words)
    # a compound whose head the plan writes this many times as often reads as the head too
    head_ratio: float = 2.0
    # a theme asked of the list just answered (「其中跟发票有关的」): a word in this share of the list
    # describes it all (医疗 among the health commission's tasks); below it, it picks the list's part about it
    part_generic: float = 0.5


@dataclass(frozen=True, slots=True)
class TopicMatch:
    index: int
    lexical: float
    dense: float
    words: tuple[str, ...]


Indices = npt.NDArray[np.int64]
Containing = Callable[[Sequence[str]], Indices]
SimilarityOf = Callable[[Sequence[int]], npt.NDArray[np.float32]]
DenseAbove = Callable[[float], Sequence[int]]


def _mask(n: int, rows: Sequence[int] | Indices) -> npt.NDArray[np.bool_]:
    out = np.zeros(n, np.bool_)
    out[np.asarray(rows, np.int64)] = True
    return out


def describes(
    terms: Sequence[Sequence[str]],
    *,
    n: int,
    pool: Sequence[int],
    params: TopicParams,
    containing: Containing,
    names: Sequence[str] = (),
) -> bool:
    """Every word of the topic occurs in the plan and says nothing specific about ``pool``: it is in most of
    the plan's tasks, in a large share of the pool's (「权益」 among the investor tasks), or in the name of
    the pool's section (「保护」 for 保护中小投资者). ``n``: the plan's task count."""
    if not terms or len(pool) == 0:
        return False
    inside = _mask(n, pool)
    size = int(inside.sum())
    for alts in terms:
        if any(a in name for a in alts for name in names):
            continue
        hit = containing(alts)
        if not len(hit):
            return False
        shared = int(inside[hit].sum())  # a word in one task of the pool describes that task, not the pool
        if len(hit) <= params.max_df_share * n and (shared < 2 or shared / size < params.pool_generic):
            return False
    return True


def topic_matches(
    terms: Sequence[Sequence[str]],
    *,
    n: int,
    allowed: Sequence[int] | None,
    params: TopicParams,
    containing: Containing,
    similarity_of: SimilarityOf | None = None,
    dense_above: DenseAbove | None = None,
    min_lexical: float | None = None,
    facets: Sequence[Sequence[Sequence[str]]] = (),
    least: int = 1,
    stretch: bool = True,
) -> list[TopicMatch] | None:
    """Tasks (indices) about the topic, best evidence first; None when no word of the topic is evidence
    (none occurs in the plan, or each occurs almost everywhere).

    ``n``: the plan's task count; ``allowed``: the indices a filter leaves (None: all); ``terms``: each topic
    word with its synonyms; ``similarity_of`` (None: lexical evidence only) and ``dense_above`` (None: no
    task counts without a word of the topic) see the module docstring. ``facets``: coordinated themes (each
    a tuple of terms), judged one by one; a task about any of them is about the topic (``terms`` unused).
    ``least``: how many tasks the question expects the theme to have (a who-leads question about a theme:
    several); when fewer reach the share of the topic's weight, the tasks with its most specific words count,
    word by word, until that many do (a rare word in one task, a commoner one in four: all four); with
    ``stretch`` False only once one task does (a theme no task holds enough of has no tasks).
    """
    if len(facets) > 1:
        found: dict[int, TopicMatch] = {}
        any_evidence = False
        for facet in facets:
            got = topic_matches(
                facet,
                n=n,
                allowed=allowed,
                params=params,
                containing=containing,
                similarity_of=similarity_of,
                dense_above=dense_above,
                min_lexical=min_lexical,
                least=least,
                stretch=stretch,
            )
            if got is None:
                continue
            any_evidence = True
            for m in got:
                if m.index not in found or m.lexical > found[m.index].lexical:
                    found[m.index] = m
        if not any_evidence:
            return None
        return sorted(found.values(), key=lambda m: (-m.lexical, -m.dense, m.index))
    if len(facets) == 1:
        terms = facets[0]
    forms = {t[0]: tuple(t) for t in terms if t and t[0]}
    if least > 1:
        forms = {
            term: _with_head(alts, n=n, least=least, params=params, containing=containing)
            for term, alts in forms.items()
        }
    inside = np.ones(n, np.bool_) if allowed is None else _mask(n, allowed)
    pool_size = n if allowed is None else int(inside.sum())
    weights: dict[str, float] = {}
    contains: dict[str, Indices] = {}
    for term, alts in forms.items():
        hit = containing(alts)
        if not len(hit) or len(hit) > params.max_df_share * n:
            continue
        if allowed is not None and pool_size >= 4:
            share = int(inside[hit].sum()) / pool_size
            if share >= params.pool_generic:
                continue  # 「报装」 in 获得用水、用气: it describes the whole section, not some of its tasks
        contains[term] = hit
        weights[term] = math.log((n + 1) / (len(hit) + 0.5))
    for term in _strays(contains, n):
        del contains[term], weights[term]
    total = sum(weights.values())
    if total <= 0:
        return None
    lexical = np.zeros(n, np.float64)
    for term, hit in contains.items():
        lexical[hit] += weights[term]
    lexical /= total
    floor = params.min_lexical if min_lexical is None else min_lexical
    if min_lexical is None and least > 1:
        # A theme expected to have several tasks and named in a few words (not a task described in many): a
        # word nearly as specific as its most specific one is evidence alone (two words of one or two tasks
        # each: either); and, named in a word or two or at length with no task holding most of it (a theme
        # told in many words, not one task described), while fewer than ``least`` tasks reach the share, the
        # next most specific word's tasks count too.
        top = max(weights.values())
        reached = int((inside & (lexical >= floor - 1e-9)).sum())
        few = len(weights) <= 3
        short = len(weights) <= 2 or float(lexical[inside].max(initial=0.0)) < params.whole_task
        for term in sorted(weights, key=lambda t: -weights[t]):
            if (few and weights[term] >= params.any_term * top > 0) or (
                short and reached < least and (stretch or reached > 0)
            ):
                hit = contains[term]
                lexical[hit] = np.maximum(lexical[hit], floor)
                reached = int((inside & (lexical >= floor - 1e-9)).sum())
    # Only tasks with a word of the topic can reach a positive floor; the rest count by similarity alone.
    candidates = inside & (lexical > 0) if floor > 1e-9 else inside.copy()
    if similarity_of is not None and dense_above is not None:
        near = np.asarray(dense_above(params.dense_only), np.int64)
        candidates[near[inside[near]]] = True
    rows = np.flatnonzero(candidates)
    lex = lexical[rows]
    dense = (
        np.asarray(similarity_of([int(i) for i in rows]), np.float64)
        if similarity_of is not None and len(rows)
        else np.zeros(len(rows), np.float64)
    )
    is_lexical = lex >= floor - 1e-9
    best = float(dense[is_lexical].max()) if is_lexical.any() else 0.0
    if similarity_of is None:
        keep = is_lexical
    else:
        keep = (is_lexical & (dense >= best - params.dense_margin)) | (dense >= params.dense_only)
        if least > 1 and len(weights) >= 2:
            # A theme expected to have several tasks: one holding every word of it (two or more) is about it
            # however differently it is worded (中介 + 超市); the similarity check is for passing mentions.
            keep |= lex >= 1.0 - 1e-9
    if least > 1 and len(weights) >= 2:
        # Several tasks hold clearly more of the theme than half of it: the ones that hold only one of its
        # words (远程 without 会诊) mention it in passing.
        strong = keep & (lex >= params.strong - 1e-9)
        if int(strong.sum()) >= least:
            keep &= strong | (dense >= params.dense_only)
    members = {t: _mask(n, hit) for t, hit in contains.items()} if keep.any() else {}
    out = [
        TopicMatch(int(i), float(x), float(d), tuple(t for t in weights if members[t][i]))
        for i, x, d in zip(rows[keep].tolist(), lex[keep].tolist(), dense[keep].tolist(), strict=True)
    ]
    return sorted(out, key=lambda m: (-m.lexical, -m.dense, m.index))


def _strays(contains: dict[str, Indices], n: int) -> list[str]:
    """Words of a theme told in several words that no task holds together with any other of its words, while
    some of its other words do go together (「托育服务在方案里部署了几条」: 部署 in tasks with neither 托育
    nor 服务): talk around the theme, not part of it."""
    if len(contains) < 3:
        return []
    masks = {t: _mask(n, hit) for t, hit in contains.items()}
    alone = [t for t in masks if not any((masks[t] & masks[o]).any() for o in masks if o != t)]
    return alone if len(alone) < len(masks) else []


def _with_head(
    alts: tuple[str, ...], *, n: int, least: int, params: TopicParams, containing: Containing
) -> tuple[str, ...]:
    """A term of a theme expected to have several tasks that the plan writes in fewer of them, or far less
    often than its head (集中 + 一网通办: one kind of it), read as its head too: the longest final part
    of three characters or more (a two-character one is a generic word: 监管, 清单) the plan writes in
    enough tasks and not almost everywhere (手机 + 小程序: the plan writes 小程序). Chinese compounds put
    the head last."""
    word = alts[0]
    own = len(containing(alts))
    if len(word) < 4:
        return alts
    for i in range(1, len(word) - 2):
        head = word[i:]
        df = len(containing((head,)))
        if df > params.max_df_share * n:
            break
        if df >= least and (own < least or df >= params.head_ratio * own):
            return (*alts, head)
    return alts
