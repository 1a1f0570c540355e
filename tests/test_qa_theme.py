"""Themes (``qa.theme``), their tasks (``retriever.topic``) and the filter families around them, one test per
family of phrasing. Every question here is written for the test (none is taken from an evaluation file)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from qa import QA, Ask
from qa.entities import Mention, describes_a_thing, utility_sections
from qa.text import Respeller
from qa.theme import _distribute, theme_facets
from qa.timewords import coordinated_windows, find_window
from retriever.topic import TopicParams, _strays, topic_matches


def facets(qa: QA, question: str) -> list[list[str]]:
    """The theme's facets as the plan writes its terms (first word of each term)."""
    reading = qa.read(question)
    found = theme_facets(reading.text, reading.mentions, qa.r.tokenizer.words, qa.ctx.says)
    return [[t[0] for t in f] for f in found]


def where(qa: QA, question: str) -> str:
    p = qa.read(question).plan
    assert isinstance(p, Ask)
    return str(p.where)


# -- reading the theme ---------------------------------------------------------------------------------------
def test_one_character_words_join_the_plans_terms(fake_qa: QA) -> None:
    # 转 + 供电 and 管理 + 人: the plan writes them as one word; a tokenizer cuts them apart.
    assert ["转供电"] in [f[:1] for f in facets(fake_qa, "转供电的规定由谁定")]
    assert any("管理人" in f for f in facets(fake_qa, "管理人的事归哪个部门"))


def test_cue_words_are_dropped_only_as_whole_words(fake_qa: QA) -> None:
    # 学 is a benchmark cue, but not inside 大学生.
    assert any("大学生" in f for f in facets(fake_qa, "大学生相关的任务谁牵头"))


def test_coordinated_themes_are_facets(fake_qa: QA) -> None:
    got = facets(fake_qa, "民营经济、民营企业家这两方面都是谁在管")
    assert len(got) == 2
    got = facets(fake_qa, "刑事、检察还有公益诉讼分别谁牵头")
    assert len(got) == 3


def test_items_share_the_words_around_the_list(fake_qa: QA) -> None:
    # The verb after the list applies to every item; the words before it too.
    got = facets(fake_qa, "营业执照、税控设备能不能免费领")
    assert len(got) == 2 and all("免费" in f for f in got)


def test_generic_words_are_no_theme_alone(fake_qa: QA) -> None:
    # 政策, 问题, 各类: what kind of thing, not which; the theme is the words around them.
    for question, word in (("这些扶持政策是谁出的", "扶持"), ("用工方面的问题归谁管", "用工")):
        got = facets(fake_qa, question)
        assert got and all(word in f for f in got), got
        assert not any(w in ("政策", "问题") for f in got for w in f), got


def test_a_generic_head_joins_the_name_the_plan_writes(fake_qa: QA) -> None:
    # 事项 / 清单 alone say nothing, but 证明 + 事项 and 事项 + 清单 are names the plan writes (清单 there is
    # no request for a list).
    got = facets(fake_qa, "需要开的证明事项谁来清理")
    assert any("证明事项" in f for f in got), got
    got = facets(fake_qa, "各类事项清单的编制公布归谁")
    assert any(any(w.endswith("事项清单") for w in f) for f in got), got
    assert not any(
        w in ("事项", "清单", "各类") for f in facets(fake_qa, "电子印章的事项列个清单") for w in f
    )


def test_a_quoted_name_is_one_name(fake_qa: QA) -> None:
    assert len(facets(fake_qa, "“双随机、一公开”这项工作谁抓")) == 1


def test_distribute_is_pure_and_keeps_clauses_shared() -> None:
    events = [("新开",), (), ("执照",), None, ("印章",), None, ("税控",), ("免费",)]
    assert _distribute(events) == [
        ["新开", "执照", "免费"],
        ["新开", "印章", "免费"],
        ["新开", "税控", "免费"],
    ]
    assert _distribute([("养老",), ("服务",)]) == [["养老", "服务"]]


def test_a_section_word_starting_a_longer_name_is_an_aspect(fake_qa: QA) -> None:
    # 投标 names 招标投标 as a whole; 投标保证金 is a narrower thing the plan names.
    p = fake_qa.read("投标保证金怎么退，谁定的规矩").plan
    assert isinstance(p, Ask) and "Section(招标投标)" not in str(p.where)


