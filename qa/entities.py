"""The names in a question, with where they are and whether they are negated (pure).

A :class:`Mention` is one thing the question names that a record field can be tested against: a
task number or a position (第305条, 纳税第3条, 倒数第二条), a unit with its role (法院牵头, 人社局配合),
a section (by a word that names it as a whole, or one aspect of it), a deadline window, a benchmark
city or label, a recurring deadline (每季度), 持续推进, "no responsible units", or a place outside the plan's
region. Negation is
read from the words around a name (不是…, 除了…, …以外), and carries over a coordination
(除了执行合同和破产). What is left after the names and the cue words (``cues.tsv``: filler) is the
question's topic, read by the planner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from corpus.deadlines import Period, deadline_kind
from corpus.lexicon import UnitLexicon, UnitMention
from corpus.profile import LEVELS
from qa.numerals import CN_NUMBER, EN_ORDINAL, en_ordinal, to_int
from qa.phrasebook import cue, rows
from qa.places import PlaceNames
from qa.scope import PlanRef, find_plan_names
from qa.timewords import Window, coordinated_windows, find_window

FieldKind = Literal[
    "window",
    "city",
    "any_city",
    "self_innovation",
    "recurring",
    "ongoing",
    "no_responsible",
    "has_responsible",
    "dated",
]
FIELD_KINDS: tuple[str, ...] = get_args(FieldKind)  # names of record fields other than units and sections
Kind = Literal[
    "task", "ordinal", "last", "last_n", "unit", "section", FieldKind, "place", "unknown_unit", "plan"
]
Role = Literal["lead", "responsible", "involves"]
_NUM = rf"(\d{{1,4}}|{CN_NUMBER})"
_TASK_WORD = r"(?:条|项(?!指标)|个任务|号任务|号|项任务|条任务|个)"


@dataclass(frozen=True, slots=True)
class Mention:
    kind: Kind
    start: int
    end: int
    text: str
    negated: bool = False
    units: frozenset[str] = frozenset()
    role: Role | None = None
    not_roles: tuple[Role, ...] = ()  # 人社局只是配合、不是牵头: responsible, and not lead
    section: str | None = None
    whole: bool = False
    number: int = 0  # task number, ordinal, or position from the end (last = 1)
    number2: int = 0  # the end of a task range
    window: Window | None = None
    role_end: int = 0  # where the unit's role words end (人社局只是配合、不是牵头|)
    docs: frozenset[str] = frozenset()  # a plan mention: the plans it names (empty: none loaded)
    windows: tuple[tuple[str, Window], ...] = ()  # a relative window read in each plan's own year
    every: Period | None = None  # a recurring deadline's period (每季度: quarter; 定期: None)


@dataclass(frozen=True, slots=True)
class Context:
    """What the entity finder knows about the plan."""

    lexicon: UnitLexicon
    topics: Mapping[str, tuple[str, bool]]  # word → (section, names the whole section)
    cities: tuple[str, ...]
    plan_year: int
    says: Callable[[str], bool]  # whether the plan's text (tasks, sections, units) contains a string
    vocab: frozenset[str] = frozenset()  # the plan's words (the index's BM25 vocabulary)
    leading: frozenset[str] = frozenset()  # canonical units that lead at least one task
    places: PlaceNames = field(default_factory=PlaceNames)  # the loaded plans' places
    plans: tuple[PlanRef, ...] = ()  # the loaded plans, when several (one plan: nothing to name)
    plan_years: frozenset[int] = frozenset()  # every loaded plan's year (a plan of another year is another)
    section_plans: Mapping[str, frozenset[str]] = field(
        default_factory=dict
    )  # section → the plans that have it
    numbered: Mapping[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # plan → its sections' names in order (「第3章」 is the third)
    ongoing_words: Mapping[str, frozenset[str]] = field(
        default_factory=dict
    )  # plan → how its undated, non-recurring deadlines are written (长期坚持, 持续推进)
    within_year: frozenset[str] = frozenset()  # the plans that write deadlines as 年内 (no month)
    respell: Callable[[str, str, str], str | None] = field(
        default=lambda *_: None
    )  # 仲才 → 仲裁, with the words before and after it (``qa.text.Respeller``)
    titles: tuple[str, ...] = ()  # every loaded plan's title (its words say which plan, not what about)

    @property
    def several(self) -> bool:
        return len(self.plans) > 1

    def years(self, docs: Iterable[str] | None = None) -> dict[str, int]:
        """Each plan's year (of ``docs``, default every plan); empty with one plan (``plan_year`` applies)."""
        wanted = None if docs is None else set(docs)
        return {p.doc_id: p.year for p in self.plans if p.year and (wanted is None or p.doc_id in wanted)}


def topic_table(sections: Iterable[str]) -> dict[str, tuple[str, bool]]:
    """Word → (section, whole): section names (whole), their parts split at 、和 (part, unless another
    section's name shares it), and the curated everyday words of ``topics.tsv``."""
    names = list(dict.fromkeys(sections))
    table: dict[str, tuple[str, bool]] = {}
    verb = cue("section_verb")
    for s in names:
        table[s] = (s, True)
        for part in re.split(r"[、和]", s):
            # 获得电力 → 电力; 加强法治保障 → 法治保障 (a section named as a task: its verb left out)
            head = verb.match(part)
            bare = part[head.end() :] if head else part
            for p in {part, part.removeprefix("获得").removeprefix("办理"), bare}:
                if len(p) >= 2 and p != s and not any(p in o for o in names if o != s):
                    table.setdefault(p, (s, len(p) >= len(s) - 2))
    for row in rows("topics.tsv"):
        if len(row) >= 3 and row[1] in names:
            table[row[0]] = (row[1], row[2] == "whole")
    return table


