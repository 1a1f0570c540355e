"""Index integrity (issue 13, items 4 and 8): hashes verified on load with a fallback to the previous good
version, and a damaged embedding cache that costs a re-embed instead of a crash."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api import create_app
from corpus import TaskRecord
from index.embcache import EmbeddingCache
from index.integrity import digests, mismatches
from index.store import IndexLoadError, build_and_save, load_current, load_index, read_manifest
from retriever import load_retriever
from tests.api_helpers import make_settings
from tests.fakes import FakeEmbedder


@pytest.fixture()
def small(tasks: list[TaskRecord]) -> list[TaskRecord]:
    return tasks[230:260]


def _bm25_array(folder: Path) -> Path:
    return next(p for p in sorted(folder.iterdir()) if p.name.startswith("bm25") and p.suffix == ".npy")


def _corrupt(folder: Path, how: str) -> str:
    """Damage one file the way the red-team pass did; returns its name."""
    if how == "random bytes in vectors.faiss":
        path = folder / "vectors.faiss"
        data = bytearray(path.read_bytes())
        data[-256:] = os.urandom(256)  # same size: only the content differs
        path.write_bytes(bytes(data))
    elif how == "0xff in a BM25 array":
        path = _bm25_array(folder)
        data = bytearray(path.read_bytes())
        data[-8:] = b"\xff" * 8
        path.write_bytes(bytes(data))
    elif how == "an edited records.jsonl":
        path = folder / "records.jsonl"
        lines = path.read_text("utf-8").splitlines(keepends=True)
        row = json.loads(lines[0])
        row["lead_units"] = ["旗财政局"]  # still valid JSON, still a plausible record
        lines[0] = json.dumps(row, ensure_ascii=False) + "\n"
        path.write_text("".join(lines), "utf-8")
    elif how == "a deleted userdict.txt":
        path = folder / "userdict.txt"
        path.unlink()
    else:
        raise AssertionError(how)
    return path.name


CORRUPTIONS = [
    "random bytes in vectors.faiss",
    "0xff in a BM25 array",
    "an edited records.jsonl",
    "a deleted userdict.txt",
]


def test_the_manifest_records_every_file(tmp_path: Path, small: list[TaskRecord]) -> None:
    path, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    info = read_manifest(path)
    names = {p.name for p in path.iterdir()} - {"manifest.json"}
    assert set(info.files) == names and "vectors.faiss" in names and "records.jsonl" in names
    assert info.files == digests(path, names)
    assert mismatches(path, info.files) == []
    with pytest.raises(ValueError, match="no file hashes"):
        mismatches(path, {})


@pytest.mark.parametrize("how", CORRUPTIONS)
def test_a_changed_file_is_refused_and_the_previous_version_serves(
    tmp_path: Path, small: list[TaskRecord], caplog: pytest.LogCaptureFixture, how: str
) -> None:
    old, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small[:20])
    time.sleep(1.1)  # version names have one-second resolution
    new, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    name = _corrupt(new, how)
    with pytest.raises(IndexLoadError, match=f"do not match their manifest hashes \\({name}\\)"):
        load_index(new, embedder_name="fake-bigram-64")
    with caplog.at_level(logging.WARNING, logger="taskqa.index"):
        built = load_current(tmp_path, embedder_name="fake-bigram-64")
    assert built.info.version == old.name and built.info.task_count == 20
    assert f"index version {new.name} does not load" in caplog.text and old.name in caplog.text
    # The server, by its default loader, serves the previous version too.
    settings = make_settings(tmp_path, index_dir=tmp_path)
    ready = _ready_with_fake_embedder(settings)
    assert ready["index_version"] == old.name and ready["task_count"] == 20


def _ready_with_fake_embedder(settings: object) -> dict[str, object]:
    from api.engine import make_engine
    from api.settings import Settings

    assert isinstance(settings, Settings)
    app = create_app(
        settings,
        engine_loader=lambda s: make_engine(load_retriever(root=s.index_dir, embedder=FakeEmbedder())),
    )
    with TestClient(app) as c:
        body: dict[str, object] = c.get("/readyz").json()
    return body


def test_without_a_good_version_the_error_names_the_fix(tmp_path: Path, small: list[TaskRecord]) -> None:
    only, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    _corrupt(only, "random bytes in vectors.faiss")
    with pytest.raises(IndexLoadError, match=r"vectors\.faiss.*python -m index build --force"):
        load_current(tmp_path, embedder_name="fake-bigram-64")


def test_a_build_replaces_a_corrupt_current_version(tmp_path: Path, small: list[TaskRecord]) -> None:
    first, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    _corrupt(first, "an edited records.jsonl")
    time.sleep(1.1)
    emb = FakeEmbedder()
    path, what = build_and_save(root=tmp_path, embedder=emb, records=small)  # not "up-to-date"
    assert what.startswith("built (0 of 30") and path != first  # the cache still had every passage
    assert load_index(path, embedder_name="fake-bigram-64").records == tuple(small)


# -- the embedding cache -----------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "emptied", "random bytes", "wrong arrays"])
def test_a_damaged_cache_costs_a_re_embed(
    tmp_path: Path, small: list[TaskRecord], caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    cache = next((tmp_path / "embcache").glob("*.npz"))
    data = cache.read_bytes()
    if damage == "truncated":
        cache.write_bytes(data[: len(data) // 2])
    elif damage == "emptied":
        cache.write_bytes(b"")
    elif damage == "random bytes":
        cache.write_bytes(os.urandom(len(data)))
    else:
        with cache.open("wb") as f:
            np.savez(f, keys=np.array(["a", "b"]), vectors=np.zeros(3, np.float32))
    emb = FakeEmbedder()
    with caplog.at_level(logging.WARNING, logger="taskqa.index"):
        path, what = build_and_save(root=tmp_path, embedder=emb, records=small, force=True)
    assert what.startswith("built (30 of 30") and emb.calls == 30
    assert "is unreadable" in caplog.text and "embedded again" in caplog.text
    assert len(EmbeddingCache(cache).vectors) == 30  # rewritten whole
    assert load_index(path, embedder_name="fake-bigram-64").info.task_count == 30


def test_the_cache_is_replaced_atomically(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "embcache" / "e.npz")
    cache.vectors = {"k1": np.ones(4, np.float32), "k2": np.zeros(4, np.float32)}
    cache.save()
    assert sorted(p.name for p in (tmp_path / "embcache").iterdir()) == ["e.npz"]  # no temp file left
    assert oct(cache.path.stat().st_mode & 0o777) == "0o644"
    again = EmbeddingCache(cache.path)
    assert set(again.vectors) == {"k1", "k2"} and float(again.vectors["k1"].sum()) == 4.0
