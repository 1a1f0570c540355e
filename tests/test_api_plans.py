"""The plans over HTTP: ``GET /api/v1/plans``, citations that name their plan, and the admin upload that adds
a plan, rebuilds the index and reloads — or refuses a bad file in both languages and changes nothing
served."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from api.engine import Engine, make_engine
from corpus.loader import default_data_dir
from index.store import build_and_save, current_version_dir
from retriever import load_retriever
from tests.api_helpers import assert_error, fake_app, make_settings
from tests.fakes import FakeEmbedder
from tests.plan_fixtures import PLANS
from tests.test_corpus_add import BAD_FILES

TOKEN = "t" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FIRST = "ejin-horo-business-environment-plan-2022"


def test_plans_lists_the_one_plan_with_its_profile(tmp_path: Path, fake_retriever: Any) -> None:
    with TestClient(fake_app(make_settings(tmp_path), fake_retriever)) as c:
        body = c.get("/api/v1/plans").json()
    assert body == {
        "plans": [
            {
                "doc_id": FIRST,
                "title": "伊金霍洛旗对标先进建设最优营商环境实施方案",
                "short_title": "伊旗营商环境实施方案",
                "doc_number": "伊党办发〔2022〕5号",
                "region": "伊金霍洛旗",
                "year": 2022,
                "task_count": 482,
                "source_url": None,
            }
        ]
    }


def test_citations_and_hits_carry_the_plans_short_title(tmp_path: Path, fake_retriever: Any) -> None:
    with TestClient(fake_app(make_settings(tmp_path), fake_retriever)) as c:
        cited = c.post("/api/v1/ask", json={"question": "第5条是什么？"}).json()["citations"]
        hits = c.post("/api/v1/search", json={"query": "用电报装", "filters": {"doc_id": FIRST}}).json()[
            "hits"
        ]
        none = c.post("/api/v1/search", json={"query": "用电报装", "filters": {"doc_id": "other"}})
        task = c.get("/api/v1/tasks/5", params={"doc_id": FIRST}).json()
    assert cited and all(x["short_title"] == "伊旗营商环境实施方案" and x["doc_id"] == FIRST for x in cited)
    assert hits and all(h["short_title"] == "伊旗营商环境实施方案" for h in hits)
    assert_error(none, 404, "unknown_plan")  # a plan not served is said so, not an empty list
    assert task["short_title"] == "伊旗营商环境实施方案" and task["task_id"] == 5


# -- the admin upload ----------------------------------------------------------------------------------------


def _loader(settings: Settings) -> Engine:
    assert settings.index_dir is not None
    return make_engine(load_retriever(current_version_dir(settings.index_dir), embedder=FakeEmbedder()))


def _builder(settings: Settings) -> str:
    _, what = build_and_save(root=settings.index_dir, data_dir=settings.data_dir, embedder=FakeEmbedder())
    return what


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the shipped plan (fake embedder), copied for each test."""
    root = tmp_path_factory.mktemp("upload-base")
    shutil.copytree(default_data_dir(), root / "plans")
    build_and_save(root=root / "index", data_dir=root / "plans", embedder=FakeEmbedder())
    return root


@pytest.fixture
def server(tmp_path: Path, built: Path) -> Iterator[tuple[TestClient, Settings]]:
    shutil.copytree(built / "plans", tmp_path / "plans")
    shutil.copytree(built / "index", tmp_path / "index")
    settings = make_settings(
        tmp_path, admin_token=TOKEN, data_dir=tmp_path / "plans", index_dir=tmp_path / "index", plan_max_mb=1
    )
    app = create_app(settings, engine_loader=_loader, index_builder=_builder)
    with TestClient(app) as c:
        yield c, settings


def _state(settings: Settings) -> tuple[dict[str, bytes], str]:
    assert settings.data_dir is not None and settings.index_dir is not None
    files = {p.name: p.read_bytes() for p in sorted(settings.data_dir.iterdir())}
    return files, (settings.index_dir / "CURRENT").read_text()


def _upload(c: TestClient, name: str, data: bytes, **params: str) -> Any:
    return c.post(
        "/api/v1/admin/plans",
        params={"filename": name, **params},
        content=data,
        headers={**AUTH, "Content-Type": "application/octet-stream"},
    )


