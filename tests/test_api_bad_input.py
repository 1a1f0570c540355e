"""Bad input of every kind: a 4xx in the one error shape, never a 5xx, and the server stays healthy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.types import Message, Receive, Scope, Send

from api.bodyguard import BodyGuardMiddleware
from tests.api_helpers import QUESTION, assert_error, fake_app, make_settings

ASK, SEARCH, FEEDBACK = "/api/v1/ask", "/api/v1/search", "/api/v1/feedback"
JSON = {"content-type": "application/json"}
GOOD_FEEDBACK = {"question": "q", "answer": "a", "rating": "up"}
GOOD = '{"question": "谁牵头"}'.encode()


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, fake_retriever: Any, fake_qa: Any
) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("bad-input")
    with TestClient(fake_app(make_settings(tmp), fake_retriever, fake_qa)) as c:
        yield c
        # However it was abused, the server still answers.
        assert c.get("/healthz").json() == {"status": "ok"}
        assert c.post(ASK, json={"question": QUESTION}).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        (ASK, {"question": ""}, "empty_question"),
        (ASK, {"question": " \n\t\u3000\u00a0"}, "empty_question"),
        (ASK, {"question": "\ufeff\u200b"}, "empty_question"),
        (ASK, {"question": "问" * 501}, "question_too_long"),
        (ASK, {"question": 5}, "invalid_type"),
        (ASK, {"question": None}, "invalid_type"),
        (ASK, {"question": True}, "invalid_type"),
        (ASK, {"question": ["谁牵头"]}, "invalid_type"),
        (ASK, {"question": {"text": "谁牵头"}}, "invalid_type"),
        (ASK, {"question": "谁牵头", "session_id": 5}, "invalid_type"),
        (ASK, {"question": "谁牵头", "session_id": "no spaces allowed"}, "invalid_type"),
        (ASK, {"question": "谁牵头", "session_id": "x" * 2049}, "invalid_type"),
        (ASK, {}, "missing_field"),
        (ASK, {"session_id": None}, "missing_field"),
        (ASK, [], "invalid_body"),
        (ASK, "谁牵头", "invalid_body"),
        (ASK, 42, "invalid_body"),
        (ASK, {"question": "a\x00b"}, "control_characters"),
        (ASK, {"question": "a\x1bb"}, "control_characters"),
        (ASK, {"question": "a\rb"}, "control_characters"),
        (ASK, {"question": "a\x7fb"}, "control_characters"),
        (ASK, {"question": "第5条是什么？", "doc_id": 5}, "invalid_type"),
        (ASK, {"question": "a\x85b"}, "control_characters"),
        (SEARCH, {"query": ""}, "empty_query"),
        (SEARCH, {}, "empty_query"),
        (SEARCH, {"query": "  ", "filters": {}}, "empty_query"),
        (SEARCH, {"query": "", "filters": {"section": "", "deadline_before": ""}}, "empty_query"),
        (SEARCH, {"query": "", "filters": None}, "empty_query"),
        (SEARCH, {"query": "电力", "top_k": 0}, "out_of_range"),
        (SEARCH, {"query": "电力", "top_k": 51}, "out_of_range"),
        (SEARCH, {"query": "电力", "top_k": 2.5}, "invalid_type"),
        (SEARCH, {"query": "电力", "top_k": "5"}, "invalid_type"),
        (SEARCH, {"query": "电力", "top_k": True}, "invalid_type"),
        (SEARCH, {"query": "电" * 501}, "query_too_long"),
        (SEARCH, {"query": "电力\x00"}, "control_characters"),
        (SEARCH, {"query": "电力", "filters": "获得电力"}, "invalid_type"),
        (SEARCH, {"query": "电力", "filters": {"section": 11}}, "invalid_type"),
        (SEARCH, {"query": "电力", "filters": {"section": "x" * 101}}, "too_long"),
        (SEARCH, {"query": "电力", "filters": {"lead_unit": "法院\x08"}}, "control_characters"),
        (SEARCH, {"query": "电力", "filters": {"deadline_before": "2022/09"}}, "invalid_deadline"),
        (SEARCH, {"query": "电力", "filters": {"deadline_before": "2022-13"}}, "invalid_deadline"),
        (SEARCH, {"query": "电力", "filters": {"deadline_after": "九月"}}, "invalid_deadline"),
        (SEARCH, {"query": "电力", "filters": {"lead_unit": ["法院", "x" * 101]}}, "too_long"),
        (SEARCH, {"query": "电力", "filters": {"lead_unit": ["法院"] * 101}}, "too_long"),
        (SEARCH, {"query": "电力", "filters": {"benchmark_city": ["深圳", "\x08"]}}, "control_characters"),
        (SEARCH, {"query": "电力", "filters": {"responsible_unit": 5}}, "invalid_type"),
        (SEARCH, {"query": "", "filters": {"lead_unit": [], "benchmark_city": [" "]}}, "empty_query"),
        (FEEDBACK, {**GOOD_FEEDBACK, "rating": "meh"}, "invalid_value"),
        (FEEDBACK, {**GOOD_FEEDBACK, "rating": None}, "invalid_value"),
        (FEEDBACK, {**GOOD_FEEDBACK, "question": " "}, "empty_question"),
        (FEEDBACK, {**GOOD_FEEDBACK, "answer": "答" * 4001}, "too_long"),
        (FEEDBACK, {**GOOD_FEEDBACK, "comment": "好\x00"}, "control_characters"),
        (FEEDBACK, {"question": "q", "rating": "up"}, "missing_field"),
    ],
)
def test_invalid_fields(client: TestClient, path: str, body: Any, code: str) -> None:
    err = assert_error(client.post(path, json=body), 422, code)
    if code == "empty_question":
        assert err["message"] == "问题不能为空 / The question must not be empty"
    if code == "too_long" and path == SEARCH and isinstance(body["filters"].get("lead_unit"), list):
        # The item at fault is named, and a list's limit is counted in items.
        item = len(body["filters"]["lead_unit"]) == 2
        assert ("filters.lead_unit.1 " in err["message"]) == item, err["message"]
        assert ("100 characters" if item else "100 items") in err["message"], err["message"]


def test_an_impossible_month_is_a_clear_bilingual_422(client: TestClient) -> None:
    for r in (
        client.get("/api/v1/tasks", params={"deadline_before": "2022-13"}),
        client.post(SEARCH, json={"query": "", "filters": {"deadline_before": "2022-13"}}),
    ):
        message = assert_error(r, 422, "invalid_deadline")["message"]
        zh, en = message.split(" / ")
        assert "deadline_before 应写作 2022-09 或 2022年9月" in zh
        assert "deadline_before must look like 2022-09 or 2022年9月" in en


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b'{"question": "x"', JSON, 400, "invalid_json"),
        (b"{bad json}", JSON, 400, "invalid_json"),
        (b"", JSON, 422, "missing_body"),
        (b"null", JSON, 422, "invalid_body"),
        (b"NaN", JSON, 422, "invalid_body"),
        (b'{"question": 1e400}', JSON, 422, "invalid_type"),
        (b'{"question": "\xff\xfe"}', JSON, 400, "invalid_encoding"),
        ('{"question": "谁牵头"}'.encode("utf-16"), JSON, 400, "invalid_encoding"),
        (b'{"question": "\\ud800"}', JSON, 422, "control_characters"),
        (b"[" * 5000 + b"]" * 5000, JSON, 400, "too_deep"),
        (b'{"question": "x", "extra": ' + b"{" * 17 + b"}" * 17 + b"}", JSON, 400, "too_deep"),
        (GOOD, {"content-type": "text/plain"}, 415, "unsupported_media_type"),
        (GOOD, {"content-type": "application/x-www-form-urlencoded"}, 415, None),
        (GOOD, {}, 415, "unsupported_media_type"),
        (GOOD, {**JSON, "content-length": "abc"}, 400, "bad_content_length"),
    ],
)
def test_malformed_bodies(
    client: TestClient, content: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    assert_error(client.post(ASK, content=content, headers=headers), status, code)


def test_nesting_below_the_limit_is_fine(client: TestClient) -> None:
    body = b'{"question": "[[[[ {{{{", "extra": ' + b"[" * 15 + b"]" * 15 + b"}"
    assert client.post(ASK, content=body, headers=JSON).status_code == 200


def test_an_unknown_plan_is_not_found(client: TestClient) -> None:
    err = assert_error(
        client.post(ASK, json={"question": "第5条是什么？", "doc_id": "no-such-plan"}), 404, "unknown_plan"
    )
    assert "方案" in err["message"] and "plan" in err["message"]


def test_allowed_whitespace_in_questions(client: TestClient) -> None:
    assert client.post(ASK, json={"question": "第12条\n\t是什么？"}).status_code == 200


def big_body(size: int) -> bytes:
    return json.dumps({"question": "谁牵头", "pad": "x" * size}).encode()


def test_body_over_the_limit_with_honest_length(client: TestClient) -> None:
    assert_error(client.post(ASK, content=big_body(17_000), headers=JSON), 413, "body_too_large")


def test_body_at_the_limit_is_read(client: TestClient) -> None:
    body = big_body(16_384 - len(big_body(0)))
    assert len(body) == 16_384
    assert client.post(ASK, content=body, headers=JSON).status_code == 200


def test_body_over_the_limit_with_a_lying_length(client: TestClient) -> None:
    r = client.post(ASK, content=big_body(17_000), headers={**JSON, "content-length": "20"})
    assert_error(r, 413, "body_too_large")


def test_body_over_the_limit_without_a_length(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    r = client.post(ASK, content=chunks(), headers=JSON)
    assert "content-length" not in r.request.headers
    assert_error(r, 413, "body_too_large")


def test_body_guard_stops_reading_at_the_limit() -> None:
    """Driven by hand: TestClient reads the whole request body before the app sees any of it."""
    pulled = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b" " * 1024, "more_body": True}  # an endless body

    async def send(message: Message) -> None:
        sent.append(message)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app must not run")

    scope = {
        "type": "http",
        "method": "POST",
        "path": ASK,
        "headers": [(b"content-type", b"application/json")],
    }
    anyio.run(BodyGuardMiddleware(app, max_bytes=16_384, max_depth=16), scope, receive, send)
    assert pulled == 17
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"]["code"] == "body_too_large"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/api/v1/tasks?page=0", "out_of_range"),
        ("/api/v1/tasks?page_size=201", "out_of_range"),
        ("/api/v1/tasks?page_size=0", "out_of_range"),
        ("/api/v1/tasks?page=abc", "invalid_type"),
        ("/api/v1/tasks?deadline_before=2022-13", "invalid_deadline"),
        ("/api/v1/tasks?deadline_after=soon", "invalid_deadline"),
        ("/api/v1/tasks?section=%00", "control_characters"),
        ("/api/v1/tasks?lead_unit=" + "x" * 101, "too_long"),
        ("/api/v1/tasks/abc", "invalid_type"),
        ("/api/v1/tasks/12?doc_id=%1b", "control_characters"),
        ("/api/v1/tasks?lead_unit=法院&lead_unit=" + "x" * 101, "too_long"),
        ("/api/v1/tasks?benchmark_city=深圳&benchmark_city=%00", "control_characters"),
        ("/api/v1/tasks?section=纳税&section=政务服务", "repeated_parameter"),
        ("/api/v1/tasks?page=1&page=2", "repeated_parameter"),
        ("/api/v1/tasks/12?doc_id=a&doc_id=b", "repeated_parameter"),
    ],
)
def test_invalid_query_and_path_parameters(client: TestClient, url: str, code: str) -> None:
    assert_error(client.get(url), 422, code)


@pytest.mark.parametrize(
    ("method", "url"), [("PUT", ASK), ("DELETE", SEARCH), ("GET", ASK), ("POST", "/healthz")]
)
def test_wrong_method(client: TestClient, method: str, url: str) -> None:
    r = client.request(method, url)
    assert_error(r, 405, "method_not_allowed")
    assert "allow" in r.headers


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
field_values = (
    st.none() | st.booleans() | st.integers() | st.text(max_size=40) | st.lists(st.text(max_size=5))
)


def _ok_or_error(r: Any) -> None:
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert_error(r, r.status_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from([ASK, SEARCH, FEEDBACK]), body=json_values)
def test_any_json_is_answered_without_a_server_error(client: TestClient, path: str, body: Any) -> None:
    _ok_or_error(client.post(path, json=body))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from([ASK, SEARCH, FEEDBACK]),
    fields=st.dictionaries(
        st.sampled_from(
            ["question", "query", "answer", "rating", "comment", "session_id", "top_k", "filters"]
        ),
        field_values,
    ),
)
def test_any_fields_are_answered_without_a_server_error(client: TestClient, path: str, fields: Any) -> None:
    _ok_or_error(client.post(path, json=fields))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=200))
def test_any_bytes_are_answered_without_a_server_error(client: TestClient, content: bytes) -> None:
    _ok_or_error(client.post(ASK, content=content, headers=JSON))
