"""The answer's wording: deterministic templates over the executor's result (pure). Chinese, or English when
asked in English.

Every function returns the text and the records it cites; the engine derives the citations from the text
(``qa.verify.cited_keys``: plan and task number) and checks they are exactly these records. A set answer
always says how many tasks it lists and what the set was taken to be (「按任务内容含“专利”或相近说法的任务」).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from corpus.lexicon import UnitLexicon
from corpus.profile import PlanProfile
from corpus.records import TaskRecord
from qa.execute import Result
from qa.phrasebook import rows
from qa.plan import Reply
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
    Or,
    Position,
    Recurring,
    Responsible,
    Section,
    TaskRange,
    Topic,
    WithinYear,
    leaves,
)

Composed = tuple[str, list[TaskRecord]]
DETAIL_MAX = 5  # lists this short show each task's text, units and deadline instead of bare numbers
# English names of a region's level word (其他旗县: "the county's plan").
_LEVEL_EN = {
    "旗": "county",
    "县": "county",
    "市": "city",
    "州": "prefecture",
    "区": "district",
    "盟": "league",
}


@dataclass(frozen=True, slots=True)
class Library:
    """The plans an answer speaks for: every loaded plan, or those the question is scoped to. Refusals and
    greetings name them (《title》 for one plan, 「已收录的N个方案」 for several)."""

    plans: tuple[PlanProfile, ...] = ()
    scoped: bool = False  # the question named these plans (or a client pinned one)

    @classmethod
    def of(cls, plans: Sequence[PlanProfile]) -> Library:
        return cls(tuple(plans))

    def within(self, docs: frozenset[str] | None) -> Library:
        """The plans of ``docs`` (None: all of them)."""
        if docs is None:
            return self
        return Library(tuple(p for p in self.plans if p.doc_id in docs), scoped=True)

    @property
    def docs(self) -> frozenset[str]:
        return frozenset(p.doc_id for p in self.plans)

    @property
    def year(self) -> int | None:
        """The plans' year, when they share one."""
        years = {p.year for p in self.plans if p.year}
        return years.pop() if len(years) == 1 else None

    def ref(self, lang: str) -> str:
        """The plans named in a sentence: 《title》 / 已收录的3个方案 (the plan (title) / the 3 plans
        loaded)."""
        if len(self.plans) == 1:
            return f"the plan ({self.plans[0].title})" if lang == "en" else f"《{self.plans[0].title}》"
        if not self.plans:
            return "the plan" if lang == "en" else "方案"
        return f"the {len(self.plans)} plans loaded" if lang == "en" else f"已收录的{len(self.plans)}个方案"

    def region(self, lang: str) -> str:
        """Whose plan(s) these are: 本旗 (one plan: its level word), else the regions' names."""
        if len(self.plans) == 1 and not self.scoped:
            level = self.plans[0].places.level
            if lang == "en":
                return f"the {_LEVEL_EN.get(level, 'region')}'s"
            return f"本{level or '地'}"
        names = list(dict.fromkeys(p.region or p.short_title for p in self.plans))
        return ", ".join(names) + "'s" if lang == "en" else "、".join(names)


def _examples(lang: str, library: Library) -> tuple[str, ...]:
    """Example questions (``data/examples.tsv``), in the plans' year."""
    year = library.year or max((p.year or 0 for p in library.plans), default=0) or date.today().year
    return tuple(r[1].format(year=year) for r in rows("examples.tsv") if r[0] == lang)


# The plans' short titles while an answer is worded with several plans loaded (``naming``), else None.
_SHORTS: ContextVar[Mapping[str, str] | None] = ContextVar("plan_shorts", default=None)


@contextmanager
def naming(shorts: Mapping[str, str] | None) -> Iterator[None]:
    """Within: every task reference names its plan, ``《简称》第233条`` (pass None with one plan loaded)."""
    token = _SHORTS.set(shorts)
    try:
        yield
    finally:
        _SHORTS.reset(token)


def _numbers(ids: Sequence[str], lang: str) -> str:
    if lang == "en":
        return ("task " if len(ids) == 1 else "tasks ") + ", ".join(ids)
    return "第" + "、".join(ids) + "条"


def nums(records: Sequence[TaskRecord], lang: str) -> str:
    """``第233、234条`` or ``tasks 233, 234``; several plans loaded: ``《简称》第233条，《乙》第5条``."""
    shorts = _SHORTS.get()
    if shorts is None:
        return _numbers([str(r.task_id) for r in records], lang)
    by_plan: dict[str, list[str]] = {}
    for r in records:
        by_plan.setdefault(r.doc_id, []).append(str(r.task_id))
    sep = "; " if lang == "en" else "，"
    return sep.join(f"《{shorts.get(d, d)}》{_numbers(ids, lang)}" for d, ids in by_plan.items())


