"""The labeled evaluation question set (eval/questions.jsonl) is valid, complete and up to date."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from corpus import TaskRecord, UnitLexicon, build_lexicon
from eval.build_questions import DEV_ONLY_PREFIXES, QUESTIONS_PATH, build, render, split_of
from eval.questions import AGGREGATE_TYPES
from eval.questions import TYPES as TYPE_NAMES

TYPES = set(TYPE_NAMES)  # the harness's list: the builder and the reader must agree
AGGREGATE = set(AGGREGATE_TYPES)
FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "question": str,
    "type": str,
    "gold_tasks": list,
    "gold_units": list,
    "gold_deadline": (str, type(None)),
    "answerable": bool,
    "note": str,
    "split": str,
}
Question = dict[str, object]


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    lines = Path(QUESTIONS_PATH).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def lex(tasks: list[TaskRecord]) -> UnitLexicon:
    return build_lexicon(tasks)


@pytest.fixture(scope="module")
def by_id(tasks: list[TaskRecord]) -> dict[int, TaskRecord]:
    return {t.task_id: t for t in tasks}


def _ints(q: Question) -> list[int]:
    gold = q["gold_tasks"]
    assert isinstance(gold, list)
    return [int(t) for t in gold]


def _strs(q: Question, key: str) -> list[str]:
    value = q[key]
    assert isinstance(value, list)
    return [str(v) for v in value]


def _canon(units: tuple[str, ...], lex: UnitLexicon) -> list[str]:
    return list(dict.fromkeys(lex.canon(u) for u in units))


def test_file_matches_a_fresh_build(tasks: list[TaskRecord]) -> None:
    """Every gold (aggregate ones included) equals a recomputation from the records: a stale file fails."""
    assert Path(QUESTIONS_PATH).read_text(encoding="utf-8") == render(build(tasks))


def test_schema(questions: list[Question]) -> None:
    for q in questions:
        expected = set(FIELDS) | ({"turns"} if q.get("type") == "followup" else set())
        assert set(q) == expected, q.get("id")
        for key, kind in FIELDS.items():
            assert isinstance(q[key], kind), (q["id"], key)
        assert q["type"] in TYPES, q["id"]
        assert q["split"] in ("dev", "test"), q["id"]
        assert str(q["question"]).strip(), q["id"]
        assert str(q["note"]).strip(), q["id"]
        assert all(isinstance(t, int) and not isinstance(t, bool) for t in _ints(q)), q["id"]
        assert all(isinstance(u, str) and u for u in _strs(q, "gold_units")), q["id"]


def test_size_and_unique_ids(questions: list[Question]) -> None:
    assert len(questions) >= 250
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids))
    texts = [json.dumps(q.get("turns") or q["question"], ensure_ascii=False) for q in questions]
    assert len(texts) == len(set(texts)), "duplicate question text"


def test_every_type_in_both_splits(questions: list[Question]) -> None:
    seen = {(q["type"], q["split"]) for q in questions}
    for qtype in TYPES:
        assert (qtype, "dev") in seen, qtype
        assert (qtype, "test") in seen, qtype


def test_split_follows_the_hash_rule(questions: list[Question]) -> None:
    """Ids of the dev-only batches are always dev; every other id is split by its hash (≈40% dev)."""
    assert DEV_ONLY_PREFIXES == ("dev2-", "dev3-", "dev4-")
    hashed = []
    for q in questions:
        qid = str(q["id"])
        assert q["split"] == split_of(qid), qid
        if qid.startswith(DEV_ONLY_PREFIXES):
            assert q["split"] == "dev", qid
        else:
            hashed.append(q)
    assert split_of("dev2-lookup-999") == "dev"
    assert split_of("dev3-lookup-999") == "dev"
    dev = sum(q["split"] == "dev" for q in hashed) / len(hashed)
    assert 0.3 <= dev <= 0.5


@pytest.mark.parametrize("prefix", DEV_ONLY_PREFIXES)
def test_dev_only_batch_is_dev_and_every_type_is_in_it(questions: list[Question], prefix: str) -> None:
    dev_only = [q for q in questions if str(q["id"]).startswith(prefix)]
    assert dev_only, f"the dev-only batch {prefix} is missing"
    assert all(q["split"] == "dev" for q in dev_only)
    assert {q["type"] for q in dev_only} == TYPES
    for q in dev_only:
        assert str(q["id"]).removeprefix(prefix).startswith(f"{q['type']}-"), q["id"]


def test_type_mix(questions: list[Question]) -> None:
    counts = Counter(q["type"] for q in questions)
    # The later dev batches weigh out-of-scope questions more (refusal is where fresh phrasing hurt most).
    assert 0.08 <= counts["out_of_scope"] / len(questions) <= 0.20
    assert counts["followup"] >= 12
    for qtype in TYPES:
        assert counts[qtype] >= 10, qtype


def test_gold_tasks_exist_and_all_sections_are_covered(
    questions: list[Question], by_id: dict[int, TaskRecord]
) -> None:
    sections: set[int] = set()
    for q in questions:
        gold = _ints(q)
        assert gold == sorted(set(gold)), q["id"]
        for t in gold:
            assert t in by_id, (q["id"], t)
            sections.add(by_id[t].section_no)
    assert sections == {t.section_no for t in by_id.values()}
    assert len(sections) == 21


def test_out_of_scope_and_answerable(questions: list[Question]) -> None:
    for q in questions:
        if q["type"] == "out_of_scope":
            assert q["answerable"] is False, q["id"]
            assert q["gold_tasks"] == [] and q["gold_units"] == [] and q["gold_deadline"] is None, q["id"]
        else:
            assert q["answerable"] is True, q["id"]
            assert _ints(q), q["id"]


def test_followups_have_two_turns(questions: list[Question]) -> None:
    for q in questions:
        if q["type"] != "followup":
            continue
        turns = q["turns"]
        assert isinstance(turns, list) and len(turns) == 2, q["id"]
        assert all(isinstance(t, str) and t.strip() for t in turns), q["id"]
        assert turns[0] == q["question"], q["id"]


def test_gold_units_are_canonical(questions: list[Question], lex: UnitLexicon) -> None:
    known = set(lex.units)
    for q in questions:
        units = _strs(q, "gold_units")
        assert len(units) == len(set(units)), q["id"]
        for u in units:
            assert u in known, (q["id"], u)


def test_single_task_golds_are_the_records_fields(
    questions: list[Question], by_id: dict[int, TaskRecord], lex: UnitLexicon
) -> None:
    for q in questions:
        if q["type"] not in ("lookup", "who_leads_task", "deadline", "responsible"):
            continue
        gold = _ints(q)
        assert len(gold) == 1, q["id"]
        r = by_id[gold[0]]
        units = _strs(q, "gold_units")
        if q["type"] == "lookup":
            assert units == _canon(r.lead_units, lex), q["id"]
            assert q["gold_deadline"] == r.deadline, q["id"]
        elif q["type"] == "who_leads_task":
            assert units == _canon(r.lead_units, lex), q["id"]
            assert q["gold_deadline"] is None, q["id"]
        elif q["type"] == "deadline":
            assert units == [], q["id"]
            assert q["gold_deadline"] == r.deadline, q["id"]
        else:
            assert units == _canon(r.responsible_units, lex), q["id"]
            assert units, q["id"]
            assert q["gold_deadline"] is None, q["id"]


def test_topic_golds_are_whole_sections(
    questions: list[Question], tasks: list[TaskRecord], lex: UnitLexicon
) -> None:
    """Independent of the builder: a topic gold is every task of one section and all of their leads."""
    for q in questions:
        if q["type"] != "who_leads_topic":
            continue
        gold = _ints(q)
        section = {t.section for t in tasks if t.task_id in gold}
        assert len(section) == 1, q["id"]
        members = [t for t in tasks if t.section in section]
        assert gold == [t.task_id for t in members], q["id"]
        leads = {lex.canon(u) for t in members for u in t.lead_units}
        assert set(_strs(q, "gold_units")) == leads, q["id"]
        assert q["gold_deadline"] is None, q["id"]


def test_unit_tasks_golds_are_led_by_the_unit(
    questions: list[Question], by_id: dict[int, TaskRecord], lex: UnitLexicon
) -> None:
    """Independent of the builder: every gold task is led by a gold unit; an unnarrowed question has all."""
    for q in questions:
        if q["type"] != "unit_tasks":
            continue
        units = set(_strs(q, "gold_units"))
        assert units, q["id"]
        gold = _ints(q)
        for t in gold:
            assert {lex.canon(u) for u in by_id[t].lead_units} & units, (q["id"], t)
        # The note starts with the query the builder ran; "lead=X" alone means the unit is not narrowed.
        query = str(q["note"]).split(";")[0]
        if query.startswith(("tasks: lead=", "count: lead=")) and "," not in query:
            everything = [r.task_id for r in by_id.values() if {lex.canon(u) for u in r.lead_units} & units]
            assert gold == sorted(everything), q["id"]


def test_aggregate_golds_are_non_trivial(questions: list[Question]) -> None:
    for q in questions:
        if q["type"] in AGGREGATE:
            assert _ints(q), q["id"]
