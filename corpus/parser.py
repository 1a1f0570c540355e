"""Parse an action plan's text (converted from PDF) into :class:`TaskRecord` s.

The plan's layout: indicator sections ``11.获得电力``; numbered tasks
``（233）text…（对标上海）`` followed by ``牵头单位：`` / ``责任单位：`` / ``完成时限：``
lines. PDF conversion left quirks that this parser repairs and reports as
``repair`` issues (mixed bracket widths, a task without its number, section
headings without their numbers, a deadline glued onto the previous line, a
lead/deadline pair printed twice, a benchmark tag missing its closing bracket,
half-width colons, trailing punctuation). Anything it cannot repair — a gap or
duplicate in the numbering, a task without a lead unit or deadline — is an
``error`` issue with its line number; no task is dropped or merged silently.

Pure: text in, :class:`Document` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.deadlines import deadline_kind
from corpus.deadlines import parse_deadline as parse_deadline  # re-exported: corpus.parse_deadline
from corpus.records import Document, ParseIssue, Severity, TaskRecord
from corpus.units import split_units

_TASK = re.compile(r"^\s*[（(]\s*(\d{1,4})\s*[）)]\s*(.*)$")
_SECTION = re.compile(r"^\s*(\d{1,2})\s*[.．、]\s*([^\d\s].*?)\s*$")
_PART = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]")
_TOP = re.compile(r"^\s*[一二三四五六七八九十]+、")
_FIELD = re.compile(r"(牵头单位|责任单位|完成时限)\s*[：:]")
_TAG = re.compile(r"[（(]\s*(对标\s*([^（）()\s]{1,8})|自主创新)\s*([）)]?)\s*$")
_SENTENCE_PUNCT = re.compile(r"[。，；：:;,！？!?“”]")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,6}发\s*[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号")
_MAX_SECTION_TITLE = 24


@dataclass(slots=True)
class _Draft:
    task_id: int
    line: int
    section_no: int
    section: str
    text_parts: list[str] = field(default_factory=list)
    lead: tuple[str, ...] | None = None
    responsible: tuple[str, ...] = ()
    deadline: str | None = None

    @property
    def complete(self) -> bool:
        return self.lead is not None and self.deadline is not None


def split_benchmark(text: str) -> tuple[str, str | None, str | None, bool]:
    """Strip the trailing benchmark tag.

    Returns ``(text, benchmark, benchmark_city, repaired)`` where ``repaired`` is
    true when the tag lacked its closing bracket.
    """
    m = _TAG.search(text)
    if not m:
        return text.strip(), None, None, False
    body = re.sub(r"\s+", "", m.group(1))
    city = re.sub(r"\s+", "", m.group(2)) if m.group(2) else None
    return text[: m.start()].strip(), body, city, not m.group(3)


def _is_section_heading(line: str, next_line: str | None) -> bool:
    """A short title line with no sentence punctuation, followed by a numbered task."""
    s = line.strip()
    if not s or len(s) > _MAX_SECTION_TITLE or _SENTENCE_PUNCT.search(s) or _FIELD.search(s):
        return False
    if not re.fullmatch(r"[\u4e00-\u9fff、和与及]+", s):
        return False
    return next_line is not None and bool(_TASK.match(next_line))


class _Parser:
    def __init__(self, text: str, doc_id: str, first_task_id: int | None, year: int | None) -> None:
        self.doc_id = doc_id
        self.year = year
        self.first_task_id = first_task_id
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.issues: list[ParseIssue] = []
        self.tasks: list[TaskRecord] = []
        self.section_no = 0
        self.section = ""
        self.draft: _Draft | None = None
        self.in_tasks = False
        self.in_preamble = False
        self.last_id = (first_task_id or 1) - 1

    def note(self, line: int, severity: Severity, message: str) -> None:
        self.issues.append(ParseIssue(line=line, severity=severity, message=message))

    def next_nonblank(self, idx: int) -> str | None:
        for j in range(idx + 1, len(self.lines)):
            if self.lines[j].strip():
                return self.lines[j]
        return None

    def run(self) -> Document:
        for idx, raw in enumerate(self.lines):
            lineno = idx + 1
            line = raw.strip()
            if not line:
                continue
            if self.in_tasks and _TOP.match(line):
                # A top-level heading (三、工作要求) after the tasks closes the task area.
                self.flush()
                self.in_tasks = False
                continue
            m = _SECTION.match(line)
            if m and len(m.group(2)) <= _MAX_SECTION_TITLE and not _SENTENCE_PUNCT.search(m.group(2)):
                self.start_section(int(m.group(1)), m.group(2), lineno)
                continue
            if not self.in_tasks:
                continue
            if _PART.match(line):
                # （二）打造全国最优市场环境（200条）: a group of sections, then an intro paragraph.
                self.flush()
                self.in_preamble = True
                continue
            if self.in_preamble and not _TASK.match(line) and not _FIELD.match(line):
                if _is_section_heading(line, self.next_nonblank(idx)):
                    self.note(lineno, "repair", f"section heading without its number: {line!r}")
                    self.start_section(self.section_no + 1, line, lineno)
                continue
            m = _TASK.match(line)
            if m:
                self.in_preamble = False
                self.start_task(int(m.group(1)), m.group(2), lineno, raw)
                continue
            if _is_section_heading(line, self.next_nonblank(idx)) and (
                self.draft is None or self.draft.complete
            ):
                self.note(lineno, "repair", f"section heading without its number: {line!r}")
                self.start_section(self.section_no + 1, line, lineno)
                continue
            if _FIELD.match(line):
                self.fields(line, lineno)
                continue
            self.free_text(line, lineno)
        self.flush()
        return self.finish()

    def start_section(self, number: int, title: str, lineno: int) -> None:
        self.flush()
        if self.in_tasks and number != self.section_no + 1:
            self.note(lineno, "error", f"section {number} follows section {self.section_no}")
        self.in_tasks = True
        self.in_preamble = False
        self.section_no = number
        self.section = title.strip()

    def start_task(self, task_id: int, rest: str, lineno: int, raw: str) -> None:
        self.flush()
        if not re.match(r"^\s*（\s*\d+\s*）|^\s*\(\s*\d+\s*\)", raw):
            self.note(lineno, "repair", f"task {task_id}: mixed half-/full-width brackets around its number")
        self.draft = _Draft(task_id, lineno, self.section_no, self.section)
        self.fields_or_text(rest, lineno)

    def fields_or_text(self, text: str, lineno: int) -> None:
        m = _FIELD.search(text)
        if m and m.start() > 0:
            self.append_text(text[: m.start()], lineno)
            self.fields(text[m.start() :], lineno)
        elif m:
            self.fields(text, lineno)
        else:
            self.append_text(text, lineno)

    def append_text(self, text: str, lineno: int) -> None:
        if self.draft is None:
            self.note(lineno, "error", f"text outside any task: {text[:30]!r}")
            return
        if self.draft.lead is not None or self.draft.deadline is not None:
            self.note(lineno, "error", f"task {self.draft.task_id}: text after its fields: {text[:30]!r}")
            return
        self.draft.text_parts.append(text.strip())

    def free_text(self, line: str, lineno: int) -> None:
        if self.draft is not None and self.draft.complete:
            # A paragraph after a complete task is a task printed without its number.
            self.flush()
            new_id = self.last_id + 1
            self.note(lineno, "repair", f"task printed without its number; numbered {new_id} from its place")
            self.draft = _Draft(new_id, lineno, self.section_no, self.section)
        self.fields_or_text(line, lineno)

    def fields(self, text: str, lineno: int) -> None:
        parts = list(_FIELD.finditer(text))
        if len(parts) > 1:
            self.note(lineno, "repair", "two fields on one line (a deadline glued onto a unit list)")
        if not re.match(r"^\s*(牵头单位|责任单位|完成时限)：", text) or any(":" in p.group(0) for p in parts):
            self.note(lineno, "repair", "field written with a half-width colon")
        d = self.draft
        if d is None:
            self.note(lineno, "error", "field outside any task")
            return
        for i, p in enumerate(parts):
            end = parts[i + 1].start() if i + 1 < len(parts) else len(text)
            key, value = p.group(1), text[p.end() : end].strip()
            if value != value.rstrip("，,、。；; "):
                self.note(lineno, "repair", f"trailing punctuation in {key}: {value!r}")
            if key == "牵头单位":
                units = split_units(value)
                if d.lead is not None:
                    if units == d.lead:
                        self.note(lineno, "repair", f"task {d.task_id}: 牵头单位 printed twice")
                        continue
                    self.note(lineno, "error", f"task {d.task_id}: a second, different 牵头单位")
                    continue
                d.lead = units
            elif key == "责任单位":
                d.responsible = d.responsible + tuple(u for u in split_units(value) if u not in d.responsible)
            else:
                value = value.strip("，,、。；; ")
                if d.deadline is not None:
                    sev: Severity = "repair" if value == d.deadline else "error"
                    self.note(lineno, sev, f"task {d.task_id}: 完成时限 printed twice")
                    continue
                d.deadline = value

    def flush(self) -> None:
        d, self.draft = self.draft, None
        if d is None:
            return
        text = "".join(d.text_parts)
        text, bench, city, repaired = split_benchmark(text)
        if repaired:
            self.note(d.line, "repair", f"task {d.task_id}: benchmark tag without its closing bracket")
        if not self.tasks and self.first_task_id is None:
            pass  # an excerpt: numbering starts wherever it starts
        elif d.task_id != self.last_id + 1:
            kind = "duplicate" if d.task_id <= self.last_id else "gap"
            self.note(d.line, "error", f"numbering {kind}: task {d.task_id} follows task {self.last_id}")
        self.last_id = max(self.last_id, d.task_id)
        if not d.lead:
            self.note(d.line, "error", f"task {d.task_id} has no 牵头单位")
        if not d.deadline:
            self.note(d.line, "error", f"task {d.task_id} has no 完成时限")
        if not text:
            self.note(d.line, "error", f"task {d.task_id} has no text")
        deadline = d.deadline or ""
        kind, every = deadline_kind(deadline)
        self.tasks.append(
            TaskRecord(
                doc_id=self.doc_id,
                task_id=d.task_id,
                section_no=d.section_no,
                section=d.section,
                text=text,
                benchmark=bench,
                benchmark_city=city,
                lead_units=d.lead or (),
                responsible_units=d.responsible,
                deadline=deadline,
                deadline_ym=parse_deadline(deadline, self.year),
                line=d.line,
                deadline_kind=kind,
                deadline_every=every,
            )
        )

    def finish(self) -> Document:
        title = ""
        doc_number = None
        for raw in self.lines[:40]:
            s = raw.strip()
            if not doc_number and (m := _DOC_NUMBER.search(s)):
                doc_number = re.sub(r"\s+", "", m.group(0))
            if "《" in s and not title:
                title = s[s.index("《") + 1 :].split("》")[0]
        if title and "》" not in title:
            # The title wraps over lines in PDF conversions: 《…建设 / 最优…方案》
            joined = "".join(x.strip() for x in self.lines[:40])
            m = re.search(r"《([^》]{4,60})》", joined)
            title = m.group(1) if m else title
        if not self.tasks:
            self.note(1, "error", "no tasks found")
        return Document(
            doc_id=self.doc_id,
            title=title or self.doc_id,
            doc_number=doc_number,
            tasks=tuple(self.tasks),
            issues=tuple(self.issues),
        )


def parse_document(
    text: str, *, doc_id: str, first_task_id: int | None = 1, year: int | None = None
) -> Document:
    """Parse one plan's text. Never raises on odd input: problems become issues.

    Args:
        text: the whole document.
        doc_id: the stable slug to stamp on every record.
        first_task_id: the number the first task must carry; ``None`` for an
            excerpt whose numbering may start anywhere.
        year: the plan's year, for deadlines written without one (``6月底前``).
    """
    return _Parser(text, doc_id, first_task_id, year).run()
