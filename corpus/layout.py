"""The layout detector: which parser reads a plan (pure).

Four layouts, told apart by counting their marks in what the reader produced:

1. ``block`` — lines that start with ``牵头单位：`` (``corpus.parser``);
2. + 3. ``inline`` — unit brackets at the end of measures, labelled (``（牵头单位：…；责任单位：…）``) or not
   (``（…牵头，…负责）``) (``corpus.inline``);
4. ``table`` — a task table whose header names a task and a lead column (``corpus.table``).

The layout with the most marks wins; a plan with none is ``unknown`` (no tasks found).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from corpus.inline import parse_inline
from corpus.parser import parse_document
from corpus.profile import find_doc_number, find_title, head_texts
from corpus.readers import Row, Source
from corpus.records import Document, ParseIssue
from corpus.table import find_header, parse_table

Layout = Literal["block", "inline", "table", "unknown"]
_BLOCK_FIELD = re.compile(r"^\s*牵头单位\s*[：:]", re.M)
_INLINE_TAIL = re.compile(r"[（(][^（）()\n]{0,200}?(?:牵头|负责)[^（）()\n]{0,200}?[）)]")


@dataclass(frozen=True, slots=True)
class Detection:
    """The chosen layout and the marks counted for each."""

    layout: Layout
    block: int
    inline: int
    table: int

    def __str__(self) -> str:
        return f"{self.layout} (marks: block {self.block}, inline {self.inline}, table {self.table})"


def _table_rows(source: Source) -> int:
    rows = source.rows
    head = find_header(rows)
    if head is None:
        return 0
    return sum(1 for r in rows[head[0] + 1 :] if not r.merged)


def detect_layout(source: Source) -> Detection:
    """Count each layout's marks and pick the layout with most."""
    line_text = "\n".join(b.text for b in source.lines)
    block = len(_BLOCK_FIELD.findall(line_text))
    unwrapped = line_text.replace("\n", "") if source.fmt == "pdf" else line_text
    inline = len(_INLINE_TAIL.findall(unwrapped))
    table = _table_rows(source)
    counts: dict[Layout, int] = {"block": block, "inline": inline, "table": table}
    best: Layout = max(counts, key=lambda k: counts[k])
    if counts[best] == 0:
        best = "unknown"
    return Detection(best, block, inline, table)


def source_texts(source: Source) -> list[str]:
    """One text per block: a line's text, a row's first non-empty cell (what profiles look at)."""
    out: list[str] = []
    for b in source.blocks:
        if isinstance(b, Row):
            out.append(next((c for c in b.cells if c.strip()), ""))
        else:
            out.append(b.text)
    return out


def parse_source(source: Source, *, doc_id: str, year: int | None) -> tuple[Document, Detection]:
    """Parse what a reader produced with the parser its layout needs.

    The reader's notes (traditional characters converted, radicals folded) become ``repair`` issues at line 1.
    """
    found = detect_layout(source)
    notes = tuple(ParseIssue(1, "repair", n) for n in source.notes)
    if found.layout == "block":
        doc = parse_document(source.text, doc_id=doc_id, year=year)
        return replace(doc, issues=(*notes, *doc.issues)), found
    head = head_texts(source_texts(source))
    title = find_title(head) or doc_id
    number = find_doc_number(head)
    if found.layout == "table":
        tasks, issues = parse_table(source.rows, doc_id=doc_id, year=year)
    elif found.layout == "inline":
        tasks, issues = parse_inline(source.lines, doc_id=doc_id, year=year, wrapped=source.fmt == "pdf")
    else:
        tasks, issues = (), (ParseIssue(1, "error", "no tasks found"),)
    doc = Document(doc_id=doc_id, title=title, doc_number=number, tasks=tasks, issues=(*notes, *issues))
    return doc, found
