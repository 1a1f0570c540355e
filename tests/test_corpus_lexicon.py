from __future__ import annotations

import pytest

from corpus import TaskRecord, build_lexicon, split_units


@pytest.fixture(scope="module")
def lex(tasks: list[TaskRecord]):  # type: ignore[no-untyped-def]
    return build_lexicon(tasks)


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("法院", {"旗法院"}),
        ("税务局", {"旗税务局"}),
        ("伊旗供电公司", {"伊金霍洛旗供电公司"}),
        ("伊金霍洛旗税务局", {"旗税务局"}),
        ("金融办", {"旗金融服务中心"}),
        ("供电公司", {"伊金霍洛旗供电公司", "鄂尔多斯供电公司"}),
        ("市监局", {"旗市场监管局"}),
        ("交通局", {"旗交通运输局"}),
        # A working group without its 工作.
        ("工程建设项目审批制度改革领导小组", {"旗工程建设项目审批制度改革工作领导小组"}),
    ],
)
def test_aliases_resolve(lex, alias: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert lex.resolve(alias) == expected


def test_unknown_alias_is_empty(lex) -> None:  # type: ignore[no-untyped-def]
    assert lex.resolve("外交部") == frozenset()


def test_written_variants_share_a_canonical_unit(lex) -> None:  # type: ignore[no-untyped-def]
    assert lex.canon("财政局") == "旗财政局"
    assert lex.canon("旗交通局") == lex.canon("旗交通运输局")
    assert lex.canon("伊金霍洛供电公司") == "伊金霍洛旗供电公司"
    assert "财政局" not in lex.units


def test_every_written_unit_is_covered(lex, tasks: list[TaskRecord]) -> None:  # type: ignore[no-untyped-def]
    for t in tasks:
        for u in t.lead_units + t.responsible_units:
            assert lex.canon(u) in lex.units
            assert lex.canon(u) in lex.resolve(u) or lex.resolve(u)


def test_find_prefers_longest_alias(lex) -> None:  # type: ignore[no-untyped-def]
    found = lex.find("伊旗税务局和供电公司谁牵头")
    assert [m.alias for m in found] == ["伊旗税务局", "供电公司"]
    assert not found[0].ambiguous and found[1].ambiguous


def test_split_units_protects_curated_compounds() -> None:
    assert split_units("甲局、乙、丙组", protected=["乙、丙组"]) == ("甲局", "乙、丙组")
    assert split_units("旗财政局及旗直各有关部门", protected=[]) == ("旗财政局", "旗直各有关部门")
    assert split_units("旗大数据中心等", protected=[]) == ("旗大数据中心",)
    assert split_units("各镇，各进驻部门。", protected=[]) == ("各镇", "各进驻部门")
    assert split_units("", protected=[]) == ()


@pytest.mark.parametrize(
    ("short", "name", "expected"),
    [
        ("人社局", "市人力资源社会保障局", True),
        ("发改委", "州发展改革委", True),
        ("人社局", "市人民政府办公室", False),  # another last character
        ("公安局", "市公共资源交易中心", False),
        ("财政局", "市财政局", False),  # the same name, not an abbreviation
    ],
)
def test_a_short_form_takes_the_names_characters_in_order(short: str, name: str, expected: bool) -> None:
    from corpus.lexicon import _abbreviates

    assert _abbreviates(short, name) is expected


def test_every_one_of_a_kind_is_also_named_without_each(lex) -> None:  # type: ignore[no-untyped-def]
    assert lex.resolve("燃气企业") == {"各燃气企业"}
