"""Per-plan profiles (derived from each document, overridden by a file) and the lexicon over several plans."""

from __future__ import annotations

import pytest

from corpus import build_lexicon
from corpus.checks import PlanFileError
from corpus.lexicon import UnitLexicon
from corpus.loader import Plan, load_plan, load_plans, read_overrides
from corpus.profile import check_overrides, derive_profile
from tests.plan_fixtures import PLANS


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    out = {p.doc_id: p for p in load_plans()}
    for name in ("yunling-2023.docx", "qingchuan-2024.xlsx"):
        plan = load_plan(PLANS / name)
        out[plan.doc_id] = plan
    return out


@pytest.fixture(scope="module")
def lex3(plans: dict[str, Plan]) -> UnitLexicon:
    records = [t for p in plans.values() for t in p.document.tasks]
    return build_lexicon(records, places={d: p.profile.places for d, p in plans.items()})


def test_the_first_plans_profile_is_derived_from_its_text(plans: dict[str, Plan]) -> None:
    prof = plans["ejin-horo-business-environment-plan-2022"].profile
    assert not (
        PLANS.parents[2] / "corpus" / "data" / "plans" / f"{prof.doc_id}.toml"
    ).exists()  # no override
    assert prof.doc_number == "伊党办发〔2022〕5号"
    assert prof.title == "伊金霍洛旗对标先进建设最优营商环境实施方案"
    assert prof.region == "伊金霍洛旗" and prof.year == 2022
    assert prof.places.local == ("伊金霍洛旗", "伊金霍洛", "伊旗", "旗")
    assert prof.places.parents == ("内蒙古鄂尔多斯", "内蒙古自治区", "鄂尔多斯市", "鄂尔多斯", "内蒙古")
    assert prof.short_title == "伊旗营商环境实施方案"


def test_the_fixture_profiles(plans: dict[str, Plan]) -> None:
    yun, qing = plans["yunling-2023"].profile, plans["qingchuan-2024"].profile
    assert (yun.doc_number, yun.region, yun.year, yun.places.local) == (
        "云政办发〔2023〕12号",
        "云岭州",
        2023,
        ("云岭州", "云岭", "州"),
    )
    assert yun.places.parents == ("南屏省", "南屏")  # cited twice: 《南屏省…条例》, 《南屏省…方案》
    assert yun.title == "云岭州优化营商环境三年行动方案（2023—2025年）"
    # The table carries no issuing number and cites nothing: both come from its override file, as does where
    # it is published (never derived; the other plans have none).
    assert read_overrides(PLANS / "qingchuan-2024.xlsx") == {
        "doc_number": "青政办发〔2024〕3号",
        "parents": ["东陵省"],
        "source_url": "https://www.qingchuan.example/zwgk/2024/yshj-fgb.html",
    }
    assert qing.source_url == "https://www.qingchuan.example/zwgk/2024/yshj-fgb.html"
    assert yun.source_url is None
    assert (qing.doc_number, qing.region, qing.year, qing.places.parents) == (
        "青政办发〔2024〕3号",
        "青川市",
        2024,
        ("东陵省", "东陵"),
    )


def test_overrides_win_and_bad_ones_are_refused() -> None:
    texts = ["某县人民政府办公室", "关于印发《某县2023年优化营商环境工作要点》的通知", "某政办发〔2023〕7号"]
    prof = derive_profile(doc_id="x", texts=texts)
    assert (prof.title, prof.region, prof.year, prof.doc_number) == (
        "某县2023年优化营商环境工作要点",
        "某县",
        2023,
        "某政办发〔2023〕7号",
    )
    prof = derive_profile(
        doc_id="x",
        texts=texts,
        overrides={"year": 2024, "short_title": "某县要点", "region_aliases": ["某地"]},
    )
    assert (prof.year, prof.short_title, prof.places.local) == (2024, "某县要点", ("某县", "某地", "县"))
    with pytest.raises(PlanFileError, match="unknown key colour") as info:
        check_overrides({"colour": "red", "year": "2024"}, name="x.toml")
    assert "bad value for year" in str(info.value) and "方案设置文件 x.toml 有误" in str(info.value)


@pytest.mark.parametrize("url", ["www.example.gov.cn/plan", "javascript:alert(1)", "https://a b", 5])
def test_a_source_url_must_be_a_web_address(url: object) -> None:
    with pytest.raises(PlanFileError, match="bad value for source_url"):
        check_overrides({"source_url": url}, name="x.toml")
    check_overrides({"source_url": "https://www.example.gov.cn/plan.html"}, name="x.toml")
    prof = derive_profile(doc_id="x", texts=["某县实施方案"], overrides={"source_url": "https://x.example/p"})
    assert prof.source_url == "https://x.example/p"
    assert type(prof).from_json(prof.to_json()) == prof


def test_a_plan_whose_text_gives_no_year_takes_its_deadlines_commonest_year() -> None:
    from corpus.records import TaskRecord

    texts = ["乙县重点任务清单"]
    assert derive_profile(doc_id="x", texts=texts).year is None
    recs = [
        TaskRecord("x", i, 1, "s", "t", None, None, ("县财政局",), (), "", (y, 6), i, "dated", None)
        for i, y in enumerate((2025, 2025, 2026))
    ]
    prof = derive_profile(doc_id="x", texts=texts, records=recs)
    assert (prof.year, prof.region, prof.title) == (2025, "乙县", "乙县重点任务清单")


