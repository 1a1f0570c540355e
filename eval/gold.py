"""Golds computed from the records: a small filter language and the rules that turn a target into golds.

A question's ``target`` (in the question files) is one of

* ``{"task": N}`` — the question is about task N;
* ``{"query": EXPR}`` — every task the filter expression matches;
* ``{"tasks": [N, …]}`` — a set judged by the writer (a theme narrower than a section);
* ``{"none": true}`` — nothing answers it (out of scope, or a task that does not exist).

The expression language (JSON) is deliberately independent of the system's own query plan, so a bug there
cannot hide in the golds. Leaves: ``section``, ``lead``, ``responsible``, ``involves`` (lead or responsible),
``deadline`` (``{"from": "2022-07", "to": "2022-12"}``, inclusive, either bound optional; an undated task
never matches), ``ongoing``, ``city``, ``benchmark`` (label), ``task_range`` ([a, b]), ``no_responsible``,
``position`` (``{"section": S, "index": i}``, 1-based in document order, negative from the end).
Combinators: ``and``, ``or``, ``not``. Units are compared after ``lex.canon``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import TaskRecord, UnitLexicon

Expr = Mapping[str, Any]
ASKS = ("text", "lead", "responsible", "deadline", "tasks", "count", "yes_no")
LEAVES = (
    "section",
    "lead",
    "responsible",
    "involves",
    "deadline",
    "ongoing",
    "city",
    "benchmark",
    "task_range",
    "no_responsible",
    "position",
)


@dataclass(frozen=True, slots=True)
class Gold:
    tasks: tuple[int, ...]
    units: tuple[str, ...]
    deadline: str | None
    answerable: bool


def _ym(s: str) -> tuple[int, int]:
    y, m = s.split("-")
    return int(y), int(m)


class Evaluator:
    """Evaluates filter expressions over one plan's records."""

    def __init__(self, records: Sequence[TaskRecord], lex: UnitLexicon) -> None:
        self.records = list(records)
        self.lex = lex
        self.sections = {r.section for r in self.records}
        self.cities = {r.benchmark_city for r in self.records if r.benchmark_city}
        self.labels = {r.benchmark for r in self.records if r.benchmark}
        self.by_section: dict[str, list[TaskRecord]] = {}
        for r in self.records:
            self.by_section.setdefault(r.section, []).append(r)

    def select(self, expr: Expr) -> list[TaskRecord]:
        return [r for r in self.records if self.matches(expr, r)]

    def _unit(self, name: str) -> str:
        canon = self.lex.canon(name)
        if canon not in self.lex.units:
            raise ValueError(f"unknown unit {name!r}")
        return canon

    def matches(self, expr: Expr, r: TaskRecord) -> bool:
        if len(expr) != 1:
            raise ValueError(f"an expression has exactly one key: {dict(expr)!r}")
        ((key, val),) = expr.items()
        if key == "and":
            return all(self.matches(e, r) for e in val)
        if key == "or":
            return any(self.matches(e, r) for e in val)
        if key == "not":
            return not self.matches(val, r)
        if key == "section":
            if val not in self.sections:
                raise ValueError(f"unknown section {val!r}")
            return bool(r.section == val)
        if key == "lead":
            return self._unit(val) in {self.lex.canon(u) for u in r.lead_units}
        if key == "responsible":
            return self._unit(val) in {self.lex.canon(u) for u in r.responsible_units}
        if key == "involves":
            return self._unit(val) in {self.lex.canon(u) for u in (*r.lead_units, *r.responsible_units)}
        if key == "deadline":
            if r.deadline_ym is None:
                return False
            lo, hi = val.get("from"), val.get("to")
            return (lo is None or r.deadline_ym >= _ym(lo)) and (hi is None or r.deadline_ym <= _ym(hi))
        if key == "ongoing":
            return (r.deadline_ym is None) == bool(val)
        if key == "city":
            if val not in self.cities:
                raise ValueError(f"unknown benchmark city {val!r}")
            return bool(r.benchmark_city == val)
        if key == "benchmark":
            if val not in self.labels:
                raise ValueError(f"unknown benchmark {val!r}")
            return bool(r.benchmark == val)
        if key == "task_range":
            return bool(int(val[0]) <= r.task_id <= int(val[1]))
        if key == "no_responsible":
            return (not r.responsible_units) == bool(val)
        if key == "position":
            tasks = self.by_section.get(val["section"])
            if tasks is None:
                raise ValueError(f"unknown section {val['section']!r}")
            i = int(val["index"])
            k = i - 1 if i > 0 else len(tasks) + i
            return 0 <= k < len(tasks) and tasks[k].task_id == r.task_id
        raise ValueError(f"unknown expression key {key!r} (leaves: {', '.join(LEAVES)})")


