"""What a question says, made comparable to what the plan writes (pure).

``normalize`` (full-width, traditional characters, case) comes from the index's tokenizer; here English domain
words and dates become Chinese (``data/english.tsv``), and homophone typos of the plan's terms are repaired by
pinyin (萌速办 → 蒙速办, 好差平 → 好差评).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from index.tokenize import normalize
from qa.phrasebook import rows

CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_QUESTION = 500  # characters read from a question: the rest costs work and adds nothing
# Characters that are not there: zero-width spaces and joiners, word joiner, BOM, Hangul fillers.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u3164\u115f\u1160\uffa0\u00ad]")

_EN_MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}


def clean(question: str) -> str:
    """The question without invisible characters, cut to ``MAX_QUESTION`` characters, normalized."""
    return normalize(_INVISIBLE.sub("", question)[:MAX_QUESTION])


MAX_EMBED_UNITS = 40  # tokens, about: what one question may cost the embedder (~40 ms on one core)
_UNIT = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+|[^\s]", re.IGNORECASE)


def embeddable(text: str, max_units: int = MAX_EMBED_UNITS) -> str:
    """The question cut to about ``max_units`` tokens for the embedder (a Han character or a word is about
    one): its head and its tail, where long questions put their context and their ask."""
    units = [m.group(0) for m in _UNIT.finditer(text)]
    if len(units) <= max_units:
        return text
    head, tail = units[: max_units * 2 // 3], units[-(max_units - max_units * 2 // 3) :]

    def join(us: list[str]) -> str:
        return "".join(u if not u[0].isascii() or not u[0].isalnum() else f" {u} " for u in us)

    return re.sub(r"\s+", " ", join(head) + " … " + join(tail)).strip()


def language(text: str) -> str:
    return "zh" if CJK.search(text) else "en"


def _english_dates(low: str) -> str:
    month = "|".join(_EN_MONTHS)

    def ym(m: re.Match[str]) -> str:
        return f" {m.group(2)}年{_EN_MONTHS[m.group(1)]}月底前 "

    def prior(m: re.Match[str]) -> str:  # 'before July 2023': due by the end of June
        year = int(m.group(2)) if m.group(2) else None
        month = _EN_MONTHS[m.group(1)] - 1
        if month == 0:
            month, year = 12, (year - 1 if year else None)
        return f" {year}年{month}月底前 " if year else f" {month}月底前 "

    low = re.sub(rf"(?:by|before) (?:the )?end of ({month}),? (\d{{4}})", ym, low)
    low = re.sub(rf"before ({month}),? (\d{{4}})", prior, low)
    low = re.sub(rf"by ({month}),? (\d{{4}})", ym, low)
    low = re.sub(rf"in ({month}),? (\d{{4}})", lambda m: f" {m.group(2)}年{_EN_MONTHS[m.group(1)]}月 ", low)
    # Without a year: the plan's own (「9月底前」 is read in each plan's year).
    low = re.sub(
        rf"(?:by|before) (?:the )?end of ({month})\b", lambda m: f" {_EN_MONTHS[m.group(1)]}月底前 ", low
    )
    low = re.sub(rf"before ({month})()\b", prior, low)
    low = re.sub(rf"by ({month})\b", lambda m: f" {_EN_MONTHS[m.group(1)]}月底前 ", low)
    low = re.sub(rf"(?:from|since) ({month})\b", lambda m: f" {_EN_MONTHS[m.group(1)]}月以后 ", low)
    low = re.sub(rf"after ({month})\b", lambda m: f" {min(12, int(_EN_MONTHS[m.group(1)]) + 1)}月以后 ", low)
    low = re.sub(
        rf"(?:due )?in ({month})\b(?! i\b)",
        lambda m: f" {_EN_MONTHS[m.group(1)]}月 " if m.group(1) != "may" else m.group(0),
        low,
    )
    low = re.sub(r"(?:by|before) (?:the )?end of (\d{4})", r" \1年底前 ", low)
    low = re.sub(r"(?:in )?(?:the )?first half of (\d{4})", r" \1年上半年 ", low)
    low = re.sub(r"(?:in )?(?:the )?second half of (\d{4})", r" \1年下半年 ", low)
    # 「a 2024 deadline」, 「due 2024」: that year.
    low = re.sub(r"(?:an? |the )?(20\d{2}) (?=deadlines?\b|due dates?\b)", r" \1年 ", low)
    low = re.sub(r"\bdue (20\d{2})\b", r" \1年 ", low)
    return re.sub(r"(?:due )?in (\d{4})", r" \1年 ", low)


@lru_cache(maxsize=1)
def _english() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every English term, longest first."""
    # Keys hyphenated like the question once its hyphens are spaces (cross-border → cross border).
    table = {re.sub(r"(?<=[a-z])-(?=[a-z])", " ", r[0]): r[1] for r in rows("english.tsv") if len(r) > 1}
    terms = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<![a-z])(?:" + "|".join(map(re.escape, terms)) + r")(?![a-z])"), table


