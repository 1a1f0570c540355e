"""Between library records and HTTP models (pure)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from api.filtering import TaskFilter, task_filter
from api.schemas import Citation, SearchFilters, SearchHit
from corpus.records import TaskRecord
from index.tokenize import normalize
from qa import Answer, Naming, cited_keys
from retriever import Filters, Hit


def citation(
    record: TaskRecord, shorts: Mapping[str, str], urls: Mapping[str, str] | None = None
) -> Citation:
    """A record as the API cites it (``shorts``: doc_id → the plan's short title; ``urls``: doc_id → where
    the plan is published, :meth:`api.engine.Engine.source_urls`)."""
    return Citation(
        doc_id=record.doc_id,
        short_title=shorts.get(record.doc_id, record.doc_id),
        task_id=record.task_id,
        section=record.section,
        lead_units=list(record.lead_units),
        responsible_units=list(record.responsible_units),
        deadline=record.deadline,
        deadline_kind=record.deadline_kind,
        deadline_every=record.deadline_every,
        benchmark=record.benchmark,
        text=record.text,
        source_url=(urls or {}).get(record.doc_id),
    )


def search_hit(
    record: TaskRecord,
    score: float,
    shorts: Mapping[str, str],
    *,
    relevant: bool = True,
    urls: Mapping[str, str] | None = None,
) -> SearchHit:
    return SearchHit(
        doc_id=record.doc_id,
        short_title=shorts.get(record.doc_id, record.doc_id),
        task_id=record.task_id,
        score=score if math.isfinite(score) else 0.0,
        section=record.section,
        lead_units=list(record.lead_units),
        responsible_units=list(record.responsible_units),
        deadline=record.deadline,
        deadline_kind=record.deadline_kind,
        deadline_every=record.deadline_every,
        benchmark=record.benchmark,
        text=record.text,
        source_url=(urls or {}).get(record.doc_id),
        relevant=relevant,
    )


def hit(
    h: Hit, shorts: Mapping[str, str], *, relevant: bool = True, urls: Mapping[str, str] | None = None
) -> SearchHit:
    return search_hit(h.record, h.score, shorts, relevant=relevant, urls=urls)


def searchable(record: TaskRecord) -> str:
    """What a query may be found in, as the relevance cut-off compares it: normalized, no white space."""
    fields = (
        record.text,
        record.section,
        *record.lead_units,
        *record.responsible_units,
        record.benchmark or "",
    )
    return compact(" ".join(fields))


def compact(text: str) -> str:
    """``text`` normalized like the index (full-width, traditional characters) and without white space."""
    return "".join(normalize(text).split())


def filters_of(body: SearchFilters | None) -> TaskFilter:
    if body is None:
        return TaskFilter(Filters())
    return task_filter(**body.model_dump())


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
