"""PNG plots for docs/performance.md (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from eval.bench.baseline import BaselineRow
from eval.bench.scale import ScaleRow
from eval.bench.serve import ServerRun

LATENCY_PNG = "perf-latency-vs-concurrency.png"
THROUGHPUT_PNG = "perf-throughput-vs-concurrency.png"
SCALE_PNG = "perf-scale.png"


def _pyplot() -> ModuleType:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _throughput_runs(runs: Sequence[ServerRun]) -> list[ServerRun]:
    return [r for r in runs if r.label.startswith("throughput")]


def _name(run: ServerRun) -> str:
    return f"{run.workers} worker{'s' if run.workers > 1 else ''}"


def plot_latency(runs: Sequence[ServerRun], out: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for run in _throughput_runs(runs):
        xs = [p.clients for p in run.passes]
        ax.plot(xs, [p.latency_ok.p50_ms for p in run.passes], "o-", label=f"p50, {_name(run)}")
        ax.plot(xs, [p.latency_ok.p99_ms for p in run.passes], "s--", label=f"p99, {_name(run)}")
    ax.axhline(30, color="grey", lw=0.8, ls=":")
    ax.axhline(150, color="grey", lw=0.8, ls=":")
    ax.text(1, 30, " p50 target 30 ms", va="bottom", fontsize=8, color="grey")
    ax.text(1, 150, " p99 target 150 ms", va="bottom", fontsize=8, color="grey")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("concurrent clients (closed loop)")
    ax.set_ylabel("POST /api/v1/ask latency (ms)")
    ax.set_title("Ask latency vs concurrency (200 answers)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / LATENCY_PNG
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_throughput(runs: Sequence[ServerRun], out: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for run in _throughput_runs(runs):
        xs = [p.clients for p in run.passes]
        ax.plot(xs, [p.throughput_rps for p in run.passes], "o-", label=_name(run))
    ax.axhline(60, color="grey", lw=0.8, ls=":")
    ax.text(1, 60, " target 60 answers/s (2 workers)", va="bottom", fontsize=8, color="grey")
    ax.set_xscale("log", base=2)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("concurrent clients (closed loop)")
    ax.set_ylabel("answers per second (HTTP 200)")
    ax.set_title("Ask throughput vs concurrency")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / THROUGHPUT_PNG
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_scale(rows: Sequence[ScaleRow], baseline: Sequence[BaselineRow], out: Path) -> Path:
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), dpi=110)
    styles = {"memory": "-", "milvus-lite": "--"}
    for store in dict.fromkeys(r.store for r in rows):
        mine = [r for r in rows if r.store == store]
        sizes = [r.size for r in mine]
        ls = styles.get(store, ":")
        left.plot(sizes, [r.query.hybrid.p50_ms for r in mine], "o" + ls, label=f"{store}: hybrid search p50")
        left.plot(
            sizes, [r.query.ask_single.p95_ms for r in mine], "^" + ls, label=f"{store}: ask single p95"
        )
        left.plot(
            sizes, [r.query.ask_aggregate.p95_ms for r in mine], "s" + ls, label=f"{store}: ask aggregate p95"
        )
        right.plot(sizes, [r.build.build_s for r in mine], "o" + ls, label=f"{store}: build or load (s)")
        right.plot(sizes, [r.query.rss_mb for r in mine], "s" + ls, label=f"{store}: serving RSS (MiB)")
        right.plot(sizes, [r.build.disk_mb for r in mine], "^" + ls, label=f"{store}: on disk (MiB)")
    bsizes = [b.size for b in baseline]
    if baseline:
        left.plot(bsizes, [b.latency.p50_ms for b in baseline], "x:", label="baseline: jieba + BM25Okapi p50")
    left.axhline(50, color="grey", lw=0.8, ls=":")
    left.text(min(r.size for r in rows), 50, " 50 ms ask p95 target at 100k", va="bottom", fontsize=8)
    left.set_title("Latency vs corpus size (query embedding excluded)")
    left.set_ylabel("ms")
    right.set_title("Build time, memory and disk vs corpus size")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("tasks in the corpus")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    path = out / SCALE_PNG
    fig.savefig(path)
    plt.close(fig)
    return path
