"""The loaded plans' places, as the QA reads them (pure given the profiles).

Every name comes from the plans' profiles (``corpus.PlanProfile.places``): the region's names (伊金霍洛旗,
伊金霍洛, 伊旗), its level word (旗), the regions above it (内蒙古鄂尔多斯, 鄂尔多斯市 …), and their English
names (``data/place_names_en.tsv``, else the pinyin of the name without its level word: yunling). Naming a
loaded plan's place says nothing about which task (every task is about its region), so the coverage model's
evidence is read without them and they are no topic words; a place no loaded plan covers is another region.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import corpus
from corpus.profile import LEVELS
from qa.phrasebook import rows

# How people say "this county" with a region's level word (我旗, 全旗 …): the level word after each.
OWN = ("我", "全", "本", "咱")
# English level words, not names of their own (Ejin Horo Banner: the name is ejin horo).
_EN_LEVELS = frozenset({"banner", "county", "city", "prefecture", "province", "league", "district", "region"})


def english_names(name: str, *, romanize: bool = False) -> tuple[str, ...]:
    """A place's English names: its ``place_names_en.tsv`` row; else, with ``romanize``, the pinyin of the
    name without its level word (云岭州 → yunling); else none."""
    table = {r[0]: tuple(x.strip() for x in r[1].split("|") if x.strip()) for r in rows("place_names_en.tsv")}
    if name in table:
        return table[name]
    base = next((name[: -len(lv)] for lv in LEVELS if name.endswith(lv) and len(name) > len(lv) + 1), name)
    if not romanize or not re.fullmatch(r"[\u4e00-\u9fff]{2,6}", base):
        return ()
    from qa.text import char_pinyin

    return ("".join(char_pinyin(c) for c in base),)


@dataclass(frozen=True, slots=True)
class PlaceNames:
    """The places of the loaded plans (see the module docstring)."""

    local: tuple[str, ...] = ()  # the regions' names without the bare level word: 伊金霍洛旗, 伊金霍洛, 伊旗
    parents: tuple[str, ...] = ()  # the regions above them: 内蒙古鄂尔多斯, 鄂尔多斯市 …
    levels: tuple[str, ...] = ()  # the regions' level words: 旗, 州, 市
    english: tuple[str, ...] = ()  # English names, longest first (lower case)
    # What follows a place name inside a unit's name: 供电 (鄂尔多斯供电公司).
    unit_heads: tuple[str, ...] = ()
    _text: re.Pattern[str] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, plans: Sequence[corpus.PlanProfile], units: Iterable[str] = ()) -> PlaceNames:
        """The places of these plans; ``units``: the canonical units of their records (a place name that
        begins one is part of that unit's name, not the region's)."""
        local = tuple(dict.fromkeys(n for p in plans for n in p.places.names))
        parents = tuple(dict.fromkeys(n for p in plans for n in p.places.parents if n not in local))
        levels = tuple(dict.fromkeys(p.places.level for p in plans if p.places.level))
        english: dict[str, None] = {}
        for p in plans:
            for n in (p.region, *p.places.parents):
                if n:
                    english.update(dict.fromkeys(e.lower() for e in english_names(n, romanize=n == p.region)))
        names = sorted({*local, *parents}, key=len, reverse=True)
        heads: dict[str, None] = {}
        for u in units:
            for n in names:
                if u.startswith(n) and len(u) > len(n) + 1:
                    heads[u[len(n) : len(n) + 2]] = None
                    break
        return cls(local, parents, levels, tuple(sorted(english, key=len, reverse=True)), tuple(heads))

    def __post_init__(self) -> None:
        names = self.names
        if not names and not self.english:
            return
        # Chinese names not followed by what makes them a unit's name; English names (with their level word:
        # ejin horo banner).
        parts = []
        if names:
            heads = f"(?!{'|'.join(map(re.escape, self.unit_heads))})" if self.unit_heads else ""
            parts.append(f"(?:{'|'.join(map(re.escape, names))}){heads}")
        levels = "|".join(sorted(_EN_LEVELS))
        parts += [rf"{re.escape(e)}(?: (?:{levels}))?" for e in self.english]
        object.__setattr__(self, "_text", re.compile("|".join(parts), re.IGNORECASE))

    @property
    def names(self) -> tuple[str, ...]:
        """Every Chinese name, longest first."""
        return tuple(sorted({*self.local, *self.parents}, key=len, reverse=True))

    @property
    def words(self) -> frozenset[str]:
        """Tokens that name a loaded plan's place: no evidence of what a question is about."""
        english = {w for e in self.english for w in e.split() if w not in _EN_LEVELS}
        own = {f"{o}{lv}" for lv in self.levels for o in OWN[:2]}
        return frozenset({*self.local, *self.parents, *self.levels, *own, *english})

    @property
    def own_words(self) -> frozenset[str]:
        """The regions named as a whole (伊金霍洛旗, 伊旗, 我旗, 本旗 …): filler, never a topic."""
        return frozenset({*self.local, *(f"{o}{lv}" for lv in self.levels for o in OWN)})

    def loaded(self, name: str, *, local: bool = False) -> bool:
        """Whether a place name (with or without a level word) names a loaded plan's region or one above
        it (``local``: a loaded plan's own region)."""
        bare = re.sub(f"({'|'.join(LEVELS)})$", "", name)
        return any(n in (name, bare) or n.startswith(name) for n in (self.local if local else self.names))

    def strip(self, text: str) -> str:
        """The text without the loaded plans' place names (「伊旗下周的天气」 must not match a task that names
        the county)."""
        if self._text is None:
            return text
        return re.sub(r"\s+", " ", self._text.sub(" ", text)).strip()

    def content(self, tokens: Iterable[str]) -> list[str]:
        """Tokens without the place words."""
        words = self.words
        return [t for t in tokens if t not in words]
