"""A plan's profile, derived from its text (pure): title, issuing number, short title, region, places, year.

* **title** — the ``《…》`` of the covering notice (关于印发《…》的通知), else the first title-like line
  (ends in 方案 / 计划 / 要点 / 措施 / 清单 / 分工表 / 意见, no full stop);
* **issuing number** — the first ``X发〔2022〕5号`` / ``X〔2023〕12号`` in the first lines;
* **region** — the place the title starts with (伊金霍洛旗, 云岭州, 青川市), else the issuing office's;
  its **places** are the names people prefix units with: the full name, the name without its level word,
  the one-character abbreviation (伊旗) when the plan itself uses it, and the level word alone (旗);
* **parents** — the regions above it, from ``《X市…》`` / ``《X省…》`` documents the plan cites at least
  twice (a plan implements its city's and province's plans); their prefixes include the chained form
  (内蒙古鄂尔多斯);
* **year** — the title's, else the issuing number's, else the signing date's, else the commonest
  deadline year;
* **short title** — the region's abbreviation (or name) and the title without filler words
  (伊旗营商环境实施方案);
* **source URL** — where the plan is published (never derived: the override's ``source_url``), which
  citations and pages link to for that plan.

What cannot be derived goes into an override file beside the plan (``<file stem>.toml``), parsed by the
loader and applied here; its keys are :data:`OVERRIDE_KEYS`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.checks import refuse
from corpus.records import TaskRecord

LEVELS = (
    "自治州",
    "自治县",
    "自治旗",
    "自治区",
    "特别行政区",
    "新区",
    "旗",
    "盟",
    "州",
    "市",
    "县",
    "区",
    "省",
)
_LEVEL_ALT = "|".join(LEVELS)
_ISSUER = re.compile(
    r"([\u4e00-\u9fff]{2,7}?)(" + _LEVEL_ALT + r")(?:委办公室|人民政府|政府办公室|委员会|党委|办公室)"
)
_CITED = re.compile(r"《([\u4e00-\u9fff]{2,7}?)(省|自治区|市|州|盟)[^》]{4,60}》")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}\s*[〔\[［(（]\s*(\d{4})\s*[〕\]］)）]\s*\d+\s*号")
_TITLE_WORDS = re.compile(r"(方案|计划|要点|措施|清单|分工表|意见|任务表)(（[^）]*）)?$")
_NOTICE = re.compile(r"《([^》]{4,80})》")
_YEAR = re.compile(r"(20\d{2})\s*年?")
_DATE = re.compile(r"(20\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
# Words a short title leaves out: they say how, not what.
_FILLERS = ("关于印发", "关于", "进一步", "对标先进", "建设", "最优", "优化", "持续", "全面", "深化", "加快")
_HEAD_LINES = 40
_MIN_CITED = 2
_RANK = {"省": 0, "自治区": 0, "市": 1, "州": 1, "盟": 1}
OVERRIDE_KEYS = (
    "doc_id",
    "title",
    "short_title",
    "doc_number",
    "region",
    "region_aliases",
    "parents",
    "year",
    "unit_aliases",
    "source_url",
)
_URL = re.compile(r"^https?://[^\s\"'<>]+$")


@dataclass(frozen=True, slots=True)
class Places:
    """The place names people prefix this plan's units with."""

    local: tuple[str, ...] = ()  # the region's names, longest first, then its level word: 伊金霍洛旗 … 旗
    parents: tuple[str, ...] = ()  # the regions above it, longest first: 内蒙古鄂尔多斯, 鄂尔多斯市, …

    @property
    def level(self) -> str:
        """The level word (旗 / 州 / 市 …), the last of ``local``; empty when unknown."""
        return self.local[-1] if self.local and self.local[-1] in LEVELS else ""

    @property
    def names(self) -> tuple[str, ...]:
        """The region's names without the bare level word."""
        return tuple(p for p in self.local if p not in LEVELS)


