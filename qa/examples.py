"""Example questions made from a plan's own records (pure): what a widget offers before the first question.

Each is a question the QA answers from the records by a family it reads exactly, named with the plan's own
words, so that a plan added tomorrow gets examples about its own units and sections:

* who leads the most tasks (its canonical lead unit): 「旗法院牵头哪些任务？」;
* who leads a section (one whose name is short enough to type, the largest of at most
  :data:`SECTION_MAX_TASKS` tasks, so that the answer stays readable): 「获得电力方面的任务由谁牵头？」;
* what is due by the end of the plan's year (when some task is): 「2022年底前要完成哪些任务？」;
* the commonest benchmark city (「对标上海的任务有哪些？」), else the plan's first task (「第1条是什么？」).

English examples ask the same things (unit, section and city names as the plan writes them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from corpus.records import TaskRecord

SECTION_MAX_CHARS = 8  # a section named in an example question: longer names are not what people type
SECTION_MAX_TASKS = 25  # … and preferably one whose who-leads answer fits on a screen


@dataclass(frozen=True, slots=True)
class Examples:
    zh: tuple[str, ...]
    en: tuple[str, ...]


def example_questions(
    records: Sequence[TaskRecord], *, year: int | None, canon: Callable[[str], str]
) -> Examples:
    """Up to four example questions in each language about one plan's ``records``.

    Args:
        records: the plan's tasks (one plan only).
        year: the plan's year (its profile's); None: the commonest deadline year.
        canon: a unit as written → its canonical name in this plan (the lexicon's).
    """
    if not records:
        return Examples((), ())
    zh: list[str] = []
    en: list[str] = []
    leads = Counter(u for r in records for u in {canon(x) for x in r.lead_units})
    if leads:
        unit = min(leads, key=lambda u: (-leads[u], u))
        zh.append(f"{unit}牵头哪些任务？")
        en.append(f"Which tasks does {unit} lead?")
    sizes = Counter(r.section for r in records if 2 <= len(r.section) <= SECTION_MAX_CHARS)
    if sizes:
        small = [s for s in sizes if sizes[s] <= SECTION_MAX_TASKS]
        section = (
            min(small, key=lambda s: (-sizes[s], s)) if small else min(sizes, key=lambda s: (sizes[s], s))
        )
        zh.append(f"{section}方面的任务由谁牵头？")
        en.append(f"Who leads the {section} tasks?")
    years = Counter(r.deadline_ym[0] for r in records if r.deadline_ym)
    due = year if year in years else (years.most_common(1)[0][0] if years else None)
    if due is not None:
        zh.append(f"{due}年底前要完成哪些任务？")
        en.append(f"Which tasks are due by the end of {due}?")
    cities = Counter(r.benchmark_city for r in records if r.benchmark_city)
    if cities:
        city = min(cities, key=lambda c: (-cities[c], c))
        zh.append(f"对标{city}的任务有哪些？")
        en.append(f"Which tasks are benchmarked on {city}?")
    else:
        first = min(r.task_id for r in records)
        zh.append(f"第{first}条是什么？")
        en.append(f"What is task {first}?")
    return Examples(tuple(zh), tuple(en))
