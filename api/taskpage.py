"""The permalink page of one task, ``/tasks/{task_id}`` or ``/tasks/{doc_id}/{task_id}``: server-rendered HTML
that prints well (pure).

Staff search results and the widget's citation cards link here. Every value is escaped
(:func:`html.escape`); the page needs no inline script or style (``/static/task.css`` and ``task.js``, which
only adds the copy and print buttons), so the site's strict CSP holds. Labels are Chinese, or English with
``?lang=en`` (the widget links with the language of its conversation); the task's own words stay Chinese and
say so with ``lang``.

:func:`task_path` is the one place a task's address is made: ``/tasks/{task_id}`` while the index holds one
plan (as it always was), ``/tasks/{doc_id}/{task_id}`` once it holds several (``keyed``). A number several
plans share is answered by :func:`render_choices` (the plans that have it), a plan the index lacks by
:func:`render_unknown_plan`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Literal
from urllib.parse import quote, urlencode

from api.engine import PlanInfo
from corpus.records import TaskRecord

Lang = Literal["zh", "en"]

LABELS: dict[Lang, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "skip": "跳到主要内容",
        "site": "营商环境任务检索",
        "search": "任务检索",
        "portal": "返回门户",
        "other_lang": "English",
        "where": "位置",
        "task": "第{n}条",
        "section": "所属领域",
        "lead": "牵头单位",
        "responsible": "责任单位",
        "deadline": "完成时限",
        "benchmark": "对标",
        "none": "无",
        "source": "出处",
        "original": "查看原文",
        "cite": "引用",
        "copy": "复制引用",
        "print": "打印",
        "permalink": "固定链接",
        "neighbours": "相邻任务",
        "prev": "上一条：第{n}条",
        "next": "下一条：第{n}条",
        "missing_title": "没有这条任务",
        "missing": "方案中没有第{n}条任务。",
        "missing_any": "没有这条任务。",
        "missing_all": "已收录的方案中都没有第{n}条任务。",
        "missing_in": "{plan}中没有第{n}条任务。",
        "back": "到任务检索查找",
        "plan": "方案",
        "choose_title": "第{n}条：请选择方案",
        "choose": "有 {k} 个方案都有第{n}条任务，请选择要查看的一条：",
        "choices": "有第{n}条的方案",
        "unknown_plan_title": "没有这个方案",
        "unknown_plan": "没有标识为“{id}”的方案。",
        "unknown_plan_any": "没有这个方案。",
        "loaded": "已收录的方案：",
        "plan_search": "检索这个方案的任务",
    },
    "en": {
        "html_lang": "en",
        "skip": "Skip to the main content",
        "site": "Business environment task search",
        "search": "Task search",
        "portal": "Back to the portal",
        "other_lang": "中文",
        "where": "Location",
        "task": "Task {n}",
        "section": "Section",
        "lead": "Lead units",
        "responsible": "Responsible units",
        "deadline": "Deadline",
        "benchmark": "Benchmark",
        "none": "none",
        "source": "Source",
        "original": "Read the original",
        "cite": "Citation",
        "copy": "Copy citation",
        "print": "Print",
        "permalink": "Permalink",
        "neighbours": "Neighbouring tasks",
        "prev": "Previous: task {n}",
        "next": "Next: task {n}",
        "missing_title": "No such task",
        "missing": "The plan has no task {n}.",
        "missing_any": "No such task.",
        "missing_all": "None of the plans has a task {n}.",
        "missing_in": "{plan} has no task {n}.",
        "back": "Look for it in the task search",
        "plan": "Plan",
        "choose_title": "Task {n}: choose a plan",
        "choose": "{k} plans have a task {n}; choose the one to read:",
        "choices": "Plans with a task {n}",
        "unknown_plan_title": "No such plan",
        "unknown_plan": "There is no plan with the id “{id}”.",
        "unknown_plan_any": "No such plan.",
        "loaded": "The plans here:",
        "plan_search": "Search this plan's tasks",
    },
}


def task_path(record: TaskRecord, lang: Lang = "zh", *, keyed: bool = False) -> str:
    """The page's address (relative to the site): ``/tasks/237``, or ``/tasks/{doc_id}/237`` when ``keyed``
    (the index holds several plans)."""
    return _address(record.doc_id, record.task_id, lang, keyed=keyed)


def _address(doc_id: str, task_id: int, lang: Lang, *, keyed: bool) -> str:
    plan = f"{quote(doc_id, safe='')}/" if keyed else ""
    return f"/tasks/{plan}{task_id}" + ("?lang=en" if lang == "en" else "")


def _search(**params: str) -> str:
    return "/search?" + urlencode(params)


def _plan_name(plan: PlanInfo) -> str:
    """《title》（文号）: how a page names a plan."""
    return f"《{plan.title}》" + (f"（{plan.doc_number}）" if plan.doc_number else "")


def _short(plan: PlanInfo) -> str:
    return f"《{plan.short_title or plan.title}》"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _units(units: tuple[str, ...], field: str, t: dict[str, str], scope: dict[str, str]) -> str:
    if not units:
        return f"<span class='none'>{_e(t['none'])}</span>"
    links = (f'<a href="{_e(_search(**{field: u}, **scope))}" lang="zh-CN">{_e(u)}</a>' for u in units)
    return "、".join(links)


def _page(lang: Lang, title: str, body: str, *, other: str) -> str:
    t = LABELS[lang]
    return f"""<!doctype html>
