from __future__ import annotations

from pathlib import Path

import pytest

from corpus import TaskRecord, load_tasks

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def tasks() -> list[TaskRecord]:
    return load_tasks()


def quirk(name: str) -> str:
    return (DATA / "quirks" / f"{name}.txt").read_text(encoding="utf-8")
