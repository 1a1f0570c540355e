"""Inline layouts: each measure carries its units in a bracket at its end (pure).

Layout 2, labelled: ``12．推行…。（牵头单位：州行政审批服务局；责任单位：州司法局、州直相关单位，
6月底完成）``.
Layout 3, unlabelled: ``（市政府办公室、市审改办牵头，市级各有关部门按职责分工负责）``, the deadline inside
the text (``2022年10月底前编制并公布…``). Both may mix in one plan. Chapters ``一、…`` and parts ``（一）…``
give the sections (the finest heading level above the measures); chapters without measures (总体要求,
保障措施) give none.

Text from a PDF arrives wrapped at the page width: a line continues the paragraph before it unless it starts
a heading or a numbered measure, or the paragraph before it is complete (a measure whose unit bracket has
been read, a short heading). A docx gives whole paragraphs, so both read the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.deadlines import PHRASE, find_deadline
from corpus.drafts import CHAPTER, PART, Draft, assemble, heading_title, measure_number
from corpus.readers import Line
from corpus.records import ParseIssue, TaskRecord
from corpus.units import split_units

# The unit bracket at the end of a measure (no nested brackets inside it).
_TAIL = re.compile(r"[（(]([^（）()]*)[）)]\s*[。；;，,]?\s*$")
_TAIL_WORDS = re.compile(r"牵头|负责|责任单位|配合单位")
_TAIL_START = re.compile(r"^\s*[（(]\s*(牵头单位|责任单位|牵头部门)")
_LABEL = re.compile(
    r"^\s*(牵头单位|牵头部门|责任单位|责任部门|配合单位|参与单位|完成时限|完成时间|时间节点)\s*([：:])\s*"
)
_LEAD_LABELS = ("牵头单位", "牵头部门")
_DEADLINE_LABELS = ("完成时限", "完成时间", "时间节点")
_TRAILING_DEADLINE = re.compile(r"[，,]\s*(" + PHRASE.pattern + r")\s*(?:完成)?\s*$")
_RESPONSIBLE_SUFFIX = re.compile(
    r"(按职责分工负责|按职责分工落实|按职责负责|分工负责|配合落实|共同负责|配合|参与|负责)$"
)
_MAX_HEADING = 40


@dataclass(frozen=True, slots=True)
class Tail:
    lead: tuple[str, ...]
    responsible: tuple[str, ...]
    deadline: str | None
    notes: tuple[str, ...] = ()


def split_tail(text: str) -> tuple[str, str] | None:
    """``body（units）`` → (body, units) when the bracket at the end names units; else None."""
    m = _TAIL.search(text)
    if not m or not _TAIL_WORDS.search(m.group(1)):
        return None
    return text[: m.start()].rstrip(), m.group(1)


def _deadline_at_end(value: str) -> tuple[str, str | None]:
    m = _TRAILING_DEADLINE.search(value)
    if not m:
        return value, None
    return value[: m.start()], re.sub(r"\s+", "", m.group(1))


def parse_tail(content: str) -> Tail:
    """The units (and deadline, when it is there) of a unit bracket, labelled or not."""
    notes: list[str] = []
    lead: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    deadline: str | None = None
    if _LABEL.search(content) or "牵头单位" in content or "责任单位" in content:
        for part in re.split(r"[；;]", content):
            m = _LABEL.match(part)
            if not m:
                value, found = _deadline_at_end("，" + part.strip())
                if found and not value.strip("，, "):
                    deadline = deadline or found
                elif part.strip():
                    notes.append(f"unlabelled text in the unit bracket: {part.strip()!r}")
                continue
            if m.group(2) == ":" and "field written with a half-width colon" not in notes:
                notes.append("field written with a half-width colon")
            label, value = m.group(1), part[m.end() :].strip()
            if label in _DEADLINE_LABELS:
                deadline = value.strip("，,。 ") or deadline
                continue
            value, found = _deadline_at_end(value)
            deadline = deadline or found
            units = split_units(value)
            if label in _LEAD_LABELS:
                lead = lead + units
            else:
                responsible = responsible + tuple(u for u in units if u not in responsible)
        return Tail(lead, responsible, deadline, tuple(notes))
    for part in re.split(r"[，,；;]", content):
        part = part.strip()
        if not part:
            continue
        value, found = _deadline_at_end("，" + part)
        if found and not value.strip("，, "):
            deadline = deadline or found
            continue
        if part.endswith(("牵头负责", "牵头")):
            lead = lead + split_units(re.sub(r"(牵头负责|牵头)$", "", part))
            continue
        m = _RESPONSIBLE_SUFFIX.search(part)
        units = split_units(part[: m.start()] if m else part)
        if not lead and m and m.group(1) == "负责":
            lead = units  # （州发展改革委负责）: the one unit named is the lead
        else:
            responsible = responsible + tuple(u for u in units if u not in responsible)
    return Tail(lead, responsible, deadline, tuple(notes))


@dataclass(slots=True)
class _Para:
    text: str
    loc: int
    kind: str  # chapter | part | measure | text
    number: int | None = None
    body: str = ""
    tail: str | None = None

    @property
    def closed(self) -> bool:
        """A heading short enough to be whole."""
        return len(self.text) <= _MAX_HEADING and "。" not in self.text


def _classify(text: str, loc: int) -> _Para:
    if CHAPTER.match(text):
        return _Para(text, loc, "chapter")
    if PART.match(text):
        return _Para(text, loc, "part")
    num = measure_number(text)
    if num:
        return _Para(text, loc, "measure", number=num[0], body=num[1])
    return _Para(text, loc, "text", body=text)


def _refresh(p: _Para) -> None:
    if p.kind in ("measure", "text"):
        num = measure_number(p.text) if p.kind == "measure" else None
        body = num[1] if num else p.text
        found = split_tail(body)
        p.body, p.tail = (found[0], found[1]) if found else (body, None)


def _continues(cur: _Para, new: _Para, *, wrapped: bool) -> bool:
    if cur.kind == "measure" and cur.tail is None and _TAIL_START.match(new.text):
        return True  # the unit bracket printed as a paragraph (or line) of its own
    if not wrapped or new.kind != "text":
        return False
    if cur.kind in ("chapter", "part"):
        return not cur.closed  # a long heading wrapped over lines
    return cur.tail is None


def paragraphs(lines: Sequence[Line], *, wrapped: bool) -> list[_Para]:
    """Lines → paragraphs; ``wrapped`` (PDF text) joins the lines a page width broke."""
    out: list[_Para] = []
    cur: _Para | None = None
    for line in lines:
        s = line.text.strip()
        if not s:
            cur = None
            continue
        new = _classify(s, line.loc)
        if cur is not None and _continues(cur, new, wrapped=wrapped):
            cur.text += s
            _refresh(cur)
            continue
        _refresh(new)
        out.append(new)
        cur = new
    return out


def parse_inline(
    lines: Sequence[Line], *, doc_id: str, year: int | None, wrapped: bool = False
) -> tuple[tuple[TaskRecord, ...], tuple[ParseIssue, ...]]:
    """Parse an inline-layout plan's lines into records and issues.

    Args:
        lines: the plan's lines (a docx paragraph each, or PDF text lines).
        doc_id: stamped on every record.
        year: the plan's year, for deadlines written without one.
        wrapped: the lines are PDF text wrapped at the page width.
    """
    paras = paragraphs(lines, wrapped=wrapped)
    chapter = 0
    chapter_title = ""
    part_title: str | None = None
    has_tasks: set[int] = set()
    for p in paras:
        if p.kind == "chapter":
            chapter += 1
        elif p.tail is not None:
            has_tasks.add(chapter)
    chapter = 0
    issues: list[ParseIssue] = []
    found: list[tuple[int, int, str, _Para]] = []  # (chapter, section key, title, paragraph)
    keys: dict[tuple[int, str], int] = {}
    for p in paras:
        if p.kind == "chapter":
            chapter += 1
            m = CHAPTER.match(p.text)
            chapter_title = heading_title(m.group(2)) if m else p.text
            part_title = None
            continue
        if chapter not in has_tasks:
            continue
        if p.kind == "part":
            m = PART.match(p.text)
            part_title = heading_title(m.group(2)) if m else p.text
            continue
        if p.kind == "measure" and p.tail is None and len(p.text) <= _MAX_HEADING and "。" not in p.text:
            part_title = heading_title(p.body)  # 1.政务服务: a numbered sub-heading
            continue
        if p.kind == "text" and p.tail is None:
            continue  # an introduction under a heading
        title = part_title or chapter_title
        key = keys.setdefault((chapter, title), len(keys) + 1)
        found.append((chapter, key, title, p))
    drafts: list[Draft] = []
    for chap, key, title, p in found:
        tail = parse_tail(p.tail) if p.tail is not None else Tail((), (), None)
        issues.extend(ParseIssue(p.loc, "repair", n) for n in tail.notes)
        if p.number is not None and re.match(r"^\s*[０-９]", p.text):
            issues.append(ParseIssue(p.loc, "repair", f"task {p.number}: full-width digits in its number"))
        deadline = tail.deadline or find_deadline(p.body, year)
        drafts.append(
            Draft(
                number=p.number,
                loc=p.loc,
                section_no=key,
                section=title,
                text=p.body.strip(),
                lead=tail.lead,
                responsible=tail.responsible,
                deadline=deadline,
                chapter=chap,
            )
        )
    tasks, more = assemble(drafts, doc_id=doc_id, year=year)
    return tasks, (*issues, *more)