<html lang="{t["html_lang"]}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{_e(title)}</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/task.css">
  <script src="/static/task.js" defer></script>
</head>
<body>
  <a class="skip" href="#main">{_e(t["skip"])}</a>
  <header class="bar">
    <div class="wrap bar-inner">
      <p class="site"><a href="/search">{_e(t["site"])}</a></p>
      <nav class="links" aria-label="{_e(t["site"])}">
        <a href="/search">{_e(t["search"])}</a>
        <a href="/">{_e(t["portal"])}</a>
        <a href="{_e(other)}" lang="{"zh-CN" if lang == "en" else "en"}">{_e(t["other_lang"])}</a>
      </nav>
    </div>
  </header>
  <main id="main" class="wrap">
{body}
  </main>
</body>
</html>
"""


def render_task(
    record: TaskRecord,
    plan: PlanInfo,
    *,
    source_url: str | None = None,
    lang: Lang = "zh",
    prev_id: int | None = None,
    next_id: int | None = None,
    keyed: bool = False,
) -> str:
    """The task's page; ``keyed``: the index holds several plans, so every address and search link names the
    task's plan."""
    t = LABELS[lang]
    n = record.task_id
    name = t["task"].format(n=n)
    plan_name = _plan_name(plan)
    scope = {"doc_id": record.doc_id} if keyed else {}
    section_link = _e(_search(section=record.section, **scope))
    if record.benchmark_city and record.benchmark:
        city = _e(_search(benchmark_city=record.benchmark_city, **scope))
        benchmark = f'<a href="{city}" lang="zh-CN">{_e(record.benchmark)}</a>'
    elif record.benchmark:
        benchmark = f'<span lang="zh-CN">{_e(record.benchmark)}</span>'
    else:
        benchmark = _e(t["none"])
    source = f'<span lang="zh-CN">{_e(plan_name)}</span>'
    if source_url:
        source += f' <a class="original" href="{_e(source_url)}" rel="external">{_e(t["original"])}</a>'
    pager = []
    if prev_id is not None:
        prev = _e(_address(record.doc_id, prev_id, lang, keyed=keyed))
        pager.append(f'<a rel="prev" href="{prev}">← {_e(t["prev"].format(n=prev_id))}</a>')
    if next_id is not None:
        nxt = _e(_address(record.doc_id, next_id, lang, keyed=keyed))
        pager.append(f'<a rel="next" href="{nxt}">{_e(t["next"].format(n=next_id))} →</a>')
    permalink = _e(task_path(record, keyed=keyed))
    lead = _units(record.lead_units, "lead_unit", t, scope)
    responsible = _units(record.responsible_units, "responsible_unit", t, scope)
    plan_crumb = (
        f'<a href="{_e(_search(doc_id=record.doc_id))}">{_e(plan_name)}</a>' if keyed else _e(plan_name)
    )
    body = f"""    <nav class="crumbs" aria-label="{_e(t["where"])}">
      <ol>
        <li lang="zh-CN">{plan_crumb}</li>
        <li><a href="{section_link}" lang="zh-CN">{record.section_no}. {_e(record.section)}</a></li>
        <li aria-current="page">{_e(name)}</li>
      </ol>
    </nav>
    <article class="task" data-task-id="{n}" data-doc-id="{_e(record.doc_id)}">
      <h1>{_e(name)}</h1>
      <p class="text" lang="zh-CN">{_e(record.text)}</p>
      <dl class="meta">
        <dt>{_e(t["section"])}</dt><dd><a href="{section_link}" lang="zh-CN">{_e(record.section)}</a></dd>
        <dt>{_e(t["lead"])}</dt><dd>{lead}</dd>
        <dt>{_e(t["responsible"])}</dt><dd>{responsible}</dd>
        <dt>{_e(t["deadline"])}</dt><dd lang="zh-CN">{_e(record.deadline)}</dd>
        <dt>{_e(t["benchmark"])}</dt><dd>{benchmark}</dd>
        <dt>{_e(t["source"])}</dt><dd>{source}</dd>
        <dt>{_e(t["cite"])}</dt><dd><code id="citation" lang="zh-CN">{_e(plan.cite(n))}</code></dd>
        <dt>{_e(t["permalink"])}</dt><dd><a class="permalink" href="{permalink}">{permalink}</a></dd>
      </dl>
      <div class="tools" hidden>
        <button type="button" class="copy" data-copy="citation">{_e(t["copy"])}</button>
        <button type="button" class="print">{_e(t["print"])}</button>
        <span class="status" role="status"></span>
      </div>
    </article>
    <nav class="pager" aria-label="{_e(t["neighbours"])}">
      {"".join(pager)}
    </nav>"""
    title = f"{name} · {plan.doc_number or plan.title}"
    other = task_path(record, "zh" if lang == "en" else "en", keyed=keyed)
    return _page(lang, title, body, other=other)