def positive_leads(expr: Expr) -> tuple[str, ...]:
    """Lead units named outside any ``not`` (the units a unit question asks about)."""
    ((key, val),) = expr.items()
    if key in ("and", "or"):
        return tuple(dict.fromkeys(u for e in val for u in positive_leads(e)))
    if key == "lead":
        return (str(val),)
    return ()


def _distinct(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def lead_units_by_weight(records: Sequence[TaskRecord], lex: UnitLexicon) -> tuple[str, ...]:
    """Distinct canonical lead units: most tasks led first, ties by first appearance."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for i, r in enumerate(records):
        for u in _distinct(lex.canon(u) for u in r.lead_units):
            counts[u] += 1
            first.setdefault(u, i)
    return tuple(sorted(counts, key=lambda u: (-counts[u], first[u])))


def compute_gold(target: Mapping[str, Any], asks: str, ev: Evaluator) -> Gold:
    """The golds of one question from its target and what it asks.

    One task: ``text`` → its lead units and deadline; ``lead`` → lead units; ``deadline`` → deadline;
    ``responsible`` → responsible units. A set: ``lead`` / ``yes_no`` → the set's lead units by weight;
    ``deadline`` → the common deadline when all share one; ``tasks`` / ``count`` → the lead units the query
    names (none for a judged set). A query that matches nothing is answerable: the answer is "none" (a
    unit that leads nothing in a section). ``none`` → not answerable (out of scope, no such task).
    """
    lex = ev.lex
    if asks not in ASKS:
        raise ValueError(f"unknown asks {asks!r}")
    if target.get("none"):
        return Gold((), (), None, answerable=False)
    if "task" in target:
        by_id = {r.task_id: r for r in ev.records}
        r = by_id.get(int(target["task"]))
        if r is None:
            raise ValueError(f"task {target['task']} does not exist")
        leads = _distinct(lex.canon(u) for u in r.lead_units)
        if asks == "text":
            return Gold((r.task_id,), leads, r.deadline, True)
        if asks == "lead":
            return Gold((r.task_id,), leads, None, True)
        if asks == "deadline":
            return Gold((r.task_id,), (), r.deadline, True)
        if asks == "responsible":
            return Gold((r.task_id,), _distinct(lex.canon(u) for u in r.responsible_units), None, True)
        return Gold((r.task_id,), (), None, True)
    if "query" in target:
        matches = ev.select(target["query"])
        named = tuple(lex.canon(u) for u in positive_leads(target["query"]))
    elif "tasks" in target:
        wanted = {int(t) for t in target["tasks"]}
        matches = [r for r in ev.records if r.task_id in wanted]
        if len(matches) != len(wanted):
            raise ValueError(f"unknown task in {sorted(wanted)}")
        named = ()
    else:
        raise ValueError(f"unknown target {dict(target)!r}")
    ids = tuple(r.task_id for r in matches)
    if asks in ("lead", "yes_no"):
        return Gold(ids, lead_units_by_weight(matches, lex), None, True)
    if asks == "deadline":
        deadlines = {r.deadline for r in matches}
        return Gold(ids, (), next(iter(deadlines)) if len(deadlines) == 1 else None, True)
    return Gold(ids, named, None, True)


def refresh(path: Path, ev: Evaluator) -> tuple[str, int]:
    """The file's text with every gold recomputed, and how many lines changed."""
    out, changed = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        gold = compute_gold(row["target"], row["asks"], ev)
        new = {
            **row,
            "gold_tasks": list(gold.tasks),
            "gold_units": list(gold.units),
            "gold_deadline": gold.deadline,
            "answerable": gold.answerable,
        }
        changed += new != row
        out.append(json.dumps(new, ensure_ascii=False))
    return "".join(x + "\n" for x in out), changed


def main(argv: Sequence[str] | None = None) -> int:
    from corpus import build_lexicon, load_tasks
    from eval.questions import question_files

    ap = argparse.ArgumentParser(prog="python -m eval.gold", description=__doc__)
    ap.add_argument("--write", action="store_true", help="rewrite stale golds in place")
    args = ap.parse_args(argv)
    records = load_tasks()
    ev = Evaluator(records, build_lexicon(records))
    stale = 0
    for path in question_files():
        text, changed = refresh(path, ev)
        if changed:
            stale += changed
            sys.stdout.write(f"{path.name}: {changed} stale gold(s)\n")
            if args.write:
                path.write_text(text, encoding="utf-8")
    if stale and not args.write:
        sys.stderr.write("golds are stale: run python -m eval.gold --write\n")
        return 1
    sys.stdout.write("golds up to date\n" if not stale else "golds rewritten\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
