"""Request filters → what the retriever takes (pure but for the retriever calls in :func:`select`).

A unit or city filter may name several choices, any of which matches (the staff page's multi-selects), and so
may the deadline kind (``deadline_kind``: dated, within_year, recurring, ongoing, none; the tasks of those
kinds, taken from the records the store keeps in process). One
choice is a plain :class:`retriever.Filters` field, exactly as before; several become the set of tasks that
match any of them, each found through the same single-valued filter, so a list of one and a plain string
always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from api.textcheck import is_blank, parse_month, strip_blank
from corpus.records import TaskRecord
from retriever import Filters, PlanStore
from retriever.expr import Keys

Choice = str | Sequence[str] | None


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """The single-valued filters as :class:`retriever.Filters`, plus any-of choices with two or more names."""

    base: Filters
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # deadline kinds, any of them (corpus.deadlines.DEADLINE_KINDS)

    def is_empty(self) -> bool:
        return self.base.is_empty() and not (
            self.lead_units or self.responsible_units or self.cities or self.kinds
        )


def choices(value: Choice) -> tuple[str, ...]:
    """The non-blank names of a filter value, stripped, first occurrence kept."""
    values = [value] if isinstance(value, str) else list(value or ())
    out = dict.fromkeys(strip_blank(v) for v in values if not is_blank(v))
    return tuple(out)


def _text(value: str | None) -> str | None:
    return None if value is None or is_blank(value) else strip_blank(value)


def _month(value: str | None) -> tuple[int, int] | None:
    return None if value is None else parse_month(value)


def _one(names: tuple[str, ...]) -> str | None:
    return names[0] if len(names) == 1 else None


def _many(names: tuple[str, ...]) -> tuple[str, ...]:
    return names if len(names) > 1 else ()


def task_filter(
    *,
    section: str | None = None,
    lead_unit: Choice = None,
    responsible_unit: Choice = None,
    deadline_before: str | None = None,
    deadline_after: str | None = None,
    benchmark_city: Choice = None,
    doc_id: str | None = None,
    deadline_kind: Choice = None,
) -> TaskFilter:
    """Validated request values → a :class:`TaskFilter`; empty strings mean "not given"."""
    leads, resps, cities = choices(lead_unit), choices(responsible_unit), choices(benchmark_city)
    base = Filters(
        section=_text(section),
        lead_unit=_one(leads),
        responsible_unit=_one(resps),
        deadline_before=_month(deadline_before),
        deadline_after=_month(deadline_after),
        benchmark_city=_one(cities),
        doc_id=_text(doc_id),
    )
    return TaskFilter(base, _many(leads), _many(resps), _many(cities), choices(deadline_kind))


def any_of_keys(f: TaskFilter, retriever: PlanStore) -> Keys | None:
    """The tasks the any-of choices allow (every choice list must be met), or None without such choices."""
    allowed: set[tuple[str, int]] | None = None
    one_of: tuple[tuple[tuple[str, ...], Callable[[str], Filters]], ...] = (
        (f.lead_units, lambda n: Filters(lead_unit=n)),
        (f.responsible_units, lambda n: Filters(responsible_unit=n)),
        (f.cities, lambda n: Filters(benchmark_city=n)),
    )
    for names, one in one_of:
        if not names:
            continue
        keys = {r.key for name in names for r in retriever.filter(one(name))}
        allowed = keys if allowed is None else allowed & keys
    if f.kinds:
        kinds = set(f.kinds)
        keys = {r.key for r in retriever.records if r.deadline_kind in kinds}
        allowed = keys if allowed is None else allowed & keys
    if allowed is None:
        return None
    return Keys(frozenset(allowed), "any of the chosen units / cities / deadline kinds")


def select(f: TaskFilter, retriever: PlanStore) -> list[TaskRecord]:
    """Every task the filter matches, in document order."""
    where = any_of_keys(f, retriever)
    if where is None:
        return retriever.filter(f.base)
    return [h.record for h in retriever.search("", filters=f.base, where=where)]
