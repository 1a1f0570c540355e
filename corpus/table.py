"""Task tables (任务分工表) from .xlsx sheets or .docx tables (pure).

The header row may be any of the first rows (a merged title row often comes first); its columns are told by
their words: 序号 / 重点任务 (主要任务, 工作任务, 具体措施 …) / 牵头单位 / 责任单位 (配合单位 …) / 完成时限
(完成时间, 时间节点), and optionally a chapter column (类别, 领域, 板块 …) whose merged cells name the
chapter of every row they cover. A row that is one merged cell (or one value repeated across the row) is a
chapter heading. A repeated header row (tables that span pages) is skipped. Sections are the chapters in
order; task numbers are the 序号 column's (repaired and reported by ``corpus.drafts.assemble``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.deadlines import find_deadline
from corpus.drafts import CHAPTER, PART, Draft, assemble, heading_title
from corpus.readers import Row
from corpus.records import ParseIssue, TaskRecord
from corpus.textnorm import ascii_digits
from corpus.units import split_units

# Checked in this order: the first role whose words a header cell contains is that column's role.
_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("number", ("序号", "编号")),
    ("section", ("类别", "领域", "板块", "方面", "章节", "指标", "分类")),
    ("lead", ("牵头",)),
    ("responsible", ("责任单位", "责任部门", "配合", "参与", "协同", "协办")),
    ("deadline", ("时限", "时间", "节点")),
    ("task", ("任务", "措施", "举措", "内容", "事项")),
)
_HEADER_SEARCH = 12  # the header is one of the first rows
_MAX_HEADING = 40


@dataclass(frozen=True, slots=True)
class Columns:
    """Column index of each role (None when the table has no such column)."""

    task: int
    lead: int
    number: int | None = None
    responsible: int | None = None
    deadline: int | None = None
    section: int | None = None


def header_columns(cells: Sequence[str]) -> Columns | None:
    """The roles of a header row's cells; None unless it has at least a task and a lead column."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        word = re.sub(r"\s+", "", cell)
        if not word or len(word) > 10:
            continue
        for role, words in _ROLES:
            if any(w in word for w in words):
                found.setdefault(role, i)
                break
    if "task" not in found or "lead" not in found:
        return None
    return Columns(
        task=found["task"],
        lead=found["lead"],
        number=found.get("number"),
        responsible=found.get("responsible"),
        deadline=found.get("deadline"),
        section=found.get("section"),
    )


def find_header(rows: Sequence[Row]) -> tuple[int, Columns] | None:
    """The header row's index among ``rows`` and its columns."""
    for i, row in enumerate(rows[:_HEADER_SEARCH]):
        cols = header_columns(row.cells)
        if cols is not None:
            return i, cols
    return None


def _chapter_name(text: str) -> str:
    m = CHAPTER.match(text) or PART.match(text)
    return heading_title(m.group(2) if m else text)


def _cell(row: Row, i: int | None) -> str:
    return row.cells[i].strip() if i is not None and i < len(row.cells) else ""


def _number(text: str) -> int | None:
    m = re.fullmatch(r"\s*(\d{1,4})\s*[.．、]?\s*", ascii_digits(text))
    return int(m.group(1)) if m else None


def parse_table(
    rows: Sequence[Row], *, doc_id: str, year: int | None
) -> tuple[tuple[TaskRecord, ...], tuple[ParseIssue, ...]]:
    """Parse a task table's rows (header anywhere in the first rows) into records and issues."""
    head = find_header(rows)
    if head is None:
        return (), (ParseIssue(rows[0].loc if rows else 1, "error", "no task table header found"),)
    start, cols = head
    header = rows[start].cells
    issues: list[ParseIssue] = []
    drafts: list[Draft] = []
    heading = ""
    keys: dict[str, int] = {}
    for row in rows[start + 1 :]:
        if row.cells == header:
            continue
        values = {c for c in row.cells if c.strip()}
        if not values:
            continue
        if row.merged or (len(values) == 1 and not _cell(row, cols.lead)):
            text = row.cells[0] if row.cells[0].strip() else next(iter(values))
            if len(text) <= _MAX_HEADING and "。" not in text:
                heading = _chapter_name(text)
            continue  # a chapter heading, or a note under the table
        task = _cell(row, cols.task)
        lead = _cell(row, cols.lead)
        if not task and not lead:
            continue
        section = _chapter_name(_cell(row, cols.section)) if _cell(row, cols.section) else heading
        key = keys.setdefault(section, len(keys) + 1)
        raw_number = _cell(row, cols.number)
        number = _number(raw_number) if raw_number else None
        if raw_number and number is None:
            issues.append(ParseIssue(row.loc, "repair", f"序号 {raw_number!r} is not a number"))
        deadline = _cell(row, cols.deadline) or find_deadline(task, year)
        drafts.append(
            Draft(
                number=number,
                loc=row.loc,
                section_no=key,
                section=section,
                text=task,
                lead=split_units(lead),
                responsible=split_units(_cell(row, cols.responsible)),
                deadline=deadline,
                chapter=key,
            )
        )
    tasks, more = assemble(drafts, doc_id=doc_id, year=year)
    return tasks, (*issues, *more)
