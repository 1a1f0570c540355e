"""Running it on a public portal: limits, shedding, CORS, headers, admin, durable feedback, reloads, logs."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

import api.__main__ as cli
from api import Settings, create_app
from api.connections import GuardedH11Protocol
from api.engine import Engine, make_engine
from api.feedback import FeedbackStore
from api.middleware import CSP
from index import default_index_root
from qa import Answer, Naming
from tests.api_helpers import QUESTION, ConversationFree, Wrapping, assert_error, fake_app, make_settings

ASK, SEARCH, FEEDBACK = "/api/v1/ask", "/api/v1/search", "/api/v1/feedback"
ADMIN_FEEDBACK, RELOAD = "/api/v1/admin/feedback", "/api/v1/admin/reload"
PORTAL = "https://www.yjhlq.gov.cn"
TOKEN = "s3cret-token-" + "x" * 20
AUTH = {"Authorization": "Bearer " + TOKEN}


def feedback(i: int = 0, **extra: Any) -> dict[str, Any]:
    return {"question": f"问题{i}", "answer": f"回答{i}", "rating": "up" if i % 2 == 0 else "down", **extra}


# -- rate limits and load shedding ------------------------------------------------------------------


def test_rate_limit_per_client(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    settings = make_settings(tmp_path, rate_per_minute=1, burst=3)
    with TestClient(fake_app(settings, fake_retriever, fake_qa)) as c:
        assert [c.post(ASK, json={"question": QUESTION}).status_code for _ in range(3)] == [200] * 3
        for r in (c.post(ASK, json={"question": QUESTION}), c.post(SEARCH, json={"query": "电力"})):
            assert_error(r, 429, "rate_limited")
            assert 59 <= int(r.headers["retry-after"]) <= 60
        # Bad input spends a token too, and is still refused first.
        assert c.post(ASK, json={"question": ""}).status_code == 429
        # Feedback has its own bucket; probes and pages have none.
        assert c.post(FEEDBACK, json=feedback()).status_code == 201
        assert c.get("/healthz").status_code == 200
        assert c.get("/api/v1/sections").status_code == 200


class BlockingQA(Wrapping):
    """Answers only when released, so a test can hold a request in flight."""

    def __init__(self, inner: Any, tag: str = "") -> None:
        self.inner = inner
        self.tag = tag
        self.entered = threading.Event()
        self.release = threading.Event()

    def answer(self, question: str, *, session: Any = None, doc_id: str | None = None) -> Answer:
        self.entered.set()
        assert self.release.wait(10)
        ans: Answer = self.inner.answer(question, session=session, doc_id=doc_id)
        return ans


def test_load_is_shed_when_all_slots_are_busy(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    qa = BlockingQA(fake_qa)
    settings = make_settings(tmp_path, max_concurrency=1, retry_after_seconds=2)
    with TestClient(fake_app(settings, fake_retriever, qa)) as c, ThreadPoolExecutor(1) as pool:
        held = pool.submit(c.post, ASK, json={"question": QUESTION})
        assert qa.entered.wait(10)
        # Refused at once, not queued: tests/test_api_shedding.py shows no pool thread is used.
        for r in (c.post(ASK, json={"question": QUESTION}), c.post(SEARCH, json={"query": "电力"})):
            assert_error(r, 503, "overloaded")
            assert r.headers["retry-after"] == "2"
        # Work that needs no slot goes on.
        assert c.post(SEARCH, json={"query": "", "filters": {"section": "纳税"}}).status_code == 200
        assert c.get("/readyz").status_code == 200
        qa.release.set()
        assert held.result(10).status_code == 200
        assert c.post(ASK, json={"question": QUESTION}).status_code == 200  # the slot was given back


# -- CORS and security headers ----------------------------------------------------------------------


def test_cors_allows_only_configured_portals(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    settings = make_settings(tmp_path, cors_origins=[PORTAL])
    with TestClient(fake_app(settings, fake_retriever, fake_qa)) as c:
        ok = c.post(ASK, json={"question": QUESTION}, headers={"Origin": PORTAL})
        assert ok.headers["access-control-allow-origin"] == PORTAL
        other = c.post(ASK, json={"question": QUESTION}, headers={"Origin": "https://evil.example"})
        assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
        pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        r = c.options(ASK, headers={"Origin": PORTAL, **pre})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == PORTAL
        assert "POST" in r.headers["access-control-allow-methods"]
        refused = c.options(ASK, headers={"Origin": "https://evil.example", **pre})
        assert_error(refused, 400, "cors_refused")
        assert "access-control-allow-origin" not in refused.headers
        assert c.get("/widget.js", headers={"Origin": "https://evil.example"}).status_code in (200, 404)


def test_no_cross_origin_access_by_default(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    with TestClient(fake_app(make_settings(tmp_path), fake_retriever, fake_qa)) as c:
        r = c.post(ASK, json={"question": QUESTION}, headers={"Origin": PORTAL})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
        pre = {"Origin": PORTAL, "Access-Control-Request-Method": "POST"}
        refused = c.options(ASK, headers=pre)
        # A clear refusal in the error shape (it was a 405 before CORS was always installed).
        assert_error(refused, 400, "cors_refused")
        assert "access-control-allow-origin" not in refused.headers


def test_a_refused_origin_is_logged_once_with_the_setting_to_change(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, cors_origins=[PORTAL])
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    with (
        TestClient(fake_app(settings, fake_retriever, fake_qa)) as c,
        caplog.at_level(logging.WARNING, "api"),
    ):
        for origin in ("https://a.example", "https://a.example", "https://b.example"):
            c.options(ASK, headers={"Origin": origin, **pre})
            c.get("/api/v1/config", headers={"Origin": origin})
        c.options(ASK, headers={"Origin": PORTAL, **pre})  # allowed
        c.post(ASK, json={"question": QUESTION}, headers={"Origin": "http://testserver"})  # same origin
        c.get("/widget.js", headers={"Origin": "https://c.example"})  # not the API
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(lines) == 2, lines
    assert "'https://a.example'" in lines[0] and "'https://b.example'" in lines[1]
    assert all("TASKQA_CORS_ORIGINS" in line for line in lines)


def test_refused_origins_logged_are_bounded(caplog: pytest.LogCaptureFixture) -> None:
    from api.middleware import JsonCORSMiddleware

    async def app(scope: Any, receive: Any, send: Any) -> None:  # never called
        raise AssertionError

    cors = JsonCORSMiddleware(app, max_logged_origins=3)
    with caplog.at_level(logging.WARNING, "api"):
        for i in range(10):
            cors.log_refused(f"https://{i}.example")
    assert len(caplog.records) == 4 and "not logged" in caplog.records[-1].getMessage()
    assert len(cors.logged) == 4


def test_security_headers_on_every_response(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    with TestClient(fake_app(make_settings(tmp_path), fake_retriever, fake_qa)) as c:
        responses = [
            c.post(ASK, json={"question": QUESTION}),
            c.post(ASK, json={"question": ""}),
            c.post(ASK, content=b"x" * 20_000, headers={"content-type": "application/json"}),
            c.get("/no/such/thing"),
            c.get("/healthz"),
        ]
        assert [r.status_code for r in responses] == [200, 422, 413, 404, 200]
        for r in responses:
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "no-referrer"
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["content-security-policy"] == CSP


# -- admin ------------------------------------------------------------------------------------------


def test_admin_is_off_without_a_token(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    with TestClient(fake_app(make_settings(tmp_path), fake_retriever, fake_qa)) as c:
        assert_error(c.get(ADMIN_FEEDBACK, headers=AUTH), 404, "not_found")
        assert_error(c.post(RELOAD, headers=AUTH), 404, "not_found")
        assert_error(c.post(RELOAD), 404, "not_found")


def test_admin_requires_the_token(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    settings = make_settings(tmp_path, admin_token=TOKEN)
    with TestClient(fake_app(settings, fake_retriever, fake_qa)) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic czNjcmV0LXRva2Vu"}):
            r = c.get(ADMIN_FEEDBACK, headers=headers)
            assert_error(r, 401, "unauthorized")
            assert r.headers["www-authenticate"] == "Bearer"
            assert_error(c.post(RELOAD, headers=headers), 401, "unauthorized")
        for i in range(3):
            assert c.post(FEEDBACK, json=feedback(i)).json() == {"id": i + 1}
        items = c.get(ADMIN_FEEDBACK, headers=AUTH).json()["items"]
        assert [i["id"] for i in items] == [3, 2, 1]
        assert items[0]["question"] == "问题2" and items[1]["rating"] == "down"
        assert [
            i["id"] for i in c.get(ADMIN_FEEDBACK, params={"limit": 1}, headers=AUTH).json()["items"]
        ] == [3]
        assert_error(c.get(ADMIN_FEEDBACK, params={"limit": 0}, headers=AUTH), 422, "out_of_range")


def test_admin_failures_are_throttled_per_client(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    """After admin_max_failures wrong tokens a client gets 429 — even with the right token — while
    another client still gets its 401s and its successes."""
    settings = make_settings(tmp_path, admin_token=TOKEN, admin_max_failures=5)
    app = fake_app(settings, fake_retriever, fake_qa)
    wrong = {"Authorization": "Bearer " + "w" * 40}
    with TestClient(app):  # one lifespan; the clients below share its services
        attacker = TestClient(app, client=("203.0.113.7", 5000))
        statuses = [attacker.get(ADMIN_FEEDBACK, headers=wrong).status_code for _ in range(8)]
        assert statuses == [401] * 5 + [429] * 3
        throttled = attacker.get(ADMIN_FEEDBACK, headers=AUTH)
        assert_error(throttled, 429, "rate_limited")
        assert 600 <= int(throttled.headers["retry-after"]) <= 720  # one failure back every 3600 / 5 s
        other = TestClient(app, client=("198.51.100.9", 5000))
        assert other.get(ADMIN_FEEDBACK, headers=wrong).status_code == 401
        assert other.get(ADMIN_FEEDBACK, headers=AUTH).status_code == 200


@pytest.mark.parametrize("token", ["s3cret", "x" * 31])
def test_a_short_admin_token_is_refused_at_start_without_echoing_it(token: str) -> None:
    with pytest.raises(ValidationError) as err:
        Settings(_env_file=None, admin_token=token)
    message = str(err.value)
    assert f"has {len(token)} characters, at least 32 are required" in message
    assert token not in message
    assert Settings(_env_file=None, admin_token="x" * 32).admin_token is not None


# -- feedback durability ----------------------------------------------------------------------------


def test_feedback_survives_an_app_restart(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    settings = make_settings(tmp_path, admin_token=TOKEN)
    with TestClient(fake_app(settings, fake_retriever, fake_qa)) as c:
        body = feedback(0, session_id="abc12345", comment="很好用\n谢谢")
        assert c.post(FEEDBACK, json=body).status_code == 201
        assert c.post(FEEDBACK, json=feedback(1)).status_code == 201
    with TestClient(fake_app(settings, fake_retriever, fake_qa)) as c:
        items = c.get(ADMIN_FEEDBACK, headers=AUTH).json()["items"]
        assert [(i["id"], i["question"]) for i in items] == [(2, "问题1"), (1, "问题0")]
        # An id the server never issued names no conversation: nothing of it is kept.
        assert (items[1]["session_id"], items[1]["comment"], items[1]["rating"]) == (
            None,
            "很好用\n谢谢",
            "up",
        )
        assert c.post(FEEDBACK, json=feedback(2)).json() == {"id": 3}


def test_feedback_store_is_wal_with_full_sync(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "sub" / "fb.sqlite3")
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with store._connect() as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_feedback_written_before_a_crash_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    code = (
        "import os, sys; from pathlib import Path; from api.feedback import FeedbackStore;"
        "s = FeedbackStore(Path(sys.argv[1]));"
        "[s.add(question=f'q{i}', answer='a', rating='up') for i in range(5)];"
        "os.kill(os.getpid(), 9)"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(db)], check=False)
    assert proc.returncode == -9
    store = FeedbackStore(db)
    assert [e.question for e in store.recent(10)] == [f"q{i}" for i in reversed(range(5))]


def test_concurrent_feedback_writes(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda i: store.add(question=f"q{i}", answer="a", rating="down"), range(80)))
    assert sorted(ids) == list(range(1, 81))
    assert store.count() == 80


# -- reloading ----------------------------------------------------------------------------------------


class TaggedQA(ConversationFree):
    """Says which engine answered."""

    def __init__(self, retriever: Any, tag: str) -> None:
        self.r = retriever
        self.naming = Naming({d: d for d in dict.fromkeys(r.doc_id for r in retriever.records)})
        self.tag = tag

    def answer(self, question: str, *, session: Any = None, doc_id: str | None = None) -> Answer:
        return Answer(
            text=f"{self.tag}：第12条", answerable=True, intent="lookup", citations=(self.r.get(12),)
        )


def test_requests_in_flight_keep_their_engine(tmp_path: Path, fake_retriever: Any) -> None:
    old = BlockingQA(TaggedQA(fake_retriever, "old"))
    engines = iter(
        [make_engine(fake_retriever, old), make_engine(fake_retriever, TaggedQA(fake_retriever, "new"))]
    )
    settings = make_settings(tmp_path, admin_token=TOKEN)
    app = create_app(settings, engine_loader=lambda _: next(engines))
    with TestClient(app) as c, ThreadPoolExecutor(1) as pool:
        in_flight = pool.submit(c.post, ASK, json={"question": "第12条"})
        assert old.entered.wait(10)
        assert c.post(RELOAD, headers=AUTH).status_code == 200
        assert c.post(ASK, json={"question": "第12条"}).json()["answer"].startswith("new")
        old.release.set()
        assert in_flight.result(10).json()["answer"].startswith("old")


def test_many_asks_during_reloads_all_succeed(tmp_path: Path, fake_index_root: Path) -> None:
    from index import current_version_dir
    from retriever import load_retriever
    from tests.fakes import FakeEmbedder

    loaded: list[Engine] = []

    def loader(_: Settings) -> Engine:  # a real load from disk each time
        engine = make_engine(load_retriever(current_version_dir(fake_index_root), embedder=FakeEmbedder()))
        loaded.append(engine)
        return engine

    questions = [
        QUESTION,
        "谁牵头负责电力接入的任务？",
        "第12条是什么？",
        "2022年底前要完成哪些政务服务任务？",
    ]
    settings = make_settings(tmp_path, admin_token=TOKEN)
    stop = threading.Event()
    with TestClient(create_app(settings, engine_loader=loader)) as c:

        def worker(n: int) -> list[int]:
            statuses = []
            while not stop.is_set() or len(statuses) < 5:
                r = c.post(ASK, json={"question": questions[n % len(questions)]})
                statuses.append(r.status_code if r.json().get("answer") else -1)
            return statuses

        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(worker, n) for n in range(8)]
            reloads = [c.post(RELOAD, headers=AUTH) for _ in range(2)]
            stop.set()
            statuses = [s for f in futures for s in f.result(60)]
        assert [r.status_code for r in reloads] == [200, 200]
        assert app_engine(c) is loaded[-1]
    assert len(loaded) == 3
    assert len(statuses) >= 40 and set(statuses) == {200}


def app_engine(c: TestClient) -> Engine | None:
    app: Any = c.app
    engine: Engine | None = app.state.services.engines.current
    return engine


def test_failed_reload_keeps_the_old_engine(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    calls = []

    def loader(_: Settings) -> Engine:
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("index files are corrupt: run `python -m index build --force`")
        return make_engine(fake_retriever, fake_qa)

    settings = make_settings(tmp_path, admin_token=TOKEN)
    with TestClient(create_app(settings, engine_loader=loader)) as c:
        before = app_engine(c)
        err = assert_error(c.post(RELOAD, headers=AUTH), 503, "reload_failed")
        assert "python -m index build --force" in err["message"]
        assert app_engine(c) is before
        assert c.get("/readyz").status_code == 200
        assert c.post(ASK, json={"question": QUESTION}).status_code == 200


# -- logs ---------------------------------------------------------------------------------------------


def test_one_json_access_line_per_request(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(fake_app(make_settings(tmp_path), fake_retriever, fake_qa)) as c:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            c.post(ASK, json={"question": QUESTION})
            c.get("/api/v1/tasks?section=纳税")
            c.get("/nope")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "api.access"]
    assert [(x["method"], x["path"], x["status"]) for x in lines] == [
        ("POST", ASK, 200),
        ("GET", "/api/v1/tasks", 200),
        ("GET", "/nope", 404),
    ]
    assert all(set(x) == {"ts", "method", "path", "status", "latency_ms", "client"} for x in lines)
    assert all(x["client"] == "testclient" and x["latency_ms"] >= 0 for x in lines)
    assert QUESTION not in caplog.text and "纳税" not in caplog.text


def test_questions_are_logged_only_when_enabled(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = fake_app(make_settings(tmp_path, log_questions=True), fake_retriever, fake_qa)
    with TestClient(app) as c, caplog.at_level(logging.INFO):
        c.post(ASK, json={"question": QUESTION})
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "api" and "{" in r.getMessage()]
    assert [(e["event"], e["question"], e["intent"]) for e in events] == [("ask", QUESTION, "list_tasks")]


# -- settings and the command line ----------------------------------------------------------------------


def test_settings_from_environment_and_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKQA_CORS_ORIGINS", f"{PORTAL}/, https://b.gov.cn")
    monkeypatch.setenv("TASKQA_ADMIN_TOKEN", "  ")
    monkeypatch.setenv("TASKQA_MAX_QUESTION_CHARS", "200")
    dotenv = tmp_path / ".env"
    dotenv.write_text("TASKQA_RATE_PER_MINUTE=5\nTASKQA_MAX_QUESTION_CHARS=999\n", encoding="utf-8")
    s = Settings(_env_file=dotenv)
    assert s.cors_origins == [PORTAL, "https://b.gov.cn"]
    assert s.admin_token is None  # blank means off
    assert s.max_question_chars == 200  # the environment wins over .env
    assert s.rate_per_minute == 5
    assert s.feedback_db == Path("var/feedback.sqlite3") and s.log_questions is False
    monkeypatch.setenv("TASKQA_CORS_ORIGINS", '["https://c.gov.cn"]')
    assert Settings(_env_file=None).cors_origins == ["https://c.gov.cn"]


def test_create_app_reads_settings_when_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKQA_ADMIN_TOKEN", "from-env-" + "y" * 30)
    monkeypatch.setenv("TASKQA_FEEDBACK_DB", str(tmp_path / "fb.sqlite3"))
    app = create_app(engine_loader=lambda _: pytest.fail("not started"))
    settings: Settings = app.state.settings
    assert (
        settings.admin_token is not None and settings.admin_token.get_secret_value() == "from-env-" + "y" * 30
    )


def test_cli_builds_the_index_then_serves(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TASKQA_FEEDBACK_DB", str(tmp_path / "fb.sqlite3"))
    calls: dict[str, Any] = {}
    monkeypatch.setattr(
        cli,
        "ensure_index",
        lambda root, embedder, data_dir=None: calls.setdefault("ensure", root) or Path("/x"),
    )
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kw: calls.update(app=app, **kw))
    assert cli.main(["--host", "0.0.0.0", "--port", "8123", "--workers", "2"]) == 0
    assert calls["ensure"] == default_index_root()
    assert (calls["app"], calls["factory"], calls["host"], calls["port"], calls["workers"]) == (
        "api.worker:create_worker_app",
        True,
        "0.0.0.0",
        8123,
        2,
    )
    assert calls["access_log"] is False and calls["proxy_headers"] is True
    assert calls["http"] is GuardedH11Protocol and calls["limit_concurrency"] is None
    assert (calls["timeout_keep_alive"], calls["backlog"]) == (5, 128)


def test_cli_serves_not_ready_when_the_index_cannot_be_built(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An index build that fails is no reason to exit (a supervisor would rerun the build forever):
    the error and its fix are printed, and the server starts, not ready."""
    from index import IndexLoadError

    def broken(root: Path | None, embedder: object, data_dir: Path | None = None) -> Path:
        raise IndexLoadError("corpus missing: run `python -m index build`")

    served: dict[str, Any] = {}
    monkeypatch.setenv("TASKQA_FEEDBACK_DB", str(tmp_path / "fb.sqlite3"))
    monkeypatch.setenv("TASKQA_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setattr(cli, "ensure_index", broken)
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kw: served.update(app=app))
    assert cli.main([]) == 0
    err = capsys.readouterr().err
    assert "error: no usable index under" in err and "corpus missing" in err
    assert "serving not ready" in err and "python -m index build --force" in err
    assert served["app"] == "api.worker:create_worker_app"


def test_cli_reports_an_unknown_embedder(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TASKQA_EMBEDDER", "bogus")
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **k: pytest.fail("must not serve"))
    assert cli.main(["--no-build"]) == 2
    err = capsys.readouterr().err
    assert "unknown embedder 'bogus'" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TASKQA_INDEX_DIR", "{file}/idx", "cannot write the index under {file}/idx"),
        ("TASKQA_FEEDBACK_DB", "{file}/fb.sqlite3", "cannot open the feedback database {file}/fb.sqlite3"),
        ("TASKQA_MAX_CONCURRENCY", "many", "invalid TASKQA_* setting"),
    ],
)
def test_cli_reports_configuration_mistakes_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    variable: str,
    value: str,
    message: str,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TASKQA_FEEDBACK_DB", str(tmp_path / "fb.sqlite3"))
    monkeypatch.setenv("TASKQA_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setattr(
        cli, "ensure_index", lambda root, embedder, data_dir=None: (root / "versions").mkdir(parents=True)
    )
    monkeypatch.setenv(variable, value.format(file=blocker))
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **k: pytest.fail("must not serve"))
    assert cli.main([]) in (1, 2)
    err = capsys.readouterr().err
    assert message.format(file=blocker) in err and "Traceback" not in err
