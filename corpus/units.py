"""Splitting a 牵头单位 / 责任单位 field into unit names.

Unit lists are separated by 、，,；; but a few unit names contain 、 themselves
(``旗清理拖欠民营企业、中小企业账款工作领导小组``); those are protected by a curated
list in ``data/compound_units.txt``. ``A等B`` ("A and the other B") and ``A及B``
are two units.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

_SEPARATORS = re.compile(r"[、，,；;]")
# Characters PDF conversion leaves around names: spaces, full stops, stray colons.
_STRIP = " \t\u3000。．.，,、；;：:"
# A unit name ends with one of these; used to decide whether 等 / 及 join two units.
_UNIT_SUFFIX = re.compile(
    r"(局|委|院|中心|公司|小组|单位|部门|部|镇|办|会|联|行|队|馆|所|区|企业|机构|组|骑|支行|分局)$"
)
_PLACEHOLDER = "\u0000"


@lru_cache(maxsize=1)
def compound_units() -> tuple[str, ...]:
    """Unit names that contain a list separator, longest first."""
    text = resources.files("corpus").joinpath("data/compound_units.txt").read_text(encoding="utf-8")
    names = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
    return tuple(sorted({n for n in names if n}, key=len, reverse=True))


def _clean(s: str) -> str:
    prev = None
    while prev != s:
        prev, s = s, s.strip().strip(_STRIP)
    return s


def _split_joined(name: str) -> list[str]:
    """``A等B`` / ``A及B`` → [A, B] when A is a unit name; ``A等`` → [A]."""
    for joiner in ("等", "及"):
        head, sep, tail = name.partition(joiner)
        if sep and _UNIT_SUFFIX.search(head):
            return [head, *_split_joined(tail)] if tail else [head]
    return [name]


def split_units(field: str, *, protected: Iterable[str] | None = None) -> tuple[str, ...]:
    """Split a unit field into clean, de-duplicated names in order of appearance.

    Args:
        field: the text after ``牵头单位：`` or ``责任单位：``.
        protected: names containing separators that must stay whole
            (defaults to the curated list).
    """
    names = tuple(protected) if protected is not None else compound_units()
    kept: list[str] = []
    text = field
    for i, name in enumerate(names):
        if name in text:
            text = text.replace(name, f"{_PLACEHOLDER}{i}{_PLACEHOLDER}")
    out: list[str] = []
    for raw in _SEPARATORS.split(text):
        frag = _clean(raw)
        if not frag:
            continue
        inner = frag.strip(_PLACEHOLDER)
        if frag.startswith(_PLACEHOLDER) and inner.isdigit() and int(inner) < len(names):
            out.append(names[int(inner)])
            continue
        for part in _split_joined(frag.replace(_PLACEHOLDER, "")):
            part = _clean(part)
            if part:
                out.append(part)
    for name in out:
        if name not in kept:
            kept.append(name)
    return tuple(kept)
