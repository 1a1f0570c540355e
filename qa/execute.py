"""Run a plan against the store: which tasks the answer rests on (no wording here).

``pick=all`` selects every match through the store's filter (topics and positions resolved by evidence);
``pick=best`` ranks the matches for the question with hybrid retrieval, moves first a close hit the named
unit takes part in or one that covers clearly more of the question's words, and asks the coverage model
whether the plan answers the question at all. Aggregations (count, leads grouped, a claim checked over a set,
the n-th in a section) are read from the selected records by the composer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from corpus.records import TaskRecord
from qa.nearmiss import asked_details, unstated
from qa.phrasebook import cue
from qa.plan import Ask
from qa.refusal import Evidence, RefusalModel
from retriever.expr import (
    All,
    And,
    Doc,
    Expr,
    Lead,
    Or,
    Position,
    Responsible,
    Section,
    TaskRange,
    Topic,
    conj,
    leaves,
    matches,
    plans_of,
    positive,
)
from retriever.store import TaskStore
from retriever.types import Hit

Outcome = Literal["set", "single", "missing", "refused"]


class Judge(Protocol):
    """Coverage: the refusal model's evidence for a question and its hits."""

    def evidence(
        self, text: str, hits: Sequence[Hit], *, plans: frozenset[str] | None = None
    ) -> Evidence: ...

    def holders(self, word: str, doc: str) -> int:
        """How many tasks of plan ``doc`` hold ``word`` (as ``covers`` counts a word asked alone)."""
        ...

    def elsewhere(
        self, words: Iterable[str], home: frozenset[str], best: TaskRecord, *, most: int = 4
    ) -> tuple[str, str] | None:
        """A word of the question only another plan than ``home`` holds, with that plan (``qa.coverage``)."""
        ...


@dataclass(frozen=True, slots=True)
class Result:
    """What the answer rests on. ``records``: in answer order; ``nearest``: the closest task of a refusal."""

    ask: Ask
    outcome: Outcome
    records: tuple[TaskRecord, ...] = ()
    runner_up: TaskRecord | None = None
    related: tuple[TaskRecord, ...] = ()  # other tasks about the theme a who-leads question names
    nearest: TaskRecord | None = None
    unstated: str = ""  # a refusal's detail asked that the tasks about it do not state (qa.nearmiss)
    topic: str = ""
    claimed: int | None = None  # how many of the set satisfy the claim
    p_covered: float | None = None
    hits: tuple[Hit, ...] = ()
    notes: tuple[str, ...] = field(default=())
    takes_part: int = 0  # a unit asked for the tasks it leads leads none: how many it takes part in


@dataclass(frozen=True, slots=True)
class Margins:
    """Chosen on the dev split (``python -m eval.tune``)."""

    close_margin: float = 0.004  # the runner-up is named when this close in dense similarity
    unit_margin: float = 0.02  # a hit the named unit takes part in goes first when this close
    unit_cover: float = 0.3  # ... unless the first hit covers this much more of the question's words
    dense_lead: float = 0.025  # the embedding's best match goes first when this much more similar
    coverage_depth: int = 5
    coverage_margin: float = 0.15  # a hit covering this much more of the question's words goes first
    hint_min: float = 0.25  # a refusal this close to the threshold names the closest task
    theme_max: int = 15  # a who-leads answer lists the other tasks of its theme when 2 to this many share it
    elsewhere_max: int = 4  # a word another plan has names one measure when at most this many tasks hold it
    stated_depth: int = 5  # a near miss is refused only when none of this many best hits states the detail
    aspect_inside: float = 0.7  # an aspect names its section when this share of its tasks lies in it
    stated_cover: float = 0.85  # an amount asked that the best hit states answers when it covers this much


