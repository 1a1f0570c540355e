"""Exact structured filters over task records (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from corpus.lexicon import UnitLexicon
from corpus.records import TaskRecord
from index.tokenize import normalize
from retriever.types import Filters


def _city(value: str) -> str:
    v = normalize(value)
    for prefix in ("对标", "学"):
        if v.startswith(prefix):
            v = v[len(prefix) :]
    return v.removesuffix("市")


def _units(alias: str, lexicon: UnitLexicon) -> frozenset[str]:
    found = lexicon.resolve(alias) or lexicon.resolve(normalize(alias))
    return found or frozenset({alias.strip()})


def matches(record: TaskRecord, f: Filters, lexicon: UnitLexicon) -> bool:
    """Whether a record satisfies every given filter."""
    if f.doc_id is not None and record.doc_id != f.doc_id:
        return False
    if f.section is not None:
        s = normalize(f.section)
        if s != normalize(record.section) and s != str(record.section_no):
            return False
    if f.lead_unit is not None:
        wanted = _units(f.lead_unit, lexicon)
        if not any(lexicon.canon(u, record.doc_id) in wanted for u in record.lead_units):
            return False
    if f.responsible_unit is not None:
        wanted = _units(f.responsible_unit, lexicon)
        if not any(lexicon.canon(u, record.doc_id) in wanted for u in record.responsible_units):
            return False
    if f.deadline_before is not None or f.deadline_after is not None:
        if record.deadline_ym is None:
            return False
        if f.deadline_before is not None and record.deadline_ym > f.deadline_before:
            return False
        if f.deadline_after is not None and record.deadline_ym < f.deadline_after:
            return False
    return f.benchmark_city is None or (
        record.benchmark_city is not None and _city(record.benchmark_city) == _city(f.benchmark_city)
    )


def apply_filters(records: Sequence[TaskRecord], f: Filters | None, lexicon: UnitLexicon) -> list[int]:
    """Indices of ALL matching records, in document order (never a top-k)."""
    if f is None or f.is_empty():
        return list(range(len(records)))
    return [i for i, r in enumerate(records) if matches(r, f, lexicon)]
