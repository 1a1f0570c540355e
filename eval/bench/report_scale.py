"""The scale and baseline sections of docs/performance.md."""

from __future__ import annotations

import math
from collections.abc import Sequence

from eval.bench import plots
from eval.bench.markdown import ms, prose, table, when
from eval.bench.results import BenchResults
from eval.bench.stats import Latency

SCALE_NOTE = prose("""
Latencies are medians over passes of a per-pass percentile. Questions are the dev split's single-task and
aggregate questions (their shapes, not their golds, matter on a synthetic corpus). Query embeddings come
from the real model once, in an untimed warm pass, and are then looked up, so the figures exclude the
model's per-query cost — add the in-process *query embedding* stage for an uncached query. Each pass starts
with the store's caches emptied (query embeddings, topic-word scans): every question is new to the store.
Aggregate answers list every matching task, so their cost grows with the size of the answer (at 100k tasks
a filter such as a year's deadlines matches tens of thousands). *build or load s*: for the in-memory store,
`index.store.build_index` (tokenizing, BM25, faiss); for another store, loading that saved version into it.
*dense recall@10*: share of the exact top 10 (dot product over all vectors) that the store's dense search
returns; 1.0 for a flat index by construction.
""")
BASELINE_NOTE = prose("""
Plain `jieba.lcut` (default dictionary) + rank-bm25 `BM25Okapi.get_scores` + top 10 by `argsort`,
over the same documents (section, text, lead units) and the same corpora, in its own process.
""")
RECALL_NOTE = prose("""
Recall@5 on the single-task questions of the evaluation's test split (lookup, who leads a task,
deadline, responsible units): share of questions whose gold task is in the top 5.
""")
SYNTHETIC_NOTE = prose("""
Each synthetic task takes a real task as template (section, units, benchmark), keeps its first
clauses and appends clauses of one or two other real tasks (same section two times in three) up to
the template's length ±20 %; deadlines are real months shifted 0–3 years, or 持续推进 one time in
ten. Seeded: the same corpus every run. **The vectors are not embedded by the model** (100k
passages would take hours on two cores): each is the character-weighted mixture of its source
tasks' real passage vectors plus Gaussian noise of norm 0.15, L2-normalized, under the real model's name
so the QA takes its production path. BM25, faiss (flat inner product up to 20k, HNSW M=48 above), the
stores and `QA` run unchanged on them.
""")


def _slope(xs: Sequence[float], ys: Sequence[float]) -> str:
    """Growth exponent b of y ∝ x^b between the two largest sizes."""
    if len(xs) < 2 or min(ys[-2:]) <= 0:
        return "—"
    return f"{math.log(ys[-1] / ys[-2]) / math.log(xs[-1] / xs[-2]):.2f}"


def _opt(lat: Latency | None) -> str:
    return ms(lat.p50_ms) if lat is not None else "—"


def _pair(lat: Latency) -> str:
    return f"{ms(lat.p50_ms)} / {ms(lat.p95_ms)}"


def scale_section(res: BenchResults) -> str:
    s = res.scale
    if s is None or not s.rows:
        return "Not measured.\n"
    head = [
        "tasks", "store", "index", "build or load s", "disk MiB", "build peak MiB", "open s",
        "serving RSS MiB",
        "hybrid search p50 / p95 ms", "BM25 p50 ms", "dense p50 ms", "ask single-task p50 / p95 ms",
        "ask aggregate p50 / p95 ms", "dense recall@10",
    ]  # fmt: skip
    rows = [
        [
            f"{r.size:,}" + (" (synthetic)" if r.synthetic else " (real)"),
            r.store,
            r.build.faiss_kind,
            ms(r.build.build_s),
            ms(r.build.disk_mb),
            f"{r.build.peak_rss_mb:.0f}",
            ms(r.query.load_s),
            f"{r.query.rss_mb:.0f}",
            _pair(r.query.hybrid),
            _opt(r.query.bm25),
            _opt(r.query.dense),
            _pair(r.query.ask_single),
            _pair(r.query.ask_aggregate),
            f"{r.query.dense_recall_at_10:.3f}",
        ]
        for r in s.rows
    ]
    parts = [when(res, "scale").rstrip(), table(head, rows)]
    for store in dict.fromkeys(r.store for r in s.rows):
        mine = [r for r in s.rows if r.store == store and r.synthetic]
        if len(mine) < 2:
            continue
        xs = [float(r.size) for r in mine]
        growth = [
            ["build or load time", _slope(xs, [r.build.build_s for r in mine])],
            ["hybrid search p50", _slope(xs, [r.query.hybrid.p50_ms for r in mine])],
            ["ask single-task p50", _slope(xs, [r.query.ask_single.p50_ms for r in mine])],
            ["ask aggregate p50", _slope(xs, [r.query.ask_aggregate.p50_ms for r in mine])],
            ["ask aggregate p95", _slope(xs, [r.query.ask_aggregate.p95_ms for r in mine])],
            ["serving RSS", _slope(xs, [r.query.rss_mb for r in mine])],
            ["on disk", _slope(xs, [r.build.disk_mb for r in mine])],
        ]
        span = f"{mine[-2].size:,} → {mine[-1].size:,}"
        parts += [
            f"Growth exponents, **{store}** store: b in time or size ∝ tasks^b between its two largest "
            f"corpora ({span}); 1 is linear:",
            table(["measure", "b"], growth),
        ]
    n_ask = ", ".join(
        f"{r.query.ask_single_questions} single-task + {r.query.ask_aggregate_questions} aggregate"
        for r in s.rows[:1]
    )
    parts += [SCALE_NOTE + f" Questions per pass: {n_ask}.", f"![scale growth]({plots.SCALE_PNG})"]
    return "\n\n".join(parts)


def baseline_section(res: BenchResults) -> str:
    s = res.scale
    if s is None or not s.baseline:
        return "Not measured.\n"
    ours = {r.size: r for r in s.rows if r.store == "memory"}
    rows = []
    for b in s.baseline:
        mine = ours.get(b.size)
        bm = mine.query.bm25.p50_ms if mine and mine.query.bm25 else float("nan")
        rows.append(
            [
                f"{b.size:,}",
                f"{ms(b.latency.p50_ms)} / {ms(b.latency.p95_ms)}",
                ms(bm),
                ms(mine.query.hybrid.p50_ms) if mine else "—",
                f"{b.latency.p50_ms / bm:.0f}×" if bm > 0 else "—",
                f"{ms(b.tokenize_s)} + {ms(b.bm25_s)}",
                f"{mine.build.build_s - mine.build.faiss_s:.1f}" if mine else "—",
                f"{b.rss_mb:.0f}",
            ]
        )
    head = [
        "tasks", "baseline p50 / p95 ms", "ours BM25 p50 ms", "ours hybrid p50 ms", "baseline ÷ ours BM25",
        "baseline build s (lcut + BM25Okapi)", "ours build s without faiss", "baseline RSS MiB",
    ]  # fmt: skip
    recall = [[r.system, f"{r.recall_at_5:.3f}", str(r.questions)] for r in s.recall]
    return "\n\n".join(
        [BASELINE_NOTE, table(head, rows), RECALL_NOTE, table(["system", "Recall@5", "questions"], recall)]
    )