class _Text:
    """The question with taken spans masked, so that one character belongs to one name."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.taken = [False] * len(text)

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.taken[i] = True

    def masked(self) -> str:
        return "".join("\0" if t else c for c, t in zip(self.text, self.taken, strict=True))


def _numbers(t: _Text, out: list[Mention]) -> None:
    text = t.text
    patterns: list[tuple[str, Kind | str]] = [
        (rf"第\s*{_NUM}\s*{_TASK_WORD}?\s*(?:到|至|-|~|—|～)\s*第?\s*{_NUM}\s*{_TASK_WORD}", "task"),
        (rf"(?:最后|最末|后)\s*{_NUM}\s*(?:条|项|个任务)", "last_n"),
        (r"\b(?:the )?last (\d{1,4}) (?:tasks|items|measures)\b", "last_n"),
        (rf"倒数\s*第\s*{_NUM}\s*{_TASK_WORD}?", "last"),
        (rf"(?:方案)?前\s*{_NUM}\s*(?:条|项|个任务)", "first_n"),
        (r"\b(?:the )?first (\d{1,4}) (?:tasks|items|measures)\b", "first_n"),
        (r"(最后|末尾|最末|最末尾)的?\s*(一|1)\s*(条|项|个)|末条|末项|最后(那|这)?(条|项|个)", "last"),
        (rf"第\s*{_NUM}\s*{_TASK_WORD}", "ordinal"),
        (r"(?:首条|头一(?:条|个|项)|第一个任务|开头(?:那|第一)(?:条|个)|打头(?:的|那)(?:条|个))", "ordinal"),
        (r"(?:任务|task|no\.?|number|#)\s*(?:no\.?|number|#)?\s*(\d{1,4})(?![\d年月日天%])", "task"),
        (r"(?<![\d.])(\d{1,4})\s*号(?:任务)?(?!线|楼|院|文)", "task"),
        (
            rf"\b(?:the )?({EN_ORDINAL}|last|second to last|penultimate)\s+(?:task|item|measure|one)\b",
            "ordinal",
        ),
    ]
    for pattern, kind in patterns:
        for m in re.finditer(pattern, text):
            if not t.free(m.start(), m.end()):
                continue
            groups = [g for g in m.groups() if g]
            if kind == "last_n":
                n_last = to_int(groups[0]) if groups else None
                if not n_last:
                    continue
                kind_n: Kind = "last" if n_last == 1 else "last_n"  # 最后一条: the last task, a position
                out.append(Mention(kind_n, m.start(), m.end(), m.group(0), number=n_last))
                t.take(m.start(), m.end())
                continue
            if kind == "first_n":
                n_first = to_int(groups[0]) if groups else None
                if not n_first:
                    continue
                out.append(Mention("task", m.start(), m.end(), m.group(0), number=1, number2=n_first))
                t.take(m.start(), m.end())
                continue
            if kind == "task" and len(groups) >= 2 and m.group(0).startswith("第"):
                lo, hi = to_int(groups[0]), to_int(groups[1])
                if lo is None or hi is None or hi < lo:
                    continue
                out.append(Mention("task", m.start(), m.end(), m.group(0), number=lo, number2=hi))
            elif kind == "last":
                back = to_int(groups[0]) if groups and m.group(0).startswith("倒数") else 1
                if back is None:
                    continue
                out.append(Mention("last", m.start(), m.end(), m.group(0), number=back))
            elif kind == "ordinal" and groups and re.fullmatch(r"last|second to last|penultimate", groups[0]):
                out.append(
                    Mention("last", m.start(), m.end(), m.group(0), number=1 if groups[0] == "last" else 2)
                )
            elif kind == "ordinal":
                if not groups:
                    n: int | None = 1
                elif m.group(0).startswith("第"):
                    n = to_int(groups[0])
                else:
                    n = en_ordinal(groups[0])
                if n is None or n == 0:
                    continue
                out.append(Mention("ordinal", m.start(), m.end(), m.group(0), number=n))
            else:
                n = to_int(groups[0]) if groups else None
                if n is None:
                    continue
                out.append(Mention("task", m.start(), m.end(), m.group(0), number=n, number2=n))
            t.take(m.start(), m.end())


_ROLE = re.compile(
    r"^(?:以外|之外|除外)?(?:的)?(?:单位|部门)?\s*"
    r"(?:在方案里|在方案中|方案里|在这里|这次|本次|一共|总共|都|也|还|是|只是|仅|只|单独|作为|在|当|做|要|需要|得|有"
    r"|两家|两个|三家|几家|一起|共同|联合|同时|各自|分别)*\s*"
    r"(不用|不需要|无需|没有|没|不是|并非|不)?\s*"
    r"(?:(牵头|负责|主管|主抓|抓总|领头|\s?leads?\b|\s?led\b(?! by)|\s?as (?:the |a )?lead)"
    r"|(配合单位|责任单位|配合|协助|协办|协同"
    r"|\s?as (?:a |the )?(?:cooperating|responsible|supporting|责任|配合))"
    r"|(参与配合|参与|涉及|有份|参加|相关|有关|沾边|\s?(?:is|are) involved|\s?takes? part))"
)
_NOT_ROLE = re.compile(r"^[、,，\s（(]*(?:但|而|却)?\s*(?:不是|并非|没有?|不)(?:作为)?\s*(牵头|配合|负责)")
# After a negated role, the role the unit has instead (「发改委不是牵头、而是配合的」, 「不牵头而是参与」).
_INSTEAD_ROLE = re.compile(
    r"^[、,，\s]*(?:而是|但是|但|而|却|只是|仅仅?是|仅|只|就是|是)\s*(?:作为)?\s*"
    r"(?:(牵头|负责)|(配合|协助|协办)|(参与|参加))"
)
_ROLE_BEFORE = re.compile(
    r"(由|牵头单位(?:是|为)|责任单位(?:是|为|有|里有)|配合单位(?:是|为|有)|\binvolv(?:e|es|ing)|\bled by"
    r"|涉及|参与了?)\s*(?:(?:either|both)\s+)?(?:the\s*)?$"
)


def _late_role(text: str, end: int, stop: int) -> tuple[int, re.Match[str]] | None:
    """The role said of a unit after a frame between them (``role_gap``: 「工信局在跨境贸易两章里牵头的」,
    「交通部门（交通局或交通运输局）参与的」), within the clause and before the next unit (``stop``): the
    gap's length and the role's match."""
    gap = cue("role_gap").match(text, end)
    if gap is None or gap.end() == end or (gap.end() > stop and text[end : end + 1] not in "（("):
        return None  # a unit in between (not named in a bracket) has the role, not this one
    rm = _ROLE.match(text[gap.end() : gap.end() + 12])
    return (gap.end() - end, rm) if rm else None


_STEMS: dict[int, tuple[UnitLexicon, dict[str, frozenset[str]]]] = {}


def _unit_stems(lex: UnitLexicon) -> dict[str, frozenset[str]]:
    """A unit's name without its ending (税务 for 税务局, 发展改革 for 发展改革委) where that is no name of
    its own, of a name the plans write (not a colloquial alias: 建设局): said before a role
    (``unit_stem_role``: 「税务配合」, 「市场监管牵头」) it names the unit."""
    held = _STEMS.get(id(lex))
    if held is not None and held[0] is lex:
        return held[1]
    stems: dict[str, frozenset[str]] = {}
    written = {
        u[1:] for u in lex.units if u[:1] in "旗州市县区盟"
    }  # the names the plans write, not colloquial
    for alias, units in lex.aliases.items():
        stem = alias[:-1]
        if alias not in written or alias[-1] not in "局委" or len(stem) < 2:
            continue
        if stem not in lex.aliases and stem not in stems:
            stems[stem] = frozenset(units)
    _STEMS[id(lex)] = (lex, stems)
    return stems


def _stem_units(masked: str, lex: UnitLexicon, found: list[UnitMention]) -> list[UnitMention]:
    """``found`` with the units named by their stems before a role, in text order."""
    stems = _unit_stems(lex)
    role = cue("unit_stem_role")
    extra: list[UnitMention] = []
    taken = [(m.start, m.end) for m in found]
    for n in (6, 5, 4, 3, 2):
        for i in range(len(masked) - n + 1):
            piece = masked[i : i + n]
            units = stems.get(piece)
            if units is None or not role.match(masked, i + n):
                continue
            if any(a < i + n and i < b for a, b in taken):
                continue
            extra.append(UnitMention(piece, i, i + n, units))
            taken.append((i, i + n))
    return sorted([*found, *extra], key=lambda m: m.start)


def _name_ending(t: _Text, m: UnitMention) -> UnitMention:
    """A unit's short name followed by its full name's ending (a bank + 支行 for its 伊金霍洛旗支行,
    the region left out): the ending is part of the name, not a word of the question."""
    for n in (3, 2):
        tail = t.text[m.end : m.end + n]
        if (
            len(tail) == n
            and tail[-1] in _UNIT_END
            and t.free(m.end, m.end + n)
            and all(u.endswith(tail) and not u.endswith(m.alias + tail) for u in m.units)
        ):
            return UnitMention(m.alias + tail, m.start, m.end + n, m.units)
    return m


def _units(t: _Text, lex: UnitLexicon, out: list[Mention]) -> None:
    masked = t.masked()
    found = _stem_units(masked, lex, lex.find(masked))
    for i, m in enumerate(found):
        m = _name_ending(t, m)
        after = t.text[m.end : m.end + 16]
        role: Role | None = None
        not_roles: tuple[Role, ...] = ()
        rm = _ROLE.match(after)
        role_end = m.end
        negated_role = False
        if rm is None and not _ROLE_BEFORE.search(t.text[max(0, m.start - 24) : m.start]):
            late = _late_role(t.text, m.end, found[i + 1].start if i + 1 < len(found) else len(t.text))
            if late is not None:
                skip, rm = late
                role_end = m.end + skip
        if rm:
            after = t.text[role_end : role_end + 12]
            role_end += rm.end()
            negated_role = bool(rm.group(1))  # 「公共资源交易中心不用参与的」
            role = "lead" if rm.group(2) else "responsible" if rm.group(3) else "involves"
            if rm.group(4) == "参与配合":
                role = "responsible"
            nm = _NOT_ROLE.match(after[rm.end() :])
            im = _INSTEAD_ROLE.match(after[rm.end() :]) if negated_role else None
            if im:  # 「不是牵头、只是配合」: the role said instead, the negated one excluded
                not_roles = ("lead",) if role == "lead" else ("responsible",) if role == "responsible" else ()
                role = "lead" if im.group(1) else "responsible" if im.group(2) else "involves"
                negated_role = False
                role_end += im.end()
            elif nm:
                role_end += nm.end()
                not_roles = ("lead" if nm.group(1) in ("牵头", "负责") else "responsible",)
        else:
            before = _ROLE_BEFORE.search(t.text[max(0, m.start - 24) : m.start])
            if before:
                word = before.group(1)
                role = (
                    "involves"
                    if word.startswith(("involv", "涉及", "参与"))
                    else "lead"
                    if word.startswith(("由", "牵头", "led"))
                    else "responsible"
                )
        out.append(
            Mention(
                "unit",
                m.start,
                m.end,
                m.alias,
                units=m.units,
                role=role,
                not_roles=not_roles,
                role_end=role_end,
                negated=negated_role,
            )
        )
        t.take(m.start, m.end)


def _fields(t: _Text, ctx: Context, out: list[Mention], years: Mapping[str, int]) -> None:
    """Deadline windows, benchmark cities and labels, 每季度, 持续推进, "no responsible units". A window
    without a year (年内, 6月底前) is read in the plan's own year; over plans of several years, in each plan's
    (``windows``)."""
    masked = t.masked()
    distinct = sorted(set(years.values()))
    w = find_window(masked, distinct[0] if len(distinct) == 1 else ctx.plan_year)
    windows: tuple[tuple[str, Window], ...] = ()
    if w is not None and len(distinct) > 1:
        by_year = {y: find_window(masked, y) for y in distinct}
        if len({(x.after, x.before) for x in by_year.values() if x is not None}) > 1:
            windows = tuple((d, wy) for d, y in years.items() if (wy := by_year[y]) is not None)
    if w is not None and t.free(w.start, w.end):
        out.append(Mention("window", w.start, w.end, t.text[w.start : w.end], window=w, windows=windows))
        t.take(w.start, w.end)
        if len(distinct) <= 1:
            # Months named side by side (「9月和10月」, 「9、10月」): each is a window, alternatives.
            for extra in coordinated_windows(t.text, w):
                if t.free(extra.start, extra.end):
                    out.append(
                        Mention(
                            "window", extra.start, extra.end, t.text[extra.start : extra.end], window=extra
                        )
                    )
                    t.take(extra.start, extra.end)
        # A second window said apart (「不是8月 是9月的」, 「去掉8月的，只要2023年的」): its own name.
        second = (
            find_window(t.masked(), distinct[0] if distinct else ctx.plan_year)
            if len(distinct) <= 1
            else None
        )
        if second is not None and t.free(second.start, second.end) and second.end > second.start:
            text = t.text[second.start : second.end]
            out.append(Mention("window", second.start, second.end, text, window=second))
            t.take(second.start, second.end)
    for kind, category in (
        ("no_responsible", "no_responsible"),
        ("has_responsible", "has_responsible"),
        ("any_city", "any_city"),
        ("self_innovation", "self_innovation"),
        ("recurring", "recurring"),
        ("ongoing", "ongoing"),
        ("dated", "dated"),  # after 「没有明确期限」 (ongoing)
    ):
        for m in cue(category).finditer(t.masked()):
            if m.end() > m.start() and t.free(m.start(), m.end()):
                every = period_of(m.group(0)) if kind == "recurring" else None
                out.append(Mention(kind, m.start(), m.end(), m.group(0), every=every))  # type: ignore[arg-type]
                t.take(m.start(), m.end())
    bench = cue("benchmark")
    masked = t.masked()
    for m in bench.finditer(masked):
        # 对标温洲: a city written with a homophone (two or three characters: too short for TypoFixer).
        for n in (3, 2):
            piece = masked[m.end() : m.end() + n]
            if len(piece) == n and piece not in ctx.cities and all("\u4e00" <= c <= "\u9fff" for c in piece):
                same = [c for c in ctx.cities if len(c) == n and _sounds(c) == _sounds(piece)]
                if len(same) == 1:
                    out.append(Mention("city", m.end(), m.end() + n, piece, section=same[0]))
                    t.take(m.end(), m.end() + n)
                    break
    # A question about benchmarks as such (「对标了城市，但不是深圳的」): every city it names is a benchmark.
    about_cities = any(m.kind == "any_city" for m in out)
    for city in sorted(ctx.cities, key=len, reverse=True):
        for m in re.finditer(re.escape(city) + "市?", t.masked()):
            if about_cities or _bench_near(t.text, m.start(), _coordinated_end(t.text, m.end(), ctx.cities)):
                out.append(Mention("city", m.start(), m.end(), m.group(0), section=city))
                t.take(m.start(), m.end())


_EN_PERIODS: dict[str, Period] = {
    "week": "week",
    "weekly": "week",
    "month": "month",
    "monthly": "month",
    "quarter": "quarter",
    "quarterly": "quarter",
    "year": "year",
    "yearly": "year",
}


def period_of(phrase: str) -> Period | None:
    """The period a recurring phrase names (每季度 → quarter, monthly → month), or None (定期, 周期性)."""
    kind, every = deadline_kind(phrase)
    if kind == "recurring":
        return every
    m = re.search(r"\b(" + "|".join(_EN_PERIODS) + r")\b", phrase)
    return _EN_PERIODS[m.group(1)] if m else None


def _coordinated_end(text: str, end: int, cities: Iterable[str]) -> int:
    """The end of the cities named together with the one ending at ``end`` (「拿北京和上海当榜样」): a
    benchmark word after the last is said of each."""
    names = "|".join(re.escape(c) for c in sorted(cities, key=len, reverse=True))
    if not names:
        return end
    while m := re.compile(r"\s*(?:和|与|及|、|,|，|或者|或|还是|跟)\s*(?:" + names + ")市?").match(text, end):
        end = m.end()
    return end


def _bench_near(text: str, start: int, end: int) -> bool:
    """A benchmark word next to a city (对标上海, 学深圳; in English within a few words: use Chengdu as the
    benchmark)."""
    near = text[max(0, start - 8) : end + 6]
    wide = text[max(0, start - 30) : end + 30]
    english = re.search(r"[a-z]{3}", wide) is not None
    if english:
        return bool(cue("benchmark").search(wide) or re.search(r"\bbenchmark", wide))
    lo = max(0, start - 8)
    # 「鄂托克旗对标先进方案」: the place benchmarks itself against the advanced (its own plan): no benchmark.
    return any(
        not (lo + m.start() >= end and _SELF_BENCH.match(text, lo + m.end()))
        for m in cue("benchmark").finditer(near)
    )


_SELF_BENCH = re.compile(r"(先进|一流|国际|国内|最优|最好|最佳)")


def _sounds(word: str) -> tuple[str, ...]:
    from qa.text import char_pinyin

    return tuple(char_pinyin(c) for c in word)


def adjacent(a: Mention, b: Mention, text: str) -> bool:
    """Two names side by side, or joined by 、 和 与 及 /."""
    return bool(re.fullmatch(r"[\s、,，和与及/]?", text[a.end : b.start]))


_SECTION_NO = re.compile(rf"第\s*(\d{{1,2}}|{CN_NUMBER})\s*(?:个|项)?(?:部分|章|节|大块|板块|个?方面)")


def _numbered_sections(t: _Text, ctx: Context, out: list[Mention], docs: Iterable[str]) -> None:
    """A section named by its number (「第3章」, 「第二部分」): the section of that number in the plans the
    question is about (``docs``, narrowed to the plans of the units it names: 云岭州发展改革委; one plan
    loaded: its own), when they name it alike; a number past their sections is left to the planner (another
    part of the plan)."""
    asked = [d for d in (list(docs) or list(ctx.numbered)) if d in ctx.numbered]
    for m in out:
        if m.kind == "unit" and not m.negated:
            owners = [d for d in asked if any(p.doc_id == d and m.units & p.units for p in ctx.plans)]
            asked = owners or asked
    if not asked:
        return
    for said in _SECTION_NO.finditer(t.masked()):
        n = to_int(said.group(1))
        if n is None or n < 1 or not t.free(said.start(), said.end()):
            continue
        if any(n > len(ctx.numbered[d]) for d in asked):
            continue
        names = {ctx.numbered[d][n - 1] for d in asked}
        if len(names) == 1:
            out.append(Mention("section", *said.span(), said.group(0), section=names.pop(), whole=True))
            t.take(*said.span())


def _sections(t: _Text, ctx: Context, out: list[Mention], docs: Iterable[str] = ()) -> None:
    """Section words; over several plans, those of the plans asked about (``docs``) first: a part two loaded
    plans' sections share (开放合作) names the section of the plan asked about that has it, and a short
    name said before an area word (「融资人才那块」, 「运营成本那章」) its one section among them."""
    asked = [d for d in docs if d in ctx.numbered]
    if ctx.several and asked:
        _area_sections(t, ctx, out, asked)
    table = _asked_topics(ctx, docs)
    masked = t.masked()
    for word in sorted(table, key=len, reverse=True):
        start = masked.find(word)
        while start >= 0:
            end = start + len(word)
            if t.free(start, end):
                section, whole = table[word]
                out.append(Mention("section", start, end, word, section=section, whole=whole))
                t.take(start, end)
            start = masked.find(word, end)


def _area_sections(t: _Text, ctx: Context, out: list[Mention], asked: Sequence[str]) -> None:
    """A short name said before an area word (one word of the name, 法治那块, or pieces of it): its one
    section among the plans asked about."""
    names = list(dict.fromkeys(s for d in sorted(asked) for s in ctx.numbered[d]))
    masked = t.masked()
    for area in cue("area").finditer(masked):
        run = re.search(r"[\u4e00-\u9fff]+$", masked[: area.start()])
        if run is None:
            continue
        for n in range(min(6, len(run.group(0))), 1, -1):
            start = area.start() - n
            word = masked[start : area.start()]
            found = [s for s in names if _abbreviates(word, s)]
            if len(found) == 1 and t.free(start, area.start()):
                out.append(Mention("section", start, area.start(), word, section=found[0], whole=True))
                t.take(start, area.start())
                break


def _abbreviates(word: str, section: str) -> bool:
    """A short name of a section: its two-character pieces in the section's name, in order (融资人才 of
    强化融资和人才支持, 运营成本 of 降低企业运营成本)."""
    if len(word) % 2 or word == section:
        return False
    at = 0
    for i in range(0, len(word), 2):
        found = section.find(word[i : i + 2], at)
        if found < 0:
            return False
        at = found + 2
    return True


_SCOPED: dict[tuple[str, ...], dict[str, tuple[str, bool]]] = {}


def _asked_topics(ctx: Context, docs: Iterable[str]) -> Mapping[str, tuple[str, bool]]:
    """The section words (:func:`topic_table`) with those of the plans asked about taking precedence."""
    asked = sorted(d for d in docs if d in ctx.numbered)
    if not ctx.several or not asked or len(asked) == len(ctx.numbered):
        return ctx.topics
    names = tuple(dict.fromkeys(s for d in asked for s in ctx.numbered[d]))
    if names not in _SCOPED:
        if len(_SCOPED) > 64:
            _SCOPED.clear()
        _SCOPED[names] = {**ctx.topics, **topic_table(names)}
    return _SCOPED[names]


def utility_sections(sections: Iterable[str]) -> dict[str, str]:
    """One-character names of utilities (水 电 气 暖 网) → the section the plan names after them: the
    character after 用 in a section's name (获得用水、用气: 水 and 气), or before 力 (获得电力: 电)."""
    out: dict[str, str] = {}
    for s in sections:
        for m in re.finditer(r"用(\w)|(\w)力", s):
            c = m.group(1) or m.group(2)
            if "\u4e00" <= c <= "\u9fff":
                out.setdefault(c, s)
    return out


