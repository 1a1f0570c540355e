"""The loaded retriever + QA as one immutable object, and the holder that swaps it atomically.

A request reads :attr:`EngineHolder.current` once and uses that object to the end, so a
reload (which builds the new engine off to the side, then replaces one reference) never
changes what a request in flight is using, and no request waits for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from corpus.records import TaskRecord
from index import default_index_root
from qa import QA
from qa.examples import Examples, example_questions
from qa.verify import short_titles
from retriever.backends import open_store
from retriever.common import PlanStore

log = logging.getLogger("api")


@dataclass(frozen=True, slots=True)
class UnitCount:
    unit: str
    lead_count: int
    responsible_count: int
    doc_ids: tuple[str, ...] = ()  # the plans that name it, in the order their records come


def unit_counts(records: Iterable[TaskRecord], canon: Callable[[str, str], str]) -> tuple[UnitCount, ...]:
    """Tasks each canonical unit leads and shares, most involved first (a unit counts once per task; read in
    its task's plan)."""
    lead: Counter[str] = Counter()
    resp: Counter[str] = Counter()
    plans: dict[str, dict[str, None]] = {}
    for r in records:
        leads = {canon(u, r.doc_id) for u in r.lead_units}
        shares = {canon(u, r.doc_id) for u in r.responsible_units}
        lead.update(leads)
        resp.update(shares)
        for u in leads | shares:
            plans.setdefault(u, {})[r.doc_id] = None
    rows = [UnitCount(u, lead[u], resp[u], tuple(plans[u])) for u in plans]
    rows.sort(key=lambda c: (-(c.lead_count + c.responsible_count), -c.lead_count, c.unit))
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class CityCount:
    city: str
    count: int
    doc_ids: tuple[str, ...] = ()  # the plans with tasks benchmarked on it


def city_counts(records: Iterable[TaskRecord]) -> tuple[CityCount, ...]:
    """Benchmark cities with their task counts, most tasks first."""
    counts: Counter[str] = Counter()
    plans: dict[str, dict[str, None]] = {}
    for r in records:
        if r.benchmark_city:
            counts[r.benchmark_city] += 1
            plans.setdefault(r.benchmark_city, {})[r.doc_id] = None
    ranked = sorted(counts.items(), key=lambda x: (-x[1], x[0]))
    return tuple(CityCount(c, n, tuple(plans[c])) for c, n in ranked)


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """What a page says about a plan: its title and document number (文号), for citations."""

    doc_id: str
    title: str
    doc_number: str | None
    task_count: int
    short_title: str = ""
    region: str | None = None
    year: int | None = None
    source_url: str | None = None  # where the plan is published, from its profile (override file)
    examples: Examples = field(default_factory=lambda: Examples((), ()))  # what a widget offers (qa.examples)

    def cite(self, task_id: int) -> str:
        """The citation staff paste into documents: ``伊党办发〔2022〕5号 第237条``."""
        return f"{self.doc_number or '《' + self.title + '》'} 第{task_id}条"


def _canon(retriever: PlanStore, doc_id: str, unit: str) -> str:
    return retriever.lexicon.canon(unit, doc_id)


def plan_infos(retriever: PlanStore, shorts: Mapping[str, str]) -> tuple[PlanInfo, ...]:
    """One entry per plan the store holds, from the profiles the index stores with it (``plans.json``; a plan
    indexed without its file keeps its id as its title)."""
    return tuple(
        PlanInfo(
            doc_id=f.doc_id,
            title=f.profile.title,
            doc_number=f.profile.doc_number,
            task_count=f.task_count,
            short_title=shorts.get(f.doc_id, f.profile.short_title),
            region=f.profile.region,
            year=f.profile.year,
            source_url=f.profile.source_url,
            examples=example_questions(
                [r for r in retriever.records if r.doc_id == f.doc_id],
                year=f.profile.year,
                canon=partial(_canon, retriever, f.doc_id),
            ),
        )
        for f in retriever.profile().facts
    )


@dataclass(frozen=True, slots=True)
class Engine:
    """Everything a request needs from one index version."""

    retriever: PlanStore  # the in-memory Retriever, or a MilvusStore (TASKQA_STORE)
    qa: QA
    units: tuple[UnitCount, ...]
    loaded_at: float
    cities: tuple[CityCount, ...] = ()
    plans: tuple[PlanInfo, ...] = ()
    shorts: Mapping[str, str] = field(default_factory=dict)  # doc_id → the short title citations name

    def serves(self, doc_id: str) -> bool:
        """Whether ``doc_id`` names a plan this engine serves."""
        return any(p.doc_id == doc_id for p in self.plans)

    def units_of(self, doc_id: str | None) -> tuple[UnitCount, ...]:
        """The unit counts of one plan's tasks (None: of every plan)."""
        if doc_id is None:
            return self.units
        return unit_counts(
            (r for r in self.retriever.records if r.doc_id == doc_id), self.retriever.lexicon.canon
        )

    def cities_of(self, doc_id: str | None) -> tuple[CityCount, ...]:
        """The benchmark cities of one plan's tasks (None: of every plan)."""
        if doc_id is None:
            return self.cities
        return city_counts(r for r in self.retriever.records if r.doc_id == doc_id)

    def plan(self, doc_id: str) -> PlanInfo:
        for p in self.plans:
            if p.doc_id == doc_id:
                return p
        return PlanInfo(doc_id, doc_id, None, 0)

    def source_url(self, doc_id: str, configured: str | None) -> str | None:
        """Where the plan ``doc_id`` is published: its profile's ``source_url`` (the plan's override file),
        else ``TASKQA_SOURCE_URL`` while the index holds one plan — that setting names one plan's publication,
        so with several it links none (never another plan's document for a task)."""
        own = self.plan(doc_id).source_url
        if own:
            return own
        return configured if len(self.plans) <= 1 else None

    def source_urls(self, configured: str | None) -> dict[str, str]:
        """doc_id → where that plan is published, for the plans whose publication is known."""
        urls = {p.doc_id: self.source_url(p.doc_id, configured) for p in self.plans}
        return {d: u for d, u in urls.items() if u}


def make_engine(retriever: PlanStore, qa: QA | None = None) -> Engine:
    shorts = short_titles(retriever.profile().plans)  # as the QA names them (qa.verify)
    return Engine(
        retriever=retriever,
        qa=qa or QA(retriever),
        units=unit_counts(retriever.records, retriever.lexicon.canon),
        loaded_at=time.time(),
        cities=city_counts(retriever.records),
        plans=plan_infos(retriever, shorts),
        shorts=shorts,
    )


def load_engine(index_root: Path | None = None, store: str = "memory") -> Engine:
    """Open the store ``store`` names (``retriever.backends``): in memory, the version ``CURRENT`` points at
    under ``index_root`` (default: index.default_index_root()), or, when its files fail their manifest
    hashes, the newest older version that loads; in Milvus, the collection pushed there.

    Raises:
        IndexLoadError: no usable index or collection; the message says what to run.
        StoreSpecError: ``store`` names no store.
    """
    return make_engine(open_store(store, index_root=index_root or default_index_root()))


class EngineHolder:
    """Holds the current :class:`Engine`; :meth:`load` replaces it, one reload at a time.

    ``probe`` says cheaply which index version is published now (``retriever.backends.served_version``: the
    index's ``CURRENT`` pointer, a Milvus alias). It is read just before each load, and :meth:`follow`
    reloads when it has moved since: another process published a version (a plan added through another
    worker), and this one follows without being told.
    """

    def __init__(self, loader: Callable[[], Engine], probe: Callable[[], str | None] | None = None) -> None:
        self._loader = loader
        self._probe = probe
        self._engine: Engine | None = None
        self._reload_lock = threading.Lock()
        self.last_error: str | None = None
        self.seen: str | None = None  # what the probe said just before the current engine was loaded
        self._failed: str | None = None  # a published version whose load failed (not retried until it moves)

    @property
    def current(self) -> Engine | None:
        return self._engine

    def load(self) -> Engine:
        """Build a new engine with the loader and swap it in; on failure the old one keeps serving.

        Raises:
            Exception: whatever the loader raised (the previous engine stays current).
        """
        with self._reload_lock:
            t0 = time.perf_counter()
            # Read before loading: a version published while this one loads is seen as new next time.
            marker = self._published()
            try:
                engine = self._loader()
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                raise
            self._engine = engine  # one reference assignment: atomic for readers
            self.seen = marker
            self.last_error = None
            info = engine.retriever.info
            log.info(
                "engine loaded: index %s, %d tasks, %.2f s",
                info.version,
                info.task_count,
                time.perf_counter() - t0,
            )
            return engine

    def _published(self) -> str | None:
        if self._probe is None:
            return None
        try:
            return self._probe()
        except Exception as exc:  # a store that cannot be asked now: keep what was seen, ask again later
            log.warning("cannot read which index version is published: %s", exc)
            return self.seen

    def follow(self) -> bool:
        """Reload when the published version moved since the current engine was loaded; whether it did.

        Cheap when nothing moved (one probe). A reload under way (an upload's, an admin's) is left alone;
        a version that fails to load keeps the previous engine serving and is not retried until the
        published version moves again (or an admin reload).
        """
        if self._probe is None or self._reload_lock.locked():
            return False
        now = self._published()
        if now is None or now == self.seen or now == self._failed:
            return False
        try:
            self.load()
        except Exception as exc:
            self._failed = now
            log.error("index version %s was published but does not load; serving the previous: %s", now, exc)
            return False
        self._failed = None
        log.info("followed the published index version %s", now)
        return True
