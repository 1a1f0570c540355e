"""The store interface the question answering uses, and nothing else of a store (``qa/`` imports only this).

A store holds one or more plans' task records and answers: every record a filter expression matches
(``retriever.expr``, topics and positions resolved by evidence), hybrid search with per-signal scores, the
signals the coverage model reads (similarity profile, BM25, vocabulary), and a profile of what the plan names
(sections, benchmark cities, lead units, years). ``retriever.Retriever`` is the in-memory store; another
backend implements the same methods with the filters pushed down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

import corpus
from corpus.lexicon import UnitLexicon
from corpus.records import TaskRecord
from index.embedders import Matrix
from index.store import IndexInfo
from index.tokenize import Tokenizer
from retriever.expr import Expr, Key, Topic
from retriever.topic import TopicMatch
from retriever.types import Hit, Mode


@dataclass(frozen=True, slots=True)
class SectionInfo:
    section_no: int
    section: str
    count: int
    doc_id: str


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """One loaded plan: what it says about itself (``corpus.PlanProfile``) and what its records name."""

    profile: corpus.PlanProfile
    task_count: int
    max_task: int
    units: frozenset[str]  # canonical units it names (lead or responsible)
    year: int  # the plan's year (its profile's, else its earliest deadline year; 0 when neither)
    ongoing_words: frozenset[str] = frozenset()  # how its undated, non-recurring deadlines are written
    within_year: bool = False  # some deadline is written as its year without a month (年内)

    @property
    def doc_id(self) -> str:
        return self.profile.doc_id


@dataclass(frozen=True, slots=True)
class PlanProfile:
    """What the plans name, computed once by the store (the QA never walks the records for it)."""

    sections: tuple[SectionInfo, ...]
    cities: tuple[str, ...]  # benchmark cities
    first_year: int  # the earliest deadline year: the plan's own year
    max_task: int
    leading_units: frozenset[str]  # canonical units that lead at least one task
    task_count: int
    plans: tuple[corpus.PlanProfile, ...] = ()  # every loaded plan's profile, in document order
    facts: tuple[PlanFacts, ...] = ()  # the same plans with what their records name

    def fact(self, doc_id: str) -> PlanFacts | None:
        return next((f for f in self.facts if f.doc_id == doc_id), None)


class TaskStore(Protocol):
    """Hybrid search and exact filters over task records (see the module docstring)."""

    @property
    def lexicon(self) -> UnitLexicon: ...

    @property
    def tokenizer(self) -> Tokenizer: ...

    @property
    def info(self) -> IndexInfo: ...

    def profile(self) -> PlanProfile: ...

    def says(self, text: str) -> bool:
        """Whether any task's text, section or unit names contains ``text`` (normalized)."""
        ...

    def vocabulary(self) -> frozenset[str]:
        """Every token of the indexed tasks."""
        ...

    def select(self, where: Expr, *, query: str = "") -> list[TaskRecord]: ...

    def pool(self, where: Expr, *, query: str = "") -> list[int]: ...

    def records_at(self, indices: Sequence[int]) -> list[TaskRecord]: ...

    def get_key(self, key: Key) -> TaskRecord | None: ...

    def position(
        self, section: str | None, index: int, docs: frozenset[str] | None = None
    ) -> list[TaskRecord]: ...

    def search(
        self, query: str, *, top_k: int = 10, where: Expr | None = None, mode: Mode = "hybrid"
    ) -> list[Hit]: ...

    def topic(
        self, topic: Topic, *, query: str = "", within: Sequence[int] | None = None, every_word: bool = False
    ) -> list[TopicMatch] | None: ...

    def describes(self, topic: Topic, within: Sequence[int]) -> bool: ...

    def embed_query(self, query: str) -> Matrix: ...

    def prefetch(self, query: str) -> None:
        """Start embedding ``query`` in the background, ahead of ``embed_query``."""
        ...

    def top_similarities(self, query: str, k: int) -> npt.NDArray[np.float32]:
        """The ``k`` highest cosine similarities of the query to any task, best first."""
        ...

    def sample_scores(self, query: str) -> npt.NDArray[np.float32]: ...

    def bm25_top(self, tokens: Sequence[str]) -> float: ...
