"""Between library records and HTTP models (pure)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from api.schemas import Citation, SearchFilters, SearchHit
from api.textcheck import is_blank, parse_month, strip_blank
from corpus.records import TaskRecord
from qa import Answer, Naming, cited_keys
from retriever import Filters, Hit


def citation(record: TaskRecord, shorts: Mapping[str, str]) -> Citation:
    """A record as the API cites it (``shorts``: doc_id → the plan's short title)."""
    return Citation(
        doc_id=record.doc_id,
        short_title=shorts.get(record.doc_id, record.doc_id),
        task_id=record.task_id,
        section=record.section,
        lead_units=list(record.lead_units),
        responsible_units=list(record.responsible_units),
        deadline=record.deadline,
        benchmark=record.benchmark,
        text=record.text,
    )


def search_hit(record: TaskRecord, score: float, shorts: Mapping[str, str]) -> SearchHit:
    return SearchHit(
        doc_id=record.doc_id,
        short_title=shorts.get(record.doc_id, record.doc_id),
        task_id=record.task_id,
        score=score if math.isfinite(score) else 0.0,
        section=record.section,
        lead_units=list(record.lead_units),
        deadline=record.deadline,
        text=record.text,
    )


def hit(h: Hit, shorts: Mapping[str, str]) -> SearchHit:
    return search_hit(h.record, h.score, shorts)


def _text(value: str | None) -> str | None:
    return None if value is None or is_blank(value) else strip_blank(value)


def _month(value: str | None) -> tuple[int, int] | None:
    return None if value is None else parse_month(value)


def make_filters(
    *,
    section: str | None = None,
    lead_unit: str | None = None,
    responsible_unit: str | None = None,
    deadline_before: str | None = None,
    deadline_after: str | None = None,
    benchmark_city: str | None = None,
    doc_id: str | None = None,
) -> Filters:
    """Validated request values → :class:`retriever.Filters`; empty strings mean "not given"."""
    return Filters(
        section=_text(section),
        lead_unit=_text(lead_unit),
        responsible_unit=_text(responsible_unit),
        deadline_before=_month(deadline_before),
        deadline_after=_month(deadline_after),
        benchmark_city=_text(benchmark_city),
        doc_id=_text(doc_id),
    )


def filters_of(body: SearchFilters | None) -> Filters:
    if body is None:
        return Filters()
    return make_filters(**body.model_dump())


def fixed_citations(
    answer: Answer, lookup: Callable[[int, str | None], TaskRecord | None], naming: Naming
) -> tuple[TaskRecord, ...]:
    """The records the answer's text cites, in the order it cites them.

    References already among the citations keep their record; others are looked up in the plan the text
    names for them (``qa.verify.cited_keys``); a reference to no plan or to no task is dropped.
    """
    by_key: dict[tuple[str | None, int], TaskRecord] = {c.key: c for c in answer.citations}
    out: list[TaskRecord] = []
    for doc_id, n in cited_keys(answer.text, naming):
        record = by_key.get((doc_id, n)) or (lookup(n, doc_id) if doc_id is not None else None)
        if record is not None:
            out.append(record)
    return tuple(out)
