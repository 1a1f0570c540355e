"""Typed records produced by the parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from corpus.deadlines import DeadlineKind, Period

Severity = Literal["repair", "error"]


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """One numbered task of an action plan.

    Field names are the export contract (``python -m corpus export``). The deadline is kept as written
    (``deadline``), as a month when it has one (``deadline_ym``), and as its kind with, for a recurring one,
    its period (``deadline_kind``, ``deadline_every``: :func:`corpus.deadlines.deadline_kind`).
    """

    doc_id: str
    task_id: int
    section_no: int
    section: str
    text: str
    benchmark: str | None
    benchmark_city: str | None
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    deadline: str
    deadline_ym: tuple[int, int] | None
    line: int
    deadline_kind: DeadlineKind
    deadline_every: Period | None

    def to_json(self) -> dict[str, object]:
        """The JSON-ready form (lists instead of tuples), field order as declared."""
        return {
            "doc_id": self.doc_id,
            "task_id": self.task_id,
            "section_no": self.section_no,
            "section": self.section,
            "text": self.text,
            "benchmark": self.benchmark,
            "benchmark_city": self.benchmark_city,
            "lead_units": list(self.lead_units),
            "responsible_units": list(self.responsible_units),
            "deadline": self.deadline,
            "deadline_ym": list(self.deadline_ym) if self.deadline_ym else None,
            "line": self.line,
            "deadline_kind": self.deadline_kind,
            "deadline_every": self.deadline_every,
        }

    @property
    def key(self) -> tuple[str, int]:
        """Unique key across documents."""
        return (self.doc_id, self.task_id)


@dataclass(frozen=True, slots=True)
class ParseIssue:
    """Something the parser noticed at a line: a repaired quirk or an error."""

    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed document: its tasks and what the parser had to say."""

    doc_id: str
    title: str
    doc_number: str | None
    tasks: tuple[TaskRecord, ...]
    issues: tuple[ParseIssue, ...] = field(default=())

    @property
    def errors(self) -> tuple[ParseIssue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")


class ParseError(ValueError):
    """Raised in strict mode when a document has errors; lists every one with its line."""

    def __init__(self, doc_id: str, issues: tuple[ParseIssue, ...]) -> None:
        self.doc_id = doc_id
        self.issues = issues
        listing = "\n".join(f"  {i}" for i in issues)
        super().__init__(f"{doc_id}: {len(issues)} parse error(s):\n{listing}")