def _utilities(t: _Text, ctx: Context, out: list[Mention]) -> None:
    """Utilities listed by one character each (「水、电、网这几块」, 「水电气」): each names its section.
    Only in a list of two or more, where one character cannot be part of another word: not the end of a
    word the plan writes before the list (大 + 气 in 「大气、水、土壤污染」) or the start of one after it."""
    table = utility_sections(sorted({s for s, _ in ctx.topics.values()}))
    if len(table) < 2:
        return
    chars = "".join(sorted(table))
    masked = t.masked()
    for run in re.finditer(rf"[{chars}](?:[、和与及]?[{chars}])+", masked):
        a, b = run.span()
        found = [i for i in range(a, b) if masked[i] in table and t.free(i, i + 1)]
        if found and a > 0 and masked[a - 1 : a + 1] in ctx.vocab:
            found = found[1:]
        if found and b < len(masked) and masked[b - 1 : b + 1] in ctx.vocab:
            found = found[:-1]
        if len(found) < 2:
            continue
        for i in found:
            out.append(Mention("section", i, i + 1, masked[i], section=table[masked[i]], whole=True))
            t.take(i, i + 1)


_UNKNOWN_UNIT = re.compile(
    r"([^\W\d_a-z的能在是了要把被给让去到和与及跟于对向从就还也都哪谁那这些个牵头负责]{1,8}?"
    r"(?:局|委员会|厅|办公室|中心|公司|法院|检察院|署|银行|集团|海关|站|所|处|馆|支队|大队"
    r"|(?<![要去能来好网上])办(?!理|事|法|证|结|的|吗)))"
)