@dataclass(frozen=True, slots=True)
class PlanProfile:
    """What a plan says about itself (derived, then overridden)."""

    doc_id: str
    title: str
    short_title: str
    doc_number: str | None
    region: str | None
    places: Places
    year: int | None
    unit_aliases: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    source_url: str | None = None  # where the plan is published (the override file's source_url)

    def to_json(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "short_title": self.short_title,
            "doc_number": self.doc_number,
            "region": self.region,
            "local_places": list(self.places.local),
            "parent_places": list(self.places.parents),
            "year": self.year,
            "unit_aliases": {k: list(v) for k, v in self.unit_aliases},
            "source_url": self.source_url,
        }

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> PlanProfile:
        """The inverse of :meth:`to_json` (an index stores its plans' profiles this way)."""
        aliases = row.get("unit_aliases") or {}
        return cls(
            doc_id=str(row["doc_id"]),
            title=str(row["title"]),
            short_title=str(row["short_title"]),
            doc_number=row.get("doc_number"),
            region=row.get("region"),
            places=Places(tuple(row.get("local_places") or ()), tuple(row.get("parent_places") or ())),
            year=int(row["year"]) if row.get("year") is not None else None,
            unit_aliases=tuple((str(k), tuple(v)) for k, v in aliases.items()),
            source_url=row.get("source_url") or None,
        )

    @classmethod
    def bare(cls, doc_id: str) -> PlanProfile:
        """What is known of a plan from its records alone (records built without their plan file)."""
        return cls(doc_id, doc_id, doc_id, None, None, Places(), None)


def head_texts(texts: Iterable[str], n: int = _HEAD_LINES) -> list[str]:
    """The first ``n`` non-empty texts, stripped (what the derivations look at)."""
    out: list[str] = []
    for t in texts:
        s = t.strip()
        if s:
            out.append(s)
            if len(out) == n:
                break
    return out


def find_doc_number(head: Sequence[str]) -> str | None:
    """The first issuing number (``伊党办发〔2022〕5号``) in the head lines, spaces removed."""
    for s in head:
        m = DOC_NUMBER.search(s)
        if m:
            return re.sub(r"\s+", "", m.group(0))
    return None


def find_title(head: Sequence[str]) -> str | None:
    """The plan's title: the 《…》 of the covering notice, else the first title-like line."""
    for i, s in enumerate(head):
        if "印发" in s and "《" in s:
            joined = "".join(head[i : i + 4])  # titles wrap over lines in PDF conversions
            m = _NOTICE.search(joined)
            if m:
                return m.group(1)
    for s in head:
        if len(s) <= 60 and "。" not in s and _TITLE_WORDS.search(s) and not s.startswith("关于"):
            return s
    return None


def _place(text: str, full_text: str) -> tuple[str, str] | None:
    """(name, level) of the place ``text`` starts with; 苏州市 not 苏州 when the plan writes 苏州市 mostly."""
    found = None
    for k in (*range(2, 8), 1):  # the shortest name first; one character only for a county (沛县)
        name = text[:k]
        if len(name) < k or not re.fullmatch(r"[\u4e00-\u9fff]+", name):
            continue
        level = next((lv for lv in LEVELS if text[k:].startswith(lv)), None)
        if level and (k > 1 or level == "县"):
            found = (name, level)
            break
    if found is None:
        return None
    name, level = found
    rest = text[len(name) + len(level) :]
    if level != "市" and rest.startswith("市"):
        with_city = name + level + "市"
        if full_text.count(with_city) >= 0.8 * full_text.count(name + level):
            return name + level, "市"
    return name, level


def _variants(name: str, level: str, text: str) -> tuple[str, ...]:
    full = name + level
    out = [full, name] if len(name) >= 2 else [full]
    abbr = name[0] + level
    if len(name) >= 3 and abbr in text and abbr not in out:
        out.append(abbr)  # 伊旗: used by the plan itself
    return tuple(out)


def _parent_prefixes(parents: Sequence[str]) -> tuple[str, ...]:
    names: list[str] = []
    bases: list[str] = []
    for p in parents:
        m = re.fullmatch(r"([\u4e00-\u9fff]+?)(" + _LEVEL_ALT + ")", p)
        base = m.group(1) if m else p
        bases.append(base)
        names += [p, base]
    chained = ["".join(bases[i : i + 2]) for i in range(len(bases) - 1)]
    unique = dict.fromkeys([*chained, *names])
    return tuple(sorted(unique, key=len, reverse=True))


def _short(title: str, region: str | None, abbr: str | None) -> str:
    core = title
    if region and core.startswith(region):
        core = core[len(region) :]
    core = re.sub(r"（[^）]*）$", "", core)
    for w in _FILLERS:
        core = core.replace(w, "")
    return (abbr or region or "") + core


def _year(
    title: str, doc_number: str | None, head: Sequence[str], records: Sequence[TaskRecord]
) -> int | None:
    m = _YEAR.search(title)
    if m:
        return int(m.group(1))
    if doc_number:
        m = DOC_NUMBER.search(doc_number)
        if m:
            return int(m.group(1))
    for s in head:
        m = _DATE.search(s)
        if m:
            return int(m.group(1))
    years = Counter(r.deadline_ym[0] for r in records if r.deadline_ym)
    return years.most_common(1)[0][0] if years else None


