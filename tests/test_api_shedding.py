"""Load shedding on the event loop: the CPU slot is taken before a pool thread, and always given back.

``ask``, ``ask/stream`` and ``search`` are plain ``def`` endpoints run in Starlette's thread pool; their
admission dependency takes a CPU slot on the event loop first. These tests hold the slots (or the pool)
themselves and count what reaches the pool, so nothing here depends on timing.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import ClientDisconnect
from starlette.types import Message

from api.ratelimit import ConcurrencyGate
from qa import Answer
from tests.api_helpers import (
    QUESTION,
    Wrapping,
    assert_error,
    failing_app,
    fake_app,
    make_settings,
    parse_sse,
)

ASK, STREAM, SEARCH = "/api/v1/ask", "/api/v1/ask/stream", "/api/v1/search"
SLOTS = 2


class ProbeQA(Wrapping):
    """Wraps a QA: records the free CPU slots it sees while answering, can fail, can block until released."""

    def __init__(self, inner: Any, *, fail: bool = False, block: bool = False) -> None:
        self.inner = inner
        self.fail = fail
        self.block = block
        self.gate: ConcurrencyGate | None = None  # set once the app has started
        self.seen_free: list[int] = []
        self.entered = threading.Event()
        self.release = threading.Event()

    def answer(self, question: str, *, session: Any = None, doc_id: str | None = None) -> Answer:
        assert self.gate is not None
        self.seen_free.append(self.gate.free)
        self.entered.set()
        if self.block:
            assert self.release.wait(30)
        if self.fail:
            raise RuntimeError("a bug in the QA")
        ans: Answer = self.inner.answer(question, session=session, doc_id=doc_id)
        return ans


def gate_of(app: FastAPI) -> ConcurrencyGate:
    gate: ConcurrencyGate = app.state.services.cpu
    return gate


def started(app: FastAPI, qa: ProbeQA) -> ConcurrencyGate:
    qa.gate = gate_of(app)
    return qa.gate


def spy_on_the_pool(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the functions handed to the thread pool from now on (Starlette and FastAPI go through
    ``anyio.to_thread.run_sync``)."""
    calls: list[str] = []
    real = anyio.to_thread.run_sync

    async def run_sync(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # Starlette hands over partials; FastAPI's own wrapper gets the endpoint as an argument.
        parts = (
            [func.func, *func.args, *func.keywords.values()]
            if isinstance(func, functools.partial)
            else [func]
        )
        calls.extend(getattr(p, "__name__", "") for p in parts if callable(p))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", run_sync)
    return calls


REQUESTS = [
    pytest.param(ASK, {"question": QUESTION}, "ask", id="ask"),
    pytest.param(STREAM, {"question": QUESTION}, "ask_stream", id="stream"),
    pytest.param(SEARCH, {"query": "电力接入"}, "search", id="search"),
]


# -- (a) refused on the event loop ---------------------------------------------------------------------


@pytest.mark.parametrize(("path", "body", "endpoint"), REQUESTS)
def test_refused_without_touching_the_thread_pool(
    tmp_path: Path,
    fake_retriever: Any,
    fake_qa: Any,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    body: dict[str, Any],
    endpoint: str,
) -> None:
    qa = ProbeQA(fake_qa)
    app = fake_app(make_settings(tmp_path, max_concurrency=SLOTS, retry_after_seconds=3), fake_retriever, qa)
    with TestClient(app) as c:
        gate = started(app, qa)
        pool = spy_on_the_pool(monkeypatch)
        taken = [gate.try_acquire() for _ in range(SLOTS)]  # every slot busy, no thread busy
        assert taken == [True] * SLOTS and gate.free == 0
        r = c.post(path, json=body)
        assert_error(r, 503, "overloaded")
        assert r.headers["retry-after"] == "3"
        assert pool == [] and qa.seen_free == []  # the endpoint never ran, nothing was queued for a thread
        for _ in taken:
            gate.release()
        assert c.post(path, json=body).status_code == 200
        assert endpoint in pool  # the spy does see the endpoint when it runs


def test_refused_while_every_pool_thread_is_busy(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    """The overload itself: the only slot and the only pool thread are held by an answer in progress.

    Were the slot taken in the pool, the second request would wait for that thread; it is refused
    instead. The 30 s bound only turns such a wait into a failure rather than a hang.
    """
    qa = ProbeQA(fake_qa, block=True)
    app = fake_app(make_settings(tmp_path, max_concurrency=1), fake_retriever, qa)
    with TestClient(app) as c, ThreadPoolExecutor(2) as clients:
        started(app, qa)

        async def one_pool_thread() -> None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = 1

        c.portal.call(one_pool_thread)
        held = clients.submit(c.post, ASK, json={"question": QUESTION})
        assert qa.entered.wait(30)
        try:
            refused = clients.submit(c.post, ASK, json={"question": "电力接入谁负责？"}).result(timeout=30)
        finally:
            qa.release.set()
        assert_error(refused, 503, "overloaded")
        assert held.result(30).status_code == 200
        assert qa.seen_free == [0]  # the second question never reached the QA


def test_bad_input_is_still_refused_before_a_slot(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    """Validation and the length limit come before shedding, as they did when the slot was taken later."""
    settings = make_settings(tmp_path, max_concurrency=1, max_question_chars=20)
    app = fake_app(settings, fake_retriever, fake_qa)
    with TestClient(app) as c:
        gate = gate_of(app)
        assert gate.try_acquire()
        assert_error(c.post(ASK, json={"question": "问" * 21}), 422, "question_too_long")
        assert_error(c.post(SEARCH, json={"query": "问" * 21}), 422, "query_too_long")
        assert_error(c.post(STREAM, json={"question": ""}), 422, "empty_question")
        assert_error(c.post(ASK, json={"question": QUESTION}), 503, "overloaded")
        gate.release()


# -- (b) every slot comes back --------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "body", "endpoint"), REQUESTS)
def test_slot_is_held_while_computing_and_released_after_the_response(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any, path: str, body: dict[str, Any], endpoint: str
) -> None:
    qa = ProbeQA(fake_qa)
    app = fake_app(make_settings(tmp_path, max_concurrency=SLOTS), fake_retriever, qa)
    with TestClient(app) as c:
        gate = started(app, qa)
        for _ in range(3):
            r = c.post(path, json=body)
            assert r.status_code == 200, r.text
            assert gate.free == SLOTS
        if endpoint == "ask_stream":
            assert parse_sse(r.text)[-1] == ("done", {})
        if endpoint != "search":
            assert qa.seen_free == [SLOTS - 1] * 3


@pytest.mark.parametrize("path", [ASK, STREAM])
def test_slot_is_released_when_the_endpoint_fails(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any, path: str
) -> None:
    qa = ProbeQA(fake_qa, fail=True)
    app = fake_app(make_settings(tmp_path, max_concurrency=SLOTS), fake_retriever, qa)
    with TestClient(app, raise_server_exceptions=False) as c:
        gate = started(app, qa)
        for _ in range(SLOTS + 1):  # more failures than slots: a leak would end in 503
            assert_error(c.post(path, json={"question": QUESTION}), 500, "answer_failed")
        assert qa.seen_free == [SLOTS - 1] * (SLOTS + 1)
        assert gate.free == SLOTS
        # A crash is an error, counted, never passed off as a refusal.
        assert f"taskqa_qa_crashes_total {SLOTS + 1}" in c.get("/metrics").text
        assert "taskqa_refusals_total" not in c.get("/metrics").text


def test_slot_is_released_when_the_index_is_not_loaded(tmp_path: Path) -> None:
    """The engine dependency refuses after the slot was taken; the refusal gives it back."""
    app = failing_app(make_settings(tmp_path, max_concurrency=1))
    with TestClient(app) as c:
        for path, body in [(ASK, {"question": QUESTION}), (STREAM, {"question": QUESTION})] * 2:
            assert_error(c.post(path, json=body), 503, "not_ready")
        assert gate_of(app).free == 1


def test_filter_listing_needs_no_slot(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    app = fake_app(make_settings(tmp_path, max_concurrency=1), fake_retriever, fake_qa)
    with TestClient(app) as c:
        gate = gate_of(app)
        assert gate.try_acquire()
        r = c.post(SEARCH, json={"query": " ", "filters": {"section": "纳税"}})
        assert r.status_code == 200 and r.json()["hits"]
        assert gate.free == 0  # neither taken nor given back
        gate.release()


def _asgi_scope(body: bytes, spec_version: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": STREAM,
        "raw_path": STREAM.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


@pytest.mark.parametrize(
    "spec_version",
    [
        pytest.param("2.3", id="disconnect-message"),  # what uvicorn speaks: http.disconnect mid-stream
        pytest.param("2.4", id="send-raises-oserror"),  # ASGI 2.4: send() fails on a closed connection
    ],
)
def test_slot_is_released_when_the_client_abandons_the_stream(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any, spec_version: str
) -> None:
    """The client goes away after the first event; the stream is abandoned and the slot comes back."""
    settings = make_settings(tmp_path, max_concurrency=SLOTS, stream_piece_chars=1)  # many frames
    app = fake_app(settings, fake_retriever, fake_qa)
    body = json.dumps({"question": QUESTION}, ensure_ascii=False).encode()
    free_while_streaming: list[int] = []
    frames: list[bytes] = []

    async def abandon() -> BaseException | None:
        gate = gate_of(app)
        first_frame = anyio.Event()
        requests = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> Message:
            if requests:
                return requests.pop()
            await first_frame.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] != "http.response.body" or not message.get("body"):
                return
            frames.append(message["body"])
            free_while_streaming.append(gate.free)
            first_frame.set()
            if spec_version >= "2.4":
                raise OSError("connection reset by peer")
            await anyio.sleep_forever()  # a client that stopped reading; only the disconnect ends this

        try:
            await app(_asgi_scope(body, spec_version), receive, send)
        except ClientDisconnect as exc:
            return exc
        return None

    with TestClient(app) as c:
        raised = c.portal.call(abandon)
        assert len(frames) == 1 and frames[0].startswith(b"event: delta")  # abandoned after one event
        assert free_while_streaming == [SLOTS - 1]  # the slot was held while streaming
        assert gate_of(app).free == SLOTS
        assert isinstance(raised, ClientDisconnect) == (spec_version == "2.4")
        assert c.post(STREAM, json={"question": QUESTION}).status_code == 200


def test_a_crash_is_logged_by_the_questions_hash_not_its_text(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from api.metrics import question_hash

    qa = ProbeQA(fake_qa, fail=True)
    app = fake_app(make_settings(tmp_path), fake_retriever, qa)
    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level("ERROR", logger="api"):
        c.post(ASK, json={"question": QUESTION})
    assert question_hash(QUESTION) in caplog.text and QUESTION not in caplog.text