def unit_list(names: Sequence[str], lang: str) -> str:
    if not names:
        return "none" if lang == "en" else "无"
    return ", ".join(names) if lang == "en" else "、".join(names)


def quote(text: str) -> str:
    return "「" + text.replace("「", "『").replace("」", "』") + "」"


def group(
    records: Sequence[TaskRecord], key: Callable[[TaskRecord], Sequence[str]], *, by_size: bool = True
) -> OrderedDict[str, list[TaskRecord]]:
    """Records under each of their keys; groups by size, then first appearance (``by_size`` False: by first
    appearance alone)."""
    groups: OrderedDict[str, list[TaskRecord]] = OrderedDict()
    for r in records:
        keys = key(r)
        for k in keys if len(keys) == 1 else dict.fromkeys(keys):
            got = groups.get(k)
            if got is None:
                groups[k] = [r]
            else:
                got.append(r)
    return OrderedDict(sorted(groups.items(), key=lambda kv: -len(kv[1]))) if by_size else groups


def grouped_lines(groups: OrderedDict[str, list[TaskRecord]], lang: str) -> list[str]:
    if lang == "en":
        return [f"- {k} ({len(v)}): {nums(v, lang)}" for k, v in groups.items()]
    return [f"- {k}（{len(v)}项）：{nums(v, lang)}" for k, v in groups.items()]


def fields(r: TaskRecord, lex: UnitLexicon, lang: str) -> str:
    lead = unit_list([lex.canon(u, r.doc_id) for u in r.lead_units], lang)
    resp = unit_list([lex.canon(u, r.doc_id) for u in r.responsible_units], lang)
    if lang == "en":
        bench = f"; benchmark: {r.benchmark}" if r.benchmark else ""
        return f"lead: {lead}; responsible: {resp}; deadline: {r.deadline}{bench}"
    bench = f"；{r.benchmark}" if r.benchmark else ""  # 「对标北京」 / 「自主创新」, as the plan labels it
    return f"牵头单位：{lead}；责任单位：{resp}；完成时限：{r.deadline}{bench}"


# -- what a filter means, in words ---------------------------------------------------------------------------


_PERIOD_ZH = {"week": "周", "month": "月", "quarter": "季度", "half": "半年", "year": "年"}


def describe(e: Expr, lang: str) -> str:
    """A filter expression as a phrase (「「办理破产」方面、不是旗法院牵头」)."""
    zh = lang != "en"
    if isinstance(e, And):
        return ("、" if zh else "; ").join(describe(p, lang) for p in e.parts if not isinstance(p, All))
    if isinstance(e, Or):
        return ("或" if zh else " or ").join(describe(p, lang) for p in e.parts)
    if isinstance(e, Not):
        inner = describe(e.part, lang)
        return (f"不是{inner}" if zh else f"not {inner}") if inner else ""
    if isinstance(e, Section):
        return f"「{e.name}」方面" if zh else f"section {e.name}"
    if isinstance(e, Lead):
        return f"{'或'.join(sorted(e.units))}牵头" if zh else f"led by {' or '.join(sorted(e.units))}"
    if isinstance(e, Responsible):
        names = sorted(e.units)
        return f"{'或'.join(names)}配合" if zh else f"{' or '.join(names)} responsible"
    if isinstance(e, Involves):
        names = sorted(e.units)
        return f"{'或'.join(names)}参与（牵头或配合）" if zh else f"involving {' or '.join(names)}"
    if isinstance(e, Due):
        return f"完成时限在{e.label}" if zh else f"due {e.label}"
    if isinstance(e, Ongoing):
        if e.said:
            return f"完成时限写作“{e.said}”" if zh else f"deadline written “{e.said}”"
        return "持续推进（无具体期限）" if zh else "ongoing (no date)"
    if isinstance(e, WithinYear):
        return "完成时限写作“年内”" if zh else "deadline written “within the year”"
    if isinstance(e, Recurring):
        if e.every is None:
            return "定期开展（周期性完成时限）" if zh else "recurring (a periodic deadline)"
        return f"每{_PERIOD_ZH[e.every]}开展" if zh else f"recurring every {e.every}"
    if isinstance(e, City):
        if e.name == ANY_CITY:
            return "对标某个城市" if zh else "benchmarked on a city"
        return f"对标{e.name}" if zh else f"benchmarked on {e.name}"
    if isinstance(e, Benchmark):
        return e.label if zh else f"benchmark {e.label}"
    if isinstance(e, NoResponsible):
        return "未列责任单位" if zh else "no responsible units"
    if isinstance(e, TaskRange):
        if _SHORTS.get() is not None:  # a bare 第N条 would cite no plan: say the number instead
            span = f"{e.lo}" if e.lo == e.hi else f"{e.lo}至{e.hi}"
            return f"编号为{span}" if zh else f"numbered {e.lo}-{e.hi}"
        return (f"第{e.lo}至{e.hi}条" if e.lo != e.hi else f"第{e.lo}条") if zh else f"tasks {e.lo}-{e.hi}"
    if isinstance(e, Topic):
        words = "”“".join(t[0] for t in e.terms)
        return f"内容涉及“{words}”或相近说法" if zh else f"about “{words}”"
    if isinstance(e, Doc):
        shorts = _SHORTS.get() or {}
        plans = "、".join(f"《{shorts.get(d, d)}》" for d in sorted(e.ids))
        return f"{plans}中" if zh else f"in {plans}"
    if isinstance(e, Keys):
        return (
            ("上一轮回答中的任务" if zh else "the previous answer's tasks") if e.label == "previous" else ""
        )
    if isinstance(e, Position):
        return str(e)
    return ""


