"""Shared by the tests/test_api*.py modules: settings and apps over the fake-embedder index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api import Settings, create_app
from api.engine import Engine, make_engine

QUESTION = "法院牵头哪些任务？"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a test: no .env, a private feedback DB, limits high enough not to interfere."""
    values: dict[str, Any] = {
        "feedback_db": tmp_path / "feedback.sqlite3",
        "rate_per_minute": 100_000.0,
        "burst": 10_000,
        "max_concurrency": 64,
        "cost_ms_per_minute": 1e9,
        "cost_burst_ms": 1e9,
        "feedback_per_day": 1_000_000,
        "feedback_burst": 10_000,
        "admin_token": None,
        "cors_origins": [],
        "log_questions": False,
        **overrides,
    }
    return Settings(_env_file=None, **values)


def fake_app(settings: Settings, retriever: Any, qa: Any = None) -> FastAPI:
    """An app whose engine wraps the session's fake-embedder retriever (and optionally another QA)."""

    def loader(_: Settings) -> Engine:
        return make_engine(retriever, qa)

    return create_app(settings, engine_loader=loader)


def failing_app(settings: Settings) -> FastAPI:
    def loader(_: Settings) -> Engine:
        from index import IndexLoadError

        raise IndexLoadError("no index under /nowhere: run `python -m index build`")

    return create_app(settings, engine_loader=loader)


def parse_sse(body: str) -> list[tuple[str, Any]]:
    """``[(event, data), ...]`` of a text/event-stream body."""
    events = []
    for frame in body.split("\n\n"):
        if not frame.strip():
            continue
        fields = dict(line.split(": ", 1) for line in frame.split("\n"))
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, str]:
    """The response is the one error shape, with a bilingual message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"code", "message"}
    if code is not None:
        assert err["code"] == code, err
    zh, sep, en = err["message"].partition(" / ")
    assert sep and zh and en, err["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), err["message"]
    assert any(c.isascii() and c.isalpha() for c in en), err["message"]
    return dict(err)


class ConversationFree:
    """A test double of the QA that holds no conversation: every question starts a new one."""

    def resume(self, token: str | None, codec: Any) -> tuple[Any, bool]:
        from qa import Session

        return Session(id=""), False

    def token(self, session: Any, codec: Any) -> str:
        return str(codec.encode("", ()))


class Wrapping:
    """A test double wrapping a QA (``inner``): whatever it does not redefine is the inner QA's."""

    inner: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["inner"], name)
