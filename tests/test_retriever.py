from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.embedders import Matrix
from index.store import current_version_dir
from retriever import Filters, Retriever, load_retriever, weighted_rrf
from retriever.common import QueryCache
from tests.fakes import FakeEmbedder


def test_weighted_rrf_formula() -> None:
    fused = dict(weighted_rrf({"a": [1, 2], "b": [2, 3]}, {"a": 1.0, "b": 0.5}, k=60))
    assert fused[1] == pytest.approx(1 / 61)
    assert fused[2] == pytest.approx(1 / 62 + 0.5 / 61)
    assert fused[3] == pytest.approx(0.5 / 62)
    assert list(dict(weighted_rrf({"a": [1, 2], "b": [2, 3]}, {"a": 1.0, "b": 0.5}))) == [2, 1, 3]


def test_zero_weight_drops_a_signal() -> None:
    assert weighted_rrf({"a": [1], "b": [2]}, {"a": 1.0, "b": 0.0}) == [(1, pytest.approx(1 / 61))]


def test_filter_without_query_returns_all_matches(fake_retriever: Retriever) -> None:
    hits = fake_retriever.search("", filters=Filters(lead_unit="法院"), top_k=5)
    assert len(hits) == 61  # never a top-k
    assert all(h.score == 0.0 for h in hits)
    assert [h.record.task_id for h in hits] == sorted(h.record.task_id for h in hits)


@pytest.mark.parametrize(
    ("filters", "count"),
    [
        (Filters(section="获得电力"), 20),
        (Filters(section="11"), 20),
        (Filters(lead_unit="供电公司"), 14),
        (Filters(lead_unit="伊旗供电公司"), 13),
        (Filters(benchmark_city="深圳"), 17),
        (Filters(benchmark_city="对标深圳"), 17),
        (Filters(section="获得电力", deadline_before=(2022, 6)), 3),
        (Filters(deadline_after=(2023, 1), deadline_before=(2023, 6)), 3),
    ],
)
def test_structured_filters(fake_retriever: Retriever, filters: Filters, count: int) -> None:
    got = fake_retriever.filter(filters)
    assert len(got) == count
    if filters.deadline_before:
        assert all(r.deadline_ym and r.deadline_ym <= filters.deadline_before for r in got)


def test_search_returns_signals_and_respects_filters(fake_retriever: Retriever) -> None:
    hits = fake_retriever.search("用电报装办理时间", top_k=5, filters=Filters(section="获得电力"))
    assert 1 <= len(hits) <= 5
    assert all(h.record.section == "获得电力" for h in hits)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert set(hits[0].signals) == {"bm25", "dense"}
    assert hits[0].score >= hits[-1].score


def test_bm25_mode_finds_exact_terms(fake_retriever: Retriever) -> None:
    hits = fake_retriever.search("蜗牛席", mode="bm25", top_k=3)
    assert hits and "蜗牛席" in hits[0].record.text
    assert hits[0].signals["bm25"].rank == 1


def test_query_cache_reuses_embeddings(fake_retriever: Retriever) -> None:
    before = fake_retriever.query_cache.hits
    fake_retriever.search("破产管理人", top_k=3)
    fake_retriever.search("破产管理人", top_k=3)
    assert fake_retriever.query_cache.hits > before


def test_get_by_number(fake_retriever: Retriever) -> None:
    rec = fake_retriever.get(233)
    assert rec is not None and rec.section == "获得电力"
    assert fake_retriever.get(9999) is None


def test_a_prefetched_embedding_is_computed_once(fake_index_root: Path) -> None:
    emb = FakeEmbedder()
    r = load_retriever(current_version_dir(fake_index_root), embedder=emb)
    r.query_cache = QueryCache(0)  # nothing kept: only the prefetch can spare the second computation
    r.prefetch("破产管理人履职")
    q = r.embed_query("破产管理人履职")
    assert emb.calls == 1
    assert np.allclose(q, FakeEmbedder().embed_queries(["破产管理人履职"])[0])
    r.embed_query("另一个问题")
    assert emb.calls == 2


def test_one_prefetch_at_a_time(fake_index_root: Path) -> None:
    gate = threading.Event()

    class Slow(FakeEmbedder):
        def embed_queries(self, texts: Sequence[str]) -> Matrix:
            gate.wait(5)
            return super().embed_queries(texts)

    emb = Slow()
    r = load_retriever(current_version_dir(fake_index_root), embedder=emb)
    r.prefetch("第一个问题")
    r.prefetch("第二个问题")  # the first is still running: not started
    gate.set()
    r.embed_query("第一个问题")
    assert emb.calls == 1
