"""File hashes of an index version: written into the manifest at build, checked on every load.

Without them a version whose ``vectors.faiss`` took random bytes, whose BM25 arrays took 0xff, or whose
``records.jsonl`` was edited loaded as if nothing had happened and served changed answers, because only
shapes and counts were compared. SHA-256 of each file is cheap next to loading it (482 tasks: about 2 MB
in all).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def digests(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """``{name: sha256}`` for the named files in ``folder``, sorted by name."""
    return {name: file_digest(folder / name) for name in sorted(names)}


def mismatches(folder: Path, expected: Mapping[str, str]) -> list[str]:
    """The files whose content is not what ``expected`` records (missing files included); [] when intact.

    Raises:
        ValueError: ``expected`` is empty (a manifest that records no hashes verifies nothing).
    """
    if not expected:
        raise ValueError("the manifest records no file hashes")
    bad = []
    for name, digest in sorted(expected.items()):
        path = folder / name
        if not path.is_file() or file_digest(path) != digest:
            bad.append(name)
    return bad
