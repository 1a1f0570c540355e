"""Near misses: a question about a task the plan has, asking a detail a plan of tasks does not state (pure).

A plan says what is to be done, by whom and by when. Asked about one of its tasks, people also ask
what the task only mentions or never says: the items of a list it names (「试点具体在哪几个县」,
「清单里都有哪些行为」), an amount (「补贴一个人能拿多少钱」, 「经费预算一共多少」), how to apply, who
pays, which firm, whom to call, what has happened so far (「现在实际要几天」, 「已经覆盖了哪些园区」).
Such a question is answered only when the matched tasks' text states what is asked; otherwise the plan does
not say it, and the answer says so (the closest task named as related, not as the answer).

Four cue categories in ``cues.tsv``, one per way of telling whether a text states what is asked:

* ``unstated_items`` — the members of a list; the pattern's ``item`` group names what is listed (园区, 材料),
  its ``count`` group how many there are, if said (「18项许可事项都是啥」: only a task speaking of 18
  states it).
  Stated when a task's text enumerates it: the word after a list (「A、B等园区」, 「A园区、B园区」) or
  followed by one (「园区（A、B）」, 「园区包括」);
* ``unstated_amount`` — a sum of money; stated when a task's text gives one (「5000元」, 「三万元」) or a
  share of the sum the question names (「合同金额多少」: 「合同金额的5%」);
* ``unstated_cost`` — who pays, whether it is free; stated when a task's text says how a cost is borne
  (``cost_stated``: 免费, 零投资, 由…承担);
* ``unstated_count`` — how often in a period (「一周开几趟」, 「每月办几场」); the pattern's ``item`` group is
  the counter (趟, 场); stated when a task's text gives a number of it (「每周2趟」, 「不少于4场」);
* ``unstated_phrase`` — a detail no task states in other words (an outcome, a procedure, a contact); stated
  only when a task's text has the asked words themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from index.tokenize import normalize
from qa.numerals import CN_NUMBER, to_int
from qa.phrasebook import cue, cue_words

KINDS = ("unstated_items", "unstated_amount", "unstated_cost", "unstated_count", "unstated_phrase")
_MONEY = re.compile(r"(\d+(\.\d+)?|[一二两三四五六七八九十百千万亿]+)\s*(多)?(十|百|千|万|亿)*元")
# A sum stated as a share of the sum asked about (「不超过合同金额多少」: 「不超过合同金额的5%」) states
# it; a share of a contract does not state a budget.
_SHARE = re.compile(
    r"(金额|价款|总额|合同额|造价|费用|价格|总价)的?(\d+(\.\d+)?%|百分之[一二三四五六七八九十]+)"
)
_LIST_BEFORE = 24  # characters before an item word in which a list mark means the text enumerates it
_QUOTES = "“”\"'‘’「」《》"


@dataclass(frozen=True, slots=True)
class Unstated:
    """What a question asks that its tasks do not state: the cue category and the words asked."""

    kind: str
    asked: str
    count: int | None = None  # how many items the question says the list has (「18项许可事项都是啥」)


@cache
def _patterns(kind: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in cue_words(kind))


def asked_details(question: str, kinds: Sequence[str] | None = None) -> list[Unstated]:
    """The details a (normalized) question asks that a task states only in its own words, in cue order
    (``kinds``: only these cue categories)."""
    out: list[Unstated] = []
    for kind in kinds or KINDS:
        for pat in _patterns(kind):
            for m in pat.finditer(question):
                item = m.groupdict().get("item")
                asked = item if item is not None else m.group(0)
                quoted = re.search(r"[“\"'‘「]([^”\"'’」]+)[”\"'’」]", asked)  # a name in quotes is the item
                asked = (quoted.group(1) if quoted else asked).strip(_QUOTES + " ")
                said = m.groupdict().get("count")
                if asked:
                    out.append(Unstated(kind, asked, to_int(said) if said else None))
    return out


def enumerates(text: str, item: str) -> bool:
    """Whether a task's text lists the members of ``item``: the word right after a list (「A、B等园区」,
    「A园区、B园区」) or right before one (「园区（A、B）」, 「园区包括」, 「园区：」)."""
    head = item[-1]
    if re.search(rf"[\u4e00-\u9fff]{{1,8}}{re.escape(head)}、[\u4e00-\u9fff]{{1,8}}{re.escape(head)}", text):
        return True
    # The item, or its head word where the text says it otherwise (企业信息: 「检查、处罚等信息」).
    word = item if item in text else item[-2:]
    for m in re.finditer(re.escape(word), text):
        before = re.split("[,，;；。]", text[max(0, m.start() - _LIST_BEFORE) : m.start()])[-1]
        after = text[m.end() : m.end() + 4]
        if _examples_only(before):
            continue
        listed = "、" in before and not _compound(after)
        if listed or before.endswith("等") or re.match(r"[（(：:]|包括|包含|含", after):
            return True
    return False


def _compound(after: str) -> bool:
    """Whether the word goes on into a longer one (行为 + 指引, 信息 + 平台): then a list before it lists
    something else (「…、保障企业合法权益…提供具体行为指引」)."""
    return bool(re.match(r"[\u4e00-\u9fff]", after)) and not re.match(r"[等和及与或的以]|包括|包含|含", after)


def _examples_only(before: str) -> bool:
    """A list that gives some of a larger number (「企业开办、员工招聘等10个“一件事”」): examples, not the
    items."""
    m = re.search(rf"等(\d+|{CN_NUMBER})(个|类|项|家|种|批)?[“\"「]?$", before)
    if m is None:
        return False
    n = to_int(m.group(1))
    return n is not None and before[: m.start()].count("、") + 1 < n


def _counts(text: str, count: int | None) -> bool:
    """Whether a task's text speaks of as many items as the question said (any, when it said none): a list
    of other things in a nearby task does not state a counted set's members."""
    if count is None:
        return True
    return any(
        to_int(m.group(1)) == count
        for m in re.finditer(rf"(\d+|{CN_NUMBER})\s*(项|个|类|种|家|批|所|座|items?)", text)
    )


def states(text: str, detail: Unstated) -> bool:
    """Whether a task's text states the detail asked."""
    if detail.kind == "unstated_items":
        return _counts(text, detail.count) and enumerates(text, detail.asked)
    if detail.kind == "unstated_amount":
        return _MONEY.search(text) is not None or any(
            m.group(1) in detail.asked for m in _SHARE.finditer(text)
        )
    if detail.kind == "unstated_cost":
        return cue("cost_stated").search(text) is not None
    if detail.kind == "unstated_count":
        return re.search(rf"(\d+|{CN_NUMBER})\s*{re.escape(detail.asked)}", text) is not None
    return detail.asked in text


def unstated(question: str, texts: Iterable[str], *, kinds: Sequence[str] | None = None) -> Unstated | None:
    """The first detail the question asks that none of the tasks' texts states, or None (nothing of the kind
    is asked, or a task states it)."""
    pool = [normalize(t) for t in texts]
    if not pool:
        return None
    return next((d for d in asked_details(question, kinds) if not any(states(t, d) for t in pool)), None)
