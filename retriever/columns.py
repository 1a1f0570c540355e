"""Filter expressions evaluated as column masks: the in-memory store's push-down (pure given the records).

The records' filterable fields are held as arrays (section, deadline as months since year 0 and as its kind
and period, benchmark label and city as codes, task number, whether responsible units are named) and units
as inverted lists
(canonical unit → the tasks it leads / is responsible for). An expression becomes a boolean mask over the
plan in a few vectorized operations, instead of a Python predicate per record: the same answer as
:func:`retriever.expr.matches` (``tests/test_retriever_columns.py`` checks it on random expressions), in
time that grows with the plan at numpy speed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from corpus.deadlines import DEADLINE_KINDS, PERIODS, UNDATED_KINDS
from corpus.lexicon import UnitLexicon
from corpus.records import TaskRecord
from retriever.expr import (
    ANY_CITY,
    All,
    And,
    Benchmark,
    City,
    Doc,
    Due,
    Expr,
    Involves,
    Key,
    Keys,
    Lead,
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

Mask = npt.NDArray[np.bool_]
UNDATED = -1


def month_number(ym: tuple[int, int]) -> int:
    """(year, month) as one comparable integer."""
    return ym[0] * 12 + ym[1] - 1


class Columns:
    """The filterable fields of a plan's records, as arrays and inverted lists."""

    def __init__(self, records: Sequence[TaskRecord], lexicon: UnitLexicon) -> None:
        self.n = len(records)
        self._section_codes: dict[str, int] = {}
        self._city_codes: dict[str, int] = {}
        self._bench_codes: dict[str, int] = {}
        self.section = np.array([self._code(self._section_codes, r.section) for r in records], np.int32)
        self.city = np.array(
            [self._code(self._city_codes, r.benchmark_city) if r.benchmark_city else -1 for r in records],
            np.int32,
        )
        self.benchmark = np.array(
            [self._code(self._bench_codes, r.benchmark) if r.benchmark is not None else -1 for r in records],
            np.int32,
        )
        self.due = np.array(
            [month_number(r.deadline_ym) if r.deadline_ym else UNDATED for r in records], np.int64
        )
        self.kind = np.array([DEADLINE_KINDS.index(r.deadline_kind) for r in records], np.int8)
        self._deadline_codes: dict[str, int] = {}
        self.deadline = np.array([self._code(self._deadline_codes, r.deadline) for r in records], np.int32)
        self.every = np.array(
            [PERIODS.index(r.deadline_every) if r.deadline_every else -1 for r in records], np.int8
        )
        self.task_id = np.array([r.task_id for r in records], np.int64)
        self._doc_codes: dict[str, int] = {}
        self.doc = np.array([self._code(self._doc_codes, r.doc_id) for r in records], np.int32)
        self.no_responsible = np.array([not r.responsible_units for r in records], np.bool_)
        self.lead = _inverted((lexicon.canon(u, r.doc_id) for u in r.lead_units) for r in records)
        self.responsible = _inverted(
            (lexicon.canon(u, r.doc_id) for u in r.responsible_units) for r in records
        )
        self.index_of: dict[Key, int] = {r.key: i for i, r in enumerate(records)}
        self._section_rows: dict[str, npt.NDArray[np.int64]] = {
            name: np.flatnonzero(self.section == code) for name, code in self._section_codes.items()
        }

    @staticmethod
    def _code(codes: dict[str, int], value: str) -> int:
        return codes.setdefault(value, len(codes))

    def section_rows(self, section: str | None) -> npt.NDArray[np.int64]:
        """Indices of a section's tasks (every task for None), in document order."""
        if section is None:
            return np.arange(self.n, dtype=np.int64)
        return self._section_rows.get(section, np.zeros(0, np.int64))

    def doc_of(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
        """The plan codes of these rows (compare with :meth:`doc_code`)."""
        return self.doc[rows]

    def doc_code(self, doc_id: str) -> int:
        """The code of a plan in :meth:`doc_of` (-1 for a plan without tasks)."""
        return self._doc_codes.get(doc_id, -1)

    def section_names(self, rows: Sequence[int]) -> list[str]:
        """The sorted names of the sections these tasks are in."""
        names = {code: name for name, code in self._section_codes.items()}
        return sorted(names[int(c)] for c in np.unique(self.section[np.asarray(rows, np.int64)]))

    def mask(self, e: Expr) -> Mask:
        """The tasks an expression without ``Topic`` / ``Position`` leaves matches (resolve those first)."""
        if isinstance(e, And):
            out = np.ones(self.n, np.bool_)
            for p in e.parts:
                out &= self.mask(p)
            return out
        if isinstance(e, Or):
            out = np.zeros(self.n, np.bool_)
            for p in e.parts:
                out |= self.mask(p)
            return out
        if isinstance(e, Not):
            return ~self.mask(e.part)
        if isinstance(e, All):
            return np.ones(self.n, np.bool_)
        if isinstance(e, Section):
            return self._equals(self.section, self._section_codes, e.name)
        if isinstance(e, Lead):
            return self._units(self.lead, e.units)
        if isinstance(e, Responsible):
            return self._units(self.responsible, e.units)
        if isinstance(e, Involves):
            return self._units(self.lead, e.units) | self._units(self.responsible, e.units)
        if isinstance(e, Due):
            dated: Mask = self.due != UNDATED
            if e.after is not None:
                dated &= self.due >= month_number(e.after)
            if e.before is not None:
                dated &= self.due <= month_number(e.before)
            return dated
        if isinstance(e, Ongoing):
            undated = np.isin(self.kind, [DEADLINE_KINDS.index(k) for k in UNDATED_KINDS])
            return undated & self._equals(self.deadline, self._deadline_codes, e.said) if e.said else undated
        if isinstance(e, WithinYear):
            return np.asarray(self.kind == DEADLINE_KINDS.index("within_year"), np.bool_)
        if isinstance(e, Recurring):
            out = np.asarray(self.kind == DEADLINE_KINDS.index("recurring"), np.bool_)
            if e.every is not None:
                out &= self.every == PERIODS.index(e.every)
            return out
        if isinstance(e, City):
            if e.name == ANY_CITY:
                return np.asarray(self.city >= 0, np.bool_)
            return self._equals(self.city, self._city_codes, e.name)
        if isinstance(e, Benchmark):
            return self._equals(self.benchmark, self._bench_codes, e.label)
        if isinstance(e, NoResponsible):
            return self.no_responsible.copy()
        if isinstance(e, TaskRange):
            return np.asarray((self.task_id >= e.lo) & (self.task_id <= e.hi), np.bool_)
        if isinstance(e, Doc):
            out = np.zeros(self.n, np.bool_)
            for d in e.ids:
                out |= self._equals(self.doc, self._doc_codes, d)
            return out
        if isinstance(e, Keys):
            out = np.zeros(self.n, np.bool_)
            rows = [self.index_of[k] for k in e.keys if k in self.index_of]
            out[rows] = True
            return out
        raise TypeError(f"{e} must be resolved to Keys before matching records")

    def _equals(self, column: npt.NDArray[np.int32], codes: Mapping[str, int], value: str) -> Mask:
        code = codes.get(value)
        if code is None:
            return np.zeros(self.n, np.bool_)
        return np.asarray(column == code, dtype=np.bool_)

    def _units(self, inverted: Mapping[str, npt.NDArray[np.int64]], units: Iterable[str]) -> Mask:
        out = np.zeros(self.n, np.bool_)
        for u in units:
            rows = inverted.get(u)
            if rows is not None:
                out[rows] = True
        return out


def _inverted(per_record: Iterable[Iterable[str]]) -> dict[str, npt.NDArray[np.int64]]:
    lists: dict[str, list[int]] = {}
    for i, units in enumerate(per_record):
        for u in set(units):
            lists.setdefault(u, []).append(i)
    return {u: np.asarray(rows, np.int64) for u, rows in lists.items()}