@dataclass(frozen=True, slots=True)
class Executor:
    store: TaskStore
    judge: Judge
    refusal: RefusalModel
    covers: object  # callable(words, record) -> float, the share of the question's words a task covers
    margins: Margins = field(default_factory=Margins)

    def run(self, ask: Ask, *, words: Sequence[str] = (), question: str = "") -> Result:
        """The records a plan's answer rests on (``question``: the normalized question, read for a detail
        its tasks do not state)."""
        other = self._elsewhere(ask)
        if other is not None:
            return other
        res = self._best(ask, words) if ask.pick == "best" else self._all(ask)
        return self._near_miss(res, question) if question else res

    def _elsewhere(self, ask: Ask) -> Result | None:
        """A question about some of the loaded plans that describes its subject in a word none of their tasks
        holds while its best match over every loaded plan is another plan's task holding it (供暖, 跨省通办
        asked of a plan only another one has them in) is about what only that other plan covers: refused,
        whatever the asked plans' nearest task is (``Judge.elsewhere``)."""
        home = plans_of(ask.where)
        if home is None or not ask.said:
            return None
        best = self.store.search(ask.query, top_k=1)
        found = (
            self.judge.elsewhere(ask.said, home, best[0].record, most=self.margins.elsewhere_max)
            if best
            else None
        )
        if found is None:
            return None
        word, doc = found
        return Result(
            ask, "refused", topic=word, notes=(f"only {doc} says {word!r}, not the plans asked about",)
        )

    def _near_miss(self, res: Result, question: str) -> Result:
        """A question about tasks the plan has, asking a detail none of their texts states (the items of a
        list, an amount, an outcome, a procedure: ``qa.nearmiss``), is refused with the best of them named
        as related. Who leads or takes part is read from the records' fields: a list of units is no item."""
        if res.outcome not in ("single", "set") or not res.records or cue("which_task").search(question):
            return res
        units = "lead" in res.ask.what or "responsible" in res.ask.what
        # The best match may be the wrong one: a detail any close hit states is answered.
        close = [h.record for h in res.hits[: self.margins.stated_depth]]
        detail = unstated(
            question,
            (r.text for r in (*res.records, *close)),
            kinds=("unstated_amount", "unstated_phrase") if units else None,
        )
        if detail is None:
            return res
        return replace(
            res,
            outcome="refused",
            records=(),
            related=(),
            runner_up=None,
            nearest=res.records[0],
            unstated=detail.asked,
            notes=(*res.notes, f"asks {detail.kind} {detail.asked!r}, which no matched task states"),
        )

    # -- every match ---------------------------------------------------------------------------------------
    def _all(self, ask: Ask) -> Result:
        if ask.area is not None and ask.topic is not None and ask.topic in positive(ask.where):
            pool = self.store.pool(ask.area, query=ask.query)
            if pool and self._describes(ask, pool):
                # 「开办企业那块归谁」: most of the section is about what was named: the section.
                kept = [p for p in (ask.where.parts if isinstance(ask.where, And) else ()) if p != ask.topic]
                ask = replace(ask, where=conj(*kept, ask.area), area=None, topic=None)
        ask = self._examples(ask)
        topics = [x for x in positive(ask.where) if isinstance(x, Topic)]
        label = topics[0].text if topics else ""
        if topics and all(self.store.topic(t, query=ask.query) is None for t in topics):
            others = [x for x in positive(ask.where) if not isinstance(x, Topic)]
            if not others:
                return Result(ask, "refused", topic=label, notes=("no word of the topic is in the plan",))
        recs = self.store.select(ask.where, query=ask.query)
        notes: tuple[str, ...] = ()
        if not recs and topics and isinstance(ask.where, And):
            rest = conj(*(p for p in ask.where.parts if not isinstance(p, Topic)))
            if not isinstance(rest, All):
                recs = self.store.select(rest, query=ask.query)
                ask = replace(ask, where=rest)
                label, notes = "", (f"no task of the set is about {topics[0]}: the topic is dropped",)
        if not recs:
            pos = next((x for x in leaves(ask.where) if isinstance(x, Position)), None)
            if pos is not None or any(isinstance(x, TaskRange) for x in positive(ask.where)):
                return Result(ask, "missing", notes=(f"no task at {pos or ask.where}",))
            if topics:
                return Result(ask, "refused", topic=label, notes=("no task is about the topic",))
        claimed = None
        if ask.claim is not None:
            claimed = sum(1 for r in recs if matches(ask.claim, r, self.store.lexicon))
        single = len(recs) == 1 and _names_one(ask.where)
        return Result(
            ask,
            "single" if single else "set",
            tuple(recs),
            topic=label,
            claimed=claimed,
            notes=notes,
            takes_part=0 if recs else self._takes_part(ask.where),
        )

    def _takes_part(self, where: Expr) -> int:
        """A unit's tasks asked by its lead role alone (in a plan or not) when it leads none: how many it is a
        responsible unit of (「总工会牵头哪些任务」: none, but it takes part in some)."""
        parts = where.parts if isinstance(where, And) else (where,)
        leads = [p for p in parts if isinstance(p, Lead)]
        if len(leads) != 1 or not all(isinstance(p, (Lead, Doc)) for p in parts):
            return 0
        swapped = conj(*(Responsible(p.units) if isinstance(p, Lead) else p for p in parts))
        return len(self.store.select(swapped))

    def _examples(self, ask: Ask) -> Ask:
        """A who-leads theme beside sections whose words were its examples (「断气、断网了夜里谁来抢修」):
        when at most one task of the sections is about the theme while several of the plan are, the sections
        were examples, not a filter: the theme is answered over the plan. Not when the question names an
        area (这块, 方面): then the theme is read within it."""
        if "lead" not in ask.what or not isinstance(ask.where, And) or cue("area").search(ask.query):
            return ask  # 「用工、社保这块」: an area named, the theme within it
        topics = [p for p in ask.where.parts if isinstance(p, Topic)]
        rest = [p for p in ask.where.parts if not isinstance(p, Topic)]
        if len(topics) != 1 or not rest or not all(_sections_only(p) for p in rest):
            return ask
        pool = self.store.pool(conj(*rest), query=ask.query)
        inside = self.store.topic(topics[0], query=ask.query, within=pool) or []
        overall = self.store.topic(topics[0], query=ask.query) or []
        if len(inside) > 1 or not 2 <= len(overall) <= self.margins.theme_max:
            return ask
        if not {m.index for m in inside} <= {m.index for m in overall}:
            return ask
        return replace(ask, where=topics[0])

    # -- the best match ------------------------------------------------------------------------------------
    def _best(self, ask: Ask, words: Sequence[str]) -> Result:
        pool = self.store.pool(ask.area, query=ask.query) if ask.area is not None else None
        if (
            ask.area is not None
            and ask.topic is not None
            and pool
            and ask.what != ("text",)
            and self._describes(ask, pool)
        ):
            # Every other word only describes the area named (「商标专利保护归谁管」): the whole area.
            return self._all(replace(ask, where=ask.area, pick="all", area=None, topic=None))
        hits = self.ranked(ask, words)
        if not hits:
            return Result(ask, "refused", notes=("nothing matches",))
        ev = self.judge.evidence(ask.query, hits, plans=plans_of(ask.where))
        prob = self.refusal.probability(ev)
        threshold = self.refusal.threshold_for(ev)
        notes: tuple[str, ...] = (
            f"dense_top={ev.dense_top:.4f}",
            f"dense_z={ev.dense_z:.2f}",
            f"bm25_top={ev.bm25_top:.2f}",
            f"coverage={ev.coverage:.2f}",
            f"p_covered={prob:.3f}",
        )
        if prob < threshold and self._states_amount(ask.query, hits[0].record, ev):
            notes = (*notes, f"task {hits[0].record.task_id} states the amount asked")
        elif prob < threshold:
            nearest = hits[0].record if prob >= self.margins.hint_min else None
            return Result(ask, "refused", nearest=nearest, p_covered=prob, hits=tuple(hits), notes=notes)
        runner = None
        if len(hits) > 1:
            s1, s2 = hits[0].signals.get("dense"), hits[1].signals.get("dense")
            close = s1 and s2 and s1.score is not None and s2.score is not None
            if close and abs(s1.score - s2.score) <= self.margins.close_margin:  # type: ignore[union-attr,operator]
                runner = hits[1].record
        best = hits[0].record
        named = self._named_alone(ask, words, best)
        if named:  # the question names this task alone: neither the runner-up nor the theme's others
            notes = (*notes, f"only task {best.task_id} of its plan says {named!r}")
        elif ask.one:  # the question points at one task (「…那条」): that one alone
            named = "one task"
        return Result(
            ask,
            "single",
            (best,),
            runner_up=None if named else runner,
            related=() if named else self._related(ask, pool, best),
            topic=ask.topic.text if ask.topic is not None else "",
            p_covered=prob,
            hits=tuple(hits),
            notes=notes,
        )

    def _states_amount(self, question: str, best: TaskRecord, ev: Evidence) -> bool:
        """An amount asked (「给多少奖补」) that the best hit states as a sum of money while it holds nearly
        all the question's words: the plan answers it, however price-like the question reads to the model
        (a plan rarely gives a sum; a question about one that the plan gives is no near miss)."""
        if ev.local_coverage < self.margins.stated_cover:
            return False
        return (
            asked_details(question, ("unstated_amount",)) != []
            and unstated(question, (best.text,), kinds=("unstated_amount",)) is None
        )

    def _named_alone(self, ask: Ask, words: Sequence[str], best: TaskRecord) -> str:
        """A word of the question (two characters or more) that the best task holds and no other task of its
        plan does (「英才计划」, 「座谈会」): the question names that task, not a theme or its neighbours.
        Not when it names several things (「评价、监督、督查」), a kind of them (这些, 这种) or several tasks,
        nor a word only of an example it gives (「比如轻微违法不罚款」)."""
        if cue("kinds").search(ask.query) or cue("plural").search(ask.query):
            return ""
        covers = self.covers

        def holds(w: str, r: TaskRecord) -> bool:
            return covers([w], r) > 0  # type: ignore[operator,no-any-return]

        if ask.topic is not None and len(ask.topic.facets) > 1:
            return ""  # several things named: a word of one of them does not name the task
        said = cue("example_clause").sub(" ", ask.query)
        held = [w for w in dict.fromkeys(words) if len(w) > 1 and w in said and holds(w, best)]
        if not held:
            return ""
        # The best task holds each of them; it names the task alone when no other task of its plan does.
        return next((w for w in held if self.judge.holders(w, best.doc_id) <= 1), "")

    def _related(self, ask: Ask, pool: list[int] | None, best: TaskRecord) -> tuple[TaskRecord, ...]:
        """Asked who leads something several tasks are about (「电子证照推广谁牵头」), the answer names the
        best match and then every task about the same theme, with its lead: the one task and the theme."""
        if "lead" not in ask.what or ask.topic is None:
            return ()
        within = pool if ask.area_named else None  # an aspect's section does not confine its tasks
        docs = plans_of(ask.where)
        if within is None and docs is not None:  # a question about some plans: their tasks only
            within = self.store.pool(Doc(docs))
        found = self.store.topic(ask.topic, query=ask.query, within=within or None)
        if found is None or not 2 <= len(found) <= self.margins.theme_max:
            return ()
        records = self.store.records_at([m.index for m in found])
        return tuple(r for r in records if r.key != best.key)

    def _describes(self, ask: Ask, pool: list[int]) -> bool:
        """The question's other words only describe the area: a named section's generic words (保护 among the
        IP tasks), or an aspect most of an inferred section is about and whose tasks lie mostly in it (开办,
        not 双随机, which runs through several sections)."""
        assert ask.topic is not None
        if not self.store.describes(ask.topic, pool):
            return False
        if ask.area_named:
            return True
        found = self.store.topic(ask.topic, query=ask.query) or []
        inside = set(pool)
        return bool(found) and sum(m.index in inside for m in found) >= self.margins.aspect_inside * len(
            found
        )

    def ranked(self, ask: Ask, words: Sequence[str]) -> list[Hit]:
        """The best few matches for the question, in the order the answer considers them."""
        where = None if isinstance(ask.where, All) else ask.where
        hits = self.store.search(ask.query, top_k=10, where=where)
        # A unit said by its full name (「是不是州税务局负责的」) says who, not what: its name's words
        # cover no task's subject (said bare, 「法院执行」, it may be the subject).
        full = [u for u in ask.prefer_units if u in ask.query]
        words = [w for w in words if not any(w in u for u in full)]
        hits = self._promote_covering(words, hits)
        return _headline_first(ask, self._dense_ahead(self._prefer_units(ask, hits, words)))[:5]

    def _dense_ahead(self, hits: list[Hit]) -> list[Hit]:
        """The hit the question's embedding finds clearly more similar (``Margins.dense_lead``) than the one
        ranked first goes first: a colloquial description (「牲口能拿去抵押贷款不」, 「孩子上学」) shares few
        written words with its task, and word matches on the section's common words (贷款, 银行) must not
        outrank what the whole question means."""

        def sim(h: Hit) -> float | None:
            s = h.signals.get("dense")
            return s.score if s is not None else None

        first = sim(hits[0]) if hits else None
        if first is None:
            return hits
        scored = [(x, h) for h in hits if (x := sim(h)) is not None]
        top, best = max(scored, key=lambda p: p[0])
        if top < first + self.margins.dense_lead:
            return hits
        return [best, *(h for h in hits if h is not best)]

    def _prefer_units(self, ask: Ask, hits: list[Hit], words: Sequence[str] = ()) -> list[Hit]:
        """A named unit moves first the best close hit it takes part in; asked who cooperates with it, one it
        leads goes before one it only takes part in. Not over a first hit that covers clearly more of the
        question's words: a unit said as part of what is described (「热力公司收开户费」, 「人防消防手续」)
        names the subject, and the task that holds the rest of the description is the one asked about."""
        wanted = ask.prefer_units | {u for x in positive(ask.where) if isinstance(x, Lead) for u in x.units}
        if not wanted or not hits:
            return hits
        canon = self.store.lexicon.canon

        def leads(h: Hit) -> bool:
            return bool({canon(u) for u in h.record.lead_units} & wanted)

        def involved(h: Hit) -> bool:
            return bool({canon(u) for u in (*h.record.lead_units, *h.record.responsible_units)} & wanted)

        top = hits[0].signals["dense"].score if "dense" in hits[0].signals else None
        close = [
            h
            for h in hits
            if top is None
            or "dense" not in h.signals
            or (h.signals["dense"].score or 0.0) >= top - self.margins.unit_margin
        ]
        for test in (leads, involved) if "responsible" in ask.what else (involved,):
            pick = next((h for h in close if test(h)), None)
            if pick is not None:
                if pick is not hits[0] and words and self._covers_more(words, hits[0], pick):
                    return hits
                return [pick, *(x for x in hits if x is not pick)]
        return hits

    def _covers_more(self, words: Sequence[str], first: Hit, other: Hit) -> bool:
        """``first`` covers clearly more of the question's words than ``other`` (``Margins.unit_cover``)."""
        covers = self.covers
        a = covers(words, first.record)  # type: ignore[operator]
        b = covers(words, other.record)  # type: ignore[operator]
        return bool(a >= b + self.margins.unit_cover)

    def _promote_covering(self, words: Sequence[str], hits: list[Hit]) -> list[Hit]:
        """The hit among the first few whose text covers clearly more of the question's informative words
        goes first (「发票邮寄」: the task that says 邮寄, not one about 发票)."""
        if len(hits) < 2 or not words:
            return hits
        covers = self.covers
        scores = [covers(words, h.record) for h in hits[: self.margins.coverage_depth]]  # type: ignore[operator]
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        if best == 0 or scores[best] < scores[0] + self.margins.coverage_margin:
            return hits
        return [hits[best], *(h for i, h in enumerate(hits) if i != best)]