_EN_GLUE = frozenset({"and", "of", "the", "a", "an", "for", "to", "with"})


@lru_cache(maxsize=1)
def _english_parts() -> dict[str, tuple[str, ...]]:
    """Each English word's Chinese morphemes: ``english_parts.tsv`` and the one-word rows of english.tsv."""
    parts: dict[str, list[str]] = {}
    for r in rows("english_parts.tsv"):
        if len(r) > 1:
            parts.setdefault(r[0], []).extend(m for m in r[1].split("|") if m)
    for r in rows("english.tsv"):
        if len(r) > 1 and re.fullmatch(r"[a-z]+", r[0]):
            parts.setdefault(r[0], []).append(r[1])
    return {w: tuple(dict.fromkeys(ms)) for w, ms in parts.items()}


def compose_english(text: str, says: Callable[[str], bool], longest: int = 5) -> str:
    """Consecutive English words written as the Chinese term the loaded plans coined of their morphemes
    ('one window acceptance' → 一窗受理, 'credit commitment' → 信用承诺): a term of three characters
    or more built of two words or more, one morpheme a word in order, that the plans write (``says``);
    words joining them (and, of) may be left out. Longest run of words first."""
    if not re.search(r"[a-z]{3}", text):
        return text
    parts = _english_parts()
    words = list(re.finditer(r"[a-z]+", text))

    def joined(i: int, j: int) -> bool:  # only spaces, commas, hyphens or quotes between words i..j
        return all(
            re.fullmatch(r"[\s,\-'\"“”‘’/]*", text[words[k].end() : words[k + 1].start()])
            for k in range(i, j)
        )

    def build(run: list[str]) -> str | None:
        terms = [("", 0)]  # (term so far, content words used)
        for w in run:
            found = parts.get(w) or parts.get(w[:-1] if w.endswith("s") else w, ())  # plurals: licences
            options = [*found, *([""] if w in _EN_GLUE else [])]
            nxt = [(t + m, n + (1 if m else 0)) for t, n in terms for m in options]
            terms = [(t, n) for t, n in dict.fromkeys(nxt) if len(t) < 2 or says(t)][:64]
            if not terms:
                return None
        made = [t for t, n in terms if n >= 2 and len(t) >= 3]
        return made[0] if made else None

    out: list[str] = []
    at, i = 0, 0
    while i < len(words):
        hit = None
        for j in range(min(len(words), i + longest) - 1, i, -1):
            run = [m.group(0) for m in words[i : j + 1]]
            if run[0] in _EN_GLUE or run[-1] in _EN_GLUE or not joined(i, j):
                continue
            term = build(run)
            if term is not None:
                hit = (j, term)
                break
        if hit is None:
            i += 1
            continue
        j, term = hit
        out += [text[at : words[i].start()], f" {term} "]
        at, i = words[j].end(), j + 1
    return "".join(out) + text[at:] if out else text


def translate_english(text: str) -> str:
    """Known English domain words and dates in Chinese; everything else kept."""
    if not re.search(r"[a-z]", text):
        return text
    pattern, table = _english()
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # intellectual-property → intellectual property
    low = pattern.sub(lambda m: f" {table[m.group(0)]} ", _english_dates(text))
    return re.sub(r"\s+", " ", low).strip()


@lru_cache(maxsize=65536)
def char_pinyin(c: str) -> str:
    """Toneless pinyin of one character (its most common reading)."""
    from pypinyin import lazy_pinyin

    return str(lazy_pinyin(c)[0])


# Characters that follow a word in a question as its copula or particle (是, 的, 吗): never a word's last
# character mistyped when what precedes them is a word of its own.
_PARTICLES = frozenset("是的了吗呢吧啊呀嘛")


