"""Understanding a question: normalized text, intent cues and entities (pure functions).

Entities: task numbers (第233条), units through the alias lexicon (an ambiguous short form
keeps every candidate), topics through the curated synonym table (``data/topics.tsv``),
time windows (2022年底前, 2023年上半年, 年内) against ``deadline_ym``, benchmark cities
(对标深圳, 学深圳). Robust to full-width forms, traditional characters (``normalize``),
English (``data/english.tsv`` maps domain words to Chinese) and homophone typos of domain
terms (萌速办 → 蒙速办, by pinyin against the lexicon).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from corpus.lexicon import UnitLexicon
from corpus.records import TaskRecord
from index.tokenize import normalize

PLAN_YEAR = 2022  # 年内 / 今年 / 年底前 without a year mean the plan's own year

_CJK = re.compile(r"[\u4e00-\u9fff]")
_TASK_REF = re.compile(
    r"(?:第\s*(\d{1,4})\s*(?:条|项(?!指标)|个任务)|任务\s*#?\s*(\d{1,4})|#\s*(\d{1,4})|task\s*#?\s*(\d{1,4}))"
)
_INJECTION = re.compile(
    r"(忽略|无视|忘记|忘掉).{0,12}(指令|提示|规则|设定|要求|以上|之前)|系统提示|提示词|system prompt|"
    r"ignore (all |any |the )?(previous|above|prior|earlier)|disregard (all |the )?(previous|above)|"
    r"you are now|pretend (to be|you are)|act as|jailbreak|developer mode|你现在是|扮演|假装你是|"
    r"写一首|写首|作诗|讲个笑话|讲一个笑话|write (a|me a) (poem|story|joke)|tell me a joke|翻译成|"
    r"写一封|写一篇|帮我写|替我写|起草一|从现在(起|开始)你|你是dan|\bdan\b|内部规则|重复你(收到|的)|第一条消息|你的(规则|设定|指令)|没有任何限制|不受.{0,4}限制"
)
_UNKNOWN_UNIT = re.compile(
    r"([^\W\d_a-z的能在是了要把被给让去到和与及对向从就还也都]{1,8}?(?:局|委员会|厅|(?<!干)部|办公室|(?<!怎么)(?<!如何)(?<![咋要去能来好])办(?!理|事|法|证|结)|"
    r"中心|公司|法院|检察院|署|银行|集团|大学))"
)

WHO = re.compile(
    r"谁|哪个(单位|部门|机构)|哪些(单位|部门)(牵头|负责)|牵头|由.{0,6}负责|归.{0,4}管|找哪|找谁|主管"
)
RESPONSIBLE = re.compile(
    r"配合|协助|协同|参与|责任单位|协办|(单位|部门|谁)一起|一起(配合|负责|干|做|推进|参与)|还有哪些(单位|部门)|"
    r"其他(单位|部门)|合作"
)
DEADLINE = re.compile(r"什么时候|何时|啥时候|时限|期限|截止|截至|多久|哪年|几月|完成时间|到期|deadline|when")
LIST = re.compile(
    r"哪些(?!单位|部门|机构|公司)|有什么|列出|列一下|所有|全部|清单|都有|一览|"
    r"list|all tasks|which tasks|what tasks"
)
AREA = re.compile(
    r"[这那]一?大?块|[这那]一?部分|这方面|方面|领域|板块|相关(的)?(任务|工作|措施|事项|事)|这类|这一类|一类|这摊|那摊|"
    r"[这那]一?章|整块|一整块|整体|总体|这些.{0,8}(任务|活儿|事|措施|工作)|哪些(部门|单位)(牵头|负责)|"
    r"\b(measures|tasks|area|section|field)\b"
)
# The asker expects several lead units: a question about a whole area, not one task.
PLURAL_LEADS = re.compile(
    r"哪些(部门|单位)|哪几(个|家)(部门|单位)|(牵头|负责)(单位|部门)(都|分别)?(有哪些|是哪些|都有|有谁)|都是谁|都谁|都由谁|"
    r"分别(是|由)|都是哪|都有哪些(单位|部门)|which (departments|units|agencies)"
)
ONGOING = re.compile(r"持续推进|长期|没有(截止|期限)|无期限|ongoing")
# Counting tasks, not anything else (「一共审结了多少件案件」 asks a statistic the plan does not give).
COUNT = re.compile(
    r"多少(项|条|个)|几(项|条|个任务)|数量|how many|(一共|总共|共)有?(几|多少)?(项|条)|"
    r"(任务|事项|措施|的)(一共|总共)?有?多少[?？]?$|有多少(项|条|个)?(任务|事项|措施)|(一共|总共)几"
)
LEADS_WHAT = re.compile(r"(牵头|负责|管)(了)?(哪些|什么|几|多少)|(牵头|负责)的(任务|工作|事)")
BENCH_WORDS = re.compile(r"对标|学习|借鉴|参照|看齐|学")
FOLLOWUP = re.compile(
    r"^(那|那么|那它|它|它们|这些|这个|这项|该|其中|上述|上面|刚才|还有|另外|此外|以上|只看|只要|仅看|只列|只保留)|"
    r"其中|它们|这些任务|该任务|上面这些|刚才那|"
    r"\b(of them|those|these ones|them|its|it|they|this one|that one|(is|was) (that|this))\b"
)

# Words that carry no topic of their own (for telling a topic question from a task question).
_FILLER = re.compile(
    r"谁|牵头|负责|的|任务|工作|事情|事项|事|方面|相关|领域|这块|一块|那块|哪个|哪些|单位|部门|机构|是|由|有|吗|呢|啊|呀|"
    r"请问|请|问|一下|我|想|知道|了解|关于|主要|具体|都|所有|全部|列出|什么|多少|几|项|条|个|方案|计划|里|中|在|和|与|及|"
    r"找|管|主管|做|干|归|给|对|个|些|要|需要|这|那|一共|总共|共|目前|现在|企业|部分|局|摊|活儿|来|搞|抓|"
    r"措施|举措|内容|章|块|大块|整体上|总体上|整体|总体|分别|在|上|配合|协助|参与|一起|协同|还有|其他|"
    r"by|the|who|leads|what|which|tasks|task|of|for|in|on|is|are|\s|[?？!！,，.。、:：;；\"“”'‘’()（）]"
)


@dataclass(frozen=True, slots=True)
class Window:
    """Inclusive (year, month) bounds on ``deadline_ym``; None = open."""

    after: tuple[int, int] | None
    before: tuple[int, int] | None
    label: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the question asks, before deciding how to answer."""

    original: str
    text: str
    lang: str
    task_ids: tuple[int, ...]
    units: tuple[tuple[str, frozenset[str]], ...]  # (alias as typed, candidates)
    unit_roles: tuple[str | None, ...]  # per unit: "lead" / "responsible" when the words right after say so
    unknown_units: tuple[str, ...]
    sections: tuple[str, ...]
    window: Window | None
    city: str | None
    self_innovation: bool
    asks_who: bool
    asks_responsible: bool
    asks_deadline: bool
    asks_list: bool
    asks_count: bool
    asks_unit_tasks: bool
    area: bool
    plural_leads: bool
    ongoing: bool
    specific_terms: tuple[str, ...]
    followup_cue: bool
    injection: bool
    residue: str  # what is left after removing entities and filler words


