"""One Chinese tokenizer for indexing and for queries.

``normalize`` folds what people type onto what the plan writes: full-width forms
to half-width (NFKC), traditional to simplified characters (zhconv), English to
lower case. ``Tokenizer`` runs jieba's search-mode segmentation (words plus their
sub-words, so 一网通办 also yields 一网 / 通办) with a user dictionary of domain
terms built from the corpus — unit names, section names, quoted terms such as
蒙速办 / 蜗牛席 — and drops punctuation and stop words. Never a regex ``\\w+``
tokenizer: that would turn a whole run of Han characters into one token.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from corpus.records import TaskRecord

_QUOTED = re.compile(r"[“\"《]([^”\"》]{2,10})[”\"》]")
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")
_TRAD_HINT = re.compile(r"[\u4e00-\u9fff]")

# Function words and question words: they match everything and so rank nothing.
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "等",
        "是",
        "在",
        "对",
        "为",
        "把",
        "将",
        "被",
        "由",
        "从",
        "向",
        "以",
        "于",
        "之",
        "其",
        "这",
        "那",
        "哪",
        "哪些",
        "哪个",
        "哪里",
        "什么",
        "啥",
        "谁",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "怎么",
        "怎样",
        "如何",
        "多少",
        "几",
        "个",
        "有",
        "有没有",
        "没有",
        "会",
        "能",
        "能否",
        "可以",
        "要",
        "需要",
        "请",
        "请问",
        "我",
        "我们",
        "你",
        "你们",
        "他",
        "她",
        "它",
        "他们",
        "一下",
        "the",
        "a",
        "an",
        "of",
        "to",
        "and",
        "or",
        "for",
        "in",
        "on",
        "is",
        "are",
        "what",
        "who",
        "which",
        "when",
        "how",
        "does",
        "do",
        "please",
    ]
)


def _zhconv() -> object:
    """zhconv with its dictionary loaded through a closed file (its own loader leaks the handle)."""
    import json
    from importlib import resources as res

    import zhconv
    from zhconv import zhconv as impl

    if impl.zhcdicts is None:
        raw = res.files("zhconv").joinpath("zhcdict.json").read_bytes()
        impl.zhcdicts = json.loads(raw.decode("utf-8"))
        impl.zhcdicts["SIMPONLY"] = frozenset(impl.zhcdicts["SIMPONLY"])
        impl.zhcdicts["TRADONLY"] = frozenset(impl.zhcdicts["TRADONLY"])
    return zhconv


@lru_cache(maxsize=4096)
def _to_simplified(text: str) -> str:
    return str(_zhconv().convert(text, "zh-cn"))  # type: ignore[attr-defined]


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, lower case, collapsed spaces."""
    if len(text) <= 64:
        return _normalize_short(text)  # section and unit names, over and over: cached
    return _normalize(text)


@lru_cache(maxsize=16384)
def _normalize_short(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if _TRAD_HINT.search(text):
        text = _to_simplified(text)
    return re.sub(r"\s+", " ", text).strip().lower()


def domain_terms(records: Iterable[TaskRecord], extra: Iterable[str] = ()) -> list[str]:
    """Terms jieba must keep whole: units, sections, quoted terms in task texts."""
    terms: set[str] = set(extra)
    for r in records:
        terms.add(r.section)
        terms.update(r.lead_units)
        terms.update(r.responsible_units)
        terms.update(m.group(1) for m in _QUOTED.finditer(r.text))
    cleaned = {normalize(t) for t in terms}
    return sorted(t for t in cleaned if 2 <= len(t) <= 20 and " " not in t)


def dictionary_hash(terms: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(terms).encode("utf-8")).hexdigest()[:16]


class Tokenizer:
    """jieba with the domain dictionary, in its own instance (the global one stays untouched)."""

    def __init__(self, terms: Sequence[str]) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self.terms = tuple(terms)
        self.dict_hash = dictionary_hash(self.terms)
        self._jieba: Any = jieba.Tokenizer()
        self._jieba.initialize()
        for t in self.terms:
            self._jieba.add_word(t, freq=20000)

    def frequencies(self) -> tuple[dict[str, int], int]:
        """jieba's word frequencies (general Chinese plus the domain terms) and their total."""
        return self._jieba.FREQ, int(self._jieba.total)

    def __call__(self, text: str) -> list[str]:
        return self.tokenize(text)

    def words(self, text: str) -> list[str]:
        """Normalized words in jieba's precise mode (no sub-words), stop words kept, punctuation dropped."""
        return [
            w
            for w in (t.strip() for t in self._jieba.cut(normalize(text), HMM=True))
            if w and _KEEP.search(w)
        ]

    def tokenize(self, text: str) -> list[str]:
        """Normalized, segmented, filtered tokens (duplicates kept: BM25 counts them)."""
        out: list[str] = []
        for tok in self._jieba.cut_for_search(normalize(text), HMM=True):
            tok = tok.strip()
            if tok and tok not in STOP_WORDS and _KEEP.search(tok):
                out.append(tok)
        return out
