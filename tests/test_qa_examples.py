"""Example questions made from a plan's own records (qa/examples.py), and the QA answering each of them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from corpus.records import TaskRecord
from qa.examples import Examples, example_questions


def task(
    n: int, *, section: str = "市场准入", lead: tuple[str, ...] = ("县市场监管局",), **kw: Any
) -> TaskRecord:
    base = TaskRecord(
        doc_id="demo",
        task_id=n,
        section_no=1,
        section=section,
        text=f"第{n}项措施",
        benchmark=None,
        benchmark_city=None,
        lead_units=lead,
        responsible_units=(),
        deadline="2025年6月底前",
        deadline_ym=(2025, 6),
        line=n,
        deadline_kind="dated",
        deadline_every=None,
    )
    return replace(base, **kw)


def test_the_busiest_lead_unit_a_section_the_year_and_the_first_task() -> None:
    records = [
        task(3, lead=("县发改局",)),
        task(4, lead=("县市场监管局", "县发改局")),
        task(5, lead=("市场监管局",), section="优化营商环境的若干重点工作任务"),  # too long to type
        task(6, lead=("县税务局",), deadline="长期坚持", deadline_ym=None, deadline_kind="ongoing"),
    ]
    canon = {"市场监管局": "县市场监管局"}.get
    got = example_questions(records, year=2025, canon=lambda u: canon(u) or u)
    assert got.zh == (
        "县发改局牵头哪些任务？",
        "市场准入方面的任务由谁牵头？",
        "2025年底前要完成哪些任务？",
        "第3条是什么？",
    )
    assert got.en[0] == "Which tasks does 县发改局 lead?" and got.en[-1] == "What is task 3?"


def test_a_benchmark_city_and_the_commonest_deadline_year_when_the_plans_year_has_none() -> None:
    records = [
        task(1, benchmark_city="杭州", deadline="2026年3月", deadline_ym=(2026, 3)),
        task(2, benchmark_city="杭州"),
        task(3, benchmark_city="成都", deadline="2026年9月", deadline_ym=(2026, 9)),
    ]
    got = example_questions(records, year=2024, canon=str)
    assert "2026年底前要完成哪些任务？" in got.zh and "对标杭州的任务有哪些？" in got.zh
    assert "Which tasks are benchmarked on 杭州?" in got.en


def test_no_records_no_examples() -> None:
    assert example_questions([], year=None, canon=str) == Examples((), ())
