"""Readers and layouts: each fixture plan parses into the records its source data says, in every format."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.deadlines import UNDATED_KINDS, deadline_kind, find_deadline, parse_deadline
from corpus.inline import parse_inline, parse_tail
from corpus.layout import detect_layout
from corpus.loader import Plan, load_plan, plan_from_bytes
from corpus.readers import Line, Row, Source, read_plan
from corpus.records import TaskRecord
from corpus.table import parse_table
from tests.plan_fixtures import PLANS, Expected, expected, maker, print_pdf, source

# `python -m corpus export` on main before the readers existed (482 lines, 282,024 bytes).
FIRST_PLAN_EXPORT_SHA256 = "f8de03d2f249e57ee974501db9dcfe28fdd0323659f0c9d0202c7ba1b524e9c7"


def as_expected(t: TaskRecord) -> Expected:
    return Expected(
        task_id=t.task_id,
        section_no=t.section_no,
        section=t.section,
        text=t.text,
        lead_units=t.lead_units,
        responsible_units=t.responsible_units,
        deadline=t.deadline,
        deadline_ym=t.deadline_ym,
    )


def without_lines(tasks: tuple[TaskRecord, ...]) -> list[TaskRecord]:
    return [dataclasses.replace(t, line=0) for t in tasks]


@pytest.fixture(scope="module")
def yunling() -> Plan:
    return load_plan(PLANS / "yunling-2023.docx")


@pytest.fixture(scope="module")
def qingchuan() -> Plan:
    return load_plan(PLANS / "qingchuan-2024.xlsx")


def test_the_first_plans_export_is_byte_identical_to_before() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "corpus", "export"],
        capture_output=True,
        check=True,
        cwd=Path(__file__).parents[1],
    ).stdout
    assert out.count(b"\n") == 482
    rows = [json.loads(line) for line in out.decode().splitlines()]
    # The deadline's kind joined the records later: every task of this plan is dated or ongoing (持续推进).
    kinds = Counter((r.pop("deadline_kind"), r.pop("deadline_every"), r["deadline_ym"] is None) for r in rows)
    assert kinds == {("dated", None, False): 434, ("ongoing", None, True): 48}
    before = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    assert hashlib.sha256(before).hexdigest() == FIRST_PLAN_EXPORT_SHA256


def test_the_fixture_files_are_what_their_sources_generate() -> None:
    for path, data in maker().outputs().items():
        assert path.read_bytes() == data, f"{path.name} is stale: run scripts/make_fixture_plans.py"


def test_inline_docx_parses_into_its_source_records(yunling: Plan) -> None:
    assert yunling.fmt == "docx" and yunling.detection.layout == "inline"
    assert not yunling.document.errors
    assert len(yunling.document.tasks) == len(expected("yunling-2023")) == 64
    assert [as_expected(t) for t in yunling.document.tasks] == expected("yunling-2023")
    assert {t.doc_id for t in yunling.document.tasks} == {"yunling-2023"}
    assert len({t.section for t in yunling.document.tasks}) == 8


def test_inline_docx_mixes_labelled_and_unlabelled_brackets(yunling: Plan) -> None:
    forms = {m["n"]: m["form"] for _, m in maker().measures(source("yunling-2023"))}
    by_id = {t.task_id: t for t in yunling.document.tasks}
    unlabelled = [n for n, f in forms.items() if f == "U"]
    assert len(unlabelled) >= 8
    for n in unlabelled:  # the deadline came from the text: it is written there
        assert by_id[n].deadline in by_id[n].text


def test_inline_docx_repairs_are_reported(yunling: Plan) -> None:
    repairs = [i.message for i in yunling.document.issues if i.severity == "repair"]
    assert "field written with a half-width colon" in repairs
    assert "task 13: full-width digits in its number" in repairs
    unnumbered = [m["n"] for _, m in maker().measures(source("yunling-2023")) if m.get("print") == ""]
    assert [r for r in repairs if "without its number" in r] == [
        f"task printed without its number; numbered {n} from its place" for n in unnumbered
    ]


def test_table_xlsx_parses_into_its_source_records(qingchuan: Plan) -> None:
    assert qingchuan.fmt == "xlsx" and qingchuan.detection.layout == "table"
    assert not qingchuan.document.errors
    assert [as_expected(t) for t in qingchuan.document.tasks] == expected("qingchuan-2024")
    assert len(qingchuan.document.tasks) == 60
    first = qingchuan.document.tasks[0]
    assert first.line == 5  # 附件, the merged title, the header and the first chapter row come first
    assert [i.message for i in qingchuan.document.issues] == [
        "task printed without its number; numbered 21 from its place"
    ]


def test_table_xlsx_reads_merged_cells_dates_and_repeated_headers(qingchuan: Plan) -> None:
    src = Source("xlsx", ())
    assert not src.blocks
    source_rows = read_plan("q.xlsx", (PLANS / "qingchuan-2024.xlsx").read_bytes()).rows
    merged = [r for r in source_rows if r.merged]
    assert merged[0].cells[0] == "青川市2024年优化营商环境重点任务分工表"
    assert len(set(merged[1].cells)) == 1 and merged[1].cells[0].startswith("一、")
    assert sum(r.cells[0] == "序号" for r in source_rows) == 2  # the header, and once more mid-table
    dated = next(t for t in qingchuan.document.tasks if t.deadline.endswith("日"))
    assert (dated.deadline, dated.deadline_ym) == ("2024年9月30日", (2024, 9))


@pytest.mark.browser
def test_a_pdf_printed_from_the_docx_parses_the_same(yunling: Plan) -> None:
    pdf = print_pdf("yunling-2023")
    plan = plan_from_bytes("yunling-2023.pdf", pdf)
    assert plan.fmt == "pdf" and plan.detection.layout == "inline"
    assert not plan.document.errors
    assert without_lines(plan.document.tasks) == without_lines(yunling.document.tasks)
    assert plan.profile.doc_number == yunling.profile.doc_number
    assert plan.profile.region == yunling.profile.region and plan.profile.year == yunling.profile.year


def test_the_traditional_character_docx_parses_like_the_simplified(yunling: Plan) -> None:
    path = PLANS / "variants" / "yunling-2023-hant.docx"
    raw = read_plan(path.name, path.read_bytes())
    assert "traditional characters converted to simplified (zhconv zh-hans)" in raw.notes
    plan = load_plan(path, doc_id="yunling-2023")
    assert plan.document.tasks == yunling.document.tasks
    assert plan.profile == yunling.profile


def test_a_txt_of_the_same_paragraphs_parses_the_same(yunling: Plan) -> None:
    paragraphs = [text for _, text in maker().inline_paragraphs(source("yunling-2023"))]
    text = "\n".join(paragraphs) + "\n"
    for encoding in ("utf-8", "gb18030"):
        plan = plan_from_bytes("yunling-2023.txt", text.encode(encoding))
        assert plan.detection.layout == "inline"
        assert plan.document.tasks == yunling.document.tasks, encoding


def _docx_with_table(rows: list[list[str]], merged_rows: set[int]) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("甲县2023年重点任务分工表")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for i, row in enumerate(rows):
        if i in merged_rows:
            cell = table.cell(i, 0).merge(table.cell(i, len(row) - 1))
            cell.text = row[0]
            continue
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_a_task_table_inside_a_docx() -> None:
    rows = [
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时间"],
        ["一、政务服务", "", "", "", ""],
        ["1", "推行帮办代办。", "县政务服务局", "县直各部门", "2023年6月底前"],
        ["2", "压缩审批时间。", "县政务服务局", "", "年内"],
        ["二、要素保障", "", "", "", ""],
        ["3", "降低用电成本。", "县供电公司", "县发展改革局、县财政局", "长期坚持"],
    ]
    plan = plan_from_bytes("jia-2023.docx", _docx_with_table(rows, {1, 4}))
    assert plan.detection.layout == "table"
    got = [
        (t.task_id, t.section_no, t.section, t.lead_units, t.responsible_units, t.deadline_ym)
        for t in plan.document.tasks
    ]
    assert got == [
        (1, 1, "政务服务", ("县政务服务局",), ("县直各部门",), (2023, 6)),
        (2, 1, "政务服务", ("县政务服务局",), (), (2023, 12)),
        (3, 2, "要素保障", ("县供电公司",), ("县发展改革局", "县财政局"), None),
    ]
    assert plan.profile.region == "甲县" and plan.profile.year == 2023


def _xlsx(rows: list[list[object]], merges: list[str]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for rng in merges:
        sheet.merge_cells(rng)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_a_chapter_column_with_vertically_merged_cells_and_numbering_restarting_per_chapter() -> None:
    rows: list[list[object]] = [
        ["乙市2024年营商环境任务清单"],
        [],
        ["类别", "序号", "主要任务", "牵头单位", "责任单位", "完成时限"],
        ["一、政务环境", 1, "推行一窗通办。", "市政务服务局", "", "6月底前"],
        [None, 2, "推行一网通办。", "市数据局", "市政务服务局", dt.datetime(2024, 12, 31)],
        ["二、法治环境", 1, "规范执法行为。", "市司法局", "", "持续推进"],
        [None, 2, "提升审判效率。", "市中级人民法院", "", "2024年底前"],
    ]
    plan = plan_from_bytes("yi-2024.xlsx", _xlsx(rows, ["A1:F1", "A4:A5", "A6:A7"]))
    tasks = plan.document.tasks
    assert [(t.task_id, t.section, t.deadline_ym) for t in tasks] == [
        (1, "政务环境", (2024, 6)),
        (2, "政务环境", (2024, 12)),
        (3, "法治环境", None),
        (4, "法治环境", (2024, 12)),
    ]
    assert [i.message for i in plan.document.issues] == [
        "numbering restarts at 1 in a new chapter; numbered 3 and on continuously"
    ]


def test_numbering_gaps_and_missing_units_are_errors_not_dropped() -> None:
    rows = [
        Row(("序号", "重点任务", "牵头单位", "完成时限"), 1),
        Row(("1", "甲。", "县财政局", "2023年6月"), 2),
        Row(("3", "乙。", "", "2023年7月"), 3),
        Row(("4", "丙。", "县税务局", ""), 4),
    ]
    tasks, issues = parse_table(rows, doc_id="t", year=2023)
    assert [t.task_id for t in tasks] == [1, 3, 4]
    assert [(i.line, i.severity, i.message) for i in issues] == [
        (3, "error", "numbering gap: task 3 follows task 1"),
        (3, "error", "task 3 has no 牵头单位"),
        (4, "error", "task 4 has no 完成时限"),
    ]


def test_a_wrapped_pdf_line_continues_its_measure_and_a_tail_on_its_own_line_joins() -> None:
    lines = [
        Line("一、重点任务", 1),
        Line("1．推行政务服务事项清单管理，编制并公布全县", 2),
        Line("统一的事项目录。（牵头单位：县政务服务局；责任单", 3),
        Line("位：县司法局，6月底完成）", 4),
        Line("2．2023年10月底前编制并公布收费目录清单。", 5),
        Line("（县发展改革局牵头，县直各部门按职责分工负责）", 6),
    ]
    tasks, issues = parse_inline(lines, doc_id="t", year=2023, wrapped=True)
    assert not issues
    assert [
        (t.task_id, t.text, t.lead_units, t.responsible_units, t.deadline, t.deadline_ym) for t in tasks
    ] == [
        (
            1,
            "推行政务服务事项清单管理，编制并公布全县统一的事项目录。",
            ("县政务服务局",),
            ("县司法局",),
            "6月底",
            (2023, 6),
        ),
        (
            2,
            "2023年10月底前编制并公布收费目录清单。",
            ("县发展改革局",),
            ("县直各部门",),
            "2023年10月底前",
            (2023, 10),
        ),
    ]


@pytest.mark.parametrize(
    ("content", "lead", "responsible", "deadline"),
    [
        (
            "牵头单位：州行政审批服务局；责任单位：州司法局、州直相关单位，6月底完成",
            ("州行政审批服务局",),
            ("州司法局", "州直相关单位"),
            "6月底",
        ),
        (
            "市政府办公室、市审改办牵头，市级各有关部门按职责分工负责",
            ("市政府办公室", "市审改办"),
            ("市级各有关部门",),
            None,
        ),
        ("牵头单位：州财政局；完成时限：长期坚持", ("州财政局",), (), "长期坚持"),
        ("州发展改革委负责，2023年底前完成", ("州发展改革委",), (), "2023年底前"),
        ("县住建局牵头负责，县水务局配合", ("县住建局",), ("县水务局",), None),
    ],
)
def test_unit_brackets(
    content: str, lead: tuple[str, ...], responsible: tuple[str, ...], deadline: str | None
) -> None:
    tail = parse_tail(content)
    assert (tail.lead, tail.responsible, tail.deadline) == (lead, responsible, deadline)


@pytest.mark.parametrize(
    ("text", "year", "ym"),
    [
        ("2022年12月", None, (2022, 12)),
        ("6月底前", 2023, (2023, 6)),
        ("6月底前", None, None),
        ("2023年6月底前", 2022, (2023, 6)),
        ("年内", 2024, (2024, 12)),
        ("年底前", 2024, (2024, 12)),
        ("2022年底", None, (2022, 12)),
        ("长期坚持", 2023, None),
        ("持续推进", 2023, None),
        ("每季度", 2023, None),
        ("上半年", 2023, (2023, 6)),
        ("2023年第三季度", None, (2023, 9)),
        ("2023—2025年", None, (2025, 12)),
        ("2024年9月30日", None, (2024, 9)),
    ],
)
def test_deadlines(text: str, year: int | None, ym: tuple[int, int] | None) -> None:
    assert parse_deadline(text, year) == ym


@pytest.mark.parametrize(
    ("text", "kind", "every"),
    [
        ("2022年12月", "dated", None),
        ("6月底前", "dated", None),
        ("2023年第三季度", "dated", None),
        ("年底前", "dated", None),
        ("年内", "within_year", None),
        ("2023年内", "within_year", None),
        ("年内完成", "within_year", None),
        ("每季度", "recurring", "quarter"),
        ("每季度通报一次", "recurring", "quarter"),
        ("每月", "recurring", "month"),
        ("每个月底前报送", "recurring", "month"),
        ("每年", "recurring", "year"),
        ("每年6月底前", "recurring", "year"),
        ("每半年", "recurring", "half"),
        ("按季度调度", "recurring", "quarter"),
        ("逐年推进", "recurring", "year"),
        ("定期开展", "recurring", None),
        ("持续推进，每季度通报进展", "recurring", "quarter"),
        ("长期坚持", "ongoing", None),
        ("持续推进", "ongoing", None),
        ("常态化推进", "ongoing", None),
        ("", "none", None),
        ("根据工作需要", "none", None),
    ],
)
def test_deadline_kinds(text: str, kind: str, every: str | None) -> None:
    assert deadline_kind(text) == (kind, every)
    # a kind with a month is exactly a deadline parse_deadline dates (in a plan of 2023)
    assert (parse_deadline(text, 2023) is not None) == (kind in ("dated", "within_year"))


def test_every_record_carries_its_deadlines_kind(yunling: Plan, qingchuan: Plan) -> None:
    for plan in (yunling, qingchuan):
        kinds = Counter((t.deadline, t.deadline_kind, t.deadline_every) for t in plan.document.tasks)
        assert kinds[("每季度", "recurring", "quarter")] >= 5
        assert kinds[("年内", "within_year", None)] >= 8
        assert kinds[("长期坚持", "ongoing", None)] >= 6 and kinds[("持续推进", "ongoing", None)] >= 7
        for t in plan.document.tasks:
            assert (t.deadline_ym is None) == (t.deadline_kind in UNDATED_KINDS), t.key
            assert (t.deadline_every is None) or t.deadline_kind == "recurring"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("2022年10月底前编制并公布目录，2023年6月底前实现全覆盖。", "2023年6月底前"),
        ("年内建成平台。", "年内"),
        ("持续推进数据共享。", "持续推进"),
        ("到2025年，建成统一市场；2023年起实施。", None),
    ],
)
def test_deadlines_inside_a_measures_text(text: str, phrase: str | None) -> None:
    assert find_deadline(text, 2023) == phrase


@pytest.mark.parametrize(
    ("blocks", "layout"),
    [
        ((Line("（1）甲。", 1), Line("牵头单位：旗法院", 2), Line("完成时限：2022年8月", 3)), "block"),
        ((Line("1．甲。（牵头单位：州司法局，6月底完成）", 1),), "inline"),
        ((Line("1．甲。（州司法局牵头，州直各部门按职责分工负责）", 1),), "inline"),
        ((Row(("序号", "重点任务", "牵头单位"), 1), Row(("1", "甲。", "市司法局"), 2)), "table"),
        ((Line("关于召开会议的通知", 1), Line("请准时参加。", 2)), "unknown"),
    ],
)
def test_layout_detection(blocks: tuple[Line | Row, ...], layout: str) -> None:
    assert detect_layout(Source("txt", blocks)).layout == layout


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(alphabet="（）()1２.．、一二三牵头单位责任：:；，州局年月底前内甲乙\n 。", max_size=40),
        max_size=12,
    )
)
def test_the_inline_parser_never_raises(texts: list[str]) -> None:
    lines = [Line(t, i + 1) for i, t in enumerate(texts)]
    for wrapped in (False, True):
        tasks, _ = parse_inline(lines, doc_id="t", year=2023, wrapped=wrapped)
        assert all(t.doc_id == "t" for t in tasks)
