"""Filter expressions over task records: the part of a query plan a store evaluates (pure).

Leaves test one field (``Section``, ``Lead`` …); ``And`` / ``Or`` / ``Not`` combine them. Every node is a
frozen dataclass that prints as a compact, readable term (``And(Section(办理破产), Not(Lead(旗法院)))``), so
a plan can be asserted in a test and shown in a trace. Units in leaves are canonical names (an ambiguous
alias keeps every candidate: any of them matches). ``Topic`` and ``Position`` need more than one record to
decide (evidence over the plan, order within a section): a store resolves them to ``Keys`` first
(:func:`resolve`), then the rest is a plain predicate per record (:func:`matches`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from corpus.deadlines import UNDATED_KINDS, Period
from corpus.lexicon import UnitLexicon
from corpus.records import TaskRecord

YM = tuple[int, int]
Key = tuple[str, int]
ANY_CITY = "*"  # City(ANY_CITY): benchmarked on some city


@dataclass(frozen=True, slots=True)
class All:
    def __str__(self) -> str:
        return "All"


@dataclass(frozen=True, slots=True)
class Section:
    name: str

    def __str__(self) -> str:
        return f"Section({self.name})"


@dataclass(frozen=True, slots=True)
class Lead:
    units: frozenset[str]

    def __str__(self) -> str:
        return f"Lead({'|'.join(sorted(self.units))})"


@dataclass(frozen=True, slots=True)
class Responsible:
    units: frozenset[str]

    def __str__(self) -> str:
        return f"Responsible({'|'.join(sorted(self.units))})"


@dataclass(frozen=True, slots=True)
class Involves:
    """The unit leads the task or is one of its responsible units."""

    units: frozenset[str]

    def __str__(self) -> str:
        return f"Involves({'|'.join(sorted(self.units))})"


@dataclass(frozen=True, slots=True)
class Due:
    """Inclusive (year, month) bounds on ``deadline_ym``; an undated task (持续推进) never matches."""

    after: YM | None
    before: YM | None
    label: str = ""

    def __str__(self) -> str:
        lo = f"{self.after[0]}-{self.after[1]:02d}" if self.after else ""
        hi = f"{self.before[0]}-{self.before[1]:02d}" if self.before else ""
        return f"Due({lo}..{hi})"


@dataclass(frozen=True, slots=True)
class Ongoing:
    """No dated deadline: the task goes on (长期坚持, 持续推进) or recurs (每季度); its ``deadline_kind`` is
    one of :data:`corpus.deadlines.UNDATED_KINDS`. ``said``: only the tasks whose deadline is written so (a
    plan that writes 长期坚持 and 持续推进 apart)."""

    said: str = ""

    def __str__(self) -> str:
        return f"Ongoing({self.said})" if self.said else "Ongoing"


@dataclass(frozen=True, slots=True)
class WithinYear:
    """The deadline is written as the plan's year without a month (年内: ``deadline_kind`` within_year); its
    month is the year's end, so a window up to December holds it too."""

    def __str__(self) -> str:
        return "WithinYear"


@dataclass(frozen=True, slots=True)
class Recurring:
    """A recurring deadline (``deadline_kind`` recurring) of this period (每季度: quarter), or of any
    period (None: 定期)."""

    every: Period | None = None

    def __str__(self) -> str:
        return f"Recurring({self.every or 'any'})"


@dataclass(frozen=True, slots=True)
class City:
    """The benchmark city (``ANY_CITY``: any city at all)."""

    name: str

    def __str__(self) -> str:
        return f"City({self.name})"


@dataclass(frozen=True, slots=True)
class Benchmark:
    """The benchmark label exactly (自主创新)."""

    label: str

    def __str__(self) -> str:
        return f"Benchmark({self.label})"


@dataclass(frozen=True, slots=True)
class NoResponsible:
    def __str__(self) -> str:
        return "NoResponsible"


@dataclass(frozen=True, slots=True)
class TaskRange:
    """Task numbers ``lo``…``hi`` inclusive (one number: lo == hi)."""

    lo: int
    hi: int

    def __str__(self) -> str:
        return f"Task({self.lo})" if self.lo == self.hi else f"Tasks({self.lo}..{self.hi})"


@dataclass(frozen=True, slots=True)
class Doc:
    """The tasks of these plans (``doc_id``s): a question or a client scoped to one plan."""

    ids: frozenset[str]

    def __str__(self) -> str:
        return f"Doc({'|'.join(sorted(self.ids))})"


@dataclass(frozen=True, slots=True)
class Position:
    """The ``index``-th task (1-based; negative counts from the end) of a section, or of the plan when
    ``section`` is None."""

    section: str | None
    index: int

    def __str__(self) -> str:
        return f"Position({self.section or 'plan'}, {self.index})"


@dataclass(frozen=True, slots=True)
class Topic:
    """Tasks about a theme, decided by evidence over the plan (its words in the text, and similarity).

    ``terms``: each word of the theme with the words that mean the same (the first as the question says it).
    """

    text: str
    terms: tuple[tuple[str, ...], ...]
    facets: tuple[tuple[tuple[str, ...], ...], ...] = ()  # coordinated themes (「A、B」): about any of them
    least: int = 1  # how many tasks the question expects the theme to have (who leads a theme: several)
    # no task holding enough of the theme, its most specific words stand for it (who leads it: someone does;
    # not which tasks or how many are about it, which may be none)
    stretch: bool = True

    def __str__(self) -> str:
        if len(self.facets) > 1:
            return "Topic(" + " | ".join("/".join(t[0] for t in f) for f in self.facets) + ")"
        return f"Topic({'/'.join(t[0] for t in self.terms) or self.text})"


