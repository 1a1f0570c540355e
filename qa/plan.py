"""The typed query plan a question becomes (frozen, printable; no retrieval needed to build or test one).

``Ask`` is a question the plan's records can answer: *what* is asked, *where* (a filter expression over
record fields, :mod:`retriever.expr`), *how many* tasks the answer is about (``pick``: every match, the
best-ranked one, or the n-th in order), an optional *claim* to check over the set
(「都归市场监管局管吗」), and the *scope* (the whole plan or the previous turn's tasks). ``Reply`` is a
question no record answers (a greeting, an injection, an answer type no plan gives …), said plainly.

    Ask(what=tasks, where=And(Section(办理破产), Not(Lead(旗法院))), pick=all)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from retriever.expr import All, Expr, Topic

What = Literal["tasks", "count", "lead", "responsible", "deadline", "text", "yes_no"]
Pick = Literal["all", "best", "nth"]
Scope = Literal["plan", "previous"]
ReplyKind = Literal[
    "empty",
    "greeting",
    "thanks",
    "injection",
    "other_task",
    "out_of_plan",
    "personal",
    "other_plan",
    "other_place",
    "unknown_unit",
    "unknown_task",
    "unknown_section",
]


@dataclass(frozen=True, slots=True)
class Ask:
    """A question answered from the records.

    ``pick``: ``all`` — every task ``where`` matches (a list, a count, the leads of a topic);
    ``best`` — the one task retrieval ranks first among them for ``query`` (a task described in words);
    ``nth`` — the ``n``-th of them in document order (1-based, negative from the end; a position).
    ``query`` is the text retrieval ranks by; ``topic`` says in words what a ``Topic`` set was taken to be.
    """

    what: tuple[What, ...]
    where: Expr = field(default_factory=All)
    pick: Pick = "all"
    n: int = 0
    query: str = ""
    claim: Expr | None = None
    scope: Scope = "plan"
    prefer_units: frozenset[str] = frozenset()  # units named without a role: a preference, not a filter
    area: Expr | None = None  # pick=best: the area named; when the rest of the question only describes it
    topic: Topic | None = None  # (no word specific within it), the answer is about the whole area
    area_named: bool = False  # the area is named as a whole (a section word), not inferred from an aspect
    # pick=best: the question points at one task (「那条」): no runner-up, no theme's others
    one: bool = False
    said: tuple[str, ...] = ()  # the words the question describes its subject in (no names, no cue words)

    def __str__(self) -> str:
        parts = [f"what={'+'.join(self.what)}", f"where={self.where}", f"pick={self.pick}"]
        if self.pick == "nth":
            parts.append(f"n={self.n}")
        if self.claim is not None:
            parts.append(f"claim={self.claim}")
        if self.scope != "plan":
            parts.append(f"scope={self.scope}")
        if self.prefer_units:
            parts.append("prefer=" + "|".join(sorted(self.prefer_units)))
        if self.area is not None:
            parts.append(f"area={self.area}")
        return "Ask(" + ", ".join(parts) + ")"


@dataclass(frozen=True, slots=True)
class Reply:
    """A question no record answers, and why (``detail``: the name that was not found, if any)."""

    kind: ReplyKind
    detail: str = ""

    def __str__(self) -> str:
        return f"Reply({self.kind}{', ' + self.detail if self.detail else ''})"


Plan = Ask | Reply