def test_two_character_homophones_are_respelled() -> None:
    fix = Respeller(["公证", "仲裁", "服务", "保护", "宝湖"])
    assert fix("公政") == "公证"
    assert fix("仲才") == "仲裁"
    assert fix("饱胡") is None  # two plan words sound like it: left alone
    assert fix("公证") is None


def test_an_ordinary_word_is_respelled_only_into_a_phrase_the_plan_writes() -> None:
    plan = "事后监管 以下事项 公证服务 司法鉴定"
    fix = Respeller(
        ["事后", "以下", "仲裁", "公证", "鉴定"],
        common=lambda w: w in {"时候", "一下", "公正", "坚定"},
        says=lambda t: t in plan,
    )
    assert fix("时候", "什么", "办好") is None  # 「什么时候办好」 asks when, not about 事后监管
    assert fix("一下", "介绍", "") is None
    assert fix("公正", "", "服务") == "公证"  # 公证服务 is the plan's phrase
    assert fix("坚定", "司法", "") == "鉴定"
    assert fix("公正") is None  # no neighbour: an ordinary word stays
    assert fix("仲才") == "仲裁"  # no ordinary word: respelled alone


def test_a_respelled_theme_word_reaches_its_tasks(fake_qa: QA) -> None:
    assert "仲裁" in where(fake_qa, "仲才方面的安排都归谁")


# -- which tasks are about a theme ---------------------------------------------------------------------------
def _containing(table: dict[str, list[int]]):  # type: ignore[no-untyped-def]
    def find(words):  # type: ignore[no-untyped-def]
        rows = sorted({i for w in words for i in table.get(w, [])})
        return np.asarray(rows, np.int64)

    return find


def test_facets_are_a_union() -> None:
    table = {"刑事": [1, 2], "检察": [5]}
    got = topic_matches(
        (),
        n=100,
        allowed=None,
        params=TopicParams(),
        containing=_containing(table),
        facets=((("刑事",),), (("检察",),)),
    )
    assert got is not None and sorted(m.index for m in got) == [1, 2, 5]


def test_a_theme_expected_to_have_several_tasks_takes_its_next_word() -> None:
    # 助餐点 is in one task; 助餐 in four: who leads a theme in two words expects several tasks.
    table = {"助餐点": [3], "助餐": [3, 4, 5, 6]}
    terms = (("助餐点",), ("助餐",))
    one = topic_matches(terms, n=200, allowed=None, params=TopicParams(), containing=_containing(table))
    several = topic_matches(
        terms, n=200, allowed=None, params=TopicParams(), containing=_containing(table), least=2
    )
    assert one is not None and [m.index for m in one] == [3]
    assert several is not None and sorted(m.index for m in several) == [3, 4, 5, 6]


def test_a_word_no_task_holds_with_the_themes_other_words_is_talk_around_it() -> None:
    # 「托育服务在方案里部署了几条」: 部署 (two tasks, rarer than 托育) never goes with 托育 or 服务, which go
    # together: the theme is 托育服务, not whatever 部署 is said of.
    table = {"托育": [1, 2, 3, 4], "服务": [1, 2, *range(10, 30)], "部署": [50, 51]}
    terms = (("托育",), ("服务",), ("部署",))
    got = topic_matches(
        terms, n=300, allowed=None, params=TopicParams(), containing=_containing(table), least=2
    )
    assert got is not None and sorted(m.index for m in got) == [1, 2, 3, 4]
    # Words that never go together at all: none is set aside (which one is the theme is not clear).
    apart = {"托育": [1, 2], "部署": [50, 51], "服务": [*range(100, 110)]}
    assert _strays({w: np.asarray(rows, np.int64) for w, rows in apart.items()}, 300) == []


def test_a_theme_asked_for_its_tasks_is_not_stretched_from_nothing() -> None:
    # 「方案里写了几条关于跨境海底光缆设施的」: no task holds two of the words; who leads it would take the
    # rarest words' tasks, which tasks are about it (or how many) is none.
    table = {"跨境": [1], "光缆": [7, 8, 9, 10, 11], "设施": [*range(20, 30)], "海底": [*range(40, 46)]}
    terms = (("跨境",), ("海底",), ("光缆",), ("设施",))

    def found(stretch: bool) -> list[int]:
        got = topic_matches(
            terms,
            n=300,
            allowed=None,
            params=TopicParams(),
            containing=_containing(table),
            least=2,
            stretch=stretch,
        )
        return sorted(m.index for m in got or [])

    assert found(True) == [1, 7, 8, 9, 10, 11]
    assert found(False) == []