def _unknown_units(t: _Text, ctx: Context, out: list[Mention]) -> None:
    """Names shaped like a unit (…局, …中心, …公司) that the plan never names."""
    masked = t.masked()
    for m in _UNKNOWN_UNIT.finditer(masked):
        name = m.group(1)
        if len(name) < 3 or "\0" in name or ctx.lexicon.resolve(name) or ctx.says(name):
            continue
        if re.search(r"什么|怎么|如何|是否|多少", name):
            continue
        if name.endswith("办") and len(name[1:] if name[0] in ctx.places.levels else name) > 4:
            continue  # X办 is an office's short name (外事办), not 「不动产全程网上办」
        rm = _ROLE.match(t.text[m.end(1) : m.end(1) + 12])
        role: Role | None = None
        if rm:
            role = "lead" if rm.group(2) else "responsible" if rm.group(3) else "involves"
        out.append(Mention("unknown_unit", m.start(1), m.end(1), name, role=role))
        t.take(m.start(1), m.end(1))


def _other_places(ctx: Context) -> list[str]:
    """The places of ``places.tsv`` that no loaded plan covers."""
    return [row[0] for row in rows("places.tsv") if not ctx.places.loaded(row[0])]


def _places(t: _Text, ctx: Context, out: list[Mention]) -> None:
    """Places no loaded plan covers (``places.tsv``) outside a benchmark phrase (对标上海 is a benchmark;
    上海的条例 is not)."""
    masked = t.masked()
    for name in _other_places(ctx):
        for m in re.finditer(re.escape(name) + "(市|省|区|旗|盟)?", masked):
            if _bench_near(t.text, m.start(), m.end()) or not t.free(m.start(), m.end()):
                continue
            out.append(Mention("place", m.start(), m.end(), m.group(0)))
            t.take(m.start(), m.end())


