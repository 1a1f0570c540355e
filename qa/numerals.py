"""Numbers as people write them: 305, ３０５ (full-width, folded by normalization), 三百零五, 三零五, 两百,
十二, 第一 / 最后 / 倒数第二, English ordinals (first, 3rd, twelfth, last, second to last). Pure."""

from __future__ import annotations

import re

_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNIT = {"十": 10, "百": 100, "千": 1000}
CN_NUMBER = "[零〇一二两三四五六七八九十百千]+"
_EN_ORD = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "twentieth": 20,
}
EN_ORDINAL = r"(?:\d{1,4}(?:st|nd|rd|th)|" + "|".join(_EN_ORD) + ")"


def cn_to_int(s: str) -> int | None:
    """三百零五 → 305, 十二 → 12, 两百 → 200, 三零五 → 305 (digit by digit); None when not a number."""
    if not s or any(c not in _DIGIT and c not in _UNIT for c in s):
        return None
    if not any(c in _UNIT for c in s):
        return int("".join(str(_DIGIT[c]) for c in s))  # 三零五: read digit by digit
    total, digit = 0, None
    for c in s:
        if c in _DIGIT:
            if digit is not None and _DIGIT[c] != 0:
                return None  # 三四百 is a range, not a number
            digit = _DIGIT[c] if _DIGIT[c] != 0 else None
        else:
            unit = _UNIT[c]
            total += (digit if digit is not None else 1) * unit
            digit = None
    return total + (digit or 0)


def to_int(s: str) -> int | None:
    """Arabic or Chinese numerals; None when neither."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    return cn_to_int(s)


def en_ordinal(s: str) -> int | None:
    """first → 1, 3rd → 3, twelfth → 12."""
    s = s.lower()
    m = re.fullmatch(r"(\d{1,4})(?:st|nd|rd|th)", s)
    if m:
        return int(m.group(1))
    return _EN_ORD.get(s)
