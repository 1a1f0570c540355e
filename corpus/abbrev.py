"""Short names of a plan's units, made by rule from the names it writes (pure).

People write 发改委, 人社局, 市监局 where a plan writes 市发展改革委 / 市人力资源社会保障局 /
市市场监管局 (or the full 发展和改革委员会). From a unit's name without its place prefix (``base``) the
rules make:

* **plain forms**, always kept: 委员会 → 委 (卫生健康委员会 → 卫生健康委), the joiners 和 / 与 / 及 dropped
  (工业和信息化局 → 工业信息化局) and 工作 before 领导小组 / 小组 / 专班 (…改革工作领导小组 → …改革领导小组);
* **head characters** of the name's words (:func:`words`: the parts between joiners, else halves of a four- or
  eight-character stem, else two-character words): every word's first character (发展|改革 → 发改委,
  人力资源|社会保障 → 人社局, 工业|信息化 → 工信局), the first and last two-character parts' (住房|城乡|建设 →
  住建局, also written 住房和城乡建设), the first two parts' (市场|监督|管理 → 市监局), the first word alone
  (应急|管理 → 应急局) or another two-character word (行政|审批|服务 → 审批局). These are guesses, so
  one is kept only when it is a common official short form: :data:`COMMON_SHORT_FORMS`, a list written for
  this (never keyed on a plan), which the rules must reproduce rather than replace (a listed form no rule
  makes from a name is not used for it).

The caller (``corpus.lexicon``) drops a short name that two units of one plan would share.
"""

from __future__ import annotations

import re

# Unit-type endings, longest first: what a short form keeps (委员会 shortened to 委).
_SUFFIXES = ("委员会", "办公室", "服务中心", "中心", "委", "局", "办", "厅", "院", "处", "所", "站")
_JOINERS = re.compile(r"[和与及]")

# Common official and everyday short forms of Chinese government bureaus (as used across provinces since the
# 2018 reform). A rule-made head-character form is used only when listed here.
COMMON_SHORT_FORMS = frozenset(
    {
        "发改委",
        "发改局",
        "人社局",
        "住建局",
        "住建委",
        "卫健委",
        "卫健局",
        "工信局",
        "市监局",
        "交运局",
        "投促局",
        "教体局",
        "文旅局",
        "文广旅局",
        "自规局",
        "资规局",
        "政数局",
        "应急局",
        "医保局",
        "农农局",
        "农牧局",
        "林草局",
        "退役军人局",
        "商务局",
        "科技局",
        "统计局",
        "审批局",
        "数据局",
        "城管局",
        "国资委",
        "编办",
        "审改办",
        "金融局",
        "水务局",
        "民宗局",
        "残联",
    }
)


def split_suffix(base: str) -> tuple[str, str] | None:
    """(stem, unit-type ending) of a unit name without its place: 发展改革委 → (发展改革, 委); None when the
    name has no such ending or no stem of two characters."""
    for suffix in _SUFFIXES:
        if base.endswith(suffix) and len(base) - len(suffix) >= 2:
            return base[: -len(suffix)], "委" if suffix == "委员会" else suffix
    return None


def words(stem: str) -> list[str]:
    """The words of a stem: the parts between joiners (工业和信息化 → 工业, 信息化), else the halves of a
    four- or eight-character stem (发展改革 → 发展, 改革; 人力资源社会保障 → 人力资源, 社会保障), else
    two-character words (住房城乡建设 → 住房, 城乡, 建设; an odd last character joins the word before it)."""
    parts = [p for p in _JOINERS.split(stem) if p]
    if len(parts) > 1:
        return parts
    if len(stem) in (4, 8):
        half = len(stem) // 2
        return [stem[:half], stem[half:]]
    chunks = [stem[i : i + 2] for i in range(0, len(stem) - len(stem) % 2, 2)]
    if len(stem) % 2 and chunks:
        chunks[-1] += stem[-1]
    return chunks


def plain_forms(base: str) -> set[str]:
    """The forms every reader takes for the same name: 委员会 → 委, joiners dropped (not the name itself)."""
    forms = {base}
    if base.endswith("委员会"):
        forms.add(base[: -len("委员会")] + "委")
    if re.search(r"..工作(领导小组|小组|专班)", base):  # 「…改革领导小组」: the group named without 工作
        forms.add(re.sub(r"(?<=..)工作(领导小组|小组|专班)", r"\1", base, count=1))
    forms |= {_JOINERS.sub("", f) for f in forms}
    forms.discard(base)
    return {f for f in forms if len(f) >= 3}


def head_forms(base: str) -> set[str]:
    """Every head-character form the rules make of a name (unfiltered; see :func:`short_names`)."""
    split = split_suffix(base)
    if split is None:
        return set()
    stem, suffix = split
    ws = words(stem)
    if len(ws) < 2:
        return set()
    chunks = [c for w in ws for c in (words(w) if len(w) >= 4 else [w])]
    return {
        "".join(w[0] for w in ws) + suffix,
        chunks[0][0] + chunks[-1][0] + suffix,
        chunks[0][0] + chunks[1][0] + suffix,
        ws[0] + suffix,
        # one word of the name that says its work (行政|审批|服务 → 审批局, 地方|金融|管理 → 金融局)
        *(c + suffix for c in chunks),
    } - {base}


def short_names(base: str) -> set[str]:
    """The short names a unit goes by, from its name without its place: the plain forms, and the
    head-character forms that are common official short forms."""
    return plain_forms(base) | (head_forms(base) & COMMON_SHORT_FORMS)
