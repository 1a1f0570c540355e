from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import TaskRecord
from index.tokenize import STOP_WORDS, Tokenizer, domain_terms, normalize


@pytest.fixture(scope="module")
def tok(tasks: list[TaskRecord]) -> Tokenizer:
    return Tokenizer(domain_terms(tasks))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),
        ("誰牽頭負責電力接入", "谁牵头负责电力接入"),
        ("  用电   报装 ", "用电 报装"),
        ("（对标上海）", "(对标上海)"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_domain_terms_include_quoted_terms_units_and_sections(tasks: list[TaskRecord]) -> None:
    terms = set(domain_terms(tasks))
    assert {"蒙速办", "一网通办", "蜗牛席", "旗政务服务局", "获得电力"} <= terms


def test_domain_terms_stay_whole(tok: Tokenizer) -> None:
    toks = tok.tokenize("推进“蒙速办”和“一网通办”，列入“蜗牛席”")
    assert "蒙速办" in toks and "一网通办" in toks and "蜗牛席" in toks


def test_stop_words_and_punctuation_dropped(tok: Tokenizer) -> None:
    toks = tok.tokenize("谁牵头负责电力接入的任务？")
    assert not set(toks) & STOP_WORDS
    assert "？" not in toks and "?" not in toks
    assert "电力" in toks


def test_traditional_and_full_width_queries_match_simplified(tok: Tokenizer) -> None:
    assert tok.tokenize("電力接入") == tok.tokenize("电力接入")
    assert tok.tokenize("ＡＰＰ") == tok.tokenize("app")


def test_dictionary_hash_changes_with_terms(tasks: list[TaskRecord]) -> None:
    a = Tokenizer(["蒙速办"])
    b = Tokenizer(["蒙速办", "蜗牛席"])
    assert a.dict_hash != b.dict_hash


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_tokenize_never_crashes_and_returns_clean_tokens(text: str) -> None:
    toks = _TOK.tokenize(text)
    assert all(t and t == t.strip() and t not in STOP_WORDS for t in toks)


_TOK = Tokenizer(["蒙速办"])
