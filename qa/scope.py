"""Which loaded plans a question names (pure): its title or short title, issuing number, region (云岭州, 青川,
Qingchuan) or year (「2023年的方案」, 「2023年以后的方案」).

With one plan loaded nothing is looked for: naming the only plan says nothing. With several, a name becomes a
``plan`` mention (its span includes a following 「的方案里」) naming the plans it fits; the planner turns the
mentions into a ``Doc`` filter: names of the same kind are alternatives (「云岭州和青川市的方案」), a region
and a year narrow each other (「云岭州2023年的方案」), and a plan year no loaded plan has is another plan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.places import english_names
from retriever.store import PlanFacts

# What may follow a plan's name and still name the plan (「伊旗的那个营商环境方案里」).
PLAN_TAIL = (
    r"(?:的)?(?:这个|那个|这版|那版|这份|那份)?(?:营商环境)?(?:实施|行动|工作)?"
    r"(?:方案|计划|任务分工表|分工表)(?:里面|里头|里|中|上)?"
)
_IN = r"(?:里面|里头|里|中|上)"
# After a loaded plan's region name, what else still names that plan: a document word (表格, a bare 表
# or 那份 before 里), a demonstrative (那边), and words of its title before a plan word
# (「云岭州那个三年行动方案里」).
_DOC_TAIL = (
    r"(?:的)?(?:(?:这个|那个|这版|那版)?(?:{title}){{0,12}}(?:方案|计划|任务分工表|分工表|表格|表(?={inside}))"
    r"|(?:这份|那份)(?:{title}){{0,12}}(?:方案|计划|任务分工表|分工表|表格|文件)?"
    r"|(?:那边|这边|那头|这头)(?:的)?(?:(?:这个|那个|这份|那份)?(?:方案|计划|任务分工表|分工表|表格))?)"
    + _IN
    + "?"
)
# Words any plan's title may have: alone they name no plan.
_GENERIC_TITLE_WORDS = r"实施|行动|工作|营商环境|优化|建设"
_YEAR_PLAN = re.compile(
    r"(?:(?:两|三|几|各|这|那)个)?((?:20\d{2}\s*年?度?(?:的)?\s*(?:和|与|及|跟|以及|、|或)\s*)*)(20\d{2})\s*年?度?\s*(以后|之后|以来|及以后|起|以前|之前|及以前)?(?:(?:又|再|还)?新?(?:出台|印发|发布|制定|出|发)了?(?:新|一个新|一份新)?)?(?:的)?"
    r"(?:这个|那个|那版|这版|版|(?:这|那)?[两三几]个|这些|那些)?"
    r"(?:营商环境)?(?:重点任务|重点工作|对标)?(?:实施|行动|工作)?(?:方案|计划|任务分工表|分工表|要点)"
    r"(?:里面|里头|里|中|上)?"
)


# Plans named by their years in brackets after a plan word (「这两个方案（2023年的和2024年的）」).
_YEARS_GLOSS = re.compile(
    r"(?:(?<=方案|计划)|(?<=分工表))\s*[（(]((?:\s*20\d{2}\s*年?度?(?:的|版)?\s*[和、与及跟,，]?)+)[)）]"
)
# The newest plans, by count (「新出的那两个方案」, 「最新的两个方案」).
_NEWEST = re.compile(
    r"(?:新出台?|新印发|新发布?|最新|较新|后出)的?(?:这|那)?([两三几二])个(?:营商环境)?(?:实施|行动|工作)?"
    r"(?:方案|计划|任务分工表|分工表)(?:里面|里头|里|中|上)?"
)


@dataclass(frozen=True, slots=True)
class PlanRef:
    """A loaded plan as a question may name it, and what scoping a question to it changes."""

    doc_id: str
    names: tuple[str, ...]  # the region's names
    english: tuple[str, ...]  # lower case
    year: int  # 0 when unknown
    max_task: int = 0
    units: frozenset[str] = frozenset()  # canonical units it names
    titles: tuple[str, ...] = ()  # title, short title, issuing number
    parents: tuple[str, ...] = ()  # the regions above it (鄂尔多斯), said before its own name
    level: str = ""  # its level word (旗 / 州 / 市)


def plan_refs(facts: Sequence[PlanFacts]) -> tuple[PlanRef, ...]:
    """Refs of the store's plans (``retriever.store.PlanFacts``)."""
    out = []
    for f in facts:
        p = f.profile
        titles = tuple(dict.fromkeys(n for n in (p.title, p.short_title, p.doc_number) if n and len(n) >= 4))
        names = tuple(dict.fromkeys(n for n in p.places.names if len(n) >= 2))
        english = tuple(e.lower() for e in english_names(p.region, romanize=True)) if p.region else ()
        parents = tuple(n for n in p.places.parents if len(n) >= 2)
        out.append(
            PlanRef(p.doc_id, names, english, f.year, f.max_task, f.units, titles, parents, p.places.level)
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class PlanName:
    """A span of the question that names plans: ``docs`` (empty: a plan no loaded plan is), by ``kind``."""

    start: int
    end: int
    text: str
    docs: frozenset[str]
    kind: str  # "name" or "year"


def find_plan_names(
    text: str, refs: Sequence[PlanRef], free: Sequence[bool], *, titles: bool = False
) -> list[PlanName]:
    """Spans naming loaded plans in ``text``, longest first, where ``free`` allows (one flag a character):
    with ``titles``, only titles and issuing numbers (found before task numbers: 伊党办发〔2022〕5号);
    else region names, their English and plan years."""
    taken = [not f for f in free]
    out: list[PlanName] = []

    def claim(start: int, end: int) -> bool:
        if any(taken[start:end]):
            return False
        for i in range(start, end):
            taken[i] = True
        return True

    if titles:
        named: dict[str, set[str]] = {}
        for r in refs:
            for n in r.titles:
                named.setdefault(n, set()).add(r.doc_id)
        for name in sorted(named, key=len, reverse=True):
            for m in re.finditer(re.escape(name), text):
                tail = re.match(PLAN_TAIL, text[m.end() :])
                end = m.end() + (tail.end() if tail else 0)
                if claim(m.start(), end):
                    out.append(
                        PlanName(m.start(), end, text[m.start() : end], frozenset(named[name]), "name")
                    )
        return sorted(out, key=lambda p: p.start)
    for m in _YEARS_GLOSS.finditer(text):
        years = {int(y) for y in re.findall(r"20\d{2}", m.group(1))}
        if claim(m.start(), m.end()):
            docs = {r.doc_id for r in refs if r.year in years}
            out.append(PlanName(m.start(), m.end(), m.group(0), frozenset(docs), "year"))
    for m in _NEWEST.finditer(text):
        count = {"两": 2, "二": 2, "三": 3}.get(m.group(1), 0)
        dated = sorted((r for r in refs if r.year), key=lambda r: r.year, reverse=True)
        if (
            0 < count < len(dated)
            and dated[count - 1].year != dated[count].year
            and claim(m.start(), m.end())
        ):
            docs = {r.doc_id for r in dated[:count]}
            out.append(PlanName(m.start(), m.end(), m.group(0), frozenset(docs), "year"))
    for m in _YEAR_PLAN.finditer(text):
        year, rel = int(m.group(2)), m.group(3) or ""
        listed = {int(y) for y in re.findall(r"20\d{2}", m.group(1))}  # 「2023年和2024年这两个方案」
        if listed:
            docs = {r.doc_id for r in refs if r.year in listed | {year}}
        elif rel in ("以后", "之后", "以来", "及以后", "起"):
            docs = {r.doc_id for r in refs if r.year >= year}
        elif rel in ("以前", "之前", "及以前"):
            docs = {r.doc_id for r in refs if 0 < r.year <= year}
        else:
            docs = {r.doc_id for r in refs if r.year == year}
        if claim(m.start(), m.end()):
            out.append(PlanName(m.start(), m.end(), m.group(0), frozenset(docs), "year"))
    names: dict[str, set[str]] = {}
    title_chars: dict[str, set[str]] = {}
    for r in refs:
        # its name, also after a region above it (「鄂尔多斯伊金霍洛旗的方案」)
        for n in (*r.names, *(p + n for p in r.parents for n in r.names)):
            names.setdefault(n, set()).add(r.doc_id)
            title_chars.setdefault(n, set()).update(
                c for t in r.titles for c in t if "\u4e00" <= c <= "\u9fff" and c not in "的里中上"
            )
    lower = text.lower()
    for name in sorted(names, key=len, reverse=True):
        chars = "".join(sorted(title_chars[name]))
        doc_tail = _DOC_TAIL.format(title=f"[{chars}]" if chars else "(?!)", inside=_IN)
        for m in re.finditer(re.escape(name), text):
            tail = re.match(doc_tail, text[m.end() :])
            end = m.end() + (tail.end() if tail else 0)
            if claim(m.start(), end):
                out.append(PlanName(m.start(), end, text[m.start() : end], frozenset(names[name]), "name"))
    # Plans named by their level words alone (「州里那个方案」, 「州里和市里这两个方案」) when no other loaded
    # plan has that level.
    by_level = {r.level: r.doc_id for r in refs if r.level and sum(o.level == r.level for o in refs) == 1}
    if by_level:
        level = "(?:" + "|".join(map(re.escape, by_level)) + ")"
        # after 咱们 / 我们 / 本 the level word alone is the plan (「咱们旗方案里」), and it starts a phrase
        one = level + r"(?:里面|里头|里|的|(?(own)|(?!)))"
        pattern = (
            rf"(?P<own>本|我们|我|咱们|咱)?(?:{level}(?:里面|里头|里|的)?(?:和|与|跟|及|、))*{one}"
            r"(?:这个|那个|这份|那份|的|(?:这|那)?[两三几]个)?" + _DOC_TAIL.format(title="(?!)", inside=_IN)
        )
        for m in re.finditer(pattern, text):
            if m.start() and not m.group("own") and "\u4e00" <= text[m.start() - 1] <= "\u9fff":
                continue
            levels = {c for c in m.group(0) if c in by_level}  # the plan words hold no level word
            if levels and claim(m.start(), m.end()):
                out.append(
                    PlanName(m.start(), m.end(), m.group(0), frozenset(by_level[c] for c in levels), "name")
                )
    # A plan named by words only its title has before a plan word (「那个三年行动方案里」, 「重点任务分工表」;
    # not by the kind of plan alone: 实施方案, 行动方案).
    for m in re.finditer(r"(?:方案|计划|任务分工表|分工表)", text):
        for begin in range(max(0, m.start() - 12), m.start() - 1):
            words = text[begin : m.start()]
            owners = {r.doc_id for r in refs for t in r.titles if words + m.group(0)[:2] in t}
            if len(owners) == 1 and not any(
                words in t for r in refs for t in r.titles if r.doc_id not in owners
            ):
                if not re.sub(_GENERIC_TITLE_WORDS, "", words):
                    break
                lead = re.search(r"(?:这个|那个|这份|那份|这版|那版)$", text[:begin])
                tail = re.match(_IN, text[m.end() :])
                start = lead.start() if lead else begin
                if claim(start, m.end() + (tail.end() if tail else 0)):
                    stop = m.end() + (tail.end() if tail else 0)
                    out.append(PlanName(start, stop, text[start:stop], frozenset(owners), "name"))
                break
    english: dict[str, set[str]] = {}
    for r in refs:
        for e in r.english:
            english.setdefault(e, set()).add(r.doc_id)
    for name in sorted(english, key=len, reverse=True):
        for m in re.finditer(rf"\b{re.escape(name)}\b", lower):
            if claim(m.start(), m.end()):
                out.append(
                    PlanName(m.start(), m.end(), text[m.start() : m.end()], frozenset(english[name]), "name")
                )
    return sorted(out, key=lambda p: p.start)


def scope_of(found: Sequence[PlanName], negated: Sequence[bool], every: frozenset[str]) -> frozenset[str]:
    """The plans named spans leave: names of one kind are alternatives, kinds narrow each other, a negated
    name is excluded (「伊旗以外的方案」)."""
    scope = set(every)
    for kind in ("name", "year"):
        named = [p for p, neg in zip(found, negated, strict=True) if p.kind == kind and not neg]
        if named:
            scope &= set().union(*(p.docs for p in named))
    for p, neg in zip(found, negated, strict=True):
        if neg:
            scope -= p.docs
    return frozenset(scope)