def test_an_uploaded_plan_is_added_indexed_and_served(server: tuple[TestClient, Settings]) -> None:
    c, settings = server
    r = _upload(c, "云岭州方案.docx", (PLANS / "yunling-2023.docx").read_bytes(), doc_id="yunling-2023")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "added" and body["plan"]["doc_id"] == "yunling-2023"
    assert body["plan"]["region"] == "云岭州" and body["plan"]["task_count"] == 64
    assert settings.data_dir is not None and (settings.data_dir / "yunling-2023.docx").is_file()
    plans = c.get("/api/v1/plans").json()["plans"]
    assert [p["doc_id"] for p in plans] == [FIRST, "yunling-2023"]
    assert c.get("/readyz").json()["index_version"] == body["index_version"]
    ans = c.post("/api/v1/ask", json={"question": "第5条是什么？", "doc_id": "yunling-2023"}).json()
    assert {x["doc_id"] for x in ans["citations"]} == {"yunling-2023"}
    assert f"《{ans['citations'][0]['short_title']}》第5条" in ans["answer"]
    again = _upload(c, "again.docx", (PLANS / "yunling-2023.docx").read_bytes())
    assert_error(again, 409, "plan_duplicate_content")


@pytest.mark.parametrize(("name", "data", "problem", "_zh", "_en"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_upload_is_refused_in_both_languages_and_nothing_served_changes(
    server: tuple[TestClient, Settings], name: str, data: bytes, problem: str, _zh: str, _en: str
) -> None:
    c, settings = server
    before, version = _state(settings), c.get("/readyz").json()["index_version"]
    status = {"unsupported": 415, "empty": 422}.get(problem, 422)
    assert_error(_upload(c, name or "plan", data), status, f"plan_{problem}")
    assert _state(settings) == before
    assert c.get("/readyz").json()["index_version"] == version


def test_an_upload_over_the_limit_is_refused_before_it_is_read(server: tuple[TestClient, Settings]) -> None:
    c, settings = server
    before = _state(settings)
    assert_error(_upload(c, "big.txt", b"x" * (2**20 + 1)), 413, "plan_too_large")
    assert _state(settings) == before


def test_an_oversized_upload_without_a_declared_length_is_cut_off(
    server: tuple[TestClient, Settings],
) -> None:
    c, settings = server
    before, version = _state(settings), c.get("/readyz").json()["index_version"]

    def chunks() -> Iterator[bytes]:  # sent chunked: no Content-Length to refuse it by
        for _ in range(40):
            yield b"x" * 32_768

    r = c.post("/api/v1/admin/plans", params={"filename": "big.txt"}, content=chunks(), headers=AUTH)
    err = assert_error(r, 413, "plan_too_large")
    assert "文件过大" in err["message"] and "too large" in err["message"]
    assert _state(settings) == before and c.get("/readyz").json()["index_version"] == version


@pytest.mark.parametrize(
    ("name", "params", "code"),
    [
        ("again.txt", {}, "plan_duplicate_content"),  # the served plan's own file, under another name
        ("other.xlsx", {"doc_id": FIRST}, "plan_duplicate_id"),  # another plan under the served plan's id
    ],
)
def test_a_duplicate_plan_is_refused_in_both_languages_and_nothing_served_changes(
    server: tuple[TestClient, Settings], name: str, params: dict[str, str], code: str
) -> None:
    c, settings = server
    before, version = _state(settings), c.get("/readyz").json()["index_version"]
    data = (
        (default_data_dir() / f"{FIRST}.txt").read_bytes()
        if code == "plan_duplicate_content"
        else (PLANS / "qingchuan-2024.xlsx").read_bytes()
    )
    assert_error(_upload(c, name, data, **params), 409, code)
    assert _state(settings) == before and c.get("/readyz").json()["index_version"] == version
    assert [p["doc_id"] for p in c.get("/api/v1/plans").json()["plans"]] == [FIRST]


def test_the_upload_needs_the_admin_token(server: tuple[TestClient, Settings], tmp_path: Path) -> None:
    c, settings = server
    before = _state(settings)
    data = (PLANS / "yunling-2023.docx").read_bytes()
    assert_error(c.post("/api/v1/admin/plans", params={"filename": "a.docx"}, content=data), 401)
    bad = {"Authorization": "Bearer " + "x" * 40}
    assert_error(c.post("/api/v1/admin/plans", params={"filename": "a.docx"}, content=data, headers=bad), 401)
    assert _state(settings) == before
    off = make_settings(tmp_path / "off", admin_token=None)
    with TestClient(create_app(off, engine_loader=_loader)) as c2:
        assert_error(c2.post("/api/v1/admin/plans", params={"filename": "a.docx"}, content=data), 404)


def test_a_failed_rebuild_removes_the_plan_and_keeps_serving(tmp_path: Path, built: Path) -> None:
    shutil.copytree(built / "plans", tmp_path / "plans")
    shutil.copytree(built / "index", tmp_path / "index")
    settings = make_settings(
        tmp_path, admin_token=TOKEN, data_dir=tmp_path / "plans", index_dir=tmp_path / "index"
    )

    def broken(_: Settings) -> str:
        raise OSError("disk full")

    with TestClient(create_app(settings, engine_loader=_loader, index_builder=broken)) as c:
        before = _state(settings)
        r = _upload(c, "q.xlsx", (PLANS / "qingchuan-2024.xlsx").read_bytes())
        assert_error(r, 503, "plan_not_indexed")
        assert _state(settings) == before
        assert [p["doc_id"] for p in c.get("/api/v1/plans").json()["plans"]] == [FIRST]


def _until(check: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_a_plan_added_through_one_worker_is_served_by_the_other(tmp_path: Path, built: Path) -> None:
    """Two apps over one corpus folder and index root, as two ``--workers`` processes: the one that did not
    receive the upload follows the published version on its own (``reload_check_seconds``)."""
    shutil.copytree(built / "plans", tmp_path / "plans")
    shutil.copytree(built / "index", tmp_path / "index")
    settings = make_settings(
        tmp_path,
        admin_token=TOKEN,
        data_dir=tmp_path / "plans",
        index_dir=tmp_path / "index",
        reload_check_seconds=0.1,
    )
    a = create_app(settings, engine_loader=_loader, index_builder=_builder)
    b = create_app(settings, engine_loader=_loader, index_builder=_builder)
    with TestClient(a) as ca, TestClient(b) as cb:
        before = cb.get("/readyz").json()["index_version"]
        r = _upload(ca, "q.xlsx", (PLANS / "qingchuan-2024.xlsx").read_bytes(), doc_id="qingchuan-2024")
        assert r.status_code == 201, r.text
        new = r.json()["index_version"]
        assert new != before
        assert _until(lambda: cb.get("/readyz").json()["index_version"] == new)
        assert [p["doc_id"] for p in cb.get("/api/v1/plans").json()["plans"]] == [FIRST, "qingchuan-2024"]
        ans = cb.post("/api/v1/ask", json={"question": "第5条是什么？", "doc_id": "qingchuan-2024"}).json()
        assert {c["doc_id"] for c in ans["citations"]} == {"qingchuan-2024"}


def test_a_failed_upload_is_not_followed(tmp_path: Path, built: Path) -> None:
    """The worker that received the upload fails to load the new version: ``CURRENT`` is put back, and the
    other worker, which checks all the while, goes on serving the first version."""
    shutil.copytree(built / "plans", tmp_path / "plans")
    shutil.copytree(built / "index", tmp_path / "index")
    settings = make_settings(
        tmp_path,
        admin_token=TOKEN,
        data_dir=tmp_path / "plans",
        index_dir=tmp_path / "index",
        reload_check_seconds=0.05,
    )
    loads = {"a": 0}

    def flaky(s: Settings) -> Engine:
        loads["a"] += 1
        if loads["a"] > 1:
            raise OSError("the new version does not load here")
        return _loader(s)

    a = create_app(settings, engine_loader=flaky, index_builder=_builder, version_probe=None)
    b = create_app(settings, engine_loader=_loader, index_builder=_builder)
    with TestClient(a) as ca, TestClient(b) as cb:
        before = cb.get("/readyz").json()["index_version"]
        assert_error(
            _upload(ca, "q.xlsx", (PLANS / "qingchuan-2024.xlsx").read_bytes()), 503, "plan_not_indexed"
        )
        time.sleep(0.3)
        assert cb.get("/readyz").json()["index_version"] == before
        assert [p["doc_id"] for p in cb.get("/api/v1/plans").json()["plans"]] == [FIRST]
        assert [p["doc_id"] for p in ca.get("/api/v1/plans").json()["plans"]] == [FIRST]