def test_a_task_described_in_many_words_is_not_widened() -> None:
    table = {"甲": [1], "乙": [1, *range(10, 20)], "丙": [1, *range(20, 30)], "丁": [*range(30, 40)]}
    terms = (("甲",), ("乙",), ("丙",), ("丁",))
    got = topic_matches(
        terms, n=300, allowed=None, params=TopicParams(), containing=_containing(table), least=2
    )
    assert got is not None and [m.index for m in got] == [1]


def test_a_long_theme_no_task_holds_takes_its_most_specific_words() -> None:
    # Five words, the best task holding under three quarters of their weight: a theme told at length
    # (「窗口那台自助机老死机谁来修」), not one task described; while fewer tasks than expected reach the
    # share, the tasks of its most specific word count (甲 in 1, 2 and 3).
    table = {"甲": [1, 2, 3], "乙": [1, *range(10, 20)], "丙": [1, *range(20, 30)], "丁": [*range(30, 40)]}
    terms = (("甲",), ("乙",), ("丙",), ("丁",), ("戊",))
    table["戊"] = [*range(40, 52)]
    several = topic_matches(
        terms, n=300, allowed=None, params=TopicParams(), containing=_containing(table), least=2
    )
    one = topic_matches(terms, n=300, allowed=None, params=TopicParams(), containing=_containing(table))
    assert one is not None and [m.index for m in one] == [1]
    assert several is not None and sorted(m.index for m in several) == [1, 2, 3]


def test_a_task_holding_every_word_of_a_theme_counts_however_it_is_worded() -> None:
    # 「自助机维护谁管」: 2 holds both words but is worded far from the question; 3 holds one of them.
    table = {"自助机": [1, 2, 3], "维护": [1, 2, *range(10, 20)]}
    similarity = {1: 0.92, 2: 0.84, 3: 0.83}

    def similarity_of(rows: Sequence[int]) -> np.ndarray:
        return np.asarray([similarity.get(i, 0.5) for i in rows], np.float32)

    def found(least: int) -> list[int]:
        got = topic_matches(
            (("自助机",), ("维护",)),
            n=300,
            allowed=None,
            params=TopicParams(),
            containing=_containing(table),
            similarity_of=similarity_of,
            dense_above=lambda _: [],
            least=least,
        )
        return sorted(m.index for m in got or [])

    assert found(1) == [1]
    assert found(2) == [1, 2]


def test_a_who_leads_question_pointing_at_one_task_expects_one(fake_qa: QA) -> None:
    # 「…那条谁牵头」 names one task; without it a who-leads theme is expected to have several.
    pointed = fake_qa.read("电子证照共享那条谁牵头").plan
    theme = fake_qa.read("电子证照共享谁牵头").plan
    assert isinstance(pointed, Ask) and pointed.topic is not None and pointed.topic.least == 1
    assert isinstance(theme, Ask) and theme.topic is not None and theme.topic.least == 2


@pytest.mark.parametrize(
    "question", ["智能自助终端（自助办税、自助法院）都有哪些任务", "自助设备(自助缴税、法院自助立案)谁牵头"]
)
def test_names_in_a_bracketed_list_of_a_themes_items_are_no_filters(fake_qa: QA, question: str) -> None:
    # The court and the tax section named inside the list are kinds of the theme, not who leads or where.
    plan = fake_qa.read(question).plan
    assert isinstance(plan, Ask), plan
    assert "Lead(" not in str(plan.where) and "Section(" not in str(plan.where), plan.where
    assert not plan.prefer_units, plan


def test_what_every_plan_is_about_narrows_no_theme(fake_qa: QA) -> None:
    # 营商环境 is every task's concern (the plan's title says so): the theme is the rest; 环境 said in other
    # words (企业的环境信用) is a theme word.
    plan = fake_qa.read("营商环境方面的宣传推广工作谁牵头").plan
    assert isinstance(plan, Ask) and plan.topic is not None
    assert not any("营商" in t[0] or "环境" in t[0] for t in plan.topic.terms), plan.topic
    plan = fake_qa.read("企业环境信用评价由谁负责").plan
    assert isinstance(plan, Ask) and plan.topic is not None
    assert any("环境" in t[0] for t in plan.topic.terms), plan.topic


