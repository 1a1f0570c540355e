"""Short names of units by rule (corpus/abbrev.py) and in the lexicon: one plan's short name finds its unit,
and a short name two units of one plan would share is not used."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corpus.abbrev import COMMON_SHORT_FORMS, head_forms, plain_forms, short_names, words
from corpus.lexicon import build_lexicon
from corpus.profile import Places
from corpus.records import TaskRecord


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("发展改革", ["发展", "改革"]),
        ("人力资源社会保障", ["人力资源", "社会保障"]),
        ("工业和信息化", ["工业", "信息化"]),
        ("住房城乡建设", ["住房", "城乡", "建设"]),
        ("市场监督管理", ["市场", "监督", "管理"]),
    ],
)
def test_words(stem: str, expected: list[str]) -> None:
    assert words(stem) == expected


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("发展改革委", {"发改委"}),
        ("发展和改革委员会", {"发展和改革委", "发展改革委员会", "发展改革委", "发改委"}),
        ("人力资源社会保障局", {"人社局"}),
        ("人力资源和社会保障局", {"人力资源社会保障局", "人社局"}),
        ("住房和城乡建设局", {"住房城乡建设局", "住建局"}),
        ("卫生健康委员会", {"卫生健康委", "卫健委"}),
        ("工业和信息化局", {"工业信息化局", "工信局"}),
        ("市场监督管理局", {"市监局"}),
        ("应急管理局", {"应急局"}),
        ("城市更新工作领导小组", {"城市更新领导小组"}),  # the group without 工作
        ("政务服务和数据管理局", {"政务服务数据管理局", "政数局", "数据局"}),
        # a word of the name that says its work, when that is a common short form
        ("行政审批服务局", {"审批局"}),
        ("地方金融管理局", {"金融局"}),
        # No common short form is made of these: the head characters alone would be guesses.
        ("公共资源交易中心", set()),
        ("中级人民法院", set()),
        ("财政局", set()),
    ],
)
def test_short_names(base: str, expected: set[str]) -> None:
    assert short_names(base) == expected


def test_head_character_guesses_are_kept_only_when_listed() -> None:
    guesses = head_forms("生态环境局")
    assert guesses and not guesses & COMMON_SHORT_FORMS
    assert short_names("生态环境局") == plain_forms("生态环境局") == set()


def record(doc: str, n: int, lead: str) -> TaskRecord:
    base = TaskRecord(
        doc_id=doc,
        task_id=n,
        section_no=1,
        section="某领域",
        text="某项措施",
        benchmark=None,
        benchmark_city=None,
        lead_units=(lead,),
        responsible_units=(),
        deadline="",
        deadline_ym=None,
        line=n,
        deadline_kind="none",
        deadline_every=None,
    )
    return replace(base)


COUNTY = Places(local=("甲县", "甲", "县"))
CITY = Places(local=("乙市", "乙", "市"))


def test_a_plans_short_name_finds_its_unit_with_or_without_the_place() -> None:
    lex = build_lexicon(
        [
            record("county", 1, "县发展改革委"),
            record("county", 2, "县人力资源社会保障局"),
            record("city", 1, "市发展和改革委员会"),
        ],
        places={"county": COUNTY, "city": CITY},
    )
    assert lex.resolve("发改委") == {"县发展改革委", "市发展和改革委员会"}  # two plans: both, scoped later
    assert lex.resolve("县发改委") == lex.resolve("甲县发改委") == {"县发展改革委"}
    assert lex.resolve("乙市发改委") == lex.resolve("市发展改革委") == {"市发展和改革委员会"}
    assert lex.resolve("人社局") == {"县人力资源社会保障局"}
    assert [m.units for m in lex.find("甲县人社局牵头哪些任务")] == [frozenset({"县人力资源社会保障局"})]


def test_a_short_name_two_units_of_one_plan_share_is_not_used() -> None:
    lex = build_lexicon(
        [
            record("county", 1, "县住房城乡建设局"),
            record("county", 2, "县住房和城乡建设局"),
            record("county", 3, "县应急管理局"),
        ],
        places={"county": COUNTY},
    )
    assert lex.resolve("住建局") == frozenset()
    assert lex.resolve("县住建局") == frozenset()
    assert lex.resolve("应急局") == {"县应急管理局"}