# -- answers -------------------------------------------------------------------------------------------------


def single(
    kinds: Sequence[str], r: TaskRecord, lex: UnitLexicon, lang: str, runner: TaskRecord | None
) -> Composed:
    """One task: who leads it, who cooperates, its deadline, or what it says (several when asked)."""
    ref = nums([r], lang)
    lead = unit_list([lex.canon(u, r.doc_id) for u in r.lead_units], lang)
    resp = unit_list([lex.canon(u, r.doc_id) for u in r.responsible_units], lang)
    asked = [k for k in kinds if k in ("lead", "responsible", "deadline")]
    if lang == "en":
        sec = f"{ref} ({r.section})"
        parts = {
            "lead": f"is led by {lead}",
            "responsible": f"has responsible units: {resp}"
            if r.responsible_units
            else "lists no responsible units",
            "deadline": f"is due {r.deadline}",
        }
        if asked:
            text = f"{sec} " + "; ".join(parts[k] for k in asked) + f". ({fields(r, lex, lang)})"
            text += f"\nTask text: {quote(r.text)}"
        else:
            text = f"{sec}: {quote(r.text)} ({fields(r, lex, lang)})."
    else:
        sec = f"{ref}（{r.section}）"
        parts = {
            "lead": f"由{lead}牵头",
            "responsible": f"责任（配合）单位是{resp}"
            if r.responsible_units
            else f"未列责任单位，由{lead}牵头负责",
            "deadline": f"完成时限是{r.deadline}",
        }
        if asked:
            text = f"{sec}" + "，".join(parts[k] for k in asked) + f"。（{fields(r, lex, lang)}）"
            text += f"\n任务内容：{quote(r.text)}"
        else:
            text = f"{sec}：{quote(r.text)}（{fields(r, lex, lang)}）"
    used = [r]
    if runner is not None:
        ref2 = nums([runner], lang)
        if lang == "en":
            text += f"\nIf you meant {ref2} ({runner.section}) instead: {fields(runner, lex, lang)}."
        else:
            text += f"\n另一项相近的是{ref2}（{runner.section}）：{fields(runner, lex, lang)}。"
        used.append(runner)
    return text, used


def related(
    best: TaskRecord, others: Sequence[TaskRecord], topic: str, lex: UnitLexicon, lang: str
) -> Composed:
    """After a who-leads answer about one task: every other task about the same theme, grouped by lead."""
    everything = [best, *others]
    g = group(everything, lambda r: [lex.canon(u, r.doc_id) for u in r.lead_units])
    words = "”“".join(topic.split()) or "this"
    if lang == "en":
        head = (
            f"\nTasks about “{words}” or similar wording: {len(everything)} in all, led by {len(g)} unit(s):"
        )
    else:
        head = f"\n方案中内容涉及“{words}”或相近说法的任务共 {len(everything)} 项，牵头单位 {len(g)} 个："
    return "\n".join([head, *grouped_lines(g, lang)]), list(others)