@pytest.mark.parametrize(
    "question",
    [
        "电子证照共享有哪几条任务",
        "方案里电子证照共享一共写了几项",
        "电子证照共享相关的条目",
        "电子证照共享方面都有哪些规定",  # which provisions: the tasks that make them
    ],
)
def test_a_theme_asked_for_its_tasks_or_their_count_expects_several(fake_qa: QA, question: str) -> None:
    # Which tasks, or how many, are about a theme: a list like a who-leads one, so several are expected.
    plan = fake_qa.read(question).plan
    assert isinstance(plan, Ask) and plan.topic is not None and plan.topic.least == 2


# -- filter families -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # negation over a list, sections named by one character each
        (
            "人社局牵头的任务，去掉用网、用暖和水、气这几章还有哪些",
            "And(Lead(旗人社局), Not(Section(获得用网)), Not(Section(获得用暖)), "
            "Not(Section(获得用水、用气)))",
        ),
        ("水电暖那几块里，供电公司以外谁牵头", None),
        # 既不…也不… / 也不算
        ("既不学外地城市，也不算自主创新的任务有几项", "And(Not(City(*)), Not(Benchmark(自主创新)))"),
        ("没学哪个城市也不算自主创新的", "And(Not(City(*)), Not(Benchmark(自主创新)))"),
        # a city in a question about benchmarks as such
        ("对标了某个城市、但不是杭州的任务", "And(City(*), Not(City(杭州)))"),
        # either…or
        ("不是对标杭州就是对标深圳的那些", "Or(City(杭州), City(深圳))"),
        # unit + months side by side
        (
            "财政局牵头、8月和11月到期的",
            "And(Lead(旗财政局), Or(Due(2022-08..2022-08), Due(2022-11..2022-11)))",
        ),
        ("7、9月份完成的任务", "Or(Due(2022-07..2022-07), Due(2022-09..2022-09))"),
        # two units of one role, both required
        ("发改委和工信局都参与的任务", "And(Involves(旗发改委), Involves(旗工信局))"),
        # ongoing in other words
        ("没有具体时间要求的任务有哪些", "Ongoing"),
        # what a unit leads, with an excluded section
        ("除了纳税那块，税务局还牵头哪些", "And(Lead(旗税务局), Not(Section(纳税)))"),
    ],
)
def test_filter_families(fake_qa: QA, question: str, expected: str | None) -> None:
    p = fake_qa.read(question).plan
    assert isinstance(p, Ask) and p.pick == "all"
    if expected is None:
        assert "Not(Lead(" in str(p.where) and "Section(获得电力)" in str(p.where)
    else:
        assert str(p.where) == expected


def test_listing_a_units_tasks_is_a_list(fake_qa: QA) -> None:
    p = fake_qa.read("市场监管局还负责哪些").plan
    assert isinstance(p, Ask) and p.pick == "all" and "Lead(旗市场监管局)" in str(p.where)
    p = fake_qa.read("纳税方面除了对标深圳的还有哪些").plan
    assert isinstance(p, Ask) and p.what == ("tasks",)


def test_utility_characters_name_their_sections() -> None:
    table = utility_sections(["获得电力", "获得用水、用气", "获得用暖", "获得用网", "纳税"])
    assert table == {
        "电": "获得电力",
        "水": "获得用水、用气",
        "气": "获得用水、用气",
        "暖": "获得用暖",
        "网": "获得用网",
    }


def test_months_side_by_side() -> None:
    text = "9、10月和12月要完成的"
    first = find_window(text, 2022)
    assert first is not None
    extra = coordinated_windows(text, first)
    assert sorted(w.after for w in [first, *extra] if w.after) == [(2022, 9), (2022, 10), (2022, 12)]
    late = find_window("年底前完成的", 2022)
    assert late is not None and coordinated_windows("年底前完成的", late) == []


@pytest.mark.parametrize("text", ["6月底和9月底到期的", "6月底、9月末要完成的"])
def test_month_ends_side_by_side(text: str) -> None:
    first = find_window(text, 2023)
    assert first is not None
    extra = coordinated_windows(text, first)
    assert [(w.after, w.before) for w in [first, *extra]] == [((2023, 6), (2023, 6)), ((2023, 9), (2023, 9))]


def test_a_month_end_with_before_is_not_coordinated() -> None:
    text = "6月和9月底前到期的"
    first = find_window(text, 2023)
    assert first is not None and coordinated_windows(text, first) == []


