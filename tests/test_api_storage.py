"""Storage faults and feedback bounds (issue 13, items 6 and 7).

The faults are real: the database's folder is deleted, and — as root, on a small tmpfs this test mounts
and unmounts itself — the disk fills up or is remounted read-only. Each must be a 503 in the error shape
with the CORS and security headers, the real cause in the log, and service again once the fault is gone.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.feedback import FeedbackFull, FeedbackStore, StorageError
from api.middleware import CSP
from qa import Answer
from tests.api_helpers import QUESTION, ConversationFree, assert_error, fake_app, make_settings

FEEDBACK, ADMIN_FEEDBACK, ASK = "/api/v1/feedback", "/api/v1/admin/feedback", "/api/v1/ask"
PORTAL = "https://www.yjhlq.gov.cn"
TOKEN = "storage-test-token-" + "s" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def entry(i: int = 0, size: int = 10) -> dict[str, Any]:
    return {"question": f"问题{i}", "answer": "答" * size, "rating": "up"}


def assert_storage_503(r: Any, code: str = "storage_unavailable") -> None:
    assert_error(r, 503, code)
    assert r.headers["retry-after"] == "60"
    assert r.headers["access-control-allow-origin"] == PORTAL
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"] == CSP


@pytest.fixture
def portal_client(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path, feedback_db=tmp_path / "var" / "fb.sqlite3", cors_origins=[PORTAL], admin_token=TOKEN
    )
    with TestClient(fake_app(settings, fake_retriever, fake_qa), headers={"Origin": PORTAL}) as c:
        yield c


def test_var_deleted_is_a_503_until_it_is_back_then_the_table_is_recreated(
    portal_client: TestClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    c = portal_client
    assert c.post(FEEDBACK, json=entry(1)).status_code == 201
    shutil.rmtree(tmp_path / "var")
    with caplog.at_level(logging.ERROR, logger="api"):
        assert_storage_503(c.post(FEEDBACK, json=entry(2)))
        assert_storage_503(c.get(ADMIN_FEEDBACK, headers=AUTH))
    assert "unable to open database file" in caplog.text and "cannot rollback" not in caplog.text
    assert f"the folder {tmp_path / 'var'} does not exist" in caplog.text
    assert c.post(ASK, json={"question": QUESTION}).status_code == 200  # the rest is unaffected
    (tmp_path / "var").mkdir()  # an operator recreates the folder: no restart needed
    assert c.post(FEEDBACK, json=entry(3)).status_code == 201
    items = c.get(ADMIN_FEEDBACK, headers=AUTH).json()["items"]
    assert [i["question"] for i in items] == ["问题3"]
    with sqlite3.connect(tmp_path / "var" / "fb.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs mounted at ``tmp_path/disk`` (root only; skipped where mounting is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.parametrize("fault", ["disk full", "read-only"])
def test_a_full_or_read_only_disk_is_a_503_with_the_cause_logged(
    small_disk: Path,
    fake_retriever: Any,
    fake_qa: Any,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    settings = make_settings(
        small_disk, feedback_db=small_disk / "fb.sqlite3", cors_origins=[PORTAL], feedback_max_mb=0
    )
    with TestClient(fake_app(settings, fake_retriever, fake_qa), headers={"Origin": PORTAL}) as c:
        assert c.post(FEEDBACK, json=entry(0)).status_code == 201
        with caplog.at_level(logging.ERROR, logger="api"):
            if fault == "disk full":
                statuses = [c.post(FEEDBACK, json=entry(i, size=3000)).status_code for i in range(40)]
                assert 201 in statuses and statuses[-1] == 503
                assert set(statuses) == {201, 503}
                last = c.post(FEEDBACK, json=entry(99, size=3000))
                expected = "database or disk is full"  # SQLite's own words, and the diagnosis:
                assert "is full)" in caplog.text
            else:
                subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
                last = c.post(FEEDBACK, json=entry(1))
                expected = "is read-only)"
        assert_storage_503(last)
        assert expected in caplog.text and "cannot rollback" not in caplog.text, caplog.text
        assert "Traceback" not in caplog.text
        assert c.post(ASK, json={"question": QUESTION}).status_code == 200


def test_the_size_cap_refuses_before_the_disk_fills(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any
) -> None:
    settings = make_settings(tmp_path, cors_origins=[PORTAL], feedback_max_mb=0.1)  # 100 KiB
    with TestClient(fake_app(settings, fake_retriever, fake_qa), headers={"Origin": PORTAL}) as c:
        statuses = [c.post(FEEDBACK, json=entry(i, size=3000)).status_code for i in range(20)]
        assert 201 in statuses and statuses[-1] == 503
        assert_storage_503(c.post(FEEDBACK, json=entry(99)), "feedback_full")
    store = FeedbackStore(settings.feedback_db, max_bytes=100 * 1024)
    assert store.size_bytes() >= 100 * 1024 and store.count() == statuses.count(201)
    with pytest.raises(FeedbackFull, match="reached its limit"):
        store.add(question="q", answer="a", rating="up")


def test_feedback_quota_per_client(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    settings = make_settings(tmp_path, feedback_per_day=24, feedback_burst=3)
    app = fake_app(settings, fake_retriever, fake_qa)
    with TestClient(app):
        flood = TestClient(app, client=("203.0.113.9", 1000))
        statuses = [flood.post(FEEDBACK, json=entry(i)).status_code for i in range(6)]
        assert statuses == [201] * 3 + [429] * 3
        r = flood.post(FEEDBACK, json=entry(9))
        assert 3000 <= int(r.headers["retry-after"]) <= 3600  # 24 a day: one an hour once the burst is gone
        other = TestClient(app, client=("198.51.100.3", 1000))
        assert other.post(FEEDBACK, json=entry(10)).status_code == 201


def test_retention_deletes_only_old_entries(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    store = FeedbackStore(db, retention_days=30)
    store.add(question="新的", answer="a", rating="up")
    old = (datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="seconds")
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO feedback (created_at, question, answer, rating) VALUES (?, '旧的', 'a', 'down')",
            (old,),
        )
    assert store.count() == 2
    assert store.prune() == 1
    assert [e.question for e in store.recent()] == ["新的"]
    FeedbackStore(db, retention_days=0).add(question="q", answer="a", rating="up")  # 0 keeps everything
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO feedback (created_at, question, answer, rating) VALUES (?, '旧的', 'a', 'down')",
            (old,),
        )
    assert FeedbackStore(db, retention_days=0).count() == 3
    assert FeedbackStore(db, retention_days=30).count() == 2  # pruned when opened


def test_an_unopenable_database_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot create"):
        FeedbackStore(blocker / "fb.sqlite3")


class FailingQA(ConversationFree):
    def answer(self, question: str, *, session: Any = None, doc_id: str | None = None) -> Answer:
        raise RuntimeError("a bug in the QA")


def test_an_unhandled_error_is_a_500_with_every_header(
    tmp_path: Path, fake_retriever: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, cors_origins=[PORTAL])
    app = fake_app(settings, fake_retriever, FailingQA())
    with TestClient(app, headers={"Origin": PORTAL}) as c, caplog.at_level(logging.ERROR, logger="api"):
        r = c.post(ASK, json={"question": QUESTION})
        # A crash of the QA: a 500 in the error shape (never a refusal), with every header, counted.
        assert_error(r, 500, "answer_failed")
        assert r.headers["access-control-allow-origin"] == PORTAL
        assert r.headers["content-security-policy"] == CSP
        assert c.get("/healthz").status_code == 200
        assert "taskqa_qa_crashes_total 1" in c.get("/metrics").text
    assert caplog.text.count("a bug in the QA") >= 1 and caplog.text.count("qa crashed on question") == 1
