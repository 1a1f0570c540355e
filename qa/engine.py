"""Question → plan → cited answer.

Aggregate questions (who leads a topic, a unit's tasks, tasks due in a window, tasks
benchmarked on a city, counts) are answered from record fields over ALL matching tasks,
never a top-k. Single-task questions answer from the best hit and name the runner-up
when the two are close. When nothing in the plan answers, ``answerable`` is false and
the answer says so plainly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from corpus.records import TaskRecord
from index.tokenize import normalize
from qa import compose
from qa.refusal import (
    Evidence,
    RefusalModel,
    asks_outside,
    content_tokens,
    coverage,
    dense_z,
    load_model,
    strip_place,
)
from qa.session import Session
from qa.types import Answer, Intent, Trace
from qa.understand import Parsed, TypoFixer, benchmark_cities, parse_question, topic_table
from qa.verify import cited_numbers
from retriever.filters import matches
from retriever.retriever import Retriever
from retriever.types import Filters, Hit

log = logging.getLogger("taskqa.qa")
# A question that names what it is about (tasks, measures) stands on its own.
_ALL_LED_BY = re.compile(r"(都是|全是|全都是|全部是|都由|全由).{1,16}(牵头|负责)(的)?[吗么嘛?？]")
_SUBJECT = re.compile(r"任务|事项|措施|举措|工作|条目|tasks?\b|measures?\b")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Calibrated on the dev split (``python -m eval.tune``).

    Whether a retrieval-only question is covered by the plan is the refusal model's call
    (``qa.refusal``, fitted by ``python -m eval.tune --refusal``). The runner-up is named
    when its dense similarity is within ``close_margin`` of the best.
    """

    close_margin: float = 0.004
    unit_margin: float = 0.02
    max_residue_for_topic: int = 1
    generic_share: float = 0.15
    coverage_depth: int = 5
    hint_min: float = 0.25  # a refusal this close to the threshold names the closest task
    coverage_margin: float = 0.15