def _listing(head: str, records: Sequence[TaskRecord], lex: UnitLexicon, lang: str) -> Composed:
    # A list of tasks reads in the plans' order (by plan, then number; sections follow one another), so that
    # 「第二个」, 「最后那条」 said of it count what the user saw: the planner takes positions in that order.
    records = sorted(records, key=lambda r: r.key)
    if 0 < len(records) <= DETAIL_MAX:
        if lang == "en":
            lines = [
                f"- {nums([r], lang)} ({r.section}): {quote(r.text)} ({fields(r, lex, lang)})"
                for r in records
            ]
        else:
            lines = [
                f"- {nums([r], lang)}（{r.section}）：{quote(r.text)}（{fields(r, lex, lang)}）"
                for r in records
            ]
        return "\n".join([head, *lines]), list(records)
    plans = list(dict.fromkeys(r.doc_id for r in records))
    if _SHORTS.get() is not None and len(plans) > 1:
        # Over several plans: how many in each plan (「哪些方案里有…」), each line naming its plan.
        by_plan = group(records, lambda r: [r.doc_id], by_size=False)
        if lang == "en":
            lines = [f"In {len(plans)} plans:", *(f"- {nums(v, lang)} ({len(v)})" for v in by_plan.values())]
        else:
            lines = [
                f"分布在 {len(plans)} 个方案：",
                *(f"- {nums(v, lang)}（{len(v)}项）" for v in by_plan.values()),
            ]
        return "\n".join([head, *lines]), list(records)
    return "\n".join(
        [head, *grouped_lines(group(records, lambda r: [r.section], by_size=False), lang)]
    ), list(records)


def _canon(lex: UnitLexicon) -> Callable[[str, str], str]:
    """``lex.canon`` memoized for one answer (a set answer may canonicalize the same units thousands of
    times); a unit is read in its task's plan."""
    memo: dict[tuple[str, str], str] = {}

    def canon(unit: str, doc_id: str) -> str:
        got = memo.get((unit, doc_id))
        if got is None:
            got = memo[unit, doc_id] = lex.canon(unit, doc_id)
        return got

    return canon


def _leads(head: str, records: Sequence[TaskRecord], lex: UnitLexicon, lang: str) -> Composed:
    canon = _canon(lex)
    g = group(records, lambda r: [canon(u, r.doc_id) for u in r.lead_units])
    tail = f"{len(g)} lead unit(s):" if lang == "en" else f"牵头单位共 {len(g)} 个："
    return "\n".join([f"{head}{tail}", *grouped_lines(g, lang)]), list(records)


def _responsible(head: str, records: Sequence[TaskRecord], lex: UnitLexicon, lang: str) -> Composed:
    canon = _canon(lex)
    g = group(
        [r for r in records if r.responsible_units],
        lambda r: [canon(u, r.doc_id) for u in r.responsible_units],
    )
    lines = [
        f"{head}{'responsible units:' if lang == 'en' else '责任（配合）单位：'}",
        *grouped_lines(g, lang),
    ]
    alone = [r for r in records if not r.responsible_units]
    if alone:
        lines.append(
            f"No responsible units listed for {nums(alone, lang)}."
            if lang == "en"
            else f"{nums(alone, lang)}未列责任单位，由牵头单位负责。"
        )
    return "\n".join(lines), list(records)


def _deadlines(head: str, records: Sequence[TaskRecord], lang: str) -> Composed:
    ordered = sorted(records, key=lambda r: (r.deadline_ym is None, r.deadline_ym or (0, 0), r.task_id))
    g: OrderedDict[str, list[TaskRecord]] = OrderedDict()
    for r in ordered:
        g.setdefault(r.deadline, []).append(r)
    return "\n".join(
        [f"{head}{'deadlines:' if lang == 'en' else '完成时限：'}", *grouped_lines(g, lang)]
    ), ordered


def set_answer(res: Result, lex: UnitLexicon, lang: str) -> Composed:
    """A set of tasks: how many, what the set was taken to be, and what was asked of it."""
    recs = list(res.records)
    what = res.ask.what
    desc = describe(res.ask.where, lang) or ("the whole plan" if lang == "en" else "方案全部")
    n = len(recs)
    if lang == "en":
        head = f"Tasks matching ({desc}): {n} in all. "
    else:
        head = f"符合条件（{desc}）的任务共 {n} 项。"
    if n == 0:
        return head.strip() + _takes_part_instead(res, lang), []
    verdict = ""
    if "yes_no" in what and res.ask.claim is not None and res.claimed is not None:
        verdict = _verdict(describe(res.ask.claim, lang), res.claimed, n, lang) + "\n"
    if "yes_no" in what or "lead" in what:
        text, used = _leads(head, recs, lex, lang)
    elif "responsible" in what:
        text, used = _responsible(head, recs, lex, lang)
    elif "deadline" in what:
        text, used = _deadlines(head, recs, lang)
    else:
        text, used = _listing(head.strip(), recs, lex, lang)
    return verdict + text, used


