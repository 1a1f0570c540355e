"""Follow-ups without sticky sessions: the previous turn travels with the conversation as a signed token, so
any ``--workers`` child, or another server that shares the secret, answers the next turn (real servers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from eval.bench.procs import ApiServer
from index.store import default_index_root

pytestmark = pytest.mark.integration

UNITS = (
    "法院",
    "住建局",
    "市场监管局",
    "财政局",
    "人社局",
    "政务服务局",
    "自然资源局",
    "税务局",
    "发改委",
    "工信局",
)
FOLLOW_UP = "其中2022年底前要完成的呢？"


def _env(tmp_path: Path, secret: str) -> dict[str, str]:
    return {
        "TASKQA_INDEX_DIR": str(default_index_root()),
        "TASKQA_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        "TASKQA_SESSION_SECRET": secret,
        "TASKQA_RATE_PER_MINUTE": "100000",
        "TASKQA_BURST": "100000",
    }


def _ask(url: str, question: str, session_id: str | None = None) -> dict[str, Any]:
    # A new client (a new connection) for every turn: the kernel may hand it to any worker.
    with httpx.Client(base_url=url, timeout=60) as client:
        r = client.post("/api/v1/ask", json={"question": question, "session_id": session_id})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


def _cited(body: dict[str, Any]) -> set[int]:
    return {int(c["task_id"]) for c in body["citations"]}


def _conversations(first_url: str, second_url: str) -> list[str]:
    """Ten two-turn conversations, the first turn on one server and the follow-up on the other; the
    problems found (empty when every one kept its context)."""
    problems = []
    for unit in UNITS:
        first = _ask(first_url, f"{unit}牵头哪些任务？")
        second = _ask(second_url, FOLLOW_UP, first["session_id"])
        narrowed = _cited(second)
        if second["new_conversation"] or not narrowed or not narrowed <= _cited(first):
            problems.append(f"{unit}: {sorted(narrowed)[:5]} not within {sorted(_cited(first))[:5]}")
    return problems


def test_ten_conversations_keep_their_context_across_two_workers(tmp_path: Path) -> None:
    with ApiServer(workers=2, env=_env(tmp_path, "w" * 40), log_path=tmp_path / "server.log") as server:
        server.wait_ready(timeout=300)
        assert len(server.worker_pids()) == 2
        assert _conversations(server.url, server.url) == []
        court = _cited(_ask(server.url, "法院牵头哪些任务？"))
        alone = _ask(server.url, FOLLOW_UP)  # the same words without a token: no list of the court's tasks
        assert alone["new_conversation"] is False and not (_cited(alone) and _cited(alone) <= court)


def test_two_servers_that_share_the_secret_continue_each_others_conversations(tmp_path: Path) -> None:
    env = _env(tmp_path, "s" * 40)
    with (
        ApiServer(env=env, log_path=tmp_path / "a.log") as a,
        ApiServer(env=env, log_path=tmp_path / "b.log") as b,
        ApiServer(env=_env(tmp_path, "o" * 40), log_path=tmp_path / "c.log") as other,
    ):
        for server in (a, b, other):
            server.wait_ready(timeout=300)
        assert _conversations(a.url, b.url) == []
        first = _ask(a.url, "法院牵头哪些任务？")
        elsewhere = _ask(other.url, FOLLOW_UP, first["session_id"])
        assert elsewhere["new_conversation"] is True  # another secret: says so and starts again
