"""Filter expressions as Milvus expressions: the strings, and the tasks milvus-lite finds with them equal the
record predicate on random expressions (as ``test_retriever_columns.py`` checks the column masks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from corpus.lexicon import build_lexicon
from corpus.records import TaskRecord
from retriever.expr import (
    ANY_CITY,
    All,
    And,
    Benchmark,
    City,
    Due,
    Expr,
    Involves,
    Keys,
    Lead,
    Not,
    Ongoing,
    Or,
    Position,
    Recurring,
    Section,
    TaskRange,
    Topic,
    WithinYear,
    matches,
)
from retriever.milvus_expr import FALSE, TRUE, quote, to_milvus, yyyymm
from tests.test_retriever_columns import expressions


def test_leaves_as_strings() -> None:
    assert to_milvus(Section("办理破产")) == 'section == "办理破产"'
    assert to_milvus(Lead(frozenset({"旗法院", "旗司法局"}))) == (
        'array_contains_any(lead_units, ["旗司法局", "旗法院"])'
    )
    assert to_milvus(Due((2022, 3), (2022, 12))) == (
        "(deadline_ym != 0 and deadline_ym >= 202203 and deadline_ym <= 202212)"
    )
    assert to_milvus(Ongoing()) == 'deadline_kind in ["none", "ongoing", "recurring"]'
    assert to_milvus(Ongoing("长期坚持")) == (
        '(deadline_kind in ["none", "ongoing", "recurring"] and deadline == "长期坚持")'
    )
    assert to_milvus(Recurring("quarter")) == '(deadline_kind == "recurring" and deadline_every == "quarter")'
    assert to_milvus(Recurring(None)) == 'deadline_kind == "recurring"'
    assert to_milvus(WithinYear()) == 'deadline_kind == "within_year"'
    assert to_milvus(Not(WithinYear())) == 'not (deadline_kind == "within_year")'
    assert to_milvus(City(ANY_CITY)) == 'benchmark_city != ""'
    assert to_milvus(TaskRange(5, 3)) == FALSE
    assert to_milvus(Keys(frozenset())) == FALSE
    assert to_milvus(Keys(frozenset({("b", 2), ("a", 9), ("a", 1)}))) == (
        '((doc_id == "a" and task_id in [1, 9]) or (doc_id == "b" and task_id in [2]))'
    )
    assert to_milvus(And((All(), Not(Or((Benchmark("自主创新"), Involves(frozenset()))))))) == (
        f'({TRUE} and not ((benchmark == "自主创新" or {FALSE})))'
    )
    assert yyyymm((2022, 6)) == 202206


def test_strings_are_quoted_so_no_value_ends_the_literal() -> None:
    assert quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert (
        to_milvus(Section('x" or row >= 0 or section == "'))
        == 'section == "x\\" or row >= 0 or section == \\""'
    )


def test_leaves_that_need_the_plan_fall_back_to_rows() -> None:
    topic = Topic("电子证照", (("电子证照",),))
    with pytest.raises(TypeError, match="resolve it to Keys first"):
        to_milvus(And((Section("s"), topic)))
    got = to_milvus(And((Section("s"), topic)), rows_of=lambda leaf: [7, 3] if leaf == topic else [])
    assert got == '(section == "s" and row in [3, 7])'
    assert to_milvus(Position(None, 1), rows_of=lambda leaf: []) == FALSE


@pytest.fixture(scope="module")
def collection(fake_index_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    pytest.importorskip("milvus_lite", reason="the [milvus] extra (milvus-lite) is not installed")
    from index.store import current_version_dir, load_index
    from retriever.backends import StoreSpec, milvus_client
    from retriever.milvus_load import push_index

    client = milvus_client(StoreSpec("milvus-lite", path=tmp_path_factory.mktemp("milvus-expr") / "m.db"))
    result = push_index(load_index(current_version_dir(fake_index_root)), client, alias="expr")
    yield client, result.collection


def test_milvus_finds_what_the_record_predicate_matches(
    tasks: list[TaskRecord], collection: tuple[Any, str]
) -> None:
    client, name = collection
    lex = build_lexicon(tasks)

    @settings(max_examples=150, deadline=None)
    @given(expressions(tasks))
    def check(e: Expr) -> None:
        want = [i for i, r in enumerate(tasks) if matches(e, r, lex)]
        got = client.query(name, filter=to_milvus(e), output_fields=["row"], limit=len(tasks))
        assert sorted(int(g["row"]) for g in got) == want, f"{e}: {to_milvus(e)}"

    check()
