"""What the inline and table layouts share: headings, measure numbers, and drafts → numbered records (pure).

A layout parser collects :class:`Draft` s (a measure as found, its number as printed or None) and hands them
to :func:`assemble`, which numbers them the way the block parser does: the number as printed; a measure
printed without one is numbered from its place (``repair``); numbering that restarts at 1 in each chapter is
continued across the plan (``repair``, the printed number kept in the message); any other gap or duplicate,
and a measure without lead unit, deadline or text, is an ``error`` with its line. Nothing is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.deadlines import deadline_kind, parse_deadline
from corpus.records import ParseIssue, TaskRecord
from corpus.textnorm import ascii_digits

CN_DIGITS = "一二三四五六七八九十"
CHAPTER = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*(\S.*)$")
PART = re.compile(r"^\s*[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]\s*(\S.*)$")
# 12. / 12． / 12、 / １２． (also before a year: 6．2023年9月底前…) — but not 2023年 or 1.5万
MEASURE = re.compile(r"^\s*([0-9０-９]{1,3})\s*(?:[．、]|\.(?![0-9](?![0-9]{3}年)))\s*(\S.*)$")
_TITLE_END = re.compile(r"[。：:；;]")


def cn_number(s: str) -> int:
    """``三`` → 3, ``十二`` → 12, ``二十一`` → 21."""
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (CN_DIGITS.index(ones) + 1 if ones else 0)
    return CN_DIGITS.index(s) + 1


def heading_title(text: str) -> str:
    """A heading's name: up to its first full stop or colon, without trailing punctuation."""
    m = _TITLE_END.search(text)
    title = text[: m.start()] if m else text
    return title.strip().strip("，,、 ")


def measure_number(text: str) -> tuple[int, str] | None:
    """``12．推行…`` → (12, ``推行…``); None when the text does not start with a measure number."""
    m = MEASURE.match(text)
    if not m:
        return None
    return int(ascii_digits(m.group(1))), m.group(2)


@dataclass(frozen=True, slots=True)
class Draft:
    """One measure as a layout parser found it."""

    number: int | None
    loc: int
    section_no: int
    section: str
    text: str
    lead: tuple[str, ...]
    responsible: tuple[str, ...]
    deadline: str | None
    chapter: int = 0  # which chapter it sits in: a restart of the numbering at a new chapter is repaired


def assemble(
    drafts: list[Draft], *, doc_id: str, year: int | None
) -> tuple[tuple[TaskRecord, ...], tuple[ParseIssue, ...]]:
    """Number the drafts and turn them into records, with the issues found on the way."""
    issues: list[ParseIssue] = []
    tasks: list[TaskRecord] = []
    last = 0
    offset = 0  # added to printed numbers after a restart
    prev_chapter: int | None = None
    for d in drafts:
        if d.number is None:
            task_id = last + 1
            issues.append(
                ParseIssue(
                    d.loc, "repair", f"task printed without its number; numbered {task_id} from its place"
                )
            )
        else:
            if d.number == 1 and last > 0 and d.chapter != prev_chapter:
                offset = last
                issues.append(
                    ParseIssue(
                        d.loc,
                        "repair",
                        f"numbering restarts at 1 in a new chapter; numbered {last + 1} and on continuously",
                    )
                )
            task_id = d.number + offset
            if task_id != last + 1:
                kind = "duplicate" if task_id <= last else "gap"
                issues.append(
                    ParseIssue(d.loc, "error", f"numbering {kind}: task {task_id} follows task {last}")
                )
        prev_chapter = d.chapter
        last = max(last, task_id)
        if not d.lead:
            issues.append(ParseIssue(d.loc, "error", f"task {task_id} has no 牵头单位"))
        if not d.deadline:
            issues.append(ParseIssue(d.loc, "error", f"task {task_id} has no 完成时限"))
        if not d.text:
            issues.append(ParseIssue(d.loc, "error", f"task {task_id} has no text"))
        deadline = d.deadline or ""
        kind, every = deadline_kind(deadline)
        tasks.append(
            TaskRecord(
                doc_id=doc_id,
                task_id=task_id,
                section_no=d.section_no,
                section=d.section,
                text=d.text,
                benchmark=None,
                benchmark_city=None,
                lead_units=d.lead,
                responsible_units=d.responsible,
                deadline=deadline,
                deadline_ym=parse_deadline(deadline, year),
                line=d.loc,
                deadline_kind=kind,
                deadline_every=every,
            )
        )
    return tuple(tasks), tuple(issues)
