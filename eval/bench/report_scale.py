"""The scale and baseline sections of docs/performance.md."""

from __future__ import annotations

import math
from collections.abc import Sequence

from eval.bench import plots
from eval.bench.markdown import ms, prose, table, when
from eval.bench.results import BenchResults

SCALE_NOTE = prose("""
Latencies are medians over passes of the evaluation questions with the query embedding looked up
(precomputed with the real model), so they exclude the model's per-query cost — add the in-process
*query embedding* stage for an uncached query. *dense recall@10*: share of the exact top 10 (dot
product over all vectors) that faiss returns; 1.0 for the flat index by construction.
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
tasks' real passage vectors plus Gaussian noise of norm 0.15, L2-normalized. BM25, faiss (flat
inner product up to 20k, HNSW M=32 above), `Retriever` and `QA` run unchanged on them.
""")


def _slope(xs: Sequence[float], ys: Sequence[float]) -> str:
    """Growth exponent b of y ∝ x^b between the two largest sizes."""
    if len(xs) < 2 or min(ys[-2:]) <= 0:
        return "—"
    return f"{math.log(ys[-1] / ys[-2]) / math.log(xs[-1] / xs[-2]):.2f}"


def scale_section(res: BenchResults) -> str:
    s = res.scale
    if s is None or not s.rows:
        return "Not measured.\n"
    head = [
        "tasks", "faiss", "build s", "BM25 s", "faiss s", "disk MiB", "build peak MiB", "load s",
        "serving RSS MiB", "hybrid p50 / p95 ms", "BM25 p50 ms", "dense p50 ms", "ask p50 / p95 ms",
        "dense recall@10",
    ]  # fmt: skip
    rows = [
        [
            f"{r.size:,}" + (" (synthetic)" if r.synthetic else " (real)"),
            r.build.faiss_kind,
            ms(r.build.build_s),
            ms(r.build.bm25_s),
            ms(r.build.faiss_s),
            ms(r.build.disk_mb),
            f"{r.build.peak_rss_mb:.0f}",
            ms(r.query.load_s),
            f"{r.query.rss_mb:.0f}",
            f"{ms(r.query.hybrid.p50_ms)} / {ms(r.query.hybrid.p95_ms)}",
            ms(r.query.bm25.p50_ms),
            ms(r.query.dense.p50_ms),
            f"{ms(r.query.ask.p50_ms)} / {ms(r.query.ask.p95_ms)}",
            f"{r.query.dense_recall_at_10:.3f}",
        ]
        for r in s.rows
    ]
    xs = [float(r.size) for r in s.rows]
    growth = [
        ["build time", _slope(xs, [r.build.build_s for r in s.rows])],
        ["hybrid search p50", _slope(xs, [r.query.hybrid.p50_ms for r in s.rows])],
        ["BM25 search p50", _slope(xs, [r.query.bm25.p50_ms for r in s.rows])],
        ["dense search p50", _slope(xs, [r.query.dense.p50_ms for r in s.rows])],
        ["ask p50", _slope(xs, [r.query.ask.p50_ms for r in s.rows])],
        ["serving RSS", _slope(xs, [r.query.rss_mb for r in s.rows])],
        ["index on disk", _slope(xs, [r.build.disk_mb for r in s.rows])],
    ]
    n_ask = ", ".join(f"{r.size:,}: {r.query.ask_questions}" for r in s.rows)
    span = f"{s.rows[-2].size:,} → {s.rows[-1].size:,}" if len(s.rows) > 1 else "—"
    return "\n\n".join(
        [
            when(res, "scale").rstrip(),
            table(head, rows),
            f"Growth exponent b (time or size ∝ tasks^b) between the two largest corpora ({span}); "
            "1 is linear:",
            table(["measure", "b"], growth),
            SCALE_NOTE
            + f" Ask ran on the questions whose parsed text had a precomputed embedding ({n_ask}).",
            f"![scale growth]({plots.SCALE_PNG})",
        ]
    )


def baseline_section(res: BenchResults) -> str:
    s = res.scale
    if s is None or not s.baseline:
        return "Not measured.\n"
    ours = {r.size: r for r in s.rows}
    rows = []
    for b in s.baseline:
        mine = ours.get(b.size)
        bm = mine.query.bm25.p50_ms if mine else float("nan")
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
