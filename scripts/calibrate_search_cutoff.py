"""Calibrate the staff search page's relevance cut-off (api/relevance.py) on the real index.

    .venv/bin/python scripts/calibrate_search_cutoff.py        # needs `make index`

Positives: the dev split's answerable single-task questions (one gold task, no follow-ups) searched as staff
search them (top 50); the gold task must come out relevant. Negatives: the nonsense queries in
scripts/data/nonsense_queries.txt plus 60 random strings of 2–6 Han characters (seeded); none of their hits
should. The rule is the one the API runs (:func:`api.relevance.hit_flags`), evaluated over a grid:

1. ``MIN_SIMILARITY``: the lowest value at which at most 1 % of the nonsense queries show a relevant hit
   (no band);
2. ``BAND``: the narrowest band that keeps the gold tasks shown within 0.005 of what no band keeps.

The test split and the sealed fresh batch are never read. Prints the grid's rows around the choice, the
choice, and what the constants in api/relevance.py give.
"""

from __future__ import annotations

import argparse
import random
import statistics
from dataclasses import dataclass
from pathlib import Path

from api.engine import load_engine
from api.relevance import BAND, MIN_SIMILARITY, hit_flags
from eval.questions import SINGLE_TYPES, load_questions
from retriever import Hit, Retriever

NONSENSE = Path(__file__).resolve().parent / "data" / "nonsense_queries.txt"
TOP_K = 50
INF = 1.0  # a band no similarity spread reaches


@dataclass(frozen=True)
class Searched:
    query: str
    hits: list[Hit]
    gold: int | None = None


def nonsense_queries(seed: int = 16, random_strings: int = 60) -> list[str]:
    lines = [line.split("#", 1)[0].strip() for line in NONSENSE.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(seed)
    made = [
        "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 6)))
        for _ in range(random_strings)
    ]
    return [q for q in lines if q] + made


def measure(
    retriever: Retriever, positives: list[Searched], negatives: list[Searched], tau: float, band: float
) -> tuple[float, float, float]:
    """(gold tasks shown, nonsense queries showing anything, mean hits shown per question): shares, mean."""
    shown_gold = shown_n = 0
    any_neg = 0
    for s in positives:
        flags = hit_flags(s.query, s.hits, retriever, min_similarity=tau, band=band)
        shown_n += sum(flags)
        shown_gold += any(f and h.record.task_id == s.gold for h, f in zip(s.hits, flags, strict=True))
    for s in negatives:
        any_neg += any(hit_flags(s.query, s.hits, retriever, min_similarity=tau, band=band))
    return shown_gold / len(positives), any_neg / len(negatives), shown_n / len(positives)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-nonsense", type=float, default=0.01, help="share of nonsense queries allowed")
    parser.add_argument("--max-recall-loss", type=float, default=0.005, help="gold shown the band may cost")
    args = parser.parse_args()

    engine = load_engine()
    retriever = engine.retriever
    questions = [
        q
        for q in load_questions(split="dev")
        if q.answerable and q.type in SINGLE_TYPES and len(q.gold_tasks) == 1 and not q.turns
    ]
    positives = [
        Searched(q.question, retriever.search(q.question, top_k=TOP_K), q.gold_tasks[0]) for q in questions
    ]
    negatives = [Searched(q, retriever.search(q, top_k=TOP_K)) for q in nonsense_queries()]
    oos = [q.question for q in load_questions(split="dev") if not q.answerable and not q.turns]
    in_top = sum(any(h.record.task_id == s.gold for h in s.hits) for s in positives)
    print(f"embedder {retriever.embedder.name}; {len(positives)} dev questions")
    print(f"({in_top} with the gold task in the top {TOP_K}), {len(negatives)} nonsense queries,")
    print(f"{len(oos)} dev out-of-scope questions (reported only)")

    taus = [round(0.83 + 0.0025 * i, 4) for i in range(29)]
    print("\nMIN_SIMILARITY  gold shown  nonsense with a hit  shown per question   (no band)")
    rows = {t: measure(retriever, positives, negatives, t, INF) for t in taus}
    for t, (g, n, m) in rows.items():
        print(f"  {t:.4f}        {g:.3f}       {n:.3f}               {m:5.1f}")
    tau = min(t for t, (_, n, _) in rows.items() if n <= args.max_nonsense)
    best = rows[tau][0]
    print("\nBAND    gold shown  nonsense with a hit  shown per question   (MIN_SIMILARITY", tau, ")")
    bands = [round(0.01 + 0.005 * i, 3) for i in range(11)]
    brows = {b: measure(retriever, positives, negatives, tau, b) for b in bands}
    for b, (g, n, m) in brows.items():
        print(f"  {b:.3f}   {g:.3f}       {n:.3f}               {m:5.1f}")
    band = min(b for b, (g, _, _) in brows.items() if g >= best - args.max_recall_loss)

    g, n, m = measure(retriever, positives, negatives, MIN_SIMILARITY, BAND)
    oos_searched = [Searched(q, retriever.search(q, top_k=TOP_K)) for q in oos]
    oos_any = statistics.mean(any(hit_flags(s.query, s.hits, retriever)) for s in oos_searched)
    print(f"\nchosen: MIN_SIMILARITY = {tau}, BAND = {band}")
    print(f"api/relevance.py: MIN_SIMILARITY = {MIN_SIMILARITY}, BAND = {BAND}:")
    print(f"  gold shown {g:.3f}, nonsense with a hit {n:.3f}, {m:.1f} hits shown per question of {TOP_K};")
    print(f"  dev out-of-scope questions with a hit {oos_any:.3f}")
    return 0 if (tau, band) == (MIN_SIMILARITY, BAND) else 1


if __name__ == "__main__":
    raise SystemExit(main())