_GAP_PRE = re.compile(r"^(?:\s*the\s*|[由在是对标为的那个这个属于算让当把写列“”\"'「」『』\s]{0,4})$")
# Between a name and a negation after it: a deadline's own verb (「2023年到期的以外」), pointer words.
_GAP_POST = re.compile(
    r"^(?:到期|完成|截止|办完|办结)?[的那这一章节块部分里中面方个块类些条项“”\"'「」『』\s]{0,7}$"
)
_COORD = re.compile(r"^[\s]*(和|与|及|、|,|，|或者|或|还有)[\s]*$")
_LIST_COORD = re.compile(r"^\s*的?\s*(和|与|及|以及|还有|跟)\s*$")


def _negate(text: str, found: list[Mention]) -> list[Mention]:
    """Mark mentions negated by a word right before (不是, 除了 …) or after (以外, 之外)."""
    # 「不是对标深圳就是对标上海」: either one, no negation.
    pre = [
        m.end()
        for m in cue("neg_pre").finditer(text)
        if not (m.group(0) == "不是" and re.match(r"[^，,。；;？?]{1,15}?就是", text[m.end() :]))
    ]
    # The removing verb last (「把2023年的剔除」): the names of the list before it, read like 以外.
    closing = [m.start() for m in cue("neg_list_post").finditer(text)]
    post = [m.start() for m in cue("neg_post").finditer(text)] + closing
    ordered = sorted(found, key=lambda m: m.start)
    negated = [False] * len(ordered)
    for i, m in enumerate(ordered):
        if m.kind in ("task", "ordinal", "last", "last_n", "place"):
            continue
        start = m.start
        if m.kind == "section" and m.section and m.section != m.text and m.section.endswith(m.text):
            # A section found by its name without its verb (市场环境 in 「不在优化市场环境这章」): the verb
            # written before it is part of the name, no gap.
            verb = m.section[: -len(m.text)]
            if text[max(0, start - len(verb)) : start] == verb:
                start -= len(verb)
        before = any(
            p <= start and (_GAP_PRE.match(text[p:start]) or cue("neg_gap").fullmatch(text[p:start]))
            for p in pre
        )
        after = any(q >= m.end and _GAP_POST.match(text[m.end : q]) for q in post)
        negated[i] = before or after or m.negated
    # A coordination shares its negation: 除了执行合同和破产 / 执行合同和破产以外.
    for _ in range(2):
        for i in range(len(ordered) - 1):
            a, b = ordered[i], ordered[i + 1]
            joined = _COORD.match(text[a.end : b.start]) or (a.kind == "section" and a.end == b.start)
            if a.kind == b.kind and joined and negated[i] != negated[i + 1]:
                negated[i] = negated[i + 1] = True
    # A list removed as a whole shares the removal across kinds (「去掉长期坚持的和2024年的」).
    removals = [m.end() for m in cue("neg_list").finditer(text)]
    for i in range(len(ordered) - 1):
        a, b = ordered[i], ordered[i + 1]
        if (
            negated[i]
            and not negated[i + 1]
            and any(p <= a.start and _GAP_PRE.match(text[p : a.start]) for p in removals)
            and _LIST_COORD.match(text[a.end : b.start])
        ):
            negated[i + 1] = True
    # The same with the removing verb last (「把持续推进的和2023年的都去掉」): the list's names before it.
    for i in range(len(ordered) - 2, -1, -1):
        a, b = ordered[i], ordered[i + 1]
        if (
            negated[i + 1]
            and not negated[i]
            and any(q >= b.end and _GAP_POST.match(text[b.end : q]) for q in closing)
            and _LIST_COORD.match(text[a.end : b.start])
        ):
            negated[i] = True
    return [replace(m, negated=n) for m, n in zip(ordered, negated, strict=True)]


