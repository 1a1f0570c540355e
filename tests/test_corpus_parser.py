"""The parser on the real document and on real excerpts showing each PDF quirk."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from corpus import Document, ParseError, TaskRecord, parse_deadline, parse_document, split_benchmark
from tests.conftest import quirk


def parse_excerpt(name: str) -> Document:
    doc = parse_document(quirk(name), doc_id="t", first_task_id=None)
    assert not doc.errors, doc.errors
    return doc


def by_id(doc: Document) -> dict[int, TaskRecord]:
    return {t.task_id: t for t in doc.tasks}


def repairs(doc: Document) -> list[str]:
    return [i.message for i in doc.issues if i.severity == "repair"]


def test_whole_document_has_482_contiguous_complete_tasks(tasks: list[TaskRecord]) -> None:
    assert [t.task_id for t in tasks] == list(range(1, 483))
    assert all(t.lead_units and t.deadline for t in tasks)
    assert {t.section_no for t in tasks} == set(range(1, 22))
    assert len({t.doc_id for t in tasks}) == 1


def test_sections_are_in_order_and_named(tasks: list[TaskRecord]) -> None:
    names = {t.section_no: t.section for t in tasks}
    assert names[11] == "获得电力"
    assert names[15] == "市场监管"
    assert names[17] == "执行合同"
    assert sum(t.section == "获得电力" for t in tasks) == 20
    assert [t.section_no for t in tasks] == sorted(t.section_no for t in tasks)


def test_mixed_bracket_widths() -> None:
    doc = parse_excerpt("mixed_brackets")
    assert sorted(by_id(doc)) == [138, 139]
    t = by_id(doc)[139]
    assert t.text.startswith("广泛开展金融宣传教育")
    assert t.benchmark == "对标温州"
    assert not t.text.endswith(")")


def test_task_without_number_gets_the_next_number() -> None:
    doc = parse_excerpt("unnumbered_task")
    ids = by_id(doc)
    assert sorted(ids) == [139, 140, 141]
    assert ids[140].text.startswith("建立初创科技型企业")
    assert ids[140].lead_units == ("旗金融服务中心",)
    assert any("without its number" in m for m in repairs(doc))


@pytest.mark.parametrize(
    ("name", "section_no", "section", "task_id"),
    [("unnumbered_section_15", 15, "市场监管", 283), ("unnumbered_section_17", 17, "执行合同", 317)],
)
def test_section_heading_without_number(name: str, section_no: int, section: str, task_id: int) -> None:
    doc = parse_excerpt(name)
    t = by_id(doc)[task_id]
    assert (t.section_no, t.section) == (section_no, section)
    assert by_id(doc)[task_id - 1].section_no == section_no - 1


def test_deadline_glued_onto_responsible_units() -> None:
    t = by_id(parse_excerpt("glued_deadline"))[274]
    assert t.deadline == "2022年10月"
    assert t.deadline_ym == (2022, 10)
    assert t.responsible_units == ("旗工程建设项目审批制度改革工作领导小组", "各供热企业", "各镇")


def test_lead_and_deadline_printed_twice_is_one_task() -> None:
    doc = parse_excerpt("duplicate_lead")
    assert sorted(by_id(doc)) == [231, 232, 233]
    t = by_id(doc)[232]
    assert t.lead_units == ("旗工信局",)
    assert t.deadline == "2022年12月"
    assert sum("printed twice" in m for m in repairs(doc)) == 2


def test_conflicting_second_lead_is_an_error() -> None:
    text = (
        "1.政务服务\n（1）做一件事。（自主创新）\n牵头单位：旗法院\n完成时限：2022年8月\n牵头单位：旗税务局\n"
    )
    doc = parse_document(text, doc_id="t")
    assert any("second, different" in e.message and e.line == 5 for e in doc.errors)


def test_benchmark_tag_missing_closing_bracket() -> None:
    t = by_id(parse_excerpt("open_benchmark"))[415]
    assert t.benchmark == "自主创新"
    assert t.benchmark_city is None
    assert t.text.endswith("外商投资服务与保护工作。")


def test_unit_name_containing_separator_stays_whole() -> None:
    t = by_id(parse_excerpt("compound_unit"))[381]
    assert t.responsible_units == ("旗清理拖欠民营企业、中小企业账款工作领导小组各成员单位",)


def test_trailing_punctuation_in_unit_lists() -> None:
    doc = parse_excerpt("trailing_punct")
    assert by_id(doc)[88].lead_units == ("旗自然资源局",)
    assert any("trailing punctuation" in m for m in repairs(doc))


def test_half_width_colons() -> None:
    t = by_id(parse_excerpt("halfwidth_colon"))[430]
    assert t.lead_units == ("旗文旅局",)
    assert t.responsible_units == ("各镇",)
    assert t.deadline == "2022年12月"


def test_task_text_over_several_lines_is_joined(tasks: list[TaskRecord]) -> None:
    t = tasks[38]
    assert t.task_id == 39
    assert t.text.endswith("提高全旗诉求办理的响应率、解决率和满意率。")
    assert t.line == 337 and t.benchmark is None


def test_units_joined_by_deng_are_split(tasks: list[TaskRecord]) -> None:
    assert tasks[0].responsible_units == ("旗大数据中心", "旗直各有关部门")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年12月", (2022, 12)),
        ("2023年 3 月", (2023, 3)),
        ("2022年底", (2022, 12)),
        ("持续推进", None),
        ("2022年13月", None),
    ],
)
def test_parse_deadline(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_deadline(text) == expected


def test_split_benchmark_city() -> None:
    assert split_benchmark("做一件事。（对标上海）") == ("做一件事。", "对标上海", "上海", False)
    assert split_benchmark("做一件事。(对标 哈尔滨)") == ("做一件事。", "对标哈尔滨", "哈尔滨", False)
    assert split_benchmark("做一件事。") == ("做一件事。", None, None, False)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            "1.政务服务\n（1）甲。\n牵头单位：旗法院\n完成时限：2022年8月\n（3）乙。\n牵头单位：旗法院\n完成时限：2022年8月\n",
            "gap",
        ),
        (
            "1.政务服务\n（1）甲。\n牵头单位：旗法院\n完成时限：2022年8月\n（1）乙。\n牵头单位：旗法院\n完成时限：2022年8月\n",
            "duplicate",
        ),
        ("1.政务服务\n（1）甲。\n完成时限：2022年8月\n", "no 牵头单位"),
        ("1.政务服务\n（1）甲。\n牵头单位：旗法院\n", "no 完成时限"),
    ],
)
def test_numbering_and_missing_fields_are_loud(text: str, needle: str) -> None:
    doc = parse_document(text, doc_id="t")
    errors = [e for e in doc.errors if needle in e.message]
    assert errors and all(e.line >= 2 for e in errors)
    # never silently dropped or merged: both tasks are still there
    assert len(doc.tasks) == text.count("）")


def test_strict_loading_raises_with_line_numbers(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    from corpus import load_documents

    folder = Path(str(tmp_path))
    (folder / "plan-a.txt").write_text("1.政务服务\n（1）甲。\n牵头单位：旗法院\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"line 2: error: task 1 has no 完成时限"):
        load_documents(folder)
    docs = load_documents(folder, strict=False)
    assert len(docs[0].tasks) == 1


def test_every_document_in_a_folder_gets_its_own_doc_id(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    from corpus import load_tasks

    folder = Path(str(tmp_path))
    body = "1.政务服务\n（1）甲。（对标上海）\n牵头单位：旗法院\n完成时限：2022年8月\n"
    (folder / "Plan A 2023.txt").write_text(body, encoding="utf-8")
    (folder / "plan-b.txt").write_text(body, encoding="utf-8")
    (folder / "notes.md").write_text("not a plan", encoding="utf-8")
    recs = load_tasks(folder)
    assert [r.doc_id for r in recs] == ["plan-a-2023", "plan-b"]


def test_export_cli_prints_482_json_lines() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "corpus", "export"],
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 482
    assert list(rows[0]) == [
        "doc_id",
        "task_id",
        "section_no",
        "section",
        "text",
        "benchmark",
        "benchmark_city",
        "lead_units",
        "responsible_units",
        "deadline",
        "deadline_ym",
        "line",
        "deadline_kind",
        "deadline_every",
    ]
    assert rows[232]["section"] == "获得电力"
    assert rows[0]["deadline_ym"] == [2022, 12]


def test_stats_cli_shows_sections_and_units() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "corpus", "stats"],
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
    ).stdout
    assert "获得电力" in out and "旗法院" in out and "482" in out
