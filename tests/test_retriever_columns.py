"""Column masks (the in-memory push-down) agree with the record predicate; topic evidence via callbacks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.deadlines import PERIODS, deadline_kind, parse_deadline
from corpus.lexicon import build_lexicon
from corpus.records import TaskRecord
from retriever import Retriever
from retriever.columns import Columns
from retriever.expr import (
    ANY_CITY,
    All,
    And,
    Benchmark,
    City,
    Doc,
    Due,
    Expr,
    Involves,
    Keys,
    Lead,
    NoResponsible,
    Not,
    Ongoing,
    Or,
    Recurring,
    Responsible,
    Section,
    TaskRange,
    Topic,
    WithinYear,
    matches,
)
from retriever.retriever import top_k_stable
from retriever.topic import TopicParams, describes, topic_matches


def leaves_for(tasks: Sequence[TaskRecord]) -> st.SearchStrategy[Expr]:
    lex = build_lexicon(tasks)
    sections = [*sorted({t.section for t in tasks}), "不存在的章节"]
    units = sorted({lex.canon(u) for t in tasks for u in (*t.lead_units, *t.responsible_units)})
    cities = [*sorted({t.benchmark_city for t in tasks if t.benchmark_city}), ANY_CITY, "火星"]
    labels = sorted({t.benchmark for t in tasks if t.benchmark})
    yms = st.tuples(st.integers(2021, 2025), st.integers(1, 12))
    keys = st.frozensets(st.sampled_from([t.key for t in tasks] + [("other-plan", 1)]), max_size=6)
    unit_sets = st.frozensets(st.sampled_from(units), min_size=1, max_size=3)
    return st.one_of(
        st.just(All()),
        st.sampled_from(sections).map(Section),
        unit_sets.map(Lead),
        unit_sets.map(Responsible),
        unit_sets.map(Involves),
        st.builds(Due, st.none() | yms, st.none() | yms),
        st.sampled_from(["", "持续推进", "长期坚持", "每季度"]).map(Ongoing),
        st.sampled_from([None, *PERIODS]).map(Recurring),
        st.just(WithinYear()),
        st.sampled_from(cities).map(City),
        st.sampled_from(labels).map(Benchmark),
        st.just(NoResponsible()),
        st.builds(lambda a, b: TaskRange(min(a, b), max(a, b)), st.integers(0, 500), st.integers(0, 500)),
        keys.map(Keys),
        st.frozensets(st.sampled_from([*sorted({t.doc_id for t in tasks}), "other-plan"]), min_size=1).map(
            Doc
        ),
    )


def expressions(tasks: Sequence[TaskRecord]) -> st.SearchStrategy[Expr]:
    return st.recursive(
        leaves_for(tasks),
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda ps: And(tuple(ps))),
            st.lists(inner, min_size=1, max_size=3).map(lambda ps: Or(tuple(ps))),
            inner.map(Not),
        ),
        max_leaves=6,
    )


@pytest.fixture(scope="module")
def columns(tasks: list[TaskRecord]) -> Columns:
    return Columns(tasks, build_lexicon(tasks))


def test_masks_equal_the_record_predicate(tasks: list[TaskRecord]) -> None:
    from dataclasses import replace

    # Two plans sharing numbers; the second writes deadlines of every kind (每季度, 年内, 长期坚持 …).
    written = ["每季度", "每月", "每年6月底前", "定期调度", "年内", "长期坚持", "2023年6月底前", "", "按半年"]
    second = [
        replace(
            t,
            doc_id="second-plan",
            deadline=(d := written[i % len(written)]),
            deadline_ym=parse_deadline(d, 2023),
            deadline_kind=deadline_kind(d)[0],
            deadline_every=deadline_kind(d)[1],
        )
        for i, t in enumerate(tasks[:100])
    ]
    records = [*tasks, *second]
    lex = build_lexicon(records)
    columns = Columns(records, lex)

    @settings(max_examples=300, deadline=None)
    @given(expressions(records))
    def check(e: Expr) -> None:
        want = [i for i, r in enumerate(records) if matches(e, r, lex)]
        assert np.flatnonzero(columns.mask(e)).tolist() == want, str(e)

    check()


def test_masks_on_named_fields(tasks: list[TaskRecord], columns: Columns) -> None:
    lex = build_lexicon(tasks)
    court = lex.canon(tasks[0].lead_units[0])
    e = And((Section(tasks[0].section), Not(Lead(frozenset({court})))))
    got = np.flatnonzero(columns.mask(e)).tolist()
    assert 0 not in got
    assert all(tasks[i].section == tasks[0].section for i in got)
    assert columns.section_rows(tasks[0].section)[0] == 0
    assert len(columns.section_rows("不存在的章节")) == 0
    assert len(columns.section_rows(None)) == len(tasks)


def test_top_k_stable_matches_a_full_stable_sort() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        values = rng.integers(0, 5, size=int(rng.integers(0, 40))).astype(np.float32)  # many ties
        k = int(rng.integers(1, 12))
        want = np.argsort(-values, kind="stable")[:k].tolist()
        assert top_k_stable(values, k).tolist() == want


def _containing(texts: Sequence[str]):  # type: ignore[no-untyped-def]
    def containing(words: Sequence[str]) -> npt.NDArray[np.int64]:
        return np.asarray([i for i, t in enumerate(texts) if any(w in t for w in words)], np.int64)

    return containing


def test_topic_evidence_through_callbacks() -> None:
    texts = [
        "推进电子证照共享应用",
        "电子证照 扩大 应用 场景",
        "优化 纳税 服务",
        "纳税 缴费 便利",
        "养老保险 服务",
        "其他 事项 一",
        "其他 事项 二",
        "其他 事项 三",
        "其他 事项 四",
        "其他 事项 五",
    ]
    sims = np.asarray([0.9, 0.88, 0.5, 0.5, 0.4, 0.3, 0.3, 0.3, 0.3, 0.95], np.float32)
    params = TopicParams(max_df_share=0.5)
    calls: list[list[int]] = []

    def similarity_of(rows: Sequence[int]) -> npt.NDArray[np.float32]:
        calls.append(list(rows))
        return sims[list(rows)]

    found = topic_matches(
        [("电子证照",)],
        n=len(texts),
        allowed=None,
        params=params,
        containing=_containing(texts),
        similarity_of=similarity_of,
        dense_above=lambda t: [i for i, s in enumerate(sims) if s >= t],
    )
    assert found is not None
    assert [m.index for m in found] == [0, 1, 9]  # two with the word, one by similarity alone
    assert calls == [[0, 1, 9]]  # only candidates are scored, never the whole plan
    assert found[0].words == ("电子证照",) and found[2].words == ()
    assert (
        topic_matches([("量子",)], n=len(texts), allowed=None, params=params, containing=_containing(texts))
        is None
    )
    within = topic_matches(
        [("纳税",)], n=len(texts), allowed=[2, 3, 4, 5], params=params, containing=_containing(texts)
    )
    assert within is None  # 纳税 is in half the pool: it describes the pool, it picks out nothing within it
    assert describes([("纳税",)], n=len(texts), pool=[2, 3], params=params, containing=_containing(texts))
    assert not describes(
        [("电子证照",)], n=len(texts), pool=[0, 2, 3, 4, 5], params=params, containing=_containing(texts)
    )


def test_containing_finds_every_text_once(fake_retriever: Retriever) -> None:
    r = fake_retriever
    word = r.records[3].text[2:5]
    texts = [r.records[i].text for i in range(len(r.records))]
    want = [i for i, t in enumerate(texts) if word in t]
    got = r.containing([word]).tolist()
    assert got == want and 3 in got
    both = r.containing([word, r.records[10].text[:3]]).tolist()
    assert 10 in both and sorted(set(both)) == both
    assert r.containing(["\u0000不可能出现的词"]).tolist() == []


def test_substring_index_equals_a_scan() -> None:
    from retriever.substring import SubstringIndex

    rng = np.random.default_rng(3)
    alphabet = list("电子证照养老服务纳税ab1")
    texts = ["".join(rng.choice(alphabet, size=int(rng.integers(0, 12)))) for _ in range(300)]
    texts += ["", "电", "𠀀𠀁电子"]  # empty, one character, characters beyond the BMP
    idx = SubstringIndex(texts)
    words = ["电", "电子", "证照养", "服务纳税", "aa", "𠀁电", "不在", "a1b", "照照照"]
    words += ["".join(rng.choice(alphabet, size=int(rng.integers(1, 5)))) for _ in range(200)]
    for w in words:
        want = [i for i, t in enumerate(texts) if w in t]
        assert idx.find(w).tolist() == want, w
    assert idx.find("").tolist() == []


def test_similarity_of_is_the_same_for_few_and_many_rows(fake_retriever: Retriever) -> None:
    r = fake_retriever
    n = len(r.records)
    every = r.similarity_of("营业执照办理", list(range(n)))  # many rows: one dot product with every vector
    few = [1, 5, n - 1]  # few rows: only those vectors
    assert np.allclose(r.similarity_of("营业执照办理", few), every[few], atol=1e-6)
    assert r.similarity_of("营业执照办理", []).shape == (0,)


def test_topic_evidence_is_remembered_until_forgotten(fake_retriever: Retriever) -> None:
    from dataclasses import replace

    r = fake_retriever
    r.forget()
    word = r.records[3].text[2:6]
    topic = Topic(word, ((word,),))
    first = r.topic(topic)
    assert first is not None and r.topic(topic) is first  # the same answer asks twice: computed once
    within = [m.index for m in first][:1]
    assert r.topic(topic, within=within) is not first  # another pool is another question
    params = r.topic_params
    try:
        r.topic_params = replace(params, min_lexical=params.min_lexical + 0.01)
        assert r.topic(topic) is not first  # other thresholds: judged again
    finally:
        r.topic_params = params
    r.forget()
    again = r.topic(topic)
    assert again is not first and again == first


def test_a_word_in_one_task_of_a_small_pool_does_not_describe_it() -> None:
    # In a pool of four, one task holding a word is a quarter of it, yet the word picks that task out.
    texts = [
        "备案 当场 办理",
        "投诉 平台",
        "新业态 电商",
        "通关 便利",
        "备案 登记",
        "其他",
        "其他 二",
        "其他 三",
    ]
    params = TopicParams(max_df_share=0.5)
    containing = _containing(texts)
    assert not describes([("当场",)], n=len(texts), pool=[0, 1, 2, 3], params=params, containing=containing)
    assert describes([("备案",)], n=len(texts), pool=[0, 3, 4], params=params, containing=containing)