def _rows(name: str) -> list[tuple[str, str]]:
    text = resources.files("qa").joinpath(f"data/{name}").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        body = line.split("#", 1)[0].rstrip() if not line.startswith("12345") else line.split("\t#")[0]
        cols = [c.strip() for c in body.split("\t")]
        if len(cols) >= 2 and cols[0]:
            out.append((cols[0], cols[1]))
    return out


@lru_cache(maxsize=1)
def english_terms() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(_rows("english.tsv"), key=lambda r: -len(r[0])))


@lru_cache(maxsize=1)
def curated_topics() -> tuple[tuple[str, str], ...]:
    return tuple(_rows("topics.tsv"))


def topic_table(sections: Iterable[str]) -> dict[str, str]:
    """Word → section: the section names, their parts, and the curated everyday words."""
    table: dict[str, str] = {}
    names = list(dict.fromkeys(sections))
    for s in names:
        table[s] = s
        for part in re.split(r"[、和]", s):
            part = part.removeprefix("获得").removeprefix("办理")
            # A part shared with another section's name (保护: 知识产权…保护… / 保护中小投资者) names neither.
            if len(part) >= 2 and not any(part in other for other in names if other != s):
                table.setdefault(part, s)
    for word, section in curated_topics():
        if section in names:
            table[normalize(word)] = section
    return table


