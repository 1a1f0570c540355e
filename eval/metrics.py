"""Answer metrics (pure) and ranking metrics through ir-measures.

Ranking metrics come from ``ir_measures`` (pytrec_eval underneath): R@1/5/10, RR@10
(MRR@10) and nDCG@10. A query that returned nothing scores 0 — it is not dropped.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence

RANK_MEASURES = ("R@1", "R@5", "R@10", "RR@10", "nDCG@10")


def set_prf(pred: Iterable[Hashable], gold: Iterable[Hashable]) -> tuple[float, float, float]:
    """Precision, recall, F1 of a predicted set against a gold set (empty pred → P = 0)."""
    p, g = set(pred), set(gold)
    if not p and not g:
        return 1.0, 1.0, 1.0
    tp = len(p & g)
    prec = tp / len(p) if p else 0.0
    rec = tp / len(g) if g else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def ranking_metrics(
    runs: Mapping[str, Sequence[Hashable]], qrels: Mapping[str, Sequence[Hashable]]
) -> dict[str, dict[str, float]]:
    """Per-query ranking metrics; queries missing from ``runs`` (or empty) score 0."""
    import ir_measures
    from ir_measures import Qrel, ScoredDoc

    measures = [ir_measures.parse_measure(m) for m in RANK_MEASURES]
    qrel_list = [Qrel(qid, str(d), 1) for qid, docs in qrels.items() for d in docs]
    run_list = [
        ScoredDoc(qid, str(d), float(len(docs) - i)) for qid, docs in runs.items() for i, d in enumerate(docs)
    ]
    out: dict[str, dict[str, float]] = {qid: dict.fromkeys(RANK_MEASURES, 0.0) for qid in qrels}
    for m in ir_measures.iter_calc(measures, qrel_list, run_list):
        if m.query_id in out:
            out[m.query_id][str(m.measure)] = float(m.value)
    return out


def mean(values: Iterable[float]) -> float:
    vals = list(values)
    return statistics.fmean(vals) if vals else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q / 100 * (len(s) - 1))))
    return s[k]


def wilson(p: float, n: int, z: float = 1.645) -> tuple[float, float]:
    """Wilson score interval of a proportion ``p`` observed over ``n`` questions (z = 1.645: one-sided 95 %).

    Means of per-question scores in [0, 1] (F1, precision) are treated as proportions over ``n`` questions:
    a floor for how far the figure may fall before it is more than one unlucky question or two.
    """
    if n <= 0 or math.isnan(p):
        return 0.0, 1.0
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
