"""The labeled question files (eval/data/questions/*.jsonl) are valid, complete, pinned and up to date."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from corpus import TaskRecord, UnitLexicon, build_lexicon
from eval.gold import ASKS, Evaluator, compute_gold, refresh
from eval.questions import (
    AGGREGATE_TYPES,
    SINGLE_TYPES,
    TYPES,
    Question,
    load_questions,
    pinned_splits,
    question_files,
    read_file,
)

KEYS = {"id", "question", "type", "asks", "target", "gold_tasks", "gold_units", "gold_deadline", "answerable"}
UNANSWERABLE = ("out_of_scope", "numbering")  # types whose question may have no answer in the records
OLD_TYPES = {t for t in TYPES if t not in ("who_leads_subtopic", "combination", "numbering")}


@pytest.fixture(scope="module")
def lex(tasks: list[TaskRecord]) -> UnitLexicon:
    return build_lexicon(tasks)


@pytest.fixture(scope="module")
def ev(tasks: list[TaskRecord], lex: UnitLexicon) -> Evaluator:
    return Evaluator(tasks, lex)


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return [q for path in question_files() for q in read_file(path)]


@pytest.fixture(scope="module")
def by_id(tasks: list[TaskRecord]) -> dict[int, TaskRecord]:
    return {t.task_id: t for t in tasks}


# The sealed blind batch lives outside eval/data/questions (so it is not dev);
# its golds are checked all the same.
SEALED = Path(__file__).resolve().parents[1] / "eval" / "data" / "fresh6" / "questions.jsonl"


def test_every_gold_is_recomputed_from_the_records(ev: Evaluator) -> None:
    """A change to the corpus or the parser that moves a gold makes the stale file fail."""
    for path in [*question_files(), SEALED]:
        _, changed = refresh(path, ev)
        assert changed == 0, f"{path.name}: run python -m eval.gold --write"


def test_schema() -> None:
    for path in [*question_files(), SEALED]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            row = json.loads(line)
            assert set(row) >= KEYS, (path.name, n)
            assert row["type"] in TYPES and row["asks"] in ASKS, (path.name, n)
            assert str(row["question"]).strip() and str(row.get("note", "")).strip(), (path.name, n)
            # a conversation is a follow-up, or one whose last turn asks what no record answers
            assert ("turns" in row) == (row["type"] == "followup") or row["type"] in UNANSWERABLE, (
                path.name,
                n,
            )


def test_unique_ids_and_texts(questions: list[Question]) -> None:
    assert len(questions) >= 800
    ids = [q.id for q in questions]
    assert len(ids) == len(set(ids))
    texts = Counter(q.turns or (q.question,) for q in questions)
    assert [t for t, c in texts.items() if c > 1] == []


def test_splits_are_pinned_by_id_lists(questions: list[Question]) -> None:
    known = {q.id for q in questions}
    pinned = pinned_splits()
    assert len(pinned["test"]) >= 190
    for name, ids in pinned.items():
        assert ids <= known, f"{name}: ids without a question {sorted(ids - known)[:5]}"
    assert not pinned["test"] & pinned["fresh"]
    for q in questions:
        expected = next((n for n, ids in pinned.items() if q.id in ids), "dev")
        assert q.split == expected, q.id
    test = load_questions(split="test")
    assert {q.id for q in test} == pinned["test"]
    assert {q.type for q in test} >= OLD_TYPES
    assert not {q.id for q in load_questions(split="all")} & pinned["fresh"]


def test_dev_has_every_type(questions: list[Question]) -> None:
    assert {q.type for q in questions if q.split == "dev"} >= OLD_TYPES


def test_gold_tasks_exist_and_all_sections_are_covered(
    questions: list[Question], by_id: dict[int, TaskRecord]
) -> None:
    sections: set[int] = set()
    for q in questions:
        assert list(q.gold_tasks) == sorted(set(q.gold_tasks)), q.id
        for t in q.gold_tasks:
            assert t in by_id, (q.id, t)
            sections.add(by_id[t].section_no)
    assert sections == {t.section_no for t in by_id.values()}


def test_out_of_scope_and_answerable(questions: list[Question]) -> None:
    for q in questions:
        if q.type == "out_of_scope" or not q.answerable:
            assert q.type in UNANSWERABLE, q.id
            assert not q.answerable and q.gold_tasks == () and q.gold_units == (), q.id
            assert q.gold_deadline is None and q.target == {"none": True}, q.id
        else:
            assert q.gold_tasks or "query" in q.target, q.id


def test_followups_have_turns(questions: list[Question]) -> None:
    for q in questions:
        if q.type == "followup" or q.turns:
            assert 2 <= len(q.turns) <= 3 and q.turns[0] == q.question, q.id
            assert all(t.strip() for t in q.turns), q.id


def test_gold_units_are_canonical(questions: list[Question], lex: UnitLexicon) -> None:
    for q in questions:
        assert len(q.gold_units) == len(set(q.gold_units)), q.id
        assert set(q.gold_units) <= set(lex.units), q.id


def test_single_task_golds_are_the_records_fields(
    questions: list[Question], by_id: dict[int, TaskRecord], lex: UnitLexicon
) -> None:
    """Independent of ``eval.gold``: single-task golds are the record's own fields."""

    def canon(units: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(lex.canon(u) for u in units))

    for q in questions:
        if q.type not in SINGLE_TYPES:
            continue
        assert len(q.gold_tasks) == 1 and q.target == {"task": q.gold_tasks[0]}, q.id
        r = by_id[q.gold_tasks[0]]
        if q.asks == "yes_no":  # 「方案里有没有…」: the task that says so
            assert (q.gold_units, q.gold_deadline) == ((), None), q.id
        elif q.asks == "text":
            assert (q.gold_units, q.gold_deadline) == (canon(r.lead_units), r.deadline), q.id
        elif q.asks == "lead":
            assert (q.gold_units, q.gold_deadline) == (canon(r.lead_units), None), q.id
        elif q.asks == "deadline":
            assert (q.gold_units, q.gold_deadline) == ((), r.deadline), q.id
        else:
            assert q.asks == "responsible" and q.gold_units == canon(r.responsible_units), q.id
            assert q.gold_units, f"{q.id}: a responsible question about a task with none"


