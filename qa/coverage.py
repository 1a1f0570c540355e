"""The coverage model's evidence for a question (pure given the store): what ``qa.refusal`` weighs."""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence

import numpy as np

from corpus.records import TaskRecord
from index.tokenize import normalize
from qa.phrasebook import synonyms
from qa.places import PlaceNames
from qa.refusal import (
    Evidence,
    asks_outside,
    content_tokens,
    coverage,
    dense_z,
    strip_place,
    strip_plan_refs,
)
from retriever.expr import Doc
from retriever.store import TaskStore
from retriever.types import Hit


class Judge:
    """Evidence over one store: similarities, BM25, vocabulary coverage, cue flags, the question's embedding.

    ``embedding``: whether the question's embedding is part of the evidence (the full model applies);
    ``places``: the loaded plans' places, dropped from the question before it is judged, like its
    references to the plan itself (titles, issuing numbers, 「这个方案里」, 「分工表」: ``strip_plan_refs``).

    With several plans loaded, the evidence is read within the plans the question is about, or, when it
    names none, within the plan of its best match: the similarity profile, the best BM25 score and the
    vocabulary coverage are what that plan alone would give. So the evidence does not depend on which other
    plans are loaded — a theme several plans share does not flatten the similarity peak of an answerable
    question, and another plan's words do not make a question about this one look covered — and the model
    fitted on one plan applies to each.
    """

    def __init__(self, store: TaskStore, *, embedding: bool, places: PlaceNames | None = None) -> None:
        self.r = store
        self.embedding = embedding
        self.places = places or PlaceNames()
        self.vocab = store.vocabulary()
        self._any = store.profile().task_count > 0
        self._freq, self._freq_total = store.tokenizer.frequencies()
        self._terms = frozenset(store.tokenizer.terms)
        self._record_tokens: dict[tuple[str, int], frozenset[str]] = {}
        self._record_text: dict[tuple[str, int], str] = {}
        self._plan_words: dict[str, list[tuple[frozenset[str], str]]] = {}
        self._holders: dict[tuple[str, str], int] = {}
        self._plan_units: dict[str, str] = {}
        self._several = len(store.profile().plans) > 1
        self._plan_vocab: dict[frozenset[str], frozenset[str]] = {}
        names = {n for p in store.profile().plans for n in (p.title, p.short_title, p.doc_number) if n}
        self._titles = tuple(sorted(names, key=len, reverse=True))

    def evidence(
        self,
        text: str,
        hits: Sequence[Hit] | None = None,
        *,
        embedding: bool | None = None,
        plans: frozenset[str] | None = None,
    ) -> Evidence:
        """The refusal model's signals for a (normalized) question and its search results (``plans``: the
        plans the question is about; its hits and best similarities are theirs)."""
        query = strip_place(strip_plan_refs(text, self._titles), self.places) or text
        where = Doc(plans) if plans is not None else None
        if hits is None or query != text:
            hits = self.r.search(query, top_k=5, where=where)  # judged without the region's name
        words = self.words(query)
        home = plans if plans is not None else (frozenset({hits[0].record.doc_id}) if hits else None)
        if self._several and home is not None:  # within the plans it is about (see the class docstring)
            where = Doc(home)
            best = self.r.search(query, top_k=1, where=where, mode="bm25")
            bm25 = float(best[0].signals["bm25"].score or 0.0) if best else 0.0
            vocab: Container[str] = self.vocabulary_of(home)
        else:
            bm25 = self.r.bm25_top(words)
            vocab = self.vocab
        local = max((self.covers(words, h.record) for h in hits[:3]), default=0.0)
        if not self._any:
            sims = np.zeros(0, np.float32)
        elif where is None:
            sims = self.r.top_similarities(query, 5)
        else:
            dense = [
                h.signals["dense"].score for h in self.r.search(query, top_k=5, where=where, mode="dense")
            ]
            sims = np.asarray([s for s in dense if s is not None], np.float32)
        top = float(sims[0]) if sims.size else 0.0
        return Evidence(
            dense_top=top,
            dense_z=dense_z(top, self.r.sample_scores(query)),
            bm25_top=bm25,
            coverage=coverage(words, vocab, self._freq, self._freq_total),
            local_coverage=local,
            english=not any("\u4e00" <= c <= "\u9fff" for c in text),
            asks_outside=asks_outside(text),
            names_plan_term=any(len(w) >= 3 and w in self._terms for w in words),
            sim_second=float(sims[1]) if sims.size > 1 else top,
            sim_fifth=float(sims[4]) if sims.size > 4 else top,
            embedding=tuple(float(v) for v in self.r.embed_query(query))
            if (self.embedding if embedding is None else embedding)
            else (),
        )

    def vocabulary_of(self, plans: frozenset[str]) -> frozenset[str]:
        """The words of these plans' tasks, as BM25 indexes them (``index.store.build_index``)."""
        got = self._plan_vocab.get(plans)
        if got is None:
            if len(plans) == 1:
                tok = self.r.tokenizer
                got = frozenset(
                    t
                    for r in self.r.select(Doc(plans))
                    for t in tok.tokenize(f"{r.section} {r.text} {' '.join(r.lead_units)}")
                )
            else:
                got = frozenset().union(*(self.vocabulary_of(frozenset({d})) for d in plans))
            if len(plans) == 1 or len(self._plan_vocab) < 256:  # each plan, and sets named together
                self._plan_vocab[plans] = got
        return got

    def words(self, text: str) -> list[str]:
        """The question's tokens without the loaded plans' place names."""
        return content_tokens(self.r.tokenizer.tokenize(text), self.places)

    def covers(self, words: Sequence[str], r: TaskRecord) -> float:
        """How much of the question's informative weight a task's words cover."""
        return coverage(words, self._tokens_of(r), self._freq, self._freq_total)

    def covers_text(self, words: Sequence[str], r: TaskRecord) -> float:
        """Like :meth:`covers`, a word counting also when the task's text contains it (the task's own
        words may be cut differently: 压减 in 「压减至」)."""
        tokens = self._tokens_of(r)
        # Only a word no longer word of the question contains (search-mode words overlap: 考核办法, 考核).
        whole = {w for w in words if not any(w != o and w in o for o in words)}
        return coverage(words, _Either(tokens, self._text_of(r), whole), self._freq, self._freq_total)

    def holders(self, word: str, doc: str) -> int:
        """How many tasks of plan ``doc`` hold ``word`` the way :meth:`covers_text` counts a word asked alone:
        one of their tokens or, two characters or more, in their text (cached per plan and word)."""
        got = self._holders.get((doc, word))
        if got is None:
            plan = self._plan_words.get(doc)
            if plan is None:
                plan = [(self._tokens_of(r), self._text_of(r)) for r in self.r.select(Doc(frozenset({doc})))]
                self._plan_words[doc] = plan
            long = len(word) >= 2
            got = sum(1 for tokens, text in plan if word in tokens or (long and word in text))
            if len(self._holders) >= 100_000:
                self._holders.clear()
            self._holders[(doc, word)] = got
        return got

    def elsewhere(
        self, words: Iterable[str], home: frozenset[str], best: TaskRecord, *, most: int = 4
    ) -> tuple[str, str] | None:
        """A word the question describes its subject in that no task of the plans it asks about holds (nor
        their unit names, a word meaning the same, or its two halves the other way round: 开办企业, 企业开办)
        while ``best``, the question's best match over all loaded plans, is another plan's task holding it:
        ``(word, that plan)``. The question is about what only another plan covers (供暖 asked of a plan
        whose only 报装 task is about water and gas). Only a word at most ``most`` tasks of the loaded plans
        hold names one measure; a commoner one (公司, 告知) is a theme the asked plan may word otherwise.
        Two characters or more, not a number; None when no word is so."""
        if best.doc_id in home:
            return None
        plans = [p.doc_id for p in self.r.profile().plans]
        same = synonyms()
        for w in dict.fromkeys(normalize(x) for x in words):
            if len(w) < 2 or w.isdigit() or self.covers_text([w], best) <= 0:
                continue
            alike = {w, *same.get(w, ())}
            if len(w) == 4:
                alike.add(w[2:] + w[:2])
            if any(self.holders(x, d) or x in self._units_of(d) for d in home for x in alike):
                continue
            if sum(self.holders(w, d) for d in plans) <= most:
                return w, best.doc_id
        return None

    def _units_of(self, doc: str) -> str:
        """The names of plan ``doc``'s units, one string (州人力资源社会保障局 holds 人力资源)."""
        got = self._plan_units.get(doc)
        if got is None:
            names = {
                u for r in self.r.select(Doc(frozenset({doc}))) for u in (*r.lead_units, *r.responsible_units)
            }
            got = self._plan_units[doc] = normalize(" ".join(sorted(names)))
        return got

    def _text_of(self, r: TaskRecord) -> str:
        got = self._record_text.get(r.key)
        if got is None:
            got = normalize(r.text)
            if len(self._record_text) < 100_000:
                self._record_text[r.key] = got
        return got

    def _tokens_of(self, r: TaskRecord) -> frozenset[str]:
        got = self._record_tokens.get(r.key)
        if got is None:
            got = frozenset(
                self.r.tokenizer.tokenize(" ".join((r.section, r.text, *r.lead_units, *r.responsible_units)))
            )
            if len(self._record_tokens) < 100_000:
                self._record_tokens[r.key] = got
        return got


class _Either:
    """A word is in the task when it is one of its tokens or, two characters or more, in its text."""

    def __init__(self, tokens: frozenset[str], text: str, whole: set[str]) -> None:
        self.tokens, self.text, self.whole = tokens, text, whole

    def __contains__(self, word: object) -> bool:
        if word in self.tokens:
            return True
        return isinstance(word, str) and word in self.whole and len(word) >= 2 and word in self.text
