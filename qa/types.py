"""What question answering returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from corpus.records import TaskRecord

Intent = Literal[
    "who_leads_task",
    "who_leads_topic",
    "responsible",
    "deadline",
    "list_tasks",
    "count",
    "lookup",
    "out_of_scope",
]


@dataclass(frozen=True, slots=True)
class Trace:
    """How the answer was reached: the text the plan was read from, the plan, and the evidence."""

    normalized: str = ""
    language: str = "zh"
    plan: str = ""
    followup: str = ""  # "", "swap", "narrow" or "reask"
    retrieval: tuple[tuple[int, float], ...] = ()  # (task_id, score) of the hits considered
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    """A deterministic, cited answer.

    ``citations`` are the records the text rests on, in the order the text cites
    them; every task number in ``text`` is a citation and every citation is in
    ``text`` (checked by :func:`qa.verify.check_citations`).
    """

    text: str
    answerable: bool
    intent: Intent
    citations: tuple[TaskRecord, ...] = ()
    trace: Trace = field(default_factory=Trace)
