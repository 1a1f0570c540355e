"""Two plans loaded together: every reference names its plan and no citation can point at the wrong one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corpus import TaskRecord
from qa import QA, check_citations, cited_keys


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory: pytest.TempPathFactory, tasks: list[TaskRecord]) -> QA:
    """The first 120 tasks as plan ``a`` and again, with other deadlines, as plan ``b`` (same numbers)."""
    from index.store import build_and_save, current_version_dir
    from retriever import load_retriever
    from tests.fakes import FakeEmbedder

    first = [replace(t, doc_id="a") for t in tasks[:120]]
    second = [
        replace(t, doc_id="b", deadline="2023年6月底前", deadline_ym=(2023, 6), deadline_kind="dated")
        for t in tasks[:120]
    ]
    root = tmp_path_factory.mktemp("two-plans")
    build_and_save(root=root, embedder=FakeEmbedder(), records=[*first, *second])
    return QA(load_retriever(current_version_dir(root), embedder=FakeEmbedder()))


QUESTIONS = [
    "第5条是什么？",
    "第3条谁牵头？",
    "旗政务服务局牵头哪些任务？",
    "政务服务有哪些任务？",
    "2023年6月底前要完成哪些任务？",
    "2022年底前要完成哪些任务？",
    "谁牵头负责电子证照的任务？",
    "倒数第二条是什么？",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_reference_names_its_plan_and_matches_the_citations(two_plans: QA, question: str) -> None:
    ans = two_plans.answer(question)
    assert check_citations(ans, two_plans.naming) == []
    keys = cited_keys(ans.text, two_plans.naming)
    assert all(doc in ("a", "b") for doc, _ in keys)  # no reference without its plan
    assert len(set(keys)) == len(keys)
    assert [c.key for c in ans.citations] == keys
    for c in ans.citations:  # the cited record is the one the plan holds, not its namesake in the other plan
        assert c.deadline == ("2023年6月底前" if c.doc_id == "b" else c.deadline)


def test_the_same_number_in_two_plans_never_merges(two_plans: QA, tasks: list[TaskRecord]) -> None:
    ans = two_plans.answer("第5条是什么？")
    assert {c.key for c in ans.citations} >= {("a", 5), ("b", 5)}
    assert "《a》第5条" in ans.text and "《b》第5条" in ans.text
    dated = two_plans.answer("完成时限是2023年6月的任务有哪些")
    assert dated.citations and {c.doc_id for c in dated.citations} == {"b"}


def test_one_plan_keeps_bare_references(fake_qa: QA) -> None:
    ans = fake_qa.answer("第5条是什么？")
    assert "《" not in ans.text.split("：")[0] and cited_keys(ans.text, fake_qa.naming)[0][1] == 5


def test_an_answer_scoped_to_one_plan_cites_only_it(two_plans: QA) -> None:
    for question in ("第5条是什么？", "旗政务服务局牵头哪些任务？", "政务服务有哪些任务？"):
        ans = two_plans.answer(question, doc_id="b")
        assert ans.citations and {c.doc_id for c in ans.citations} == {"b"}, question
        assert check_citations(ans, two_plans.naming) == []
    with pytest.raises(ValueError):
        two_plans.answer("第5条是什么？", doc_id="no-such-plan")


@pytest.mark.parametrize("then", ["那它配合的呢", "这个单位还牵头哪些事"])
def test_the_unit_swapped_in_stays_in_the_previous_answers_plan(two_plans: QA, then: str) -> None:
    """A unit's other role (「那它配合的呢」) or its other tasks (「这个单位还牵头哪些事」) after an answer
    from one plan are asked of that plan."""
    from qa import SessionStore

    s = SessionStore().get(None)
    first = two_plans.answer("旗政务服务局牵头哪些任务？", session=s, doc_id="a")
    assert {r.doc_id for r in first.citations} == {"a"}
    reading = two_plans.read(then, session=s)
    assert "Doc(a)" in str(reading.plan), reading.plan
