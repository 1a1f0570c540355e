"""Task pages and the plan list over several plans (the shipped plan and the two fixture plans, fake
embedder): ``/tasks/{doc_id}/{id}``, ``/tasks/{id}`` answering an ambiguous number with the plans that have it
(or a redirect when one has it), never another plan's task; unknown plans and tasks are HTML 404s in both
languages. With one plan the addresses stay ``/tasks/{id}``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from api.engine import Engine, make_engine
from api.taskpage import task_path
from eval.plans import gather_plans
from index.store import build_and_save, current_version_dir
from retriever import load_retriever
from tests.api_helpers import fake_app, make_settings
from tests.fakes import FakeEmbedder
from tests.test_api_pages import Page

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (ROOT / "corpus" / "data" / "plans", ROOT / "tests" / "data" / "plans")
FIRST, YUNLING, QINGCHUAN = "ejin-horo-business-environment-plan-2022", "yunling-2023", "qingchuan-2024"
SOURCE = "https://www.yjhlq.gov.cn/plan.html"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("three-plan-pages")
    gather_plans(FOLDERS, root / "plans")
    build_and_save(root=root / "index", data_dir=root / "plans", embedder=FakeEmbedder())

    def loader(_: Settings) -> Engine:
        store = load_retriever(current_version_dir(root / "index"), embedder=FakeEmbedder())
        return make_engine(store)

    settings = make_settings(root, source_url=SOURCE)
    with TestClient(create_app(settings, engine_loader=loader)) as c:
        yield c


def test_the_plans_are_listed_in_order(client: TestClient) -> None:
    plans = client.get("/api/v1/plans").json()["plans"]
    assert [p["doc_id"] for p in plans] == [FIRST, QINGCHUAN, YUNLING]
    assert [p["task_count"] for p in plans] == [482, 60, 64]
    assert {p["short_title"] for p in plans} == {
        "伊旗营商环境实施方案",
        "青川市2024年营商环境重点任务分工表",
        "云岭州营商环境三年行动方案",
    }
    # TASKQA_SOURCE_URL names one plan's publication: with several, no plan is linked to it; a plan whose
    # override file gives its own source_url (青川市's) is linked to that.
    urls = {p["doc_id"]: p["source_url"] for p in client.get("/api/v1/config").json()["plans"]}
    assert urls[FIRST] is None and urls[YUNLING] is None
    assert urls[QINGCHUAN] is not None and urls[QINGCHUAN] != SOURCE


def test_a_plan_keyed_page_names_its_plan_everywhere(client: TestClient) -> None:
    task = client.get("/api/v1/tasks/5", params={"doc_id": YUNLING}).json()
    r = client.get(f"/tasks/{YUNLING}/5")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = Page(r.text)
    assert ("article", {"class": "task", "data-task-id": "5", "data-doc-id": YUNLING}) in page.tags
    assert task["text"] in page.text and "云政办发〔2023〕12号 第5条" in page.text
    hrefs = page.hrefs()
    assert f"/tasks/{YUNLING}/4" in hrefs and f"/tasks/{YUNLING}/6" in hrefs  # the neighbours
    assert f"/tasks/{YUNLING}/5?lang=en" in hrefs
    assert page.text.count(f"/tasks/{YUNLING}/5") == 1  # the permalink
    searches = [h for h in hrefs if h.startswith("/search?") and h != "/search"]
    assert searches and all(h.endswith(f"doc_id={YUNLING}") for h in searches)
    assert f"/search?lead_unit={quote(task['lead_units'][0])}&doc_id={YUNLING}" in hrefs
    assert SOURCE not in hrefs  # another plan's publication
    assert client.head(f"/tasks/{YUNLING}/5").status_code == 200
    last = Page(client.get(f"/tasks/{YUNLING}/64?lang=en").text)
    assert f"/tasks/{YUNLING}/63?lang=en" in last.hrefs() and "Task 64" in last.text


def test_every_link_of_a_plan_keyed_page_resolves(client: TestClient) -> None:
    for href in Page(client.get(f"/tasks/{QINGCHUAN}/17").text).hrefs():
        if href.startswith("/"):
            assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(("number", "docs"), [(5, [FIRST, QINGCHUAN, YUNLING]), (62, [FIRST, YUNLING])])
def test_a_number_several_plans_have_lists_them(client: TestClient, number: int, docs: list[str]) -> None:
    r = client.get(f"/tasks/{number}", follow_redirects=False)
    assert r.status_code == 300 and "location" not in r.headers
    page = Page(r.text)
    links = [h for h in page.hrefs() if h.startswith("/tasks/")]
    assert links == [f"/tasks/{number}?lang=en", *(f"/tasks/{d}/{number}" for d in docs)]  # English, then
    assert f"第{number}条：请选择方案" in page.text
    for d in docs:
        assert client.get(f"/tasks/{d}/{number}").status_code == 200
    english = Page(client.get(f"/tasks/{number}?lang=en", follow_redirects=False).text)
    assert f"/tasks/{docs[0]}/{number}?lang=en" in english.hrefs()
    assert f"Task {number}: choose a plan" in english.text


def test_a_number_one_plan_has_redirects_to_it(client: TestClient) -> None:
    r = client.get("/tasks/237", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == f"/tasks/{FIRST}/237"
    r = client.get("/tasks/237?lang=en", follow_redirects=False)
    assert r.headers["location"] == f"/tasks/{FIRST}/237?lang=en"
    assert client.head("/tasks/237", follow_redirects=False).status_code == 302


@pytest.mark.parametrize(
    ("path", "status", "zh", "en"),
    [
        ("/tasks/999", 404, "已收录的方案中都没有第999条任务。", "None of the plans has a task 999."),
        ("/tasks/abc", 404, "没有这条任务。", "No such task."),
        (f"/tasks/{YUNLING}/99", 404, "《云岭州营商环境三年行动方案》中没有第99条任务。", "has no task 99."),
        (f"/tasks/{YUNLING}/abc", 404, "没有这条任务。", "No such task."),
        ("/tasks/no-such-plan/5", 404, "没有标识为“no-such-plan”的方案。", "There is no plan with the id"),
        ("/tasks/%3Cb%3E/5", 404, "没有这个方案。", "No such plan."),
    ],
)
def test_unknown_plans_and_tasks_are_html_404s(
    client: TestClient, path: str, status: int, zh: str, en: str
) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert zh in r.text and ("html", {"lang": "zh-CN"}) in Page(r.text).tags
    assert "<b>" not in r.text
    english = client.get(path + "?lang=en")
    assert english.status_code == status and en in english.text
    assert ("html", {"lang": "en"}) in Page(english.text).tags


def test_an_unknown_plan_lists_the_plans_there_are(client: TestClient) -> None:
    hrefs = Page(client.get("/tasks/no-such-plan/5").text).hrefs()
    assert [h for h in hrefs if "doc_id=" in h] == [
        f"/search?doc_id={d}" for d in (FIRST, QINGCHUAN, YUNLING)
    ]


def test_one_plan_keeps_its_addresses(tmp_path: Path, fake_retriever: Any) -> None:
    record = fake_retriever.get(237)
    assert task_path(record) == "/tasks/237"
    assert task_path(record, "en", keyed=True) == f"/tasks/{FIRST}/237?lang=en"
    with TestClient(fake_app(make_settings(tmp_path, source_url=SOURCE), fake_retriever)) as c:
        page = Page(c.get(f"/tasks/{FIRST}/237").text)  # the plan-keyed address works with one plan too
        assert "/tasks/236" in page.hrefs() and SOURCE in page.hrefs()
        assert not any(h.startswith(f"/tasks/{FIRST}") for h in page.hrefs())
        assert c.get("/tasks/237", follow_redirects=False).status_code == 200
        assert c.get("/tasks/other-plan/237").status_code == 404
        assert c.get("/api/v1/config").json()["plans"][0]["source_url"] == SOURCE
