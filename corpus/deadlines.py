"""Deadlines as plans write them → ``(year, month)`` (pure).

Dated forms: ``2022年12月``, ``2023年6月底前``, ``2022年底``, ``2024年上半年``, ``2023年第三季度``,
``2023—2025年`` (the end of the range). Forms without a year take the plan's own year (``6月底前``,
``年内``, ``年底前``, ``上半年``, ``三季度末``). Ongoing or recurring ones (``长期坚持``, ``持续推进``,
``每季度``, ``常态化``) have no month: ``None``, as has anything unrecognised.

Every deadline also has a kind (:func:`deadline_kind`), the typed form questions filter on: ``dated``
(a month: ``2022年12月``, ``6月底前``), ``within_year`` (``年内``: the plan's year-end, written without a
month), ``recurring`` with its period (``每季度`` → quarter; ``定期`` has none), ``ongoing`` (``长期坚持``,
``持续推进``, ``常态化``), or ``none`` (nothing recognised). A dated or within-year deadline has a month; the
others have none.
"""

from __future__ import annotations

import re
from typing import Literal

DeadlineKind = Literal["dated", "within_year", "recurring", "ongoing", "none"]
Period = Literal["week", "month", "quarter", "half", "year"]
DEADLINE_KINDS: tuple[DeadlineKind, ...] = ("dated", "within_year", "recurring", "ongoing", "none")
PERIODS: tuple[Period, ...] = ("week", "month", "quarter", "half", "year")
UNDATED_KINDS: frozenset[DeadlineKind] = frozenset({"recurring", "ongoing", "none"})  # no month

_Y = r"(?:(\d{4})\s*年)"
_RANGE = re.compile(r"(\d{4})\s*年?\s*[—–\-－~～至到]\s*(\d{4})\s*年")
_YM = re.compile(_Y + r"?\s*(\d{1,2})\s*月")
_YEAR_END = re.compile(_Y + r"?\s*(底|末|年底|年末|年内|内)")
_HALF = re.compile(_Y + r"?\s*(上半年|下半年)")
_QUARTER = re.compile(_Y + r"?\s*第?\s*([一二三四1-4])\s*季度")
_YEAR_ONLY = re.compile(r"^\s*(\d{4})\s*年\s*(?:前|以前|之前|完成|前完成)?\s*$")
_ONGOING = re.compile(
    r"长期|持续|常态|每\s*(?:个\s*)?(?:周|星期|月|季|半年|年)|按\s*(?:月|季|半年|年)|逐[年季月]|定期"
)
_RECURRING = re.compile(
    r"每\s*(?:个\s*)?(周|星期|月|季度|季|半年|年度|年)|按\s*(月|季度|季|半年|年度|年)|逐(月|季|年)|定期"
)
_PERIOD_OF: dict[str, Period] = {
    "周": "week",
    "星期": "week",
    "月": "month",
    "季度": "quarter",
    "季": "quarter",
    "半年": "half",
    "年度": "year",
    "年": "year",
}
_WITHIN_YEAR = re.compile(r"^\s*(?:\d{4}\s*年\s*度?\s*内|年内|年度内|本年度?内|当年内)\s*(?:完成)?\s*$")
_QUARTERS = {"一": 3, "二": 6, "三": 9, "四": 12, "1": 3, "2": 6, "3": 9, "4": 12}

# A deadline phrase inside a measure's text (layout 3: ``2022年10月底前编制并公布…``) or at the end of a unit
# list (layout 2: ``…州直相关单位，6月底完成``): a dated phrase needs 前 / 底 / 末 / 完成 after it, so that
# ``2023年起`` or ``到2025年`` (targets, starts) are not taken for deadlines.
PHRASE = re.compile(
    r"(?:\d{4}\s*年\s*)?(?:\d{1,2}\s*月\s*(?:底|末|中旬|上旬|下旬|份)?\s*(?:前|以前|之前)"
    r"|\d{1,2}\s*月\s*(?:底|末|中旬|上旬|下旬)(?=完成|$)"
    r"|\d{1,2}\s*月(?=完成|$)"
    r"|(?:年底|年末|底|末)\s*前|年内|上半年|下半年|第?[一二三四]季度(?:末)?(?:前)?)"
    r"|\d{4}\s*年\s*(?:底|末)(?:前)?"
    r"|长期坚持|持续推进|长期推进|持续开展|每季度|每半年|每年|每月|常态化推进"
)


def parse_deadline(text: str, year: int | None = None) -> tuple[int, int] | None:
    """``2022年12月`` → (2022, 12); ``2022年底`` → (2022, 12); ``6月底前`` → (year, 6); ``持续推进`` → None.

    Args:
        text: the deadline as written.
        year: the plan's year, for forms that leave it out; None leaves them undated.
    """
    if _ONGOING.search(text):
        return None
    m = _RANGE.search(text)
    if m:
        return (int(m.group(2)), 12)
    m = _YM.search(text)
    if m and 1 <= int(m.group(2)) <= 12:
        y = int(m.group(1)) if m.group(1) else year
        return (y, int(m.group(2))) if y else None
    m = _QUARTER.search(text)
    if m:
        y = int(m.group(1)) if m.group(1) else year
        return (y, _QUARTERS[m.group(2)]) if y else None
    m = _HALF.search(text)
    if m:
        y = int(m.group(1)) if m.group(1) else year
        return (y, 6 if m.group(2) == "上半年" else 12) if y else None
    m = _YEAR_END.search(text)
    if m and (m.group(1) or m.group(2) in ("年底", "年末", "年内")):
        y = int(m.group(1)) if m.group(1) else year
        return (y, 12) if y else None
    m = _YEAR_ONLY.match(text)
    if m:
        return (int(m.group(1)), 12)
    return None


def deadline_kind(text: str) -> tuple[DeadlineKind, Period | None]:
    """The kind of a deadline as written, and the period of a recurring one.

    ``每季度`` → (recurring, quarter); ``定期调度`` → (recurring, None); ``长期坚持`` → (ongoing, None);
    ``年内`` → (within_year, None); ``2023年6月底前`` → (dated, None); ``""`` → (none, None). Consistent with
    :func:`parse_deadline`: the kind is dated or within_year exactly when it gives a month (in a plan with a
    year: ``6月底前`` is dated, though without the plan's year it has no month).
    """
    if _ONGOING.search(text):
        m = _RECURRING.search(text)
        if m:
            word = next((g for g in m.groups() if g), None)
            return "recurring", _PERIOD_OF[word] if word else None
        return "ongoing", None
    if parse_deadline(text, 2000) is None:  # any year: whether the form names a month at all
        return "none", None
    if _WITHIN_YEAR.match(text):
        return "within_year", None
    return "dated", None


def find_deadline(text: str, year: int | None) -> str | None:
    """The deadline phrase a measure's text carries: the latest dated one, else an ongoing one, else None."""
    dated: list[tuple[tuple[int, int], int, str]] = []
    ongoing: str | None = None
    for k, m in enumerate(PHRASE.finditer(text)):
        phrase = re.sub(r"\s+", "", m.group(0))
        ym = parse_deadline(phrase, year)
        if ym is not None:
            dated.append((ym, k, phrase))
        elif ongoing is None and _ONGOING.search(phrase):
            ongoing = phrase
    if dated:
        return max(dated)[2]
    return ongoing