def test_a_units_field_word_can_describe_a_thing() -> None:
    text = "消防验收和消防那边的事"
    thing = Mention("unit", 0, 2, "消防", units=frozenset({"旗消防支队"}))
    unit = Mention("unit", 5, 7, "消防", units=frozenset({"旗消防支队"}))
    assert describes_a_thing(text, thing)
    assert not describes_a_thing(text, unit)
    named = Mention("unit", 0, 3, "税务局", units=frozenset({"旗税务局"}))
    assert not describes_a_thing("税务局登记的", named)


def test_a_word_going_on_after_a_sections_word_names_a_narrower_thing() -> None:
    # 仲裁 names a section as a whole; 仲裁费 (its head last) is a fee, a theme of its own; 劳动仲裁 only
    # qualifies the section's word and stays the section.
    def words(text: str) -> list[str]:
        return [w for w in ("劳动仲裁", "仲裁费", "怎么", "退") if w in text]

    def says(w: str) -> bool:
        return w in {"仲裁费", "劳动仲裁"}

    fee = [Mention("section", 0, 2, "仲裁", section="甲", whole=True)]
    assert theme_facets("仲裁费怎么退", fee, words, says, sections={"甲"}) == ((("仲裁费",),),)
    labour = [Mention("section", 2, 4, "仲裁", section="甲", whole=True)]
    assert theme_facets("劳动仲裁怎么退", labour, words, says, sections={"甲"}) == ()


def test_an_aspect_beside_its_sections_whole_name_is_the_theme_within_it() -> None:
    # 「供电停电抢修谁管」: 供电 names the section, 停电 (one of its aspects) is what is asked about in
    # it; with an area word (「供电这块停电抢修」) the aspect is an example of the area.
    def words(text: str) -> list[str]:
        return [w for w in ("供电", "这块", "停电", "抢修", "谁管") if w in text]

    def says(w: str) -> bool:
        return w in {"停电", "抢修"}

    plain = [
        Mention("section", 0, 2, "供电", section="乙", whole=True),
        Mention("section", 2, 4, "停电", section="乙", whole=False),
    ]
    assert theme_facets("供电停电抢修谁管", plain, words, says, sections={"乙"}) == ((("停电",), ("抢修",)),)
    area = [
        Mention("section", 0, 2, "供电", section="乙", whole=True),
        Mention("section", 4, 6, "停电", section="乙", whole=False),
    ]
    assert theme_facets("供电这块停电抢修谁管", area, words, says, sections={"乙"}) == ((("抢修",),),)


def test_a_sections_work_listed_with_examples_is_the_section(fake_qa: QA) -> None:
    # 「退税、发票这些纳税的活儿」: the section named with examples of it, not the examples.
    p = fake_qa.read("退税、发票这些纳税的活儿谁牵头").plan
    assert isinstance(p, Ask) and str(p.where) == "Section(纳税)" and p.topic is None


def test_sections_that_were_a_themes_examples_do_not_confine_it(fake_qa: QA) -> None:
    # A who-leads theme that one task of the named section is about and several of the plan are: the section's
    # word was an example of the theme; named as an area (这块), the section confines it.
    from retriever.expr import And, Section, Topic

    theme = Topic("值班 待命", (("值班",), ("待命",)), least=2)
    for area, outside in (("", True), ("这块", False)):
        query = f"实行值班和维修人员待命制度{area}谁管"
        ask = Ask(("lead",), And((Section("获得用暖"), theme)), "all", query=query)
        got = fake_qa.executor.run(ask)
        assert any(r.section != "获得用暖" for r in got.records) is outside
        assert any(r.section == "获得用暖" for r in got.records)


@pytest.mark.parametrize(
    "question",
    [
        "中小投资者保护这部分的事谁牵头",  # a word of the section's name (保护)
        "营商环境当中政务服务这一块都有谁牵头",  # the plan's title (营商环境)
        "政府采购方面的改革都是谁在牵头",  # what any reform task is (改革)
        "打官司的合同执行这一块谁牵头",  # the words of the section's name, reordered
    ],
)
def test_words_that_only_say_which_area_do_not_narrow_it(fake_qa: QA, question: str) -> None:
    p = fake_qa.read(question).plan
    assert isinstance(p, Ask) and p.pick == "all" and p.topic is None
    assert str(p.where).startswith("Section(")


