"""The theme of a question: what it is about, as the plan writes it, in facets (pure).

A who-leads or list question about something narrower than a section (「告知承诺制是谁在推」,
「管理人的事归谁」, 「电子印章、电子签名这两块」) names its theme in a few words. The theme is read from
the question's words, not from its names or cue words:

* the text is cut into words (the index tokenizer's precise mode); cue words (intent, area, negation …) are
  dropped only where they are whole words (学 in 大学生 is no benchmark cue), names other than sections are
  dropped (units with their role words, windows, cities, numbers, places);
* neighbouring words the plan writes as one are kept as one term (管理 + 人 → 管理人, 转 + 供电 → 转供电),
  and a whole-section word is part of the theme only inside such a term (供电 in 转供电);
* coordinated themes (「A、B」, 「A和B」, 「A还有B」) are **facets**: a task is about the theme when it is
  about any facet, each item with the words the items share (the words around the list). Clauses that
  restate the theme in other words (「缺个材料也能先办吗 就是容缺那个」) pool their terms into one facet.

The store decides which tasks are about each facet (``retriever.topic``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass

from qa.entities import ASK_CUES, FRAME_CUES, Mention
from qa.phrasebook import cue

# Words that coordinate two themes (「商标和专利」, 「仲裁、调解还有诉讼」).
CONNECTORS = frozenset({"和", "与", "及", "以及", "还有", "或", "或者", "跟", "同", "及其", "还是", "以及其"})
_COORD_MARK = re.compile(r"^[、/／]+$")
_CLAUSE_MARK = re.compile(r"[\s,，;；。？?！!：:]")
_CUES = (*ASK_CUES, *FRAME_CUES)
_QUOTES = "“”\"'‘’「」『』《》〈〉"
MAX_TERM_WORDS = 4  # a term joins at most this many of the tokenizer's words
MAX_TERMS = 12


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    start: int
    end: int
    kind: str  # "word", "filler", "generic", "section" (a whole-section word), "blocked", "coord", "clause"


def _spans(text: str, words: Sequence[str]) -> list[tuple[str, int, int]]:
    out, pos = [], 0
    for w in words:
        i = text.find(w, pos)
        if i < 0:
            continue
        out.append((w, i, i + len(w)))
        pos = i + len(w)
    return out


def _tokens(
    text: str,
    mentions: Sequence[Mention],
    words: Callable[[str], list[str]],
    sections: Container[str],
    own: Container[str] = (),
    says: Callable[[str], bool] = lambda _: False,
) -> list[_Tok]:
    spans = _spans(text, words(text))
    starts = {s for _, s, _ in spans}
    ends = {e for _, _, e in spans}
    blocked = [False] * len(text)
    section = [False] * len(text)
    named: set[tuple[int, int]] = set()
    named_whole = beside_whole(text, mentions)
    for m in mentions:
        if m.kind == "section":
            # A section the question names as a whole is a filter, not the theme; an aspect of it named beside
            # its whole name (「政务服务“好差评”」) is the theme within it.
            if m.section in sections and (m.whole or m.section not in named_whole):
                named.add((m.start, m.end))
                for i in range(m.start, m.end):
                    section[i] = True
            continue
        for i in range(m.start, max(m.end, m.role_end)):
            blocked[i] = True
    for pattern in (cue("example_clause"),):
        for x in pattern.finditer(text):
            for i in range(*x.span()):
                blocked[i] = True
    generic, head = cue("generic_word"), cue("generic_head")
    filler = cue("filler")
    before = {b: w for w, _, b in spans}
    for category in _CUES:
        for x in cue(category).finditer(text):
            a, b = x.span()
            w = before.get(a, "")
            if (
                head.fullmatch(x.group())
                and (head.fullmatch(w) or not filler.fullmatch(w))
                and says(w + x.group())
            ):
                continue  # a generic head in a name the plan writes (事项 + 清单: 事项清单), not a list cue
            if a in starts and b in ends:  # a cue word only where it is whole words (not 学 in 大学生)
                for i in range(a, b):
                    blocked[i] = True
    toks: list[_Tok] = []
    prev_end = 0
    for w, a, b in spans:
        gap = text[prev_end:a]
        if gap:
            if "、" in gap or "/" in gap or "／" in gap:
                toks.append(_Tok(gap, prev_end, a, "coord"))
            elif _CLAUSE_MARK.search(gap):
                toks.append(_Tok(gap, prev_end, a, "clause"))
        prev_end = b
        if any(blocked[a:b]):
            kind = "blocked"
        elif w in CONNECTORS or _COORD_MARK.match(w):
            kind = "coord"
        elif any(section[a:b]) and not any(s == a and e < b for s, e in named):
            # A word that starts with a section's word and goes on (诉讼 + 费) names a narrower thing, its
            # head last; one that only qualifies it (企业 + 破产) is still the section's word.
            kind = "section"
        elif head.fullmatch(w):
            kind = "generic"  # 事项, 清单: no theme alone, but part of a name (证明事项, 事项清单)
        elif generic.fullmatch(w) or filler.fullmatch(w) or w in own or (w.isdigit() and len(w) < 2):
            kind = "filler"  # 政策, 问题 (``generic_word``): what kind of thing, not which
        else:
            kind = "word"
        toks.append(_Tok(w, a, b, kind))
    return toks


def beside_whole(text: str, mentions: Sequence[Mention]) -> set[str | None]:
    """Sections named by their whole word beside an aspect of theirs that is then the theme within them
    (「政务服务“好差评”谁牵头」); not when an area word names them (「劳动用工、劳动仲裁这块」: the aspect is
    an example of the area) unless the aspect is the area named: said after its section's whole name and just
    before the area word (「政务服务好差评这块」, 「纳税里面退税这一块」)."""
    whole = {m.section: m.end for m in mentions if m.kind == "section" and m.whole}
    areas = [x.start() for x in cue("area").finditer(text)]
    if not areas:
        return set(whole)
    return {
        m.section
        for m in mentions
        if m.kind == "section"
        and not m.whole
        and m.section in whole
        and re.fullmatch(_WITHIN, text[whole[m.section] : m.start])  # not listed with it: 「X、Y这块」
        and any(a >= m.end and re.fullmatch(r"\s?的?", text[m.end : a]) for a in areas)
    }


# What may stand between a section's whole word and an aspect read within it (「纳税里面退税」).
_WITHIN = r"\s?(?:里面?|中|当中|之中|内|下)?的?\s?"


def theme_facets(
    text: str,
    mentions: Sequence[Mention],
    words: Callable[[str], list[str]],
    says: Callable[[str], bool],
    same: Callable[[str], tuple[str, ...]] = lambda _: (),
    sections: Container[str] = (),
    respell: Callable[[str, str, str], str | None] = lambda *_: None,
    own: Container[str] = (),
) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The question's theme: facets, each a tuple of terms, each term with the words meaning the same (the
    first as the plan writes it). Empty when the question names no theme of its own. ``sections``: the
    sections the question names as a whole (their words are filters, not the theme); ``respell``: a word the
    plan does not write → the plan's word that sounds the same, if one does; ``own``: the words for the loaded
    plans' own regions (伊旗, 本旗), never a theme."""
    # A quoted name the plan writes as it is (“双随机、一公开”) is one name: its 、 coordinates nothing.
    named = [
        (m.start(1), m.end(1))
        for m in re.finditer(r"[“\"「『‘']([^”\"」』’']{2,20})[”\"」』’']", text)
        if says(m.group(1))
    ]
    text = "".join(" " if c in _QUOTES else c for c in text)
    toks = _tokens(text, mentions, words, sections, own, says)
    toks = [t for t in toks if not (t.kind == "coord" and any(a <= t.start and t.end <= b for a, b in named))]
    # Chunks of terms (a term, or neighbouring terms the plan writes together: 公益 + 诉讼), () at a clause
    # break, None at a coordination.
    events: list[tuple[str, ...] | None] = []
    last_end = -1
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "coord":
            events.append(None)
            i += 1
            continue
        if t.kind in ("blocked", "clause"):
            events.append(())
            i += 1
            continue
        if t.kind == "filler" or (t.kind == "section" and not _joins(toks, i)):
            i += 1
            continue
        if t.kind == "generic" and not (i + 1 < len(toks) and toks[i + 1].kind == "generic"):
            # A generic head (事项, 清单) is no theme alone: only in a name the plan writes with the word
            # before it (证明 + 事项, 事项 + 清单), joined below.
            i += 1
            continue
        best, stop = "", i + 1
        for j in range(i + 1, min(len(toks), i + MAX_TERM_WORDS) + 1):
            run = toks[i:j]
            if any(x.kind in ("blocked", "clause", "coord") for x in run) or any(
                run[k].end != run[k + 1].start
                or not (_short(run[k]) or _short(run[k + 1]) or run[k + 1].kind == "generic")
                for k in range(len(run) - 1)
            ):
                break
            if run[-1].kind == "filler" and len(run) > 1:
                continue
            joined = "".join(x.text for x in run)
            if len(joined) >= 2 and not all(x.kind == "section" for x in run) and says(joined):
                best, stop = joined, j
        term = ""
        if best and (t.kind == "word" or stop > i + 1):
            term = best
        elif t.kind == "word" and len(t.text) >= 2 and not t.text.isascii():
            # Not in the plan: a homophone typo of a plan word (仲才: 仲裁), or no lexical evidence.
            before = toks[i - 1].text if i > 0 and toks[i - 1].end == t.start else ""
            after = toks[i + 1].text if i + 1 < len(toks) and toks[i + 1].start == t.end else ""
            term = respell(t.text, before, after) or t.text
        if term:
            prev = events[-1] if events else None
            if prev and last_end == t.start and says("".join(prev) + term):
                events[-1] = (*prev, term)
            else:
                events.append((term,))
            last_end = toks[stop - 1].end
        i = stop
    out = []
    for f in _distribute(events):
        terms = list(dict.fromkeys(f))
        if terms:
            out.append(tuple((w, *same(w)) for w in terms[:MAX_TERMS]))
    return tuple(out)