# What a task's opening sentence may hold besides the phrase it is named by (its verb: 实现, 推进, 全面推行).
_HEADLINE_SLACK = 4


def _headline_first(ask: Ask, hits: list[Hit]) -> list[Hit]:
    """Asked of one task by a phrase (「…那条」), the close hit whose opening sentence is that phrase with its
    verb (「实现发票电子化。」) goes first: that task is about the phrase as a whole, one that holds it inside
    a longer name (增值税专用发票电子化改革) is about that narrower thing."""
    if not ask.one or ask.topic is None or len(ask.topic.facets) > 1 or len(hits) < 2:
        return hits
    phrase = "".join(t[0] for t in ask.topic.terms)
    if len(phrase) < 3:
        return hits

    def headlined(h: Hit) -> bool:
        head = re.split(r"[。；;！!？?]", h.record.text, maxsplit=1)[0]
        return phrase in head and len(head) <= len(phrase) + _HEADLINE_SLACK

    if headlined(hits[0]):
        return hits
    found = [h for h in hits[:3] if headlined(h)]
    if len(found) != 1:
        return hits
    return [found[0], *(h for h in hits if h is not found[0])]


def _sections_only(e: Expr) -> bool:
    """A section, or several sections as alternatives."""
    return isinstance(e, Section) or (isinstance(e, Or) and all(isinstance(p, Section) for p in e.parts))


def _names_one(where: Expr) -> bool:
    """The filter names one task by number or position (an answer about that task, not a list)."""
    return any(isinstance(x, TaskRange | Position) for x in positive(where))