_EN_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}


def _english_dates(low: str) -> str:
    month = "|".join(_EN_MONTHS)

    def ym(m: re.Match[str]) -> str:
        return f" {m.group(2)}年{_EN_MONTHS[m.group(1)]}月底前 "

    low = re.sub(rf"(?:by|before) (?:the )?end of ({month}),? (\d{{4}})", ym, low)
    low = re.sub(rf"(?:by|before) ({month}),? (\d{{4}})", ym, low)
    low = re.sub(rf"in ({month}),? (\d{{4}})", lambda m: f" {m.group(2)}年{_EN_MONTHS[m.group(1)]}月 ", low)
    low = re.sub(r"(?:by|before) (?:the )?end of (\d{4})", r" \1年底前 ", low)
    low = re.sub(r"(?:in )?(?:the )?first half of (\d{4})", r" \1年上半年 ", low)
    low = re.sub(r"(?:in )?(?:the )?second half of (\d{4})", r" \1年下半年 ", low)
    return re.sub(r"(?:due )?in (\d{4})", r" \1年 ", low)


@lru_cache(maxsize=1)
def _english_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every English term, longest first (as the table is sorted)."""
    table = dict(english_terms())
    alternation = "|".join(re.escape(en) for en, _ in english_terms())
    return re.compile(rf"(?<![a-z])(?:{alternation})(?![a-z])"), table


def translate_english(text: str) -> str:
    """Replace known English domain words and dates with Chinese (keeps everything else)."""
    if not re.search(r"[a-zA-Z]", text):
        return re.sub(r"\s+", " ", text).strip()  # nothing English to translate
    low = _english_dates(text.lower())
    pattern, table = _english_pattern()
    low = pattern.sub(lambda m: f" {table[m.group(0)]} ", low)
    return re.sub(r"\s+", " ", low).strip()


@lru_cache(maxsize=65536)
def _char_pinyin(c: str) -> str:
    """Toneless pinyin of one character (its most common reading)."""
    from pypinyin import lazy_pinyin

    return str(lazy_pinyin(c)[0])


class TypoFixer:
    """Homophone typos of domain terms (萌速办 → 蒙速办), matched by toneless pinyin.

    Pinyin is taken character by character (cached), for the terms and the question alike,
    so a question costs dictionary look-ups, not a pinyin conversion per window.
    """

    def __init__(self, terms: Iterable[str], known_text: str = "") -> None:
        # Text whose substrings are real words, never typos (the plan itself: 公共资 is not a typo of 工工资).
        self.known_text = known_text
        self.by_pinyin: dict[tuple[str, ...], str] = {}
        self.terms: set[str] = set()
        self.lengths: set[int] = set()
        parts = [p for t in terms for p in re.split(r"[、,，]", t)]
        for t in sorted(set(parts)):
            if 3 <= len(t) <= 6 and all(_CJK.match(c) for c in t):
                self.terms.add(t)
                self.lengths.add(len(t))
                self.by_pinyin.setdefault(tuple(_char_pinyin(c) for c in t), t)

    def fix(self, text: str) -> str:
        if not self.by_pinyin:
            return text
        out = text
        for n in sorted(self.lengths, reverse=True):
            i = 0
            while i + n <= len(out):
                piece = out[i : i + n]
                if piece in self.terms or not all(_CJK.match(c) for c in piece):
                    i += 1
                    continue
                term = self.by_pinyin.get(tuple(_char_pinyin(c) for c in piece))
                if term and term != piece and piece not in self.known_text:
                    out = out[:i] + term + out[i + n :]
                    i += n
                else:
                    i += 1
        return out


_CN_DIGITS = {
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
    "十": 10,
}


def _year(s: str | None, rel: str | None) -> int:
    if s:
        y = int(s)
        return y + 2000 if y < 100 else y
    return {"明年": PLAN_YEAR + 1, "后年": PLAN_YEAR + 2}.get(rel or "", PLAN_YEAR)


_MONTH = r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"


def _month(s: str) -> int:
    """A month written 9 / 九 / 十 / 十二 as a number (0 when it is none)."""
    if s.isdigit():
        return int(s)
    if s.startswith("十"):
        return 10 + _CN_DIGITS.get(s[1:], 0) if len(s) > 1 else 10
    return _CN_DIGITS.get(s, 0)


def parse_window(text: str) -> Window | None:
    """Deadline windows: 2022年底前, 2022年10月前, 2023年上半年, 2023年, 年内, 明年, 2022年9月到11月 …"""
    m = re.search(
        r"(\d{2,4})\s*年\s*" + _MONTH + r"\s*(?:到|至|-|~|—|～)\s*(?:(\d{2,4})\s*年\s*)?" + _MONTH, text
    )
    if m:
        y1 = _year(m.group(1), None)
        y2 = _year(m.group(3), None) if m.group(3) else y1
        a, b = _month(m.group(2)), _month(m.group(4))
        if 1 <= a <= 12 and 1 <= b <= 12 and (y1, a) <= (y2, b):
            return Window((y1, a), (y2, b), f"{y1}年{a}月至{y2}年{b}月")
    y = r"(?:(\d{2,4})\s*年|(今年|明年|后年|年内|本年))"
    m = re.search(
        y + r"\s*(上半年|下半年|一季度|第一季度|二季度|第二季度|三季度|第三季度|四季度|第四季度)", text
    )
    if m:
        year = _year(m.group(1), m.group(2))
        part = m.group(3).removeprefix("第")
        spans = {
            "上半年": (1, 6),
            "下半年": (7, 12),
            "一季度": (1, 3),
            "二季度": (4, 6),
            "三季度": (7, 9),
            "四季度": (10, 12),
        }
        a, b = spans[part]
        label = f"{year}年{part}"
        if re.search(r"前|以前|之前|截止|截至", text[m.end() : m.end() + 3]):
            return Window(None, (year, b), label + "前")
        return Window((year, a), (year, b), label)
    m = re.search(y + r"\s*" + _MONTH + r"\s*(底|末)?\s*(前|以前|之前|内)?", text)
    if m:
        year = _year(m.group(1), m.group(2))
        mon = _month(m.group(3))
        if not 1 <= mon <= 12:
            return None
        if m.group(5) or m.group(4):
            return Window(None, (year, mon), f"{year}年{mon}月底前")
        return Window((year, mon), (year, mon), f"{year}年{mon}月")
    m = re.search(y + r"\s*(底|末|年底|年末)?\s*(前|以前|之前|内|以内)?", text)
    if m and (m.group(1) or m.group(2)):
        year = _year(m.group(1), m.group(2))
        if m.group(1) and not m.group(3) and m.group(4) in ("内", "以内"):
            return Window((year, 1), (year, 12), f"{year}年内")  # 2023年内到期: during 2023
        if m.group(2) == "年内" or m.group(3) or m.group(4):
            return Window(None, (year, 12), f"{year}年底前")
        return Window((year, 1), (year, 12), f"{year}年")
    if re.search(r"年底前|年内|年底", text):
        return Window(None, (PLAN_YEAR, 12), f"{PLAN_YEAR}年底前")
    return None


def parse_city(text: str, cities: Iterable[str]) -> str | None:
    for city in sorted(set(cities), key=len, reverse=True):
        i = text.find(city)
        if i >= 0 and BENCH_WORDS.search(text[max(0, i - 6) : i + len(city) + 4]):
            return city
    return None


def find_task_ids(text: str) -> tuple[int, ...]:
    out = []
    for m in _TASK_REF.finditer(text):
        num = next(g for g in m.groups() if g)
        out.append(int(num))
    return tuple(dict.fromkeys(out))


def find_sections(text: str, table: Mapping[str, str]) -> tuple[str, ...]:
    """Sections named by topic words, longest words first, without overlaps."""
    return _find_sections(text, table)[0]


def _find_sections(text: str, table: Mapping[str, str]) -> tuple[tuple[str, ...], int]:
    """(sections, number of topic words matched)."""
    found: list[str] = []
    words = 0
    taken = [False] * len(text)
    for word in sorted(table, key=len, reverse=True):
        start = text.find(word)
        while start >= 0:
            if not any(taken[start : start + len(word)]):
                for k in range(start, start + len(word)):
                    taken[k] = True
                words += 1
                if table[word] not in found:
                    found.append(table[word])
            start = text.find(word, start + 1)
    return tuple(found), words


def parse_question(
    question: str,
    *,
    lexicon: UnitLexicon,
    topics: Mapping[str, str],
    cities: Iterable[str],
    typos: TypoFixer | None = None,
    specific_terms: Iterable[str] = (),
) -> Parsed:
    """Parse one question into intent cues and entities."""
    original = question
    text = normalize(question)
    lang = "zh" if _CJK.search(text) else "en"
    text = translate_english(text)
    if typos is not None:
        text = typos.fix(text)
    task_ids = find_task_ids(text)
    mentions = lexicon.find(text)
    units = tuple((m.alias, m.units) for m in mentions)
    unit_roles = tuple(_role(text[m.end : m.end + 6]) for m in mentions)
    masked = text
    for m in mentions:
        masked = masked[: m.start] + "\0" * (m.end - m.start) + masked[m.end :]
    unknown = tuple(
        u
        for u in (x.group(1) for x in _UNKNOWN_UNIT.finditer(masked))
        if "\0" not in u
        and len(u) >= 3
        and not lexicon.resolve(u)
        and not re.search(r"哪|什么|怎么|如何|谁|是否|多少", u)
        # X办 is an office's short name (外事办, 旗金融办), not 「公证全程网上办」.
        and not (u.endswith("办") and len(u.removeprefix("旗")) > 4)
    )
    # 自主创新 is a benchmark label, not the 包容普惠创新 topic word 创新.
    topical_text = masked.replace("自主创新", "\0" * 4)
    sections, topic_words = _find_sections(topical_text, topics)
    window = parse_window(text)
    city = parse_city(text, cities)
    residue = topical_text
    for word in sorted(topics, key=len, reverse=True):
        residue = residue.replace(word, "")
    residue = re.sub(r"\d{2,4}\s*年|\d{1,2}\s*月|年底|年内|上半年|下半年|对标|前|以前|之前", "", residue)
    if city:
        residue = residue.replace(city, "")
    residue = _FILLER.sub("", residue.replace("\0", ""))
    asks_responsible = bool(RESPONSIBLE.search(text))
    return Parsed(
        original=original,
        text=text,
        lang=lang,
        task_ids=task_ids,
        units=units,
        unit_roles=unit_roles,
        unknown_units=unknown,
        sections=sections,
        window=window,
        city=city,
        self_innovation="自主创新" in text,
        asks_who=bool(WHO.search(text)),
        asks_responsible=asks_responsible,
        asks_deadline=bool(DEADLINE.search(text)),
        asks_list=bool(LIST.search(text)),
        asks_count=bool(COUNT.search(text)),
        asks_unit_tasks=bool(LEADS_WHAT.search(text)),
        # "开公司、关公司" / "政府诚信、商务诚信": an enumeration of topic words names the area itself.
        area=bool(AREA.search(text))
        or (
            topic_words >= 2
            and len(sections) == 1
            and bool(re.search(r"[、和与及/]", text))
            and len(residue) <= 3
        ),
        plural_leads=bool(PLURAL_LEADS.search(text)),
        ongoing=bool(ONGOING.search(text)),
        specific_terms=tuple(t for t in specific_terms if t in text and t not in topics),
        followup_cue=bool(FOLLOWUP.search(text)),
        injection=bool(_INJECTION.search(text)),
        residue=residue,
    )


def _role(after: str) -> str | None:
    """牵头 / 配合 written right after a unit name gives that unit's role."""
    m = re.match(r"^[的]?(牵头|负责|主管|主抓|配合|参与|协助|协办|协同)", after)
    if not m:
        return None
    return "lead" if m.group(1) in ("牵头", "负责", "主管", "主抓") else "responsible"


def benchmark_cities(records: Iterable[TaskRecord]) -> tuple[str, ...]:
    return tuple(sorted({r.benchmark_city for r in records if r.benchmark_city}))
