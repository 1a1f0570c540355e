"""The permalink page of one task, ``/tasks/{task_id}``: server-rendered HTML that prints well (pure).

Staff search results and the widget's citation cards link here. Every value is escaped
(:func:`html.escape`); the page needs no inline script or style (``/static/task.css`` and ``task.js``, which
only adds the copy and print buttons), so the site's strict CSP holds. Labels are Chinese, or English with
``?lang=en`` (the widget links with the language of its conversation); the task's own words stay Chinese and
say so with ``lang``.

:func:`task_path` is the one place a task's address is made: when an index holds several plans it becomes
``/tasks/{doc_id}/{task_id}``.
"""

from __future__ import annotations

from html import escape
from typing import Literal
from urllib.parse import urlencode

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
        "back": "到任务检索查找",
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
        "back": "Look for it in the task search",
    },
}


def task_path(record: TaskRecord, lang: Lang = "zh") -> str:
    """The page's address (relative to the site)."""
    return f"/tasks/{record.task_id}" + ("?lang=en" if lang == "en" else "")


def _search(**params: str) -> str:
    return "/search?" + urlencode(params)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _units(units: tuple[str, ...], field: str, t: dict[str, str]) -> str:
    if not units:
        return f"<span class='none'>{_e(t['none'])}</span>"
    links = (f'<a href="{_e(_search(**{field: u}))}" lang="zh-CN">{_e(u)}</a>' for u in units)
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
) -> str:
    """The task's page."""
    t = LABELS[lang]
    n = record.task_id
    name = t["task"].format(n=n)
    plan_name = f"《{plan.title}》" + (f"（{plan.doc_number}）" if plan.doc_number else "")
    section_link = _e(_search(section=record.section))
    if record.benchmark_city and record.benchmark:
        city = _e(_search(benchmark_city=record.benchmark_city))
        benchmark = f'<a href="{city}" lang="zh-CN">{_e(record.benchmark)}</a>'
    elif record.benchmark:
        benchmark = f'<span lang="zh-CN">{_e(record.benchmark)}</span>'
    else:
        benchmark = _e(t["none"])
    source = f'<span lang="zh-CN">{_e(plan_name)}</span>'
    if source_url:
        source += f' <a class="original" href="{_e(source_url)}" rel="external">{_e(t["original"])}</a>'
    suffix = "?lang=en" if lang == "en" else ""
    pager = []
    if prev_id is not None:
        pager.append(f'<a rel="prev" href="/tasks/{prev_id}{suffix}">← {_e(t["prev"].format(n=prev_id))}</a>')
    if next_id is not None:
        pager.append(f'<a rel="next" href="/tasks/{next_id}{suffix}">{_e(t["next"].format(n=next_id))} →</a>')
    body = f"""    <nav class="crumbs" aria-label="{_e(t["where"])}">
      <ol>
        <li lang="zh-CN">{_e(plan_name)}</li>
        <li><a href="{section_link}" lang="zh-CN">{record.section_no}. {_e(record.section)}</a></li>
        <li aria-current="page">{_e(name)}</li>
      </ol>
    </nav>
    <article class="task" data-task-id="{n}" data-doc-id="{_e(record.doc_id)}">
      <h1>{_e(name)}</h1>
      <p class="text" lang="zh-CN">{_e(record.text)}</p>
      <dl class="meta">
        <dt>{_e(t["section"])}</dt><dd><a href="{section_link}" lang="zh-CN">{_e(record.section)}</a></dd>
        <dt>{_e(t["lead"])}</dt><dd>{_units(record.lead_units, "lead_unit", t)}</dd>
        <dt>{_e(t["responsible"])}</dt><dd>{_units(record.responsible_units, "responsible_unit", t)}</dd>
        <dt>{_e(t["deadline"])}</dt><dd lang="zh-CN">{_e(record.deadline)}</dd>
        <dt>{_e(t["benchmark"])}</dt><dd>{benchmark}</dd>
        <dt>{_e(t["source"])}</dt><dd>{source}</dd>
        <dt>{_e(t["cite"])}</dt><dd><code id="citation" lang="zh-CN">{_e(plan.cite(n))}</code></dd>
        <dt>{_e(t["permalink"])}</dt><dd><a class="permalink" href="/tasks/{n}">/tasks/{n}</a></dd>
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
    other = f"/tasks/{n}" + ("" if lang == "en" else "?lang=en")
    return _page(lang, title, body, other=other)


def render_missing(task_id: str, *, lang: Lang = "zh") -> str:
    """The 404 page for a task number the plan does not have."""
    t = LABELS[lang]
    said = t["missing"].format(n=task_id) if task_id.isdigit() and len(task_id) < 10 else t["missing_any"]
    body = f"""    <h1>{_e(t["missing_title"])}</h1>
    <p>{_e(said)}</p>
    <p><a href="/search">{_e(t["back"])}</a></p>"""
    return _page(lang, t["missing_title"], body, other="/search")
