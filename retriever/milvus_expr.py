"""Filter expressions (``retriever.expr``) as Milvus boolean expressions: the Milvus store's push-down (pure).

Each leaf tests one scalar field of the collection ``retriever.milvus_load`` writes: ``section``,
``lead_units`` / ``responsible_units`` (arrays of canonical unit names, so a unit leaf is
``array_contains_any``), ``deadline_ym`` (``yyyymm`` as an integer, 0 for 持续推进), ``deadline_kind`` and
``deadline_every`` (the deadline's kind and a recurring one's period, "" for none), ``benchmark`` and
``benchmark_city`` ("" for none), ``task_id`` and ``doc_id`` (``Doc``: a plan). ``And`` / ``Or`` / ``Not``
become ``and`` / ``or`` / ``not`` with parentheses. The result matches the same records as
:func:`retriever.expr.matches` (``tests/test_retriever_milvus_expr.py`` checks it on random expressions
against milvus-lite).

``Topic`` and ``Position`` need evidence over the whole plan; a store resolves them to ``Keys`` first. A leaf
with no translation is handed to ``rows_of`` (the store's in-process mask), which becomes ``row in [...]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from corpus.deadlines import UNDATED_KINDS
from retriever.expr import (
    ANY_CITY,
    YM,
    All,
    And,
    Benchmark,
    City,
    Doc,
    Due,
    Expr,
    Involves,
    Keys,
    Lead,
    Leaf,
    NoResponsible,
    Not,
    Ongoing,
    Or,
    Recurring,
    Responsible,
    Section,
    TaskRange,
    WithinYear,
)

TRUE = "row >= 0"  # row is the primary key, the task's place in the plan: never negative
FALSE = "row < 0"
UNDATED = 0  # deadline_ym of a task without a dated deadline (持续推进)

RowsOf = Callable[[Leaf], Sequence[int]]


def yyyymm(ym: YM) -> int:
    """(year, month) as the integer the collection stores (2022-06 → 202206; orders like the tuple)."""
    return ym[0] * 100 + ym[1]


def quote(value: str) -> str:
    """A string literal for a Milvus expression (double quotes; backslash, quote and line breaks escaped)."""
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _strings(values: Iterable[str]) -> str:
    return "[" + ", ".join(quote(v) for v in sorted(values)) + "]"


def _ints(values: Iterable[int]) -> str:
    return "[" + ", ".join(str(int(v)) for v in sorted(values)) + "]"


def _units(field: str, units: frozenset[str]) -> str:
    return f"array_contains_any({field}, {_strings(units)})" if units else FALSE


def _join(op: str, parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + f" {op} ".join(parts) + ")"


def to_milvus(e: Expr, *, rows_of: RowsOf | None = None) -> str:
    """The Milvus boolean expression matching the same tasks as ``e``.

    Args:
        e: an expression; ``Topic`` / ``Position`` leaves only with ``rows_of``.
        rows_of: the rows (primary keys) a leaf without a translation matches, computed in process.

    Raises:
        TypeError: a leaf without a translation and no ``rows_of``.
    """
    if isinstance(e, And):
        return _join("and", [to_milvus(p, rows_of=rows_of) for p in e.parts]) if e.parts else TRUE
    if isinstance(e, Or):
        return _join("or", [to_milvus(p, rows_of=rows_of) for p in e.parts]) if e.parts else FALSE
    if isinstance(e, Not):
        return f"not ({to_milvus(e.part, rows_of=rows_of)})"
    if isinstance(e, All):
        return TRUE
    if isinstance(e, Section):
        return f"section == {quote(e.name)}"
    if isinstance(e, Lead):
        return _units("lead_units", e.units)
    if isinstance(e, Responsible):
        return _units("responsible_units", e.units)
    if isinstance(e, Involves):
        if not e.units:
            return FALSE
        return f"({_units('lead_units', e.units)} or {_units('responsible_units', e.units)})"
    if isinstance(e, Due):
        bounds = [f"deadline_ym != {UNDATED}"]
        if e.after is not None:
            bounds.append(f"deadline_ym >= {yyyymm(e.after)}")
        if e.before is not None:
            bounds.append(f"deadline_ym <= {yyyymm(e.before)}")
        return _join("and", bounds)
    if isinstance(e, Ongoing):
        undated = f"deadline_kind in {_strings(UNDATED_KINDS)}"
        return f"({undated} and deadline == {quote(e.said)})" if e.said else undated
    if isinstance(e, WithinYear):
        return 'deadline_kind == "within_year"'
    if isinstance(e, Recurring):
        kind = 'deadline_kind == "recurring"'
        return f"({kind} and deadline_every == {quote(e.every)})" if e.every else kind
    if isinstance(e, City):
        if e.name == ANY_CITY:
            return 'benchmark_city != ""'
        return f"benchmark_city == {quote(e.name)}" if e.name else FALSE
    if isinstance(e, Benchmark):
        return f"benchmark == {quote(e.label)}" if e.label else FALSE
    if isinstance(e, NoResponsible):
        return "array_length(responsible_units) == 0"
    if isinstance(e, TaskRange):
        return f"(task_id >= {e.lo} and task_id <= {e.hi})" if e.lo <= e.hi else FALSE
    if isinstance(e, Doc):
        return f"doc_id in {_strings(e.ids)}" if e.ids else FALSE
    if isinstance(e, Keys):
        by_doc: dict[str, set[int]] = {}
        for doc, task in e.keys:
            by_doc.setdefault(doc, set()).add(task)
        if not by_doc:
            return FALSE
        return _join(
            "or", [f"(doc_id == {quote(d)} and task_id in {_ints(t)})" for d, t in sorted(by_doc.items())]
        )
    if rows_of is None:
        raise TypeError(f"{e} has no Milvus translation: resolve it to Keys first, or pass rows_of")
    rows = rows_of(e)
    return f"row in {_ints(rows)}" if len(rows) else FALSE
