"""The Milvus store against the in-memory one on the real index (milvus-lite in a temporary folder): records
round trip, BM25 scores, filtered searches, the API's answers; pushing, the store spec, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from corpus.records import TaskRecord
from index.store import IndexLoadError, build_index, current_version_dir, load_index
from retriever import Retriever
from retriever.backends import StoreSpec, StoreSpecError, milvus_client, parse_store
from retriever.expr import (
    ANY_CITY,
    And,
    Benchmark,
    City,
    Due,
    Expr,
    Involves,
    Lead,
    Not,
    Ongoing,
    Or,
    Position,
    Recurring,
    Section,
    TaskRange,
    Topic,
    WithinYear,
    matches,
)
from retriever.milvus import MilvusStore
from retriever.milvus_load import push_index
from tests.api_helpers import make_settings
from tests.fakes import FakeEmbedder

pytest.importorskip("milvus_lite", reason="the [milvus] extra (milvus-lite) is not installed")

QUERIES = [
    "用电报装要多久",
    "法院牵头哪些任务？",
    "企业开办一天办结",
    "不动产登记",
    "招标投标 保证金",
    "who handles electricity connection",
    "纳税缴费便利化",
    "电子证照",
]


@pytest.fixture(scope="module")
def milvus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("milvus-real") / "tasks.db"


@pytest.fixture(scope="module")
def stores(real_index_root: Path, milvus_db: Path) -> Iterator[tuple[Retriever, MilvusStore]]:
    from index.embedders import make_embedder

    built = load_index(current_version_dir(real_index_root))
    client = milvus_client(StoreSpec("milvus-lite", path=milvus_db))
    push_index(built, client)
    embedder = make_embedder()
    yield Retriever(built, embedder), MilvusStore(client, "taskqa", embedder)


pytestmark = pytest.mark.integration


def test_records_and_what_the_plan_names_round_trip(stores: tuple[Retriever, MilvusStore]) -> None:
    memory, milvus = stores
    assert milvus.records == memory.records and len(milvus.records) == 482
    assert milvus.info == memory.info
    assert milvus.vocabulary() == memory.vocabulary()
    assert milvus.tokenizer.terms == memory.tokenizer.terms
    assert milvus.profile() == memory.profile()
    assert milvus.sections == memory.sections


def test_bm25_scores_equal_the_in_memory_scores(stores: tuple[Retriever, MilvusStore]) -> None:
    memory, milvus = stores
    for q in QUERIES:
        tokens = memory.tokenizer.tokenize(q)
        want = memory.bm25_scores_of(tokens)
        got = milvus.bm25_scores_of(tokens)
        assert np.count_nonzero(want) > 0 or q.isascii(), q  # no English word is in the plan
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=0, err_msg=q)
        assert milvus.bm25_top(tokens) == pytest.approx(memory.bm25_top(tokens), rel=1e-6)
    assert milvus.bm25_top(["\u0000不在词表"]) == 0.0


def _expressions(records: tuple[TaskRecord, ...], canon: Any) -> list[Expr | None]:
    court = canon("法院")
    power = records[232].section  # 获得电力
    return [
        None,
        Section(power),
        Lead(frozenset({court})),
        And((Section(power), Not(Lead(frozenset({canon(records[232].lead_units[0])}))))),
        Due((2022, 1), (2022, 6)),
        Ongoing(),
        Not(WithinYear()),
        City(ANY_CITY),
        Benchmark("自主创新"),
        Or((TaskRange(1, 40), Involves(frozenset({court})))),
        And((Section(power), Topic("报装", (("报装",),)))),
        Position(power, -1),
        Section("不存在的章节"),
    ]


def _view(hits: list[Any]) -> list[tuple[Any, ...]]:
    return [(h.record.key, h.rank, tuple((k, s.rank) for k, s in sorted(h.signals.items()))) for h in hits]


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_filtered_searches_equal_the_in_memory_ones(stores: tuple[Retriever, MilvusStore], mode: str) -> None:
    memory, milvus = stores
    for where in _expressions(memory.records, memory.lexicon.canon):
        for q in QUERIES:
            want = memory.search(q, top_k=20, where=where, mode=mode)  # type: ignore[arg-type]
            got = milvus.search(q, top_k=20, where=where, mode=mode)  # type: ignore[arg-type]
            assert _view(got) == _view(want), (q, str(where))
            assert [h.score for h in got] == pytest.approx([h.score for h in want], rel=1e-5)
    assert milvus.search("", where=Section(memory.records[0].section)) == memory.search(
        "", where=Section(memory.records[0].section)
    )


def test_signals_the_coverage_model_reads_equal(stores: tuple[Retriever, MilvusStore]) -> None:
    memory, milvus = stores
    for q in QUERIES:
        np.testing.assert_allclose(milvus.top_similarities(q, 8), memory.top_similarities(q, 8), rtol=1e-5)
        np.testing.assert_allclose(milvus.sample_scores(q), memory.sample_scores(q), rtol=1e-5)
        rows = [0, 17, 232, 481]
        np.testing.assert_allclose(milvus.similarity_of(q, rows), memory.similarity_of(q, rows), rtol=1e-5)
        for threshold in (0.93, 0.85):  # none of the first probe / more than it: the range search
            assert sorted(milvus.dense_above(q, threshold)) == sorted(memory.dense_above(q, threshold))
    assert len(memory.dense_above(QUERIES[0], 0.85)) > 16  # the range search did run


def test_the_api_answers_from_milvus_lite_as_from_memory(
    stores: tuple[Retriever, MilvusStore],
    milvus_db: Path,
    real_index_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api import create_app

    questions = [
        "谁牵头负责电力接入的任务？",
        "法院牵头哪些任务？",
        "2022年底前要完成哪些政务服务任务？",
        "第12条是什么？",
        "获得电力这一部分的最后一条是什么？",
        "对标上海的任务有哪些不是旗政务服务局牵头的？",
        "明天天气怎么样",
    ]

    def answers(app_tmp: Path) -> list[tuple[bool, list[int]]]:
        settings = make_settings(app_tmp, index_dir=real_index_root)
        out = []
        with TestClient(create_app(settings)) as c:
            for q in questions:
                body = c.post("/api/v1/ask", json={"question": q}).json()
                out.append((body["answerable"], [x["task_id"] for x in body["citations"]]))
        return out

    monkeypatch.setenv("TASKQA_STORE", "memory")
    (tmp_path / "m").mkdir()
    want = answers(tmp_path / "m")
    monkeypatch.setenv("TASKQA_STORE", f"milvus-lite:{milvus_db}")
    (tmp_path / "v").mkdir()
    got = answers(tmp_path / "v")
    assert got == want
    assert sum(1 for ok, cited in want if ok and cited) >= 5


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("redis://localhost:6379", "unknown store"),
        ("milvus-lite:/tmp/tasks", "ending in .db"),
        ("milvus://localhost", "HOST:PORT"),
        ("milvus://localhost:99999", "HOST:PORT"),
        ("milvus://localhost:19530?bm25=elastic", "bm25 is local or milvus"),
        ("milvus://localhost:19530?index=hnsw", "unknown or repeated option"),
        ("milvus://localhost:19530?collection=a-b", "letters, digits and underscores"),
        ("memory?bm25=milvus", "options belong to a Milvus store"),
    ],
)
def test_a_bad_spec_says_what_is_wrong_in_both_languages(spec: str, why: str) -> None:
    with pytest.raises(StoreSpecError, match=why) as err:
        parse_store(spec)
    assert "无效" in str(err.value) and "milvus-lite:PATH.db" in str(err.value)


def test_good_specs() -> None:
    assert parse_store("") == parse_store("memory") == StoreSpec("memory")
    lite = parse_store("milvus-lite:var/m.db?bm25=milvus")
    assert (lite.kind, lite.uri, lite.bm25, lite.collection) == (
        "milvus-lite",
        "var/m.db",
        "milvus",
        "taskqa",
    )
    server = parse_store("milvus://milvus.internal:19530?collection=plan2")
    assert (server.uri, server.collection, server.bm25) == ("http://milvus.internal:19530", "plan2", "local")


def test_settings_refuse_a_bad_store_without_echoing_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="invalid TASKQA_STORE") as err:
        make_settings(tmp_path, store="milvus://secret-host")
    assert "secret-host" not in str(err.value)


def test_the_cli_refuses_several_workers_on_milvus_lite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from api.__main__ import main

    monkeypatch.setenv("TASKQA_STORE", f"milvus-lite:{tmp_path / 'm.db'}")
    monkeypatch.setenv("TASKQA_FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    assert main(["--workers", "2", "--no-build"]) == 2
    assert "--workers 1" in capsys.readouterr().err


def _built(tasks: list[TaskRecord], n: int) -> Any:
    built, _ = build_index(records=tasks[:n], embedder=FakeEmbedder(), corpus_digest=f"first-{n}")
    return built


def test_push_is_idempotent_and_keeps_the_version_being_served(
    tasks: list[TaskRecord], tmp_path: Path
) -> None:
    client = milvus_client(StoreSpec("milvus-lite", path=tmp_path / "p.db"))
    a, b, c = (_built(tasks, n) for n in (50, 60, 70))
    first = push_index(a, client, alias="plan")
    assert first.status == "pushed (50 tasks)"
    assert push_index(a, client, alias="plan").status == "up-to-date"
    store_a = MilvusStore(client, "plan", FakeEmbedder())
    push_index(b, client, alias="plan")
    assert len(MilvusStore(client, "plan", FakeEmbedder()).records) == 60
    assert len(store_a.search("营商环境", top_k=3)) == 3  # the version it opened is still there
    push_index(c, client, alias="plan")
    names = set(client.list_collections())
    assert first.collection not in names and f"{first.collection}_terms" not in names  # two back: dropped
    assert len(MilvusStore(client, "plan", FakeEmbedder()).records) == 70
    forced = push_index(c, client, alias="plan", force=True)
    assert forced.status == "pushed (70 tasks)" and forced.collection.endswith("_b")


def test_refusals_name_the_fix(tasks: list[TaskRecord], tmp_path: Path) -> None:
    client = milvus_client(StoreSpec("milvus-lite", path=tmp_path / "r.db"))
    with pytest.raises(IndexLoadError, match="python -m retriever push"):
        MilvusStore(client, "nothing", FakeEmbedder())
    push_index(_built(tasks, 30), client, alias="plan")
    with pytest.raises(IndexLoadError, match="TASKQA_EMBEDDER"):
        MilvusStore(client, "plan", FakeEmbedder(name="another-model"))
    with pytest.raises(IndexLoadError, match=r"\?bm25=milvus"):
        MilvusStore(client, "plan", FakeEmbedder(), bm25="milvus")


def test_milvus_full_text_bm25(tasks: list[TaskRecord], tmp_path: Path) -> None:
    client = milvus_client(StoreSpec("milvus-lite", path=tmp_path / "f.db"))
    push_index(_built(tasks, len(tasks)), client, alias="plan", fulltext=True)
    store = MilvusStore(client, "plan", FakeEmbedder(), bm25="milvus")
    hits = store.search("用电报装", top_k=5, mode="bm25")
    assert hits and all(h.record.section == "获得电力" for h in hits[:3])
    assert all((h.signals["bm25"].score or 0) > 0 for h in hits)
    within = store.search("用电报装", top_k=5, mode="bm25", where=Not(Section("获得电力")))
    assert all(h.record.section != "获得电力" for h in within)
    assert store.bm25_top(store.tokenizer.tokenize("用电报装")) == pytest.approx(hits[0].score)


def test_two_plans_answer_as_in_memory(tasks: list[TaskRecord], tmp_path: Path) -> None:
    """Two plans sharing task numbers (as tests/test_qa_plans.py): the same answers, scoped or not, and
    ``Doc`` / cross-plan ``Keys`` filters pushed down."""
    from dataclasses import replace

    from qa import QA
    from retriever.expr import Doc, Keys

    first = [replace(t, doc_id="a") for t in tasks[:120]]
    second = [
        replace(t, doc_id="b", deadline="2023年6月底前", deadline_ym=(2023, 6), deadline_kind="dated")
        for t in tasks[:120]
    ]
    built, _ = build_index(records=[*first, *second], embedder=FakeEmbedder(), corpus_digest="two-plans")
    client = milvus_client(StoreSpec("milvus-lite", path=tmp_path / "two.db"))
    push_index(built, client)
    memory = Retriever(built, FakeEmbedder())
    milvus = MilvusStore(client, "taskqa", FakeEmbedder())
    for where in (Doc(frozenset({"b"})), Keys(frozenset({("a", 5), ("b", 7)})), Not(Doc(frozenset({"a"})))):
        assert _view(milvus.search("电子证照", where=where)) == _view(memory.search("电子证照", where=where))
    mq, vq = QA(memory), QA(milvus)
    for question in (
        "第5条是什么？",
        "旗政务服务局牵头哪些任务？",
        "完成时限是2023年6月的任务有哪些",
        "倒数第二条是什么？",
    ):
        for doc_id in (None, "b"):
            want, got = mq.answer(question, doc_id=doc_id), vq.answer(question, doc_id=doc_id)
            assert (got.text, [c.key for c in got.citations]) == (want.text, [c.key for c in want.citations])


def test_the_plans_profiles_travel_with_the_push(tmp_path: Path) -> None:
    """The fixture plans with their profiles: the collection carries them, so MilvusStore reads units in each
    plan, names plans and scopes questions as the in-memory store does."""
    from corpus import load_plan
    from qa import QA
    from tests.plan_fixtures import PLANS

    plans = [load_plan(PLANS / "yunling-2023.docx"), load_plan(PLANS / "qingchuan-2024.xlsx")]
    records = [t for p in plans for t in p.document.tasks]
    built, _ = build_index(
        records=records, embedder=FakeEmbedder(), corpus_digest="fixtures", plans=[p.profile for p in plans]
    )
    client = milvus_client(StoreSpec("milvus-lite", path=tmp_path / "plans.db"))
    push_index(built, client)
    memory = Retriever(built, FakeEmbedder())
    milvus = MilvusStore(client, "taskqa", FakeEmbedder())
    assert milvus.plans == memory.plans == built.plans
    for where in (Recurring("quarter"), Recurring(None), Ongoing(), Not(Recurring("month"))):
        want_keys = [r.key for r in records if matches(where, r, memory.lexicon)]
        assert [r.key for r in milvus.select(where)] == [r.key for r in memory.select(where)] == want_keys
        assert want_keys or where == Recurring("month")
    assert milvus.lexicon == memory.lexicon
    mq, vq = QA(memory), QA(milvus)
    assert vq.naming == mq.naming and set(vq.naming.shorts) == {"yunling-2023", "qingchuan-2024"}
    for question in (
        "青川市税务局牵头哪些任务？",
        "云岭州第5条是什么？",
        "2023年的方案里财政局负责什么",
        "青川市每季度要做的事情有哪些",  # the deadline's kind and period, pushed down
        "云岭州定期开展的工作有哪些",
        "哪些任务是长期坚持的",
    ):
        want, got = mq.answer(question), vq.answer(question)
        assert (got.text, [c.key for c in got.citations]) == (want.text, [c.key for c in want.citations])
        assert got.citations
