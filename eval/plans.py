"""A temporary index over the plan files of several folders (``python -m eval --plans DIR …``).

The question set over several plans (``eval/data/plans3``) is answered over the shipped plan and the fixture
plans, which are not served: their files (and override files) are copied into one folder under a temporary
root and indexed there with the default embedder, reusing the passage embeddings cached beside the served
index, so nothing the server reads changes.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from corpus.loader import OVERRIDE_SUFFIX, plan_files
from index.embedders import Embedder
from index.store import build_and_save, default_index_root


def gather_plans(folders: Sequence[Path], into: Path) -> list[Path]:
    """Copy every plan file of ``folders`` (and its override file) into ``into``; returns the copies.

    Raises:
        ValueError: two folders hold a file of the same name.
    """
    into.mkdir(parents=True, exist_ok=True)
    copied: list[Path] = []
    for folder in folders:
        for path in plan_files(folder):
            for src in (path, path.with_suffix(OVERRIDE_SUFFIX)):
                if not src.is_file():
                    continue
                dst = into / src.name
                if dst.exists():
                    raise ValueError(f"two plan folders hold {src.name}")
                shutil.copyfile(src, dst)
                if src == path:
                    copied.append(dst)
    return copied


def build_plans_index(folders: Sequence[Path], root: Path, *, embedder: Embedder | None = None) -> Path:
    """Index the plans of ``folders`` under ``root`` (a temporary folder); returns the version folder."""
    gather_plans(folders, root / "plans")
    cache = default_index_root() / "embcache"
    if cache.is_dir():
        shutil.copytree(cache, root / "index" / "embcache", dirs_exist_ok=True)
    path, _ = build_and_save(root=root / "index", data_dir=root / "plans", embedder=embedder)
    return path
