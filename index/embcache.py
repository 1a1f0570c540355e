"""Passage embeddings by content hash, shared by builds: a cache, so a damaged one costs a re-embed.

One ``.npz`` per embedder under ``<root>/embcache``. Loading treats *any* failure to read it — a
truncated or emptied file (``BadZipFile``, ``EOFError``), a bad member (``zlib.error``), wrong shapes —
as an empty cache and logs a warning: before, ``index build --force`` on a truncated cache exited with a
traceback, and ``python -m api`` did the same on every restart. Saving writes a temporary file in the
same folder, fsyncs it, renames it over the old one and fsyncs the folder, so a crash or power cut leaves
the old cache or the new one, never a torn file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

from index.embedders import Matrix

log = logging.getLogger("taskqa.index")


class EmbeddingCache:
    """Passage embeddings keyed by sha256 of (embedder, text), persisted as one npz."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, Matrix] = {}
        if path.exists():
            try:
                # Opened here: np.load leaves its own file open when the zip turns out to be broken.
                with path.open("rb") as f, np.load(f, allow_pickle=False) as z:
                    keys, vectors = z["keys"], z["vectors"]
                    if len(keys) != len(vectors) or vectors.ndim != 2:
                        raise ValueError(f"{len(keys)} keys for {vectors.shape} vectors")
                    self.vectors = {str(k): v for k, v in zip(keys.tolist(), vectors, strict=True)}
            except Exception as exc:  # whatever is wrong with it, the cache only saves time
                self.vectors = {}
                log.warning(
                    "embedding cache %s is unreadable (%s: %s): every passage will be embedded again",
                    path,
                    type(exc).__name__,
                    exc,
                )

    @staticmethod
    def key(embedder: str, text: str) -> str:
        return hashlib.sha256(f"{embedder}\0{text}".encode()).hexdigest()

    def save(self) -> None:
        """Replace the file atomically and durably (temp file, fsync, rename, fsync of the folder)."""
        if not self.vectors:
            return
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors), dtype="<U64")
        vecs = np.stack(list(self.vectors.values())).astype(np.float32)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, keys=keys, vectors=vecs)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_dir(folder)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX: the directory entry is data of the folder)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