def _number_said(task_id: str) -> str | None:
    """A task number as typed in an address, when it reads as one (else the page does not repeat it)."""
    return task_id if task_id.isascii() and task_id.isdigit() and len(task_id) < 10 else None


def render_missing(
    task_id: str, *, lang: Lang = "zh", plan: PlanInfo | None = None, several: bool = False
) -> str:
    """The 404 page for a task number the plan (``plan``: the one the address named) or, with ``several``
    plans loaded, every plan lacks."""
    t = LABELS[lang]
    n = _number_said(task_id)
    back = "/search"
    if n is None:
        said = t["missing_any"]
    elif plan is not None:
        said = t["missing_in"].format(plan=_short(plan), n=n)
        back = _search(doc_id=plan.doc_id)
    else:
        said = t["missing_all" if several else "missing"].format(n=n)
    body = f"""    <h1>{_e(t["missing_title"])}</h1>
    <p>{_e(said)}</p>
    <p><a href="{_e(back)}">{_e(t["back"])}</a></p>"""
    other = "/search" if n is None else _other_lang(lang, plan.doc_id if plan else None, n)
    return _page(lang, t["missing_title"], body, other=other)


def _other_lang(lang: Lang, doc_id: str | None, n: str) -> str:
    plan = f"{quote(doc_id, safe='')}/" if doc_id else ""
    return f"/tasks/{plan}{n}" + ("" if lang == "en" else "?lang=en")


def _plan_list(plans: Sequence[PlanInfo], t: dict[str, str]) -> str:
    items = "\n".join(
        f'      <li><a href="{_e(_search(doc_id=p.doc_id))}" lang="zh-CN">{_e(_plan_name(p))}</a></li>'
        for p in plans
    )
    return f"""    <p>{_e(t["loaded"])}</p>
    <ul class="plans">
{items}
    </ul>"""


def render_unknown_plan(
    doc_id: str, plans: Sequence[PlanInfo], *, lang: Lang = "zh", task_id: str = ""
) -> str:
    """The 404 page for an address naming a plan the index does not hold; it lists the plans it does."""
    t = LABELS[lang]
    slug = len(doc_id) <= 80 and all(c.isascii() and (c.isalnum() or c in "-_.") for c in doc_id)
    said = t["unknown_plan"].format(id=doc_id) if slug and doc_id else t["unknown_plan_any"]
    body = f"""    <h1>{_e(t["unknown_plan_title"])}</h1>
    <p>{_e(said)}</p>
{_plan_list(plans, t)}
    <p><a href="/search">{_e(t["back"])}</a></p>"""
    n = _number_said(task_id)
    other = _other_lang(lang, doc_id, n) if n is not None and doc_id else "/search"
    return _page(lang, t["unknown_plan_title"], body, other=other)


def render_choices(
    task_id: int, found: Sequence[tuple[TaskRecord, PlanInfo]], *, lang: Lang = "zh", excerpt: int = 60
) -> str:
    """The page of ``/tasks/{task_id}`` when several plans have that number: one link per plan, keyed."""
    t = LABELS[lang]
    items = []
    gap = " " if lang == "en" else ""
    for record, plan in found:
        text = record.text if len(record.text) <= excerpt else record.text[:excerpt] + "…"
        number = f"（{plan.doc_number}）" if plan.doc_number else ""
        href = _e(task_path(record, lang, keyed=True))
        label = f'<span lang="zh-CN">{_e(_short(plan))}</span>{gap}{_e(t["task"].format(n=task_id))}'
        items.append(
            f"""      <li>
        <a href="{href}">{label}</a>
        <span class="doc" lang="zh-CN">{_e(number)}</span>
        <p class="excerpt" lang="zh-CN">{record.section_no}. {_e(record.section)} · {_e(text)}</p>
      </li>"""
        )
    title = t["choose_title"].format(n=task_id)
    list_items = "\n".join(items)
    body = f"""    <h1>{_e(title)}</h1>
    <p>{_e(t["choose"].format(k=len(found), n=task_id))}</p>
    <ul class="choices" aria-label="{_e(t["choices"].format(n=task_id))}">
{list_items}
    </ul>"""
    return _page(lang, title, body, other=_other_lang(lang, None, str(task_id)))