def check_overrides(overrides: Mapping[str, object], *, name: str) -> None:
    """Refuse unknown keys or wrongly typed values in an override file."""
    unknown = sorted(set(overrides) - set(OVERRIDE_KEYS))
    lists = ("region_aliases", "parents")
    bad = [k for k in lists if k in overrides and not _str_list(overrides[k])]
    if "year" in overrides and not isinstance(overrides["year"], int):
        bad.append("year")
    url = overrides.get("source_url")
    if "source_url" in overrides and not (isinstance(url, str) and len(url) <= 500 and _URL.match(url)):
        bad.append("source_url")
    aliases = overrides.get("unit_aliases", {})
    if not isinstance(aliases, Mapping) or not all(_str_list(v) for v in aliases.values()):
        bad.append("unit_aliases")
    if unknown or bad:
        what = ", ".join([*(f"unknown key {k}" for k in unknown), *(f"bad value for {k}" for k in bad)])
        raise refuse(
            "bad_override",
            f"方案设置文件 {name} 有误：{what}（可用的键：{', '.join(OVERRIDE_KEYS)}）。",
            f"The plan settings file {name} is wrong: {what} (keys: {', '.join(OVERRIDE_KEYS)}).",
        )


def _str_list(v: object) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def derive_profile(
    *,
    doc_id: str,
    texts: Sequence[str],
    records: Sequence[TaskRecord] = (),
    overrides: Mapping[str, object] | None = None,
) -> PlanProfile:
    """The profile of a plan from its text lines (and records, for the year as a last resort).

    Args:
        doc_id: the id from the file name (an override's ``doc_id`` wins).
        texts: the plan's lines (a table row's first non-empty cell stands for the row).
        records: the parsed tasks, if already parsed.
        overrides: the override file's table (already checked with :func:`check_overrides`).
    """
    ov = dict(overrides or {})
    head = head_texts(texts)
    full_text = "\n".join(texts)
    title = str(ov.get("title") or find_title(head) or doc_id)
    doc_number = ov.get("doc_number") or find_doc_number(head)
    place = None
    if ov.get("region"):
        place = _place(str(ov["region"]), full_text)
    if place is None:
        place = _place(title, full_text)
    if place is None:
        for s in head:
            m = _ISSUER.search(s)
            if m:
                place = (m.group(1), m.group(2))
                break
    local: tuple[str, ...] = ()
    region = abbr = None
    if place:
        name, level = place
        region = name + level
        variants = _variants(name, level, full_text)
        abbr = variants[2] if len(variants) > 2 else None
        local = tuple(dict.fromkeys((*variants, *_str_seq(ov.get("region_aliases")), level)))
    if "parents" in ov:
        parents = list(_str_seq(ov["parents"]))
    else:
        cited = Counter((m.group(1), m.group(2)) for m in _CITED.finditer(full_text))
        # Cited at least twice (a plan cites its superiors' plans again and again, another city's rule once),
        # the province before the city: 内蒙古自治区, 鄂尔多斯市 → 内蒙古鄂尔多斯.
        above = [(n, lv) for (n, lv), k in cited.items() if k >= _MIN_CITED and n + lv != region]
        parents = [n + lv for n, lv in sorted(above, key=lambda p: (_RANK[p[1]], -cited[p]))]
    places = Places(local=local, parents=_parent_prefixes(parents))
    year_ov = ov.get("year")
    year = year_ov if isinstance(year_ov, int) else _year(title, str(doc_number or "") or None, head, records)
    aliases_ov = ov.get("unit_aliases")
    aliases = (
        tuple((str(k), tuple(_str_seq(v))) for k, v in sorted(aliases_ov.items()))
        if isinstance(aliases_ov, Mapping)
        else ()
    )
    return PlanProfile(
        doc_id=str(ov.get("doc_id") or doc_id),
        title=title,
        short_title=str(ov.get("short_title") or _short(title, region, abbr)),
        doc_number=str(doc_number) if doc_number else None,
        region=region,
        places=places,
        year=year,
        unit_aliases=aliases,
        source_url=str(ov["source_url"]) if ov.get("source_url") else None,
    )


def _str_seq(v: object) -> tuple[str, ...]:
    return tuple(x for x in v if isinstance(x, str)) if isinstance(v, list) else ()
