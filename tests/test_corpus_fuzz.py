"""Arbitrary text never crashes the parser: it returns records or reports issues."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import Document, parse_document, split_units

_PIECES = st.sampled_from(
    [
        "1.政务服务\n",
        "（1）",
        "(2)",
        "（3)",
        "牵头单位：旗法院\n",
        "责任单位：各镇、\n",
        "完成时限：2022年8月\n",
        "完成时限:持续推进",
        "（对标上海）",
        "(自主创新",
        "\n",
        "市场监管\n",
        "三、工作要求\n",
        "（一）总则\n",
        "文本。",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_parses(text: str) -> None:
    doc = parse_document(text, doc_id="x")
    assert isinstance(doc, Document)
    for t in doc.tasks:
        assert t.doc_id == "x"


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_plan_shaped_text_parses(text: str) -> None:
    doc = parse_document(text, doc_id="x")
    ids = [t.task_id for t in doc.tasks]
    # every problem is reported with a real line number
    n_lines = text.count("\n") + 1
    assert all(1 <= i.line <= n_lines for i in doc.issues)
    if ids != list(range(1, len(ids) + 1)):
        assert doc.errors


@given(st.text())
def test_split_units_never_returns_empty_names(field: str) -> None:
    assert all(u.strip() for u in split_units(field))