class QA:
    """Answers questions over one retriever. Thread-safe (sessions carry the state)."""

    def __init__(
        self,
        retriever: Retriever,
        *,
        thresholds: Thresholds | None = None,
        refusal: RefusalModel | None = None,
    ) -> None:
        self.r = retriever
        self.lex = retriever.lexicon
        self.th = thresholds or Thresholds()
        self.refusal = refusal or load_model()
        if self.refusal.embedder and self.refusal.embedder != retriever.info.embedder:
            log.warning(
                "the refusal model was fitted with embedder %s but the index uses %s: refusals are not "
                "calibrated; refit with `python -m eval.tune --refusal`",
                self.refusal.embedder,
                retriever.info.embedder,
            )
        vocabulary = retriever.bm25_vocabulary()
        self._vocab = frozenset(vocabulary)
        self._freq, self._freq_total = retriever.tokenizer.frequencies()
        self._record_tokens: dict[tuple[str, int], frozenset[str]] = {}
        self.topics = topic_table(s.section for s in retriever.sections)
        self.cities = benchmark_cities(retriever.records)
        vocab_terms = [
            *retriever.tokenizer.terms,
            *self.topics,
            *self.lex.aliases,
            *(t for t in vocabulary if 3 <= len(t) <= 4),
        ]
        self._plan_text = "\n".join(normalize(r.text) for r in retriever.records)
        self.typos = TypoFixer(vocab_terms, known_text=self._plan_text)
        self.title = self._plan_title()
        # Specific terms (quoted in the plan, 3+ characters) point at particular tasks, not a whole topic.
        self.specific = tuple(t for t in retriever.tokenizer.terms if len(t) >= 3 and t not in self.topics)
        self.max_task = max((r.task_id for r in retriever.records), default=0)

    def _plan_title(self) -> str:
        return "伊金霍洛旗对标先进建设最优营商环境实施方案" if self.r.records else "方案"

    # -- public ------------------------------------------------------------------------------------
    def answer(self, question: str, *, session: Session | None = None) -> Answer:
        """Answer one question; never raises (an internal error becomes a plain refusal)."""
        try:
            ans = self._answer(question, session)
        except Exception:  # the contract: any string yields an Answer
            log.exception("qa failed")
            ans = self._refuse(
                "系统暂时无法回答这个问题。", "the assistant could not answer this question.", "zh"
            )
        ans = self._finalize(ans)
        if session is not None and ans.answerable and ans.citations:
            session.last_tasks = ans.citations
            session.last_intent = ans.intent
            session.last_question = question
        return ans

    def parse(self, question: str) -> Parsed:
        return parse_question(
            question,
            lexicon=self.lex,
            topics=self.topics,
            cities=self.cities,
            typos=self.typos,
            specific_terms=self.specific,
        )

    # -- plan --------------------------------------------------------------------------------------
    def _answer(self, question: str, session: Session | None) -> Answer:
        if not question or not question.strip():
            return self._refuse("问题是空的。", "the question is empty.", "zh")
        p = self.parse(question[:2000])
        trace = Trace(
            normalized=p.text,
            language=p.lang,
            units=tuple(sorted({u for _, c in p.units for u in c})),
            ambiguous_units=tuple(a for a, c in p.units if len(c) > 1),
            sections=p.sections,
            deadline_window=(p.window.after, p.window.before) if p.window else None,
            benchmark_city=p.city,
        )
        if p.injection:
            return self._refuse(
                "我只能回答关于本方案任务的问题。",
                "I can only answer questions about the plan's tasks.",
                p.lang,
                trace,
            )
        if session is not None and session.last_tasks and self._is_followup(p, session):
            return self._followup(p, session, replace(trace, followup=True))
        if p.task_ids:
            return self._by_number(p, trace)
        unit_ids = [c for _, c in p.units]
        unit_centric = p.asks_unit_tasks or p.asks_list or p.asks_count or p.asks_who
        # A name that occurs in the plan's text is a measure (「帮您办」), not a missing unit.
        unknown = [u for u in p.unknown_units if u not in self._plan_text]
        if unknown and unit_centric and not unit_ids and not p.sections and not p.window and not p.city:
            name = unknown[0]
            return self._refuse(
                f"方案中没有「{name}」这个单位的任务。", f"the plan has no tasks for “{name}”.", p.lang, trace
            )
        agg = self._aggregate(p, trace)
        if agg is not None:
            return agg
        return self._single(p, trace)

    def _is_followup(self, p: Parsed, session: Session) -> bool:
        if p.task_ids or (p.units and not p.followup_cue):
            return False
        if p.followup_cue:
            # 「那抵押登记呢？」 brings its own subject: a new question, not a filter on the last one.
            new_subject = bool(p.sections or p.specific_terms) and "呢" in p.text
            return not new_subject
        only_filters = bool(p.window or p.city or p.self_innovation or p.ongoing)
        if only_filters and not (p.sections or p.specific_terms) and len(session.last_tasks) > 1:
            # 「哪些要在2022年底前完成」 right after a listing narrows it; 「2022年底前要完成的任务有哪些」
            # names its own subject (任务) and asks about the whole plan.
            return not _SUBJECT.search(p.text)
        if p.sections or p.window or p.city or p.self_innovation or p.ongoing or p.specific_terms:
            return False  # a new question with its own entities
        cues = p.asks_deadline or p.asks_responsible or p.asks_who or p.asks_count or p.asks_list
        return cues and len(p.residue) <= self.th.max_residue_for_topic

    # -- aggregate ---------------------------------------------------------------------------------
    def _filters(self, p: Parsed, unit_role: str) -> tuple[Filters, list[Filters]]:
        """Base filters from entities; one variant per unit candidate set (ambiguous aliases keep all)."""
        base = Filters(
            section=p.sections[0] if len(p.sections) == 1 else None,
            deadline_before=p.window.before if p.window else None,
            deadline_after=p.window.after if p.window else None,
            benchmark_city=p.city,
        )
        leads = [
            c
            for (_, c), r in zip(p.units, p.unit_roles, strict=True)
            if (r or self._default_role(unit_role)) == "lead"
        ]
        resps = [
            c
            for (_, c), r in zip(p.units, p.unit_roles, strict=True)
            if (r or self._default_role(unit_role)) == "responsible"
        ]
        per_unit = []
        lead_opts: list[str | None] = [*sorted({u for c in leads for u in c})] or [None]
        resp_opts: list[str | None] = [*sorted({u for c in resps for u in c})] or [None]
        if len(leads) > 1 or len(resps) > 1:
            # Several units in one role ("法院和检察院牵头的"): any of them.
            for u in lead_opts if len(leads) > 1 else []:
                per_unit.append(
                    replace(base, lead_unit=u, responsible_unit=resp_opts[0] if len(resps) == 1 else None)
                )
            for u in resp_opts if len(resps) > 1 else []:
                per_unit.append(
                    replace(base, responsible_unit=u, lead_unit=lead_opts[0] if len(leads) == 1 else None)
                )
        else:
            for lu in lead_opts:
                for ru in resp_opts:
                    if lu is not None or ru is not None:
                        per_unit.append(replace(base, lead_unit=lu, responsible_unit=ru))
        return base, per_unit

    @staticmethod
    def _default_role(unit_role: str) -> str:
        return "responsible" if unit_role == "responsible_unit" else "lead"

    def _select(self, p: Parsed, unit_role: str) -> list[TaskRecord]:
        base, per_unit = self._filters(p, unit_role)
        pool = self.r.records
        if len(p.sections) > 1:
            pool = tuple(r for r in pool if r.section in p.sections)
        if p.self_innovation:
            pool = tuple(r for r in pool if r.benchmark == "自主创新")
        if p.ongoing:
            pool = tuple(r for r in pool if r.deadline_ym is None)
        chosen: dict[tuple[str, int], TaskRecord] = {}
        for f in per_unit or [base]:
            for r in pool:
                if matches(r, f, self.lex):
                    chosen[r.key] = r
        return sorted(chosen.values(), key=lambda r: (r.doc_id, r.task_id))

    def _aggregate(self, p: Parsed, trace: Trace) -> Answer | None:
        small = len(p.residue) <= self.th.max_residue_for_topic and not p.specific_terms
        has_filter = bool(p.window or p.city or p.self_innovation or p.ongoing)
        if not p.units and not p.sections and not has_filter and p.asks_count and len(p.residue) <= 2:
            # "how many tasks does the plan have": the whole plan, exactly.
            return self._listing(p, trace, list(self.r.records), "count", None)
        yes_no = bool(p.units and p.sections and _ALL_LED_BY.search(p.text))
        if yes_no or (p.units and p.sections and self._asks_area_leads(p) and not any(p.unit_roles)):
            # The whole area, whatever units are named: 「劳动用工这一块都是人社局牵头吗？」 (answered yes or
            # no first); 「政务大厅、一网通办这些政务服务方面都是哪些部门牵头？」 (words describing the area).
            recs = self._select(replace(p, units=(), unit_roles=()), "lead_unit")
            if recs:
                ans = self._area_leads(p, recs, trace)
                if not yes_no:
                    return ans
                wanted = {u for _, cands in p.units for u in cands}
                led = sum(1 for r in recs if {self.lex.canon(u) for u in r.lead_units} & wanted)
                verdict = compose.all_led_by("、".join(sorted(wanted)), led, len(recs), p.lang)
                return replace(ans, text=verdict + "\n" + ans.text)
        if p.units:
            role = "responsible_unit" if p.asks_responsible and not p.asks_who else "lead_unit"
            if p.asks_unit_tasks or p.asks_list or p.asks_count or small or has_filter:
                recs = self._select(p, role)
                return self._listing(p, trace, recs, "list_tasks" if not p.asks_count else "count", role)
            return None
        if has_filter and (p.asks_list or p.asks_count or small or p.sections):
            recs = self._select(p, "lead_unit")
            return self._listing(p, trace, recs, "count" if p.asks_count else "list_tasks", None)
        topical = (
            (small and len(p.sections) == 1)
            or (p.area and not p.specific_terms)
            or self._asks_area_leads(p)
            or (len(p.sections) == 1 and self._residue_is_generic(p))
        )
        if p.sections and topical and (p.asks_who or p.asks_list or p.asks_count or p.asks_deadline):
            recs = self._select(p, "lead_unit")
            if not recs:
                return None
            if p.asks_deadline and not p.asks_who:
                text, used = compose.deadline_overview(recs, p.lang)
                return self._ok(text, used, "deadline", trace)
            if p.asks_count or (p.asks_list and not p.asks_who):
                return self._listing(p, trace, recs, "count" if p.asks_count else "list_tasks", None)
            return self._area_leads(p, recs, trace)
        return None

    def _area_leads(self, p: Parsed, recs: list[TaskRecord], trace: Trace) -> Answer:
        """Every task of the named area(s), grouped by lead unit."""
        if len(p.sections) == 1:
            text, used = compose.who_leads_topic(p.sections[0], recs, self.lex, p.lang)
        else:
            text, used = compose.lead_overview(recs, self.lex, p.lang)
        return self._ok(text, used, "who_leads_topic", trace)

    @staticmethod
    def _asks_area_leads(p: Parsed) -> bool:
        """「…这块都是哪些部门牵头？」: several lead units of an area are asked for."""
        return p.plural_leads and p.asks_who and not p.asks_responsible and (p.area or not p.specific_terms)

    def _residue_is_generic(self, p: Parsed) -> bool:
        """Every word left over describes the named section as a whole: it is part of the section's name or
        occurs in at least ``generic_share`` of the section's tasks (「小股东权益保护」 → 保护中小投资者)."""
        section = p.sections[0]
        words = self.r.tokenizer.tokenize(p.residue) if p.residue else []
        if len(words) > 3:
            return False
        return all(w in section or self.r.section_share(w, section) >= self.th.generic_share for w in words)

    def _listing(
        self, p: Parsed, trace: Trace, recs: list[TaskRecord], intent: Intent, role: str | None
    ) -> Answer:
        parts_zh, parts_en = [], []
        note = ""
        for alias, cands in p.units:
            names = sorted(cands)
            if len(names) > 1:
                note += compose.ambiguity_note(alias, names, p.lang)
            verb_zh = "配合" if role == "responsible_unit" else "牵头"
            parts_zh.append(f"{'、'.join(names)}{verb_zh}的")
            parts_en.append(
                f"{' / '.join(names)} ({'responsible' if role == 'responsible_unit' else 'lead'})"
            )
        if p.sections:
            parts_zh.append("、".join(f"「{s}」" for s in p.sections) + "方面")
            parts_en.append("section " + ", ".join(p.sections))
        if p.window:
            parts_zh.append(f"完成时限在{p.window.label}的")
            parts_en.append(f"due {p.window.label}")
        if p.city:
            parts_zh.append(f"对标{p.city}的")
            parts_en.append(f"benchmarked on {p.city}")
        if p.self_innovation:
            parts_zh.append("自主创新的")
            parts_en.append("self-innovation")
        if p.ongoing:
            parts_zh.append("持续推进的")
            parts_en.append("ongoing")
        title_zh = ("".join(parts_zh) or "方案全部") + "任务"
        title_en = "Tasks " + "; ".join(parts_en)
        if not recs:
            return self._refuse(
                f"方案中没有找到{title_zh}。", f"no task matches ({'; '.join(parts_en)}).", p.lang, trace
            )
        text, used = compose.listing(title_zh, title_en, recs, self.lex, p.lang)
        return self._ok(note + text, used, intent, trace)

    # -- single task -------------------------------------------------------------------------------
    def _kind(self, p: Parsed) -> Intent:
        if p.asks_responsible:
            return "responsible"
        if p.asks_deadline:
            return "deadline"
        if p.asks_who:
            return "who_leads_task"
        return "lookup"

    def _by_number(self, p: Parsed, trace: Trace) -> Answer:
        recs = [r for r in (self.r.get(t) for t in p.task_ids) if r is not None]
        if not recs:
            n = p.task_ids[0]
            return self._refuse(
                f"方案共 {self.max_task} 项任务，没有编号为 {n} 的任务。",
                f"the plan has {self.max_task} tasks; there is no number {n}.",
                p.lang,
                trace,
            )
        kind = self._kind(p)
        if len(recs) == 1:
            text, used = compose.single(kind, recs[0], self.lex, p.lang)
            return self._ok(text, used, kind, trace)
        return self._over(kind, recs, p, trace)

    def _over(self, kind: Intent, recs: list[TaskRecord], p: Parsed, trace: Trace) -> Answer:
        if kind == "deadline":
            text, used = compose.deadline_overview(recs, p.lang)
        elif kind == "responsible":
            text, used = compose.responsible_overview(recs, self.lex, p.lang)
        elif kind == "who_leads_task":
            text, used = compose.lead_overview(recs, self.lex, p.lang)
            kind = "who_leads_topic"
        else:
            text, used = compose.listing("这些任务", "These tasks", recs, self.lex, p.lang)
            kind = "list_tasks"
        return self._ok(text, used, kind, trace)

    def _single(self, p: Parsed, trace: Trace) -> Answer:
        words = self._question_words(p.text)
        hits = self._promote_covering(words, self.r.search(p.text, top_k=10))
        hits = self._prefer_named_units(p, hits)
        hits = hits[:5]
        trace = replace(trace, retrieval=tuple((h.record.task_id, h.score) for h in hits))
        if not hits:
            return self._refuse("没有找到相关任务。", "nothing in the plan matches.", p.lang, trace)
        ev = self.evidence(p, hits, words)
        prob = self.refusal.probability(ev)
        trace = replace(
            trace,
            notes=(
                f"dense_top={ev.dense_top:.4f}",
                f"dense_z={ev.dense_z:.2f}",
                f"bm25_top={ev.bm25_top:.2f}",
                f"coverage={ev.coverage:.2f}",
                f"p_covered={prob:.3f}",
            ),
        )
        if prob < self.refusal.threshold:
            refused = self._refuse(
                "没有找到与这个问题相关的任务。", "nothing in the plan matches this question.", p.lang, trace
            )
            if prob < self.th.hint_min:
                return refused
            # Borderline: still a refusal, but the closest task is shown (and cited) for the reader to judge.
            hint, used = compose.nearest_hint(hits[0].record, self.lex, p.lang)
            return replace(refused, text=refused.text + hint, citations=tuple(used))
        kind = self._kind(p)
        best = hits[0]
        runner = None
        if len(hits) > 1:
            s1 = best.signals.get("dense")
            s2 = hits[1].signals.get("dense")
            if (
                s1 is not None
                and s2 is not None
                and s1.score is not None
                and s2.score is not None
                and abs(s1.score - s2.score) <= self.th.close_margin
            ):
                runner = hits[1].record
        text, used = compose.single(kind, best.record, self.lex, p.lang, runner)
        return self._ok(text, used, kind, trace)

    def _prefer_named_units(self, p: Parsed, hits: list[Hit]) -> list[Hit]:
        """A unit named in the question (「哪些单位配合教体局补充教师」) moves first the best hit it takes
        part in, when that hit is about as similar as the best one. Asking who cooperates with a named
        unit (「法院执行要哪些部门配合？」) means the unit leads the task: a hit it leads goes before one it
        only takes part in."""
        if not p.units or not hits:
            return hits
        wanted = {u for _, cands in p.units for u in cands}

        def leads(h: Hit) -> bool:
            return bool({self.lex.canon(u) for u in h.record.lead_units} & wanted)

        def involved(h: Hit) -> bool:
            return bool(
                {self.lex.canon(u) for u in (*h.record.lead_units, *h.record.responsible_units)} & wanted
            )

        top = hits[0].signals["dense"].score if "dense" in hits[0].signals else None
        close = [
            h
            for h in hits
            if top is None
            or "dense" not in h.signals
            or (h.signals["dense"].score or 0.0) >= top - self.th.unit_margin
        ]
        for test in (leads, involved) if p.asks_responsible else (involved,):
            pick = next((h for h in close if test(h)), None)
            if pick is not None:
                return [pick, *(x for x in hits if x is not pick)]
        return hits

    def _promote_covering(self, words: Sequence[str], hits: list[Hit]) -> list[Hit]:
        """Move to the front the hit among the first few whose text covers clearly more of the question's
        informative words than the best fused hit (「发票邮寄」: the task saying 邮寄, not one on 发票)."""
        depth = self.th.coverage_depth
        if len(hits) < 2:
            return hits
        covs = [self._covers(words, h.record) for h in hits[:depth]]
        best = max(range(len(covs)), key=lambda i: (covs[i], -i))
        if best == 0 or covs[best] < covs[0] + self.th.coverage_margin:
            return hits
        return [hits[best], *(h for i, h in enumerate(hits) if i != best)]

    def evidence(
        self, p: Parsed, hits: list[Hit] | None = None, words: Sequence[str] | None = None
    ) -> Evidence:
        """The refusal model's signals for a parsed question (``hits``: its search results and ``words``: its
        :meth:`_question_words`, when already at hand)."""
        query = strip_place(p.text) or p.text
        if hits is None or query != p.text:
            # Evidence is judged without the county's name (the answer still comes from the full question).
            hits = self.r.search(query, top_k=5)
        top = max((h.signals["dense"].score or 0.0 for h in hits if "dense" in h.signals), default=0.0)
        if words is None or query != p.text:
            words = self._question_words(query)
        bm25 = float(self.r.bm25_scores_of(words).max()) if words and self.r.records else 0.0
        local = max((self._covers(words, h.record) for h in hits[:3]), default=0.0)
        return Evidence(
            dense_top=top,
            dense_z=dense_z(top, self.r.sample_scores(query)),
            bm25_top=bm25,
            coverage=coverage(words, self._vocab, self._freq, self._freq_total),
            local_coverage=local,
            english=p.lang == "en",
            asks_outside=asks_outside(p.text),
            names_plan_term=bool(p.specific_terms),
        )

    def _question_words(self, text: str) -> list[str]:
        """The question's tokens without the county's own names."""
        return content_tokens(self.r.tokenizer.tokenize(text))

    def _covers(self, words: Sequence[str], r: TaskRecord) -> float:
        """How much of the question's informative weight a task's words cover."""
        return coverage(words, self._tokens_of(r), self._freq, self._freq_total)

    def _tokens_of(self, r: TaskRecord) -> frozenset[str]:
        """A task's tokens (text, section, units), cached: the model reads every question's top hits."""
        got = self._record_tokens.get(r.key)
        if got is None:
            text = " ".join((r.section, r.text, *r.lead_units, *r.responsible_units))
            got = frozenset(self.r.tokenizer.tokenize(text))
            if len(self._record_tokens) < 100_000:
                self._record_tokens[r.key] = got
        return got

    # -- follow-ups --------------------------------------------------------------------------------
    def _followup(self, p: Parsed, session: Session, trace: Trace) -> Answer:
        prev = list(session.last_tasks)
        narrowed = prev
        if p.units or p.window or p.city or p.sections or p.self_innovation or p.ongoing:
            role = "responsible_unit" if p.asks_responsible and not p.asks_who else "lead_unit"
            keep = {r.key for r in self._select(p, role)}
            narrowed = [r for r in prev if r.key in keep]
            if not narrowed:
                return self._refuse(
                    "上一轮的任务中没有符合条件的。", "none of the previous tasks match.", p.lang, trace
                )
            if not (p.asks_deadline or p.asks_responsible) and (p.units or not p.asks_who):
                return self._listing(p, trace, narrowed, "count" if p.asks_count else "list_tasks", role)
        kind = self._kind(p)
        if len(narrowed) == 1:
            text, used = compose.single(kind, narrowed[0], self.lex, p.lang)
            return self._ok(text, used, kind, trace)
        return self._over(kind, narrowed, p, trace)

    # -- results -----------------------------------------------------------------------------------
    def _ok(self, text: str, used: list[TaskRecord], intent: Intent, trace: Trace) -> Answer:
        by_id = {r.task_id: r for r in used}
        citations = tuple(by_id[n] for n in cited_numbers(text) if n in by_id)
        return Answer(text=text, answerable=True, intent=intent, citations=citations, trace=trace)

    def _refuse(self, zh: str, en: str, lang: str, trace: Trace | None = None) -> Answer:
        return Answer(
            text=compose.refusal(zh, en, lang, self.title),
            answerable=False,
            intent="out_of_scope",
            citations=(),
            trace=trace or Trace(),
        )

    def _finalize(self, ans: Answer) -> Answer:
        """Server-side check: the text's numbers and the citations must agree."""
        in_text = cited_numbers(ans.text)
        ids = [c.task_id for c in ans.citations]
        if in_text != ids:
            log.error("citation mismatch: text %s vs citations %s", in_text, ids)
            by_id = {c.task_id: c for c in ans.citations}
            known = {r.task_id: r for r in self.r.records}
            fixed = tuple(by_id.get(n) or known[n] for n in in_text if n in by_id or n in known)
            ans = replace(
                ans, citations=fixed, trace=replace(ans.trace, notes=(*ans.trace.notes, "citations repaired"))
            )
        return ans