def test_a_specific_word_still_narrows_an_area(fake_qa: QA) -> None:
    # Area words do not make every word generic: 个人 and 融资 say which part of the section is meant.
    assert where(fake_qa, "个人破产这块谁牵头") == "And(Section(办理破产), Topic(个人))"
    assert "Topic(" in where(fake_qa, "政府采购这块的合同融资谁牵头")


def test_a_bracketed_section_word_names_the_phrase_before_it(fake_qa: QA) -> None:
    # 「X（施工许可）」: X is the building-permit section in the question's own words.
    p = fake_qa.read("企业拿地开工审批（施工许可）这块谁牵头").plan
    assert isinstance(p, Ask) and str(p.where) == "Section(办理建筑许可)" and p.topic is None
    p = fake_qa.read("企业拿地开工审批（施工许可）谁牵头").plan
    assert isinstance(p, Ask) and str(p.where) == "Section(办理建筑许可)"


def test_who_leads_asked_as_which_bureau_manages_it(fake_qa: QA) -> None:
    # 「归哪个局管」 is one cue: 局管 is no theme word.
    p = fake_qa.read("房产登记归哪个局管").plan
    assert isinstance(p, Ask) and str(p.where) == "Section(财产登记)" and p.topic is None


@pytest.mark.parametrize(
    ("question", "section"),
    [("商事纠纷这块谁牵头", "执行合同"), ("社会信用那一块谁牵头", "政务诚信和商务诚信")],
)
def test_everyday_names_of_sections(fake_qa: QA, question: str, section: str) -> None:
    assert where(fake_qa, question) == f"Section({section})"


def test_the_plans_own_region_is_never_a_theme_word(fake_qa: QA) -> None:
    p = fake_qa.read("伊旗政府采购这块的合同融资改革谁牵头").plan
    assert isinstance(p, Ask) and p.topic is not None
    assert p.topic.text == "合同"  # not 伊旗 (融资 names 获得信贷, 改革 only says what kind of work)


def test_wishes_and_modals_are_no_theme_words(fake_qa: QA) -> None:
    p = fake_qa.read("不想多跑腿，发票能不能寄到家？这块谁负责").plan
    assert isinstance(p, Ask) and p.topic is not None
    assert not {"不想", "不能"} & {t[0] for t in p.topic.terms}


def test_examples_in_brackets_after_including_are_no_theme_words(fake_qa: QA) -> None:
    p = fake_qa.read("电子证照这块（包括电子印章推广）由谁牵头").plan
    assert isinstance(p, Ask) and p.topic is not None
    assert "印章" not in p.topic.text and "推广" not in p.topic.text


def test_english_names_of_minority_investor_protection(fake_qa: QA) -> None:
    for question in (
        "Who leads the protection of minority investors?",
        "who handles protecting minority shareholders",
    ):
        p = fake_qa.read(question).plan
        assert isinstance(p, Ask) and str(p.area) == "Section(保护中小投资者)"
        assert p.topic is not None and p.topic.text == "保护"  # the section's own word: the whole section


def test_a_compound_the_plan_writes_once_is_read_as_its_head_too() -> None:
    # 网页登记簿 in one task; the plan writes 登记簿 in three more: a theme expected to have several tasks.
    texts = ["推广网页登记簿", "电子登记簿", "登记簿共享", "统一登记簿", *(["清单"] * 60)]

    def containing(words):  # type: ignore[no-untyped-def]
        return np.asarray([i for i, t in enumerate(texts) if any(w in t for w in words)], np.int64)

    terms = (("网页登记簿",),)
    one = topic_matches(terms, n=len(texts), allowed=None, params=TopicParams(), containing=containing)
    several = topic_matches(
        terms, n=len(texts), allowed=None, params=TopicParams(), containing=containing, least=2
    )
    assert one is not None and [m.index for m in one] == [0]
    assert several is not None and sorted(m.index for m in several) == [0, 1, 2, 3]
    # A two-character tail is a generic word (清单 …), never taken as the head.
    short = topic_matches(
        (("网页清单",),), n=len(texts), allowed=None, params=TopicParams(), containing=containing, least=2
    )
    assert short is None


def test_tasks_holding_one_of_two_words_are_passing_mentions_when_several_hold_both() -> None:
    # 「远程会诊这块谁管」: 1 and 2 hold both words; 3 and 4 only the commoner one (会诊 of a list elsewhere).
    table = {"远程": [1, 2, 5], "会诊": [1, 2, 3, 4]}
    got = topic_matches(
        (("远程",), ("会诊",)),
        n=300,
        allowed=None,
        params=TopicParams(),
        containing=_containing(table),
        least=2,
    )
    assert got is not None and sorted(m.index for m in got) == [1, 2]