_LEVEL_CHARS = frozenset(lv for lv in LEVELS if len(lv) == 1)


def _foreign_units(t: _Text, ctx: Context, out: list[Mention]) -> None:
    """A unit name right after a place no loaded plan covers (达拉特旗财政局: 达拉特 + 旗财政局) is that
    place's unit, not a loaded plan's: the whole is a place mention."""
    others = _other_places(ctx)
    if not others:
        return
    for i, m in enumerate(out):
        if m.kind != "unit":
            continue
        before = t.text[max(0, m.start - 8) : m.start]
        joined = before + (m.text[0] if m.text[0] in _LEVEL_CHARS else "")
        for name in others:
            hit = re.search(re.escape(name) + "(市|省|区|旗|盟|县)?$", joined)
            if hit is None:
                continue
            start = m.start - len(before) + hit.start()
            if not t.free(start, m.start) or _bench_near(t.text, start, m.start):
                continue
            place = t.text[start : m.start] + (m.text[0] if m.text[0] in _LEVEL_CHARS else "")
            out[i] = Mention("place", start, m.end, place)
            t.take(start, m.end)
            break


# Cue categories that phrase the asking, not the topic, removed from a question before its topic words are
# read: here, and in qa.theme (the same two lists, without the benchmark cue).
ASK_CUES = (
    "neg_pre",
    "neg_post",
    "neg_list_post",
    "most",
    "ask_deadline",
    "ask_often",
    "ask_count",
    "ask_all_yes",
    "ask_list",
    "ask_lead",
    "ask_responsible",
    "task_plural",
    "singular",
)
FRAME_CUES = ("area", "others", "both_roles")

