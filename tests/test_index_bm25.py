from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from index.bm25 import BM25Index, build_bm25

CORPUS = [
    ["用电", "报装", "时限"],
    ["纳税", "退税", "时限", "时限"],
    ["破产", "管理人"],
    ["用电", "电费"],
    [],
]


def test_scores_equal_rank_bm25() -> None:
    ours = build_bm25(CORPUS)
    theirs = BM25Okapi([d or ["\u0000"] for d in CORPUS])
    for q in (["用电"], ["时限", "用电"], ["时限", "时限"], ["不存在"], []):
        np.testing.assert_allclose(ours.scores(q), theirs.get_scores(q), rtol=1e-5, atol=1e-6)


def test_round_trip(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    idx = build_bm25(CORPUS)
    folder = Path(str(tmp_path))
    idx.save(folder)
    back = BM25Index.load(folder, len(CORPUS))
    np.testing.assert_array_equal(back.scores(["用电", "时限"]), idx.scores(["用电", "时限"]))


def test_empty_corpus() -> None:
    assert build_bm25([]).scores(["x"]).shape == (0,)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=8), min_size=1, max_size=12),
    st.lists(st.sampled_from("abcdefghz"), max_size=5),
)
def test_matches_rank_bm25_on_random_corpora(corpus: list[list[str]], query: list[str]) -> None:
    ours = build_bm25(corpus).scores(query)
    theirs = BM25Okapi([d or ["\u0000"] for d in corpus]).get_scores(query)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