def _distribute(events: Sequence[tuple[str, ...] | None]) -> list[list[str]]:
    """Facets from a coordination, each item with the words the items share: the words before the list and
    after it (「营业执照、税控设备能不能免费领」: 营业执照 + 免费, 税控设备 + 免费; 「专利质押、商标、
    地理标志的保护」: 保护 + each). An item is as many chunks long as the inner items are (in a list of two,
    one chunk); words in other clauses are shared too. No coordination: one facet of every word."""
    groups: list[list[tuple[str, ...]]] = [[]]
    for e in events:
        if e is None:
            if any(groups[-1]):
                groups.append([])
        else:
            groups[-1].append(e)
    groups = [g for g in groups if any(g)]
    if len(groups) < 2:
        return [[w for g in groups for c in g for w in c]]
    first, last, inner = groups[0], groups[-1], groups[1:-1]
    # The first item starts after the first group's last clause break; the last ends at the next one.
    cut = max((k for k, c in enumerate(first) if not c), default=-1)
    before, first_item = [c for c in first[: cut + 1] if c], [c for c in first[cut + 1 :] if c]
    stop = next((k for k, c in enumerate(last) if not c), len(last))
    last_item, after = [c for c in last[:stop] if c], [c for c in last[stop:] if c]
    items = [[c for c in g if c] for g in inner]
    size = max((len(it) for it in items), default=1) or 1  # a list of two: the chunks next to 和 / 、
    head, first_item = first_item[:-size], first_item[-size:]
    last_item, tail = last_item[:size], last_item[size:]
    if not items and len(first_item) == 1 and len(first_item[0]) > 1 and [len(c) for c in last_item] == [1]:
        # 「外商投资服务和保护」: a chunk the plan writes together, listed with one word: that word's
        # counterpart is the chunk's last word, its words before are shared (外商投资 + 保护).
        head, first_item = [*head, first_item[0][:-1]], [first_item[0][-1:]]
    shared_before, shared_after = [*before, *head], [*tail, *after]
    return [
        [w for c in (*shared_before, *it, *shared_after) for w in c]
        for it in (first_item, *items, last_item)
        if it
    ]


