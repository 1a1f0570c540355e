"""Character-level repairs every reader's text goes through (pure).

* PDF text layers often map CJK glyphs to the Kangxi radical code points (``⾏`` U+2F8F for ``行``, ``⼀`` for
  ``一``) and the supplement radicals (``⺠`` for ``民``): the ToUnicode map of Noto CJK subsets does this, so
  a search for 行动方案 would miss. A Kangxi radical is folded by its own NFKC decomposition (NFKC on the
  whole text would also fold full-width punctuation, which the parsers rely on); a supplement radical,
  which has none, by ``data/radicals.tsv``.
* Full-width digits in numbers (``１２．``) become ASCII digits.
* Traditional characters: a plan printed in traditional characters is converted to simplified with zhconv's
  ``zh-hans`` table (character and phrase level), so that it parses into the same records as the simplified
  plan. Simplified text is never touched (a plan is converted only when enough of its characters change).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Share of Han characters that zhconv changes above which a text is taken to be traditional. Simplified plans
# change ~0 % (measured on the first plan: 0 of 150k); traditional ones 15-25 %.
_TRADITIONAL_SHARE = 0.03
_SAMPLE = 20_000  # characters looked at: enough to tell, bounded cost
# Frequent traditional-only characters of official writing: a text with none of them is simplified, and
# zhconv's tables (~0.1 s to load) are not needed to say so.
_TRADITIONAL_HINTS = frozenset("們這會為與發關國務單責時經對實現體開動產從進應將區點數據辦營門電報處縣條")


@lru_cache(maxsize=1)
def _supplement() -> dict[str, str]:
    """Supplement radicals → ideographs, from ``data/radicals.tsv``."""
    text = resources.files("corpus").joinpath("data/radicals.tsv").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        cols = line.split("#", 1)[0].split("\t")
        if len(cols) >= 2 and cols[0].strip():
            out[cols[0].strip()] = cols[1].strip()
    return out


def _fold(ch: str) -> str:
    cp = ord(ch)
    if 0x2F00 <= cp <= 0x2FD5:
        return unicodedata.normalize("NFKC", ch)
    if 0x2E80 <= cp <= 0x2EF3:
        return _supplement().get(ch, ch)
    return ch


def fold_radicals(text: str) -> tuple[str, int]:
    """Radical code points → unified ideographs; returns the text and how many were folded."""
    if not any(0x2E80 <= ord(c) <= 0x2FD5 for c in text):
        return text, 0
    out = [_fold(c) for c in text]
    return "".join(out), sum(a != b for a, b in zip(text, out, strict=True))


def ascii_digits(text: str) -> str:
    """Full-width digits → ASCII digits."""
    return text.translate(_FULLWIDTH_DIGITS)


def _han(text: str) -> int:
    return sum("\u4e00" <= c <= "\u9fff" for c in text)


def zh_convert(text: str, locale: str) -> str:
    """zhconv's conversion (``zh-hans``, ``zh-hant`` …), its dictionary loaded through a closed file."""
    import zhconv  # ~30 ms to load its tables: only when a plan is read
    from zhconv import zhconv as impl

    if impl.zhcdicts is None:
        # Through a path, zhconv reads its dictionary in a `with` block (its default loader leaks the handle).
        with resources.as_file(resources.files("zhconv").joinpath("zhcdict.json")) as path:
            impl.loaddict(str(path))
    return str(zhconv.convert(text, locale))


def _zh_hans(text: str) -> str:
    return zh_convert(text, "zh-hans")


def is_traditional(text: str) -> bool:
    """Whether enough of the text's Han characters are traditional to convert the whole plan."""
    sample = text[:_SAMPLE]
    if _TRADITIONAL_HINTS.isdisjoint(sample):
        return False
    han = _han(sample)
    if han == 0:
        return False
    converted = _zh_hans(sample)
    changed = sum(a != b for a, b in zip(sample, converted, strict=False)) + abs(len(converted) - len(sample))
    return changed / han >= _TRADITIONAL_SHARE


def to_simplified(text: str) -> str:
    """The text in simplified characters (zhconv ``zh-hans``)."""
    return _zh_hans(text)