# A region's plan: a two-character name and a level word before 方案 (「北岭省的营商环境方案」).
_PLAN_TAIL = r"(?:的)?(?:(?:持续|进一步)?优化)?(?:营商环境)?(?:实施|行动|工作)?(?:方案|计划)"
REGION_PLAN_TAIL = re.compile(_PLAN_TAIL)
_REGION_PLAN = re.compile(r"([\u4e00-\u9fff]{2}(?:自治区|自治州|省|市|州|盟|旗|县))" + _PLAN_TAIL)


def _region_plans(t: _Text, ctx: Context, out: list[Mention]) -> None:
    """The plan of a region that is no loaded plan's (「北岭省的营商环境方案」, a province above one: its own
    plan is not loaded): a place."""
    # A region above the loaded plans' (鄂尔多斯市): its whole name, not its last two characters and level.
    for parent in sorted(ctx.places.parents, key=len, reverse=True):
        for m in re.finditer(re.escape(parent) + _PLAN_TAIL, t.text):  # its tail may hold a name (持续)
            if t.free(m.start(), m.start() + len(parent)) and not ctx.places.loaded(parent, local=True):
                out.append(Mention("place", m.start(), m.start() + len(parent), parent))
                t.take(m.start(), m.start() + len(parent))
    for m in _REGION_PLAN.finditer(t.text):
        place = m.group(1)
        if ctx.places.loaded(place, local=True) or not t.free(*m.span(1)):
            continue
        out.append(Mention("place", m.start(1), m.end(1), place))
        t.take(m.start(1), m.end(1))


def _titles(t: _Text, ctx: Context, out: list[Mention]) -> None:
    """Plans named by title or issuing number (several plans loaded), before their digits read as task
    numbers."""
    if ctx.several:
        for p in find_plan_names(t.text, ctx.plans, [True] * len(t.text), titles=True):
            out.append(Mention("plan", p.start, p.end, p.text, docs=p.docs))
            t.take(p.start, p.end)


def _plans(t: _Text, ctx: Context, out: list[Mention], pinned: frozenset[str] | None) -> dict[str, int]:
    """Plan names (several plans loaded, ``qa.scope``); returns the years of the plans the question is about
    (the named ones, within ``pinned``), which date words without a year are read in."""
    every = frozenset(p.doc_id for p in ctx.plans)
    scope = pinned if pinned is not None else every
    if not ctx.several:
        return ctx.years(scope)
    found = find_plan_names(t.text, ctx.plans, [t.free(i, i + 1) for i in range(len(t.text))])
    named: set[str] = {d for m in out if m.kind == "plan" for d in m.docs}
    for p in found:
        out.append(Mention("plan", p.start, p.end, p.text, docs=p.docs))
        t.take(p.start, p.end)
        named |= p.docs
    return ctx.years(scope & named if named and scope & named else scope)


def find_mentions(text: str, ctx: Context, *, pinned: frozenset[str] | None = None) -> list[Mention]:
    """Every name in a normalized question, in text order, non-overlapping (``pinned``: the plans a client
    scoped the question to)."""
    t = _Text(text)
    out: list[Mention] = []
    _titles(t, ctx, out)
    _numbers(t, out)
    _units(t, ctx.lexicon, out)
    _foreign_units(t, ctx, out)
    years = _plans(t, ctx, out, pinned)
    _fields(t, ctx, out, years)
    _numbered_sections(t, ctx, out, years)
    _sections(t, ctx, out, years)
    _utilities(t, ctx, out)
    _places(t, ctx, out)
    _region_plans(t, ctx, out)
    _unknown_units(t, ctx, out)
    return _negate(text, out)


_COORD_UNITS = re.compile(r"^\s*(和|与|及|、|,|，|或者|或|还是|跟|\bor\b|\band\b)\s*(?:the\s+)?$")


