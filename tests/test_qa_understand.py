"""Understanding's pure pieces: text clean-up, numerals, time words, names with negation, residue."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus import TaskRecord, build_lexicon
from qa.entities import Context, Mention, find_mentions, topic_table
from qa.numerals import cn_to_int, en_ordinal, to_int
from qa.phrasebook import categories, cue, rows, synonyms
from qa.text import TypoFixer, clean, compose_english, translate_english
from qa.timewords import find_window


@pytest.fixture(scope="module")
def ctx(tasks: list[TaskRecord]) -> Context:
    sections = list(dict.fromkeys(t.section for t in tasks))
    return Context(
        lexicon=build_lexicon(tasks),
        topics=topic_table(sections),
        cities=tuple(sorted({t.benchmark_city for t in tasks if t.benchmark_city})),
        plan_year=2022,
        says=lambda s: any(s in t.text for t in tasks),
    )


def kinds(ms: list[Mention]) -> list[tuple[str, str, bool]]:
    return [(m.kind, m.text, m.negated) for m in ms]


# -- numbers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三百零五", 305),
        ("十二", 12),
        ("两百", 200),
        ("三零五", 305),
        ("一千零一", 1001),
        ("十", 10),
        ("305", 305),
    ],
)
def test_numerals(text: str, value: int) -> None:
    assert to_int(text) == value


def test_not_numerals() -> None:
    assert cn_to_int("三四百") is None and cn_to_int("多少") is None and to_int("") is None
    assert en_ordinal("third") == 3 and en_ordinal("12th") == 12 and en_ordinal("lots") is None


@given(st.integers(min_value=1, max_value=9999))
def test_chinese_numerals_round_trip(n: int) -> None:
    digits = "零一二三四五六七八九"
    units = ["", "十", "百", "千"]
    s, zero = "", False
    for i, d in enumerate(reversed(str(n))):
        d = int(d)
        if d:
            s = digits[d] + units[i] + ("零" if zero and s else "") + s
            zero = False
        else:
            zero = True
    assert cn_to_int(s) == n, s


# -- time words -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "after", "before"),
    [
        ("2022年底前要完成哪些", None, (2022, 12)),
        ("2023年上半年到期的", (2023, 1), (2023, 6)),
        ("2023年上半年前", None, (2023, 6)),
        ("年内完成的任务", None, (2022, 12)),
        ("2022年10月前", None, (2022, 10)),
        ("2022年10月到期", (2022, 10), (2022, 10)),
        ("10月份到期的", (2022, 10), (2022, 10)),
        ("8月底前就到期的", None, (2022, 8)),
        ("2023年的任务", (2023, 1), (2023, 12)),
        ("明年底前", None, (2023, 12)),
        ("22年十二月底前", None, (2022, 12)),
        ("2023年内到期的", (2023, 1), (2023, 12)),
        ("招投标领域2022年9月到11月之间到期的任务", (2022, 9), (2022, 11)),
        ("2022年9月至2023年3月", (2022, 9), (2023, 3)),
        ("2022年十月到十二月", (2022, 10), (2022, 12)),
        # A month's end said as the deadline is that month; 到 / 前 / 以前 make it any deadline up to it.
        ("2022年9月底要完成的", (2022, 9), (2022, 9)),
        ("到9月底要办完的", None, (2022, 9)),
        ("2022年9月及以前到期的", None, (2022, 9)),
        # 以后 / 之后 / 起: that month (year) and any later one.
        ("11月以后才到期的", (2022, 11), None),
        ("2022年9月起要完成的", (2022, 9), None),
        ("8月之后到期的", (2022, 8), None),
        ("2023年以后的任务", (2023, 1), None),
        # A day of the month: deadlines are kept by month.
        ("2022年9月30日前要完成的", None, (2022, 9)),
        ("9月30号以前", None, (2022, 9)),
        ("2022年9月30日到期的", (2022, 9), (2022, 9)),
        ("10月1日起", (2022, 10), None),
        # 截止 said right after a month: that month's deadline; 截止前 / 截止到 … 底: a bound.
        ("2023年6月截止的任务", (2023, 6), (2023, 6)),
        ("11月截至的有哪些", (2022, 11), (2022, 11)),
        ("2022年9月截止前完成的", None, (2022, 9)),
        ("截止到2022年10月底的任务", None, (2022, 10)),
        # A bare month number sharing the next month's 月 and the year before both: the first month
        # (the next is coordinated with it); before a bound, the later month's bound.
        ("今年10、11月到期的", (2022, 10), (2022, 10)),
        ("明年1、2月份要完成的", (2023, 1), (2023, 1)),
        ("今年4、5月底前完成的任务", None, (2022, 5)),
    ],
)
def test_time_windows(text: str, after: tuple[int, int] | None, before: tuple[int, int] | None) -> None:
    w = find_window(text, 2022)
    assert w is not None and (w.after, w.before) == (after, before)


@pytest.mark.parametrize(
    "text", ["谁牵头负责电力接入", "5个工作日内办结", "一个月内", "第12条", "几月完成", "3个月后"]
)
def test_no_window(text: str) -> None:
    assert find_window(text, 2022) is None


def test_a_year_left_out_is_the_plans_year() -> None:
    w = find_window("年内完成的", 2030)
    assert w is not None and w.before == (2030, 12)


# -- text --------------------------------------------------------------------------------------------------


def test_clean_drops_invisible_characters_and_folds_width() -> None:
    assert clean("第\u200b３４５条\u2060") == "第345条"
    assert clean("\u3164\u200b") == ""


def test_translate_english_domain_words() -> None:
    assert "电力" in translate_english("who leads the electricity tasks")
    assert "2022年底前" in translate_english("tasks due by the end of 2022")


def test_translate_english_data_sharing() -> None:
    assert "数据共享" in translate_english("which bureau runs the data sharing platform")
    assert "共享数据" in translate_english("who makes agencies share data")


def test_typo_fixer_by_pinyin() -> None:
    fx = TypoFixer(["蒙速办", "一网通办", "蜗牛席"])
    assert fx.fix("萌速办怎么用") == "蒙速办怎么用"
    assert fx.fix("一往通办") == "一网通办"
    assert fx.fix("今天天气") == "今天天气"
    plan = "公共资源交易中心"
    assert TypoFixer(["工工资"], known=lambda s: s in plan).fix(plan) == plan  # a word of the plan is no typo


def test_a_term_after_a_word_that_sounds_like_a_level_is_no_typo() -> None:
    fx = TypoFixer(["市商务局", "商务局", "市场监管局", "市市场监管局"])
    assert fx.fix("外资专班是商务局牵头的吗") == "外资专班是商务局牵头的吗"
    assert fx.fix("这条是市场监管局牵头吗") == "这条是市场监管局牵头吗"
    assert fx.fix("事场监管局牵头哪些") == "市场监管局牵头哪些"  # the rest is no term: a typo


def test_typo_fixer_work_is_bounded() -> None:
    slow = TypoFixer(["蒙速办"], max_windows=10)
    assert slow.fix("天" * 20 + "萌速办") == "天" * 20 + "萌速办"  # past the budget: left as typed


# -- the phrasebook -----------------------------------------------------------------------------------------


def test_every_cue_category_compiles_and_the_loader_strips_comments() -> None:
    for name in categories():
        assert cue(name).pattern
    assert all(not c.startswith("#") for r in rows("cues.tsv") for c in r)
    assert "农牧民工" in synonyms()["农民工"]


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("法院牵头的任务一共多少条？", True),
        ("2022年底前要完成的任务一共有多少？", True),
        ("持续推进的任务总共几项？", True),
        ("how many tasks benchmark shanghai", True),
        ("去年伊旗法院一共审结了多少件破产案件？", False),  # a statistic, not a count of tasks
        ("5G基站年底前要建到多少个", False),
        ("证券纠纷那几条谁牵头", False),
    ],
)
def test_count_means_counting_tasks(text: str, counts: bool) -> None:
    assert bool(cue("ask_count").search(text)) is counts


# -- names --------------------------------------------------------------------------------------------------


def test_topic_table_marks_whole_sections_and_aspects() -> None:
    t = topic_table(["获得电力", "纳税", "企业开办和注销", "知识产权创造、保护和运用", "保护中小投资者"])
    assert t["办电"] == ("获得电力", True) and t["交税"] == ("纳税", True)
    assert t["退税"] == ("纳税", False) and t["注销"] == ("企业开办和注销", False)
    assert "保护" not in t  # shared by two section names: names neither


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # 第N条 is an ordinal: the plan's N-th task, or a section's when a section is named just before it.
        ("第三百零五条说的啥", [("ordinal", "第三百零五条", False)]),
        ("第３０５条", [("ordinal", "第305条", False)]),
        ("What does task No. 47 say", [("task", "task no. 47", False)]),
        ("418号任务谁牵头", [("task", "418号任务", False)]),
        ("纳税部分的第3条", [("section", "纳税", False), ("ordinal", "第3条", False)]),
        ("获得用暖倒数第二条什么时候完成", [("section", "获得用暖", False), ("last", "倒数第二条", False)]),
        ("最后一条谁牵头", [("last", "最后一条", False)]),
        ("the last task", [("last", "the last task", False)]),
    ],
)
def test_numbers_and_positions(ctx: Context, question: str, expected: list[tuple[str, str, bool]]) -> None:
    assert kinds(find_mentions(clean(question), ctx)) == expected


@pytest.mark.parametrize(
    ("question", "negated"),
    [
        ("办理破产里，法院以外的单位牵头的有哪些", {"法院"}),
        ("政务服务这章，不是政务服务局牵头的", {"政务服务局"}),
        ("法院牵头的 除了执行合同和破产 还有哪些", {"执行合同", "破产"}),
        ("不在纳税那章的", {"纳税"}),
        ("对标上海或者北京的", set()),
        ("去掉长期坚持的和2023年的", {"长期坚持", "2023年"}),  # a removed list, names of two kinds
        ("除了持续推进的、法院牵头的", {"持续推进"}),  # 、 joins separate conditions, not a removed list
    ],
)
def test_negation_reaches_the_name_and_its_coordination(
    ctx: Context, question: str, negated: set[str]
) -> None:
    found = find_mentions(clean(question), ctx)
    assert {m.text for m in found if m.negated} == negated


def test_roles_after_a_unit(ctx: Context) -> None:
    (m,) = [x for x in find_mentions("人社局只是配合、不是牵头的任务", ctx) if x.kind == "unit"]
    assert m.role == "responsible" and m.not_roles == ("lead",)
    (m,) = [x for x in find_mentions("检察院这次都参与了哪些", ctx) if x.kind == "unit"]
    assert m.role == "involves"


def test_a_role_said_after_a_frame_is_the_units(ctx: Context) -> None:
    (m,) = [x for x in find_mentions("公安局在财产登记里都配合了什么", ctx) if x.kind == "unit"]
    assert m.role == "responsible"
    # A unit in between has the role, not the first one.
    units = [x for x in find_mentions("法院在税务局牵头的任务里", ctx) if x.kind == "unit"]
    assert [(x.text, x.role) for x in units] == [("法院", None), ("税务局", "lead")]


def test_places_and_unknown_units(ctx: Context) -> None:
    assert [m.text for m in find_mentions("杭锦旗的方案里招投标谁牵头", ctx) if m.kind == "place"] == [
        "杭锦旗"
    ]
    assert not [m for m in find_mentions("对标上海的任务", ctx) if m.kind == "place"]
    assert [m.text for m in find_mentions("外事办负责哪些任务？", ctx) if m.kind == "unknown_unit"] == [
        "外事办"
    ]
    assert not [m for m in find_mentions("公证全程网上办是哪个单位负责的？", ctx) if m.kind == "unknown_unit"]


@given(st.text(max_size=60))
def test_mentions_never_overlap_and_stay_in_the_text(text: str) -> None:
    from corpus import load_tasks

    tasks = load_tasks()
    c = Context(build_lexicon(tasks), topic_table(t.section for t in tasks), ("上海",), 2022, lambda _: False)
    t = clean(text)
    found = find_mentions(t, c)
    spans = sorted((m.start, m.end) for m in found)
    assert all(0 <= a < b <= len(t) for a, b in spans)
    assert all(b <= c2 for (_, b), (c2, _) in itertools.pairwise(spans))


def test_a_long_question_is_embedded_within_the_bound() -> None:
    from qa.text import MAX_EMBED_UNITS, embeddable

    short = "小店接个电要几天"
    assert embeddable(short) == short
    long = "我在伊旗开了个小饭馆" * 30 + "接天然气要等多久"
    cut = embeddable(long)
    units = len([c for c in cut if "\u4e00" <= c <= "\u9fff"])
    assert units <= MAX_EMBED_UNITS and cut.endswith("接天然气要等多久")  # the ask at the end is kept
    assert cut.startswith("我在伊旗开了个小饭馆")
    english = "please tell me " * 40 + "who leads the electricity tasks"
    assert len(embeddable(english).split()) <= MAX_EMBED_UNITS + 1


@pytest.mark.parametrize(
    ("text", "after", "before"),
    [
        ("which of them are due by end of september?", None, (2022, 9)),
        ("anything due before november", None, (2022, 10)),  # before a month: by the end of the one before
        ("anything due by november", None, (2022, 11)),
        ("tasks due after october", (2022, 11), None),
        ("from august on", (2022, 8), None),
        ("due in december", (2022, 12), (2022, 12)),
    ],
)
def test_english_months_without_a_year_are_windows(
    text: str, after: tuple[int, int] | None, before: tuple[int, int] | None
) -> None:
    w = find_window(translate_english(clean(text)), 2022)
    assert w is not None and (w.after, w.before) == (after, before), translate_english(text)


def test_may_the_verb_is_no_month() -> None:
    assert find_window(translate_english(clean("may i ask who leads the tax tasks")), 2022) is None


@pytest.mark.parametrize(
    ("text", "after", "before"),
    [("今年之内要完成的", (2022, 1), (2022, 12)), ("10月之内的", (2022, 10), (2022, 10))],
)
def test_之内_bounds_a_window_like_内(text: str, after: tuple[int, int], before: tuple[int, int]) -> None:
    w = find_window(text, 2022)
    assert w is not None and (w.after, w.before) == (after, before)
    assert text[w.start : w.end].endswith("之内")  # the span taken, so 之内 is no topic word


def test_a_word_before_a_particle_is_no_typo_of_a_longer_term() -> None:
    """工作 + 是 sounds like 工作室, but 「这块工作是谁牵头」 says 是; a real typo of a term is still
    fixed."""
    fx = TypoFixer(["工作室", "蒙速办"], common=lambda w: w in {"工作", "这块"})
    assert fx.fix("这块工作是谁牵头") == "这块工作是谁牵头"
    assert fx.fix("蒙速半上能办啥") == "蒙速办上能办啥"


def test_english_words_compose_a_term_the_plans_coin() -> None:
    """Consecutive English words become the Chinese term the plans write of their morphemes; a composition
    no plan writes, a single word, or words split by a full stop are left as they are."""
    plan = "推行“一窗多证”改革，建立信用修复机制，推进电子证照应用。"

    def says(s: str) -> bool:
        return s in plan

    assert "一窗多证" in compose_english("who runs the 'single window, multiple licences' pilot?", says)
    assert "信用修复" in compose_english("when is credit repair due", says)
    assert "信用修复" in translate_english(compose_english("when is credit repair due", says))
    assert compose_english("which tasks mention a window", says) == "which tasks mention a window"
    assert compose_english("one. window", says) == "one. window"
    assert "一窗" not in compose_english("one window", says)  # two characters: too short to be a coined term
