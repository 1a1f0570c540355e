"""Deadline windows in a question (pure): 2022年底前, 2022年10月前, 2024年9月30日前, 10月份到期, 2023年上半年,
2023年, 年内, 明年, 2022年9月到11月 … as inclusive (year, month) bounds on ``deadline_ym``.

A year left out means the plan's own year (``plan_year``: 年内, 今年, 8月底前, 上半年).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.numerals import cn_to_int

_MONTH = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?"
_YEAR = r"(?:(\d{4}|\d{2}(?=\s*年))\s*年|(今年|明年|后年|本年|当年|年内))"
_PARTS = {
    "上半年": (1, 6),
    "下半年": (7, 12),
    "一季度": (1, 3),
    "二季度": (4, 6),
    "三季度": (7, 9),
    "四季度": (10, 12),
}
_AFTER = re.compile(r"\s*(?:及|或者?|和|含)?(以后|之后|往后|以来|起|开始|更晚|更迟|后(?![台续期面来]))")
# A day of the month (「9月30日前」): deadlines are kept by month, so the month's.
_DAY = (
    r"(?:\s*(?:[12]\d|3[01]|0?[1-9]|[一二]?十[一二三四五六七八九]?|三十一?|[一二三四五六七八九])"
    r"\s*[日号](?!内|以内|之内))?"
)
# 「5月或更早」, 「5月及之前」: that month and any earlier one.
_BEFORE = (
    _DAY
    + r"\s*(底|末|中旬|上旬)?\s*(?:(?:及|或者?|和|含)?"
    + r"(前|以前|之前|为止|之内|以内|内|(?:截止|截至)(?:以前|之前|前)?|更早|更前))?"
)


_COORD_GAP = r"\s*(?:和|与|及|、|,|，|或者|或|还有|以及)\s*"


@dataclass(frozen=True, slots=True)
class Window:
    """Inclusive (year, month) bounds; None = open. ``start`` / ``end``: where the question says it."""

    after: tuple[int, int] | None
    before: tuple[int, int] | None
    label: str
    start: int = 0
    end: int = 0


def _month(s: str) -> int:
    n = int(s) if s.isdigit() else cn_to_int(s)
    return n if n is not None and 1 <= n <= 12 else 0


def _year(digits: str | None, word: str | None, plan_year: int) -> int:
    if digits:
        y = int(digits)
        return y + 2000 if y < 100 else y
    return {"明年": plan_year + 1, "后年": plan_year + 2}.get(word or "", plan_year)


def _month_range(m: re.Match[str], plan_year: int) -> Window | None:
    """The window of a month range matched as (year, year, month, year, year, month), or None when it runs
    backwards or names no month."""
    y1 = _year(m.group(1), m.group(2), plan_year)
    y2 = _year(m.group(4), m.group(5), plan_year) if (m.group(4) or m.group(5)) else y1
    a, b = _month(m.group(3)), _month(m.group(6))
    if a and b and (y1, a) <= (y2, b):
        return Window((y1, a), (y2, b), f"{y1}年{a}月至{y2}年{b}月", m.start(), m.end())
    return None


def find_window(text: str, plan_year: int) -> Window | None:
    """The first deadline window the text names, with its span."""
    m = re.search(_YEAR + r"?\s*" + _MONTH + r"\s*(?:到|至|-|~|—|～)\s*(?:" + _YEAR + r")?\s*" + _MONTH, text)
    if m and (got := _month_range(m, plan_year)):
        return got
    m = re.search(_YEAR + r"?\s*(上半年|下半年|第?[一二三四]季度)" + r"\s*(前|以前|之前|截止|为止)?", text)
    if m:
        year = _year(m.group(1), m.group(2), plan_year)
        part = m.group(3).removeprefix("第")
        a, b = _PARTS[part]
        label = f"{year}年{part}"
        if m.group(4):
            return Window(None, (year, b), label + "前", m.start(), m.end())
        return Window((year, a), (year, b), label, m.start(), m.end())
    # The first month's 月 left out when the second says it (「7到9月」; after 「下半年（7到12月）」).
    first = r"(?<![\d个几第])" + _YEAR + r"?\s*(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*(?:月份?)?"
    m = re.search(first + r"\s*(?:到|至|-|~|—|～)\s*(?:" + _YEAR + r")?\s*" + _MONTH, text)
    if m and (got := _month_range(m, plan_year)):
        return got
    # A bare month number before a month, both in the year said before them (「今年7、8月份」): the first
    # month; the next is coordinated with it (:func:`coordinated_windows`).
    m = re.search(
        r"(?<![\d个几第])"
        + _YEAR
        + r"?\s*(\d{1,2}|十[一二]?|[一二三四五六七八九])(?="
        + _COORD_GAP
        + _MONTH
        + r"(?!\s*(?:底|末)?\s*(?:前|以前|之前|为止|以后|之后|起)))",
        text,
    )
    if m and (mon := _month(m.group(3))):
        year = _year(m.group(1), m.group(2), plan_year)
        return Window((year, mon), (year, mon), f"{year}年{mon}月", m.start(), m.end())
    # 「5、6月底前」: the bound of the later month, the earlier one within it.
    bare = r"(?:(?:\d{1,2}|十[一二]?|[一二三四五六七八九])" + _COORD_GAP + r"(?=\d|十|[一二三四五六七八九]))?"
    m = re.search(r"(?<![\d个几第])" + _YEAR + r"?\s*" + bare + _MONTH + _BEFORE, text)
    if m and (m.group(1) or m.group(2) or not re.search(r"\d\s*$", text[: m.start()])):
        year = _year(m.group(1), m.group(2), plan_year)
        mon = _month(m.group(3))
        if mon:
            if m.group(5) is None and _AFTER.match(text, m.end()):
                # 「10月以后」, 「9月起」: that month and any later one.
                end = _AFTER.match(text, m.end())
                assert end is not None
                return Window((year, mon), None, f"{year}年{mon}月及以后", m.start(), end.end())
            # 「10月底前」, 「到10月底」: any deadline up to that month; 「10月底要完成的」: that month's.
            by = re.search(r"(到|截至|截止到?)\s*$", text[: m.start()]) is not None
            # 「3月截止的」: the deadline is that month (截止 said before it, 「截止到3月底」, is a bound).
            if (m.group(4) in ("底", "末") and by) or m.group(5) not in (
                None,
                "内",
                "以内",
                "之内",
                "截止",
                "截至",
            ):
                return Window(None, (year, mon), f"{year}年{mon}月底前", m.start(), m.end())
            return Window((year, mon), (year, mon), f"{year}年{mon}月", m.start(), m.end())
    m = re.search(
        _YEAR + r"\s*(底|末|年底|年末)?\s*(?:及|或者?)?(前|以前|之前|之内|内|以内|为止|更早)?", text
    )
    if m:
        year = _year(m.group(1), m.group(2), plan_year)
        after = _AFTER.match(text, m.end()) if m.group(1) and not (m.group(3) or m.group(4)) else None
        if after is not None:  # 「2023年以后」: that year and any later one
            return Window((year, 1), None, f"{year}年及以后", m.start(), after.end())
        if m.group(2) == "年内" or m.group(3) or (m.group(4) and m.group(4) not in ("内", "以内", "之内")):
            return Window(None, (year, 12), f"{year}年底前", m.start(), m.end())
        if m.group(1) or m.group(2) in ("今年", "明年", "后年", "本年", "当年"):
            return Window((year, 1), (year, 12), f"{year}年", m.start(), m.end())
    m = re.search(r"年底前?|年末前?|年内", text)
    if m:
        return Window(None, (plan_year, 12), f"{plan_year}年底前", m.start(), m.end())
    return None


def coordinated_windows(text: str, first: Window) -> list[Window]:
    """Months coordinated with a window the text names (「9月和10月」, 「9月、10月或12月」, 「9、10月」): each
    as a window of its own, in the first one's year. ``first``: the window :func:`find_window` found."""
    if first.after is None or first.before is None or first.after != first.before:
        return []  # only single months coordinate this way (not 「年底前」)
    year = first.after[0]
    out: list[Window] = []
    # A bare month number before the window, sharing its 月 (「9、10月」).
    m = re.search(
        r"(?<![\d\w])(\d{1,2}|十[一二]?|[一二三四五六七八九])" + _COORD_GAP + r"$", text[: first.start]
    )
    if m:
        mon = _month(m.group(1))
        if mon:
            out.append(
                Window((year, mon), (year, mon), f"{year}年{mon}月", m.start(), m.start() + len(m.group(1)))
            )
    end = first.end
    while True:
        m = re.match(
            _COORD_GAP
            + r"(?:"
            + _YEAR
            + r")?\s*"
            + _MONTH
            + r"(?:\s*[底末](?!\s*(?:前|以前|之前)))?(?!\s*(?:底|末|前|以前|之前))",
            text[end:],
        )
        if not m:
            break
        mon = _month(m.group(3))
        if not mon:
            break
        y = _year(m.group(1), m.group(2), year) if (m.group(1) or m.group(2)) else year
        begin = next(m.start(g) for g in (1, 2, 3) if m.group(g))
        out.append(Window((y, mon), (y, mon), f"{y}年{mon}月", end + begin, end + m.end()))
        end += m.end()
    return out
