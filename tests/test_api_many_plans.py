"""The API over several plans (the shipped plan and the two fixture plans, fake embedder): feedback that
records the plans an answer cites, listings named and filtered by plan, deadlines with their kind, and each
plan's own source link."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from api.engine import Engine, make_engine
from api.feedback import FeedbackStore
from eval.plans import gather_plans
from index.store import build_and_save, current_version_dir
from retriever import load_retriever
from tests.api_helpers import assert_error, fake_app, make_settings
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (ROOT / "corpus" / "data" / "plans", ROOT / "tests" / "data" / "plans")
FIRST, YUNLING, QINGCHUAN = "ejin-horo-business-environment-plan-2022", "yunling-2023", "qingchuan-2024"
TOKEN = "k" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FEEDBACK, ADMIN_FEEDBACK = "/api/v1/feedback", "/api/v1/admin/feedback"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("three-plans-api")
    gather_plans(FOLDERS, root / "plans")
    build_and_save(root=root / "index", data_dir=root / "plans", embedder=FakeEmbedder())

    def loader(_: Settings) -> Engine:
        return make_engine(load_retriever(current_version_dir(root / "index"), embedder=FakeEmbedder()))

    settings = make_settings(root, admin_token=TOKEN, data_dir=root / "plans")
    with TestClient(create_app(settings, engine_loader=loader)) as c:
        yield c


def rating(**extra: Any) -> dict[str, Any]:
    return {"question": "谁负责这件事？", "answer": "由某局牵头。", "rating": "down", **extra}


# -- feedback names the plans the rated answer cites -----------------------------------------------------


def test_feedback_records_the_plans_of_the_answer(client: TestClient) -> None:
    first = client.post(FEEDBACK, json=rating(doc_id=[YUNLING, FIRST])).json()["id"]
    one = client.post(FEEDBACK, json=rating(doc_id=QINGCHUAN)).json()["id"]
    unknown = client.post(FEEDBACK, json=rating()).json()["id"]  # several plans served: not guessed
    items = {i["id"]: i for i in client.get(ADMIN_FEEDBACK, headers=AUTH).json()["items"]}
    assert items[first]["doc_ids"] == [FIRST, YUNLING]
    assert items[first]["doc_id"] == f"{FIRST},{YUNLING}"
    assert (items[one]["doc_id"], items[one]["doc_ids"]) == (QINGCHUAN, [QINGCHUAN])
    assert (items[unknown]["doc_id"], items[unknown]["doc_ids"]) == (None, [])


def test_feedback_naming_a_plan_not_served_is_refused_in_both_languages(client: TestClient) -> None:
    refused = client.post(FEEDBACK, json=rating(doc_id=[FIRST, "no-such-plan"]))
    err = assert_error(refused, 404, "unknown_plan")  # as /ask answers a plan not served
    assert "no-such-plan" in err["message"]


def test_with_one_plan_served_feedback_is_about_it(tmp_path: Path, fake_retriever: Any) -> None:
    settings = make_settings(tmp_path, admin_token=TOKEN)
    with TestClient(fake_app(settings, fake_retriever)) as c:
        assert c.post(FEEDBACK, json=rating()).status_code == 201
        (item,) = c.get(ADMIN_FEEDBACK, headers=AUTH).json()["items"]
    assert item["doc_id"] == FIRST


OLD_SCHEMA = """CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, session_id TEXT, question TEXT NOT NULL,
    answer TEXT NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT)"""


def test_a_database_written_before_plans_were_recorded_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "fb.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(OLD_SCHEMA)
        conn.execute(
            "INSERT INTO feedback (created_at, session_id, question, answer, rating, comment)"
            " VALUES ('2026-01-02T03:04:05+00:00', 'c1', '旧问题', '旧回答', 'up', '旧意见')"
        )
    store = FeedbackStore(path)
    FeedbackStore(path)  # a second start (another worker) finds the column there and adds nothing
    new_id = store.add(question="新问题", answer="新回答", rating="down", doc_ids=(YUNLING,))
    new, old = store.recent()
    assert (old.id, old.question, old.comment, old.session_id) == (1, "旧问题", "旧意见", "c1")
    assert old.doc_ids == ()
    assert (new.id, new.question, new.doc_ids) == (new_id, "新问题", (YUNLING,))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT doc_id FROM feedback ORDER BY id").fetchall() == [(None,), (YUNLING,)]


# -- listings name their plan and take one ----------------------------------------------------------------


def test_sections_name_their_plan_and_filter_by_it(client: TestClient) -> None:
    every = client.get("/api/v1/sections").json()["sections"]
    shorts = {p["doc_id"]: p["short_title"] for p in client.get("/api/v1/plans").json()["plans"]}
    assert {s["doc_id"] for s in every} == {FIRST, YUNLING, QINGCHUAN}
    assert all(s["short_title"] == shorts[s["doc_id"]] for s in every)
    tasks = {p["doc_id"]: p["task_count"] for p in client.get("/api/v1/plans").json()["plans"]}
    for doc in (FIRST, YUNLING, QINGCHUAN):
        one = client.get("/api/v1/sections", params={"doc_id": doc}).json()["sections"]
        assert one == [s for s in every if s["doc_id"] == doc]
        assert [s["section_no"] for s in one] == list(range(1, len(one) + 1))
        assert sum(s["count"] for s in one) == tasks[doc]
    assert client.get("/api/v1/sections", params={"doc_id": ""}).json()["sections"] == every


def test_units_and_cities_of_one_plan(client: TestClient) -> None:
    every = client.get("/api/v1/units").json()["units"]
    one = client.get("/api/v1/units", params={"doc_id": YUNLING}).json()["units"]
    assert one and all(u["doc_ids"] == [YUNLING] for u in one)
    assert {u["unit"] for u in one} == {u["unit"] for u in every if YUNLING in u["doc_ids"]}
    led = client.get("/api/v1/tasks", params={"doc_id": YUNLING, "lead_unit": one[0]["unit"]}).json()
    assert led["total"] == one[0]["lead_count"]
    first_cities = client.get("/api/v1/cities", params={"doc_id": FIRST}).json()["cities"]
    assert first_cities and all(c["doc_ids"] == [FIRST] for c in first_cities)


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("GET", "/api/v1/sections", {"params": {"doc_id": "no-such-plan"}}),
        ("GET", "/api/v1/units", {"params": {"doc_id": "no-such-plan"}}),
        ("GET", "/api/v1/cities", {"params": {"doc_id": "no-such-plan"}}),
        ("GET", "/api/v1/tasks", {"params": {"doc_id": "no-such-plan"}}),
        ("GET", "/api/v1/tasks/1", {"params": {"doc_id": "no-such-plan"}}),
        ("POST", "/api/v1/search", {"json": {"query": "营业执照", "filters": {"doc_id": "no-such-plan"}}}),
        ("POST", "/api/v1/search", {"json": {"filters": {"doc_id": "no-such-plan"}}}),
    ],
)
def test_an_unknown_plan_is_a_404_in_both_languages(
    client: TestClient, method: str, url: str, kwargs: dict[str, Any]
) -> None:
    err = assert_error(client.request(method, url, **kwargs), 404, "unknown_plan")
    assert "no-such-plan" in err["message"] and "/api/v1/plans" in err["message"]


def test_a_plan_filter_given_twice_is_refused(client: TestClient) -> None:
    r = client.get("/api/v1/sections", params=[("doc_id", FIRST), ("doc_id", YUNLING)])
    assert_error(r, 422, "repeated_parameter")


# -- deadlines carry their kind ----------------------------------------------------------------------------


def test_citations_and_hits_carry_the_deadline_kind(client: TestClient) -> None:
    items = []
    for doc in (FIRST, YUNLING, QINGCHUAN):
        page = client.get("/api/v1/tasks", params={"doc_id": doc, "page_size": 200}).json()
        assert page["total"] <= 482
        items += page["items"]
        while len(items) < page["total"] and page["items"]:
            page = client.get(
                "/api/v1/tasks", params={"doc_id": doc, "page_size": 200, "page": page["page"] + 1}
            ).json()
            items += page["items"]
    kinds = {i["deadline_kind"] for i in items}
    assert (
        {"dated", "recurring", "ongoing"} <= kinds <= {"dated", "within_year", "recurring", "ongoing", "none"}
    )
    recurring = [i for i in items if i["deadline_kind"] == "recurring"]
    assert any(i["deadline_every"] for i in recurring)
    assert all(i["deadline_every"] is None for i in items if i["deadline_kind"] != "recurring")
    hit = client.post("/api/v1/search", json={"query": recurring[0]["text"][:12]}).json()["hits"][0]
    assert {"deadline_kind", "deadline_every"} <= set(hit)


@pytest.mark.parametrize("kinds", [["recurring"], ["ongoing", "recurring"], "within_year"])
def test_the_deadline_kind_filters_listings_and_searches(client: TestClient, kinds: list[str] | str) -> None:
    wanted = {kinds} if isinstance(kinds, str) else set(kinds)
    listed = client.get("/api/v1/tasks", params={"deadline_kind": kinds, "page_size": 200}).json()
    assert all(i["deadline_kind"] in wanted for i in listed["items"])
    every = client.get("/api/v1/tasks", params={"page_size": 200}).json()["total"]
    counted = 0
    for page in range(1, every // 200 + 2):
        items = client.get("/api/v1/tasks", params={"page_size": 200, "page": page}).json()["items"]
        counted += sum(1 for i in items if i["deadline_kind"] in wanted)
    assert listed["total"] == counted
    filtered = client.post("/api/v1/search", json={"filters": {"deadline_kind": kinds}}).json()["hits"]
    assert len(filtered) == counted
    ranked = client.post(
        "/api/v1/search", json={"query": "企业", "top_k": 50, "filters": {"deadline_kind": kinds}}
    ).json()["hits"]
    assert all(h["deadline_kind"] in wanted for h in ranked)


def test_an_unknown_deadline_kind_is_refused(client: TestClient) -> None:
    assert_error(client.get("/api/v1/tasks", params={"deadline_kind": "soon"}), 422, "invalid_value")
    r = client.post("/api/v1/search", json={"query": "企业", "filters": {"deadline_kind": ["dated", "soon"]}})
    assert_error(r, 422, "invalid_value")


# -- each plan links to where it is published ---------------------------------------------------------------

QINGCHUAN_URL = "https://www.qingchuan.example/zwgk/2024/yshj-fgb.html"  # its override file's source_url


def test_each_plan_links_to_its_own_publication(client: TestClient) -> None:
    plans = {p["doc_id"]: p["source_url"] for p in client.get("/api/v1/plans").json()["plans"]}
    assert plans == {FIRST: None, YUNLING: None, QINGCHUAN: QINGCHUAN_URL}
    config = {p["doc_id"]: p["source_url"] for p in client.get("/api/v1/config").json()["plans"]}
    assert config == plans
    for doc, url in plans.items():
        item = client.get("/api/v1/tasks", params={"doc_id": doc, "page_size": 1}).json()["items"][0]
        assert item["source_url"] == url
        assert client.get("/api/v1/tasks/1", params={"doc_id": doc}).json()["source_url"] == url
    hits = client.post("/api/v1/search", json={"query": "营商环境", "top_k": 50}).json()["hits"]
    assert {h["doc_id"] for h in hits} >= {QINGCHUAN}
    assert all(h["source_url"] == plans[h["doc_id"]] for h in hits)
    page = client.get(f"/tasks/{QINGCHUAN}/1").text
    assert f'href="{QINGCHUAN_URL}"' in page
    assert "qingchuan.example" not in client.get(f"/tasks/{YUNLING}/1").text


def test_the_setting_still_links_a_lone_plan(tmp_path: Path, fake_retriever: Any) -> None:
    url = "https://www.yjhlq.gov.cn/plan.html"
    with TestClient(fake_app(make_settings(tmp_path, source_url=url), fake_retriever)) as c:
        (plan,) = c.get("/api/v1/plans").json()["plans"]
        cited = c.get("/api/v1/tasks/5").json()
    assert plan["source_url"] == cited["source_url"] == url


# -- example questions of each plan -----------------------------------------------------------------------


def test_each_plans_examples_are_its_own_and_answered_from_it(client: TestClient) -> None:
    plans = client.get("/api/v1/config").json()["plans"]
    units = {
        p["doc_id"]: {
            u["unit"] for u in client.get("/api/v1/units", params={"doc_id": p["doc_id"]}).json()["units"]
        }
        for p in plans
    }
    for plan in plans:
        doc, examples = plan["doc_id"], plan["examples"]
        assert len(examples["zh"]) == len(examples["en"]) == 4
        lead = examples["zh"][0].removesuffix("牵头哪些任务？")
        assert lead in units[doc]  # a real unit of this plan
        for question in examples["zh"] + examples["en"]:
            body = client.post("/api/v1/ask", json={"question": question, "doc_id": doc}).json()
            assert body["answerable"] and body["citations"], (doc, question, body["answer"])
            assert {c["doc_id"] for c in body["citations"]} == {doc}
    assert len({tuple(p["examples"]["zh"]) for p in plans}) == 3


# -- short unit names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "doc", "unit"),
    [
        ("发改委牵头哪些任务？", QINGCHUAN, "市发展改革委"),
        ("人社局牵头哪些任务？", YUNLING, "州人力资源社会保障局"),
        ("住建局牵头哪些任务？", QINGCHUAN, "市住房城乡建设局"),
    ],
)
def test_a_short_unit_name_finds_the_plans_unit(
    client: TestClient, question: str, doc: str, unit: str
) -> None:
    body = client.post("/api/v1/ask", json={"question": question, "doc_id": doc}).json()
    led = client.get("/api/v1/tasks", params={"doc_id": doc, "lead_unit": unit, "page_size": 200}).json()
    assert led["total"] > 0
    assert body["answerable"] and unit in body["answer"]
    assert {(c["doc_id"], c["task_id"]) for c in body["citations"]} == {
        (doc, i["task_id"]) for i in led["items"]
    }