@dataclass(frozen=True, slots=True)
class Keys:
    """An explicit set of tasks (the previous turn's, or a resolved ``Topic`` / ``Position``)."""

    keys: frozenset[Key]
    label: str = ""

    def __str__(self) -> str:
        return f"Keys({self.label or len(self.keys)})"


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Expr, ...]

    def __str__(self) -> str:
        return "And(" + ", ".join(map(str, self.parts)) + ")"


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Expr, ...]

    def __str__(self) -> str:
        return "Or(" + ", ".join(map(str, self.parts)) + ")"


@dataclass(frozen=True, slots=True)
class Not:
    part: Expr

    def __str__(self) -> str:
        return f"Not({self.part})"


Leaf = (
    All
    | Section
    | Lead
    | Responsible
    | Involves
    | Due
    | Ongoing
    | WithinYear
    | Recurring
    | City
    | Benchmark
    | NoResponsible
    | TaskRange
    | Doc
    | Position
    | Topic
    | Keys
)
Expr = Leaf | And | Or | Not


def conj(*parts: Expr | None) -> Expr:
    """AND of the given parts, flattened, without ``All`` and ``None``; ``All`` when nothing is left."""
    flat: list[Expr] = []
    for p in parts:
        if p is None or isinstance(p, All):
            continue
        flat.extend(p.parts if isinstance(p, And) else (p,))
    flat = list(dict.fromkeys(flat))
    if not flat:
        return All()
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def disj(parts: Iterable[Expr]) -> Expr:
    flat = list(dict.fromkeys(parts))
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def plans_of(e: Expr) -> frozenset[str] | None:
    """The plans an expression confines every match to (a ``Doc`` leaf, alone or in a conjunction), or
    None."""
    parts = e.parts if isinstance(e, And) else (e,)
    docs = [p.ids for p in parts if isinstance(p, Doc)]
    return frozenset.intersection(*docs) if docs else None


def leaves(e: Expr) -> list[Leaf]:
    """Every leaf, negated or not, in order."""
    if isinstance(e, And | Or):
        return [x for p in e.parts for x in leaves(p)]
    if isinstance(e, Not):
        return leaves(e.part)
    return [e]


def positive(e: Expr) -> list[Leaf]:
    """Leaves not under a ``Not``."""
    if isinstance(e, And | Or):
        return [x for p in e.parts for x in positive(p)]
    if isinstance(e, Not):
        return []
    return [e]


def transform(e: Expr, fn: Callable[[Leaf], Expr]) -> Expr:
    """``e`` with every leaf replaced by ``fn(leaf)``."""
    if isinstance(e, And):
        return And(tuple(transform(p, fn) for p in e.parts))
    if isinstance(e, Or):
        return Or(tuple(transform(p, fn) for p in e.parts))
    if isinstance(e, Not):
        return Not(transform(e.part, fn))
    return fn(e)


def _units_of(units: Iterable[str], lex: UnitLexicon, doc_id: str) -> set[str]:
    return {lex.canon(u, doc_id) for u in units}


def matches(e: Expr, r: TaskRecord, lex: UnitLexicon) -> bool:
    """Whether a record satisfies an expression without ``Topic`` / ``Position`` leaves (resolve those to
    ``Keys`` first: they are not per-record predicates)."""
    if isinstance(e, And):
        return all(matches(p, r, lex) for p in e.parts)
    if isinstance(e, Or):
        return any(matches(p, r, lex) for p in e.parts)
    if isinstance(e, Not):
        return not matches(e.part, r, lex)
    if isinstance(e, All):
        return True
    if isinstance(e, Section):
        return r.section == e.name
    if isinstance(e, Lead):
        return bool(_units_of(r.lead_units, lex, r.doc_id) & e.units)
    if isinstance(e, Responsible):
        return bool(_units_of(r.responsible_units, lex, r.doc_id) & e.units)
    if isinstance(e, Involves):
        return bool(_units_of((*r.lead_units, *r.responsible_units), lex, r.doc_id) & e.units)
    if isinstance(e, Due):
        if r.deadline_ym is None:
            return False
        return (e.after is None or r.deadline_ym >= e.after) and (
            e.before is None or r.deadline_ym <= e.before
        )
    if isinstance(e, Ongoing):
        return r.deadline_kind in UNDATED_KINDS and (not e.said or r.deadline == e.said)
    if isinstance(e, WithinYear):
        return r.deadline_kind == "within_year"
    if isinstance(e, Recurring):
        return r.deadline_kind == "recurring" and (e.every is None or r.deadline_every == e.every)
    if isinstance(e, City):
        return r.benchmark_city is not None if e.name == ANY_CITY else r.benchmark_city == e.name
    if isinstance(e, Benchmark):
        return r.benchmark == e.label
    if isinstance(e, NoResponsible):
        return not r.responsible_units
    if isinstance(e, TaskRange):
        return e.lo <= r.task_id <= e.hi
    if isinstance(e, Doc):
        return r.doc_id in e.ids
    if isinstance(e, Keys):
        return r.key in e.keys
    raise TypeError(f"{e} must be resolved to Keys before matching records")