def test_topic_golds_are_whole_sections(
    questions: list[Question], tasks: list[TaskRecord], lex: UnitLexicon
) -> None:
    for q in questions:
        if q.type != "who_leads_topic":
            continue
        sections = {t.section for t in tasks if t.task_id in q.gold_tasks}
        assert len(sections) == 1, q.id
        members = [t for t in tasks if t.section in sections]
        assert list(q.gold_tasks) == [t.task_id for t in members], q.id
        assert set(q.gold_units) == {lex.canon(u) for t in members for u in t.lead_units}, q.id


def test_aggregate_questions_have_queries(questions: list[Question]) -> None:
    for q in questions:
        if q.type in (*AGGREGATE_TYPES, "combination"):
            assert "query" in q.target, q.id


# -- the gold language itself ------------------------------------------------------------------------


def test_not_or_and(ev: Evaluator, tasks: list[TaskRecord], lex: UnitLexicon) -> None:
    section = tasks[0].section
    lead = lex.canon(tasks[0].lead_units[0])
    inside = [t for t in tasks if t.section == section]
    led = [t for t in inside if lead in {lex.canon(u) for u in t.lead_units}]
    others = ev.select({"and": [{"section": section}, {"not": {"lead": lead}}]})
    assert len(led) + len(others) == len(inside) and led and not set(led) & set(others)
    either = ev.select({"or": [{"section": section}, {"section": tasks[-1].section}]})
    assert len(either) == len(inside) + sum(t.section == tasks[-1].section for t in tasks)


def test_positions_count_from_both_ends(ev: Evaluator, tasks: list[TaskRecord]) -> None:
    section = tasks[-1].section
    members = [t for t in tasks if t.section == section]
    assert ev.select({"position": {"section": section, "index": 1}}) == [members[0]]
    assert ev.select({"position": {"section": section, "index": -2}}) == [members[-2]]
    assert ev.select({"position": {"section": section, "index": len(members) + 1}}) == []


def test_unknown_names_are_errors(ev: Evaluator) -> None:
    with pytest.raises(ValueError, match="unknown section"):
        ev.select({"section": "不存在"})
    with pytest.raises(ValueError, match="unknown unit"):
        ev.select({"lead": "旗海关"})
    with pytest.raises(ValueError, match="unknown expression key"):
        ev.select({"colour": "red"})
    assert compute_gold({"query": {"task_range": [9000, 9001]}}, "count", ev).tasks == ()


def test_a_folder_marked_sealed_puts_every_question_in_the_fresh_split(tmp_path: Path) -> None:
    line = json.loads(SEALED.read_text(encoding="utf-8").splitlines()[0])
    (tmp_path / "q.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert [q.split for q in read_file(tmp_path / "q.jsonl")] == ["dev"]
    (tmp_path / "SEALED").write_text("sealed\n", encoding="utf-8")
    assert [q.split for q in read_file(tmp_path / "q.jsonl")] == ["fresh"]
    assert load_questions(tmp_path / "q.jsonl", split="all") == []


def test_the_blind_batches_outside_data_questions_are_sealed() -> None:
    for name in ("fresh6", "plans-fresh1", "plans-fresh2"):
        path = SEALED.parents[1] / name / "questions.jsonl"
        assert {q.split for q in read_file(path)} == {"fresh"}, name
