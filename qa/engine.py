"""Question → plan → result → cited answer: the stages wired together (``QA.answer``).

understand (``qa.planner``: text → typed plan) → execute (``qa.execute``: plan → the records it rests on,
through the store) → compose (``qa.compose``: records → wording) → verify (``qa.verify``: the text's task
numbers and the citations agree). A crash is an error, not a refusal: ``answer`` raises, and the API logs it
with the question's hash and counts it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace

from corpus.records import TaskRecord
from qa import compose
from qa.coverage import Judge
from qa.entities import Context, topic_table
from qa.execute import Executor, Margins, Result
from qa.places import PlaceNames
from qa.plan import Ask, Reply
from qa.planner import Planner, Reading, Turn
from qa.refusal import Evidence, RefusalModel, load_model
from qa.scope import plan_refs
from qa.session import ConversationCodec, Session
from qa.text import Respeller, TypoFixer
from qa.types import Answer, Intent, Trace
from qa.verify import Naming, cited_keys, short_titles
from retriever.expr import plans_of
from retriever.store import SectionInfo, TaskStore

log = logging.getLogger("taskqa.qa")
COMMON_WORD = 200  # jieba's frequency from which a word is ordinary Chinese, never a typo of a plan term


class CitationMismatch(RuntimeError):
    """The composed text and the records it rests on disagree: a bug, never shown to a user."""


class QA:
    """Answers questions over one store. Thread-safe (sessions carry the conversation state)."""

    def __init__(
        self, store: TaskStore, *, refusal: RefusalModel | None = None, margins: Margins | None = None
    ) -> None:
        self.r = store
        self.lex = store.lexicon
        self._busy = 0  # answers being read right now (threads of the API)
        self._busy_lock = threading.Lock()
        self.refusal = refusal or load_model()
        self._full_model = self.refusal.usable_full(store.info.embedder, store.info.dim)
        if not self._full_model:
            log.warning(
                "the refusal model was fitted with embedder %s but the index uses %s: using its base model "
                "(no question embedding); refit with `python -m eval.tune --refusal`",
                self.refusal.embedder,
                store.info.embedder,
            )
        profile = store.profile()
        self.places = PlaceNames.of(profile.plans, self.lex.units)
        self.judge = Judge(store, embedding=self._full_model, places=self.places)
        topics = topic_table(s.section for s in profile.sections)
        freq, _ = store.tokenizer.frequencies()

        def common(word: str) -> bool:
            return freq.get(word, 0) >= COMMON_WORD

        self.ctx = Context(
            lexicon=self.lex,
            topics=topics,
            cities=profile.cities,
            plan_year=profile.first_year,
            says=store.says,
            vocab=self.judge.vocab,
            leading=profile.leading_units,
            places=self.places,
            plans=plan_refs(profile.facts) if len(profile.facts) > 1 else (),
            plan_years=frozenset(f.year for f in profile.facts if f.year),
            section_plans=_section_plans(profile.sections),
            numbered=_numbered(profile.sections),
            ongoing_words={f.doc_id: f.ongoing_words for f in profile.facts},
            within_year=frozenset(f.doc_id for f in profile.facts if f.within_year),
            respell=Respeller(self.judge.vocab, common=common, says=store.says),
            titles=tuple(p.title for p in profile.plans),
        )
        vocab_terms = [*store.tokenizer.terms, *topics, *self.lex.aliases]
        vocab_terms += [t for t in self.judge.vocab if 3 <= len(t) <= 4]
        self.typos = TypoFixer(vocab_terms, known=store.says, common=common)
        self.max_task = profile.max_task
        self.planner = Planner(self.ctx, store.tokenizer.words, self.typos, self.max_task)
        self.executor = Executor(
            store, self.judge, self.refusal, self.judge.covers_text, margins or Margins()
        )
        self.naming = Naming(short_titles(profile.plans))
        self.library = compose.Library.of(profile.plans)
        self._sections = profile.sections

    # -- public --------------------------------------------------------------------------------------------
    def read(
        self,
        question: str,
        *,
        session: Session | None = None,
        doc_id: str | None = None,
        prefetch: Callable[[str], object] | None = None,
    ) -> Reading:
        """How a question is understood (the plan, before any retrieval; ``doc_id``: scoped to that plan;
        ``prefetch``: see :meth:`Planner.read`)."""
        pinned = doc_id if self.naming.several else None  # with one plan, scoping to it changes nothing
        previous = session.turn if session is not None else None
        return self.planner.read(question, previous, pinned=pinned, prefetch=prefetch)

    def answer(self, question: str, *, session: Session | None = None, doc_id: str | None = None) -> Answer:
        """Answer one question (``doc_id``: from that plan only). Raises on an internal error (a crash is
        never passed off as a refusal), ``ValueError`` for a plan that is not loaded."""
        if doc_id is not None and doc_id not in self.naming.shorts:
            raise ValueError(f"no plan {doc_id!r} is loaded")
        with self._busy_lock:
            self._busy += 1
            alone = self._busy == 1
        try:
            # Alone, the idle core embeds the question while it is read; under load it would only add work.
            reading = self.read(
                question, session=session, doc_id=doc_id, prefetch=self.r.prefetch if alone else None
            )
        finally:
            with self._busy_lock:
                self._busy -= 1
        library = self.library.within(reading.scope)
        trace = Trace(
            normalized=reading.text,
            language=reading.lang,
            plan=str(reading.plan),
            followup=reading.followup,
            notes=reading.notes,
        )
        plan = reading.plan
        if isinstance(plan, Reply):
            return self._reply(plan, reading.lang, trace, library)
        result = self.executor.run(plan, words=self.judge.words(plan.query), question=reading.text)
        trace = replace(
            trace,
            retrieval=tuple((h.record.task_id, h.score) for h in result.hits),
            notes=(*trace.notes, *result.notes),
        )
        with compose.naming(self.naming.shorts if self.naming.several else None):
            ans = self._compose(result, reading.lang, trace, library)
        ambiguous = [m for m in reading.mentions if m.kind == "unit" and len(m.units) > 1]
        if ambiguous and ans.answerable:
            notes = "".join(compose.ambiguity_note(m.text, sorted(m.units), reading.lang) for m in ambiguous)
            ans = replace(ans, text=notes + ans.text)
        self._check(ans)
        if session is not None and ans.answerable and ans.citations:
            records = result.records or ans.citations
            session.turn = Turn(
                text=reading.text,
                plan=plan,
                keys=frozenset(r.key for r in records),
                mentions=reading.mentions,
                records=tuple(sorted(records, key=lambda r: r.key)),
                cited=tuple(sorted(ans.citations, key=lambda r: r.key)),
            )
        return ans

    # -- conversations carried by the client -----------------------------------------------------------------
    def resume(self, token: str | None, codec: ConversationCodec) -> tuple[Session, bool]:
        """The conversation a client's token carries, and whether a token was given but could not be resumed
        (forged, damaged, expired, or from another secret): then the conversation starts again."""
        decoded = codec.decode(token) if token else None
        if decoded is None:
            return Session(id=""), token is not None
        conversation, text, keys = decoded
        reading = self.planner.read(text) if text else None
        if reading is None or not isinstance(reading.plan, Ask):
            return Session(id=conversation), False
        records = [r for r in (self.r.get_key(k) for k in sorted(keys)) if r is not None]
        turn = Turn(
            text=reading.text,
            plan=reading.plan,
            keys=keys,
            mentions=reading.mentions,
            records=tuple(records),
        )
        return Session(id=conversation, turn=turn), False

    def token(self, session: Session, codec: ConversationCodec) -> str:
        """The token that carries this conversation to the next turn, on any worker."""
        if not session.id:
            session.id = codec.new_conversation()
        turn = session.turn
        if turn is None:
            return codec.encode("", (), conversation=session.id)
        return codec.encode(turn.text, turn.keys, conversation=session.id)

    # -- wording -------------------------------------------------------------------------------------------
    def _compose(self, res: Result, lang: str, trace: Trace, library: compose.Library) -> Answer:
        ask = res.ask
        if res.outcome == "missing":
            text = compose.missing(res, self._sizes(library.docs), lang)
            return Answer(text=text, answerable=False, intent="out_of_scope", trace=trace)
        if res.outcome == "refused" and res.unstated and res.nearest is not None:
            text, related = compose.unstated(res.unstated, res.nearest, self.lex, lang, library)
            return self._ok(text, related, "out_of_scope", trace, answerable=False)
        if res.outcome == "refused":
            kind, detail = ("no_topic", res.topic) if res.topic else ("not_found", "")
            text = compose.refusal(kind, detail, lang, library)
            used: list[TaskRecord] = []
            if res.nearest is not None:  # no "nothing found" beside the related task it shows
                hint, used = compose.nearest_hint(res.nearest, self.lex, lang)
                text = (compose.refusal_near(lang, library) if kind == "not_found" else text) + hint
            return self._ok(text, used, "out_of_scope", trace, answerable=False)
        if res.outcome == "single":
            text, used = compose.single(ask.what, res.records[0], self.lex, lang, res.runner_up)
            if res.related:
                more, also = compose.related(res.records[0], res.related, res.topic, self.lex, lang)
                text, used = text + more, [*used, *also]
            return self._ok(text, used, _intent(ask, single=True), trace)
        text, used = compose.set_answer(res, self.lex, lang)
        return self._ok(text, used, _intent(ask, single=False), trace)

    def _reply(self, reply: Reply, lang: str, trace: Trace, library: compose.Library) -> Answer:
        if reply.kind in ("greeting", "thanks"):
            text = compose.small_talk(reply, lang, library)
        else:
            text = compose.refusal(reply.kind, reply.detail, lang, library)
        return Answer(text=text, answerable=False, intent="out_of_scope", trace=trace)

    def _sizes(self, docs: frozenset[str]) -> dict[str | None, int]:
        """Tasks per section, and in all (None), of these plans."""
        sizes: dict[str | None, int] = {None: 0}
        for s in self._sections:
            if s.doc_id in docs:
                sizes[s.section] = sizes.get(s.section, 0) + s.count
                sizes[None] = (sizes[None] or 0) + s.count
        return sizes

    def _ok(
        self, text: str, used: list[TaskRecord], intent: Intent, trace: Trace, *, answerable: bool = True
    ) -> Answer:
        by_key: dict[tuple[str | None, int], TaskRecord] = {r.key: r for r in used}
        citations = tuple(by_key[k] for k in cited_keys(text, self.naming) if k in by_key)
        return Answer(text=text, answerable=answerable, intent=intent, citations=citations, trace=trace)

    def _check(self, ans: Answer) -> None:
        in_text = cited_keys(ans.text, self.naming)
        cited: list[tuple[str | None, int]] = [c.key for c in ans.citations]
        if in_text != cited:
            raise CitationMismatch(f"text cites {in_text} but the answer rests on {cited}")

    # -- coverage evidence ---------------------------------------------------------------------------------
    def judged(self, question: str) -> Evidence | None:
        """The evidence the coverage model sees for a question, or None when the model does not decide it
        (a number, a filter, a greeting …): what ``python -m eval.tune --refusal`` fits on."""
        reading = self.read(question)
        plan = reading.plan
        if not isinstance(plan, Ask) or plan.pick != "best":
            return None
        hits = self.executor.ranked(plan, self.judge.words(plan.query))
        if not hits:
            return None
        return self.judge.evidence(plan.query, hits, embedding=True, plans=plans_of(plan.where))


def _numbered(sections: Iterable[SectionInfo]) -> dict[str, tuple[str, ...]]:
    """Each plan's section names in the order of their numbers."""
    out: dict[str, list[SectionInfo]] = {}
    for s in sections:
        out.setdefault(s.doc_id, []).append(s)
    return {d: tuple(s.section for s in sorted(ss, key=lambda s: s.section_no)) for d, ss in out.items()}


def _section_plans(sections: Iterable[SectionInfo]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for s in sections:
        out.setdefault(s.section, set()).add(s.doc_id)
    return {k: frozenset(v) for k, v in out.items()}


def _intent(ask: Ask, *, single: bool) -> Intent:
    what = ask.what
    if "count" in what:
        return "count"
    if "yes_no" in what:
        return "who_leads_topic"
    if "lead" in what:
        return "who_leads_task" if single else "who_leads_topic"
    if "responsible" in what:
        return "responsible"
    if "deadline" in what:
        return "deadline"
    if single:
        return "lookup"
    return "list_tasks"
