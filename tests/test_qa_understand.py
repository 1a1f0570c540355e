from __future__ import annotations

import pytest

from qa.understand import COUNT, TypoFixer, find_task_ids, parse_window, topic_table, translate_english


@pytest.mark.parametrize(
    ("text", "after", "before"),
    [
        ("2022年底前要完成哪些", None, (2022, 12)),
        ("2023年上半年到期的", (2023, 1), (2023, 6)),
        ("2023年上半年前", None, (2023, 6)),
        ("年内完成的任务", None, (2022, 12)),
        ("2022年10月前", None, (2022, 10)),
        ("2022年10月到期", (2022, 10), (2022, 10)),
        ("2023年的任务", (2023, 1), (2023, 12)),
        ("明年底前", None, (2023, 12)),
        ("22年十二月底前", None, (2022, 12)),
        ("2023年内到期的", (2023, 1), (2023, 12)),
    ],
)
def test_time_windows(text: str, after: tuple[int, int] | None, before: tuple[int, int] | None) -> None:
    w = parse_window(text)
    assert w is not None and (w.after, w.before) == (after, before)


def test_no_window_in_plain_question() -> None:
    assert parse_window("谁牵头负责电力接入") is None


@pytest.mark.parametrize(
    ("text", "ids"),
    [("第233条是什么", (233,)), ("任务 12 和 #40", (12, 40)), ("task 7 deadline", (7,)), ("2022年12月", ())],
)
def test_task_numbers(text: str, ids: tuple[int, ...]) -> None:
    assert find_task_ids(text) == ids


def test_topic_table_maps_everyday_words() -> None:
    t = topic_table(["获得电力", "纳税", "企业开办和注销", "获得用水、用气"])
    assert t["办电"] == "获得电力" and t["电力接入"] == "获得电力"
    assert t["交税"] == "纳税" and t["开公司"] == "企业开办和注销"
    assert t["用气"] == "获得用水、用气"


def test_translate_english_domain_words() -> None:
    assert "电力" in translate_english("who leads the electricity tasks")
    assert "上海" in translate_english("benchmarked on Shanghai")


def test_typo_fixer_by_pinyin() -> None:
    fx = TypoFixer(["蒙速办", "一网通办", "蜗牛席"])
    assert fx.fix("萌速办怎么用") == "蒙速办怎么用"
    assert fx.fix("一往通办") == "一网通办"
    assert fx.fix("蒙速办") == "蒙速办"
    assert fx.fix("今天天气") == "今天天气"


def test_section_name_parts_shared_by_two_sections_name_neither() -> None:
    t = topic_table(["知识产权创造、保护和运用", "保护中小投资者"])
    assert "保护" not in t
    assert t["运用"] == "知识产权创造、保护和运用"


def test_typo_fixer_leaves_words_of_the_plan_alone() -> None:
    fx = TypoFixer(["工工资"], known_text="公共资源交易中心")
    assert fx.fix("公共资源交易中心") == "公共资源交易中心"
    assert TypoFixer(["工工资"]).fix("公共资") == "工工资"  # without the plan's text it would "fix" it


@pytest.mark.parametrize(
    ("text", "after", "before"),
    [
        ("招投标领域2022年9月到11月之间到期的任务", (2022, 9), (2022, 11)),
        ("2022年9月至2023年3月", (2022, 9), (2023, 3)),
        ("2022年十月到十二月", (2022, 10), (2022, 12)),
    ],
)
def test_month_ranges(text: str, after: tuple[int, int], before: tuple[int, int]) -> None:
    w = parse_window(text)
    assert w is not None and (w.after, w.before) == (after, before)


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("法院牵头的任务一共多少条？", True),
        ("2022年底前要完成的任务一共有多少？", True),
        ("持续推进的任务总共几项？", True),
        ("一共几条？", True),
        ("how many tasks benchmark shanghai", True),
        ("去年伊旗法院一共审结了多少件破产案件？", False),  # a statistic, not a count of tasks
        ("普惠小微贷款余额有多少", False),
    ],
)
def test_count_means_counting_tasks(text: str, counts: bool) -> None:
    assert bool(COUNT.search(text)) is counts


def test_a_measure_ending_in_ban_is_not_an_unknown_office() -> None:
    from corpus import build_lexicon, load_tasks
    from qa.understand import parse_question

    lex = build_lexicon(load_tasks())
    parse = lambda q: parse_question(q, lexicon=lex, topics={}, cities=())  # noqa: E731
    assert parse("公证全程网上办是哪个单位负责的？").unknown_units == ()
    assert parse("外事办负责哪些任务？").unknown_units == ("外事办",)