def test_the_lexicon_over_three_plans_keeps_each_regions_units_apart(lex3: UnitLexicon) -> None:
    assert lex3.resolve("税务局") == {"旗税务局", "州税务局", "市税务局"}
    assert lex3.resolve("财政局") == {"旗财政局", "州财政局", "市财政局"}
    assert lex3.resolve("伊旗税务局") == {"旗税务局"}
    assert lex3.resolve("云岭州税务局") == {"州税务局"}
    assert lex3.resolve("青川市财政局") == {"市财政局"}
    assert lex3.resolve("市监局") == {
        "旗市场监管局",
        "州市场监管局",
        "市市场监管局",
    }  # a curated alias, by kind
    # 供电局 is curated for the first plan's power companies; 云岭州 has a 供电局 of its own, and 青川市's
    # 供电公司 is the same kind of unit.
    assert lex3.resolve("供电局") == {
        "伊金霍洛旗供电公司",
        "鄂尔多斯供电公司",
        "云岭供电局",
        "国网青川供电公司",
    }
    assert lex3.resolve("青川供电公司") == {"国网青川供电公司"} or not lex3.resolve("青川供电公司")
    assert lex3.resolve("东陵财政局") == frozenset()


def test_a_word_for_a_kind_of_unit_names_that_kind_in_every_plan(lex3: UnitLexicon) -> None:
    # each plan calls its power supplier, central bank branch, court and water company its own way
    assert lex3.resolve("电力公司") >= {"云岭供电局", "国网青川供电公司"}
    assert lex3.resolve("供电公司") >= {"云岭供电局", "国网青川供电公司", "伊金霍洛旗供电公司"}
    assert lex3.resolve("人行") >= {"人民银行云岭州分行", "人民银行青川市分行"}
    assert lex3.resolve("中院") == {"州中级人民法院", "市中级人民法院"}
    # with a plan's level or region before it, only that plan's unit of the kind
    assert lex3.resolve("州中院") == {"州中级人民法院"}
    assert lex3.resolve("青川市中院") == {"市中级人民法院"}
    assert lex3.resolve("云岭州人行") == {"人民银行云岭州分行"}
    assert "青川水务集团" in lex3.resolve("自来水公司")
    assert "州水务局" not in lex3.resolve("水务公司")  # a bureau is not the water company


def test_the_first_plans_lexicon_is_the_same_alone_and_with_explicit_places(plans: dict[str, Plan]) -> None:
    first = plans["ejin-horo-business-environment-plan-2022"]
    implicit = build_lexicon(first.document.tasks)
    explicit = build_lexicon(first.document.tasks, places={first.doc_id: first.profile.places})
    assert implicit == explicit
    assert implicit.resolve("伊旗供电公司") == {"伊金霍洛旗供电公司"}


def test_a_bare_name_is_read_in_its_own_plan() -> None:
    from corpus.profile import Places
    from corpus.records import TaskRecord

    def rec(doc: str, units: tuple[str, ...]) -> TaskRecord:
        return TaskRecord(
            doc, 1, 1, "s", "t", None, None, units, (), "2023年6月", (2023, 6), 1, "dated", None
        )

    records = [rec("a", ("财政局", "县财政局")), rec("b", ("财政局", "区财政局"))]
    lex = build_lexicon(
        records, places={"a": Places(local=("甲县", "甲", "县")), "b": Places(local=("乙区", "乙", "区"))}
    )
    assert lex.canon("财政局", doc_id="a") == "县财政局"
    assert lex.canon("财政局", doc_id="b") == "区财政局"
    assert lex.resolve("甲县财政局") == {"县财政局"} and lex.resolve("乙财政局") == {"区财政局"}


# The first plan's lexicon (units, canonical map, aliases as sorted JSON), pinned so a change to it is
# deliberate: last moved by the 工作领导小组 groups named without 工作 (corpus.abbrev plain forms).
FIRST_LEXICON_SHA256 = "fc44eb18fed626eb838e3f4496bea0d47514fdf0a6ecbd8dba456cac6a91e93a"


def test_the_first_plans_lexicon_is_unchanged(
    plans: dict[str, Plan], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unchanged but for the short names made by rule (corpus.abbrev), which only add aliases."""
    import hashlib
    import json

    import corpus.lexicon

    tasks = plans["ejin-horo-business-environment-plan-2022"].document.tasks
    with_short = build_lexicon(tasks)
    monkeypatch.setattr(corpus.lexicon, "_add_short_names", lambda *args: None)
    lex = build_lexicon(tasks)
    assert (with_short.units, with_short.canonical) == (lex.units, lex.canonical)
    assert all(with_short.aliases[a] == units for a, units in lex.aliases.items())
    added = set(with_short.aliases) - set(lex.aliases)
    assert {"交运局", "旗应急局", "伊旗市监局"} <= added and len(added) == 38
    # 20 of them: the 工作领导小组 groups named without 工作, bare and with the region's prefixes.
    assert len({a for a in added if "领导小组" in a}) == 20 and "工程建设项目审批制度改革领导小组" in added
    assert with_short.aliases["交运局"] == {"旗交通运输局"}
    dump = {
        "units": list(lex.units),
        "canonical": dict(sorted(lex.canonical.items())),
        "aliases": {k: sorted(v) for k, v in sorted(lex.aliases.items())},
    }
    text = json.dumps(dump, ensure_ascii=False, sort_keys=True) + "\n"
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == FIRST_LEXICON_SHA256


def test_profiles_survive_a_json_round_trip() -> None:
    from pathlib import Path

    from corpus import PlanProfile, load_plans

    plans = [*load_plans(), *load_plans(Path(__file__).parent / "data" / "plans")]
    assert len(plans) >= 3
    for p in plans:
        assert PlanProfile.from_json(p.profile.to_json()) == p.profile
    assert PlanProfile.bare("x").short_title == "x"