def _takes_part_instead(res: Result, lang: str) -> str:
    """After 「X牵头哪些任务」 when X leads none: how many tasks it is a responsible unit of, how to ask."""
    units = [u for x in leaves(res.ask.where) if isinstance(x, Lead) for u in sorted(x.units)]
    if not res.takes_part or not units:
        return ""
    unit = "、".join(units)
    if lang == "en":
        return f" {unit} leads none of them, but it is a responsible unit of {res.takes_part} tasks."
    return f"{unit}没有牵头的任务，但作为责任单位参与 {res.takes_part} 项（可以问「{unit}参与哪些任务」）。"


def _verdict(claim: str, satisfied: int, total: int, lang: str) -> str:
    if lang == "en":
        if satisfied == total:
            return f"Yes: all {total} are {claim}."
        return f"No: {satisfied} of the {total} are {claim}."
    if satisfied == total:
        return f"是的，全部 {total} 项都是{claim}。"
    if satisfied == 0:
        return f"不是：这 {total} 项任务中没有{claim}的。"
    return f"不全是：{total} 项中{claim}的有 {satisfied} 项。"


def missing(res: Result, counts: dict[str | None, int], lang: str) -> str:
    """A number or position that names no task."""
    pos = next((x for x in leaves(res.ask.where) if isinstance(x, Position)), None)
    if pos is not None:
        total = counts.get(pos.section, 0)
        where_zh = f"「{pos.section}」" if pos.section else "方案"
        where_en = f"section {pos.section}" if pos.section else "the plan"
        k = pos.index if pos.index > 0 else -pos.index
        nth_zh = f"第 {k} 项" if pos.index > 0 else f"倒数第 {k} 项"
        if lang == "en":
            return f"{where_en} has {total} task(s); there is no task at position {pos.index}."
        return f"{where_zh}共 {total} 项任务，没有{nth_zh}。"
    total = counts.get(None, 0)
    if lang == "en":
        return f"The plan has {total} tasks; no task matches that number."
    return f"方案共 {total} 项任务，没有这个编号的任务。"


def refusal_near(lang: str, library: Library) -> str:
    """A refusal followed by the closest task (:func:`nearest_hint`): it says no task answers the question
    directly, not that nothing was found (the task shown is related)."""
    if lang == "en":
        ref = library.ref(lang)
        return f"Sorry, no task of {ref} answers this question directly."
    return f"抱歉，{library.ref(lang)}中没有直接回答这个问题的任务。"


def nearest_hint(r: TaskRecord, lex: UnitLexicon, lang: str) -> Composed:
    """After a refusal: the closest task, said plainly to be perhaps no answer at all."""
    ref = nums([r], lang)
    if lang == "en":
        return (
            f"\nThe closest task, which may not answer your question, is {ref} ({r.section}): "
            f"{quote(r.text)} ({fields(r, lex, lang)}).",
            [r],
        )
    closest = f"\n最接近的一项是{ref}（{r.section}），但它可能并不回答您的问题："
    return f"{closest}{quote(r.text)}（{fields(r, lex, lang)}）", [r]


def unstated(detail: str, related: TaskRecord, lex: UnitLexicon, lang: str, library: Library) -> Composed:
    """A near miss: the plan has a task about it, but does not state what is asked (``detail``: the words
    asked, ``qa.nearmiss``); the task is named as related, not as the answer."""
    ref = nums([related], lang)
    if lang == "en":
        return (
            f"Sorry, {library.ref(lang)} does not say this (“{detail}”): it states what is to be done, "
            "by whom and by when, not the lists, amounts, procedures, contacts or results behind a task. "
            f"Related, but it does not answer this: {ref} ({related.section}): {quote(related.text)} "
            f"({fields(related, lex, lang)}).",
            [related],
        )
    return (
        f"抱歉，{library.ref(lang)}没有写明这一点（“{detail}”）：方案只写任务要做什么、由谁牵头、何时完成，"
        "不列具体名单、金额、办理流程、联系方式或实际进展。\n"
        f"相关的是{ref}（{related.section}），但它并不回答这个问题："
        f"{quote(related.text)}（{fields(related, lex, lang)}）",
        [related],
    )


