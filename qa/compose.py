"""Deterministic answer templates over task records (pure). Chinese, or English when asked in English.

Each function returns the answer text and the records it rests on; the engine derives the
citations from the text (``qa.verify.cited_numbers``) and checks they are exactly these records.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence

from corpus.lexicon import UnitLexicon
from corpus.records import TaskRecord

Composed = tuple[str, list[TaskRecord]]

EXAMPLES_ZH = ("谁牵头负责电力接入的任务？", "法院牵头哪些任务？", "2022年底前要完成哪些政务服务任务？")
EXAMPLES_EN = (
    "Who leads the electricity tasks?",
    "Which tasks does the tax bureau lead?",
    "Which tasks are due by the end of 2022?",
)


def nums(records: Sequence[TaskRecord], lang: str) -> str:
    """``第233、234条`` or ``tasks 233, 234``."""
    ids = [str(r.task_id) for r in records]
    if lang == "en":
        return ("task " if len(ids) == 1 else "tasks ") + ", ".join(ids)
    return "第" + "、".join(ids) + "条"


def units(names: Sequence[str], lang: str) -> str:
    if not names:
        return "none" if lang == "en" else "无"
    return ", ".join(names) if lang == "en" else "、".join(names)


def quote(text: str) -> str:
    return "「" + text.replace("「", "『").replace("」", "』") + "」"


def group(
    records: Sequence[TaskRecord], key: Callable[[TaskRecord], Sequence[str]]
) -> OrderedDict[str, list[TaskRecord]]:
    """Group records under each of their keys, groups ordered by size then first appearance."""
    groups: OrderedDict[str, list[TaskRecord]] = OrderedDict()
    for r in records:
        for k in key(r):
            groups.setdefault(k, []).append(r)
    return OrderedDict(sorted(groups.items(), key=lambda kv: -len(kv[1])))


def grouped_lines(groups: OrderedDict[str, list[TaskRecord]], lang: str) -> list[str]:
    if lang == "en":
        return [f"- {k} ({len(v)}): {nums(v, lang)}" for k, v in groups.items()]
    return [f"- {k}（{len(v)}项）：{nums(v, lang)}" for k, v in groups.items()]


def who_leads_topic(section: str, records: Sequence[TaskRecord], lex: UnitLexicon, lang: str) -> Composed:
    g = group(records, lambda r: [lex.canon(u) for u in r.lead_units])
    if lang == "en":
        head = f"The 「{section}」 section has {len(records)} tasks in all, led by {len(g)} unit(s):"
    else:
        head = f"「{section}」方面共 {len(records)} 项任务，牵头单位共 {len(g)} 个："
    return "\n".join([head, *grouped_lines(g, lang)]), list(records)


DETAIL_MAX = 5  # lists this short show each task's text, units and deadline instead of bare numbers


def listing(
    title_zh: str, title_en: str, records: Sequence[TaskRecord], lex: UnitLexicon, lang: str
) -> Composed:
    """A complete list with its count, grouped by section; a list of at most ``DETAIL_MAX`` tasks shows
    every task in full (text, units, deadline)."""
    if lang == "en":
        head = f"{title_en}: {len(records)} task(s) in all."
    else:
        head = f"{title_zh}共 {len(records)} 项："
    if 0 < len(records) <= DETAIL_MAX:
        if lang == "en":
            lines = [
                f"- {nums([r], lang)} ({r.section}): {quote(r.text)} ({_fields(r, lex, lang)})"
                for r in records
            ]
        else:
            lines = [
                f"- {nums([r], lang)}（{r.section}）：{quote(r.text)}（{_fields(r, lex, lang)}）"
                for r in records
            ]
        return "\n".join([head, *lines]), list(records)
    g = group(records, lambda r: [r.section])
    return "\n".join([head, *grouped_lines(g, lang)]), list(records)


def lead_overview(records: Sequence[TaskRecord], lex: UnitLexicon, lang: str) -> Composed:
    g = group(records, lambda r: [lex.canon(u) for u in r.lead_units])
    head = (
        f"Lead units of these {len(records)} tasks:"
        if lang == "en"
        else f"这 {len(records)} 项任务的牵头单位："
    )
    return "\n".join([head, *grouped_lines(g, lang)]), list(records)


def responsible_overview(records: Sequence[TaskRecord], lex: UnitLexicon, lang: str) -> Composed:
    with_units = [r for r in records if r.responsible_units]
    g = group(with_units, lambda r: [lex.canon(u) for u in r.responsible_units])
    if lang == "en":
        head = f"Responsible (cooperating) units of these {len(records)} tasks:"
    else:
        head = f"这 {len(records)} 项任务的责任（配合）单位："
    lines = [head, *grouped_lines(g, lang)]
    alone = [r for r in records if not r.responsible_units]
    if alone:
        lines.append(
            f"No responsible units listed for {nums(alone, lang)}."
            if lang == "en"
            else f"{nums(alone, lang)}未列责任单位，由牵头单位负责。"
        )
    return "\n".join(lines), list(records)


def deadline_overview(records: Sequence[TaskRecord], lang: str) -> Composed:
    ordered = sorted(records, key=lambda r: (r.deadline_ym is None, r.deadline_ym or (0, 0), r.task_id))
    g: OrderedDict[str, list[TaskRecord]] = OrderedDict()
    for r in ordered:
        g.setdefault(r.deadline, []).append(r)
    head = (
        f"Deadlines of these {len(records)} tasks:"
        if lang == "en"
        else f"这 {len(records)} 项任务的完成时限："
    )
    return "\n".join([head, *grouped_lines(g, lang)]), list(ordered)


def _fields(r: TaskRecord, lex: UnitLexicon, lang: str) -> str:
    lead = units([lex.canon(u) for u in r.lead_units], lang)
    resp = units([lex.canon(u) for u in r.responsible_units], lang)
    if lang == "en":
        return f"lead: {lead}; responsible: {resp}; deadline: {r.deadline}"
    return f"牵头单位：{lead}；责任单位：{resp}；完成时限：{r.deadline}"


def single(
    kind: str, r: TaskRecord, lex: UnitLexicon, lang: str, runner_up: TaskRecord | None = None
) -> Composed:
    """Answer about one task: who leads, responsible units, deadline or what it says."""
    ref = nums([r], lang)
    lead = units([lex.canon(u) for u in r.lead_units], lang)
    resp = units([lex.canon(u) for u in r.responsible_units], lang)
    if lang == "en":
        sec = f"{ref} ({r.section})"
        text = {
            "who_leads_task": f"{sec} is led by {lead}; responsible units: {resp}; deadline: {r.deadline}.",
            "responsible": f"The responsible units of {sec} are: {resp}; it is led by {lead}.",
            "deadline": f"The deadline of {sec} is {r.deadline} (led by {lead}).",
        }.get(kind, f"{sec}: {quote(r.text)} ({_fields(r, lex, lang)}).")
    else:
        sec = f"{ref}（{r.section}）"
        if kind == "responsible" and not r.responsible_units:
            resp_line = f"{sec}未列责任单位，由{lead}牵头负责。"
        else:
            resp_line = f"{sec}的责任（配合）单位是：{resp}；牵头单位是{lead}。"
        text = {
            "who_leads_task": f"{sec}由{lead}牵头，责任单位：{resp}，完成时限：{r.deadline}。",
            "responsible": resp_line,
            "deadline": f"{sec}的完成时限是{r.deadline}（牵头单位：{lead}）。",
        }.get(kind, f"{sec}：{quote(r.text)}（{_fields(r, lex, lang)}）")
    if kind in ("who_leads_task", "responsible", "deadline"):
        text += "\n" + (f"Task text: {quote(r.text)}" if lang == "en" else f"任务内容：{quote(r.text)}")
    used = [r]
    if runner_up is not None:
        ref2 = nums([runner_up], lang)
        if lang == "en":
            text += f"\nIf you meant {ref2} ({runner_up.section}) instead: {_fields(runner_up, lex, lang)}."
        else:
            text += f"\n另一项相近的是{ref2}（{runner_up.section}）：{_fields(runner_up, lex, lang)}。"
        used.append(runner_up)
    return text, used


def all_led_by(names: str, led: int, total: int, lang: str) -> str:
    """The first line of an answer to 「这块都是X牵头吗？」: yes, no, or how many of them."""
    if lang == "en":
        return (
            f"Yes: {names} leads all {total}." if led == total else f"No: {names} leads {led} of the {total}."
        )
    if led == total:
        return f"是的，全部 {total} 项都由{names}牵头。"
    if led == 0:
        return f"不是：这方面的 {total} 项任务中没有{names}牵头的。"
    return f"不全是：{total} 项中{names}牵头 {led} 项。"


def nearest_hint(r: TaskRecord, lex: UnitLexicon, lang: str) -> Composed:
    """After a refusal: the closest task, said plainly to be perhaps not an answer."""
    ref = nums([r], lang)
    if lang == "en":
        text = (
            f"\nThe closest task, which may not answer your question, is {ref} ({r.section}): "
            f"{quote(r.text)} ({_fields(r, lex, lang)})."
        )
    else:
        text = (
            f"\n最接近的一项是{ref}（{r.section}），但它可能并不回答您的问题："
            f"{quote(r.text)}（{_fields(r, lex, lang)}）"
        )
    return text, [r]


def refusal(reason_zh: str, reason_en: str, lang: str, plan_title: str) -> str:
    if lang == "en":
        ex = "; ".join(f"“{e}”" for e in EXAMPLES_EN)
        return (
            f"Sorry, {reason_en} The plan ({plan_title}) does not cover this. You can ask, for example: {ex}"
        )
    ex = "、".join(f"「{e}」" for e in EXAMPLES_ZH)
    return f"抱歉，{reason_zh}《{plan_title}》没有涉及这方面的内容。您可以这样问：{ex}"


def ambiguity_note(alias: str, candidates: Sequence[str], lang: str) -> str:
    if lang == "en":
        return f"Note: “{alias}” may mean {' or '.join(candidates)}; all are included.\n"
    return f"注意：「{alias}」可能指{'或'.join(candidates)}，以下一并列出。\n"
