"""The labeled question file (``eval/questions.jsonl`` or any file in the same schema)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

QType = Literal[
    "lookup",
    "who_leads_task",
    "deadline",
    "responsible",
    "who_leads_topic",
    "unit_tasks",
    "filter",
    "out_of_scope",
    "followup",
]
TYPES: tuple[str, ...] = get_args(QType)  # one list for the builder (typed) and the reader
SINGLE_TYPES = ("lookup", "who_leads_task", "deadline", "responsible")
AGGREGATE_TYPES = ("who_leads_topic", "unit_tasks", "filter")


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    type: str
    gold_tasks: tuple[int, ...]
    gold_units: tuple[str, ...]
    gold_deadline: str | None
    answerable: bool
    note: str
    split: str
    turns: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The line written to the question file (``turns`` only for follow-ups)."""
        out: dict[str, object] = {
            "id": self.id,
            "question": self.question,
            "type": self.type,
            "gold_tasks": list(self.gold_tasks),
            "gold_units": list(self.gold_units),
            "gold_deadline": self.gold_deadline,
            "answerable": self.answerable,
            "note": self.note,
            "split": self.split,
        }
        if self.type == "followup":
            out["turns"] = list(self.turns)
        return out

    @property
    def final_turn(self) -> str:
        return self.turns[-1] if self.turns else self.question


def default_path() -> Path:
    return Path(__file__).resolve().parent / "questions.jsonl"


def load_questions(path: Path | None = None, split: str = "all") -> list[Question]:
    """Read a question file; ``split`` is dev, test or all. Raises ValueError naming the bad line."""
    path = path or default_path()
    out: list[Question] = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                q = Question(
                    id=str(row["id"]),
                    question=str(row["question"]),
                    type=str(row["type"]),
                    gold_tasks=tuple(int(t) for t in row.get("gold_tasks", [])),
                    gold_units=tuple(str(u) for u in row.get("gold_units", [])),
                    gold_deadline=row.get("gold_deadline"),
                    answerable=bool(row.get("answerable", True)),
                    note=str(row.get("note", "")),
                    split=str(row.get("split", "test")),
                    turns=tuple(str(t) for t in row.get("turns", [])),
                )
            except (KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not a question in the schema ({exc})") from exc
            if q.type not in TYPES:
                raise ValueError(f"{path}:{n}: unknown type {q.type!r}")
            if split in ("all", q.split):
                out.append(q)
    return out
