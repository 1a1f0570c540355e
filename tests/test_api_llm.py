"""The optional LLM phrasing is off by default and, when on, can only reword — never change citations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.routes
from qa import Answer, LLMConfig
from tests.api_helpers import fake_app, make_settings


def test_off_by_default(tmp_path: Path, fake_retriever: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object, **kwargs: object) -> Answer:
        raise AssertionError("rephrase called while LLM phrasing is off")

    monkeypatch.setattr(api.routes, "rephrase", never)
    with TestClient(fake_app(make_settings(tmp_path), fake_retriever)) as client:
        r = client.post("/api/v1/ask", json={"question": "第233条由谁牵头？"})
    assert r.status_code == 200 and "第233条" in r.json()["answer"]


def test_on_rewords_but_citations_come_from_the_server(
    tmp_path: Path, fake_retriever: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[LLMConfig] = []

    def fake_rephrase(answer: Answer, question: str, cfg: LLMConfig, **_: object) -> Answer:
        seen.append(cfg)
        from dataclasses import replace

        return replace(answer, text="（润色）" + answer.text)

    monkeypatch.setattr(api.routes, "rephrase", fake_rephrase)
    settings = make_settings(tmp_path, llm_enabled=True, llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    with TestClient(fake_app(settings, fake_retriever)) as client:
        r = client.post("/api/v1/ask", json={"question": "第233条由谁牵头？"})
    body = r.json()
    assert r.status_code == 200 and body["answer"].startswith("（润色）")
    assert [c["task_id"] for c in body["citations"]] == [233]
    assert seen and seen[0].model == "m"


def test_unreachable_endpoint_falls_back(tmp_path: Path, fake_retriever: Any) -> None:
    # Port 9 (discard) on loopback: the connection is refused at once and the deterministic answer is kept.
    settings = make_settings(
        tmp_path,
        llm_enabled=True,
        llm_base_url="http://127.0.0.1:9/v1",
        llm_model="m",
        llm_timeout_seconds=1.0,
    )
    with TestClient(fake_app(settings, fake_retriever)) as client:
        r = client.post("/api/v1/ask", json={"question": "第233条由谁牵头？"})
    assert r.status_code == 200 and r.json()["answer"].startswith("第233条")
