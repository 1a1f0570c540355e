"""A plan added through one ``--workers`` child is served by every worker soon after (real server, two
workers): each follows the index's ``CURRENT`` pointer (``TASKQA_RELOAD_CHECK_SECONDS``) and swaps
atomically."""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from corpus.loader import default_data_dir
from eval.bench.procs import ApiServer
from index.store import default_index_root
from tests.plan_fixtures import PLANS

pytestmark = pytest.mark.integration

TOKEN = "w" * 40
FIRST = "ejin-horo-business-environment-plan-2022"


@contextmanager
def only(worker: int, workers: list[int]) -> Iterator[None]:
    """Every other worker stopped (SIGSTOP), so that a new connection can only be accepted by ``worker``;
    kept short: uvicorn's supervisor restarts a worker that misses its 5 s health check."""
    others = [p for p in workers if p != worker]
    for p in others:
        os.kill(p, signal.SIGSTOP)
    try:
        yield
    finally:
        for p in others:
            os.kill(p, signal.SIGCONT)


def _get(url: str, path: str) -> Any:
    with httpx.Client(base_url=url, timeout=2.0) as client:  # a new connection: any worker may take it
        r = client.get(path)
        assert r.status_code == 200, r.text
        return r.json()


def test_a_plan_added_through_one_worker_is_served_by_every_worker(tmp_path: Path) -> None:
    shutil.copytree(default_index_root(), tmp_path / "index")  # with its embedding cache
    shutil.copytree(default_data_dir(), tmp_path / "plans")
    env = {
        "TASKQA_INDEX_DIR": str(tmp_path / "index"),
        "TASKQA_DATA_DIR": str(tmp_path / "plans"),
        "TASKQA_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        "TASKQA_ADMIN_TOKEN": TOKEN,
        "TASKQA_RELOAD_CHECK_SECONDS": "0.5",
        "TASKQA_RATE_PER_MINUTE": "100000",
        "TASKQA_BURST": "100000",
    }
    with ApiServer(workers=2, env=env, log_path=tmp_path / "server.log") as server:
        server.wait_ready(timeout=300)
        workers = server.worker_pids()
        assert len(workers) == 2
        before = {p: _ready(server.url, p, workers) for p in workers}
        assert len(set(before.values())) == 1
        with httpx.Client(base_url=server.url, timeout=300) as client:
            r = client.post(
                "/api/v1/admin/plans",
                params={"filename": "云岭州方案.docx", "doc_id": "yunling-2023"},
                content=(PLANS / "yunling-2023.docx").read_bytes(),
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        assert r.status_code == 201, r.text
        new = r.json()["index_version"]
        assert new not in before.values()
        deadline = time.monotonic() + 60
        pending = set(workers)
        while pending and time.monotonic() < deadline:
            pending = {p for p in pending if _ready(server.url, p, workers) != new}
            time.sleep(0.5)
        assert not pending, f"workers {sorted(pending)} still serve the old version:\n{server.log_tail()}"
        assert server.worker_pids() == workers  # no worker was restarted to get there
        for p in workers:
            with only(p, workers):
                plans = _get(server.url, "/api/v1/plans")["plans"]
            assert [x["doc_id"] for x in plans] == [FIRST, "yunling-2023"]


def _ready(url: str, worker: int, workers: list[int]) -> str:
    """The index version ``worker`` serves."""
    with only(worker, workers):
        version: str = _get(url, "/readyz")["index_version"]
    return version
