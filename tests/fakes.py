"""A deterministic fake embedder: hashed character bigrams, L2-normalized (no model, no files)."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence

import numpy as np

from index.embedders import Matrix
from index.tokenize import normalize


class FakeEmbedder:
    def __init__(self, dim: int = 64, name: str = "fake-bigram-64") -> None:
        self._dim = dim
        self._name = name
        self.calls = 0

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self._dim, dtype=np.float32)
        t = normalize(text)
        for a, b in itertools.pairwise(t):
            h = int(hashlib.md5((a + b).encode()).hexdigest()[:8], 16)
            v[h % self._dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def _embed(self, texts: Sequence[str]) -> Matrix:
        self.calls += len(texts)
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.stack([self._vec(t) for t in texts]).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return self._embed(texts)