def share_roles(text: str, found: Sequence[Mention]) -> list[Mention]:
    """Units in a coordination share the role said after the last one (「税务局或者财政局牵头」), or the role
    said before the first one (「牵头单位是税务局或者财政局的」, 「led by either X or Y」)."""
    out = sorted(found, key=lambda m: m.start)
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        if (
            a.kind == b.kind == "unit"
            and a.role is None
            and b.role
            and _COORD_UNITS.match(text[a.end : b.start])
        ):
            out[i] = replace(a, role=b.role, not_roles=b.not_roles)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if (
            a.kind == b.kind == "unit"
            and a.role
            and a.role_end <= a.end  # the role was said before it, not after
            and not a.negated
            and b.role is None
            and _COORD_UNITS.match(text[a.end : b.start])
        ):
            out[i + 1] = replace(b, role=a.role, role_end=b.end)
    return out


_UNIT_END = "局委办院队中心司所站处厅室会行署部馆组"
_AFTER_A_UNIT = "的那这方部单牵负配参协和与及、等也都还是在会要能有呢吗吧啊，,？?。 "


def describes_a_thing(text: str, m: Mention) -> bool:
    """A unit's field word used to describe a thing, not to name the unit (消防 in 「消防验收」, 税务 in
    「税务登记」): the word has no unit ending and runs straight on into another word."""
    said = text[m.start : m.end]
    nxt = text[m.end : m.end + 1]
    return (
        m.kind == "unit"
        and m.role is None
        and not said.endswith(tuple(_UNIT_END))
        and bool(nxt)
        and "\u4e00" <= nxt <= "\u9fff"
        and nxt not in _AFTER_A_UNIT
    )


def _clean_word(w: str) -> str:
    """A word with stray particles cut from its ends (jieba keeps 里算 / 算自 together)."""
    return w.strip("里算的是了在都也有就要和与及或呢吗吧啊")


MAX_TOPIC_WORDS = 24  # a question's topic is a few words; past this it is noise and only costs work


def glossed(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """Whole-section words alone in brackets after a phrase (「工程项目报建审批（建筑许可）」) say what the
    phrase is: the section in the question's words. Such a mention starts where the phrase does (its text
    stays the section's word), so the phrase's words are the section's name, not a theme."""
    out: list[Mention] = []
    for m in mentions:
        if (
            m.kind == "section"
            and m.whole
            and m.start > 1
            and text[m.start - 1] in "（("
            and (text[m.end : m.end + 1] in ("）", ")"))
        ):
            taken = [(x.start, max(x.end, x.role_end)) for x in mentions if x is not m]
            i = m.start - 1
            while i > 0 and "\u4e00" <= text[i - 1] <= "\u9fff" and not any(a <= i - 1 < b for a, b in taken):
                i -= 1
            if i < m.start - 1:
                m = replace(m, start=i)
        named = _restated(text, m, out) if m.kind == "unit" else None
        if named is not None:
            # 「the heating companies (各供热企业)」: the unit named again in brackets; one name over both
            x = out[named]
            role, role_end = (x.role, x.role_end) if x.role is not None else (m.role, m.role_end)
            out[named] = replace(x, end=m.end + 1, role=role, role_end=max(role_end, m.end + 1))
            continue
        out.append(m)
    return out


def _restated(text: str, m: Mention, before: Sequence[Mention]) -> int | None:
    """The index of the name of the same unit right before this one, alone in brackets after it
    (「燃气企业（各燃气企业）」), or None."""
    head = text[: m.start].rstrip()
    if not head.endswith(("（", "(")) or text[m.end : m.end + 1] not in ("）", ")"):
        return None
    end = len(head[:-1].rstrip())
    return next(
        (i for i, x in enumerate(before) if x.kind == "unit" and x.end == end and x.units & m.units), None
    )


def residue_words(
    text: str,
    mentions: Sequence[Mention],
    words: Callable[[str], list[str]],
    vocab: Container[str] = (),
    own: Container[str] = (),
    cues: Sequence[str] = (),
) -> list[str]:
    """The question's words that are neither names nor cue words: what it is about, if anything (``own``:
    words for the loaded plans' own regions, 伊旗 / 本旗, which say nothing about it; ``cues``: more cue
    categories to strip).

    Neighbouring words the plan writes as one are kept as one (管理 + 人 → 管理人, 电子 + 营业执照).
    """
    chars = list(text)
    for m in mentions:
        for i in range(m.start, m.end):
            chars[i] = " "
    # A parenthesis clarifies what was named (「住建局（下属单位都算）」): not a topic of its own.
    rest = re.sub(
        r"[（(][^）)]*(都算|都包括|包括|之类|等等|比如|例如|such as|e\.g\.)[^）)]*[）)]", " ", "".join(chars)
    )
    rest = cue("example_clause").sub(" ", rest)  # examples illustrate the theme; they are not its words
    for category in (*ASK_CUES, "benchmark", *FRAME_CUES, *cues):
        rest = cue(category).sub(" ", rest)
    filler = cue("filler")
    out = []
    for segment in rest.split():
        kept = [w for w in words(segment) if not filler.fullmatch(w) and w not in own and not w.isdigit()]
        for w in _merge(kept, segment, vocab):
            w = _clean_word(w) if "\u4e00" <= w[0] <= "\u9fff" else w
            if len(w) >= 2 and not filler.fullmatch(w) and w not in own:
                out.append(w)
    return list(dict.fromkeys(out))[:MAX_TOPIC_WORDS]


def _merge(ws: Sequence[str], segment: str, vocab: Container[str]) -> list[str]:
    """Adjacent words (adjacent in ``segment``) joined while the plan writes the joined form."""
    out: list[str] = []
    i = 0
    while i < len(ws):
        best, j = ws[i], i + 1
        for k in range(i + 2, min(len(ws), i + 3) + 1):
            joined = "".join(ws[i:k])
            # Only a piece too short to stand alone is joined (管理 + 人); 证券 and 纠纷 each say something.
            if min(len(w) for w in ws[i:k]) == 1 and joined in vocab and joined in segment:
                best, j = joined, k
        out.append(best)
        i = j
    return out