_REPLY_ZH = {
    "empty": "问题是空的。",
    "injection": "我只能回答关于{this}任务的问题。",
    "other_task": "我只能回答关于{this}任务的问题，不能代写或翻译。",
    "out_of_plan": "方案只列出任务、牵头和责任单位、完成时限，"
    "不提供价格、地址、电话、办理进度、统计数据或其他文件的内容。",
    "personal": "我查不到个人的办理进度；方案只列出各项任务的安排。请通过办事渠道或12345热线查询。",
    "other_plan": "我只收录了{held}，没有其他年份或版本的方案。",
    "other_place": "这是{region}的方案，不包括{detail}的任务。",
    "unknown_unit": "方案中没有「{detail}」这个单位的任务。",
    "unknown_task": "方案没有第 {detail} 条任务。",
    "unknown_section": "方案没有第 {detail} 部分。",
    "not_found": "没有找到与这个问题相关的任务。",
    "no_topic": "没有找到内容涉及「{detail}」的任务。",
}
_REPLY_EN = {
    "empty": "the question is empty.",
    "injection": "I can only answer questions about {this} tasks.",
    "other_task": "I can only answer questions about {this} tasks; I cannot write or translate.",
    "out_of_plan": "the plan lists tasks, their units and deadlines; it gives no prices, addresses, "
    "contacts, case status, statistics or what other documents say.",
    "personal": "I cannot look up one person's case; the plan only lists the tasks.",
    "other_plan": "I only hold {held}, not other years' or versions.",
    "other_place": "this is {region} plan; it has no tasks of {detail}.",
    "unknown_unit": "the plan has no tasks for “{detail}”.",
    "unknown_task": "the plan has no task {detail}.",
    "unknown_section": "the plan has no part {detail}.",
    "not_found": "nothing in the plan matches this question.",
    "no_topic": "no task of the plan is about “{detail}”.",
}


def _fill(template: str, detail: str, lang: str, library: Library) -> str:
    several = len(library.plans) > 1
    if lang == "en":
        this, held = ("the plans'", library.ref(lang)) if several else ("the plan's", "this plan")
    else:
        this, held = ("已收录方案", library.ref(lang)) if several else ("本方案", "本方案")
    return template.format(detail=detail, this=this, held=held, region=library.region(lang))


def refusal(kind: str, detail: str, lang: str, library: Library) -> str:
    """A plain 'the plan does not cover this', with what to ask instead (``library``: the plans asked
    about)."""
    examples = _examples(lang, library)
    if lang == "en":
        reason = _fill(_REPLY_EN.get(kind, _REPLY_EN["not_found"]), detail, lang, library)
        ex = "; ".join(f"“{e}”" for e in examples)
        ref = library.ref(lang)
        return (
            f"Sorry, {reason} {ref[0].upper()}{ref[1:]} does not cover this. You can ask, for example: {ex}"
        )
    reason = _fill(_REPLY_ZH.get(kind, _REPLY_ZH["not_found"]), detail, lang, library)
    ex = "、".join(f"「{e}」" for e in examples)
    cover = "都没有" if len(library.plans) > 1 else "没有"
    return f"抱歉，{reason}{library.ref(lang)}{cover}涉及这方面的内容。您可以这样问：{ex}"


def small_talk(reply: Reply, lang: str, library: Library) -> str:
    """Greetings and thanks: a short polite reply with examples of what to ask."""
    ref = library.ref(lang)
    examples = _examples(lang, library)
    if lang == "en":
        ex = "; ".join(f"“{e}”" for e in examples)
        if reply.kind == "thanks":
            return f"You're welcome. Ask me anything about {ref}, e.g. {ex}"
        return f"Hello! I answer questions about {ref}, for example: {ex}"
    ex = "、".join(f"「{e}」" for e in examples)
    if reply.kind == "thanks":
        return f"不客气！还有关于{ref}的问题可以随时问我，例如：{ex}"
    return f"您好！我可以回答关于{ref}各项任务的问题，例如：{ex}"


def ambiguity_note(alias: str, candidates: Sequence[str], lang: str) -> str:
    """A short form that may mean several units: all are included, and the answer says so."""
    if lang == "en":
        return f"Note: “{alias}” may mean {' or '.join(candidates)}; all are included.\n"
    return f"注意：「{alias}」可能指{'或'.join(candidates)}，以下一并列出。\n"
