"""The labeled question files (``eval/data/questions/*.jsonl``) and the pinned splits.

Each question file is one batch, written at one time by one writer; ``eval/data/splits/test.txt`` lists the
ids of the test split and ``eval/data/splits/fresh.txt`` those of the sealed fresh batch (scored, never tuned
on, failures never shown). Every other id is dev. Golds are computed from each line's ``target`` by
``python -m eval.gold`` and stored in the line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

QType = Literal[
    "lookup",
    "who_leads_task",
    "deadline",
    "responsible",
    "who_leads_topic",
    "who_leads_subtopic",
    "unit_tasks",
    "filter",
    "combination",
    "numbering",
    "out_of_scope",
    "followup",
]
TYPES: tuple[str, ...] = get_args(QType)
SINGLE_TYPES = ("lookup", "who_leads_task", "deadline", "responsible")
AGGREGATE_TYPES = ("who_leads_topic", "unit_tasks", "filter")
SPLITS = ("dev", "test", "fresh")
SEALED = ("test", "fresh")  # never tuned on; failures are not printed
SEALED_MARK = "SEALED"  # a file of this name in a batch's folder seals every question there (split fresh)
DATA = Path(__file__).resolve().parent / "data"
Key = tuple[str | None, int]  # a task: (its plan, or None when one plan is loaded, its number)


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
    asks: str = "text"
    target: Mapping[str, Any] = field(default_factory=dict)
    doc_id: str | None = None  # the plan the target is read in (several plans loaded; None: across plans)
    gold_keys: tuple[tuple[str, int], ...] = ()  # (doc_id, task) of every gold task, in a set over plans

    @property
    def final_turn(self) -> str:
        return self.turns[-1] if self.turns else self.question

    @property
    def keyed(self) -> bool:
        """Whether golds name their plans (a question set over several plans)."""
        return bool(self.gold_keys) or self.doc_id is not None or "across" in self.target

    @property
    def gold(self) -> tuple[Key, ...]:
        """The gold tasks as keys: (doc_id, task) over several plans, (None, task) over one."""
        if self.keyed:
            return self.gold_keys
        return tuple((None, t) for t in self.gold_tasks)


def question_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or DATA / "questions").glob("*.jsonl"))


def _ids(name: str) -> frozenset[str]:
    return _listed(DATA / "splits" / name)


def _listed(path: Path) -> frozenset[str]:
    """The ids an id list holds (one a line, ``#`` comments); empty when there is no such file."""
    if not path.exists():
        return frozenset()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(x for x in lines if x)


@lru_cache(maxsize=1)
def pinned_splits() -> dict[str, frozenset[str]]:
    """Split name → the ids pinned to it (dev is everything else)."""
    return {"test": _ids("test.txt"), "fresh": _ids("fresh.txt")}


def split_of(qid: str) -> str:
    for name, ids in pinned_splits().items():
        if qid in ids:
            return name
    return "dev"


def parse_line(row: Mapping[str, Any]) -> Question:
    turns = tuple(str(t) for t in row.get("turns", []))
    return Question(
        id=str(row["id"]),
        question=str(row["question"]),
        type=str(row["type"]),
        gold_tasks=tuple(int(t) for t in row.get("gold_tasks", [])),
        gold_units=tuple(str(u) for u in row.get("gold_units", [])),
        gold_deadline=row.get("gold_deadline"),
        answerable=bool(row.get("answerable", True)),
        note=str(row.get("note", "")),
        split=split_of(str(row["id"])),
        turns=turns,
        asks=str(row.get("asks", "text")),
        target=dict(row.get("target", {})),
        doc_id=row.get("doc_id"),
        gold_keys=tuple((str(d), int(t)) for d, t in row.get("gold_keys", [])),
    )


def read_file(path: Path) -> list[Question]:
    """Every question of one file. Raises ValueError naming the bad line.

    A file outside ``data/questions`` may pin its own test split beside it, ``<stem>.test.txt`` (one id a
    line, ``#`` comments): those ids are test, the others dev. A folder holding a file named ``SEALED`` holds
    a sealed blind batch: every question of its files is in the ``fresh`` split (scored with ``--split
    fresh``, failures never printed).
    """
    own_test = _listed(path.with_suffix(".test.txt"))
    sealed = (path.parent / SEALED_MARK).is_file()
    out: list[Question] = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                q = parse_line(json.loads(line))
            except (KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not a question in the schema ({exc})") from exc
            if q.type not in TYPES:
                raise ValueError(f"{path}:{n}: unknown type {q.type!r}")
            if own_test:
                q = replace(q, split="test" if q.id in own_test else q.split)
            if sealed:
                q = replace(q, split="fresh")
            out.append(q)
    return out


def load_questions(paths: Sequence[Path] | Path | None = None, split: str = "all") -> list[Question]:
    """Questions of the given files (default: every batch) in ``split``: dev, test, fresh, or all (dev and
    test; the fresh batch only when asked by name)."""
    if isinstance(paths, Path):
        paths = [paths]
    out: list[Question] = []
    for path in paths or question_files():
        for q in read_file(path):
            if q.split == split or (split == "all" and q.split != "fresh"):
                out.append(q)
    return out
