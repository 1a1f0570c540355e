"""Phrasing lives in data: one loader for every table in ``qa/data`` (pure reads, cached).

Every file is tab-separated UTF-8 text with one comment syntax: a line starting with ``#`` is a comment, and
a column starting with ``#`` ends the row (its comment). Tables:

* ``cues.tsv`` — ``category  regex``: intent words, negation and exclusion words, area words, follow-up words,
  greetings, answer types no plan gives … (:func:`cue`, :func:`cue_words`);
* ``topics.tsv`` — ``word  section  whole|part``: how people name a section, or an aspect of one;
* ``synonyms.tsv`` — ``word  word …``: everyday words and the plan's words for the same thing;
* ``english.tsv`` — ``english  chinese``: English domain words, so English questions reach the same entities.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The data rows of ``qa/data/<name>``: columns up to the first comment column, stripped."""
    text = resources.files("qa").joinpath(f"data/{name}").read_text(encoding="utf-8")
    out: list[tuple[str, ...]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols: list[str] = []
        for col in line.split("\t"):
            if col.strip().startswith("#"):
                break
            cols.append(col.strip())
        if cols and cols[0]:
            out.append(tuple(cols))
    return tuple(out)


@cache
def cue_words(category: str) -> tuple[str, ...]:
    """The patterns of one cue category, in file order."""
    found = tuple(r[1] for r in rows("cues.tsv") if r[0] == category and len(r) > 1)
    if not found:
        raise KeyError(f"cues.tsv has no category {category!r}")
    return found


_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")


@cache
def cue(category: str) -> re.Pattern[str]:
    """One compiled alternation of a category's patterns (searched in the normalized question). A group name
    several rows use (``unstated_items``' ``item``, read row by row by ``qa.nearmiss``) names only the first
    row's group here: one pattern cannot define a name twice."""
    seen: set[str] = set()

    def once(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in seen:
            return "(?:"
        seen.add(name)
        return m.group(0)

    rows = (_NAMED_GROUP.sub(once, p) for p in cue_words(category))
    return re.compile("|".join(f"(?:{p})" for p in rows))


def categories() -> tuple[str, ...]:
    return tuple(dict.fromkeys(r[0] for r in rows("cues.tsv")))


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, ...]]:
    """Each word of ``synonyms.tsv`` → the other words of its row."""
    out: dict[str, tuple[str, ...]] = {}
    for row in rows("synonyms.tsv"):
        for word in row:
            out[word] = tuple(dict.fromkeys((*out.get(word, ()), *(w for w in row if w != word))))
    return out
