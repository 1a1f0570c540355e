from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from corpus import TaskRecord, load_tasks

DATA = Path(__file__).parent / "data"

# No wall-clock bound on a generated example: hypothesis's default 200 ms deadline fails property tests on a
# loaded 2-core machine (it did in a full run). Tests that set their own settings keep them.
settings.register_profile("taskqa", deadline=None)
settings.load_profile("taskqa")


@pytest.fixture(scope="session")
def tasks() -> list[TaskRecord]:
    return load_tasks()


def quirk(name: str) -> str:
    return (DATA / "quirks" / f"{name}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def fake_index_root(tmp_path_factory: pytest.TempPathFactory, tasks: list[TaskRecord]) -> Path:
    from corpus import load_plans
    from index.store import build_and_save
    from tests.fakes import FakeEmbedder

    root = tmp_path_factory.mktemp("fake-index")
    build_and_save(root=root, embedder=FakeEmbedder(), records=tasks, plans=[p.profile for p in load_plans()])
    return root


@pytest.fixture(scope="session")
def fake_retriever(fake_index_root: Path):  # type: ignore[no-untyped-def]
    from index.store import current_version_dir
    from retriever import load_retriever
    from tests.fakes import FakeEmbedder

    return load_retriever(current_version_dir(fake_index_root), embedder=FakeEmbedder())


@pytest.fixture(scope="session")
def fake_qa(fake_retriever):  # type: ignore[no-untyped-def]
    from qa import QA

    return QA(fake_retriever)


@pytest.fixture(scope="session")
def real_index_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real default embedder over the real corpus (built once per test session, ~25 s)."""
    import os

    from index.store import build_and_save, default_index_root

    # Reuse a developer's built index when present (same content is checked by build_and_save).
    if os.environ.get("TASKQA_TEST_FRESH_INDEX") != "1" and (default_index_root() / "CURRENT").exists():
        root = tmp_path_factory.mktemp("real-index")
        import shutil

        shutil.copytree(default_index_root() / "embcache", root / "embcache", dirs_exist_ok=True)
    else:
        root = tmp_path_factory.mktemp("real-index")
    build_and_save(root=root)
    return root


@pytest.fixture(scope="session")
def real_qa(real_index_root: Path):  # type: ignore[no-untyped-def]
    from index.store import current_version_dir
    from qa import QA
    from retriever import load_retriever

    return QA(load_retriever(current_version_dir(real_index_root)))
