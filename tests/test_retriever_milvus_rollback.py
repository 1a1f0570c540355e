"""A failed push or reload leaves the Milvus alias on the version it served (milvus-lite, injected failures):
the collection counterpart of putting the index folder's ``CURRENT`` back."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from api.engine import Engine, make_engine
from corpus.loader import default_data_dir
from corpus.records import TaskRecord
from index.store import build_and_save, build_index
from retriever.backends import StoreSpec, milvus_client, open_store, push_store
from retriever.milvus import MilvusStore
from retriever.milvus_load import PROP_ALIAS, push_index, pushed_info, served_collection
from tests.api_helpers import assert_error, make_settings
from tests.fakes import FakeEmbedder
from tests.plan_fixtures import PLANS

pytest.importorskip("milvus_lite", reason="the [milvus] extra (milvus-lite) is not installed")

TOKEN = "t" * 40


class Failing:
    """A Milvus client whose ``method`` fails at its ``nth`` call that ``when`` accepts (after doing its work
    when ``after``); everything else passes through."""

    def __init__(
        self,
        client: Any,
        method: str,
        *,
        nth: int = 1,
        after: bool = False,
        when: Callable[..., bool] = lambda *a, **k: True,
    ) -> None:
        self._client, self._method, self._nth, self._after, self._when = client, method, nth, after, when
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._client, name)
        if name != self._method:
            return real

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if self._when(*args, **kwargs):
                self.calls += 1
                if self.calls == self._nth:
                    if self._after:
                        real(*args, **kwargs)
                    raise RuntimeError(f"injected failure in {name}")
            return real(*args, **kwargs)

        return wrapped


def _built(tasks: list[TaskRecord], n: int) -> Any:
    built, _ = build_index(records=tasks[:n], embedder=FakeEmbedder(), corpus_digest=f"first-{n}")
    return built


def _pushed_for(client: Any, alias: str) -> set[str]:
    return {c for c in client.list_collections() if pushed_info(client, c).get(PROP_ALIAS) == alias}


@pytest.mark.parametrize(
    ("method", "nth", "after", "when"),
    [
        # while the rows are written (the second batch of tasks): the alias has not moved
        ("insert", 2, False, lambda name, *a, **k: not name.endswith("_terms")),
        ("flush", 2, False, lambda *a, **k: True),  # the tasks collection, written in full
        ("alter_alias", 1, True, lambda *a, **k: True),  # the alias moved, then the call failed
    ],
    ids=["insert", "flush", "alter_alias"],
)
def test_a_failed_push_leaves_the_alias_on_the_version_it_served(
    tasks: list[TaskRecord], tmp_path: Path, method: str, nth: int, after: bool, when: Callable[..., bool]
) -> None:
    client = milvus_client(StoreSpec("milvus-lite", path=tmp_path / "f.db"))
    served = push_index(_built(tasks, 50), client, alias="plan").collection
    collections = set(client.list_collections())
    failing = Failing(client, method, nth=nth, after=after, when=when)
    with pytest.raises(RuntimeError, match="injected failure"):
        push_index(_built(tasks, 60), failing, alias="plan", batch=20)
    assert failing.calls >= nth  # the failure was reached (the rollback may call the method again)
    assert served_collection(client, "plan") == served
    assert set(client.list_collections()) == collections  # what the failed push wrote is gone
    assert len(MilvusStore(client, "plan", FakeEmbedder()).records) == 50
    assert push_index(_built(tasks, 60), client, alias="plan").status == "pushed (60 tasks)"  # then it works
    assert len(MilvusStore(client, "plan", FakeEmbedder()).records) == 60


def test_a_failed_first_push_leaves_no_alias(tasks: list[TaskRecord], tmp_path: Path) -> None:
    client = milvus_client(StoreSpec("milvus-lite", path=tmp_path / "first.db"))
    with pytest.raises(RuntimeError, match="injected failure"):
        push_index(_built(tasks, 30), Failing(client, "create_alias", after=True), alias="plan")
    assert served_collection(client, "plan") is None and _pushed_for(client, "plan") == set()


def test_an_upload_whose_reload_fails_moves_the_alias_back(tmp_path: Path) -> None:
    """The admin upload with a Milvus store: the rebuilt index is pushed (the alias moves), the reload fails,
    and the alias goes back to the collection served before, with the corpus folder and ``CURRENT``."""
    shutil.copytree(default_data_dir(), tmp_path / "plans")
    build_and_save(root=tmp_path / "index", data_dir=tmp_path / "plans", embedder=FakeEmbedder())
    store = f"milvus-lite:{tmp_path / 'm.db'}"
    push_store(store, index_root=tmp_path / "index", embedder_name=FakeEmbedder().name)
    client = milvus_client(StoreSpec("milvus-lite", path=tmp_path / "m.db"))
    served = served_collection(client, "taskqa")
    assert served is not None
    loads: list[int] = []

    def loader(s: Settings) -> Engine:
        loads.append(1)
        if len(loads) > 1:
            # the new version was pushed: the alias names it now, and then the reload fails
            assert served_collection(client, "taskqa") != served
            raise OSError("the new version does not load")
        return make_engine(open_store(s.store, embedder=FakeEmbedder()))

    def builder(s: Settings) -> str:
        _, what = build_and_save(root=s.index_dir, data_dir=s.data_dir, embedder=FakeEmbedder())
        push_store(s.store, index_root=s.index_dir, embedder_name=FakeEmbedder().name)
        return what

    settings = make_settings(
        tmp_path, admin_token=TOKEN, data_dir=tmp_path / "plans", index_dir=tmp_path / "index", store=store
    )
    pointer = (tmp_path / "index" / "CURRENT").read_text()
    with TestClient(create_app(settings, engine_loader=loader, index_builder=builder)) as c:
        before = c.get("/readyz").json()["index_version"]
        r = c.post(
            "/api/v1/admin/plans",
            params={"filename": "qingchuan-2024.xlsx"},
            content=(PLANS / "qingchuan-2024.xlsx").read_bytes(),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert_error(r, 503, "plan_not_indexed")
        assert len(loads) == 2
        assert served_collection(client, "taskqa") == served
        assert (tmp_path / "index" / "CURRENT").read_text() == pointer
        assert not (tmp_path / "plans" / "qingchuan-2024.xlsx").exists()
        assert c.get("/readyz").json()["index_version"] == before
    assert len(MilvusStore(client, "taskqa", FakeEmbedder()).records) == 482
