"""Understanding: a question (and the previous turn) → a typed plan (pure, no retrieval).

1. Clean the text (invisible characters, width, traditional characters, English domain words, homophone
   typos of the plan's terms) and turn away what no record answers: greetings, injections, requests to do
   something else, a person's own case, another plan or region.
2. Find the names (:mod:`qa.entities`) and what is asked (cue words, ``cues.tsv``).
3. Build the filter: names become leaves, negated names ``Not``, names of one kind ``Or`` (two units with
   共同 / 一起: ``And``), kinds ``And``. A section counts only when the question names it as a whole; a word
   for one aspect of a section, and whatever else the question is about, becomes a ``Topic``.
4. Decide how many tasks the answer is about: every match (a list, a count, who leads an area or a topic),
   the n-th (a position), or the best-ranked one (a task described in words).
5. Follow-ups: a fragment about something else (「那法院呢」) is the previous question with that name
   swapped; a narrowing (「其中年底前的」) or a new ask (「它啥时候到期」) applies to the previous answer's
   tasks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from corpus.records import TaskRecord
from qa.compose import DETAIL_MAX
from qa.entities import (
    FIELD_KINDS,
    REGION_PLAN_TAIL,
    Context,
    Mention,
    adjacent,
    describes_a_thing,
    find_mentions,
    glossed,
    residue_words,
    share_roles,
)
from qa.numerals import CN_NUMBER, to_int
from qa.phrasebook import cue, synonyms
from qa.plan import Ask, Plan, Reply, What
from qa.scope import PLAN_TAIL, PlanName, scope_of
from qa.text import TypoFixer, clean, compose_english, embeddable, language, translate_english
from qa.theme import beside_whole, narrower, theme_facets
from retriever.expr import (
    ANY_CITY,
    All,
    And,
    Benchmark,
    City,
    Doc,
    Due,
    Expr,
    Involves,
    Keys,
    Lead,
    NoResponsible,
    Not,
    Ongoing,
    Position,
    Recurring,
    Responsible,
    Section,
    TaskRange,
    Topic,
    WithinYear,
    conj,
    disj,
)
from retriever.expr import leaves as leaves_of

_FILTER_KINDS = FIELD_KINDS
# 「那X呢，多久办结」: a follow-up about another thing that asks its own question after it.
_OWN_ASK = re.compile(r"呢\s*[?？,，。!！]+\s*([^?？,，。!！\s].*?)[?？。!！\s]*$")
_ROLE_WORD = re.compile(r"\s*(?:来|在|作为)?(?:牵头|配合|协助|参与|负责|主抓)")
_YEARISH = re.compile(r"20\d{2}")
# A part of the plan named by its number (第22部分, 第二十五个指标, 第3章): a section, in document order.
_SECTION_NO = re.compile(rf"第\s*(\d{{1,3}}|{CN_NUMBER})\s*(?:个|项)?(?:部分|章|节|大块|板块|个?方面|指标)")
_ASK_TEXT: dict[str, str] = {
    "lead": "谁牵头",
    "responsible": "哪些单位配合",
    "deadline": "什么时候完成",
    "count": "有多少项",
    "tasks": "有哪些任务",
    "text": "",
    "yes_no": "",
}


def _partner(text: str, m: Mention) -> bool:
    """A place named with others (、 和 与) or after 跟 / 同: a partner of the county, not its subject; not
    when its plan is named (「跟鄂尔多斯市的方案有什么区别」)."""
    if REGION_PLAN_TAIL.match(text, m.end):
        return False
    before, after = text[max(0, m.start - 2) : m.start], text[m.end : m.end + 1]
    return bool(re.search(r"[跟同与和、]$", before) or after in ("、", "和", "与", ","))


_CHAPTER = re.compile(r"\s?的?(?:这|那|整|该)?一?(?:章|\s?chapter)")


def _guessed(text: str, m: Mention, mentions: Sequence[Mention]) -> bool:
    """The unit is a guess at one task's lead (「…是州市场监管局牵头的吗」, 「是不是市工信局负责」), not a
    filter of a list (「哪些是市工信局牵头」, 「每季度要办、又是市场监管局牵头的」: another field named)."""
    if not m.role or any(cue(k).search(text) for k in ("task_plural", "ask_count", "plural")):
        return False
    if any(x.kind in (*_FILTER_KINDS, "task") for x in mentions):
        return False
    tail = text[m.end :]
    return bool(
        cue("claim_tail").search(tail)
        or (cue("claim_head").search(text[: m.start]) and cue("claim_role").search(tail))
    )


def same_aspect(a: str, b: str) -> bool:
    """Two aspect words that name one thing: the same word, synonyms, or one inside the other."""
    return a in b or b in a or b in synonyms().get(a, ())


@dataclass(frozen=True, slots=True)
class Turn:
    """What a follow-up needs of the previous turn: its (effective) question, plan and answer's tasks."""

    text: str
    plan: Ask
    keys: frozenset[tuple[str, int]]
    mentions: tuple[Mention, ...] = ()
    records: tuple[TaskRecord, ...] = ()  # the answer's tasks, in the list's order (by plan, then number)
    # every task the answer cites (the one answered and those it lists beside)
    cited: tuple[TaskRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Reading:
    """A question as understood: the text the plan was read from, its names, topic words and plan."""

    original: str
    text: str
    lang: str
    mentions: tuple[Mention, ...]
    words: tuple[str, ...]
    plan: Plan
    followup: str = ""  # "", "swap", "narrow" or "reask"
    notes: tuple[str, ...] = field(default=())
    scope: frozenset[str] | None = None  # the plans the question is about (None: every loaded plan)


def _unnamed(query: str, mentions: Sequence[Mention]) -> str:
    """The ranking query without the plans' names the question gives (「云岭州营商环境三年行动方案里，关于…」:
    the title's 营商环境 would rank the plan's tasks about the business environment as such); the query as it
    was when nothing else is left."""
    out = query
    for m in mentions:
        if m.kind == "plan" and m.text:
            out = out.replace(m.text, " ")
    return out if re.search(r"[\w\u4e00-\u9fff]", out) else query


def _other_section(named: Sequence[Mention], prev: Turn) -> bool:
    """Does the question name a section other than the one the previous question was about (「那用水用气呢」
    after a list of 获得电力)? Then it asks the same of that section; it does not narrow a list no task of
    which is in it (the sections of the previous answer's tasks when it has them: 「企业开办里面的呢」 after
    「不是纳税部分的」 narrows)."""
    now = {str(m.section) for m in named if m.kind == "section" and not m.negated and m.section}
    if prev.records:
        return bool(now) and not now & {r.section for r in prev.records}
    before = {
        x.name
        for e in (prev.plan.where, prev.plan.area)
        if e is not None
        for x in leaves_of(e)
        if isinstance(x, Section)
    }
    return bool(before) and bool(now) and not now & before


def _flipped(before: Expr, narrowing: Expr) -> Expr | None:
    """The previous filter with the names the follow-up negates negated in it (「那不是对标上海的呢」 right
    after 「政务服务里对标上海的有哪些」: 政务服务 and not 上海), or None when it negates none of them."""
    negated = [
        x.part
        for x in (narrowing.parts if isinstance(narrowing, And) else (narrowing,))
        if isinstance(x, Not)
    ]
    positive = before.parts if isinstance(before, And) else (before,)
    hits = [x for x in negated if x in positive]
    if not hits or len(hits) != len(negated):
        return None
    return conj(*(Not(x) if x in hits else x for x in positive))


def _other_value(named: Sequence[Mention], prev: Turn) -> bool:
    """Does the question name, in place of a name of the previous question, another of the same kind (「那
    2023年的呢」 after 2022年底前…; 「那对标北京的呢」 after 对标上海…; 「那人社局牵头的呢」 after 法院牵头…)?
    Then it asks the same with that name; narrowing a list that has the other value would leave nothing."""
    for m in named:
        if m.negated or m.kind not in ("window", "city", "unit"):
            continue
        same = [
            p
            for p in prev.mentions
            if p.kind == m.kind and not p.negated and (m.kind != "unit" or (p.role and p.role == m.role))
        ]
        if same and all(p.text != m.text for p in same):
            return True
    return False


def _in_asked_role(mentions: Sequence[Mention], prev: Turn) -> Sequence[Mention]:
    """A unit named without a role in a follow-up checking or narrowing an answer that asked one role
    (「里面有财政局吗」 after 「哪些单位配合」): the unit in that role."""
    roles = [r for r in ("lead", "responsible") if r in prev.plan.what]
    if len(roles) != 1:
        return mentions
    return [
        replace(m, role=roles[0], role_end=m.end)
        if m.kind == "unit" and m.role is None and not m.not_roles and not m.negated
        else m
        for m in mentions
    ]


def _list_position(said: str) -> bool:
    """An ordinal that counts the items of a list (「第三个」, 「第二项」, 「第一条」 in words), not a task
    number as the plan writes it (「第3条」)."""
    return bool(re.search(r"(个|项)(任务)?$", said)) or not re.search(r"\d", said)


def _other_plan(named: Sequence[Mention], prev: Turn) -> bool:
    """Does the question name only plans the previous answer has no task of (「那云岭州呢」 after 青川's)?
    Then it asks the same of that plan."""
    docs = {d for m in named if m.kind == "plan" and not m.negated for d in m.docs}
    return bool(docs) and not docs & {d for d, _ in prev.keys}


@dataclass(frozen=True, slots=True)
class Planner:
    ctx: Context
    words: Callable[[str], list[str]]  # the index tokenizer's precise-mode words
    typos: TypoFixer | None = None
    max_task: int = 0

    # -- entry point ---------------------------------------------------------------------------------------
    def read(
        self,
        question: str,
        previous: Turn | None = None,
        *,
        pinned: str | None = None,
        prefetch: Callable[[str], object] | None = None,
    ) -> Reading:
        """A question as understood (``previous``: the conversation's last turn; ``pinned``: the plan a client
        scoped the question to; ``prefetch``: told the text ranking will most likely embed, as soon as it is
        known, so the embedding can start while the rest of the question is read)."""
        return self._read(question, previous, frozenset({pinned}) if pinned is not None else None, prefetch)

    def _read(
        self,
        question: str,
        previous: Turn | None,
        pin: frozenset[str] | None,
        prefetch: Callable[[str], object] | None = None,
    ) -> Reading:
        text = clean(question)
        lang = language(text)
        if not text or not re.search(r"[\w\u4e00-\u9fff]", text):
            return Reading(question, text, lang, (), (), Reply("empty"))
        courtesy = [s.strip() for s in re.split(r"(?<=[?？!！。])|[,，;；]", text) if s.strip()]
        text = translate_english(compose_english(text, self.ctx.says))
        # Talk about the asking (「换个问法：…」, 「重新问一遍」) is no part of what is asked; said alone
        # after an answer, it asks the previous question again.
        said = cue("rephrase").sub(" ", text).strip()
        if said != text.strip():
            text = said if re.search(r"[\w\u4e00-\u9fff]", said) else (previous.text if previous else text)
        if self.typos is not None:
            text = self.typos.fix(text)
        for kind in ("injection", "other_task", "greeting", "thanks"):
            if cue(kind).search(text):
                return Reading(question, text, lang, (), (), Reply(kind))  # type: ignore[arg-type,unused-ignore]
        if len(courtesy) > 1 and all(cue("greeting").search(s) or cue("thanks").search(s) for s in courtesy):
            # 「你好！你是谁做的？谢谢啦」: greeting and thanks one after another, no question about the plan
            kind = "thanks" if cue("thanks").search(courtesy[-1]) else "greeting"
            return Reading(question, text, lang, (), (), Reply(kind))  # type: ignore[arg-type,unused-ignore]
        if prefetch is not None and previous is None:
            prefetch(embeddable(text))
        mentions = tuple(share_roles(text, find_mentions(text, self.ctx, pinned=pin)))
        # Names inside examples (「服务保障（融资、电力等）」) illustrate the theme; they are no filters.
        examples = [(m.start(), m.end()) for m in cue("example_clause").finditer(text)]
        # A bracketed list after a theme (「便民终端（自助缴费、法院立案）」): its units and sections are
        # items of the theme (not its plans or dates: 「这两个方案（2022年的、2024年的）」 names them).
        items = [(m.start(), m.end()) for m in cue("example_list").finditer(text)]
        mentions = tuple(
            m
            for m in mentions
            if not any(a <= m.start and m.end <= b for a, b in examples)
            and not (m.kind in ("unit", "section") and any(a <= m.start and m.end <= b for a, b in items))
        )
        mentions = tuple(glossed(text, mentions))
        words = tuple(
            residue_words(
                text,
                mentions,
                self.words,
                self.ctx.vocab,
                self.ctx.places.own_words,
                ("which_plans",) if self.ctx.several else (),
            )
        )
        scope = self.scope(mentions, pin, text)
        if isinstance(scope, Reply):
            return Reading(question, text, lang, mentions, words, scope)
        narrowed = self._within(mentions, scope, text, words)
        if isinstance(narrowed, Reply):
            return Reading(question, text, lang, mentions, words, narrowed, scope=scope)
        mentions = self._one_region(narrowed) if scope is None else narrowed
        if previous is not None:
            mentions = self._benchmarks(text, mentions, previous)
            follow = self._followup(question, text, lang, mentions, words, previous, scope, pin)
            if follow is not None:
                return follow
        plan = self.plan(text, mentions, words, scope)
        if isinstance(plan, Ask) and plan.query:
            # A plan's name says which plan, not what about: ranked without it. A long question costs a
            # bounded embedding.
            plan = replace(plan, query=embeddable(_unnamed(plan.query, mentions)))
        return Reading(question, text, lang, mentions, words, plan, scope=scope)

    # -- which plans -----------------------------------------------------------------------------------------
    def scope(
        self, mentions: Sequence[Mention], pinned: frozenset[str] | None, text: str = ""
    ) -> frozenset[str] | Reply | None:
        """The plans the question is about (None: every loaded plan), from the plans it names and the one a
        client pinned; a plan no loaded plan is (「2021年的方案」) is another plan, a plan other than the
        pinned one another region's. A unit said with its region as an alternative to what a named plan has
        (「云岭州税务局牵头的或者青川市税务局牵头的」) names that region's plan too."""
        named = [m for m in mentions if m.kind == "plan"]
        every = frozenset(p.doc_id for p in self.ctx.plans)
        if any(not m.docs and not m.negated for m in named):
            return Reply("other_plan")
        found = [
            PlanName(m.start, m.end, m.text, m.docs, "year" if _YEARISH.match(m.text) else "name")
            for m in named
        ]
        scope = scope_of(found, [m.negated for m in named], every) if named else every
        if named:
            scope |= {
                p.doc_id
                for m in mentions
                if m.kind == "unit" and not m.negated and m.text not in m.units
                if cue("or_word").search(text[named[0].end : m.start])
                for p in self.ctx.plans
                if m.units & p.units and any(m.text.startswith(n) for n in p.names)
            }
        if pinned is not None:
            if named and not scope & pinned:
                outside = next((m for m in named if not m.negated), None)
                return (
                    Reply("other_place", re.sub(PLAN_TAIL + "$", "", outside.text))
                    if outside
                    else Reply("other_plan")
                )
            scope = scope & pinned if named else pinned
        if not scope and named:
            return Reply("other_plan")
        return None if not scope or scope == every else scope

    def _within(
        self,
        mentions: Sequence[Mention],
        scope: frozenset[str] | None,
        text: str = "",
        words: Sequence[str] = (),
    ) -> tuple[Mention, ...] | Reply:
        """Units read within the plans the question is about: an alias several plans share means their
        unit (税务局 in 云岭州's plan: 州税务局); a unit none of them names is not theirs (州司法局 in
        青川市's plan) — unless it is only a guess at the lead of the one task the question describes
        (「青川…免费刻章是州市场监管局牵头的吗」): that task is answered with its real lead."""
        if scope is None:
            return tuple(mentions)
        units = frozenset().union(*(p.units for p in self.ctx.plans if p.doc_id in scope))
        out = []
        for m in mentions:
            if m.kind == "unit":
                inside = m.units & units
                if not inside and words and _guessed(text, m, mentions):
                    out.append(replace(m, units=frozenset()))  # named, so no topic word; the plan has it not
                    continue
                if not inside:
                    return Reply("unknown_unit", m.text)
                m = replace(m, units=inside)
            out.append(m)
        return tuple(out)

    def _one_region(self, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
        """Units named together are read in one region: when the units only one plan has that the question
        names all belong to that plan, a name several plans share means that plan's unit (市住建局或者财政局
        with 市住建局 only in one plan: that plan's 市财政局)."""
        if not self.ctx.several:
            return mentions
        units_of = {p.doc_id: p.units for p in self.ctx.plans}

        def docs(m: Mention) -> frozenset[str]:
            return frozenset(d for d, units in units_of.items() if m.units & units)

        named = [docs(m) for m in mentions if m.kind == "unit"]
        sure = {d for d in named if len(d) == 1}
        if len(sure) != 1 or len(sure) == len(named):
            return mentions
        ((doc,),) = sure
        return tuple(
            replace(m, units=m.units & units_of[doc])
            if m.kind == "unit" and len(docs(m)) > 1 and doc in docs(m)
            else m
            for m in mentions
        )

    def _lacking(self, section: str, scope: frozenset[str] | None) -> frozenset[str] | None:
        """The plans asked about (``scope``, else every loaded plan) that have no section of this name:
        empty when all have it (or one plan is loaded), None when none has."""
        if not self.ctx.several:
            return frozenset()
        asked = scope or frozenset(p.doc_id for p in self.ctx.plans)
        lacking = asked - self.ctx.section_plans.get(section, frozenset())
        return None if lacking == asked else lacking

    def _unit_plans(self, mentions: Sequence[Mention]) -> frozenset[str] | None:
        """The plans every unit the question names belongs to (州司法局: 云岭州's), or None."""
        if not self.ctx.several:
            return None
        docs: set[str] | None = None
        for m in mentions:
            if m.kind == "unit" and not m.negated:
                mine = {p.doc_id for p in self.ctx.plans if m.units & p.units}
                docs = mine if docs is None else docs & mine
        return frozenset(docs) if docs else None

    def _window(self, m: Mention, implied: frozenset[str] | None, text: str) -> Expr:
        """A deadline window; one without a year over plans of several years, in each plan's own year (within
        the plans the question or its context is about). 年内 negated or said as how a deadline is written
        (「不是年内的」, 「写年内完成的」) is, in a plan that writes deadlines so, the tasks written so
        (``WithinYear``: they have a month, the year's end, so a window would take its dated ones too)."""
        assert m.window is not None
        own = dict(m.windows)
        asked = sorted(implied or own or {p.doc_id for p in self.ctx.plans})
        windows = [(d, w) for d, w in m.windows if implied is None or d in implied]
        if self._written_within_year(m, text):
            writes = [d for d in asked if d in self.ctx.within_year] or (
                ["*"] if not self.ctx.several and self.ctx.within_year else []
            )
            if writes:
                if len(writes) == len(asked) or writes == ["*"]:
                    return WithinYear()
                rest = [(d, own.get(d, m.window)) for d in asked if d not in writes]
                return disj(
                    [
                        conj(Doc(frozenset(writes)), WithinYear()),
                        *(conj(Doc(frozenset({d})), Due(w.after, w.before, w.label)) for d, w in rest),
                    ]
                )
        if not windows:
            return Due(m.window.after, m.window.before, m.window.label)
        if len({(w.after, w.before) for _, w in windows}) == 1:
            w = windows[0][1]
            return Due(w.after, w.before, w.label)
        return disj(conj(Doc(frozenset({d})), Due(w.after, w.before, w.label)) for d, w in windows)

    @staticmethod
    def _written_within_year(m: Mention, text: str) -> bool:
        """年内 as how a deadline is written: negated, quoted or after 写 (not a window to the year's end)."""
        if not cue("within_year_word").fullmatch(m.text):
            return False
        return m.negated or cue("written_as").search(text[: m.start]) is not None

    def _ongoing(self, m: Mention, mentions: Sequence[Mention], scope: frozenset[str] | None) -> Expr:
        """Tasks without a dated deadline; one way a plan writes them (长期坚持), named alone, means the
        tasks written so in each plan asked about that writes it beside another way (持续推进), and every
        undated task in the others."""
        said = {n.text for n in mentions if n.kind == "ongoing"}
        words = self.ctx.ongoing_words
        if len(said) != 1 or not any(m.text in w for w in words.values()):
            return Ongoing()
        asked = scope or frozenset(words)
        apart = frozenset(d for d in asked if m.text in words.get(d, ()) and len(words[d]) > 1)
        if not apart:
            return Ongoing()
        if apart == asked:
            return Ongoing(m.text)
        return disj([conj(Doc(apart), Ongoing(m.text)), conj(Doc(asked - apart), Ongoing())])

    def _max_task(self, scope: frozenset[str] | None) -> int:
        if scope is None:
            return self.max_task
        return max((p.max_task for p in self.ctx.plans if p.doc_id in scope), default=self.max_task)

    # -- the plan ------------------------------------------------------------------------------------------
    def plan(
        self,
        text: str,
        mentions: Sequence[Mention],
        words: Sequence[str],
        scope: frozenset[str] | None = None,
        implied: frozenset[str] | None = None,
    ) -> Plan:
        """The typed plan (``scope``: the plans the question is about, None for every loaded plan;
        ``implied``: the plans its context is about, which date words without a year are read in)."""
        plan = self._plan(text, mentions, words, scope, implied)
        if isinstance(plan, Ask) and scope is not None:
            doc = Doc(scope)
            area = conj(doc, plan.area) if plan.area is not None else None
            plan = replace(plan, where=conj(doc, plan.where), area=area)
        return plan

    def _plan(
        self,
        text: str,
        mentions: Sequence[Mention],
        words: Sequence[str],
        scope: frozenset[str] | None,
        implied: frozenset[str] | None,
    ) -> Plan:
        if cue("personal").search(text):
            return Reply("personal")
        if any(not self._loaded_year(m.group(0)) for m in cue("other_plan").finditer(text)):
            return Reply("other_plan")
        beyond = self._beyond_sections(text, scope)
        if beyond is not None:
            return Reply("unknown_section", str(beyond))
        if cue("never").search(text) or (cue("price").search(text) and not cue("amount_stated").search(text)):
            return Reply("out_of_plan")  # plans state targets and rewards, not prices, fees or contacts
        # A place the question is about (「杭锦旗的方案」), not partners (「跟呼和浩特、包头协同」).
        place = next(
            (m for m in mentions if m.kind == "place" and not m.negated and not _partner(text, m)), None
        )
        if place is not None:
            return Reply("other_place", place.text)
        what = self.asked(text, mentions)
        choice = self._unit_choice(text, mentions, what)
        if choice:  # 「是A牵头还是B牵头」: who has the role, A or B
            asked_role: What = "responsible" if any(m.role == "responsible" for m in choice) else "lead"
            what = (*(w for w in what if w != "text"), *(() if asked_role in what else (asked_role,)))
        unknown = next((m for m in mentions if m.kind == "unknown_unit" and m.role), None)
        if unknown is not None and not any(m.kind == "unit" for m in mentions):
            return Reply("unknown_unit", unknown.text)  # 「旗统计局负责什么」: a unit the plan never names
        numbered = self._numbered(mentions, self._max_task(scope))
        if isinstance(numbered, Reply):
            return numbered
        used_sections = {
            m.start for m in mentions if m.kind == "section" and self._position_section(m, mentions)
        }
        # 「除了住建局还有谁参与」 about one task: the named unit takes part; who else? (In a list of tasks,
        # 「除了X以外还有哪些单位牵头」 excludes X: a filter.)
        fields_named = any(m.kind in (*_FILTER_KINDS, "section") for m in mentions)
        asks_units = (
            any(w in what for w in ("lead", "responsible"))
            and cue("others").search(text) is not None
            and not fields_named
        )
        leaves: dict[str, list[Expr]] = {}
        placed: list[tuple[Mention, Expr]] = []  # each positive name with its leaf
        negs: list[Expr] = []
        roles: list[Expr] = []  # unit filters a single-task question keeps
        prefer: set[str] = set()
        part_words: list[str] = []
        foreign: set[str] = set()  # section words of sections the plans asked about do not have
        implied = scope or implied or self._unit_plans(mentions)
        narrow = narrower(text, mentions, self.words, self.ctx.says, self.ctx.topics)
        mentions = [replace(m, whole=False) if m.start in narrow else m for m in mentions]
        named_whole = beside_whole(text, mentions)
        whole_sections = self._whole_sections(
            [m for m in mentions if m.start not in used_sections], text, bool(cue("area").search(text))
        )
        for m in mentions:
            leaf: Expr | None = None
            if m.kind == "unit":
                if m in choice:  # asked which of them: no filter, and neither is preferred
                    continue
                if m.negated and asks_units:
                    prefer |= m.units  # 「除了住建局还有谁参与」: the unit is known to take part; who else?
                    continue
                if (words or not m.units) and _guessed(text, m, mentions):
                    prefer |= m.units  # 「…是州税务局牵头的吗」: a guess at the lead of the task described
                    continue
                leaf = self._unit_leaf(m, what, mentions, words, text)
                if leaf is None:
                    if not describes_a_thing(text, m):
                        prefer |= m.units
                    continue
                described = bool(words) or any(x.kind == "section" for x in mentions)
                if described and self._tasks_named(m, mentions, text) and not m.negated:
                    prefer |= m.units  # one task asked about among the unit's: it ranks first
                if m.not_roles:
                    role = Lead(m.units) if m.not_roles[0] == "lead" else Responsible(m.units)
                    negs.append(Not(role))
                    roles.append(Not(role))
                if m.role is not None:
                    roles.append(Not(leaf) if m.negated else leaf)
            elif m.kind == "section":
                if m.start in used_sections:
                    continue
                lacking = self._lacking(str(m.section), scope)
                if lacking is None:  # no plan asked about has this section: its word is what it is about
                    part_words.append(m.text)
                    foreign.add(m.text)
                    continue
                if m.section in whole_sections:
                    leaf = Section(str(m.section))
                    if not m.whole and m.section in named_whole:
                        part_words.append(m.text)  # 「政务服务“好差评”」: an aspect beside its section's name
                    if lacking:  # the plans without it: the tasks about its word
                        word = Topic(m.text, ((m.text, *synonyms().get(m.text, ())),))
                        leaf = disj([leaf, conj(Doc(lacking), word)])
                else:
                    part_words.append(m.text)
                    continue
            elif m.kind == "window" and m.window is not None:
                leaf = self._window(m, implied, text)
            elif m.kind == "city":
                leaf = City(str(m.section))
            elif m.kind == "any_city":
                leaf = City(ANY_CITY)
            elif m.kind == "self_innovation":
                leaf = Benchmark("自主创新")
            elif m.kind == "recurring":
                leaf = Recurring(m.every)
            elif m.kind == "ongoing":
                leaf = self._ongoing(m, mentions, scope)
            elif m.kind == "no_responsible":
                leaf = NoResponsible()
            elif m.kind == "has_responsible":
                leaf = Not(NoResponsible())
            elif m.kind == "dated":
                leaf = Not(Ongoing())
            if leaf is None:
                continue
            if m.negated:
                negs.append(Not(leaf))
            else:
                leaves.setdefault(type(leaf).__name__, []).append(leaf)
                placed.append((m, leaf))
        # Names of different kinds joined by 或 (「对标苏州的或者自主创新的」): either one, not both.
        either = self._alternatives(text, placed)
        for group in either:
            for leaf in group:
                kind = type(leaf).__name__
                leaves[kind] = [x for x in leaves.get(kind, []) if x is not leaf]
                if not leaves[kind]:
                    del leaves[kind]
        # Units of one role named together with 共同 / 一起 / 都参与: every one of them (And), else any (Or).
        joined = bool(cue("and_all").search(text))
        claim = None
        if "yes_no" in what and "Lead" in leaves:
            claim = disj(leaves.pop("Lead"))
        positive = [
            conj(*group) if joined and name in ("Lead", "Responsible", "Involves") else disj(group)
            for name, group in leaves.items()
        ]
        positive += [disj(group) for group in either]
        structured = conj(*dict.fromkeys(positive), *dict.fromkeys(negs))  # 水、气: one section, named twice
        if cue("examples").search(text) and any(isinstance(x, Section) for x in leaves_of(structured)):
            # 「用电报装、停电抢修这些供电方面的事」: an area named as a whole; the other words are examples.
            part_words, words = [], ()
        topic_words = [*part_words, *words]
        # a section word of a section the plans asked about lack is what the question is about: a theme word
        topical = [m for m in mentions if not (m.kind == "section" and m.text in foreign)]
        topic = self._topic(text, topical, topic_words, whole_sections) if topic_words else None
        # Only a section that filters the answer (not one the plans asked about lack: its word is the theme).
        filtering = {x.name for x in leaves_of(structured) if isinstance(x, Section)} & set(whole_sections)
        if topic is not None and filtering and cue("area").search(text):
            topic = self._beyond_area(topic, filtering)
        # the units asked to choose from describe no task: the rest of the question does
        told = "".join(" " if any(m.start <= i < m.end for m in choice) else c for i, c in enumerate(text))
        query = self._respelled(told) if topic is not None else told
        if topic is not None and "lead" in what and not cue("one_task").search(text):
            topic = replace(topic, least=2)  # who leads a theme: the tasks about it, expected to be several
        prefer_units = frozenset(prefer)
        if numbered is not None:
            return Ask(
                what, conj(numbered, structured), "all", query=query, claim=claim, prefer_units=prefer_units
            )
        plural = (
            cue("plural")
            if any(w in what for w in ("lead", "responsible", "deadline"))
            else cue("task_plural")
        )
        setwise = (
            any(w in what for w in ("tasks", "count", "yes_no"))
            or (bool(plural.search(text)) and not cue("singular").search(text))
            or (self.ctx.several and bool(cue("which_plans").search(text)))  # 「哪些方案里有…」: every match
            or (scope is not None and len(scope) > 1)  # 「甲和乙的方案都有…吗」: what each plan says
        )
        if topic is None and (
            not isinstance(structured, All)
            or claim is not None
            or (cue("most").search(text) and any(w in what for w in ("lead", "responsible", "deadline")))
        ):  # 「哪个部门牵头的最多」, 「哪项最早到期」: each unit (deadline) with its tasks, most first
            return Ask(what, structured, "all", query=query, claim=claim, prefer_units=prefer_units)
        # A word for one aspect of a section (开办, 注销) is about the whole section when most of it is about
        # that aspect: the executor checks (``area``).
        part_area = (
            disj(
                Section(str(m.section))
                for m in mentions
                if m.kind == "section" and m.text in part_words and m.text not in foreign
            )
            if set(part_words) - foreign
            else None
        )
        if topic is not None and setwise:
            if not cue("one_task").search(text) and not {"responsible", "deadline"} & set(what):
                # the tasks about a theme, or their count: expected several (who leads it: someone does)
                topic = replace(topic, least=2, stretch=topic.least > 1)
            return Ask(
                what,
                conj(structured, topic),
                "all",
                query=query,
                claim=claim,
                prefer_units=prefer_units,
                area=part_area,
                topic=topic,
                said=tuple(topic_words),
            )
        if topic is None and not prefer and any(w in what for w in ("tasks", "count")):
            return Ask(what, All(), "all", query=query)
        # One task described in words: retrieval ranks the plan; only a unit's stated role filters it. When a
        # whole area is named and the other words only describe it (「商标专利保护归谁管」), the executor
        # answers over the area.
        named_area = any(isinstance(x, Section) for x in leaves_of(structured))
        return Ask(
            what,
            conj(*roles),
            "best",
            query=query,
            prefer_units=prefer_units,
            area=structured if named_area else part_area,
            topic=topic,
            area_named=named_area,
            one=bool(cue("one_task").search(text)),
            said=tuple(topic_words),
        )

    @staticmethod
    def _unit_choice(text: str, mentions: Sequence[Mention], what: Sequence[What]) -> list[Mention]:
        """Units a one-task question asks to choose from (``unit_choice`` between them: 「A牵头还是B牵头」,
        「是A还是B负责」): which of them has the role. Not in a question about sets of tasks."""
        if any(w in what for w in ("tasks", "count", "yes_no")):
            return []
        units = sorted((m for m in mentions if m.kind == "unit" and not m.negated), key=lambda m: m.start)
        chosen: list[Mention] = []
        for a, b in pairwise(units):
            if (a.role or b.role) and cue("unit_choice").fullmatch(text[a.end : b.start]):
                chosen += [m for m in (a, b) if m not in chosen]
        if chosen and cue("unit_choice_sets").search(text[max(m.role_end for m in chosen) :]):
            return []
        return chosen

    @staticmethod
    def _alternatives(text: str, placed: Sequence[tuple[Mention, Expr]]) -> list[list[Expr]]:
        """Runs of names joined by 或 (``or_join``) whose leaves are of different kinds: each run is one
        alternative (names of one kind are alternatives anyway)."""
        runs: list[list[Expr]] = []
        run: list[Expr] = []
        ordered = sorted(placed, key=lambda x: x[0].start)
        for i, (m, leaf) in enumerate(ordered):
            if run and cue("or_join").fullmatch(text[ordered[i - 1][0].end : m.start]):
                run.append(leaf)
                continue
            if len({type(x).__name__ for x in run}) > 1:
                runs.append(run)
            run = [leaf]
        if len({type(x).__name__ for x in run}) > 1:
            runs.append(run)
        return runs

    def _topic(
        self, text: str, mentions: Sequence[Mention], topic_words: Sequence[str], sections: Container[str]
    ) -> Topic:
        """The question's theme (``qa.theme``: its terms as the plan writes them, in coordinated facets); the
        words left after names and cues when no term of it is found."""
        same = synonyms()
        facets = theme_facets(
            text,
            mentions,
            self.words,
            self.ctx.says,
            lambda w: same.get(w, ()),
            sections,
            self.ctx.respell,
            self.ctx.places.own_words,
        )
        if not facets:
            return Topic(" ".join(topic_words), tuple((w, *same.get(w, ())) for w in topic_words))
        # What every loaded plan is about, as its title says (营商环境 in 「营商环境培训归谁」), narrows no
        # theme told with other words: every task is about it.
        titles = self.ctx.titles

        def narrows(term: tuple[str, ...]) -> bool:
            # the word said within four or more characters every title has (营商 in 营商环境; not 环境 in
            # 「环境监测」)
            w = term[0]
            i = text.find(w)
            if not titles or len(w) < 2 or i < 0:
                return True
            for a in range(max(0, i + len(w) - 6), i + 1):
                for b in range(max(a + 4, i + len(w)), min(len(text), a + 8) + 1):
                    if all(text[a:b] in t for t in titles):
                        return False
            return True

        kept = tuple(tuple(t for t in f if narrows(t)) for f in facets)
        if all(kept):
            facets = kept
        terms = tuple(dict.fromkeys(t for f in facets for t in f))
        return Topic(" ".join(t[0] for t in terms), terms, facets if len(facets) > 1 else ())

    def _beyond_area(self, topic: Topic, sections: Container[str]) -> Topic | None:
        """A section named as an area (这块, 方面) is not narrowed by the words that only say which area or
        what kind of plan: words of its name or of its whole-section words (保护 for 保护中小投资者, 合同 for
        执行合同), of a loaded plan's title (营商环境), and words any reform task is (``area_generic``: 改革,
        整体). The theme's other terms are kept; None when none is left."""
        names = [w for w, (s, whole) in self.ctx.topics.items() if whole and s in sections]
        generic = cue("area_generic")

        def narrows(term: tuple[str, ...]) -> bool:
            w = term[0]
            return not (
                any(w in n for n in names)
                or any(w in t for t in self.ctx.titles)
                or w in self.ctx.places.own_words
                or generic.fullmatch(w)
            )

        facets = [tuple(t for t in f if narrows(t)) for f in (topic.facets or (topic.terms,))]
        facets = [f for f in facets if f]
        if not facets:
            return None
        terms = tuple(dict.fromkeys(t for f in facets for t in f))
        if terms == topic.terms:
            return topic
        return replace(
            topic,
            text=" ".join(t[0] for t in terms),
            terms=terms,
            facets=tuple(facets) if len(facets) > 1 else (),
        )

    def _respelled(self, text: str) -> str:
        """The question with its two-character words the plan never writes respelled as the plan's word that
        sounds the same (「仲才」: 仲裁), for ranking."""
        out = text
        words = self.words(text)
        for i, w in enumerate(words):
            before = words[i - 1] if i > 0 else ""
            after = words[i + 1] if i + 1 < len(words) else ""
            fixed = self.ctx.respell(w, before, after) if not self.ctx.says(w) else None
            if fixed:
                out = out.replace(w, fixed)
        return out

    def asked(self, text: str, mentions: Sequence[Mention]) -> tuple[What, ...]:
        """What the question asks for, from its cue words (a unit's own role words are not a question)."""
        chars = list(text)
        for m in mentions:
            if m.kind == "unit" and (m.role or m.not_roles):
                for i in range(m.start, m.role_end):
                    chars[i] = "\0"
            elif m.kind in (
                "no_responsible",
                "has_responsible",
                "dated",
            ):  # 「没写责任单位的」 is a filter, not an ask
                for i in range(m.start, m.end):
                    chars[i] = "\0"
            elif m.kind == "window":  # 「期限在10月以前的任务」: the deadline filters, it is not asked
                frame = cue("deadline_frame").search(text[: m.start])
                if frame is not None and frame.end() == m.start:
                    for i in range(frame.start(), m.start):
                        chars[i] = "\0"
        bare = cue("both_roles").sub(lambda x: "\0" * len(x.group(0)), "".join(chars))
        if cue("ask_all_yes").search(text):
            return ("yes_no",)
        if cue("ask_count").search(bare):
            return ("count",)
        what: list[What] = []
        responsible = bool(cue("ask_responsible").search(bare))
        if cue("ask_lead").search(bare) or (not responsible and cue("ask_who").search(bare)):
            what.append("lead")
        if responsible:
            what.append("responsible")
        if cue("ask_deadline").search(bare):
            what.append("deadline")
        said = any(m.kind == "unit" and m.role and cue("role_what").match(text, m.role_end) for m in mentions)
        # A question that ends on a filter said of the tasks (「发改委牵头、财政局配合的」, 「…都参与的事项」,
        # 「对标广州的」): the tasks it names.
        closes = any(
            cue("filter_close").match(text, m.role_end if m.kind == "unit" else m.end)
            for m in mentions
            if (m.kind == "unit" and m.role) or m.kind in _FILTER_KINDS
        )
        if not what and (said or closes or cue("ask_list").search(bare)):
            what.append("tasks")
        return tuple(what) or ("text",)

    # -- pieces --------------------------------------------------------------------------------------------
    def _loaded_year(self, phrase: str) -> bool:
        """Whether a phrase naming another plan (``other_plan`` cue) names a loaded plan's year instead."""
        year = re.search(r"20\d{2}", phrase)
        return year is not None and int(year.group(0)) in self.ctx.plan_years

    def leads_any(self, units: frozenset[str]) -> bool:
        return bool(units & self.ctx.leading)

    def _unit_leaf(
        self, m: Mention, what: Sequence[What], mentions: Sequence[Mention], words: Sequence[str], text: str
    ) -> Expr | None:
        if m.role is not None and cue("both_roles").search(text[m.end : m.role_end + 8]):
            return Involves(m.units)  # 「发改委牵头或参与的」: either role
        if m.role == "lead":
            return Lead(m.units)
        if m.role == "responsible":
            return Responsible(m.units)
        if m.role == "involves" or cue("both_roles").search(text):
            return Involves(m.units)
        if m.negated:
            return Lead(m.units)
        # A unit named without a role: a filter on the tasks it leads when the question is about its tasks,
        # a preference when it only describes the one task asked about (「发改委的平台和…对接，谁牵头？」).
        if any(w in what for w in ("tasks", "count", "yes_no")):
            # 「统计局有哪些任务」: a unit that leads nothing, or one said to be in the plan, is asked about
            # every task it takes part in.
            if not self.leads_any(m.units) or cue("in_plan").search(text):
                return Involves(m.units)
            return Lead(m.units)
        if words or any(x.kind == "section" for x in mentions):
            # 「不在X里的财政局的任务」: the unit's tasks named as such are filtered, not only preferred.
            if self._tasks_named(m, mentions, text):
                return Lead(m.units) if self.leads_any(m.units) else Involves(m.units)
            return None
        return Lead(m.units)

    @staticmethod
    def _tasks_named(m: Mention, mentions: Sequence[Mention], text: str) -> bool:
        """A unit named without a role whose tasks the question names as a noun (``unit_tasks_noun``)."""
        return (
            m.role is None
            and cue("unit_tasks_noun").match(text, m.end) is not None
            and not any(x.kind == "task" for x in mentions)
        )

    @staticmethod
    def _whole_sections(mentions: Sequence[Mention], text: str, area: bool) -> set[str]:
        """Sections the question names as a whole: a whole-section word, or two aspects of one section named
        side by side (开公司、注销公司 / 专利商标) or with an area word (「创造…运用整个板块」,
        「开公司那一章（企业开办）」). Two words for one thing (a row of ``synonyms.tsv``: 12345 / 热线,
        「12345热线」) or one inside the other are one aspect."""
        whole = {m.section for m in mentions if m.kind == "section" and m.whole and m.section}
        parts = [m for m in mentions if m.kind == "section" and not m.whole and m.section]
        # An aspect said as a chapter (「开公司那一章」): a chapter is a section.
        whole |= {str(m.section) for m in parts if _CHAPTER.match(text, m.end)}
        for i, a in enumerate(parts):
            for b in parts[i + 1 :]:
                if (
                    a.section == b.section
                    and not same_aspect(a.text, b.text)
                    and (area or adjacent(a, b, text))
                ):
                    whole.add(str(a.section))
        return whole

    @staticmethod
    def _position_section(section: Mention, mentions: Sequence[Mention]) -> bool:
        """Is this section mention the one a position refers to (「执行合同那章的第5条」)?"""
        for m in mentions:
            if m.kind in ("ordinal", "last") and m.start >= section.end:
                return m.start - section.end <= 8 and not any(
                    x.kind == "section" and section.end <= x.start < m.start for x in mentions
                )
        return False

    def _beyond_sections(self, text: str, scope: frozenset[str] | None) -> int | None:
        """A part of the plan named by a number higher than the plans asked about have sections
        (「第25个指标」 with 21 sections), or None."""
        counts = [
            sum(1 for docs in self.ctx.section_plans.values() if d in docs)
            for d in (scope or frozenset().union(*self.ctx.section_plans.values()))
        ]
        most = max(counts, default=0)
        for m in _SECTION_NO.finditer(text):
            n = to_int(m.group(1))
            if most and n is not None and n > most:
                return n
        return None

    def _numbered(self, mentions: Sequence[Mention], max_task: int) -> Expr | Reply | None:
        """Task numbers and positions, or None when the question names neither (``max_task``: the highest
        number of the plans asked about)."""
        exprs: list[Expr] = []
        for m in mentions:
            if m.kind == "task":
                if max_task and m.number > max_task:
                    return Reply("unknown_task", str(m.number))
                exprs.append(TaskRange(m.number, m.number2 or m.number))
            elif m.kind == "last_n" and max_task:  # 「最后十条」: the plan's last N tasks
                exprs.append(TaskRange(max(1, max_task - m.number + 1), max_task))
            elif m.kind in ("ordinal", "last"):
                section = next(
                    (
                        s
                        for s in mentions
                        if s.kind == "section" and s.end <= m.start and self._position_section(s, mentions)
                    ),
                    None,
                )
                index = m.number if m.kind == "ordinal" else -m.number
                if section is None and m.kind == "ordinal":
                    if max_task and m.number > max_task:
                        return Reply("unknown_task", str(m.number))
                    exprs.append(TaskRange(m.number, m.number))
                else:
                    exprs.append(Position(section.section if section else None, index))
        return disj(exprs) if exprs else None

    # -- follow-ups ----------------------------------------------------------------------------------------
    def _followup(
        self,
        question: str,
        text: str,
        lang: str,
        mentions: Sequence[Mention],
        words: Sequence[str],
        prev: Turn,
        plans: frozenset[str] | None,
        pin: frozenset[str] | None = None,
    ) -> Reading | None:
        named = [m for m in mentions if m.kind not in ("place",)]
        if len(prev.records) == 1 and len(prev.cited) > 1 and cue("plural_ref").search(text):
            # 「那这几条什么时候完成」 after one task answered beside the other tasks of its theme it listed:
            # all of them.
            prev = replace(prev, keys=frozenset(r.key for r in prev.cited), records=prev.cited)

        def narrowed(plan: Plan) -> Reading:
            return Reading(question, text, lang, tuple(mentions), tuple(words), plan, "narrow", scope=plans)

        def on(keys: frozenset[tuple[str, int]], what: tuple[What, ...]) -> Reading:
            return narrowed(Ask(what, Keys(keys, "previous"), "all", query=prev.plan.query, scope="previous"))

        corrected = self._corrected(text, named, prev)
        if corrected is not None:
            reading = self._read(corrected, None, pin)
            return replace(reading, original=question, lang=lang, followup="swap")
        beside = self._beside(text, named, prev)
        if isinstance(beside, Reply):
            return narrowed(beside)
        if beside is not None:
            what = self.asked(text, mentions)
            return on(
                beside, prev.plan.what if what == ("text",) and not cue("ask_text").search(text) else what
            )
        rest = self._rest(text, named, prev)
        if rest is not None:
            what = self.asked(text, mentions)
            return narrowed(
                Ask(what if what != ("text",) else ("tasks",), rest, "all", query=prev.plan.query)
            )
        beyond = self._beyond_list(named, prev)
        if beyond is not None:
            return narrowed(Ask(self.asked(text, mentions), beyond, "all", query=prev.plan.query))
        same = self._same_section(text, named, words, prev)
        if same is not None:
            what = self.asked(text, mentions)
            return narrowed(
                Ask(what if what != ("text",) else ("tasks",), same, "all", query=prev.plan.query)
            )
        if len(prev.keys) == 1 and not named and cue("similar").search(text):
            topic = self._similar(prev)
            if topic is not None:
                asked = self.asked(text, mentions)
                what = asked if asked != ("text",) else ("tasks",)
                where = conj(topic, Not(Keys(prev.keys, "previous")))
                return narrowed(Ask(what, where, "all", query=prev.plan.query, topic=topic))
        place = self._same_place(named, words, prev)
        if place is not None:
            what = self.asked(text, mentions)
            return narrowed(
                Ask(
                    prev.plan.what if what == ("text",) and not cue("ask_text").search(text) else what,
                    place,
                    "all",
                )
            )
        role = self._role_swap(text, named, words, prev) or self._unit_of(text, named, prev)
        if role is not None:
            # The same unit within the plans the previous answer was in (「青川市法院牵头哪些」 →
            # 「那它配合的呢」).
            within = pin or (frozenset(d for d, _ in prev.keys) if self.ctx.several else None)
            reading = self._read(role, None, within)
            return replace(reading, original=question, lang=lang, followup="swap")
        backref = bool(cue("backref").search(text)) or bool(cue("only").search(text))
        # 「那苏州的有多少」 after 对标杭州的: another name of a kind the previous question named, said after
        # 那 even without 呢, asks the same of it (narrowing the list by it would leave nothing).
        about = bool(cue("about_tail").search(text)) or (
            bool(cue("then_other").match(text)) and _other_value(named, prev)
        )
        has_number = any(m.kind in ("task", "ordinal", "last", "last_n") for m in named)
        picked = self._picked(named, words, prev, backref) or self._extreme(text, named, prev)
        if picked is not None:
            return on(picked, self.asked(text, mentions))
        if has_number and not backref:
            return None
        filters_only = bool(named) and all(
            m.kind in (*_FILTER_KINDS, "plan")
            or (m.kind == "unit" and m.role)
            or (
                m.kind in ("section", "unit") and m.negated
            )  # 「去掉执行合同的」, 「除了法院的」 right after a list
            for m in named
        )
        if (
            filters_only
            and not words
            and len(prev.keys) > 1
            and not cue("subject").search(text)
            and not _other_section(named, prev)
            and not _other_plan(named, prev)
            and not (about and _other_value(named, prev))
        ):
            backref = True  # 「哪些得在年底前办完」 right after a list narrows it
        if (
            filters_only
            and not words
            and len(prev.keys) == 1
            and all(m.kind == "unit" and not m.negated for m in named)
            and cue("yes_no_tail").search(text)
        ):
            backref = True  # 「税务局也参与吗」 right after one task: is that unit on it
        if (
            named
            and not words
            and not about
            and not cue("narrow_about").search(text)  # 「其中跟就业有关的」: a theme, by the tasks' words
            and all(
                m.kind == "section" and not m.negated and (m.whole or cue("inside_tail").match(text, m.end))
                for m in named
            )  # not a theme said by a section's word (「发票那块」: the list's tasks whose text says it)
            and len({r.section for r in prev.records}) > 1
            and not _other_section(named, prev)
        ):
            # 「纳税里面的有几条」 right after a list over several sections: its tasks of that section.
            sections = disj([Section(str(m.section)) for m in named if m.section])
            what = self.asked(text, mentions)
            return narrowed(
                Ask(
                    what if what != ("text",) else ("tasks",),
                    conj(Keys(prev.keys, "previous"), sections),
                    "all",
                    query=prev.plan.query,
                    scope="previous",
                )
            )
        if not named and not words and len(prev.keys) > 1 and cue("most").search(text):
            backref = True  # 「哪个单位牵头的最多」 right after a list: of that list
        if about and not backref and len(text) <= 24:
            swapped = self._swap(text, mentions, words, prev)
            if swapped is not None:
                reading = self._read(swapped, None, pin)
                return Reading(
                    question,
                    reading.text,
                    lang,
                    reading.mentions,
                    reading.words,
                    self._without_answered(reading.plan, mentions, words, prev),
                    "swap",
                    scope=reading.scope,
                )
        items = self._items(text, named, words, prev)
        if items is not None:
            what = self.asked(text, mentions)
            what = prev.plan.what if what == ("text",) and not cue("ask_text").search(text) else what
            return on(items, what)
        own_subject = bool(words) or (bool(named) and not backref and not about)
        if own_subject and not backref:
            return None
        if words and backref and len(words) > 2:
            return None  # a full question that happens to say 这些 / 它
        what = self.asked(text, mentions)
        mentions = _in_asked_role(mentions, prev)
        narrowing = self.plan(text, mentions, (), plans, frozenset(d for d, _ in prev.keys))
        if isinstance(narrowing, Reply):
            return None
        scope = Keys(prev.keys, "previous")
        where = conj(scope, narrowing.where if not isinstance(narrowing.where, All) else None)
        # 「那不是对标上海的呢」 after 对标上海的: the previous filter with that name negated.
        where = _flipped(prev.plan.where, narrowing.where) or where
        theme = [*(m.text for m in named if m.kind == "section" and not m.whole), *words]
        if (
            theme
            and backref
            and cue("narrow_about").search(text)
            and not any(isinstance(x, Topic) for x in leaves_of(where))
        ):
            # 「其中跟就业有关的」: the previous answer's tasks about the theme (once: the narrowing may have
            # read it as its topic already).
            where = conj(where, self._topic(text, mentions, theme, ()))
        if what == ("text",) and not cue("ask_text").search(text):  # 「它说的啥」 asks the text itself
            what = prev.plan.what if not named else ("tasks",)
        if "count" in prev.plan.what and named and what == ("tasks",):
            what = ("count",)
        plan = Ask(what, where, "all", query=prev.plan.query, scope="previous")
        kind = "narrow" if named else "reask"
        return Reading(question, text, lang, tuple(mentions), tuple(words), plan, kind, scope=plans)

    def _without_answered(
        self, plan: Plan, mentions: Sequence[Mention], words: Sequence[str], prev: Turn
    ) -> Plan:
        """「那X呢」 right after one task answered (「转移登记压缩到几天」 → 「那招投标的呢」): the best task
        about X other than that one, unless that task is about X too (its section when X names a section as a
        whole, its text holding X's words otherwise, and every plan word the fragment adds)."""

        if (
            not isinstance(plan, Ask)
            or plan.pick != "best"
            or prev.plan.pick != "best"
            or len(prev.records) != 1
        ):
            return plan
        new = [m for m in mentions if not m.negated and m.kind != "place"]
        if any(m.kind != "section" for m in new) or not (new or words):
            return plan
        (r,) = prev.records
        holds = all(r.section == m.section if m.whole else _says(r, m.text) for m in new) and all(
            _says(r, w) for w in words if w in self.ctx.vocab
        )
        if holds:
            return plan
        return replace(plan, where=conj(plan.where, Not(Keys(prev.keys, "previous"))))

    def _corrected(self, text: str, named: Sequence[Mention], prev: Turn) -> str | None:
        """「不对，我问的是教体局」, 「不是上海，是深圳」: the previous question with its name of the same
        kind replaced by the one said after the correction; None when the question corrects nothing."""
        said = cue("correction").search(text)
        if said is None:
            return None
        after = [m for m in named if m.start >= said.end() and not m.negated]
        if not after or any(p.kind != after[0].kind for p in after):
            return None
        if not any(p.kind == after[0].kind for p in prev.mentions):
            return None
        return self._swap(text, after, (), prev)

    def _beside(
        self, text: str, named: Sequence[Mention], prev: Turn
    ) -> frozenset[tuple[str, int]] | Reply | None:
        """The task after or before the one just answered (「下一条呢」); a reply when there is none; None
        when the question asks no such thing."""
        if len(prev.keys) != 1:
            return None
        said = cue("next_task").search(text) or cue("prev_task").search(text)
        if said is None or any(not (said.start() <= m.start and m.end <= said.end()) for m in named):
            return None  # names of its own (the 一条 of 「前一条」 is the cue's)
        step = 1 if cue("next_task").search(text) else -1
        ((doc, n),) = prev.keys
        if not 1 <= n + step <= self._max_task(frozenset({doc})):
            return Reply("unknown_task", str(n + step))
        return frozenset({(doc, n + step)})

    def _similar(self, prev: Turn) -> Topic | None:
        """The theme of the one task just answered, as its question said it (「还有类似的吗」: the other tasks
        about it)."""
        found = residue_words(prev.text, prev.mentions, self.words, self.ctx.vocab, self.ctx.places.own_words)
        if not found:
            return None
        return replace(self._topic(prev.text, prev.mentions, found, ()), least=2)

    @staticmethod
    def _role_swap(text: str, named: Sequence[Mention], words: Sequence[str], prev: Turn) -> str | None:
        """「那它配合的呢」 after a question about one unit's tasks: the same question of its other role."""
        units = [m for m in prev.mentions if m.kind == "unit" and not m.negated]
        if named or words or len(units) != 1 or not cue("role_swap").search(text):
            return None
        role = "配合" if re.search(r"配合|协助", text) else "参与" if "参与" in text else "牵头"
        count = "count" in prev.plan.what or cue("ask_count").search(text)
        return f"{units[0].text}{role}的" + _ASK_TEXT["count" if count else "tasks"]

    def _unit_of(self, text: str, named: Sequence[Mention], prev: Turn) -> str | None:
        """「这个部门还牵头哪些事」 after an answer one unit leads: that unit's tasks in the role asked (the
        unit the previous question named, else the one lead unit of its answer)."""
        said = cue("unit_pronoun").search(text)
        if named or said is None:
            return None
        units = [m.text for m in prev.mentions if m.kind == "unit" and not m.negated]
        if len(units) != 1:
            canon = self.ctx.lexicon.canon
            units = list(dict.fromkeys(canon(u) for r in prev.records for u in r.lead_units))
        if len(units) != 1:
            return None
        role = (
            "配合"
            if re.search(r"配合|协助", said.group(0))
            else "参与"
            if "参与" in said.group(0)
            else "牵头"
        )
        return f"{units[0]}{role}的" + _ASK_TEXT["count" if cue("ask_count").search(text) else "tasks"]

    def _benchmarks(self, text: str, mentions: tuple[Mention, ...], prev: Turn) -> tuple[Mention, ...]:
        """A benchmark city said bare reads as a place of its own (「长春的方案」); right after a
        benchmark (「对标哈尔滨的有哪些」 → 「长春呢」) or said of the previous answer (「这里面长春的」) it
        is the benchmark."""
        if not any(p.kind == "city" for p in prev.mentions) and not cue("backref").search(text):
            return mentions
        return tuple(
            Mention("city", m.start, m.end, m.text, section=m.text.removesuffix("市"))
            if m.kind == "place"
            and not m.negated
            and m.text.removesuffix("市") in self.ctx.cities
            and not re.match(r"的?(方案|实施方案|计划|文件|政策)", text[m.end :])
            else m
            for m in mentions
        )

    @staticmethod
    def _rest(text: str, named: Sequence[Mention], prev: Turn) -> Expr | None:
        """「剩下的那些呢」, 「其余的是谁牵头」 right after a filtered list: the tasks of the same sections
        (and plans) that the previous filters left out; None when the question says no such thing."""
        if named or not prev.keys or cue("rest").search(text) is None or not isinstance(prev.plan, Ask):
            return None
        parts = prev.plan.where.parts if isinstance(prev.plan.where, And) else (prev.plan.where,)
        kept = [x for x in parts if isinstance(x, (Section, Doc))]
        others = [x for x in parts if not isinstance(x, (Section, Doc, All, Keys))]
        if not others:
            return None
        return conj(*kept, Not(conj(*others)))

    @staticmethod
    def _beyond_list(named: Sequence[Mention], prev: Turn) -> Expr | None:
        """「第六条呢」 in words right after a list of five: a position past the list's end, so nothing (that
        position of the list's one section, which says how many it has; else an empty set of the list); None
        otherwise. The plan writes its task numbers in digits."""
        if len(prev.keys) < 2 or len(named) != 1:
            return None
        m = named[0]
        if m.kind not in ("ordinal", "task") or m.number2 or re.search(r"\d", m.text):
            return None
        if m.number <= len(prev.keys):
            return None
        sections = {x.name for x in leaves_of(prev.plan.where) if isinstance(x, Section)}
        if len(sections) == 1 and len({r.section for r in prev.records}) == 1:
            others = [x for x in leaves_of(prev.plan.where) if isinstance(x, Doc)]
            if prev.plan.where == conj(*others, Section(next(iter(sections)))):
                return conj(*others, Position(next(iter(sections)), m.number))
        return Keys(frozenset(), "previous")

    def _same_section(
        self, text: str, named: Sequence[Mention], words: Sequence[str], prev: Turn
    ) -> Expr | None:
        """「同一章的其他任务呢」, 「这部分还有啥」 after one task: the other tasks of its section (of its
        plan)."""
        said = cue("same_section").search(text)
        if said is None or named or len(prev.records) != 1 or any(w not in said.group(0) for w in words):
            return None
        (r,) = prev.records
        where = conj(Section(r.section), Not(Keys(prev.keys, "previous")))
        return conj(Doc(frozenset({r.doc_id})), where) if self.ctx.several else where

    @staticmethod
    def _items(
        text: str, named: Sequence[Mention], words: Sequence[str], prev: Turn
    ) -> frozenset[tuple[str, int]] | None:
        """「工资拖欠那块谁管」 right after a list: the list's tasks whose text holds every word of the theme
        (or a word of its row in ``synonyms.tsv``), when some of the list, not all of it, do; None otherwise
        (the theme is asked of the whole plan)."""
        if len(prev.records) < 2 or not cue("item_ref").search(text):
            return None
        if any(m.kind != "section" or m.whole or m.negated for m in named):
            return None
        theme = [*(m.text for m in named), *words]
        if not theme:
            return None
        held = [r for r in prev.records if all(_says(r, w) for w in theme)]
        if not held or len(held) == len(prev.records):
            return None
        return frozenset(r.key for r in held)

    @staticmethod
    def _same_place(named: Sequence[Mention], words: Sequence[str], prev: Turn) -> Expr | None:
        """「最后一条呢」, 「第三条呢」 right after a position in a section (「知识产权那一节第一条是什么」):
        that position in the same section (of the same plans), not in the whole plan; None otherwise."""
        before = [x for x in leaves_of(prev.plan.where) if isinstance(x, Position) and x.section]
        if len(before) != 1 or words or not named or any(m.kind not in ("ordinal", "last") for m in named):
            return None
        section = before[0].section
        others = [x for x in leaves_of(prev.plan.where) if isinstance(x, Doc)]
        return conj(
            *others, disj([Position(section, m.number if m.kind == "ordinal" else -m.number) for m in named])
        )

    @staticmethod
    def _extreme(text: str, named: Sequence[Mention], prev: Turn) -> frozenset[tuple[str, int]] | None:
        """「最早到期的是哪个」, 「哪个最晚」 right after a list: its tasks of the earliest (latest) month."""
        dated = [r for r in prev.records if r.deadline_ym is not None]
        if named or len(prev.records) < 2 or not dated:
            return None
        if cue("earliest").search(text):
            month = min(r.deadline_ym for r in dated if r.deadline_ym)
        elif cue("latest").search(text):
            month = max(r.deadline_ym for r in dated if r.deadline_ym)
        else:
            return None
        return frozenset(r.key for r in dated if r.deadline_ym == month)

    @staticmethod
    def _picked(
        named: Sequence[Mention], words: Sequence[str], prev: Turn, backref: bool
    ) -> frozenset[tuple[str, int]] | None:
        """A position in the previous answer's list (「最后一条谁牵头」, 「其中第二个」): that task, in the
        list's order (by plan, then number); None when the question names no such position. 「第N条」 is the
        plan's task N unless the list has no task N and it is said of the list (其中), or is all the question
        names right after a list short enough to be shown item by item (「第2项谁负责」 after four tasks);
        「第三个」 (an item, not a 条) or 「第一条」 in words (the plan's numbers are written in digits) is
        the list's. A number past the list's end is the plan's."""
        if len(prev.keys) < 2 or len(named) != 1:
            return None
        m = named[0]
        ordered = sorted(prev.keys)
        if m.kind == "last" and m.number <= len(ordered):
            return frozenset({ordered[-m.number]})
        listed = any(n == m.number for _, n in ordered)
        if (
            m.kind == "ordinal"
            and (
                backref or _list_position(m.text) or (not words and not listed and len(ordered) <= DETAIL_MAX)
            )
            and 1 <= m.number <= len(ordered)
        ):
            return frozenset({ordered[m.number - 1]})
        if (
            m.kind == "task"
            and backref
            and not m.number2
            and 1 <= m.number <= len(ordered)
            and not any(n == m.number for _, n in ordered)
        ):
            return frozenset({ordered[m.number - 1]})
        return None

    def _swap(self, text: str, mentions: Sequence[Mention], words: Sequence[str], prev: Turn) -> str | None:
        """The previous question with the name of the same kind swapped for this one (「那法院呢」)."""
        new = sorted((m for m in mentions if not m.negated and m.kind != "place"), key=lambda m: m.start)
        if (
            len(new) > 1
            and new[0].kind == "section"
            and (
                len({(m.kind, m.section) for m in new}) == 1
                or all(m.kind == "section" and m.start == p.end for p, m in pairwise(new))
            )
        ):
            # One section named by two of its words (「那供水供气呢」), or one thing said in two sections'
            # words written together (「那信用监管呢」): swapped as one name.
            new = [replace(new[0], text=text[new[0].start : new[-1].end], end=new[-1].end)]
        tail = _OWN_ASK.search(text)
        if len(new) == 1:
            m = new[0]
            same = [p for p in prev.mentions if p.kind == m.kind]
            if tail and m.end <= tail.start():
                # 「那查封登记呢，几天办结」: the name with the question's own ask, not the previous one's.
                a, b = _grown(text, m.start, m.end, [w for w in words if text.find(w) < tail.start()])
                return text[a:b] + tail.group(1)
            if same:
                start, end = same[0].start, same[-1].end
                a, b = _grown(text, m.start, m.end, [w for w in words if w not in prev.text])
                if m.kind == "unit" and m.role and same[-1].role and m.role != same[-1].role:
                    # 「那检察院配合的呢」 after 「…公安局牵头的」: the unit in its own role, in place of the
                    # previous unit with its role.
                    new_role = _ROLE_WORD.match(text, b)
                    old_role = _ROLE_WORD.match(prev.text, end)
                    if new_role and old_role:
                        b, end = new_role.end(), old_role.end()
                if (a, b) != (m.start, m.end) or (m.kind == "section" and not same[-1].whole):
                    # 「那一般注销登记呢」 after 「个体户注销登记…」: the new name says its own kind of thing,
                    # in place of the previous name together with the words that said its kind (个体户).
                    own = residue_words(
                        prev.text, prev.mentions, self.words, self.ctx.vocab, self.ctx.places.own_words
                    )
                    # (an aspect's word the previous question went on from, 双随机 + 一公开: the whole name)
                    theme = (
                        [t[0] for t in prev.plan.topic.terms]
                        if isinstance(prev.plan, Ask) and prev.plan.topic
                        else []
                    )
                    start, end = _grown(prev.text, start, end, [w for w in (*own, *theme) if w not in text])
                said = text[a:b]
                if (
                    m.kind == "section"
                    and m.section
                    and not m.whole
                    and same[-1].whole
                    and (a, b) == (m.start, m.end)
                    and any(isinstance(x, Section) for x in leaves_of(prev.plan.where))
                ):
                    # In place of a section the previous question filtered by, a section named by its short
                    # name is one too (「换成企业开办的」 after 「…政务服务部分有几个」): its full name; not
                    # in place of a theme (「接暖气报装…」 → 「那燃气呢」).
                    said = str(m.section)
                return prev.text[:start] + said + prev.text[end:]
            # Another kind of name: the previous question's ask about it (「…谁牵头」 → 「法院谁牵头」), with
            # the words said against it (「那电子招投标呢」: the 电子 work within 招标投标, not the section).
            a, b = _grown(text, m.start, m.end, words)
            return text[a:b] + _ASK_TEXT.get(prev.plan.what[0], "")
        if len(new) > 1 and not {m.kind for m in new} & {p.kind for p in prev.mentions}:
            # Names of kinds the previous question did not name, said as one thing (「那知识产权质押融资呢」:
            # a section's word and another's): that thing, asked what the previous question asked.
            a, b = _grown(text, new[0].start, max(m.end for m in new), words)
            if not tail or b <= tail.start():
                return text[a:b] + (tail.group(1) if tail else _ASK_TEXT.get(prev.plan.what[0], ""))
        if not new and words:
            if tail and text.find(words[0]) < tail.start():
                return "".join(w for w in words if text.find(w) < tail.start()) + tail.group(1)
            fragment = "".join(words)
            cities = [p for p in prev.mentions if p.kind == "city"]
            if cities and fragment.removesuffix("市") in self.ctx.cities:
                return prev.text[: cities[0].start] + fragment + prev.text[cities[0].end :]
            area = [p for p in prev.mentions if p.kind == "section" and not p.negated]
            if prev.plan.pick == "best" and len(area) == 1 and area[0].whole and area[0].text not in fragment:
                # 「那费用呢」 after one task about 破产's time limit: the cost of 破产, said in the previous
                # question's word for its area (a bare word is asked of the same area, not of the plan); not
                # an aspect of it (「那变更登记呢」 after 抵押登记: in its place).
                fragment = area[0].text + fragment
            return fragment + _ASK_TEXT.get(prev.plan.what[0], "")
        return None


def _says(r: TaskRecord, word: str) -> bool:
    """The task's text says ``word`` or a word of its row in ``synonyms.tsv``."""
    return any(v in r.text for v in (word, *synonyms().get(word, ())))


def _grown(text: str, start: int, end: int, words: Sequence[str]) -> tuple[int, int]:
    """The span of a name in ``text`` grown over the given words written right against it, on either side
    (「那一般的财产登记呢」 is not grown: 的 stands between)."""
    grown = True
    while grown:
        grown = False
        for w in words:
            if text[max(0, start - len(w)) : start] == w:
                start, grown = start - len(w), True
            elif text[end : end + len(w)] == w:
                end, grown = end + len(w), True
    return start, end