class TypoFixer:
    """Homophone typos of the plan's terms, matched character by character on toneless pinyin.

    A window of the question is replaced only when it is not itself a word of the plan (公共资 is not a
    typo of 工工资) and the term it sounds like is one. At most ``max_windows`` windows are looked at, so a
    long question costs a bounded amount of work.
    """

    def __init__(
        self,
        terms: Iterable[str],
        known: Callable[[str], bool] | None = None,
        max_windows: int = 2000,
        common: Callable[[str], bool] | None = None,
    ) -> None:
        self.known = known or (lambda _: False)
        self.common = common or (lambda _: False)
        self.max_windows = max_windows
        self.by_pinyin: dict[tuple[str, ...], str] = {}
        self.terms: set[str] = set()
        self.lengths: set[int] = set()
        for term in sorted({p for t in terms for p in re.split(r"[、,，]", t)}):
            if 3 <= len(term) <= 6 and all(CJK.match(c) for c in term):
                self.terms.add(term)
                self.lengths.add(len(term))
                self.by_pinyin.setdefault(tuple(char_pinyin(c) for c in term), term)

    def _ordinary(self, piece: str) -> bool:
        """An ordinary word of Chinese, or two of them (截止日期 is no typo of 截之日起)."""
        if self.common(piece):
            return True
        return len(piece) == 4 and self.common(piece[:2]) and self.common(piece[2:])

    def _term_after_a_word(self, piece: str, term: str) -> bool:
        """The window is a term of its own after one more character that sounds like the term's first
        (是 + 工商联 is no typo of 市工商联: 「是工商联牵头的吗」 names 工商联)."""
        return piece[1:] == term[1:] and piece[1:] in self.terms

    def _word_before_a_particle(self, piece: str, term: str) -> bool:
        """The window is an ordinary word followed by a particle or copula that sounds like the term's last
        character (工作 + 是 is no typo of 工作室: 「这块工作是谁在牵头」)."""
        return piece[:-1] == term[:-1] and piece[-1] in _PARTICLES and self.common(piece[:-1])

    def fix(self, text: str) -> str:
        if not self.by_pinyin:
            return text
        out = text
        budget = self.max_windows
        for n in sorted(self.lengths, reverse=True):
            i = 0
            while i + n <= len(out) and budget > 0:
                budget -= 1
                piece = out[i : i + n]
                if piece in self.terms or not all(CJK.match(c) for c in piece):
                    i += 1
                    continue
                term = self.by_pinyin.get(tuple(char_pinyin(c) for c in piece))
                splits = (i > 0 and self.common(out[i - 1 : i + 1])) or (
                    i + n < len(out) and self.common(out[i + n - 1 : i + n + 1])
                )  # 「止日期」 cut out of 截止日期 is no window to repair
                if (
                    term
                    and term != piece
                    and not self.known(piece)
                    and not self._ordinary(piece)
                    and not splits
                    and not self._term_after_a_word(piece, term)
                    and not self._word_before_a_particle(piece, term)
                ):
                    out = out[:i] + term + out[i + n :]
                    i += n
                else:
                    i += 1
        return out


class Respeller:
    """Two-character words the plan never writes, respelled as the one word of the plan that sounds the same
    (toneless pinyin): 仲才 → 仲裁, 保寒 → 保函, 公政 → 公证. Too short for :class:`TypoFixer`'s windows over
    the whole question, so only a theme's own words are respelled (``qa.theme``); a sound two plan words
    share is left alone. A word of ordinary Chinese (``common``) is respelled only when the respelled word
    and a neighbour form a phrase the plan writes (``says``): 公正 + 服务 → 公证服务, 司法 + 坚定 →
    司法鉴定; but 什么时候 stays (时候 is no typo of 事后), and so does 一下."""

    def __init__(
        self,
        words: Iterable[str],
        common: Callable[[str], bool] | None = None,
        says: Callable[[str], bool] | None = None,
    ) -> None:
        self.common = common or (lambda _: False)
        self.says = says or (lambda _: False)
        by: dict[tuple[str, ...], set[str]] = {}
        for w in words:
            if len(w) == 2 and all(CJK.match(c) for c in w):
                by.setdefault(tuple(char_pinyin(c) for c in w), set()).add(w)
        self.by_pinyin = {k: next(iter(v)) for k, v in by.items() if len(v) == 1}

    def __call__(self, word: str, before: str = "", after: str = "") -> str | None:
        """``word`` respelled, or None; ``before`` / ``after``: the words next to it in the question."""
        if len(word) != 2 or not all(CJK.match(c) for c in word):
            return None
        found = self.by_pinyin.get(tuple(char_pinyin(c) for c in word))
        if found is None or found == word:
            return None
        if self.common(word) and not (
            (before and self.says(before + found)) or (after and self.says(found + after))
        ):
            return None
        return found