def test_a_compound_the_plan_writes_far_less_often_than_its_head_is_read_as_the_head_too() -> None:
    # 「集中一网通办谁在推」: the plan writes the whole compound in two tasks, its head in six.
    table = {"集中一网通办": [1, 2], "一网通办": [1, 2, 3, 4, 5, 6]}
    got = topic_matches(
        (("集中一网通办",),),
        n=300,
        allowed=None,
        params=TopicParams(),
        containing=_containing(table),
        least=2,
    )
    assert got is not None and sorted(m.index for m in got) == [1, 2, 3, 4, 5, 6]


def test_two_words_of_one_synonym_row_are_one_aspect_not_the_section(fake_qa: QA) -> None:
    """「12345热线」 says one aspect twice (热线 and 12345 are one row of synonyms.tsv): a theme, not the
    whole 政务服务 section that two different aspects side by side would name."""
    p = fake_qa.read("12345热线这块谁负责").plan
    assert isinstance(p, Ask) and str(p.where) != "Section(政务服务)", p


@pytest.mark.parametrize(
    "question",
    [
        "热线12345这一块由哪个部门牵头",  # two words for one thing (a synonyms row): one aspect
        "好差评、差评这方面是谁在负责",  # one word inside the other: one aspect
    ],
)
def test_two_words_for_one_aspect_do_not_name_the_section(fake_qa: QA, question: str) -> None:
    p = fake_qa.read(question).plan
    assert isinstance(p, Ask) and p.topic is not None
    assert str(p.where) != "Section(政务服务)"


@pytest.mark.parametrize(
    ("question", "section", "aspect"),
    [
        ("纳税里面退税这一块谁在管", "纳税", "退税"),
        ("政务服务中的好差评这部分归谁负责", "政务服务", "好差评"),
    ],
)
def test_an_aspect_named_as_the_area_after_its_section_is_the_theme_within_it(
    fake_qa: QA, question: str, section: str, aspect: str
) -> None:
    # The area word names the aspect said just before it, not the section named before that.
    got = where(fake_qa, question)
    assert got.startswith(f"And(Section({section}), Topic(") and aspect in got


def test_an_aspect_said_as_a_chapter_names_its_section(fake_qa: QA) -> None:
    # 「退税那一章」: a chapter is a whole section, whichever of its aspects names it.
    assert where(fake_qa, "退税那一章都有哪些任务") == "Section(纳税)"


def test_a_utility_character_inside_a_word_names_no_section(fake_qa: QA) -> None:
    # 气 ends 大气 (a word the plan writes): 「大气、水的治理」 lists environment themes, not water and gas.
    reading = fake_qa.read("大气、水环境治理哪些部门牵头")
    assert not any(m.kind == "section" and m.text in ("气", "水") for m in reading.mentions)
    reading = fake_qa.read("水、气、暖这几块谁牵头")
    assert sum(m.kind == "section" for m in reading.mentions) == 3


def test_a_chunk_listed_with_one_word_shares_its_head() -> None:
    # 「企业注销服务和指导」: 服务 and 指导 are the items, 企业注销 qualifies both.
    assert _distribute([("企业注销", "服务"), None, ("指导",)]) == [
        ["企业注销", "服务"],
        ["企业注销", "指导"],
    ]
    # Single words on both sides are the items themselves.
    assert _distribute([("营业执照",), None, ("税控设备",), ("免费",)]) == [
        ["营业执照", "免费"],
        ["税控设备", "免费"],
    ]


@pytest.mark.parametrize(
    ("question", "noise"),
    [
        ("好多商户提到电子发票的事，谁牵头", {"好多", "提到"}),
        ("我们几个股东老是碰到开户慢，银行开户这块谁管", {"几个", "老是"}),
        ("写一篇稿子要用，凡是涉及公证服务的都谁负责", {"一篇", "稿子", "凡是"}),
        ("听说接到投诉要限时办结，这些分别哪个部门逐项落实", {"听说", "接到", "逐项"}),
    ],
)
def test_words_about_the_asking_are_never_theme_words(fake_qa: QA, question: str, noise: set[str]) -> None:
    words = {w for f in facets(fake_qa, question) for w in f}
    assert words and not words & noise
