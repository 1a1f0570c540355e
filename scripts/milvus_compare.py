"""The Milvus store beside the in-memory one on the real index: identical answers, latency (docs/milvus.md).

    .venv/bin/python -m retriever push --store milvus-lite:/tmp/parity.db
    .venv/bin/python scripts/milvus_compare.py --store milvus-lite:/tmp/parity.db [--runs 5] [--questions 400]

``answers``: every dev and test question (follow-ups turn by turn, each store with its own sessions) answered
from both stores; prints how many answers differ in text, intent, answerability or citations, and the first
few that do. ``latency``: ``--questions`` dev questions (no follow-ups), their query embeddings computed in an
untimed warm pass and then cached (the figures exclude the model: add ~18 ms for a question new to the
cache); per run and store, hybrid ``search`` (top 10) and ``QA.answer`` timed over every question, the stores
alternating run by run; prints the medians over runs of each run's p50 and p95.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from typing import Any

from eval.bench.stats import load_average, summarize, time_each
from eval.questions import load_questions
from index.embedders import make_embedder
from qa import QA, SessionStore
from retriever.backends import open_store


def _answer(qa: QA, turns: list[str]) -> tuple[Any, ...]:
    sessions = SessionStore()
    session = sessions.get(None)
    out: tuple[Any, ...] = ()
    for turn in turns:
        a = qa.answer(turn, session=session)
        out = (a.text, a.intent, a.answerable, tuple(c.key for c in a.citations))
    return out


def answers(memory: QA, other: QA) -> int:
    questions = load_questions(split="all")
    differ = 0
    for q in questions:
        turns = [*q.turns] if q.turns else [q.question]
        want, got = _answer(memory, turns), _answer(other, turns)
        if want != got:
            differ += 1
            if differ <= 5:
                print(f"  [{q.id}] {turns[-1]}\n    memory: {want}\n    other:  {got}")
    print(f"answers: {len(questions)} questions, {differ} differ")
    return differ


def latency(stores: dict[str, QA], *, runs: int, n: int) -> None:
    qs = [q.question for q in load_questions(split="dev") if not q.turns]
    random.Random(7).shuffle(qs)
    qs = qs[:n]
    for qa in stores.values():  # warm: every embedding once, untimed
        for q in qs:
            qa.r.search(q, top_k=10)
            qa.answer(q)
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for run in range(runs):
        order = list(stores) if run % 2 == 0 else list(reversed(stores))
        for name in order:
            qa = stores[name]
            for kind, fn in (("search", lambda q, qa=qa: qa.r.search(q, top_k=10)), ("ask", qa.answer)):
                s = summarize(time_each(fn, qs))
                results.setdefault((name, kind), []).append((s.p50_ms, s.p95_ms))
    print(f"latency: {len(qs)} dev questions, {runs} runs, load average now {load_average()}")
    for (name, kind), per_run in results.items():
        p50 = statistics.median(p for p, _ in per_run)
        p95 = statistics.median(p for _, p in per_run)
        print(f"  {name:>12} {kind:>6}: p50 {p50:.2f} ms, p95 {p95:.2f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="scripts/milvus_compare.py")
    ap.add_argument("--store", required=True, help="the store set beside memory, e.g. milvus-lite:/tmp/p.db")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--questions", type=int, default=400)
    ap.add_argument("--skip-answers", action="store_true")
    ap.add_argument("--skip-latency", action="store_true")
    args = ap.parse_args(argv)
    embedder = make_embedder()
    memory = QA(open_store("memory", embedder=embedder))
    other = QA(open_store(args.store, embedder=embedder))
    differ = 0 if args.skip_answers else answers(memory, other)
    if not args.skip_latency:
        latency({"memory": memory, args.store.split(":")[0]: other}, runs=args.runs, n=args.questions)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