def _short(t: _Tok) -> bool:
    """A word too short to stand alone as a term: one character, or digits and Latin letters (24 + 小时)."""
    return len(t.text) == 1 or t.text.isascii()


def _joins(toks: Sequence[_Tok], i: int) -> bool:
    """A whole-section word takes part in a term only next to a one-character word (转 + 供电)."""
    a = toks[i - 1] if i > 0 else None
    b = toks[i + 1] if i + 1 < len(toks) else None
    return any(x is not None and x.kind == "word" and len(x.text) == 1 for x in (a, b))


def narrower(
    text: str,
    mentions: Sequence[Mention],
    words: Callable[[str], list[str]],
    says: Callable[[str], bool],
    names: Iterable[str] = (),
) -> frozenset[int]:
    """Starts of whole-section words the question uses as the first part of a longer name the plan writes
    (投标 + 保证金 in 「投标保证金怎么退」, 破产 + 管理人): the question names that narrower thing, not the
    section. The longer name must end the phrase (a cue word, a particle, punctuation or the end follows), so
    a verb after the section's word (「中小投资者反映…」) is no name. ``names``: every section word."""
    spans = _spans(text, words(text))
    filler = cue("filler")
    cues = [x.span() for c in _CUES for x in cue(c).finditer(text)]
    names = tuple(names)
    out = set()
    for m in mentions:
        if m.kind != "section" or not m.whole or len(m.text) < 2:
            continue
        after = [s for s in spans if s[1] >= m.end]
        if not after or after[0][1] != m.end:
            continue
        for k in (1, 2):
            run = after[:k]
            if len(run) < k or any(run[i][2] != run[i + 1][1] for i in range(k - 1)):
                break
            if any(filler.fullmatch(w) or any(w.startswith(n) for n in names) for w, _, _ in run):
                break
            end = run[-1][2]
            if len(text[m.end : end]) < 2 or not says(text[m.start : end]):
                continue
            nxt = after[k] if len(after) > k else None
            if nxt is None or nxt[1] != end or filler.fullmatch(nxt[0]) or any(a == end for a, _ in cues):
                out.add(m.start)
                break
    return frozenset(out)
