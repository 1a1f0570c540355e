"""Which texts contain a word, without scanning them all: a character-bigram index (pure given the texts).

Topic evidence (``retriever.topic``) asks which tasks' normalized text contains a word (「电子证照」,
「养老」) — a substring test, not a token match, so 养老 also finds 养老服务机构. Scanning every text costs
time in proportion to the plan (13 ms a word at 100k tasks). Instead, each text's distinct character bigrams
are kept as sorted (bigram, text) pairs; a word's candidates are the texts holding all of its bigrams (the
intersection of their posting lists, rarest first), and a word longer than two characters is then checked in
those candidates only. One-character words are scanned.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Rows = npt.NDArray[np.int64]
_CHAR_BITS = 21  # every Unicode code point fits in 21 bits
_CHUNK = 20_000  # texts per step while building: bounds the temporary arrays


def _codes(text: str) -> npt.NDArray[np.uint64]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


class SubstringIndex:
    """Sorted indices of the texts containing a word (:meth:`find`), by a character-bigram index."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        n = len(texts)
        self._doc_bits = max(1, int(n).bit_length())
        if 2 * _CHAR_BITS + self._doc_bits > 64:
            raise ValueError(f"{n} texts are too many for one bigram index")
        parts: list[npt.NDArray[np.uint64]] = []
        for start in range(0, n, _CHUNK):
            chunk = texts[start : start + _CHUNK]
            codes = _codes("\0".join(chunk))
            docs = np.repeat(
                np.arange(start, start + len(chunk), dtype=np.uint64), [len(t) + 1 for t in chunk]
            )
            docs = docs[: len(codes)]
            if len(codes) < 2:
                continue
            first, second = codes[:-1], codes[1:]
            keep = (first != 0) & (second != 0)  # a pair across the separator is no bigram of a text
            grams = (first[keep] << np.uint64(_CHAR_BITS)) | second[keep]
            parts.append(np.unique((grams << np.uint64(self._doc_bits)) | docs[:-1][keep]))
        pairs = np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.uint64)
        self._grams = pairs >> np.uint64(self._doc_bits)
        self._docs = (pairs & np.uint64((1 << self._doc_bits) - 1)).astype(np.int64)
        self._joined: str | None = None

    def postings(self, gram: str) -> Rows:
        """Sorted indices of the texts holding a two-character string."""
        a, b = _codes(gram).tolist()
        key = np.uint64((a << _CHAR_BITS) | b)
        lo = int(np.searchsorted(self._grams, key, side="left"))
        hi = int(np.searchsorted(self._grams, key, side="right"))
        return self._docs[lo:hi]

    def find(self, word: str) -> Rows:
        """Sorted indices of the texts containing ``word`` (empty for an empty word)."""
        if not word:
            return np.zeros(0, np.int64)
        if len(word) == 1:
            return self._scan(word)
        lists = sorted((self.postings(word[i : i + 2]) for i in range(len(word) - 1)), key=len)
        found = lists[0]
        for more in lists[1:]:
            if not len(found):
                break
            found = np.intersect1d(found, more, assume_unique=True)
        if len(word) == 2 or not len(found):
            return found
        texts = self.texts
        return np.asarray([i for i in found.tolist() if word in texts[i]], np.int64)

    def _scan(self, word: str) -> Rows:
        if self._joined is None:
            self._joined = "\0".join(self.texts)
            self._starts = np.cumsum([0, *(len(t) + 1 for t in self.texts)])[:-1]
        joined, out = self._joined, []
        pos = joined.find(word)
        while pos >= 0:
            i = int(np.searchsorted(self._starts, pos, side="right")) - 1
            out.append(i)
            nxt = int(self._starts[i + 1]) if i + 1 < len(self._starts) else len(joined)
            pos = joined.find(word, nxt)
        return np.asarray(out, np.int64)
